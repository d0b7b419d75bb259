-- Stripe Connect: a neutralized copy takes no real payment and leaves production's Stripe
-- alone. Test mode, no secret key, no webhook signing secret, no webhook endpoint of its own
-- (creating one would otherwise delete production's); a live publishable key goes too.
UPDATE ir_config_parameter
   SET value = 'test'
 WHERE key = 'account_stripe_connect.mode';
DELETE FROM ir_config_parameter
 WHERE key IN ('account_stripe_connect.secret_key',
               'account_stripe_connect.webhook_secret',
               'account_stripe_connect.webhook_endpoint_id')
    OR (key = 'account_stripe_connect.publishable_key' AND value LIKE 'pk\_live\_%');
