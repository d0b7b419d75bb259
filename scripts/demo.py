"""Run the whole flow on this machine with no Stripe account: the emulator as Stripe, a demo
database with the addon, a company ready to connect and a posted invoice to pay.

Started by scripts/demo.sh, which finds Odoo and passes its command and addons path.
"""

import argparse
import os
import signal
import subprocess
import sys
import textwrap

from emulated_odoo import StripeEmulator, platform_settings, run, wait_for

SETUP_SCRIPT = textwrap.dedent('''
    from odoo.fields import Command
    platform = env['stripe.platform']
    for key, value in {settings!r}.items():
        platform._set_setting(key, value)
    env['ir.config_parameter'].set_param('web.base.url', {base_url!r})
    env['ir.config_parameter'].set_param('web.base.url.freeze', True)
    company = env.company
    company.write({{
        'name': 'Demo Plumbing Ltd',
        'email': 'billing@demo-plumbing.example.com',
        'website': 'https://demo-plumbing.example.com',
        'country_id': env.ref('base.be').id,
        'vat': 'BE0477472701',
    }})
    customer = env['res.partner'].create({{
        'name': 'Jane Customer', 'email': 'jane@example.com', 'country_id': env.ref('base.be').id,
    }})
    product = env['product.product'].create({{'name': 'Boiler repair', 'lst_price': 240.0}})
    invoice = env['account.move'].create({{
        'move_type': 'out_invoice',
        'partner_id': customer.id,
        'invoice_line_ids': [
            Command.create({{'product_id': product.id, 'quantity': 1, 'price_unit': 240.0}}),
            Command.create({{'name': 'Travel', 'quantity': 1, 'price_unit': 35.0}}),
        ],
    }})
    invoice.action_post()
    settings = env['res.config.settings'].create({{}})
    settings.action_stripe_create_webhook()
    env.cr.commit()
    print('DEMO_INVOICE', invoice.id, invoice.name)
''')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--odoo', nargs='+', required=True, help="the odoo command")
    parser.add_argument('--config', required=True, help="Odoo's configuration file")
    parser.add_argument('--addons-path', required=True)
    parser.add_argument('--database', default='asc_demo')
    parser.add_argument('--port', type=int, default=int(os.environ.get('DEMO_PORT', '8069')))
    parser.add_argument('--stripe-port', type=int,
                        default=int(os.environ.get('DEMO_STRIPE_PORT', '12111')))
    args = parser.parse_args()

    base_url = f'http://127.0.0.1:{args.port}'
    options = ['-c', args.config, '-d', args.database, f'--addons-path={args.addons_path}']
    odoo = [*args.odoo, 'server', *options, '--http-interface=127.0.0.1',
            f'--http-port={args.port}', f'--db-filter=^{args.database}$']

    emulator = StripeEmulator(port=args.stripe_port).start()
    print(f"Stripe emulator on {emulator.base_url}", flush=True)
    server = None
    try:
        subprocess.run(['dropdb', '--if-exists', args.database], check=True)
        run([*odoo, '-i', 'account_stripe_connect', '--stop-after-init'])
        settings = platform_settings(emulator)
        # The webhook endpoint is registered through the addon, which calls Odoo's URL: the
        # emulator delivers there once the server below is up.
        setup = subprocess.run(
            [*args.odoo, 'shell', *options, '--no-http'], input=SETUP_SCRIPT.format(
                settings=settings, base_url=base_url,
            ), text=True, capture_output=True, check=True,
        )
        invoice_line = next(
            line for line in setup.stdout.splitlines() if line.startswith('DEMO_INVOICE')
        )
        _tag, invoice_id, invoice_name = invoice_line.split(maxsplit=2)
        server = subprocess.Popen([*odoo, '--max-cron-threads=1'])
        if not wait_for(f'{base_url}/web/health'):
            print("Odoo did not start; see its log above.", file=sys.stderr)
            return 1
        print(textwrap.dedent(f'''

            ================================================================================
             The demo is running.   Odoo: {base_url}   (login admin, password admin)
             Stripe emulator: {emulator.base_url}

             1. Settings > Invoicing > Payment Processing > Stripe: click "Connect with Stripe",
                then "Submit" on the emulator's onboarding page: you come back "Ready to take
                payments".
             2. Invoicing > Customers > Invoices > {invoice_name}: "Send" it. The email's
                "Pay online" link (also in the invoice's Stripe tab) opens the pay page:
                {base_url}/odoo/action-account.action_move_out_invoice_type/{invoice_id}
             3. On the pay page choose the test card "Visa 4242 (succeeds)" and pay: the invoice
                becomes Paid in Odoo, with the payment in its chatter.
             Ctrl-C stops Odoo and the emulator.
            ================================================================================
        '''), flush=True)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server and server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        emulator.stop()
        print("Demo stopped.")
    return 0


if __name__ == '__main__':
    sys.exit(main())
