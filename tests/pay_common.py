import datetime
import json
from urllib.parse import urlencode

import requests
from lxml import html

from .common import StripeConnectHttpCommon

# What Stripe.js sends to make a ConfirmationToken of each choice in the Payment Element
# (Stripe's test card numbers and IBAN, the vouchers with the billing details they need).
CARD_EXPIRY = {'exp_month': 12, 'exp_year': datetime.date.today().year + 3, 'cvc': '123'}
PAYMENT_METHOD_DATA = {
    'visa': {'type': 'card', 'card': {'number': '4242424242424242', **CARD_EXPIRY}},
    'declined': {'type': 'card', 'card': {'number': '4000000000000002', **CARD_EXPIRY}},
    'three_d_secure': {'type': 'card', 'card': {'number': '4000002760003184', **CARD_EXPIRY}},
    'sepa_debit': {
        'type': 'sepa_debit', 'sepa_debit': {'iban': 'DE89370400440532013000'},
        'billing_details': {'name': 'Jenny Rosen', 'email': 'jenny.rosen@example.com'},
    },
    'multibanco': {
        'type': 'multibanco', 'billing_details': {'email': 'jenny.rosen@example.com'},
    },
}


def _form_encode(params, prefix=''):
    """Stripe's bracket notation, as Stripe.js encodes a request."""
    pairs = []
    for key, value in params.items():
        name = f'{prefix}[{key}]' if prefix else key
        if isinstance(value, dict):
            pairs += _form_encode(value, name)
        elif value is not None:
            pairs.append((name, str(value)))
    return pairs


class StripePayCommon(StripeConnectHttpCommon):
    """The customer's side of the pay page: a browser tab on it (what the page rendered),
    the ConfirmationToken Stripe.js makes of the Payment Element, and pressing Pay."""

    def setUp(self):
        super().setUp()
        self._connect_company()
        self.company.write({
            'stripe_allow_partial_payments': False,
            'stripe_partial_payment_minimum': 0.0,
        })
        self.calls_before = len(self.emulator.request_log)  # Only what the page does counts.

    # === THE PAGE === #

    def _path(self, invoice, token=None, **params):
        query = {'access_token': invoice.access_token if token is None else token, **params}
        return f'/stripe/pay/{invoice.id}?{urlencode(query)}'

    def _get(self, path, expected_status=200):
        """GET a page as the customer's browser; what the server did is then visible here."""
        response = self.url_open(path, allow_redirects=True)
        self.env.invalidate_all()
        self.assertEqual(response.status_code, expected_status, response.text[:500])
        self.assertNotIn('Traceback', response.text)
        return html.fromstring(response.content)

    def _open(self, invoice, expected_status=200, **kwargs):
        """Open the invoice's pay page (with its token unless another is given)."""
        invoice._portal_ensure_token()
        return self._get(self._path(invoice, **kwargs), expected_status)

    def _form(self, page):
        forms = page.xpath("//form[contains(@class, 'o_stripe_pay_form')]")
        return forms[0] if forms else None

    def _text(self, page, css_class):
        nodes = page.xpath(f"//*[contains(concat(' ', @class, ' '), ' {css_class} ')]")
        return ' '.join(' '.join(node.text_content().split()) for node in nodes) or None

    def _tab(self, invoice, **params):
        """Open the pay page in a new tab: what the tab knows is what the page rendered."""
        page = self._open(invoice, **params)
        form = self._form(page)
        self.assertIsNotNone(form, "the page offers to pay")
        field = form.xpath(".//input[@name='amount']")
        return {
            'invoice': invoice,
            'access_token': form.get('data-access-token'),
            'stripe_account': form.get('data-stripe-account'),
            'publishable_key': form.get('data-publishable-key'),
            'amount_due': form.get('data-amount-due'),
            'amount_minor': int(form.get('data-amount-minor')),
            'currency': form.get('data-currency'),
            'amount': field[0].get('value') if field else '',
            'confirm_url': form.get('data-confirm-url'),
            'return_url': form.get('data-return-url'),
            'page': page,
        }

    # === STRIPE.JS === #

    def _confirmation_token(self, tab, choice='visa'):
        """Make a ConfirmationToken as Stripe.js does from the tab's Payment Element: with
        the publishable key, on the connected account the tab's Stripe.js was started with."""
        params = _form_encode({
            'payment_method_data': PAYMENT_METHOD_DATA[choice],
            'return_url': tab['return_url'],
        })
        response = requests.post(
            f'{self.emulator.base_url}/v1/confirmation_tokens', data=params, timeout=10,
            headers={
                'Authorization': f"Bearer {tab['publishable_key']}",
                **({'Stripe-Account': tab['stripe_account']} if tab['stripe_account'] else {}),
            },
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()['id']

    def _press(self, tab, choice='visa', amount=None, token=None, **overrides):
        """Press Pay in the tab: Stripe.js makes a ConfirmationToken, the page posts it with
        what the tab shows; return the server's answer."""
        params = {
            'access_token': tab['access_token'],
            'amount': tab['amount'] if amount is None else amount,
            'amount_due': tab['amount_due'],
            'stripe_account': tab['stripe_account'],
            'confirmation_token': token or self._confirmation_token(tab, choice),
            **overrides,
        }
        result = self.make_jsonrpc_request(tab['confirm_url'], params)
        self.env.invalidate_all()
        return result

    def _jsonrpc_raw(self, url, params):
        """POST a JSON-RPC call whose parameters JSON cannot strictly carry (``NaN``,
        ``Infinity``), as a hand-made request could; return its result."""
        body = json.dumps({'jsonrpc': '2.0', 'method': 'call', 'params': params})
        response = self.url_open(url, data=body, headers={'Content-Type': 'application/json'})
        self.env.invalidate_all()
        self.assertEqual(response.status_code, 200, response.text[:500])
        return response.json()['result']

    def _complete_3ds(self, intent, succeed=True):
        """The customer completes (or fails) 3-D Secure in Stripe.js's frame."""
        response = requests.post(
            f'{self.emulator.base_url}/authenticate/{intent.stripe_id}',
            data={'outcome': 'complete' if succeed else 'fail', 'sdk': '1'}, timeout=10,
        )
        self.assertEqual(response.status_code, 200, response.text)

    # === WHAT HAPPENED === #

    def _secret_calls(self, method=None, path=None, path_prefix=None):
        """What the server sent to Stripe since the company was connected (Stripe.js's own
        calls use the publishable key)."""
        return [
            entry for entry in self.emulator.request_log[self.calls_before:]
            if entry['key_kind'] == 'secret'
            and (method is None or entry['method'] == method)
            and (path is None or entry['path'] == path)
            and (path_prefix is None or entry['path'].startswith(path_prefix))
        ]

    def _creations(self):
        return self._secret_calls('POST', '/v1/payment_intents')

    def _confirmations(self, intent=None):
        if intent:
            return self._secret_calls('POST', f'/v1/payment_intents/{intent.stripe_id}/confirm')
        return [call for call in self._secret_calls('POST', path_prefix='/v1/payment_intents/')
                if call['path'].endswith('/confirm')]

    def _charges(self, invoice):
        """The charges Stripe made for the invoice's PaymentIntents."""
        charges = []
        for intent in invoice.stripe_payment_intent_ids:
            stripe_intent = self.emulator.get_object(intent.stripe_id)
            if stripe_intent.get('latest_charge'):
                charge = self.emulator.get_object(stripe_intent['latest_charge'])
                if charge['status'] in ('succeeded', 'pending'):
                    charges.append(charge)
        return charges

    def _only_intent(self, invoice):
        invoice.invalidate_recordset(['stripe_payment_intent_ids'])
        intent = invoice.stripe_payment_intent_ids
        self.assertEqual(len(intent), 1)
        return intent

    def _pay_by_transfer(self, invoice, amount=None):
        """The accountant registers a bank transfer with Odoo's own wizard."""
        values = {'amount': amount} if amount else {}
        self.env['account.payment.register'].with_context(
            active_model='account.move', active_ids=invoice.ids,
        ).create(values)._create_payments()
        self.env.invalidate_all()
