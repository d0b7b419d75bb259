import logging

from odoo import http
from odoo.http import request

from ..utils.stripe_gateway import StripeSignatureError, verify_event

_logger = logging.getLogger(__name__)


class StripeWebhookController(http.Controller):

    @http.route(
        '/stripe_connect/webhook', type='http', auth='none', methods=['POST'], csrf=False,
        save_session=False, readonly=False,  # auth='none' routes are read-only by default
    )
    def stripe_webhook(self):
        """Receive a Connect event: verify its signature, record it once, act on it.

        400 when the signature does not hold or no signing secret is configured (nothing is
        recorded); 409 at once, without waiting, when another delivery of the same event is
        being processed (nothing is recorded: Stripe delivers it again later, and if that
        other delivery fails the event is not lost); 500 when processing failed (its work is
        undone, the event is kept as an error and Stripe delivers it again); 200 otherwise, a
        redelivery included.
        """
        if not request.db:
            return request.make_json_response({'error': "No database."}, status=404)
        # Stripe is no user and has no session: the route needs no authentication of Odoo's,
        # only the signature below. It acts as the public user, as auth='public' would, taken
        # from the cached XML id (auth='public' also checks that the user exists: one query
        # more on every delivery, redeliveries included).
        request.update_env(user=request.env['ir.model.data']._xmlid_to_res_id('base.public_user'))
        payload = request.httprequest.get_data()
        signature = request.httprequest.headers.get('Stripe-Signature')
        secret = request.env['stripe.platform'].sudo()._get_setting('webhook_secret')
        try:
            event = verify_event(payload, signature, secret)
        except (StripeSignatureError, ValueError) as error:
            _logger.warning("Refused a Stripe webhook: %s", error)
            return request.make_json_response({'error': str(error)}, status=400)
        if not isinstance(event, dict) or not event.get('id') or not event.get('type'):
            _logger.warning("Refused a signed Stripe webhook that is not an event")
            return request.make_json_response({'error': "Not a Stripe event."}, status=400)
        outcome = request.env['stripe.webhook.event'].sudo()._stripe_receive(event)
        if outcome == 'busy':
            return request.make_json_response(
                {'error': "Another delivery of this event is being processed.",
                 'outcome': outcome},
                status=409,
            )
        if outcome == 'error':
            return request.make_json_response(
                {'error': "The event could not be processed now.", 'outcome': outcome},
                status=500,
            )
        return request.make_json_response({'received': True, 'outcome': outcome})
