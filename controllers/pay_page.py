import logging

from werkzeug.urls import url_encode

from odoo import http
from odoo.http import request
from odoo.tools import consteq

from ..models.account_move import StripeAmountError, StripePaymentRefusedError
from ..utils.stripe_gateway import StripeGatewayError, StripeUnavailableError

_logger = logging.getLogger(__name__)

# What the pay page shows for a PaymentIntent's state after the customer paid.
OUTCOME_STATES = {
    'succeeded': 'paid',
    'processing': 'processing',
    'failed': 'failed',
    'canceled': 'failed',
}
# Stripe's refusals of an amount, as the pay page's reasons (see _refusal_message).
AMOUNT_ERROR_REASONS = {
    'amount_too_small': 'below_minimum',
    'amount_too_large': 'above_maximum',
}


class StripePayPageController(http.Controller):
    """The public page where a customer sees an invoice and pays it with Stripe.

    The invoice's portal access token is the key: without the right one the page answers
    404, the same for every invoice, whether it exists or not.
    """

    # === HELPERS === #

    def _invoice_sudo_or_none(self, invoice_id, access_token):
        """Return the customer invoice the token opens, else ``None`` (never say why)."""
        if not access_token or not isinstance(access_token, str) or invoice_id > 2**31 - 1:
            return None
        invoice_sudo = request.env['account.move'].sudo().browse(invoice_id).exists()
        if (
            not invoice_sudo
            or invoice_sudo.move_type != 'out_invoice'
            or not invoice_sudo.access_token
            or not consteq(invoice_sudo.access_token, access_token)
        ):
            return None
        return invoice_sudo

    def _in_customer_lang(self, invoice_sudo):
        """Show the page in the customer's language (the link usually comes from an email),
        unless the visitor chose one on the site; return the invoice in that language."""
        lang = invoice_sudo.partner_id.lang
        if (
            lang and not request.httprequest.cookies.get('frontend_lang')
            and lang in dict(request.env['res.lang'].get_installed())
        ):
            request.update_context(lang=lang)
        return invoice_sudo.with_context(lang=request.env.lang)

    def _not_found(self):
        return request.render('account_stripe_connect.pay_page_not_found', {}, status=404)

    def _refusal_message(self, invoice_sudo, reason):
        """Return the sentence telling the customer why the invoice cannot be paid online."""
        env = request.env
        if reason in ('below_minimum', 'above_maximum'):
            return self._limit_message(invoice_sudo, reason)
        return {
            'draft': env._("This invoice is not ready to be paid yet."),
            'cancelled': env._("This invoice was cancelled: there is nothing to pay."),
            'paid': env._("This invoice is paid. Thank you!"),
            'processing': env._(
                "A payment of this invoice is processing: your bank is confirming it. There is "
                "nothing more to pay until it does."
            ),
            'currency': env._(
                "Online payment is not available for invoices in %(currency)s. Please contact "
                "%(company)s to pay it another way.",
                currency=invoice_sudo.currency_id.name, company=invoice_sudo.company_id.name,
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

    def _limit_message(self, invoice_sudo, reason):
        """Return the sentence saying the amount due is outside what Stripe takes at once."""
        env = request.env
        currency = invoice_sudo.currency_id
        minimum, maximum, published = invoice_sudo._stripe_charge_limits()
        values = {
            'due': currency.format(invoice_sudo.amount_residual),
            'company': invoice_sudo.company_id.name,
            'currency': currency.name,
        }
        if reason == 'above_maximum':
            return env._(
                "The amount due, %(due)s, is more than Stripe takes in one payment (%(maximum)s). "
                "Please contact %(company)s to pay it another way.",
                maximum=currency.format(maximum), **values,
            )
        if published:
            return env._(
                "The amount due, %(due)s, is less than the smallest payment Stripe takes in "
                "%(currency)s (%(minimum)s). Please contact %(company)s to pay it another way.",
                minimum=currency.format(minimum), **values,
            )
        return env._(
            "The amount due, %(due)s, is less than the smallest payment Stripe takes in "
            "%(currency)s. Please contact %(company)s to pay it another way.", **values,
        )

    def _pay_url(self, invoice_sudo, access_token):
        """Return the address of this page, on the host the customer opened it on."""
        query = url_encode({'access_token': access_token})
        return f'{request.httprequest.url_root.rstrip("/")}/stripe/pay/{invoice_sudo.id}?{query}'

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

    def _pay_values(self, invoice_sudo, access_token, intent, **values):
        platform = request.env['stripe.platform'].sudo()
        return self._page_values(
            invoice_sudo, access_token, intent=intent,
            stripe_js_url=platform._get_js_url(),
            stripe_publishable_key=platform._get_setting('publishable_key'),
            return_url=self._pay_url(invoice_sudo, access_token),
            **values,
        )

    def _unavailable_values(self, invoice_sudo, access_token, reason):
        return self._page_values(
            invoice_sudo, access_token,
            state=reason if reason in ('paid', 'processing') else 'unavailable',
            message=self._refusal_message(invoice_sudo, reason),
        )

    def _render(self, values, status=200):
        response = request.render('account_stripe_connect.pay_page', values, status=status)
        # The page carries a client secret and a token: keep it out of caches and referrers,
        # and out of other sites' frames (clickjacking).
        response.headers['Cache-Control'] = 'no-store'
        response.headers['Referrer-Policy'] = 'no-referrer'
        response.headers['X-Frame-Options'] = 'SAMEORIGIN'
        response.headers['Content-Security-Policy'] = "frame-ancestors 'self'"
        return response

    @staticmethod
    def _parse_amount(amount):
        """Return the amount the customer asked for, ``None`` for the default (amount due).

        :raise StripeAmountError: When it is not a number.
        """
        if amount is None or amount == '':
            return None
        if isinstance(amount, str):
            try:
                amount = float(amount.strip().replace(',', '.'))
            except ValueError:
                amount = None
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise StripeAmountError(request.env._("Enter the amount to pay as a number."))
        return amount

    # === ROUTES === #

    @http.route('/stripe/pay/<int:invoice_id>', type='http', auth='public', methods=['GET'],
                sitemap=False)
    def stripe_pay_page(self, invoice_id, access_token=None, payment_intent=None, amount=None,
                        **kwargs):
        """Show the invoice with its Payment Element, or the outcome of a payment."""
        invoice_sudo = self._invoice_sudo_or_none(invoice_id, access_token)
        if invoice_sudo is None:
            return self._not_found()
        invoice_sudo = self._in_customer_lang(invoice_sudo)
        if payment_intent:
            return self._render_outcome(invoice_sudo, access_token, payment_intent)
        reason = invoice_sudo._stripe_payment_refusal()
        if reason:
            return self._render(self._unavailable_values(invoice_sudo, access_token, reason))
        message = None
        try:
            try:
                intent = invoice_sudo._stripe_prepare_intent(self._parse_amount(amount))
            except StripeAmountError as error:
                message = str(error)
                intent = invoice_sudo._stripe_prepare_intent(None)
        except StripePaymentRefusedError as refused:
            return self._render(self._unavailable_values(invoice_sudo, access_token,
                                                         refused.reason))
        except StripeUnavailableError:
            request.env.cr.rollback()
            return self._render(
                self._unavailable_values(invoice_sudo, access_token, 'stripe_down'), status=503,
            )
        except StripeGatewayError as error:
            request.env.cr.rollback()
            _logger.warning("Pay page of invoice %s: Stripe refused: %s", invoice_sudo.id, error)
            return self._render(self._unavailable_values(
                invoice_sudo, access_token, AMOUNT_ERROR_REASONS.get(error.code, 'unavailable'),
            ))
        return self._render(self._pay_values(invoice_sudo, access_token, intent, message=message))

    def _render_outcome(self, invoice_sudo, access_token, stripe_id):
        """Back from Stripe: sync the PaymentIntent now (the webhook may come later) and show
        where the payment stands."""
        try:
            intent = invoice_sudo._stripe_sync_intent(stripe_id, request.env._("pay page"))
        except StripeGatewayError as error:
            request.env.cr.rollback()
            _logger.info("Pay page of invoice %s: could not sync %s: %s",
                         invoice_sudo.id, stripe_id, error)
            intent = invoice_sudo.stripe_payment_intent_ids.filtered(
                lambda i: i.stripe_id == stripe_id
            )
        if not intent:
            return self._not_found()
        state = OUTCOME_STATES.get(intent.state)
        if not state:
            # Not confirmed (yet): back to the form, which shows the invoice as it is now.
            return request.redirect(self._pay_url(invoice_sudo, access_token), local=False)
        message = intent.last_error if state == 'failed' else None
        return self._render(self._page_values(
            invoice_sudo, access_token, state=state, intent=intent, message=message,
        ))

    @http.route('/stripe/pay/<int:invoice_id>/amount', type='jsonrpc', auth='public',
                methods=['POST'])
    def stripe_pay_amount(self, invoice_id, access_token=None, amount=None, **kwargs):
        """The customer chose another amount: check it and prepare the PaymentIntent for it.

        :return: ``{'client_secret', 'amount', 'amount_formatted'}`` or ``{'error'}``.
        """
        invoice_sudo = self._invoice_sudo_or_none(invoice_id, access_token)
        if invoice_sudo is None:
            return {'error': request.env._("This payment link is not valid.")}
        invoice_sudo = self._in_customer_lang(invoice_sudo)
        reason = invoice_sudo._stripe_payment_refusal()
        if reason:
            return {'error': self._refusal_message(invoice_sudo, reason)}
        try:
            intent = invoice_sudo._stripe_prepare_intent(self._parse_amount(amount))
        except StripeAmountError as error:
            return {'error': str(error)}
        except StripePaymentRefusedError as refused:
            return {'error': self._refusal_message(invoice_sudo, refused.reason)}
        except StripeUnavailableError:
            request.env.cr.rollback()
            return {'error': self._refusal_message(invoice_sudo, 'stripe_down')}
        except StripeGatewayError as error:
            request.env.cr.rollback()
            _logger.warning("Pay page of invoice %s: Stripe refused: %s", invoice_sudo.id, error)
            if error.code in AMOUNT_ERROR_REASONS:
                return {'error': request.env._(
                    "Stripe does not take a payment of this amount in %(currency)s: choose "
                    "another amount.", currency=invoice_sudo.currency_id.name,
                )}
            return {'error': self._refusal_message(invoice_sudo, 'unavailable')}
        return {
            'client_secret': intent.sudo().client_secret,
            'amount': intent.amount,
            'amount_formatted': intent.currency_id.format(intent.amount),
        }
