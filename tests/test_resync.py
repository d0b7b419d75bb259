from datetime import timedelta

import requests

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .. import const
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

    def _run_scheduled_check(self):
        self.env.ref('account_stripe_connect.ir_cron_stripe_resync').method_direct_trigger()
        self.env.invalidate_all()

    def _confirmation_died(self, invoice, seconds_ago=3600):
        """A press of Pay whose worker died after Stripe took the payment: its marker stays
        on the invoice, Odoo never heard Stripe's answer."""
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "UPDATE account_move SET stripe_confirming_since = %s WHERE id = %s",
            fields.Datetime.now() - timedelta(seconds=seconds_ago), invoice.id,
        ))
        self.env.invalidate_all()

    def _age(self, intent, days):
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "UPDATE stripe_payment_intent SET write_date = %s WHERE id = %s",
            fields.Datetime.subtract(fields.Datetime.now(), days=days), intent.id,
        ))
        self.env.invalidate_all()

    def test_scheduled_check_recovers_what_can_still_change(self):
        missed = self._make_invoice(100.0)
        missed_intent = self._paid_intent(missed)
        self._confirmation_died(missed)  # Stripe charged; the press never told Odoo.
        refunded, refunded_intent = self._paid_invoice(60.0)
        self._refund_on_stripe(refunded_intent, 1000)  # Its refund's webhooks are lost.
        old = self._make_invoice(70.0)
        self._paid_intent(old)
        self._confirmation_died(old)
        old_invoice, old_paid = self._paid_invoice(80.0)
        self._refund_on_stripe(old_paid, 1000)
        # Paid long ago as far as Odoo knows: its refunds are no longer looked for.
        self._age(old_paid, days=60)
        untouched = self._make_invoice(30.0)
        untouched_intent = self._open_intent(untouched)  # Opened, never confirmed.
        old_paid_gets = len(self._gets_of(old_paid))

        self._run_scheduled_check()

        self.assertEqual(missed.payment_state, 'paid')
        self.assertEqual(missed_intent.payment_id.amount, 100.0)
        self.assertFalse(missed.stripe_confirming_since, "Stripe was asked: the marker goes")
        self.assertEqual(self._refunds().intent_id, refunded_intent)
        self.assertAlmostEqual(refunded.amount_residual, 10.0)
        self.assertEqual(old.payment_state, 'paid', "an in-flight confirmation, however old")
        self.assertEqual(len(self._gets_of(old_paid)), old_paid_gets,
                         "Stripe is not asked about old payments")
        self.assertAlmostEqual(old_invoice.amount_residual, 0.0)
        self.assertFalse(self._gets_of(untouched_intent),
                         "an open PaymentIntent changes only when Odoo confirms it")
        self.assertEqual(len(self._inbound()), 4)

        # The job runs again: nothing is registered twice.
        self._run_scheduled_check()
        self.assertEqual(len(self._inbound()), 4)
        self.assertEqual(len(self._refunds()), 1)
        self.assertEqual(len(self._outbound()), 1)

    def test_scheduled_check_lets_unchanged_intents_age_out(self):
        """Checking a PaymentIntent that did not change writes nothing: its write date stays,
        and it leaves the check's window when its time comes."""
        invoice = self._make_invoice(100.0, currency=self.setup_other_currency('EUR'))
        intent = self._paid_intent(invoice, payment_method='pm_bank_debit')
        self._deliver('payment_intent.processing', intent.stripe_id)
        self.assertEqual(intent.state, 'processing')
        paid_invoice, paid = self._paid_invoice(50.0)
        self._age(intent, days=2)
        self._age(paid, days=2)
        before = (intent.write_date, paid.write_date)

        self._run_scheduled_check()

        self.assertEqual(len(self._gets_of(intent)), 2, "fetched by the webhook, then the check")
        self.assertEqual((intent.write_date, paid.write_date), before)
        self._age(paid, days=15)
        calls = len(self._gets_of(paid))
        self._run_scheduled_check()
        self.assertEqual(len(self._gets_of(paid)), calls, "out of the window")
        self.assertIn(paid_invoice.payment_state, ('paid', 'in_payment'))

    def test_scheduled_check_registers_a_three_d_secure_completed_in_the_browser(self):
        """The customer completed 3-D Secure in Stripe.js's frame and closed the page; the
        webhook was lost."""
        invoice = self._make_invoice(100.0)
        intent = self._open_intent(invoice)
        self._pay_intent(intent, 'pm_card_authenticationRequired')
        intent._stripe_fetch("test")
        self.assertEqual((intent.state, intent.stripe_status), ('draft', 'requires_action'))
        requests.post(f'{self.emulator.base_url}/authenticate/{intent.stripe_id}',
                      data={'outcome': 'complete'}, allow_redirects=False, timeout=10)

        self._run_scheduled_check()

        self.assertEqual(intent.state, 'succeeded')
        self.assertEqual(invoice.payment_state, 'paid')

    def test_scheduled_check_goes_on_when_stripe_fails_for_one_invoice(self):
        first = self._make_invoice(100.0)
        self._paid_intent(first)
        self._confirmation_died(first)
        second = self._make_invoice(40.0)
        second_intent = self._paid_intent(second)
        self._confirmation_died(second)
        # The first invoice's account can no longer be reached (disconnected on Stripe).
        first.stripe_payment_intent_ids.sudo().stripe_account_id = 'acct_gone'
        self._run_scheduled_check()
        self.assertEqual(first.payment_state, 'not_paid')
        self.assertEqual(second.payment_state, 'paid')
        self.assertEqual(second_intent.payment_id.amount, 40.0)

    def test_scheduled_check_is_bounded_in_time(self):
        invoices = [self._make_invoice(10.0 + index) for index in range(3)]
        for invoice in invoices:
            self._paid_intent(invoice)
            self._confirmation_died(invoice)
        self.patch(const, 'RESYNC_MAX_SECONDS', 0)
        self._run_scheduled_check()
        self.assertEqual([invoice.payment_state for invoice in invoices], ['not_paid'] * 3,
                         "out of time before the first: the next run does them")
        self.patch(const, 'RESYNC_MAX_SECONDS', 600)
        self._run_scheduled_check()
        self.assertEqual([invoice.payment_state for invoice in invoices], ['paid'] * 3)


@tagged('post_install', '-at_install')
class TestResyncLive(StripeLiveMode, TestResync):
    """The same, with the platform in live mode."""
