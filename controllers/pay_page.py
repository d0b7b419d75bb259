import logging
import re
from datetime import datetime, timezone

from werkzeug.urls import url_encode

from odoo import http
from odoo.http import request
from odoo.tools import consteq, format_datetime

from .. import const
from ..models.account_move import StripeAmountError, StripePaymentRefusedError
from ..utils.stripe_gateway import StripeCardError, StripeGatewayError, StripeUnavailableError

_logger = logging.getLogger(__name__)

# What the pay page shows for a PaymentIntent's state after the customer paid.
OUTCOME_STATES = {
    'succeeded': 'paid',
    'processing': 'processing',
    'pending': 'pending',
    'failed': 'failed',
    'canceled': 'failed',
}
# Stripe's refusals of an amount, as the pay page's reasons (see _refusal_message).
AMOUNT_ERROR_REASONS = {
    'amount_too_small': 'below_minimum',
    'amount_too_large': 'above_maximum',
}
# Refusals after which the page can do nothing more: the customer reloads it or leaves.
FINAL_REASONS = {
    'draft', 'cancelled', 'paid', 'processing', 'pending', 'currency', 'unavailable',
    'below_minimum', 'above_maximum', 'not_invoice',
}
# What a ConfirmationToken id looks like (``ctoken_`` and Stripe's characters).
CONFIRMATION_TOKEN = re.compile(r'ctoken_[A-Za-z0-9_]{1,200}')


class StripePayPageController(http.Controller):
    """The public page where a customer sees an invoice and pays it with Stripe.

    The invoice's portal access token is the key: without the right one the page answers
    404, the same for every invoice, whether it exists or not.

    Opening the page (a GET) calls nothing on Stripe, takes no lock and writes nothing: it
    shows the invoice and Stripe's Payment Element in deferred mode (amount and currency, no
    PaymentIntent). When the customer presses Pay, the browser sends a ConfirmationToken of
    what they entered, and the server decides (``account.move._stripe_pay``).
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

    @staticmethod
    def _stripe_js_locale(lang):
        """Return the Stripe.js locale of an Odoo language (``fr_BE`` -> ``fr``), ``auto``
        (the browser's) when Stripe.js has none of it."""
        tag = (lang or '').replace('_', '-')
        for candidate in (tag, tag.split('-')[0]):
            if candidate in const.STRIPE_JS_LOCALES:
                return candidate
        return 'auto'

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
            'pending': env._(
                "A payment of this invoice is waiting for you: pay it with its instructions "
                "before they expire. There is nothing more to pay until then."
            ),
            'busy': env._(
                "A payment of this invoice is being confirmed right now. Nothing more was "
                "charged: wait a moment, then reload this page to see where it stands."
            ),
            'changed': env._(
                "This invoice changed since this page was opened: %(due)s is due now. Nothing "
                "was charged; check the amount and press Pay again.",
                due=invoice_sudo.currency_id.format(invoice_sudo.amount_residual),
            ),
            'unknown_outcome': env._(
                "Stripe did not answer in time, so we cannot tell yet whether your payment went "
                "through. You will not be charged twice: reload this page in a few minutes to "
                "see where it stands."
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

    def _stripe_refusal_message(self, invoice_sudo, error):
        """Return the sentence for a refusal of Stripe's when the customer pressed Pay."""
        env = request.env
        if isinstance(error, StripeCardError):
            return str(error)  # Stripe's own words for the customer: declined, expired...
        if isinstance(error, StripeUnavailableError):
            return self._refusal_message(invoice_sudo, 'stripe_down')
        if error.code in AMOUNT_ERROR_REASONS:
            return env._(
                "Stripe does not take a payment of this amount in %(currency)s: choose "
                "another amount.", currency=invoice_sudo.currency_id.name,
            )
        if error.param == 'confirmation_token':
            return env._(
                "Your payment details could not be used any more (they expire after a while). "
                "Nothing was charged: press Pay again."
            )
        if error.code == 'payment_intent_authentication_failure':
            return str(error)
        return self._refusal_message(invoice_sudo, 'unavailable')

    def _pay_url(self, invoice_sudo, access_token, **params):
        """Return the address of this page, on the host the customer opened it on."""
        query = url_encode({'access_token': access_token, **params})
        return f'{request.httprequest.url_root.rstrip("/")}/stripe/pay/{invoice_sudo.id}?{query}'

    def _amount_values(self, invoice_sudo, requested=None):
        """Return what the page shows of the amount to pay: the amount (the full amount due by
        default), its minor units for Stripe.js, the bounds and the amount due.

        :raise StripeAmountError: When ``requested`` is refused.
        """
        currency = invoice_sudo.currency_id
        amount, amount_minor = invoice_sudo._stripe_amount_to_charge(requested)
        low, high = invoice_sudo._stripe_amount_bounds()
        places = currency.decimal_places
        return {
            'amount': amount,
            'amount_minor': amount_minor,
            'amount_input': f'{amount:.{places}f}',
            'amount_formatted': currency.format(amount),
            'amount_low': low,
            'amount_high': high,
            'amount_due_key': invoice_sudo._stripe_due_key(),
            'partial_allowed': currency.compare_amounts(low, high) < 0,
        }

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
            'instructions': None,
            'state': 'pay',
            'message': None,
            **values,
        }

    def _pay_values(self, invoice_sudo, access_token, requested=None):
        """Return the values of the payment form: nothing asked of Stripe, nothing written."""
        platform = request.env['stripe.platform'].sudo()
        message = None
        try:
            amounts = self._amount_values(invoice_sudo, requested)
        except StripeAmountError as error:
            message = str(error)
            amounts = self._amount_values(invoice_sudo)
        return self._page_values(
            invoice_sudo, access_token,
            stripe_js_url=platform._get_js_url(),
            stripe_publishable_key=platform._get_setting('publishable_key'),
            stripe_locale=self._stripe_js_locale(request.env.lang),
            stripe_currency=invoice_sudo.currency_id.name.lower(),
            return_url=self._pay_url(invoice_sudo, access_token),
            message=message,
            **amounts,
        )

    def _unavailable_values(self, invoice_sudo, access_token, reason):
        values = {}
        if reason == 'pending':
            intent = invoice_sudo.stripe_payment_intent_ids.filtered(
                lambda i: i.state == 'pending'
            )[:1]
            values = {'intent': intent, 'instructions': self._instructions(intent)}
        return self._page_values(
            invoice_sudo, access_token,
            state=reason if reason in ('paid', 'processing', 'pending') else 'unavailable',
            message=self._refusal_message(invoice_sudo, reason),
            **values,
        )

    def _instructions(self, intent):
        """Return a pending payment's instructions as the page shows them (expiry in the
        customer's time zone and language)."""
        instructions = dict(intent.pending_instructions or {})
        if not instructions:
            return None
        expires_at = instructions.get('expires_at')
        if isinstance(expires_at, int):
            instructions['expires'] = format_datetime(
                request.env, datetime.fromtimestamp(expires_at, timezone.utc).replace(tzinfo=None),
                tz=intent.move_id.partner_id.tz or 'UTC', dt_format='medium',
            )
        instructions['kind'] = instructions['type'].removesuffix('_display_details') \
            .removeprefix('display_').replace('_', ' ').title()
        return instructions

    def _render(self, values, status=200):
        response = request.render('account_stripe_connect.pay_page', values, status=status)
        # The page carries the invoice's token: keep it out of caches and referrers, and out
        # of other sites' frames (clickjacking).
        response.headers['Cache-Control'] = 'no-store'
        response.headers['Referrer-Policy'] = 'no-referrer'
        response.headers['X-Frame-Options'] = 'SAMEORIGIN'
        response.headers['Content-Security-Policy'] = "frame-ancestors 'self'"
        return response

    # === ROUTES === #

    @http.route('/stripe/pay/<int:invoice_id>', type='http', auth='public', methods=['GET'],
                sitemap=False)
    def stripe_pay_page(self, invoice_id, access_token=None, payment_intent=None, amount=None,
                        **kwargs):
        """Show the invoice with its Payment Element, or the outcome of a payment.

        Opening the page asks nothing of Stripe, takes no lock and writes nothing: mail
        scanners that open every link, and customers who open it ten times, cost nothing.
        """
        invoice_sudo = self._invoice_sudo_or_none(invoice_id, access_token)
        if invoice_sudo is None:
            return self._not_found()
        invoice_sudo = self._in_customer_lang(invoice_sudo)
        if payment_intent:
            return self._render_outcome(invoice_sudo, access_token, payment_intent)
        if reason := invoice_sudo._stripe_payment_refusal():
            return self._render(self._unavailable_values(invoice_sudo, access_token, reason))
        return self._render(self._pay_values(invoice_sudo, access_token, amount))

    def _render_outcome(self, invoice_sudo, access_token, stripe_id):
        """After paying (or back from a redirect): sync the PaymentIntent now unless Odoo
        knows its end already (the webhook may come later), and show where the payment
        stands."""
        intent = invoice_sudo.stripe_payment_intent_ids.filtered(
            lambda i: i.stripe_id == stripe_id
        )
        if not intent:
            return self._not_found()
        if intent.state not in ('succeeded', 'canceled'):
            source = request.env._("pay page")
            try:
                # The webhook may be registering the same payment right now: losing the race
                # retries in a new transaction at once, not the whole request after a pause.
                invoice_sudo._stripe_in_own_transaction(
                    lambda: invoice_sudo._stripe_sync_intent(stripe_id, source),
                )
            except StripeGatewayError as error:
                request.env.cr.rollback()
                _logger.info("Pay page of invoice %s: could not sync %s: %s",
                             invoice_sudo.id, stripe_id, error)
                intent = invoice_sudo.stripe_payment_intent_ids.filtered(
                    lambda i: i.stripe_id == stripe_id
                )
        state = OUTCOME_STATES.get(intent.state)
        if not state:
            # Not confirmed (yet): back to the form, which shows the invoice as it is now.
            return request.redirect(self._pay_url(invoice_sudo, access_token), local=False)
        message = intent.last_error if state == 'failed' else None
        return self._render(self._page_values(
            invoice_sudo, access_token, state=state, intent=intent, message=message,
            instructions=self._instructions(intent) if state == 'pending' else None,
        ))

    @http.route('/stripe/pay/<int:invoice_id>/amount', type='jsonrpc', auth='public',
                methods=['POST'])
    def stripe_pay_amount(self, invoice_id, access_token=None, amount=None, **kwargs):
        """The customer chose another amount: say whether it may be paid, with no call to
        Stripe and nothing written (the server checks it again when they press Pay).

        :return: ``{'amount', 'amount_minor', 'amount_formatted'}`` or ``{'error'}``.
        """
        invoice_sudo = self._invoice_sudo_or_none(invoice_id, access_token)
        if invoice_sudo is None:
            return {'error': request.env._("This payment link is not valid.")}
        invoice_sudo = self._in_customer_lang(invoice_sudo)
        if reason := invoice_sudo._stripe_payment_refusal():
            return {'error': self._refusal_message(invoice_sudo, reason)}
        if amount is None or amount == '':
            return {'error': request.env._("Enter the amount to pay as a number.")}
        try:
            values = self._amount_values(invoice_sudo, amount)
        except StripeAmountError as error:
            return {'error': str(error)}
        return {
            'amount': values['amount_input'],
            'amount_minor': values['amount_minor'],
            'amount_formatted': values['amount_formatted'],
        }

    @http.route('/stripe/pay/<int:invoice_id>/confirm', type='jsonrpc', auth='public',
                methods=['POST'])
    def stripe_pay_confirm(self, invoice_id, *, access_token=None, amount=None, amount_due=None,
                           stripe_account=None, confirmation_token=None, **kwargs):
        """The customer pressed Pay: the server decides, then confirms the payment on Stripe
        with the ConfirmationToken their browser made (see ``account.move._stripe_pay``).

        :param amount: The amount chosen, empty for the full amount due.
        :param str amount_due: The amount due the page showed.
        :param str stripe_account: The account the page's Stripe.js was started with.
        :param str confirmation_token: The ``ctoken_...`` made by ``createConfirmationToken``.
        :return: ``{'redirect'}`` (paid or processing: the outcome page), ``{'redirect',
            'client_secret'}`` (Stripe.js's ``handleNextAction`` first: 3-D Secure, a voucher)
            or ``{'error'}``, with ``refresh`` (what the page shows now) when the invoice
            changed, and ``final`` when nothing more can be paid on this page.
        """
        invoice_sudo = self._invoice_sudo_or_none(invoice_id, access_token)
        if invoice_sudo is None:
            return {'error': request.env._("This payment link is not valid."), 'final': True}
        invoice_sudo = self._in_customer_lang(invoice_sudo)
        if not isinstance(confirmation_token, str) \
                or not CONFIRMATION_TOKEN.fullmatch(confirmation_token):
            return {'error': request.env._(
                "Your payment details did not reach us. Nothing was charged; please try again."
            )}
        if not isinstance(amount_due, str) or not isinstance(stripe_account, str):
            return self._refused(invoice_sudo, 'changed')
        try:
            intent = invoice_sudo._stripe_pay(
                amount if amount not in (None, '') else None, amount_due, stripe_account,
                confirmation_token, self._pay_url(invoice_sudo, access_token),
            )
        except StripeAmountError as error:
            return {'error': str(error)}
        except StripePaymentRefusedError as refused:
            return self._refused(invoice_sudo, refused.reason)
        except StripeGatewayError as error:
            # A declined card or a stale token is the customer's matter; the rest the logs'.
            if not isinstance(error, StripeCardError) and error.param != 'confirmation_token':
                _logger.warning("Pay page of invoice %s: Stripe refused: %s", invoice_sudo.id,
                                error)
            return {'error': self._stripe_refusal_message(invoice_sudo, error)}
        outcome = self._pay_url(invoice_sudo, access_token, payment_intent=intent.stripe_id)
        if intent.state in ('succeeded', 'processing'):
            return {'redirect': outcome}
        if intent.stripe_status == 'requires_action':  # 3-D Secure, or a voucher to show.
            return {'redirect': outcome, 'client_secret': intent.sudo().client_secret}
        return {'error': intent.last_error or self._refusal_message(invoice_sudo, 'unavailable')}

    def _refused(self, invoice_sudo, reason):
        """Return the confirmation route's answer to a refusal of the server's."""
        invoice_sudo.invalidate_recordset()
        answer = {'error': self._refusal_message(invoice_sudo, reason)}
        if reason in FINAL_REASONS:
            answer['final'] = True
        elif reason == 'changed':
            if invoice_sudo._stripe_payment_refusal():
                answer['final'] = True
                return answer
            values = self._amount_values(invoice_sudo)
            currency = invoice_sudo.currency_id
            answer['refresh'] = {
                'amount_due': values['amount_due_key'],
                'amount_due_formatted': currency.format(invoice_sudo.amount_residual),
                'amount': values['amount_input'],
                'amount_minor': values['amount_minor'],
                'amount_formatted': values['amount_formatted'],
                'amount_low': f'{values["amount_low"]:.{currency.decimal_places}f}',
                'amount_high': f'{values["amount_high"]:.{currency.decimal_places}f}',
                'stripe_account': invoice_sudo.company_id.stripe_account_id,
            }
        return answer
