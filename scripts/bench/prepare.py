"""Getting the bench database ready: the platform on the emulator, the company connected the
way a person connects it (Settings button, Stripe's onboarding form, back to Odoo), invoices,
and PaymentIntents paid on the emulator whose webhook events are held for the benchmark."""

import json
import secrets
import urllib.parse

from emulated_odoo import platform_settings

from .client import OdooSession, fetch


def configure(ctx, base_url):
    ctx.odoo_webhook_secret = 'whsec_' + secrets.token_hex(16)
    return ctx.env.shell(ctx.database, 'setup.py', {
        'settings': platform_settings(ctx.emulator),
        'base_url': base_url,
        'odoo_webhook_secret': ctx.odoo_webhook_secret,
    }, ctx.logfile('setup'))


def connect_company(ctx):
    """Log in as admin, click Connect with Stripe, submit the onboarding form, come back."""
    admin = OdooSession(ctx.server.url)
    admin.login(ctx.database)
    settings_id = admin.call('res.config.settings', 'create', {})
    action = admin.call('res.config.settings', 'action_stripe_connect', [settings_id])
    answer = fetch(action['url'], urllib.parse.urlencode({'submit': '1'}).encode(),
                   opener=admin.no_redirect)
    back = answer.headers.get('Location')
    if answer.status not in (302, 303) or not back:
        raise RuntimeError(f"onboarding form answered {answer.status}")
    answer = fetch(back, opener=admin.no_redirect)
    if answer.status >= 400:
        raise RuntimeError(f"return to Odoo answered {answer.status}")
    company, = admin.call('res.company', 'read', [ctx.setup['company_id']],
                          ['stripe_account_id', 'stripe_charges_enabled'])
    if not company['stripe_charges_enabled']:
        raise RuntimeError(f"the company is not ready to take payments: {company}")
    ctx.admin = admin
    return company['stripe_account_id']


def make_data(ctx, counts):
    return ctx.env.shell(ctx.database, 'data.py', {
        'customer_id': ctx.setup['customer_id'],
        'product_id': ctx.setup['product_id'],
        'amount': 100.0,
        'counts': counts,
        'odoo_provider_id': ctx.setup.get('odoo_provider_id'),
        'card_method_id': ctx.setup.get('card_method_id'),
    }, ctx.logfile('data'))


def pay_intents(ctx, rows):
    """Confirm each PaymentIntent with a test card, as the customer's browser would; return
    the id of its held ``payment_intent.succeeded`` event, in the order of ``rows``."""
    emulator = ctx.emulator
    for row in rows:
        answer = fetch(
            f'{emulator.base_url}/v1/payment_intents/{row["intent"]}/confirm',
            urllib.parse.urlencode({
                'payment_method': 'pm_card_visa', 'return_url': 'https://example.com/return',
            }).encode(),
            {'Authorization': f'Bearer {emulator.secret_key}', 'Stripe-Account': row['account']},
        )
        if answer.status != 200:
            raise RuntimeError(f"confirming {row['intent']} answered {answer.status}")
    events = {}
    for delivery in emulator.pending_deliveries():
        event = json.loads(delivery['body'])
        if event['type'] == 'payment_intent.succeeded':
            events[event['data']['object']['id']] = event['id']
    missing = [row['intent'] for row in rows if row['intent'] not in events]
    if missing:
        raise RuntimeError(f"no payment_intent.succeeded held for {missing[:3]}...")
    return [events[row['intent']] for row in rows]
