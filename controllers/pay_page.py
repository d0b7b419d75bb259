import logging

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..utils.stripe_gateway import StripeGatewayError, StripeUnavailableError

_logger = logging.getLogger(__name__)


class StripePayPageController(http.Controller):
    """The public page where a customer sees an invoice and pays it with Stripe."""

    # === HELPERS === #

    def _invoice_sudo_or_none(self, invoice_id, access_token):
        """Return the invoice when the token opens it, else ``None`` (never say why)."""
        try:
            invoice_sudo = CustomerPortal()._document_check_access(
                'account.move', invoice_id, access_token=access_token,
            )
        except (AccessError, MissingError):
            return None
        if invoice_sudo.move_type != 'out_invoice':
            return None
        return invoice_sudo

    def _not_found(self):
        return request.render('account_stripe_connect.pay_page_not_found', {}, status=404)

    def _refusal_message(self, invoice_sudo, reason):
        env = request.env
        return {
            'draft': env._("This invoice is not ready to be paid yet."),
            'cancelled': env._("This invoice was cancelled: there is nothing to pay."),
            'paid': env._("This invoice is paid. Thank you!"),
            'currency': env._(
                "Online payment is not available for invoices in %(currency)s.",
                currency=invoice_sudo.currency_id.name,
            ),
            'unavailable': env._(
                "Online payment is not available for this invoice. Please contact "
                "%(company)s to pay it another way.", company=invoice_sudo.company_id.name,
            ),
            'stripe_down': env._(
                "Online payment is unavailable for a moment. Nothing was charged; please try "
                "again in a few minutes."
            ),
        }.get(reason, env._("Online payment is not available for this invoice."))

    def _page_values(self, invoice_sudo, access_token, **values):
        low, high = invoice_sudo._stripe_amount_bounds()
        return {
            'invoice': invoice_sudo,
            'company': invoice_sudo.company_id,
            'access_token': access_token,
            'pdf_url': invoice_sudo.get_portal_url(report_type='pdf', download=True),
            'amount_low': low,
            'amount_high': high,
            'partial_allowed': invoice_sudo.currency_id.compare_amounts(low, high) < 0,
            'intent': None,
            'state': 'pay',
            'message': None,
            **values,
        }

    def _render(self, values, status=200):
        return request.render('account_stripe_connect.pay_page', values, status=status)

    def _parse_amount(self, amount):
        if amount in (None, ''):
            return None
        try:
            return float(amount)
        except (TypeError, ValueError):
            return -1.0  # Refused by the bounds check with a clear message.

    # === ROUTES === #

    @http.route('/stripe/pay/<int:invoice_id>', type='http', auth='public', methods=['GET'],
                sitemap=False)
    def stripe_pay_page(self, invoice_id, access_token=None, payment_intent=None, amount=None,
                        **kwargs):
        """Show the invoice with its Payment Element, or the outcome of a payment."""
        invoice_sudo = self._invoice_sudo_or_none(invoice_id, access_token)
        if invoice_sudo is None:
            return self._not_found()
        if payment_intent:
            return self._render_outcome(invoice_sudo, access_token, payment_intent)
        reason = invoice_sudo._stripe_payment_refusal()
        if reason:
            state = 'paid' if reason == 'paid' else 'unavailable'
            return self._render(self._page_values(
                invoice_sudo, access_token, state=state,
                message=self._refusal_message(invoice_sudo, reason),
            ))
        try:
            intent = invoice_sudo._stripe_prepare_intent(self._parse_amount(amount))
        except StripeUnavailableError:
            return self._render(self._page_values(
                invoice_sudo, access_token, state='unavailable',
                message=self._refusal_message(invoice_sudo, 'stripe_down'),
            ), status=503)
        except StripeGatewayError as error:
            request.env.cr.rollback()
            intent = invoice_sudo._stripe_prepare_intent(None)
            return self._render(self._pay_values(invoice_sudo, access_token, intent,
                                                 message=str(error)))
        return self._render(self._pay_values(invoice_sudo, access_token, intent))

    def _pay_values(self, invoice_sudo, access_token, intent, **values):
        platform = request.env['stripe.platform'].sudo()
        return self._page_values(
            invoice_sudo, access_token, intent=intent,
            stripe_js_url=platform._get_js_url(),
            stripe_publishable_key=platform._get_setting('publishable_key'),
            return_url=f'{invoice_sudo.get_base_url()}/stripe/pay/{invoice_sudo.id}'
                       f'?access_token={access_token}',
            **values,
        )

    def _render_outcome(self, invoice_sudo, access_token, stripe_id):
        """Back from Stripe: sync the PaymentIntent now (the webhook may be later) and say how
        it went."""
        try:
            intent = invoice_sudo._stripe_sync_intent(stripe_id, request.env._("pay page"))
        except StripeGatewayError:
            request.env.cr.rollback()
            intent = invoice_sudo.stripe_payment_intent_ids.filtered(
                lambda i: i.stripe_id == stripe_id
            )
        if not intent:
            return self._not_found()
        state = {
            'succeeded': 'paid', 'processing': 'processing', 'failed': 'failed',
            'canceled': 'failed',
        }.get(intent.state, 'failed')
        values = self._page_values(invoice_sudo, access_token, state=state, intent=intent,
                                   message=intent.last_error)
        return self._render(values)

    @http.route('/stripe/pay/<int:invoice_id>/amount', type='jsonrpc', auth='public',
                methods=['POST'])
    def stripe_pay_amount(self, invoice_id, access_token=None, amount=None):
        """The customer chose another amount: prepare the PaymentIntent for it.

        :return: ``{'client_secret', 'amount'}`` or ``{'error'}``.
        """
        invoice_sudo = self._invoice_sudo_or_none(invoice_id, access_token)
        if invoice_sudo is None:
            return {'error': request.env._("This payment link is not valid.")}
        if invoice_sudo._stripe_payment_refusal():
            return {'error': self._refusal_message(
                invoice_sudo, invoice_sudo._stripe_payment_refusal(),
            )}
        try:
            intent = invoice_sudo._stripe_prepare_intent(self._parse_amount(amount))
        except StripeGatewayError as error:
            return {'error': str(error)}
        return {
            'client_secret': intent.sudo().client_secret,
            'amount': intent.amount,
            'amount_formatted': intent.currency_id.format(intent.amount),
        }
