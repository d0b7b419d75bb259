from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .common import StripeLiveMode
from .refund_common import StripeRefundCommon


@tagged('post_install', '-at_install')
class TestResync(StripeRefundCommon):
    """"Check with Stripe" and the scheduled job apply what lost webhooks would have, through
    the same exactly-once code."""

    def _gets_of(self, intent):
        return [
            r for r in self.emulator.request_log
            if r['method'] == 'GET' and r['path'] == f'/v1/payment_intents/{intent.stripe_id}'
        ]

    def test_check_registers_a_payment_whose_webhook_never_came(self):
        invoice = self._make_invoice(100.0)
        intent = self._paid_intent(invoice)  # Deliveries are held, and never released.
        self.assertEqual(self.emulator.get_object(intent.stripe_id)['status'], 'succeeded')
        self.assertEqual(invoice.payment_state, 'not_paid')
        self.assertFalse(self._inbound())

        action = invoice.action_stripe_check()
        self.assertIn("1 payment", action['params']['message'])
        payment = self._inbound()
        self.assertEqual(len(payment), 1)
        self.assertEqual(intent.payment_id, payment)
        self.assertEqual(invoice.payment_state, 'paid')
        self.assertEqual(invoice.stripe_status, 'paid')
        message = invoice.message_ids.filtered(lambda m: intent.stripe_id in (m.body or ''))
        self.assertIn("check with Stripe", message.body)

        action = invoice.action_stripe_check()
        self.assertIn("already agrees", action['params']['message'])
        self.assertEqual(self._inbound(), payment)
        # The webhook finally arrives: nothing more.
        _event, response = self._deliver('payment_intent.succeeded', intent.stripe_id)
        self.assertEqual(response.json()['outcome'], 'processed')
        self.assertEqual(self._inbound(), payment)
        self.assertFalse(self._outbound())

    def test_check_registers_missed_refunds_and_dispute(self):
        invoice, intent = self._paid_invoice(100.0)
        self._refund_on_stripe(intent, 1500)
        self._refund_on_stripe(intent, 500)
        other, other_intent = self._paid_invoice(50.0)
        dispute = self.emulator.create_dispute(self._charge_of(other_intent))
        self.emulator.close_dispute(dispute['id'], status='lost')
        # None of their events reach Odoo.

        invoice.action_stripe_check()
        self.assertEqual(sorted(self._refunds().mapped('amount')), [5.0, 15.0])
        self.assertEqual(set(self._refunds().mapped('origin')), {'stripe'})
        self.assertAlmostEqual(invoice.amount_residual, 20.0)

        other.action_stripe_check()
        record = self.env['stripe.dispute'].search([])
        self.assertEqual(record.state, 'lost')
        self.assertAlmostEqual(other.amount_residual, 50.0)
        self.assertEqual(other.stripe_status, 'disputed')
        self.assertEqual(len(self._outbound()), 3)

        # Checking again, and the events delivered late, change nothing.
        (invoice | other).action_stripe_check()
        for event_type in ('refund.created', 'charge.refunded', 'charge.dispute.created',
                           'charge.dispute.closed'):
            self.assertNotIn('error', self._post_events(event_type))
        self.assertEqual(len(self._refunds()), 2)
        self.assertEqual(len(self._outbound()), 3)
        self.assertEqual(len(self._inbound()), 2)
        self.assertAlmostEqual(invoice.amount_residual, 20.0)
        self.assertAlmostEqual(other.amount_residual, 50.0)

    def test_scheduled_check_recovers_recent_invoices_only(self):
        missed = self._make_invoice(100.0)
        missed_intent = self._paid_intent(missed)  # Its webhook is lost.
        refunded, refunded_intent = self._paid_invoice(60.0)
        self._refund_on_stripe(refunded_intent, 1000)  # Its refund's webhooks are lost.
        old = self._make_invoice(70.0)
        old_intent = self._paid_intent(old)
        # Opened and paid long ago as far as Odoo knows: no longer checked on schedule.
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "UPDATE stripe_payment_intent SET write_date = %s WHERE id = %s",
            fields.Datetime.subtract(fields.Datetime.now(), days=60), old_intent.id,
        ))
        self.env.invalidate_all()

        self.env.ref('account_stripe_connect.ir_cron_stripe_resync').method_direct_trigger()
        self.env.invalidate_all()

        self.assertEqual(missed.payment_state, 'paid')
        self.assertEqual(missed_intent.payment_id.amount, 100.0)
        self.assertEqual(self._refunds().intent_id, refunded_intent)
        self.assertAlmostEqual(refunded.amount_residual, 10.0)
        self.assertEqual(old.payment_state, 'not_paid')
        self.assertFalse(self._gets_of(old_intent), "Stripe is not asked about old invoices")
        self.assertEqual(len(self._inbound()), 2)

        # The job runs again: nothing is registered twice.
        self.env.ref('account_stripe_connect.ir_cron_stripe_resync').method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(len(self._inbound()), 2)
        self.assertEqual(len(self._refunds()), 1)
        self.assertEqual(len(self._outbound()), 1)

    def test_scheduled_check_goes_on_when_stripe_fails_for_one_invoice(self):
        first = self._make_invoice(100.0)
        self._paid_intent(first)
        second = self._make_invoice(40.0)
        second_intent = self._paid_intent(second)
        # The first invoice's account can no longer be reached (disconnected on Stripe).
        first.stripe_payment_intent_ids.sudo().stripe_account_id = 'acct_gone'
        self.env.ref('account_stripe_connect.ir_cron_stripe_resync').method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(first.payment_state, 'not_paid')
        self.assertEqual(second.payment_state, 'paid')
        self.assertEqual(second_intent.payment_id.amount, 40.0)


@tagged('post_install', '-at_install')
class TestResyncLive(StripeLiveMode, TestResync):
    """The same, with the platform in live mode."""
