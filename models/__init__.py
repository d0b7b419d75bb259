from . import (
    account_move,
    account_move_mail,
    account_move_pay,
    account_move_stripe_refund,
    res_company,
    res_config_settings,
    stripe_dispute,
    stripe_oauth_state,
    stripe_payment_intent,
    stripe_platform,
    stripe_refund,
    stripe_webhook_event,
)
