from odoo.tests import tagged

from ..utils import money
from .common import StripeLiveMode
from .webhook_common import StripeWebhookCommon


@tagged('post_install', '-at_install')
class TestPaymentRegistration(StripeWebhookCommon):
    """``payment_intent.succeeded`` registers the payment with Odoo's own accounting."""

    def setUp(self):
        super().setUp()
        self._connect_company()

    def test_succeeded_registers_a_posted_reconciled_payment_on_the_stripe_journal(self):
        invoice = self._make_invoice(120.0)
        invoice.message_subscribe(partner_ids=self.customer.ids)
        intent = self._paid_intent(invoice)
        mails_before = self.env['mail.mail'].sudo().search([])
        notifications_before = self.env['mail.notification'].sudo().search(
            [('res_partner_id', '=', self.customer.id)],
        )

        _event, response = self._deliver('payment_intent.succeeded', intent.stripe_id)
        self.assertEqual(response.json()['outcome'], 'processed')

        payment = self._payments_of(invoice)
        self.assertEqual(len(payment), 1)
        journal = self.company.stripe_journal_id
        self.assertTrue(journal, "the Stripe journal was created when the company connected")
        outstanding = journal.inbound_payment_method_line_ids.payment_account_id
        self.assertEqual(len(outstanding), 1)
        self.assertEqual(
            self.env['account.payment.method.line'].search(
                [('payment_account_id', '=', outstanding.id)],
            ).journal_id, journal, "the Stripe journal has outstanding receipts of its own",
        )
        self.assertRecordValues(payment, [{
            'amount': 120.0,
            'currency_id': invoice.currency_id.id,
            'journal_id': journal.id,
            'partner_id': self.customer.id,
            'payment_type': 'inbound',
            'outstanding_account_id': outstanding.id,
            'state': 'paid',
        }])
        self.assertEqual(payment.move_id.state, 'posted')
        self.assertIn(invoice, payment.reconciled_invoice_ids)
        self.assertEqual(invoice.payment_state, 'paid')
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        self.assertEqual(invoice.stripe_status, 'paid')
        self.assertRecordValues(intent, [{
            'state': 'succeeded', 'payment_id': payment.id, 'amount_received': 120.0,
            'payment_method_label': 'Visa •••• 4242', 'stripe_status': 'succeeded',
        }])
        # Stripe was asked for the PaymentIntent, on the connected account, before anything.
        retrievals = [
            r for r in self.emulator.request_log
            if r['method'] == 'GET' and r['path'] == f'/v1/payment_intents/{intent.stripe_id}'
        ]
        self.assertEqual(len(retrievals), 1)
        self.assertEqual(retrievals[0]['account'], self.company.stripe_account_id)

        # The chatter says what was paid, how and the Stripe reference, internally.
        message = invoice.message_ids.filtered(lambda m: intent.stripe_id in (m.body or ''))
        self.assertEqual(len(message), 1)
        self.assertIn('Visa •••• 4242', message.body)
        self.assertIn(payment.display_name, message.body)
        self.assertIn('120.00', message.body)
        self.assertEqual(message.subtype_id, self.env.ref('mail.mt_note'))

        # One receipt, Stripe's: Odoo sends the customer nothing about this payment.
        self.assertEqual(
            self.emulator.get_object(intent.stripe_id)['receipt_email'], self.customer.email,
        )
        new_mails = self.env['mail.mail'].sudo().search([]) - mails_before
        self.assertFalse(new_mails.filtered(
            lambda mail: self.customer in mail.recipient_ids
            or self.customer.email in (mail.email_to or '')
        ))
        self.assertFalse(self.env['mail.notification'].sudo().search(
            [('res_partner_id', '=', self.customer.id)],
        ) - notifications_before)

    def test_partial_payment_then_the_rest_reaches_paid(self):
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 10.0,
        })
        invoice = self._make_invoice(100.0)
        first = self._paid_intent(invoice, 40.0)
        self._deliver('payment_intent.succeeded', first.stripe_id)
        self.assertEqual(invoice.payment_state, 'partial')
        self.assertAlmostEqual(invoice.amount_residual, 60.0)
        self.assertEqual(invoice.stripe_status, 'partial')

        second = self._paid_intent(invoice)
        self.assertNotEqual(second, first)
        self.assertEqual(second.amount, 60.0)
        self._deliver('payment_intent.succeeded', second.stripe_id)
        payments = self._payments_of(invoice)
        self.assertEqual(sorted(payments.mapped('amount')), [40.0, 60.0])
        self.assertEqual(invoice.payment_state, 'paid')
        self.assertEqual(invoice.stripe_status, 'paid')

    def test_overpayment_stays_as_outstanding_credit_with_a_note(self):
        invoice = self._make_invoice(100.0)
        intent = self._open_intent(invoice)  # The customer opens the pay page for 100...
        self.env['account.payment.register'].with_context(
            active_model='account.move', active_ids=invoice.ids,
        ).create({'amount': 60.0})._create_payments()  # ... a bank transfer of 60 arrives...
        self.assertAlmostEqual(invoice.amount_residual, 40.0)
        self._pay_intent(intent)  # ... and the customer pays the page's 100 all the same.

        self._deliver('payment_intent.succeeded', intent.stripe_id)
        self.assertEqual(intent.payment_id.amount, 100.0)
        self.assertEqual(invoice.payment_state, 'paid')
        receivable = invoice.line_ids.filtered(lambda line: line.display_type == 'payment_term')
        credit = intent.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id == receivable.account_id
        )
        self.assertAlmostEqual(credit.amount_residual, -60.0, msg="60 stays as credit")
        self.assertFalse(credit.reconciled)
        message = invoice.message_ids.filtered(lambda m: intent.stripe_id in (m.body or ''))
        self.assertIn("more than was due", message.body)
        self.assertIn('60.00 more than was due', message.body)

    def test_payment_of_an_invoice_paid_another_way_is_kept_as_credit(self):
        invoice = self._make_invoice(50.0)
        intent = self._open_intent(invoice)
        self.env['account.payment.register'].with_context(
            active_model='account.move', active_ids=invoice.ids,
        ).create({})._create_payments()
        self.assertEqual(invoice.payment_state, 'paid')
        self._pay_intent(intent)
        self._deliver('payment_intent.succeeded', intent.stripe_id)
        payment = intent.payment_id
        self.assertEqual(payment.amount, 50.0)
        # Matched with the charge's statement line on the Stripe journal: Odoo calls it paid,
        # even though it pays no invoice.
        self.assertEqual(payment.state, 'paid')
        self.assertTrue(payment.is_matched)
        credit = payment.move_id.line_ids.filtered(lambda line: line.credit)
        self.assertAlmostEqual(credit.amount_residual, -50.0)
        message = invoice.message_ids.filtered(lambda m: intent.stripe_id in (m.body or ''))
        self.assertIn("more than was due", message.body)

    def test_the_amount_stripe_received_is_registered_not_the_events_copy(self):
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 10.0,
        })
        invoice = self._make_invoice(100.0)
        intent = self._open_intent(invoice)
        # Stripe's amount changed without Odoo knowing (a lost update): Stripe's word counts.
        self.platform._get_gateway().update_payment_intent(
            intent.stripe_account_id, intent.stripe_id, {'amount': 7000},
        )
        self._pay_intent(intent)
        event = self._event_of('payment_intent.succeeded', intent.stripe_id)
        event['data']['object']['amount_received'] = 10000  # A copy saying otherwise...
        response = self._post_signed(event)  # ... validly signed: still not trusted.
        self.assertEqual(response.status_code, 200, response.text)
        self.assertRecordValues(intent.payment_id, [{'amount': 70.0}])
        self.assertEqual(invoice.payment_state, 'partial')
        self.assertAlmostEqual(invoice.amount_residual, 30.0)
        note = self._recorded_events(event['id']).note
        self.assertIn("Stripe charged", note)
        self.assertEqual(intent.amount_minor, 7000)

    def test_foreign_currency_invoice_is_paid_in_its_currency(self):
        currency = self.setup_other_currency('EUR')
        if currency == self.company.currency_id:
            currency = self.setup_other_currency('CHF')
        invoice = self._make_invoice(75.5, currency=currency)
        intent = self._paid_intent(invoice)
        self.assertEqual(intent.amount_minor, money.to_minor_units(75.5, currency.name))
        self._deliver('payment_intent.succeeded', intent.stripe_id)
        payment = self._payments_of(invoice)
        self.assertRecordValues(payment, [{'amount': 75.5, 'currency_id': currency.id}])
        self.assertEqual(invoice.payment_state, 'paid')


@tagged('post_install', '-at_install')
class TestPaymentRefusals(StripeWebhookCommon):
    """Events that do not belong to the invoice's company or to this database are recorded
    and refused; nothing is registered."""

    def setUp(self):
        super().setUp()
        self._connect_company()
        self.invoice = self._make_invoice(100.0)

    def _assert_nothing_registered(self):
        self.assertFalse(self._payments_of(self.invoice))
        self.assertEqual(self.invoice.payment_state, 'not_paid')

    def test_event_of_another_companys_account_is_refused(self):
        other_company = self.setup_other_company(name="Other Company")['company']
        self._connect_company(other_company)
        other_account = other_company.stripe_account_id
        self.assertNotEqual(other_account, self.company.stripe_account_id)
        # A PaymentIntent on the other company's account naming this company's invoice.
        foreign_id = self._create_foreign_intent(other_account, 10000, 'usd', {
            'odoo_database': self.env.cr.dbname,
            'odoo_company_id': str(self.company.id),
            'odoo_invoice_id': str(self.invoice.id),
        })
        event, _response = self._deliver('payment_intent.succeeded', foreign_id)
        record = self._recorded_events(event['id'])
        self.assertEqual(record.state, 'refused')
        self.assertEqual(record.stripe_account_id, other_account)
        self.assertEqual(record.company_id, other_company)
        self._assert_nothing_registered()

    def test_event_naming_the_invoice_intent_from_another_account_is_refused(self):
        other_company = self.setup_other_company(name="Other Company")['company']
        self._connect_company(other_company)
        intent = self._paid_intent(self.invoice)
        event = self._event_of('payment_intent.succeeded', intent.stripe_id)
        # Validly signed, but from the other company's connected account.
        response = self._post_signed({**event, 'account': other_company.stripe_account_id})
        self.assertEqual(response.status_code, 200, response.text)
        record = self._recorded_events(event['id'])
        self.assertEqual(record.state, 'refused')
        self.assertIn("another Stripe account", record.note)
        self.assertEqual(record.move_id, self.invoice, "the invoice shows the refusal")
        self._assert_nothing_registered()
        self.assertEqual(intent.state, 'draft')

    def test_event_of_another_database_is_refused(self):
        foreign_id = self._create_foreign_intent(self.company.stripe_account_id, 10000, 'usd', {
            'odoo_database': 'another_database',
            'odoo_company_id': str(self.company.id),
            'odoo_invoice_id': str(self.invoice.id),
        })
        event, _response = self._deliver('payment_intent.succeeded', foreign_id)
        record = self._recorded_events(event['id'])
        self.assertEqual(record.state, 'refused')
        self.assertIn("another database", record.note)
        self.assertEqual(record.company_id, self.company)
        self._assert_nothing_registered()

    def test_intent_whose_stripe_copy_names_another_invoice_is_refused(self):
        intent = self._open_intent(self.invoice)
        other_invoice = self._make_invoice(100.0)
        self.platform._get_gateway().update_payment_intent(
            intent.stripe_account_id, intent.stripe_id,
            {'metadata': {'odoo_invoice_id': str(other_invoice.id)}},
        )
        self._pay_intent(intent)
        event, _response = self._deliver('payment_intent.succeeded', intent.stripe_id)
        record = self._recorded_events(event['id'])
        self.assertEqual(record.state, 'refused')
        self.assertIn("another invoice", record.note)
        self._assert_nothing_registered()
        self.assertFalse(self._payments_of(other_invoice))


@tagged('post_install', '-at_install')
class TestOtherIntentEvents(StripeWebhookCommon):
    """processing shows the payment pending; payment_failed and canceled clear it."""

    def setUp(self):
        super().setUp()
        self._connect_company()
        self.invoice = self._make_invoice(100.0)

    def test_processing_then_failed(self):
        intent = self._paid_intent(self.invoice, payment_method='pm_bank_debit')
        event, response = self._deliver('payment_intent.processing', intent.stripe_id)
        self.assertEqual(response.json()['outcome'], 'processed')
        self.assertEqual(intent.state, 'processing')
        self.assertEqual(self.invoice.stripe_status, 'pending')
        self.assertFalse(self._payments_of(self.invoice))
        self.assertEqual(self._recorded_events(event['id']).move_id, self.invoice)

        self.emulator.settle_payment_intent(intent.stripe_id, succeed=False)
        event, _response = self._deliver('payment_intent.payment_failed', intent.stripe_id)
        self.assertEqual(self._recorded_events(event['id']).state, 'processed')
        self.assertEqual(intent.state, 'failed')
        self.assertIn("insufficient funds", intent.last_error)
        self.assertFalse(self.invoice.stripe_status, "pending is cleared")
        self.assertFalse(self._payments_of(self.invoice))
        self.assertEqual(self.invoice.payment_state, 'not_paid')

    def test_processing_then_succeeded(self):
        intent = self._paid_intent(self.invoice, payment_method='pm_bank_debit')
        self._deliver('payment_intent.processing', intent.stripe_id)
        self.assertEqual(self.invoice.stripe_status, 'pending')
        self.emulator.settle_payment_intent(intent.stripe_id)
        self._deliver('payment_intent.succeeded', intent.stripe_id)
        self.assertEqual(len(self._payments_of(self.invoice)), 1)
        self.assertEqual(self.invoice.stripe_status, 'paid')
        self.assertEqual(intent.payment_method_label, 'Sepa Debit •••• 3000')

    def test_declined_card(self):
        intent = self._open_intent(self.invoice)
        with self.assertRaises(Exception):  # noqa: B017 - the SDK's CardError
            self._pay_intent(intent, 'pm_card_chargeDeclined')
        event, _response = self._deliver('payment_intent.payment_failed', intent.stripe_id)
        self.assertEqual(self._recorded_events(event['id']).state, 'processed')
        self.assertEqual(intent.state, 'failed')
        self.assertFalse(self._payments_of(self.invoice))

    def test_canceled(self):
        intent = self._open_intent(self.invoice)
        self.platform._get_gateway().cancel_payment_intent(
            intent.stripe_account_id, intent.stripe_id,
        )
        event, _response = self._deliver('payment_intent.canceled', intent.stripe_id)
        self.assertEqual(self._recorded_events(event['id']).state, 'processed')
        self.assertEqual(intent.state, 'canceled')
        self.assertFalse(self.invoice.stripe_status)
        self.assertFalse(self._payments_of(self.invoice))

    def test_other_event_types_are_acknowledged_and_ignored(self):
        intent = self._paid_intent(self.invoice)
        event, response = self._deliver('charge.succeeded')
        self.assertEqual(response.json()['outcome'], 'ignored')
        self.assertEqual(self._recorded_events(event['id']).state, 'ignored')
        self.assertFalse(self._payments_of(self.invoice))
        self.assertEqual(intent.state, 'draft')


@tagged('post_install', '-at_install')
class TestPaymentRegistrationLive(StripeLiveMode, TestPaymentRegistration):
    """The same, with the platform in live mode."""


@tagged('post_install', '-at_install')
class TestPaymentRefusalsLive(StripeLiveMode, TestPaymentRefusals):
    """The same, with the platform in live mode."""


@tagged('post_install', '-at_install')
class TestOtherIntentEventsLive(StripeLiveMode, TestOtherIntentEvents):
    """The same, with the platform in live mode."""
