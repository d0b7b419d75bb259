"""odoo shell: configure the platform on the emulator, the company, a customer, a product
and, when installed, Odoo's own Stripe provider in test mode (the comparison)."""

import json
import os

env = globals()['env']  # given by odoo shell
params = json.loads(os.environ['BENCH_PARAMS'])

platform = env['stripe.platform']
for key, value in params['settings'].items():
    platform._set_setting(key, value)
icp = env['ir.config_parameter'].sudo()
icp.set_param('web.base.url', params['base_url'])
icp.set_param('web.base.url.freeze', True)

company = env.company
company.write({
    'name': 'Bench Plumbing Ltd',
    'email': 'billing@bench-plumbing.example.com',
    'website': 'https://bench-plumbing.example.com',
    'country_id': env.ref('base.be').id,
    'vat': 'BE0477472701',
})
customer = env['res.partner'].create({
    'name': 'Bench Customer', 'email': 'customer@example.com',
    'country_id': env.ref('base.be').id,
})
product = env['product.product'].create({
    'name': 'Boiler repair', 'lst_price': 100.0, 'taxes_id': [(5, 0, 0)],
})
settings = env['res.config.settings'].create({})
settings.action_stripe_create_webhook()

result = {
    'customer_id': customer.id,
    'product_id': product.id,
    'currency': company.currency_id.name,
    'company_id': company.id,
}
provider = env.ref('payment.payment_provider_stripe', raise_if_not_found=False)
if provider and 'stripe_webhook_secret' in provider._fields:
    provider.write({
        'state': 'test',
        'stripe_secret_key': 'sk_test_odoo_bench',
        'stripe_publishable_key': 'pk_test_odoo_bench',
        'stripe_webhook_secret': params['odoo_webhook_secret'],
    })
    result.update({
        'odoo_provider_id': provider.id,
        'odoo_cron_id': env.ref('payment.cron_post_process_payment_tx').id,
        'card_method_id': env.ref('payment.payment_method_card').id,
    })
env.cr.commit()
print('BENCH_RESULT', json.dumps(result))
