from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import StripeLiveMode
from .refund_common import StripeRefundCommon


@tagged('post_install', '-at_install')
class TestRefundsFromStripe(StripeRefundCommon):
    """Refunds made in Stripe's dashboard are registered once, and the invoice is due again."""

    def test_full_refund_is_registered_once_whatever_events_come(self):
        invoice, intent = self._paid_invoice(100.0)
        self.assertEqual(invoice.payment_state, 'paid')
        refund = self._refund_on_stripe(intent)
        created, refunded = self._refund_events(refund['id'], self._charge_of(intent))

        response = self._post_event(created['id'])
        self.assertEqual(response.json()['outcome'], 'processed')
        record = self._refunds()
        self.assertRecordValues(record, [{
            'stripe_id': refund['id'], 'intent_id': intent.id, 'move_id': invoice.id,
            'amount': 100.0, 'amount_minor': 10000, 'state': 'succeeded', 'origin': 'stripe',
            'credit_note_id': False,
        }])
        outbound = self._outbound()
        self.assertEqual(len(outbound), 1)
        self.assertRecordValues(outbound, [{
            'amount': 100.0, 'partner_id': self.customer.id, 'currency_id': invoice.currency_id.id,
            'payment_type': 'outbound', 'partner_type': 'customer',
        }])
        self.assertEqual(outbound.move_id.state, 'posted')
        self.assertEqual(record.payment_id, outbound)
        self.assertAlmostEqual(invoice.amount_residual, 100.0, msg="all of it is due again")
        self.assertEqual(invoice.payment_state, 'not_paid')
        self.assertEqual(invoice.stripe_status, 'refunded')
        self.assertEqual(intent.amount_refunded, 100.0)
        self.assertEqual(intent.amount_refundable, 0.0)
        message = invoice.message_ids.filtered(lambda m: refund['id'] in (m.body or ''))
        self.assertEqual(len(message), 1)
        self.assertIn("due on the invoice again", message.body)

        # The charge's event, the same events again, and a new event about the same refund.
        self.assertEqual(self._post_event(refunded['id']).json()['outcome'], 'processed')
        for event in (created, refunded):
            self.assertEqual(self._post_event(event['id']).json()['outcome'], 'duplicate')
        again = {**created, 'id': 'evt_refund_again', 'type': 'refund.updated'}
        response = self._post_signed(again)
        self.assertEqual(response.json()['outcome'], 'processed')
        self.assertIn("already registered", self._recorded_events('evt_refund_again').note)
        self.assertEqual(len(self._refunds()), 1)
        self.assertEqual(self._outbound(), outbound)
        self.assertEqual(len(self._inbound()), 1)
        self.assertAlmostEqual(invoice.amount_residual, 100.0)

    def test_partial_refunds_make_the_refunded_amounts_due_again(self):
        invoice, intent = self._paid_invoice(100.0)
        first = self._refund_on_stripe(intent, 3000)
        # refund.created is lost: the charge's event alone registers the refund.
        _created, refunded = self._refund_events(first['id'], self._charge_of(intent))
        self.assertEqual(self._post_event(refunded['id']).json()['outcome'], 'processed')
        self.assertAlmostEqual(invoice.amount_residual, 30.0)
        self.assertEqual(invoice.payment_state, 'partial')
        self.assertEqual(invoice.stripe_status, 'partial')
        self.assertEqual(intent.amount_refundable, 70.0)
        # The pay link offers the amount due again.
        self.assertTrue(invoice.stripe_pay_url)

        second = self._refund_on_stripe(intent, 2000)
        created, refunded = self._refund_events(second['id'], self._charge_of(intent))
        self.assertEqual(self._post_event(refunded['id']).json()['outcome'], 'processed')
        self.assertEqual(self._post_event(created['id']).json()['outcome'], 'processed')
        self.assertEqual(sorted(self._refunds().mapped('amount')), [20.0, 30.0])
        self.assertEqual(sorted(self._outbound().mapped('amount')), [20.0, 30.0])
        self.assertAlmostEqual(invoice.amount_residual, 50.0)
        self.assertEqual(intent.amount_refundable, 50.0)
        # The customer's payment still pays the invoice for what was not refunded.
        receivable = intent.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id == intent.payment_id.destination_account_id
        )
        self.assertTrue(receivable.reconciled)
        self.assertIn(invoice, intent.payment_id.reconciled_invoice_ids)

    def test_refund_event_before_the_payment_event_registers_both_once(self):
        invoice = self._make_invoice(80.0)
        intent = self._paid_intent(invoice)
        refund = self._refund_on_stripe(intent, 2000)
        self.assertFalse(self._inbound(), "payment_intent.succeeded is not delivered yet")
        created, _refunded = self._refund_events(refund['id'], self._charge_of(intent))
        self.assertEqual(self._post_event(created['id']).json()['outcome'], 'processed')
        self.assertEqual(len(self._inbound()), 1)
        self.assertEqual(len(self._outbound()), 1)
        self.assertAlmostEqual(invoice.amount_residual, 20.0)

        _event, response = self._deliver('payment_intent.succeeded', intent.stripe_id)
        self.assertEqual(response.json()['outcome'], 'processed')
        self.assertEqual(len(self._inbound()), 1)
        self.assertEqual(len(self._outbound()), 1)
        self.assertAlmostEqual(invoice.amount_residual, 20.0)

    def test_refund_that_fails_later_is_undone(self):
        """``refund.failed``: the money is back on the Stripe balance, so the refund payment is
        canceled and the customer's payment pays the invoice again."""
        invoice, intent = self._paid_invoice(100.0)
        refund = self._refund_on_stripe(intent, 4000)
        self._deliver('refund.created', refund['id'])
        record = self._refunds()
        self.assertEqual(record.state, 'succeeded')
        self.assertAlmostEqual(invoice.amount_residual, 40.0)

        self.emulator.fail_refund(refund['id'], reason='expired_or_canceled_card')
        _event, response = self._deliver('refund.failed', refund['id'])

        self.assertEqual(response.json()['outcome'], 'processed')
        self.assertRecordValues(record, [{
            'state': 'failed', 'stripe_status': 'failed',
            'failure_reason': 'expired_or_canceled_card',
        }])
        self.assertEqual(record.payment_id.state, 'canceled')
        self.assertEqual(invoice.payment_state, 'paid', "paid again")
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        self.assertEqual(intent.amount_refundable, 100.0)
        message = invoice.message_ids.filtered(
            lambda m: refund['id'] in (m.body or '') and 'canceled' in (m.body or '')
        )
        self.assertEqual(len(message), 1)
        # The refund.updated that came with it, and the same event again, change nothing.
        self.assertEqual(self._post_events('refund.updated', refund['id']), ['processed'])
        self.assertEqual(self._post_events('refund.failed', refund['id']), ['duplicate'])
        self.assertEqual(len(self._outbound()), 1)
        self.assertEqual(invoice.payment_state, 'paid')

    def test_bank_debit_refund_is_pending_then_succeeded(self):
        invoice = self._make_invoice(100.0)
        intent = self._paid_intent(invoice, payment_method='pm_bank_debit')
        self.emulator.settle_payment_intent(intent.stripe_id)
        self._deliver('payment_intent.succeeded', intent.stripe_id)
        refund = self._refund_on_stripe(intent, 2500)
        self.assertEqual(refund['status'], 'pending')
        self._deliver('refund.created', refund['id'])
        record = self._refunds()
        self.assertEqual(record.state, 'pending')
        self.assertEqual(len(self._outbound()), 1, "Stripe took the money off the balance")
        self.assertAlmostEqual(invoice.amount_residual, 25.0)

        self.emulator.settle_refund(refund['id'])
        self.assertEqual(self._post_events('refund.updated', refund['id']), ['processed'])
        self.assertEqual(record.state, 'succeeded')
        self.assertEqual(len(self._outbound()), 1)
        self.assertAlmostEqual(invoice.amount_residual, 25.0)

    def test_refund_of_a_payment_odoo_did_not_make_is_ignored(self):
        foreign_id = self._create_foreign_intent(self.company.stripe_account_id, 5000, 'usd', {})
        client = self.platform._get_gateway()._client
        refund = client.v1.refunds.create(
            {'payment_intent': foreign_id}, {'stripe_account': self.company.stripe_account_id},
        )
        _event, response = self._deliver('refund.created', refund.id)
        self.assertEqual(response.json()['outcome'], 'ignored')
        self.assertFalse(self._refunds())
        self.assertFalse(self._outbound())


@tagged('post_install', '-at_install')
class TestRefundsFromOdoo(StripeRefundCommon):
    """Refunds made from the Stripe payment or from a credit note call Stripe, are registered
    at once, and the events Stripe sends back change nothing."""

    def _refund_requests(self):
        return [
            r for r in self.emulator.request_log
            if r['method'] == 'POST' and r['path'] == '/v1/refunds' and r['status'] == 200
        ]

    def test_partial_then_full_refund_from_the_payment(self):
        invoice, intent = self._paid_invoice(100.0)
        self.assertEqual(intent.amount_refundable, 100.0)
        wizard = self._refund_wizard(intent.action_stripe_refund())
        self.assertEqual(wizard.amount, 100.0, "the whole amount left is proposed")
        self.assertEqual(wizard.move_id, invoice)
        wizard.amount = 40.0
        wizard.action_refund()

        requests = self._refund_requests()
        self.assertEqual(len(requests), 1)
        self.assertEqual(requests[0]['account'], self.company.stripe_account_id)
        self.assertTrue(requests[0]['idempotency_key'])
        stripe_refunds = self._stripe_refunds(intent)
        self.assertEqual([r['amount'] for r in stripe_refunds], [4000])
        record = self._refunds()
        self.assertRecordValues(record, [{
            'stripe_id': stripe_refunds[0]['id'], 'amount': 40.0, 'origin': 'odoo',
            'state': 'succeeded', 'reason': 'requested_by_customer',
        }])
        self.assertEqual(len(self._outbound()), 1)
        self.assertAlmostEqual(invoice.amount_residual, 40.0)
        self.assertEqual(intent.amount_refundable, 60.0)

        # Stripe's events about it come back: nothing more is registered.
        created, refunded = self._refund_events(record.stripe_id, self._charge_of(intent))
        for event in (created, refunded):
            self.assertEqual(self._post_event(event['id']).json()['outcome'], 'processed')
        self.assertEqual(self._refunds(), record)
        self.assertEqual(len(self._outbound()), 1)
        self.assertAlmostEqual(invoice.amount_residual, 40.0)

        # Never more than what is left: refused before Stripe is asked.
        with self.assertRaisesRegex(UserError, "at most"):
            self._refund_wizard(intent.action_stripe_refund(), 60.01).action_refund()
        with self.assertRaisesRegex(UserError, "more than what is left"):
            intent._stripe_refund(70.0)
        self.assertEqual(len(self._refund_requests()), 1)

        self._refund_wizard(intent.action_stripe_refund()).action_refund()  # The 60 left.
        self.assertEqual(sorted(self._refunds().mapped('amount')), [40.0, 60.0])
        self.assertEqual(len(self._outbound()), 2)
        self.assertAlmostEqual(invoice.amount_residual, 100.0)
        self.assertEqual(invoice.stripe_status, 'refunded')
        self.assertEqual(intent.amount_refundable, 0.0)
        with self.assertRaisesRegex(UserError, "positive amount"):
            self._refund_wizard(intent.action_stripe_refund()).action_refund()
        self.assertEqual(len(self._refund_requests()), 2)

    def test_refund_request_run_again_refunds_once(self):
        invoice, intent = self._paid_invoice(100.0)
        wizard = self._refund_wizard(intent.action_stripe_refund(), 25.0)
        # Odoo runs a request again after a serialization failure: the first run's work is
        # rolled back in Odoo, but Stripe already refunded.
        with self.env.cr.savepoint() as savepoint:
            wizard.action_refund()
            self.assertEqual(len(self._refunds()), 1)
            savepoint.rollback()
        self.env.invalidate_all()
        self.assertFalse(self._refunds())
        wizard.action_refund()
        self.assertEqual(len(self._stripe_refunds(intent)), 1, "Stripe refunded once")
        self.assertEqual(len(self._refunds()), 1)
        self.assertEqual(len(self._outbound()), 1)
        self.assertAlmostEqual(invoice.amount_residual, 25.0)
        replays = [r for r in self._refund_requests()]
        self.assertEqual(len(replays), 2)
        self.assertEqual(replays[0]['idempotency_key'], replays[1]['idempotency_key'])

    def test_refund_retried_from_a_new_wizard_refunds_once(self):
        """A failure that undid the refund in Odoo but not on Stripe, then the user tries
        again from a new wizard before Stripe's event comes: still one refund."""
        invoice, intent = self._paid_invoice(100.0)
        with self.env.cr.savepoint() as savepoint:
            self._refund_wizard(intent.action_stripe_refund(), 25.0).action_refund()
            savepoint.rollback()
        self.env.invalidate_all()
        self.assertFalse(self._refunds())

        self._refund_wizard(intent.action_stripe_refund(), 25.0).action_refund()

        self.assertEqual(len(self._stripe_refunds(intent)), 1, "Stripe refunded once")
        self.assertEqual(len(self._refunds()), 1)
        self.assertAlmostEqual(invoice.amount_residual, 25.0)
        # A later refund of the same amount is a new one.
        self._refund_wizard(intent.action_stripe_refund(), 25.0).action_refund()
        self.assertEqual(len(self._stripe_refunds(intent)), 2)
        self.assertAlmostEqual(invoice.amount_residual, 50.0)

    def test_refund_retried_by_another_user_refunds_once(self):
        """The request sent again is the same request, whoever sends it."""
        invoice, intent = self._paid_invoice(100.0)
        with self.env.cr.savepoint() as savepoint:
            self._refund_wizard(intent.action_stripe_refund(), 25.0).action_refund()
            savepoint.rollback()
        self.env.invalidate_all()
        colleague = self.env['res.users'].create({
            'name': "Colleague", 'login': 'refund.colleague',
            'company_id': self.company.id, 'company_ids': [(6, 0, self.company.ids)],
            'group_ids': [(6, 0, [self.env.ref('account.group_account_invoice').id])],
        })
        action = intent.with_user(colleague).action_stripe_refund()
        wizard = self.env['stripe.refund.wizard'].with_user(colleague).with_context(
            **action['context'],
        ).create({})
        wizard.amount = 25.0
        wizard.action_refund()
        self.assertEqual(len(self._stripe_refunds(intent)), 1, "Stripe refunded once")
        self.assertNotIn('odoo_user_id', self._stripe_refunds(intent)[0]['metadata'])
        self.assertEqual(len(self._refunds()), 1)
        self.assertAlmostEqual(invoice.amount_residual, 25.0)

    def test_refund_retried_with_another_reason_is_refused_clearly(self):
        """Stripe refuses the same key with other details: Odoo says what to do, and refunds
        nothing twice."""
        invoice, intent = self._paid_invoice(100.0)
        with self.env.cr.savepoint() as savepoint:
            self._refund_wizard(intent.action_stripe_refund(), 25.0).action_refund()
            savepoint.rollback()
        self.env.invalidate_all()
        wizard = self._refund_wizard(intent.action_stripe_refund(), 25.0)
        wizard.reason = 'duplicate'
        with self.assertRaisesRegex(UserError, "Check with Stripe"):
            wizard.action_refund()
        self.assertEqual(len(self._stripe_refunds(intent)), 1)
        invoice.action_stripe_check()
        self.assertEqual(len(self._refunds()), 1)
        self.assertAlmostEqual(invoice.amount_residual, 25.0)

    def test_refund_of_a_credit_note_pays_the_credit_note(self):
        invoice, intent = self._paid_invoice(100.0)
        credit_note = self._credit_note(invoice, 30.0)
        self.assertEqual(credit_note.stripe_credit_note_refundable, 30.0)
        action = credit_note.action_stripe_refund_credit_note()
        with self.assertRaisesRegex(UserError, "at most"):
            self._refund_wizard(action, 30.5).action_refund()
        wizard = self._refund_wizard(action)
        self.assertEqual(wizard.amount, 30.0)
        self.assertEqual(wizard.move_id, invoice)
        wizard.action_refund()

        record = self._refunds()
        self.assertRecordValues(record, [{
            'amount': 30.0, 'credit_note_id': credit_note.id, 'origin': 'odoo',
        }])
        self.assertIn(credit_note.payment_state, ('paid', 'in_payment'))
        self.assertIn(credit_note, record.payment_id.reconciled_invoice_ids)
        self.assertEqual(invoice.payment_state, 'paid', "the credit note settles the refund")
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        self.assertEqual(invoice.stripe_status, 'paid')
        self.assertEqual(credit_note.stripe_credit_note_refundable, 0.0)
        self.assertEqual(intent.amount_refundable, 70.0)
        self.assertEqual(
            self._stripe_refunds(intent)[0]['metadata']['odoo_credit_note_id'],
            str(credit_note.id),
        )

        created, refunded = self._refund_events(record.stripe_id, self._charge_of(intent))
        for event in (created, refunded):
            self.assertEqual(self._post_event(event['id']).json()['outcome'], 'processed')
        self.assertEqual(self._refunds(), record)
        self.assertEqual(len(self._outbound()), 1)
        self.assertIn(credit_note.payment_state, ('paid', 'in_payment'))

    def test_credit_note_refunded_across_two_stripe_payments(self):
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 10.0,
        })
        invoice = self._make_invoice(100.0)
        first = self._paid_intent(invoice, 40.0)
        self._deliver('payment_intent.succeeded', first.stripe_id)
        second = self._paid_intent(invoice)
        self._deliver('payment_intent.succeeded', second.stripe_id)
        self.assertEqual(invoice.payment_state, 'paid')
        credit_note = self._credit_note(invoice, 100.0)
        self.assertEqual(credit_note.stripe_credit_note_refundable, 100.0)

        self._refund_wizard(credit_note.action_stripe_refund_credit_note()).action_refund()
        self.assertEqual(
            {(r.intent_id, r.amount) for r in self._refunds()}, {(second, 60.0), (first, 40.0)},
        )
        self.assertEqual(len(self._outbound()), 2)
        self.assertIn(credit_note.payment_state, ('paid', 'in_payment'))
        self.assertEqual(invoice.stripe_status, 'refunded')
        self.assertEqual(self._refunds().credit_note_id, credit_note)

    def test_billing_user_refunds_and_checks_with_stripe(self):
        user = self.env['res.users'].create({
            'name': "Bill Billing",
            'login': 'bill.billing',
            'company_id': self.company.id,
            'company_ids': [(6, 0, self.company.ids)],
            'group_ids': [(6, 0, [self.env.ref('account.group_account_invoice').id])],
        })
        invoice, intent = self._paid_invoice(100.0)
        intent_as_user = intent.with_user(user)
        self.assertEqual(intent_as_user.amount_refundable, 100.0)
        action = intent_as_user.action_stripe_refund()
        wizard = self.env['stripe.refund.wizard'].with_user(user).with_context(
            **action['context'],
        ).create({'amount': 10.0})
        wizard.action_refund()
        self.assertEqual(len(self._refunds()), 1)
        self.assertAlmostEqual(invoice.amount_residual, 10.0)
        self._refund_on_stripe(intent, 500)  # And one in the dashboard, its events lost.
        invoice.with_user(user).action_stripe_check()
        self.assertEqual(sorted(self._refunds().mapped('amount')), [5.0, 10.0])
        self.assertEqual(len(self._outbound()), 2)
        self.assertAlmostEqual(invoice.amount_residual, 15.0)


@tagged('post_install', '-at_install')
class TestRefundsFromStripeLive(StripeLiveMode, TestRefundsFromStripe):
    """The same, with the platform in live mode."""


@tagged('post_install', '-at_install')
class TestRefundsFromOdooLive(StripeLiveMode, TestRefundsFromOdoo):
    """The same, with the platform in live mode."""
