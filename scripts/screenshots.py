"""Take the README's screenshots of the pay page, on a desktop and on a phone screen.

Runs the same flow as the demo and the pay tour: the Stripe emulator as Stripe, a fresh
database with the addon, a connected company, an invoice sent through Odoo's Send flow; the
pay link is taken from the sent email, opened in headless Chromium (driven through the
DevTools protocol), then paid with the emulator's test Visa card.

Started by scripts/screenshots.sh, which finds Odoo and passes its command and addons path.
Writes docs/screenshots/pay_page_desktop.png, pay_page_phone.png and pay_page_paid_phone.png.
"""

import argparse
import base64
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request

from emulated_odoo import ROOT, StripeEmulator, platform_settings, run, wait_for

# Runs in `odoo shell`: configure the platform, connect the company through the emulator's
# onboarding, invoice a customer and send the invoice; print the pay link of the email.
SETUP_SCRIPT = textwrap.dedent('''
    import base64
    import requests
    from lxml import html
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
        'logo': {logo!r},
        'stripe_allow_partial_payments': True,
        'stripe_partial_payment_minimum': 50.0,
    }})
    url = company._stripe_start_onboarding(
        refresh_url={base_url!r} + '/odoo', return_url={base_url!r} + '/odoo',
    )
    requests.post(url, data={{'submit': '1'}}, allow_redirects=False, timeout=10)
    company._stripe_refresh_account()
    assert company.stripe_charges_enabled, "the company is not connected"

    customer = env['res.partner'].create({{
        'name': 'Jane Customer', 'email': 'jane@example.com',
        'country_id': env.ref('base.be').id,
    }})
    tax_group = env['account.tax.group'].create({{'name': 'VAT 21%'}})
    tax = env['account.tax'].create({{
        'name': '21%', 'amount': 21.0, 'tax_group_id': tax_group.id,
    }})
    invoice = env['account.move'].create({{
        'move_type': 'out_invoice',
        'partner_id': customer.id,
        'invoice_payment_term_id': env.ref('account.account_payment_term_30days').id,
        'invoice_line_ids': [
            Command.create({{'name': 'Boiler repair', 'quantity': 1, 'price_unit': 240.0,
                            'tax_ids': [Command.set(tax.ids)]}}),
            Command.create({{'name': 'Replacement valve', 'quantity': 2, 'price_unit': 18.5,
                            'tax_ids': [Command.set(tax.ids)]}}),
            Command.create({{'name': 'Travel', 'quantity': 1, 'price_unit': 35.0,
                            'tax_ids': [Command.set(tax.ids)]}}),
        ],
    }})
    invoice.action_post()
    action = invoice.action_send_and_print()
    env[action['res_model']].with_context(**action['context']).create({{}}).action_send_and_print()
    message = env['mail.message'].search([
        ('model', '=', 'account.move'), ('res_id', '=', invoice.id),
        ('message_type', '=', 'comment'),
    ], order='id desc', limit=1)
    mail = env['mail.mail'].search([
        ('mail_message_id', '=', message.id), ('recipient_ids', 'in', customer.ids),
    ])
    link = html.fromstring(mail.body_html).xpath("//a[normalize-space() = 'Pay online']/@href")[0]
    env.cr.commit()
    print('PAY_LINK', link)
''')

DESKTOP = {'width': 1280, 'height': 900, 'deviceScaleFactor': 1, 'mobile': False}
PHONE = {'width': 390, 'height': 844, 'deviceScaleFactor': 2, 'mobile': True}


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def make_logo():
    """A simple logo for the demo company, as base64 PNG (so the page shows one)."""
    from PIL import Image, ImageDraw, ImageFont  # noqa: PLC0415 - only this script needs it

    image = Image.new('RGBA', (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 239, 239), radius=48, fill=(14, 116, 144, 255))
    try:
        font = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf', 110)
    except OSError:
        font = ImageFont.load_default()
    draw.text((120, 122), 'DP', font=font, fill='white', anchor='mm')
    buffer = io.BytesIO()
    image.save(buffer, format='PNG')
    return base64.b64encode(buffer.getvalue()).decode()


class Chromium:
    """Headless Chromium driven through the DevTools protocol (one page)."""

    def __init__(self):
        import websocket  # noqa: PLC0415 - Odoo's own test browser dependency

        self.profile = tempfile.mkdtemp(prefix='asc-screenshots-')
        port = free_port()
        binary = shutil.which('chromium') or shutil.which('chromium-browser') \
            or shutil.which('google-chrome')
        if not binary:
            raise SystemExit("Chromium is needed for the screenshots.")
        self.process = subprocess.Popen([
            binary, '--headless=new', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
            '--no-first-run', f'--user-data-dir={self.profile}',
            f'--remote-debugging-port={port}', 'about:blank',
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f'http://127.0.0.1:{port}/json', timeout=2) as answer:
                    pages = [t for t in json.load(answer) if t['type'] == 'page']
                if pages:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise SystemExit("Chromium did not start.")
            time.sleep(0.2)
        self.socket = websocket.create_connection(pages[0]['webSocketDebuggerUrl'], timeout=30)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({'id': self.next_id, 'method': method, 'params': params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get('id') == self.next_id:
                if 'error' in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message['result']

    def evaluate(self, expression):
        result = self.call('Runtime.evaluate', expression=expression, returnByValue=True)
        return result['result'].get('value')

    def wait(self, expression, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.evaluate(expression):
                    return
            except RuntimeError:
                pass  # navigating
            time.sleep(0.2)
        raise SystemExit(f"Timed out waiting for: {expression}")

    def open(self, url, metrics, ready):
        self.call('Emulation.setDeviceMetricsOverride', **metrics)
        self.call('Page.navigate', url=url)
        time.sleep(0.5)
        self.wait(ready)
        time.sleep(0.5)  # let fonts and the Payment Element settle

    def screenshot(self, path, metrics):
        size = self.call('Page.getLayoutMetrics')['cssContentSize']
        height = max(int(size['height']), metrics['height'])
        shot = self.call('Page.captureScreenshot', format='png', captureBeyondViewport=True,
                         clip={'x': 0, 'y': 0, 'width': metrics['width'], 'height': height,
                               'scale': 1})
        with open(path, 'wb') as file:
            file.write(base64.b64decode(shot['data']))
        print(f"Wrote {os.path.relpath(path, ROOT)}", flush=True)

    def close(self):
        self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


FORM_READY = "!!document.querySelector('.o_stripe_pay_button:not([disabled])')" \
             " && !!document.querySelector('.o_stripe_emulator_pm')"
PAID = "!!document.querySelector('.o_stripe_state_paid .o_stripe_paid')"


def take_screenshots(link, out_dir):
    browser = Chromium()
    try:
        browser.open(link, DESKTOP, FORM_READY)
        browser.screenshot(os.path.join(out_dir, 'pay_page_desktop.png'), DESKTOP)
        browser.open(link, PHONE, FORM_READY)
        browser.screenshot(os.path.join(out_dir, 'pay_page_phone.png'), PHONE)
        # Pay with the emulator's test Visa card (its default choice), as the customer would.
        browser.evaluate("document.querySelector('.o_stripe_pay_button').click()")
        browser.wait(PAID)
        time.sleep(0.5)
        browser.screenshot(os.path.join(out_dir, 'pay_page_paid_phone.png'), PHONE)
    finally:
        browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--odoo', nargs='+', required=True, help="the odoo command")
    parser.add_argument('--config', required=True, help="Odoo's configuration file")
    parser.add_argument('--addons-path', required=True)
    parser.add_argument('--database', default='asc_screenshots')
    parser.add_argument('--port', type=int, default=free_port())
    parser.add_argument('--out', default=os.path.join(ROOT, 'docs', 'screenshots'))
    args = parser.parse_args()

    base_url = f'http://127.0.0.1:{args.port}'
    options = ['-c', args.config, '-d', args.database, f'--addons-path={args.addons_path}']
    server_options = [*options, '--http-interface=127.0.0.1', f'--http-port={args.port}',
                      f'--db-filter=^{args.database}$', '--max-cron-threads=0']
    os.makedirs(args.out, exist_ok=True)

    emulator = StripeEmulator().start()
    server = None
    try:
        subprocess.run(['dropdb', '--if-exists', args.database], check=True)
        run([*args.odoo, *options, '-i', 'account_stripe_connect', '--stop-after-init'])
        settings = platform_settings(emulator)
        setup = subprocess.run(
            [*args.odoo, 'shell', *options, '--no-http'],
            input=SETUP_SCRIPT.format(settings=settings, base_url=base_url, logo=make_logo()),
            text=True, capture_output=True, check=False,
        )
        links = [line.split()[1] for line in setup.stdout.splitlines()
                 if line.startswith('PAY_LINK ')]
        if setup.returncode or not links:
            print(setup.stdout, setup.stderr, sep='\n', file=sys.stderr)
            return 1
        server = subprocess.Popen([*args.odoo, *server_options])
        if not wait_for(f'{base_url}/web/health'):
            print("Odoo did not start; see its log above.", file=sys.stderr)
            return 1
        take_screenshots(links[0], args.out)
    finally:
        if server and server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        emulator.stop()
        subprocess.run(['dropdb', '--if-exists', args.database], check=False)
    return 0


if __name__ == '__main__':
    sys.exit(main())
