from odoo.fields import Command

from .webhook_common import StripeWebhookCommon


class StripeRefundCommon(StripeWebhookCommon):
    """Helpers of the refund, dispute and resync tests: paid invoices, refunds made on Stripe
    (as in its dashboard), and the payments and refunds Odoo registered."""

    def setUp(self):
        super().setUp()
        self._connect_company()
        self.journal = self.company.stripe_journal_id

    # === STRIPE SIDE === #

    def _paid_invoice(self, amount=100.0, deliver=True):
        """An invoice paid with Stripe, its payment registered by the webhook (or not yet)."""
        invoice = self._make_invoice(amount)
        intent = self._paid_intent(invoice)
        if deliver:
            _event, response = self._deliver('payment_intent.succeeded', intent.stripe_id)
            self.assertEqual(response.json()['outcome'], 'processed')
        return invoice, intent

    def _charge_of(self, intent):
        return self.emulator.get_object(intent.stripe_id)['latest_charge']

    def _refund_on_stripe(self, intent, amount_minor=None):
        """Refund a payment directly on Stripe, as the business would in Stripe's dashboard."""
        params = {'payment_intent': intent.stripe_id}
        if amount_minor:
            params['amount'] = amount_minor
        client = self.platform._get_gateway()._client
        return client.v1.refunds.create(
            params, {'stripe_account': intent.stripe_account_id},
        ).to_dict()

    def _stripe_refunds(self, intent):
        """The refunds Stripe has of a PaymentIntent."""
        return self.platform._get_gateway().list_refunds(
            intent.stripe_account_id, intent.stripe_id,
        )['data']

    def _post_events(self, event_type, object_id=None):
        """POST every held event of this type (about this object) to Odoo; return outcomes."""
        outcomes = []
        for event in self._emulator_events(event_type, object_id):
            response = self._post_event(event['id'])
            self.assertEqual(response.status_code, 200, response.text)
            outcomes.append(response.json()['outcome'])
        return outcomes

    def _refund_events(self, refund_id, charge_id):
        """The events Stripe sent about one refund: ``refund.created`` and the charge's
        ``charge.refunded`` that came with it (the next one about the charge)."""
        events = self._emulator_events()
        created = self._event_of('refund.created', refund_id)
        after = events[events.index(created) + 1:]
        refunded = next(
            event for event in after if event['type'] == 'charge.refunded'
            and event['data']['object']['id'] == charge_id
        )
        return created, refunded

    # === ODOO SIDE === #

    def _inbound(self):
        self.env.invalidate_all()
        return self.env['account.payment'].search([
            ('journal_id', '=', self.journal.id), ('payment_type', '=', 'inbound'),
        ])

    def _outbound(self):
        self.env.invalidate_all()
        return self.env['account.payment'].search([
            ('journal_id', '=', self.journal.id), ('payment_type', '=', 'outbound'),
        ])

    def _refunds(self):
        self.env.invalidate_all()
        return self.env['stripe.refund'].search([])

    def _refund_wizard(self, action, amount=None):
        """The refund wizard an action opens, filled as a person would."""
        wizard = self.env['stripe.refund.wizard'].with_context(**action['context']).create({})
        if amount is not None:
            wizard.amount = amount
        return wizard

    def _credit_note(self, invoice, amount):
        """Post a credit note of ``amount`` reversing ``invoice``."""
        reversal = self.env['account.move.reversal'].with_context(
            active_model='account.move', active_ids=invoice.ids,
        ).create({'journal_id': invoice.journal_id.id, 'reason': "Returned goods"})
        credit_note = self.env['account.move'].browse(reversal.refund_moves()['res_id'])
        credit_note.invoice_line_ids = [Command.clear(), Command.create({
            'product_id': self.product.id, 'price_unit': amount, 'quantity': 1,
            'tax_ids': [Command.clear()],
        })]
        credit_note.action_post()
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertAlmostEqual(credit_note.amount_residual, amount)
        return credit_note
