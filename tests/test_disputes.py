from datetime import datetime, timezone

from odoo.tests import tagged

from .common import StripeLiveMode
from .refund_common import StripeRefundCommon


@tagged('post_install', '-at_install')
class TestDisputes(StripeRefundCommon):
    """Disputes show on the invoice with an activity for its responsible; a lost one takes the
    payment back (once), a won one clears the banner."""

    def setUp(self):
        super().setUp()
        self.responsible = self.env['res.users'].create({
            'name': "Ada Accountant",
            'login': 'ada.accountant',
            'email': 'ada@company-one.example.com',
            'group_ids': [(6, 0, [self.env.ref('account.group_account_invoice').id])],
        })
        self.invoice, self.intent = self._paid_invoice(100.0)
        self.invoice.invoice_user_id = self.responsible

    def _open_dispute(self, reason='fraudulent'):
        dispute = self.emulator.create_dispute(self._charge_of(self.intent), reason=reason)
        _event, response = self._deliver('charge.dispute.created', dispute['id'])
        self.assertEqual(response.json()['outcome'], 'processed')
        return dispute

    def _dispute_activities(self, active_test=True):
        self.env.invalidate_all()
        return self.env['mail.activity'].with_context(active_test=active_test).search([
            ('res_model', '=', 'account.move'), ('res_id', '=', self.invoice.id),
        ])

    def test_open_dispute_shows_a_banner_and_asks_the_responsible_then_won_clears_it(self):
        dispute = self._open_dispute()
        record = self.env['stripe.dispute'].search([])
        due_by = datetime.fromtimestamp(
            dispute['evidence_details']['due_by'], tz=timezone.utc,
        ).replace(tzinfo=None)
        self.assertRecordValues(record, [{
            'stripe_id': dispute['id'], 'intent_id': self.intent.id, 'move_id': self.invoice.id,
            'amount': 100.0, 'reason': 'fraudulent', 'state': 'open',
            'stripe_status': 'needs_response', 'evidence_due_by': due_by, 'payment_id': False,
        }])
        self.assertEqual(self.invoice.stripe_status, 'disputed')
        self.assertEqual(self.invoice.stripe_dispute_state, 'open')
        self.assertIn('fraudulent', self.invoice.stripe_dispute_banner)
        self.assertIn(dispute['id'], self.invoice.stripe_dispute_banner)
        self.assertEqual(self.intent.amount_refundable, 0.0, "no refund while disputed")
        activity = self._dispute_activities()
        self.assertEqual(len(activity), 1)
        self.assertRecordValues(activity, [{
            'user_id': self.responsible.id, 'date_deadline': due_by.date(),
        }])
        self.assertIn(dispute['id'], activity.summary)
        self.assertEqual(record.activity_id, activity)

        # The same event again, then the outcome: won.
        created = self._event_of('charge.dispute.created', dispute['id'])
        self.assertEqual(self._post_event(created['id']).json()['outcome'], 'duplicate')
        self.emulator.close_dispute(dispute['id'], status='won')
        self.assertEqual(self._post_events('charge.dispute.updated', dispute['id']), ['processed'])
        self.assertEqual(self._post_events('charge.dispute.closed', dispute['id']), ['processed'])

        self.assertEqual(record.state, 'won')
        self.assertFalse(self.invoice.stripe_dispute_state, "the banner is gone")
        self.assertFalse(self.invoice.stripe_dispute_banner)
        self.assertEqual(self.invoice.stripe_status, 'paid')
        self.assertFalse(self._dispute_activities(), "the activity is done")
        self.assertFalse(self._dispute_activities(active_test=False).active)
        self.assertEqual(len(self._inbound()), 1)
        self.assertFalse(self._outbound(), "a won dispute takes nothing back")
        moves = self.env['stripe.balance.transaction'].search([('dispute_id', '=', record.id)])
        self.assertEqual(
            sorted(moves.mapped('reporting_category')), ['dispute', 'dispute_reversal'],
        )
        self.assertEqual(len(moves.counterpart_line_id.full_reconcile_id), 1,
                         "the withdrawal and the reinstatement match each other")
        self.assertEqual(self.invoice.payment_state, 'paid')
        self.assertEqual(self.intent.amount_refundable, 100.0)
        self.assertEqual(len(self.env['stripe.dispute'].search([])), 1)

    def test_lost_dispute_takes_the_payment_back_once(self):
        dispute = self._open_dispute(reason='product_not_received')
        self.emulator.close_dispute(dispute['id'], status='lost')
        self._post_events('charge.dispute.updated', dispute['id'])
        closed = self._event_of('charge.dispute.closed', dispute['id'])
        self.assertEqual(self._post_event(closed['id']).json()['outcome'], 'processed')

        record = self.env['stripe.dispute'].search([])
        self.assertEqual(record.state, 'lost')
        reversal = self._outbound()
        self.assertEqual(len(reversal), 1)
        self.assertEqual(record.payment_id, reversal)
        self.assertRecordValues(reversal, [{'amount': 100.0, 'partner_id': self.customer.id}])
        self.assertAlmostEqual(self.invoice.amount_residual, 100.0, msg="due again")
        self.assertEqual(self.invoice.payment_state, 'not_paid')
        self.assertEqual(self.invoice.stripe_status, 'disputed')
        self.assertEqual(self.invoice.stripe_dispute_state, 'lost')
        self.assertIn(reversal.display_name, self.invoice.stripe_dispute_banner)
        self.assertFalse(self._dispute_activities(), "nothing left to answer")
        self.assertEqual(self.intent.amount_refundable, 0.0)

        # Reported again, by a redelivery or another event: still one reversal.
        self.assertEqual(self._post_event(closed['id']).json()['outcome'], 'duplicate')
        response = self._post_signed({**closed, 'id': 'evt_dispute_again'})
        self.assertEqual(response.json()['outcome'], 'processed')
        self.assertEqual(self._outbound(), reversal)
        self.assertEqual(len(self._inbound()), 1)
        self.assertAlmostEqual(self.invoice.amount_residual, 100.0)

    def test_lost_then_won_on_appeal_puts_the_money_back(self):
        dispute = self._open_dispute()
        withdrawal = self.env['stripe.balance.transaction'].search([
            ('reporting_category', '=', 'dispute'),
        ])
        self.assertEqual(len(withdrawal), 1, "Stripe withdrew the amount and its fee")
        self.assertFalse(withdrawal.counterpart_line_id.reconciled, "held while disputed")
        self.assertEqual(self.invoice.payment_state, 'paid', "paid while the bank decides")
        self.emulator.close_dispute(dispute['id'], status='lost')
        self._post_events('charge.dispute.closed', dispute['id'])
        record = self.env['stripe.dispute'].search([])
        reversal = record.payment_id
        self.assertTrue(reversal)
        self.assertTrue(withdrawal.counterpart_line_id.reconciled, "matched with the reversal")
        self.assertAlmostEqual(self.invoice.amount_residual, 100.0)

        self.emulator.appeal_dispute(dispute['id'])
        self._post_events('charge.dispute.updated', dispute['id'])
        self.assertRecordValues(record, [{
            'state': 'open', 'stripe_status': 'appeal_needs_response', 'payment_id': reversal.id,
        }])
        self.assertAlmostEqual(self.invoice.amount_residual, 100.0, msg="still taken back")
        self.assertEqual(self.invoice.stripe_dispute_state, 'open')
        self.assertEqual(len(self._dispute_activities()), 1, "a new request: answer the appeal")
        self.assertEqual(self.intent.amount_refundable, 0.0)

        self.emulator.close_dispute(dispute['id'], status='won')
        self._post_events('charge.dispute.closed', dispute['id'])
        self._post_events('charge.dispute.funds_reinstated', dispute['id'])
        self.assertEqual(record.state, 'won')
        won_back = record.won_back_payment_id
        self.assertRecordValues(won_back, [{
            'amount': 100.0, 'payment_type': 'inbound', 'partner_id': self.customer.id,
        }])
        self.assertEqual(self.invoice.payment_state, 'paid', "paid again")
        self.assertEqual(self.invoice.stripe_status, 'paid')
        self.assertFalse(self.invoice.stripe_dispute_banner)
        self.assertFalse(self._dispute_activities())
        self.assertEqual(self.intent.amount_refunded, 0.0)
        self.assertEqual(self.intent.amount_refundable, 100.0)
        reinstatement = self.env['stripe.balance.transaction'].search([
            ('reporting_category', '=', 'dispute_reversal'),
        ])
        self.assertEqual(reinstatement.counterpart_line_id.account_id,
                         won_back.outstanding_account_id)
        self.assertTrue(reinstatement.counterpart_line_id.reconciled)
        self.assertTrue(won_back.is_matched)
        # Reported again: nothing more.
        closed = self._emulator_events('charge.dispute.closed', dispute['id'])[-1]
        self._post_signed({**closed, 'id': 'evt_appeal_again'})
        self.assertEqual(record.won_back_payment_id, won_back)
        self.assertEqual(len(self._inbound()), 2)
        self.assertEqual(len(self._outbound()), 1)

    def test_dispute_without_responsible_asks_the_invoice_creator(self):
        self.invoice.invoice_user_id = False
        self._open_dispute()
        activity = self._dispute_activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.invoice.create_uid)


@tagged('post_install', '-at_install')
class TestStripeStatusInViews(StripeRefundCommon):
    """The invoice list and search show the Stripe status with filters; the form shows the
    dispute banner and the buttons."""

    def test_filters_and_banner_are_in_the_views(self):
        Move = self.env['account.move']
        search = Move.get_view(self.env.ref('account.view_account_invoice_filter').id, 'search')
        for name in ('stripe_pending', 'stripe_partial', 'stripe_paid', 'stripe_refunded',
                     'stripe_disputed'):
            self.assertIn(f'name="{name}"', search['arch'])
        form = Move.get_view(self.env.ref('account.view_move_form').id, 'form')['arch']
        for needle in ('o_stripe_dispute_banner', 'action_stripe_check',
                       'action_stripe_refund_credit_note'):
            self.assertIn(needle, form)
        listing = Move.get_view(self.env.ref('account.view_invoice_tree').id, 'list')['arch']
        self.assertIn('stripe_status', listing)
        intent_form = self.env['stripe.payment.intent'].get_view(view_type='form')['arch']
        self.assertIn('action_stripe_refund', intent_form)

    def test_each_status_is_found_by_its_filter(self):
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 10.0,
        })
        paid, _intent = self._paid_invoice(100.0)
        partial = self._make_invoice(100.0)
        self._deliver('payment_intent.succeeded', self._paid_intent(partial, 30.0).stripe_id)
        pending = self._make_invoice(100.0)
        bank_debit = self._paid_intent(pending, payment_method='pm_bank_debit')
        self._deliver('payment_intent.processing', bank_debit.stripe_id)
        refunded, refunded_intent = self._paid_invoice(100.0)
        refund = self._refund_on_stripe(refunded_intent)
        self._deliver('refund.created', refund['id'])
        disputed, disputed_intent = self._paid_invoice(100.0)
        dispute = self.emulator.create_dispute(self._charge_of(disputed_intent))
        self._deliver('charge.dispute.created', dispute['id'])

        self.env.invalidate_all()
        expected = {
            'pending': pending, 'partial': partial, 'paid': paid, 'refunded': refunded,
            'disputed': disputed,
        }
        search = self.env['account.move'].get_view(
            self.env.ref('account.view_account_invoice_filter').id, 'search',
        )['arch']
        for status, invoice in expected.items():
            self.assertIn(f"[('stripe_status', '=', '{status}')]", search)
            found = self.env['account.move'].search([('stripe_status', '=', status)])
            self.assertEqual(found, invoice, status)


@tagged('post_install', '-at_install')
class TestDisputesLive(StripeLiveMode, TestDisputes):
    """The same, with the platform in live mode."""
