from urllib.parse import urlencode, urlsplit

from lxml import html

from odoo.fields import Command
from odoo.tests import tagged

from ..utils.stripe_gateway import StripeCardError
from .common import StripeConnectHttpCommon, StripeLiveMode


@tagged('post_install', '-at_install')
class TestStripePayPage(StripeConnectHttpCommon):
    """The public pay page: what it shows, the PaymentIntent behind it, the amount rules,
    the outcome after paying, and the refusals."""

    def setUp(self):
        super().setUp()
        self._connect_company()
        self.calls_before = len(self.emulator.request_log)  # Only what the page does counts.
        self.company.write({
            'stripe_allow_partial_payments': False,
            'stripe_partial_payment_minimum': 0.0,
        })

    # === HELPERS === #

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

    def _stripe_requests(self):
        """Return the calls to Stripe made since the company was connected."""
        return self.emulator.request_log[self.calls_before:]

    def _intent_creations(self):
        return [
            entry for entry in self._stripe_requests()
            if entry['method'] == 'POST' and entry['path'] == '/v1/payment_intents'
        ]

    def _amount(self, invoice, amount, token=None):
        """Ask for another amount, as the page's script does."""
        result = self.make_jsonrpc_request(f'/stripe/pay/{invoice.id}/amount', {
            'access_token': invoice.access_token if token is None else token,
            'amount': amount,
        })
        self.env.invalidate_all()
        return result

    def _only_intent(self, invoice):
        invoice.invalidate_recordset(['stripe_payment_intent_ids'])
        intent = invoice.stripe_payment_intent_ids
        self.assertEqual(len(intent), 1)
        return intent

    def _confirm(self, intent, payment_method):
        """Confirm the PaymentIntent as Stripe.js does in the customer's browser."""
        gateway = self.platform._get_gateway()
        return gateway._call(
            'payment_intents.confirm', gateway._client.v1.payment_intents.confirm,
            intent.stripe_id, {'payment_method': payment_method,
                               'return_url': self.base_url() + self._path(intent.move_id)},
            {'stripe_account': intent.stripe_account_id},
        )

    def _return_path(self, invoice, intent, status):
        """Where Stripe sends the browser back to after the confirmation."""
        return self._path(
            invoice, payment_intent=intent.stripe_id,
            payment_intent_client_secret=intent.sudo().client_secret, redirect_status=status,
        )

    def _assert_form_absent(self, page, invoice):
        self.assertIsNone(self._form(page))
        self.assertFalse(invoice.stripe_payment_intent_ids, "no PaymentIntent for a refusal")

    # === THE PAGE === #

    def test_page_shows_the_invoice_and_the_payment_element(self):
        tax_group = self.env['account.tax.group'].create({'name': "VAT 21%"})
        tax = self.env['account.tax'].create({
            'name': "21%", 'amount': 21.0, 'tax_group_id': tax_group.id,
        })
        invoice = self.env['account.move'].create({
            'move_type': 'out_invoice',
            'partner_id': self.customer.id,
            'invoice_date': '2026-11-01',
            'invoice_date_due': '2026-12-01',
            'invoice_line_ids': [
                Command.create({'name': "Boiler repair", 'quantity': 2, 'price_unit': 100.0,
                                'tax_ids': [Command.set(tax.ids)]}),
                Command.create({'name': "Travel", 'quantity': 1, 'price_unit': 50.0,
                                'tax_ids': [Command.clear()]}),
            ],
        })
        invoice.action_post()
        self.env['account.payment.register'].with_context(
            active_model='account.move', active_ids=invoice.ids,
        ).create({'amount': 42.0})._create_payments()
        self.assertEqual(invoice.amount_residual, 250.0)

        page = self._open(invoice)
        currency = invoice.currency_id
        self.assertEqual(self._text(page, 'o_stripe_company_name'), self.company.name)
        self.assertEqual(self._text(page, 'o_stripe_invoice_name'), invoice.name)
        self.assertTrue(self._text(page, 'o_stripe_invoice_date'))
        self.assertTrue(self._text(page, 'o_stripe_due_date'))
        self.assertEqual(
            [' '.join(td.text_content().split()) for td in page.xpath(
                "//td[contains(@class, 'o_stripe_line_name')]")],
            ["Boiler repair", "Travel"],
        )
        self.assertIn("VAT 21%", self._text(page, 'o_stripe_tax'))
        self.assertIn('42.00', self._text(page, 'o_stripe_tax'))
        self.assertIn('292.00', self._text(page, 'o_stripe_total'))
        self.assertIn('42.00', self._text(page, 'o_stripe_already_paid'))
        self.assertIn('250.00', self._text(page, 'o_stripe_amount_due'))
        pdf = page.xpath("//a[contains(@class, 'o_stripe_pdf_link')]")[0].get('href')
        self.assertEqual(urlsplit(pdf).path, f'/my/invoices/{invoice.id}')
        self.assertEqual(self.url_open(pdf).headers['Content-Type'], 'application/pdf')
        self.assertTrue(page.xpath("//meta[@name='viewport']"), "sized for phones")

        form = self._form(page)
        intent = self._only_intent(invoice)
        self.assertEqual(form.get('data-publishable-key'), self.publishable_key)
        self.assertEqual(form.get('data-stripe-account'), self.company.stripe_account_id)
        self.assertEqual(form.get('data-client-secret'), intent.sudo().client_secret)
        self.assertEqual(form.get('data-stripe-js'), self.emulator.js_url)
        self.assertIn(currency.format(250.0).replace('\xa0', ' '), self._text(
            page, 'o_stripe_pay_button'))

    def test_page_in_the_customer_language(self):
        self.env['res.lang']._activate_lang('fr_FR')
        self.customer.lang = 'fr_FR'
        invoice = self._make_invoice(100.0)
        page = self._open(invoice)
        self.assertEqual(page.get('lang'), 'fr-FR')
        self.assertIn('100,00', self._text(page, 'o_stripe_amount_due'), "French number format")

    def test_page_loads_a_light_bundle(self):
        invoice = self._make_invoice(100.0)
        page = self._open(invoice)
        sources = page.xpath('//script/@src') + page.xpath('//link[@rel="stylesheet"]/@href')
        self.assertTrue(sources)
        for source in sources:
            self.assertIn('account_stripe_connect.assets_pay_page', source)
        total = sum(len(self.url_open(source).content) for source in sources)
        self.assertLess(total, 400_000, "a fraction of the portal's 2.4 MB")

    def test_portal_shows_a_pay_online_button(self):
        invoice = self._make_invoice(100.0)
        invoice._portal_ensure_token()
        portal = f'/my/invoices/{invoice.id}?access_token={invoice.access_token}'
        buttons = self._get(portal).xpath("//a[contains(@class, 'o_stripe_portal_pay')]")
        self.assertEqual(len(buttons), 1)
        self.assertEqual(buttons[0].get('href'), invoice.stripe_pay_url)
        self.assertEqual(buttons[0].text_content().strip(), "Pay online")

        self.company._stripe_disconnect(deauthorize=False)
        self.assertFalse(self._get(portal).xpath("//a[contains(@class, 'o_stripe_portal_pay')]"))

    # === THE PAYMENTINTENT === #

    def test_intent_created_on_the_connected_account(self):
        invoice = self._make_invoice(100.0)
        self._open(invoice)
        intent = self._only_intent(invoice)
        creations = self._intent_creations()
        self.assertEqual(len(creations), 1)
        self.assertEqual(creations[0]['account'], self.company.stripe_account_id)
        self.assertTrue(creations[0]['idempotency_key'].startswith('odoo-'))
        stripe_intent = self.emulator.get_object(intent.stripe_id)
        self.assertEqual(stripe_intent['amount'], 10000)
        self.assertEqual(stripe_intent['currency'], invoice.currency_id.name.lower())
        self.assertEqual(stripe_intent['metadata']['odoo_database'], self.env.cr.dbname)
        self.assertEqual(stripe_intent['metadata']['odoo_company_id'], str(self.company.id))
        self.assertEqual(stripe_intent['metadata']['odoo_invoice_id'], str(invoice.id))
        self.assertIn(invoice.name, stripe_intent['description'])
        self.assertEqual(stripe_intent['receipt_email'], 'customer@example.com')
        self.assertFalse(stripe_intent['application_fee_amount'])

    def test_intent_carries_the_platform_fee(self):
        self.platform._set_setting('fee_percent', '2.5')
        self.addCleanup(self.platform._set_setting, 'fee_percent', False)
        invoice = self._make_invoice(100.0)
        self._open(invoice)
        intent = self._only_intent(invoice)
        self.assertEqual(self.emulator.get_object(intent.stripe_id)['application_fee_amount'], 250)
        self.assertEqual(intent.application_fee_minor, 250)

    def test_reloads_reuse_the_intent(self):
        invoice = self._make_invoice(100.0)
        secrets = set()
        for _reload in range(3):
            page = self._open(invoice)
            secrets.add(self._form(page).get('data-client-secret'))
        self.assertEqual(len(secrets), 1)
        self.assertEqual(len(self._intent_creations()), 1)
        self.assertEqual(len(self._stripe_requests()), 1, "reloads make no Stripe call")
        self._only_intent(invoice)

    def test_minor_units_by_currency(self):
        for code, amount, minor in (('EUR', 250.75, 25075), ('JPY', 1234, 1234),
                                    ('KWD', 12.34, 12340)):
            with self.subTest(currency=code):
                currency = self.setup_other_currency(code)
                invoice = self._make_invoice(amount, currency=currency)
                self._open(invoice)
                intent = self._only_intent(invoice)
                self.assertEqual(intent.amount_minor, minor)
                stripe_intent = self.emulator.get_object(intent.stripe_id)
                self.assertEqual(stripe_intent['amount'], minor)
                self.assertEqual(stripe_intent['currency'], code.lower())

    # === AMOUNTS === #

    def test_full_amount_by_default(self):
        invoice = self._make_invoice(100.0)
        page = self._open(invoice)
        self.assertFalse(page.xpath("//input[@name='amount']"), "no choice without partials")
        self.assertEqual(self._only_intent(invoice).amount, 100.0)
        self.assertIn(
            "only be paid in full", self._amount(invoice, 40)['error'],
        )
        self.assertEqual(self.emulator.get_object(
            self._only_intent(invoice).stripe_id)['amount'], 10000)

    def test_partial_amount_within_bounds(self):
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 20.0,
        })
        invoice = self._make_invoice(100.0)
        page = self._open(invoice)
        field = page.xpath("//input[@name='amount']")[0]
        self.assertEqual((field.get('min'), field.get('max'), field.get('value')),
                         ('20.00', '100.00', '100.00'))
        intent = self._only_intent(invoice)

        result = self._amount(invoice, '40')
        self.assertEqual(result['amount'], 40.0)
        self.assertEqual(result['client_secret'], intent.sudo().client_secret)
        self.assertEqual(self.emulator.get_object(intent.stripe_id)['amount'], 4000)
        self.assertEqual(len(self._intent_creations()), 1, "the intent is updated, not replaced")
        calls = len(self._stripe_requests())
        self.assertEqual(self._amount(invoice, 40.0)['amount'], 40.0)
        self.assertEqual(len(self._stripe_requests()), calls, "same amount, no Stripe call")
        self.assertEqual(self._amount(invoice, 20)['amount'], 20.0)
        self.assertEqual(self._amount(invoice, 100)['amount'], 100.0)
        self._only_intent(invoice)

    def test_tampered_amounts_refused(self):
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 20.0,
        })
        invoice = self._make_invoice(100.0)
        self._open(invoice)
        self.assertEqual(self._amount(invoice, 30)['amount'], 30.0)
        intent = self._only_intent(invoice)
        for amount in (100.01, 250, 19.99, 0, -30, 'abc', 'NaN', 'inf', '1e9', True, [40]):
            with self.subTest(amount=amount):
                result = self._amount(invoice, amount)
                self.assertIn('error', result)
                self.assertNotIn('client_secret', result)
        self.assertEqual(self.emulator.get_object(intent.stripe_id)['amount'], 3000)
        self.assertEqual(intent.amount, 30.0)
        self._only_intent(invoice)

        # The same through the page's address: refused, the full amount offered instead.
        page = self._open(invoice, amount='5000')
        self.assertIn("Choose an amount between", self._text(page, 'o_stripe_server_error'))
        self.assertEqual(self._only_intent(invoice).amount, 100.0)

    def test_amount_route_needs_the_token(self):
        invoice = self._make_invoice(100.0)
        invoice._portal_ensure_token()
        for token in ('', 'wrong', invoice.access_token[:-1]):
            result = self._amount(invoice, 100, token=token)
            self.assertEqual(set(result), {'error'})
            self.assertNotIn(invoice.name, result['error'])
        self.assertFalse(invoice.stripe_payment_intent_ids)
        self.assertEqual(self._stripe_requests(), [])

    # === STRIPE'S LIMITS === #

    def test_amount_due_below_stripes_minimum_says_so(self):
        self.assertEqual(self.company.currency_id.name, 'USD')
        invoice = self._make_invoice(0.40)
        self.assertEqual(invoice._stripe_payment_refusal(), 'below_minimum')
        self.assertFalse(invoice.stripe_pay_url, "no link that cannot be used")
        page = self._open(invoice)
        message = self._text(page, 'o_stripe_message')
        self.assertIn("less than the smallest payment Stripe takes in USD", message)
        self.assertIn("0.50", message)
        self.assertIn(self.company.name, message)
        self._assert_form_absent(page, invoice)
        self.assertEqual(self._stripe_requests(), [])
        for code, amount, refused in (('GBP', 0.29, True), ('GBP', 0.30, False),
                                      ('JPY', 49, True), ('JPY', 50, False)):
            with self.subTest(currency=code, amount=amount):
                other = self._make_invoice(amount, currency=self.setup_other_currency(code))
                self.assertEqual(other._stripe_payment_refusal() == 'below_minimum', refused)

    def test_partial_bounds_respect_stripes_minimum(self):
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 0.10,
        })
        invoice = self._make_invoice(100.0)
        page = self._open(invoice)
        self.assertEqual(page.xpath("//input[@name='amount']")[0].get('min'), '0.50')
        self.assertIn("between", self._amount(invoice, '0.40')['error'])
        self.assertEqual(self._amount(invoice, '0.50')['amount'], 0.50)
        # What is left must be payable online too.
        self.assertIn("leave at least", self._amount(invoice, '99.70')['error'])
        self.assertEqual(self._amount(invoice, '99.50')['amount'], 99.50)
        self.assertEqual(self._amount(invoice, '100')['amount'], 100.0)
        self._only_intent(invoice)

    def test_amount_due_above_stripes_maximum(self):
        invoice = self._make_invoice(1_500_000.0)
        self.assertEqual(invoice._stripe_payment_refusal(), 'above_maximum')
        page = self._open(invoice)
        message = self._text(page, 'o_stripe_message')
        self.assertIn("more than Stripe takes in one payment", message)
        self.assertIn("999,999.99", message)
        self._assert_form_absent(page, invoice)
        # Where the business takes partial payments, up to Stripe's maximum at once.
        self.company.stripe_allow_partial_payments = True
        page = self._open(invoice)
        self.assertEqual(page.xpath("//input[@name='amount']")[0].get('max'), '999999.99')
        intent = self._only_intent(invoice)
        self.assertEqual(intent.amount_minor, 99_999_999)
        self.assertEqual(self.emulator.get_object(intent.stripe_id)['amount'], 99_999_999)
        # Never so much that what is left could not be paid online.
        just_above = self._make_invoice(1_000_000.20)
        self.assertEqual(just_above._stripe_amount_bounds()[1], 999_999.70)

    # === THE REQUEST TO STRIPE === #

    def test_receipt_email_only_when_it_is_one_valid_address(self):
        for email, sent in (
            ('"Fabulous Customer" <Customer@Example.com>', 'customer@example.com'),
            ('customer@example.com, accounts@example.com', None),
            ('not an email', None),
            ('customer@localhost', None),
        ):
            with self.subTest(email=email):
                self.customer.email = email
                invoice = self._make_invoice(100.0)
                page = self._open(invoice)
                self.assertIsNotNone(self._form(page), "the email never blocks the payment")
                intent = self._only_intent(invoice)
                self.assertEqual(
                    self.emulator.get_object(intent.stripe_id)['receipt_email'], sent,
                )

    def test_platform_fee_set_back_to_zero_leaves_the_open_intent(self):
        self.platform._set_setting('fee_percent', '2.5')
        self.addCleanup(self.platform._set_setting, 'fee_percent', False)
        invoice = self._make_invoice(100.0)
        self._open(invoice)
        intent = self._only_intent(invoice)
        self.assertEqual(self.emulator.get_object(intent.stripe_id)['application_fee_amount'], 250)

        self.platform._set_setting('fee_percent', False)
        self._open(invoice)

        self.assertEqual(self._only_intent(invoice), intent)
        self.assertIsNone(self.emulator.get_object(intent.stripe_id)['application_fee_amount'])
        self.assertEqual(intent.application_fee_minor, 0)
        path = f'/v1/payment_intents/{intent.stripe_id}'
        updates = [
            entry for entry in self._stripe_requests()
            if entry['method'] == 'POST' and entry['path'] == path
        ]
        self.assertEqual(len(updates), 1)
        self.assertEqual(updates[0]['params']['application_fee_amount'], '')
        calls = len(self._stripe_requests())
        self._open(invoice)
        self.assertEqual(len(self._stripe_requests()), calls, "no fee, nothing more to change")

    def test_intent_request_run_again_gets_the_same_intent(self):
        invoice = self._make_invoice(100.0)
        # Odoo runs a request again after a serialization failure: the first run's work is
        # rolled back in Odoo, but Stripe made the PaymentIntent.
        with self.env.cr.savepoint() as savepoint:
            first = invoice._stripe_prepare_intent().stripe_id
            savepoint.rollback()
        self.env.invalidate_all()
        self.assertFalse(invoice.stripe_payment_intent_ids)
        self.assertEqual(invoice._stripe_prepare_intent().stripe_id, first)
        creations = self._intent_creations()
        self.assertEqual(len(creations), 2)
        self.assertEqual(creations[0]['idempotency_key'], creations[1]['idempotency_key'])

    def test_intent_request_after_an_edit_is_a_new_request(self):
        """The customer's email edited between a lost try and the next: Stripe never refuses
        the next one as a replay with other parameters."""
        invoice = self._make_invoice(100.0)
        with self.env.cr.savepoint() as savepoint:
            first = invoice._stripe_prepare_intent().stripe_id
            savepoint.rollback()
        self.env.invalidate_all()
        self.customer.email = 'new.address@example.com'

        page = self._open(invoice)

        self.assertIsNotNone(self._form(page))
        intent = self._only_intent(invoice)
        self.assertNotEqual(intent.stripe_id, first)
        stripe_intent = self.emulator.get_object(intent.stripe_id)
        self.assertEqual(stripe_intent['receipt_email'], 'new.address@example.com')
        keys = [entry['idempotency_key'] for entry in self._intent_creations()]
        self.assertEqual(len(set(keys)), 2)

    def test_intent_description_is_in_the_companys_language(self):
        """The same request whatever language the customer reads the page in."""
        self.env['res.lang']._activate_lang('fr_FR')
        self.customer.lang = 'fr_FR'
        self.company.partner_id.lang = 'en_US'
        invoice = self._make_invoice(100.0)
        page = self._open(invoice)
        self.assertEqual(page.get('lang'), 'fr-FR')
        intent = self._only_intent(invoice)
        self.assertEqual(
            self.emulator.get_object(intent.stripe_id)['description'], f"Invoice {invoice.name}",
        )

    # === AFTER PAYING === #

    def test_paid(self):
        invoice = self._make_invoice(100.0)
        self._open(invoice)
        intent = self._only_intent(invoice)
        self._confirm(intent, 'pm_card_visa')
        page = self._get(self._return_path(invoice, intent, 'succeeded'))
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_paid')]"))
        self.assertIn("Visa", self._text(page, 'o_stripe_receipt'))
        self.assertIsNone(self._form(page))
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        self.assertEqual(intent.state, 'succeeded')
        # Coming back again (reload, webhook meanwhile) changes nothing.
        self._get(self._return_path(invoice, intent, 'succeeded'))
        self.assertEqual(len(self.env['account.payment'].search(
            [('invoice_ids', 'in', invoice.ids)])), 1)
        page = self._open(invoice)
        self.assertIn("paid", self._text(page, 'o_stripe_message'))

    def test_processing(self):
        invoice = self._make_invoice(100.0)
        self._open(invoice)
        intent = self._only_intent(invoice)
        self._confirm(intent, 'pm_bank_debit')
        page = self._get(self._return_path(invoice, intent, 'processing'))
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_processing')]"))
        self.assertEqual(invoice.payment_state, 'not_paid')

        self.emulator.settle_payment_intent(intent.stripe_id, succeed=True)
        page = self._get(self._return_path(invoice, intent, 'processing'))
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_paid')]"))

    def test_no_second_charge_while_a_bank_debit_is_processing(self):
        invoice = self._make_invoice(100.0)
        self._open(invoice)
        intent = self._only_intent(invoice)
        self._confirm(intent, 'pm_bank_debit')
        self._get(self._return_path(invoice, intent, 'processing'))

        page = self._open(invoice)  # The customer opens the emailed link again a week later.

        self.assertIsNone(self._form(page), "no card form while the debit is on its way")
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_processing')]"))
        self.assertIn("error", self._amount(invoice, '100'))
        self._only_intent(invoice)
        self.assertFalse(invoice.stripe_pay_url)

    def test_paid_intent_found_before_a_new_one_is_made(self):
        """Paid in another tab, webhook not arrived: a new amount must not lead to a second
        charge of the whole invoice."""
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 10.0,
        })
        invoice = self._make_invoice(100.0)
        self._open(invoice)
        self.assertIn('client_secret', self._amount(invoice, '30'))
        intent = self._only_intent(invoice)
        self._confirm(intent, 'pm_card_visa')  # Paid 30; no return page, no webhook yet.

        page = self._open(invoice)  # Asks for the full 100 again: the update is refused.

        self.assertEqual(intent.state, 'succeeded', "Stripe's answer registered first")
        self.assertEqual(invoice.amount_residual, 70.0)
        intents = invoice.stripe_payment_intent_ids
        self.assertEqual(len(intents), 2)
        new_intent = intents - intent
        self.assertEqual(new_intent.amount, 70.0)
        self.assertEqual(self._form(page).get('data-client-secret'),
                         new_intent.sudo().client_secret)

    def test_three_decimal_amount_due_is_covered_in_full(self):
        currency = self.setup_other_currency('KWD')
        currency.rounding = 0.001  # Fils, as in ISO 4217.
        self.env.ref('product.decimal_price').digits = 3
        invoice = self._make_invoice(12.344, currency=currency)
        self.assertEqual(invoice.amount_residual, 12.344)
        self._open(invoice)
        intent = self._only_intent(invoice)
        self.assertEqual(intent.amount_minor, 12350, "Stripe takes tens of fils: rounded up")
        self._confirm(intent, 'pm_card_visa')
        self._get(self._return_path(invoice, intent, 'succeeded'))
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        self.assertTrue(currency.is_zero(invoice.amount_residual))

    def test_failed_then_try_again(self):
        invoice = self._make_invoice(100.0)
        self._open(invoice)
        intent = self._only_intent(invoice)
        with self.assertRaises(StripeCardError):
            self._confirm(intent, 'pm_card_chargeDeclined')
        page = self._get(self._return_path(invoice, intent, 'failed'))
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_failed')]"))
        self.assertTrue(self._text(page, 'o_stripe_message'), "Stripe's reason is shown")
        retry = page.xpath("//a[contains(@class, 'o_stripe_retry')]")[0].get('href')

        page = self._get(retry)
        self.assertEqual(self._form(page).get('data-client-secret'), intent.sudo().client_secret)
        self._only_intent(invoice)
        self.assertEqual(invoice.payment_state, 'not_paid')

    def test_return_with_an_intent_of_another_invoice(self):
        invoice, other = self._make_invoice(100.0), self._make_invoice(50.0)
        self._open(other)
        other_intent = self._only_intent(other)
        invoice._portal_ensure_token()
        self._get(self._return_path(invoice, other_intent, 'succeeded'), expected_status=404)

    # === REFUSALS === #

    def test_wrong_or_missing_token_is_a_404_that_says_nothing(self):
        invoice = self._make_invoice(100.0)
        invoice._portal_ensure_token()
        other = self._make_invoice(50.0)
        other._portal_ensure_token()
        missing = self.url_open('/stripe/pay/999999999?access_token=whatever')
        self.assertEqual(missing.status_code, 404)
        for path in (
            f'/stripe/pay/{invoice.id}',
            f'/stripe/pay/{invoice.id}?access_token=',
            f'/stripe/pay/{invoice.id}?access_token=wrong',
            f'/stripe/pay/{invoice.id}?access_token={invoice.access_token[:-1]}',
            f'/stripe/pay/{invoice.id}?access_token={other.access_token}',
            f'/stripe/pay/99999999999999?access_token={invoice.access_token}',
        ):
            with self.subTest(path=path):
                response = self.url_open(path)
                self.assertEqual(response.status_code, 404)
                self.assertEqual(response.text, missing.text, "the same for every invoice")
                for secret in (invoice.name, self.company.name, self.customer.name, '100.00'):
                    self.assertNotIn(secret, response.text)
        credit_note = invoice._reverse_moves()
        credit_note.action_post()
        credit_note._portal_ensure_token()
        self.assertEqual(self.url_open(self._path(credit_note)).status_code, 404)
        self.assertFalse(self.env['stripe.payment.intent'].search([]))
        self.assertEqual(self._stripe_requests(), [])

    def test_refusal_draft(self):
        invoice = self._make_invoice(100.0, post=False)
        page = self._open(invoice)
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_unavailable')]"))
        self.assertIn("not ready", self._text(page, 'o_stripe_message'))
        self._assert_form_absent(page, invoice)

    def test_refusal_cancelled(self):
        invoice = self._make_invoice(100.0)
        invoice.button_draft()
        invoice.button_cancel()
        page = self._open(invoice)
        self.assertIn("cancelled", self._text(page, 'o_stripe_message'))
        self._assert_form_absent(page, invoice)

    def test_refusal_already_paid(self):
        invoice = self._make_invoice(100.0)
        self.env['account.payment.register'].with_context(
            active_model='account.move', active_ids=invoice.ids,
        ).create({})._create_payments()
        page = self._open(invoice)
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_paid')]"))
        self.assertIn("is paid", self._text(page, 'o_stripe_message'))
        self._assert_form_absent(page, invoice)

    def test_refusal_company_disconnected(self):
        invoice = self._make_invoice(100.0)
        self.company._stripe_disconnect(deauthorize=False)
        page = self._open(invoice)
        self.assertIn("not available", self._text(page, 'o_stripe_message'))
        self.assertIn(self.company.name, self._text(page, 'o_stripe_message'))
        self._assert_form_absent(page, invoice)

    def test_refusal_charges_disabled(self):
        invoice = self._make_invoice(100.0)
        self.emulator.update_account(self.company.stripe_account_id, charges_enabled=False)
        self.company._stripe_refresh_account()
        page = self._open(invoice)
        self.assertIn("not available", self._text(page, 'o_stripe_message'))
        self._assert_form_absent(page, invoice)
        self.assertEqual(self._amount(invoice, 100).keys(), {'error'})

    def test_refusal_currency_not_supported(self):
        invoice = self._make_invoice(100.0, currency=self.setup_other_currency('IRR'))
        page = self._open(invoice)
        self.assertIn("IRR", self._text(page, 'o_stripe_message'))
        self._assert_form_absent(page, invoice)

    def test_refusal_stripe_unreachable(self):
        invoice = self._make_invoice(100.0)
        self.emulator.set_down(True)
        self.addCleanup(self.emulator.set_down, False)
        page = self._open(invoice, expected_status=503)
        self.assertIn("unavailable for a moment", self._text(page, 'o_stripe_message'))
        self._assert_form_absent(page, invoice)
        self.assertIn("unavailable for a moment", self._amount(invoice, 100)['error'])

        self.emulator.set_down(False)
        page = self._open(invoice)
        self.assertIsNotNone(self._form(page))


@tagged('post_install', '-at_install')
class TestStripePayPageLive(StripeLiveMode, TestStripePayPage):
    """The same, with the platform in live mode."""
