from odoo.tests import tagged

from .common import StripeLiveMode
from .refund_common import StripeRefundCommon


@tagged('post_install', '-at_install')
class TestRefundRetry(StripeRefundCommon):
    """A refund whose first try was lost in Odoo, then registered by its webhook, and retried
    from a new wizard: the retry finds the first refund instead of refunding twice."""

    def _refund_lost_in_odoo(self, intent, amount, credit_note=None):
        """Refund from the wizard, Stripe refunds, then Odoo's transaction is lost."""
        action = credit_note.action_stripe_refund_credit_note() if credit_note \
            else intent.action_stripe_refund()
        with self.env.cr.savepoint() as savepoint:
            self._refund_wizard(action, amount).action_refund()
            savepoint.rollback()
        self.env.invalidate_all()
        self.assertFalse(self._refunds())
        refund, = self._stripe_refunds(intent)
        return refund

    def _posts(self):
        return [r for r in self.emulator.request_log
                if r['method'] == 'POST' and r['path'] == '/v1/refunds' and r['status'] == 200]

    def test_retry_after_the_webhook_registered_the_first_try_refunds_once(self):
        invoice, intent = self._paid_invoice(100.0)
        first = self._refund_lost_in_odoo(intent, 25.0)
        self.assertTrue(first['metadata']['odoo_request'])
        # Stripe's events come: the refund is registered, as made by this database.
        self.assertNotIn('error', self._post_events('refund.created', first['id']))
        record = self._refunds()
        self.assertEqual((record.stripe_id, record.origin), (first['id'], 'odoo'))
        self.assertFalse(record.odoo_request_id, "Odoo never finished that request")
        self.assertAlmostEqual(invoice.amount_residual, 25.0)
        posts = len(self._posts())

        # The user, who saw an error, tries again from a new wizard: Odoo knows one refund
        # more than at the first try, so the request is not the same one any more.
        action = self._refund_wizard(intent.action_stripe_refund(), 25.0).action_refund()

        self.assertEqual(len(self._stripe_refunds(intent)), 1, "Stripe refunded once")
        self.assertEqual(len(self._posts()), posts, "no second refund was asked for")
        self.assertEqual(self._refunds(), record)
        self.assertEqual(record.odoo_request_id, first['metadata']['odoo_request'])
        self.assertIn(first['id'], action['params']['message'])
        self.assertIn("nothing was refunded twice", action['params']['message'])
        self.assertEqual(action['params']['type'], 'warning')
        self.assertEqual(len(self._outbound()), 1)
        self.assertAlmostEqual(invoice.amount_residual, 25.0)

        # A later refund of the same amount is a new one: the first request is finished.
        action = self._refund_wizard(intent.action_stripe_refund(), 25.0).action_refund()
        self.assertEqual(len(self._stripe_refunds(intent)), 2)
        self.assertEqual(action['params']['type'], 'success')
        self.assertAlmostEqual(invoice.amount_residual, 50.0)

    def test_retry_of_another_amount_is_a_new_refund(self):
        _invoice, intent = self._paid_invoice(100.0)
        first = self._refund_lost_in_odoo(intent, 25.0)
        self._post_events('refund.created', first['id'])

        self._refund_wizard(intent.action_stripe_refund(), 20.0).action_refund()

        self.assertEqual(len(self._stripe_refunds(intent)), 2, "another amount: another refund")
        self.assertAlmostEqual(intent.amount_refundable, 55.0)

    def test_lost_refund_of_a_credit_note_is_not_taken_for_another_refund(self):
        invoice, intent = self._paid_invoice(100.0)
        credit_note = self._credit_note(invoice, 25.0)
        first = self._refund_lost_in_odoo(intent, 25.0, credit_note=credit_note)
        self.assertEqual(first['metadata']['odoo_credit_note_id'], str(credit_note.id))
        self._post_events('refund.created', first['id'])
        self.assertEqual(self._refunds().credit_note_id, credit_note)

        self._refund_wizard(intent.action_stripe_refund(), 25.0).action_refund()

        self.assertEqual(len(self._stripe_refunds(intent)), 2,
                         "the lost refund was the credit note's: this one is another")
        self.assertAlmostEqual(intent.amount_refundable, 50.0)

    def test_refunds_made_on_stripe_are_never_taken_for_a_retry(self):
        _invoice, intent = self._paid_invoice(100.0)
        on_stripe = self._refund_on_stripe(intent, 2500)  # In Stripe's dashboard.
        self._post_events('refund.created', on_stripe['id'])

        self._refund_wizard(intent.action_stripe_refund(), 25.0).action_refund()

        self.assertEqual(len(self._stripe_refunds(intent)), 2)
        self.assertEqual(len(self._refunds()), 2)


@tagged('post_install', '-at_install')
class TestRefundRetryLive(StripeLiveMode, TestRefundRetry):
    """The same, with the platform in live mode."""
