import logging

from odoo import http
from odoo.http import request

from ..utils.stripe_gateway import StripeGatewayError, StripeSignatureError, verify_event

_logger = logging.getLogger(__name__)


class StripeWebhookController(http.Controller):

    @http.route(
        '/stripe_connect/webhook', type='http', auth='public', methods=['POST'], csrf=False,
        save_session=False,
    )
    def stripe_webhook(self):
        """Receive a Connect event: verify its signature, record it once, act on it.

        400 when the signature does not hold (nothing recorded); 503 when Stripe could not be
        asked about the event (nothing recorded, Stripe retries); 200 otherwise.
        """
        payload = request.httprequest.get_data()
        signature = request.httprequest.headers.get('Stripe-Signature')
        secret = request.env['stripe.platform'].sudo()._get_setting('webhook_secret')
        try:
            verify_event(payload, signature, secret)
        except StripeSignatureError as error:
            _logger.warning("Refused a Stripe webhook: %s", error)
            return request.make_json_response({'error': str(error)}, status=400)
        event = request.get_json_data()
        try:
            outcome = request.env['stripe.webhook.event'].sudo()._stripe_receive(event)
        except StripeGatewayError as error:
            request.env.cr.rollback()
            _logger.warning("Stripe event %s not processed, Stripe will retry: %s",
                            event.get('id'), error)
            return request.make_json_response({'error': str(error)}, status=503)
        return request.make_json_response({'received': True, 'outcome': outcome})
