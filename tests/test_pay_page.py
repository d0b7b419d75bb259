from urllib.parse import urlsplit

from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import SQL

from ..controllers.pay_page import StripePayPageController
from .common import StripeLiveMode
from .pay_common import StripePayCommon


@tagged('post_install', '-at_install')
class TestStripePayPage(StripePayCommon):
    """The public pay page: what it shows, that opening it asks nothing of Stripe and writes
    nothing, the amount rules, the outcome after paying, and the refusals."""

    # === HELPERS === #

    def _amount(self, invoice, amount, token=None):
        """Ask for another amount, as the page's script does."""
        return self._jsonrpc_raw(f'/stripe/pay/{invoice.id}/amount', {
            'access_token': invoice.access_token if token is None else token,
            'amount': amount,
        })

    def _assert_form_absent(self, page, invoice):
        self.assertIsNone(self._form(page))
        self.assertFalse(invoice.stripe_payment_intent_ids, "no PaymentIntent for a refusal")

    def _written(self, invoice):
        """What would show that something was written: the rows' versions and write dates of
        the invoice, its customer and company, and the PaymentIntents."""
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            SELECT (SELECT array_agg(xmin::text || write_date::text) FROM account_move
                     WHERE id = %(move)s),
                   (SELECT array_agg(xmin::text || write_date::text) FROM res_partner
                     WHERE id IN %(partners)s),
                   (SELECT count(*) FROM stripe_payment_intent),
                   (SELECT count(*) FROM ir_attachment)
            """,
            move=invoice.id, partners=(invoice.partner_id.id, invoice.company_id.partner_id.id),
        ))
        return self.env.cr.fetchone()

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

        # The Payment Element in deferred mode: the amount and currency, no PaymentIntent.
        form = self._form(page)
        self.assertEqual(form.get('data-publishable-key'), self.publishable_key)
        self.assertEqual(form.get('data-stripe-account'), self.company.stripe_account_id)
        self.assertEqual(form.get('data-stripe-js'), self.emulator.js_url)
        self.assertEqual(form.get('data-amount-minor'), '25000')
        self.assertEqual(form.get('data-currency'), currency.name.lower())
        self.assertEqual(form.get('data-amount-due'), '250.00')
        self.assertEqual(form.get('data-locale'), 'en')
        self.assertEqual(form.get('data-confirm-url'), f'/stripe/pay/{invoice.id}/confirm')
        self.assertIsNone(form.get('data-client-secret'), "no PaymentIntent, no secret")
        self.assertIn(currency.format(250.0).replace('\xa0', ' '), self._text(
            page, 'o_stripe_pay_button'))
        self.assertFalse(invoice.stripe_payment_intent_ids)

    def test_opening_the_page_asks_nothing_of_stripe_and_writes_nothing(self):
        """Mail scanners open every link; customers open it again and again: a GET sends
        nothing to Stripe and writes no row."""
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 10.0,
        })
        invoice = self._make_invoice(100.0)
        invoice._portal_ensure_token()
        before = self._written(invoice)
        calls = len(self.emulator.request_log)

        for params in ({}, {}, {'amount': '40'}, {'amount': 'abc'}):
            page = self._open(invoice, **params)
            self.assertIsNotNone(self._form(page))

        self.assertEqual(self._secret_calls(), [])
        self.assertEqual(len(self.emulator.request_log), calls, "nothing at all to Stripe")
        self.assertEqual(self._written(invoice), before, "no row written")
        self.assertFalse(invoice.stripe_payment_intent_ids)
        self.assertFalse(invoice.stripe_confirming_since)

    def test_page_in_the_customer_language(self):
        self.env['res.lang']._activate_lang('fr_FR')
        self.customer.lang = 'fr_FR'
        invoice = self._make_invoice(100.0)
        page = self._open(invoice)
        self.assertEqual(page.get('lang'), 'fr-FR')
        self.assertIn('100,00', self._text(page, 'o_stripe_amount_due'), "French number format")
        self.assertEqual(self._form(page).get('data-locale'), 'fr', "Stripe.js in French too")

    def test_stripe_js_locale_of_each_language(self):
        for lang, locale in (('fr_BE', 'fr'), ('pt_BR', 'pt-BR'), ('en_GB', 'en-GB'),
                             ('en_US', 'en'), ('es_419', 'es-419'), ('zh_CN', 'zh'),
                             ('sr@latin', 'auto'), ('', 'auto'), (None, 'auto')):
            with self.subTest(lang=lang):
                self.assertEqual(StripePayPageController._stripe_js_locale(lang), locale)

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

    def test_minor_units_by_currency(self):
        for code, amount, minor in (('EUR', 250.75, 25075), ('JPY', 1234, 1234),
                                    ('KWD', 12.34, 12340)):
            with self.subTest(currency=code):
                currency = self.setup_other_currency(code)
                invoice = self._make_invoice(amount, currency=currency)
                form = self._form(self._open(invoice))
                self.assertEqual(form.get('data-amount-minor'), str(minor))
                self.assertEqual(form.get('data-currency'), code.lower())

    def test_three_decimal_amount_due_is_offered_in_full(self):
        currency = self.setup_other_currency('KWD')
        currency.rounding = 0.001  # Fils, as in ISO 4217.
        self.env.ref('product.decimal_price').digits = 3
        invoice = self._make_invoice(12.344, currency=currency)
        self.assertEqual(invoice.amount_residual, 12.344)
        form = self._form(self._open(invoice))
        self.assertEqual(form.get('data-amount-minor'), '12350', "tens of fils: rounded up")
        self.assertEqual(form.get('data-amount-due'), '12.344')

    # === AMOUNTS === #

    def test_full_amount_by_default(self):
        invoice = self._make_invoice(100.0)
        page = self._open(invoice)
        self.assertFalse(page.xpath("//input[@name='amount']"), "no choice without partials")
        self.assertEqual(self._form(page).get('data-amount-minor'), '10000')
        self.assertIn("only be paid in full", self._amount(invoice, 40)['error'])
        self.assertEqual(self._secret_calls(), [])

    def test_partial_amount_within_bounds(self):
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 20.0,
        })
        invoice = self._make_invoice(100.0)
        page = self._open(invoice)
        field = page.xpath("//input[@name='amount']")[0]
        self.assertEqual((field.get('min'), field.get('max'), field.get('value')),
                         ('20.00', '100.00', '100.00'))

        result = self._amount(invoice, '40')
        self.assertEqual(result, {
            'amount': '40.00', 'amount_minor': 4000,
            'amount_formatted': invoice.currency_id.format(40.0),
        })
        self.assertEqual(self._amount(invoice, 40.0)['amount_minor'], 4000)
        self.assertEqual(self._amount(invoice, '39,50')['amount_minor'], 3950, "a comma too")
        self.assertEqual(self._amount(invoice, 20)['amount'], '20.00')
        self.assertEqual(self._amount(invoice, 100)['amount_minor'], 10000)
        self.assertEqual(self._secret_calls(), [], "checked, not asked")
        self.assertFalse(invoice.stripe_payment_intent_ids)

        # The amount in the page's address is checked the same way.
        page = self._open(invoice, amount='30')
        self.assertEqual(self._form(page).get('data-amount-minor'), '3000')
        page = self._open(invoice, amount='5000')
        self.assertIn("Choose an amount between", self._text(page, 'o_stripe_server_error'))
        self.assertEqual(self._form(page).get('data-amount-minor'), '10000')

    def test_absurd_amounts_get_a_sentence(self):
        """A 400-digit integer, 1e308, NaN, negative numbers, strings, lists: a clear
        sentence each, never a 500."""
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 20.0,
        })
        invoice = self._make_invoice(100.0)
        self._open(invoice)
        for amount, expected in (
            (10 ** 400, "Choose an amount between"),
            ('9' * 400, "as a number"),
            (1e308, "Choose an amount between"),
            (-1e308, "Choose an amount between"),
            (float('nan'), "as a number"),
            (float('inf'), "as a number"),
            ('NaN', "as a number"),
            ('inf', "as a number"),
            ('1e9', "as a number"),
            (-30, "Choose an amount between"),
            ('-30', "Choose an amount between"),
            (0, "Choose an amount between"),
            (100.01, "Choose an amount between"),
            (19.99, "Choose an amount between"),
            ('abc', "as a number"),
            ('12.5.3', "as a number"),
            ([40], "as a number"),
            ({'amount': 40}, "as a number"),
            (True, "as a number"),
            ('', "as a number"),
        ):
            with self.subTest(amount=amount):
                result = self._amount(invoice, amount)
                self.assertEqual(set(result), {'error'})
                self.assertIn(expected, result['error'])
        # Through the page's address too: the sentence, and the full amount offered.
        for amount in ('9' * 400, '1e308', 'NaN', '-5', '[40]'):
            with self.subTest(address=amount):
                page = self._open(invoice, amount=amount)
                self.assertTrue(self._text(page, 'o_stripe_server_error'))
                self.assertEqual(self._form(page).get('data-amount-minor'), '10000')
        self.assertFalse(invoice.stripe_payment_intent_ids)
        self.assertEqual(self._secret_calls(), [])

    def test_amount_route_needs_the_token(self):
        invoice = self._make_invoice(100.0)
        invoice._portal_ensure_token()
        for token in ('', 'wrong', invoice.access_token[:-1]):
            result = self._amount(invoice, 100, token=token)
            self.assertEqual(set(result), {'error'})
            self.assertNotIn(invoice.name, result['error'])
        self.assertFalse(invoice.stripe_payment_intent_ids)
        self.assertEqual(self._secret_calls(), [])

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
        self.assertEqual(self._secret_calls(), [])
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
        self.assertEqual(self._amount(invoice, '0.50')['amount_minor'], 50)
        # What is left must be payable online too.
        self.assertIn("leave at least", self._amount(invoice, '99.70')['error'])
        self.assertEqual(self._amount(invoice, '99.50')['amount_minor'], 9950)
        self.assertEqual(self._amount(invoice, '100')['amount_minor'], 10000)

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
        self.assertEqual(self._form(page).get('data-amount-minor'), '99999999')
        # Never so much that what is left could not be paid online.
        just_above = self._make_invoice(1_000_000.20)
        self.assertEqual(just_above._stripe_amount_bounds()[1], 999_999.70)

    # === AFTER PAYING === #

    def test_paid(self):
        invoice = self._make_invoice(100.0)
        result = self._press(self._tab(invoice))
        intent = self._only_intent(invoice)
        self.assertEqual(result, {'redirect': self.base_url() + self._path(
            invoice, payment_intent=intent.stripe_id)})
        page = self._get(self._path(invoice, payment_intent=intent.stripe_id))
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_paid')]"))
        self.assertIn("Visa", self._text(page, 'o_stripe_receipt'))
        self.assertIsNone(self._form(page))
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        self.assertEqual(intent.state, 'succeeded')
        # Coming back again (reload, webhook meanwhile) changes nothing and asks nothing.
        calls = len(self.emulator.request_log)
        self._get(self._path(invoice, payment_intent=intent.stripe_id))
        self.assertEqual(len(self.emulator.request_log), calls, "a paid intent is final")
        self.assertEqual(len(self.env['account.payment'].search(
            [('invoice_ids', 'in', invoice.ids)])), 1)
        page = self._open(invoice)
        self.assertIn("paid", self._text(page, 'o_stripe_message'))

    def test_processing(self):
        invoice = self._make_invoice(100.0, currency=self.setup_other_currency('EUR'))
        result = self._press(self._tab(invoice), 'sepa_debit')
        intent = self._only_intent(invoice)
        self.assertEqual(intent.state, 'processing')
        page = self._get(result['redirect'].removeprefix(self.base_url()))
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_processing')]"))
        self.assertEqual(invoice.payment_state, 'not_paid')
        self.assertEqual(invoice.stripe_status, 'pending')

        self.emulator.settle_payment_intent(intent.stripe_id, succeed=True)
        page = self._get(result['redirect'].removeprefix(self.base_url()))
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_paid')]"))

    def test_no_second_charge_while_a_bank_debit_is_processing(self):
        invoice = self._make_invoice(100.0, currency=self.setup_other_currency('EUR'))
        old_tab = self._tab(invoice)
        self._press(self._tab(invoice), 'sepa_debit')

        page = self._open(invoice)  # The customer opens the emailed link again a week later.

        self.assertIsNone(self._form(page), "no card form while the debit is on its way")
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_processing')]"))
        self.assertIn("error", self._amount(invoice, '100'))
        result = self._press(old_tab)
        self.assertIn("processing", result['error'])
        self.assertTrue(result['final'])
        self._only_intent(invoice)
        self.assertEqual(len(self._confirmations()), 1)
        self.assertFalse(invoice.stripe_pay_url)

    def test_failed_then_try_again(self):
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        result = self._press(tab, 'declined')
        self.assertIn("declined", result['error'])
        intent = self._only_intent(invoice)
        self.assertEqual(intent.state, 'failed')
        page = self._get(self._path(invoice, payment_intent=intent.stripe_id))
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_failed')]"))
        self.assertTrue(self._text(page, 'o_stripe_message'), "Stripe's reason is shown")
        retry = page.xpath("//a[contains(@class, 'o_stripe_retry')]")[0].get('href')
        self.assertIsNotNone(self._form(self._get(retry)))
        self.assertEqual(invoice.payment_state, 'not_paid')

    def test_return_with_an_intent_of_another_invoice(self):
        invoice, other = self._make_invoice(100.0), self._make_invoice(50.0)
        self._press(self._tab(other))
        other_intent = self._only_intent(other)
        invoice._portal_ensure_token()
        self._get(self._path(invoice, payment_intent=other_intent.stripe_id),
                  expected_status=404)

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
        self.assertEqual(self._secret_calls(), [])

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
        self._pay_by_transfer(invoice)
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

    def test_stripe_unreachable_does_not_stop_the_page(self):
        """Opening the page needs no Stripe: it shows the form; pressing Pay says Stripe is
        unavailable for a moment and charges nothing."""
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        token = self._confirmation_token(tab)
        self.emulator.set_down(True)
        self.addCleanup(self.emulator.set_down, False)
        page = self._open(invoice)
        self.assertIsNotNone(self._form(page))

        result = self._press(tab, token=token)

        self.assertIn("unavailable for a moment", result['error'])
        self.assertIn("Nothing was charged", result['error'])
        self.assertFalse(invoice.stripe_payment_intent_ids)
        self.assertFalse(invoice.stripe_confirming_since, "the next press is not blocked")
        self.emulator.set_down(False)
        self.assertIn('redirect', self._press(tab, token=token))
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))


@tagged('post_install', '-at_install')
class TestStripePayPageLive(StripeLiveMode, TestStripePayPage):
    """The same, with the platform in live mode."""
