import hashlib
import hmac
import json
import time

from .common import StripeConnectHttpCommon


class StripeWebhookCommon(StripeConnectHttpCommon):
    """Helpers of the webhook tests: events of the emulator, Stripe's signature scheme, the
    payments and events Odoo recorded."""

    # === EVENTS OF THE EMULATOR === #

    def _emulator_events(self, event_type=None, object_id=None):
        """Return the events the emulator queued for Odoo (held), oldest first."""
        events, seen = [], set()
        for delivery in self.emulator.pending_deliveries():
            event = json.loads(delivery['body'])
            if event['id'] in seen:
                continue
            seen.add(event['id'])
            if event_type and event['type'] != event_type:
                continue
            if object_id and event['data']['object'].get('id') != object_id:
                continue
            events.append(event)
        return events

    def _event_of(self, event_type, object_id=None):
        events = self._emulator_events(event_type, object_id)
        self.assertEqual(len(events), 1, f"one {event_type} event expected")
        return events[0]

    def _deliver(self, event_type, object_id=None, expected_status=200):
        """POST the emulator's event of this type (about this object) to Odoo, signed."""
        event = self._event_of(event_type, object_id)
        response = self._post_event(event['id'])
        self.assertEqual(response.status_code, expected_status, response.text)
        return event, response

    # === SIGNATURES === #

    @staticmethod
    def _signature(body, secret, timestamp=None):
        """Return the ``Stripe-Signature`` value of a body, computed as Stripe computes it."""
        timestamp = int(time.time()) if timestamp is None else int(timestamp)
        digest = hmac.new(
            secret.encode(), f'{timestamp}.'.encode() + body, hashlib.sha256,
        ).hexdigest()
        return f't={timestamp},v1={digest}'

    def _post_signed(self, event, secret=None, timestamp=None):
        """POST an event body of our own, signed with the endpoint's secret (or another)."""
        body = json.dumps(event, indent=2).encode()
        headers = {
            'Content-Type': 'application/json; charset=utf-8',
            'Stripe-Signature': self._signature(body, secret or self.webhook_secret, timestamp),
        }
        return self._post_raw(body, headers)

    # === PAYMENTS === #

    def _open_intent(self, invoice, amount=None):
        """The PaymentIntent the pay page prepares for the invoice (and amount)."""
        return invoice._stripe_prepare_intent(amount)

    def _paid_intent(self, invoice, amount=None, payment_method='pm_card_visa'):
        """Prepare the invoice's PaymentIntent and pay it as the customer's browser would."""
        intent = self._open_intent(invoice, amount)
        self._pay_intent(intent, payment_method)
        return intent

    def _payments_of(self, invoice):
        self.env.invalidate_all()
        return self.env['account.payment'].search([('invoice_ids', 'in', invoice.ids)])

    def _recorded_events(self, stripe_event_id=None):
        self.env.invalidate_all()
        domain = [('stripe_event_id', '=', stripe_event_id)] if stripe_event_id else []
        return self.env['stripe.webhook.event'].sudo().search(domain)

    def _create_foreign_intent(self, account_id, amount_minor, currency, metadata):
        """Create and pay, directly on the emulator, a PaymentIntent Odoo did not create."""
        client = self.platform._get_gateway()._client
        options = {'stripe_account': account_id}
        intent = client.v1.payment_intents.create({
            'amount': amount_minor, 'currency': currency, 'metadata': metadata,
        }, options)
        client.v1.payment_intents.confirm(intent.id, {'payment_method': 'pm_card_visa'}, options)
        return intent.id
