import base64
import io
import math
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP

import qrcode
import qrcode.image.svg
from werkzeug.urls import url_encode

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..utils import money
from ..utils.stripe_gateway import (
    StripeAccountAccessError,
    StripeConfigurationError,
    StripeGatewayError,
    StripeUnavailableError,
    request_digest,
    stripe_email,
)

# What a customer may type as an amount: digits, one decimal separator (point or comma).
TYPED_AMOUNT = re.compile(r'-?\d{1,15}([.,]\d{1,6})?')
# Stripe's refusals of an amount (Stripe's own minimum and maximum, for currencies whose
# table Odoo cannot know): creating another PaymentIntent would not help.
STRIPE_AMOUNT_ERRORS = ('amount_too_small', 'amount_too_large', 'invalid_charge_amount')


class StripeAmountError(UserError):
    """The amount a customer asked to pay is not one the invoice accepts now."""


class StripePaymentRefusedError(UserError):
    """The invoice cannot be paid online now; ``reason`` is a key of its refusals."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class AccountMove(models.Model):
    _inherit = 'account.move'

    stripe_payment_intent_ids = fields.One2many(
        string="Stripe Payments", comodel_name='stripe.payment.intent', inverse_name='move_id',
        readonly=True,
    )
    stripe_webhook_event_ids = fields.One2many(
        string="Stripe Events", comodel_name='stripe.webhook.event', inverse_name='move_id',
        readonly=True,
    )
    stripe_status = fields.Selection(
        selection=[
            ('pending', "Pending"),
            ('partial', "Partially paid"),
            ('paid', "Paid"),
            ('refunded', "Refunded"),
            ('disputed', "Disputed"),
        ],
        compute='_compute_stripe_status', store=True, index='btree_not_null',
        help="Where the invoice's online payments with Stripe stand.",
    )
    stripe_pay_url = fields.Char(
        string="Online Payment Link", compute='_compute_stripe_pay_url',
        help="The public page where the customer sees this invoice and pays it with Stripe.",
    )
    stripe_refund_ids = fields.One2many(
        string="Stripe Refunds", comodel_name='stripe.refund', inverse_name='move_id',
        readonly=True,
    )
    stripe_dispute_ids = fields.One2many(
        string="Stripe Disputes", comodel_name='stripe.dispute', inverse_name='move_id',
        readonly=True,
    )
    stripe_dispute_state = fields.Selection(
        string="Stripe Dispute",
        selection=[('open', "Open"), ('lost', "Lost")],
        compute='_compute_stripe_dispute_banner',
    )
    stripe_dispute_banner = fields.Char(compute='_compute_stripe_dispute_banner')
    stripe_credit_note_refundable = fields.Monetary(
        string="Refundable with Stripe", compute='_compute_stripe_credit_note_refundable',
        help="What of this credit note may be refunded to the customer with Stripe: at most "
             "its amount due and what is left to refund on the invoice's Stripe payments.",
    )

    # === COMPUTE METHODS === #

    @api.depends(
        'payment_state', 'stripe_payment_intent_ids.state',
        'stripe_payment_intent_ids.amount_received', 'stripe_payment_intent_ids.amount_refunded',
        'stripe_refund_ids.state', 'stripe_dispute_ids.state',
    )
    def _compute_stripe_status(self):
        """``disputed`` while a dispute is open, or lost and not paid again; ``pending`` while
        a payment is on its way; ``refunded`` once all the money Stripe received for the
        invoice went back to the customer; else ``paid`` or ``partial`` by the invoice's own
        payment state."""
        for move in self:
            states = set(move.stripe_payment_intent_ids.mapped('state'))
            dispute_states = set(move.stripe_dispute_ids.mapped('state'))
            if 'open' in dispute_states or (
                'lost' in dispute_states and move.payment_state not in ('paid', 'in_payment')
            ):
                move.stripe_status = 'disputed'
            elif states & set(const.ON_ITS_WAY_INTENT_STATES):
                move.stripe_status = 'pending'
            elif move._stripe_all_given_back():
                move.stripe_status = 'refunded'
            elif 'succeeded' in states:
                move.stripe_status = 'paid' if move.payment_state in ('paid', 'in_payment') \
                    else 'partial'
            else:
                move.stripe_status = False

    @api.depends(
        'move_type', 'state', 'amount_residual', 'currency_id', 'stripe_payment_intent_ids.state',
        'company_id.stripe_account_id', 'company_id.stripe_charges_enabled',
    )
    def _compute_stripe_pay_url(self):
        for move in self:
            move.stripe_pay_url = move._stripe_can_pay_online() and move._stripe_get_pay_url()

    @api.depends('stripe_dispute_ids.state', 'stripe_dispute_ids.evidence_due_by')
    def _compute_stripe_dispute_banner(self):
        for move in self:
            disputes = move.stripe_dispute_ids
            shown = disputes.filtered(lambda d: d.state == 'open')[:1] or (
                disputes.filtered(lambda d: d.state == 'lost')[:1]
                if move.payment_state not in ('paid', 'in_payment') else disputes.browse()
            )
            move.stripe_dispute_state = shown.state or False
            move.stripe_dispute_banner = shown._state_sentence() if shown else False

    @api.depends('move_type', 'state', 'amount_residual', 'reversed_entry_id')
    def _compute_stripe_credit_note_refundable(self):
        for move in self:
            move.stripe_credit_note_refundable = 0.0
            if move.move_type != 'out_refund' or move.state != 'posted':
                continue
            intents = move._stripe_refundable_intents()
            left = sum(intents.mapped('amount_refundable'))
            move.stripe_credit_note_refundable = min(left, max(move.amount_residual, 0.0))

    # === BUSINESS METHODS - PAY LINK === #

    def _stripe_payment_refusal(self):
        """Return why this invoice cannot be paid online now, or ``None`` when it can.

        :return: A key of :meth:`_stripe_refusal_messages`, or ``None``.
        :rtype: str | None
        """
        self.ensure_one()
        if self.move_type != 'out_invoice':
            return 'not_invoice'
        if self.state == 'draft':
            return 'draft'
        if self.state == 'cancel':
            return 'cancelled'
        if self.currency_id.is_zero(self.amount_residual) or self.amount_residual < 0:
            return 'paid'
        if not money.is_supported_currency(self.currency_id.name):
            return 'currency'
        states = set(self.sudo().stripe_payment_intent_ids.mapped('state'))
        if 'processing' in states:
            # A bank debit on its way: another payment now could charge the customer twice.
            return 'processing'
        if 'pending' in states:
            # A voucher or bank transfer the customer may still pay, outside the page.
            return 'pending'
        if not self.company_id.sudo()._stripe_can_take_payments():
            return 'unavailable'
        minimum, maximum, _published = money.charge_limits(self.currency_id.name)
        due = money.to_minor_units(self.amount_residual, self.currency_id.name, ROUND_CEILING)
        if due < minimum:
            return 'below_minimum'
        if due > maximum and not self.company_id.stripe_allow_partial_payments:
            return 'above_maximum'
        return None

    def _stripe_is_settled(self):
        """Return whether nothing may be paid on this invoice any more: not posted, or paid,
        or reversed (credited in full)."""
        self.ensure_one()
        return self.state != 'posted' or self.payment_state in ('paid', 'in_payment', 'reversed')

    def _stripe_can_pay_online(self):
        """Return whether the customer may pay this invoice online now (no call to Stripe)."""
        self.ensure_one()
        return self._stripe_payment_refusal() is None

    def _stripe_get_pay_url(self):
        """Return the absolute pay link of the invoice, carrying its portal access token."""
        self.ensure_one()
        token = self.sudo()._portal_ensure_token()
        return f'{self.get_base_url()}/stripe/pay/{self.id}?{url_encode({"access_token": token})}'

    def _stripe_pay_qr_code(self):
        """Return the pay link as a QR code image (data URI) for the PDF, or ``None``."""
        self.ensure_one()
        if not self.stripe_pay_url:
            return None
        # An SVG drawn by the qrcode package (an Odoo requirement) costs a fifth of the PNG of
        # ir.actions.report.barcode(): it shows when many invoices are sent at once.
        image = qrcode.make(
            self.stripe_pay_url, image_factory=qrcode.image.svg.SvgPathImage, border=2,
        )
        svg = io.BytesIO()
        image.save(svg)
        return 'data:image/svg+xml;base64,' + base64.b64encode(svg.getvalue()).decode()

    # === BUSINESS METHODS - AMOUNTS === #

    def _stripe_charge_limits(self):
        """Return the smallest and the largest payment Stripe takes in the invoice's currency
        (see ``money.charge_limits``), in that currency.

        :return: (minimum, maximum, whether the minimum is Stripe's published one)
        :rtype: tuple(float, float, bool)
        """
        self.ensure_one()
        code = self.currency_id.name
        minimum, maximum, published = money.charge_limits(code)
        return money.from_minor_units(minimum, code), money.from_minor_units(maximum, code), \
            published

    def _stripe_amount_bounds(self):
        """Return the lowest and highest amount the customer may pay now, in invoice currency.

        The highest is the amount due, or the most Stripe takes at once. The lowest is the
        amount due too, unless the company allows partial payments: then it is the company's
        minimum (converted), and never less than Stripe's minimum for the currency.

        :rtype: tuple(float, float)
        """
        self.ensure_one()
        due = self.amount_residual
        company = self.company_id
        stripe_minimum, stripe_maximum, _published = self._stripe_charge_limits()
        # More than Stripe takes at once: at most its maximum, leaving enough to pay online.
        if due > stripe_maximum:
            high = min(stripe_maximum, self.currency_id.round(due - stripe_minimum))
        else:
            high = due
        if not company.stripe_allow_partial_payments:
            return high, high
        minimum = company.currency_id._convert(
            company.stripe_partial_payment_minimum, self.currency_id, company,
            self.invoice_date or fields.Date.context_today(self),
        )
        minimum = max(minimum, self.currency_id.rounding, stripe_minimum)
        return min(minimum, high), high

    def _stripe_due_key(self):
        """Return the amount due as the pay page shows it and sends it back when the customer
        presses Pay (a string at the currency's precision): the invoice changed meanwhile when
        they differ."""
        self.ensure_one()
        return f'{self.amount_residual:.{self.currency_id.decimal_places}f}'

    def _stripe_parse_amount(self, value):
        """Return the amount the customer typed or sent as a number.

        Anything else than a plain decimal number (with a point or a comma) within a sane
        size is refused before any arithmetic: a 400-digit integer, ``1e308``, ``NaN``,
        ``inf``, a list or a boolean get a sentence, never an overflow.

        :param value: A number or a string from the customer's browser.
        :rtype: float
        :raise StripeAmountError: When it is not such a number.
        """
        not_a_number = StripeAmountError(self.env._("Enter the amount to pay as a number."))
        if isinstance(value, str):
            value = value.strip()
            if not TYPED_AMOUNT.fullmatch(value):
                raise not_a_number
            value = float(value.replace(',', '.'))
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise not_a_number
        elif isinstance(value, int):
            if abs(value) > const.LARGEST_TYPED_AMOUNT:
                raise self._stripe_bounds_error()
            value = float(value)
        if not math.isfinite(value):
            raise not_a_number
        if abs(value) > const.LARGEST_TYPED_AMOUNT:
            raise self._stripe_bounds_error()
        return value

    def _stripe_bounds_error(self):
        """Return the refusal of an amount outside what the customer may pay now."""
        self.ensure_one()
        low, high = self._stripe_amount_bounds()
        currency = self.currency_id
        if currency.compare_amounts(low, high) == 0:
            return StripeAmountError(self.env._(
                "This invoice can only be paid in full: %(due)s.", due=currency.format(high),
            ))
        return StripeAmountError(self.env._(
            "Choose an amount between %(low)s and %(high)s.",
            low=currency.format(low), high=currency.format(high),
        ))

    def _stripe_check_amount(self, amount):
        """Return the amount to charge, refusing any outside the allowed bounds.

        :param amount: The amount the customer asked for (a number, or a string as typed), or
            ``None`` (or an empty string) for the full amount due.
        :rtype: float
        :raise StripeAmountError: When the amount is not a number or is out of bounds.
        """
        self.ensure_one()
        low, high = self._stripe_amount_bounds()
        if amount is None or amount == '':
            return high
        currency = self.currency_id
        amount = currency.round(self._stripe_parse_amount(amount))
        if currency.compare_amounts(amount, low) < 0 or currency.compare_amounts(amount, high) > 0:
            raise self._stripe_bounds_error()
        stripe_minimum = self._stripe_charge_limits()[0]
        rest = currency.round(self.amount_residual - amount)
        if currency.compare_amounts(rest, 0.0) > 0 \
                and currency.compare_amounts(rest, stripe_minimum) < 0:
            # What would be left could not be paid online: Stripe takes nothing smaller.
            raise StripeAmountError(self.env._(
                "Stripe takes no payment below %(minimum)s: pay the whole %(due)s, or leave at "
                "least %(minimum)s to pay later.",
                minimum=currency.format(stripe_minimum),
                due=currency.format(self.amount_residual),
            ))
        return amount

    def _stripe_amount_to_charge(self, requested=None):
        """Return what a payment of the amount the customer asked for charges, as Stripe
        charges it.

        The full amount due is rounded up to what Stripe can charge (KWD in tens of fils, MGA
        in whole ariary...) so that paying it always settles the invoice; a few minor units
        more stay as the customer's credit.

        :param requested: The amount asked for (see :meth:`_stripe_check_amount`), ``None``
            for the full amount due.
        :return: (amount in the invoice's currency, the same in Stripe's minor units)
        :rtype: tuple(float, int)
        :raise StripeAmountError: When the amount is refused.
        """
        self.ensure_one()
        amount = self._stripe_check_amount(requested)
        currency = self.currency_id
        full = requested in (None, '') \
            or currency.compare_amounts(amount, self.amount_residual) >= 0
        amount_minor = money.to_minor_units(
            amount, currency.name, rounding=ROUND_CEILING if full else ROUND_HALF_UP,
        )
        amount_minor = max(amount_minor, money.minor_unit_step(currency.name))
        return money.from_minor_units(amount_minor, currency.name), amount_minor

    def _stripe_application_fee_minor(self, amount_minor):
        """Return the platform's fee on a payment, in minor units, below the amount itself."""
        self.ensure_one()
        percent, fixed = self.env['stripe.platform']._get_fee_settings()
        if not percent and not fixed:
            return 0
        company = self.company_id
        fixed_in_currency = company.currency_id._convert(
            fixed, self.currency_id, company, fields.Date.context_today(self),
        )
        code = self.currency_id.name
        fee = money.to_minor_units(
            amount_minor * percent / 100.0 / 10 ** money.minor_unit_exponent(code)
            + fixed_in_currency, code, rounding=ROUND_FLOOR,
        )
        step = money.minor_unit_step(code)
        return max(0, min(fee, amount_minor - step))

    # === BUSINESS METHODS - PAYMENT INTENT === #

    def _stripe_prepare_intent(self, amount=None):
        """Return an open PaymentIntent of this invoice for this amount, not confirmed.

        The invoice's open PaymentIntent (waiting for a payment method, after a decline too)
        of the same account, currency and mode, whose secret no browser holds, is reused:
        with no call to Stripe for the same amount and platform fee, updated on Stripe for
        another. A new one is created only when none can serve. The pay page calls this only
        for the press that won the decision (see :meth:`_stripe_pay`).

        :param amount: The amount chosen by the customer, ``None`` for the full amount due.
        :rtype: stripe.payment.intent
        :raise StripeAmountError: When the amount is refused.
        :raise StripePaymentRefusedError: When the invoice cannot be paid online any more.
        :raise StripeGatewayError: When Stripe refused or could not be reached.
        """
        self.ensure_one()
        move = self.sudo()
        amount, amount_minor = move._stripe_amount_to_charge(amount)
        company = move.company_id
        live = self.env['stripe.platform']._is_live()
        open_intents = move.stripe_payment_intent_ids.filtered(
            lambda i: i.state in ('draft', 'failed')
            and not i.secret_in_browser
            and i.stripe_account_id == company.stripe_account_id
            and i.currency_id == move.currency_id
            and i.livemode == live
        )
        intent = open_intents.sorted('id', reverse=True)[:1]
        fee_minor = move._stripe_application_fee_minor(amount_minor)
        if intent and intent.amount_minor == amount_minor \
                and intent.application_fee_minor == fee_minor:
            return intent
        gateway = self.env['stripe.platform']._get_gateway()
        if intent:
            params = {'amount': amount_minor}
            if fee_minor:
                params['application_fee_amount'] = fee_minor
            elif intent.application_fee_minor:
                params['application_fee_amount'] = ''  # Stripe's way to remove the fee.
            try:
                # Setting an amount is idempotent in itself: a fresh key per update (kept by
                # the SDK's own retries) never replays an older update of another amount.
                gateway.update_payment_intent(company.stripe_account_id, intent.stripe_id, params)
            except (StripeUnavailableError, StripeConfigurationError, StripeAccountAccessError):
                raise  # Creating another PaymentIntent would not work any better.
            except StripeGatewayError as error:
                if error.code in STRIPE_AMOUNT_ERRORS:
                    raise
                # Not updatable any more: the customer may have paid it meanwhile (a page of
                # before, a webhook not arrived yet). What Stripe says of it comes first, so
                # that a paid PaymentIntent never leads to a second charge.
                intent._stripe_fetch(self.env._("pay page"))
                move.invalidate_recordset()
                if reason := move._stripe_payment_refusal():
                    raise StripePaymentRefusedError(reason) from error
                if intent.state not in ('draft', 'failed', 'canceled'):
                    raise StripePaymentRefusedError('changed') from error
                if intent.state != 'canceled':
                    raise  # Still open but refused: never a second PaymentIntent beside it.
            else:
                intent.write({
                    'amount': amount, 'amount_minor': amount_minor,
                    'application_fee_minor': fee_minor,
                })
                return intent
        return move._stripe_create_intent(gateway, amount, amount_minor, fee_minor)

    def _stripe_idempotency_prefix(self):
        """Return what makes this database's idempotency keys its own."""
        self.ensure_one()
        return f"{self.env['stripe.platform']._idempotency_prefix()}-inv{self.id}"

    def _stripe_create_intent(self, gateway, amount, amount_minor, fee_minor):
        """Create the PaymentIntent on the connected account, not confirmed, and its local
        record."""
        self.ensure_one()
        company = self.company_id
        # For the business's Stripe dashboard, in the company's language: the same whatever
        # language the customer reads the page in, so that a retry sends the same request.
        company_env = self.with_context(lang=company.partner_id.lang or 'en_US').env
        params = {
            'amount': amount_minor,
            'currency': self.currency_id.name.lower(),
            'automatic_payment_methods': {'enabled': True},
            'description': company_env._("Invoice %(name)s", name=self.name),
            'metadata': {
                'odoo_database': self.env.cr.dbname,
                'odoo_company_id': str(company.id),
                'odoo_invoice_id': str(self.id),
                'odoo_invoice': self.name,
            },
        }
        if email := self._stripe_receipt_email():
            params['receipt_email'] = email
        if fee_minor:
            params['application_fee_amount'] = fee_minor
        # Deterministic key: a retry after a lost answer sends the same request and finds the
        # same PaymentIntent, never confirmed (confirming is another request, with the
        # customer's token). The key names what is sent, so a try after something changed
        # (the amount, the customer's email, the platform fee) is a new request with its own
        # key, never refused by Stripe as a replay with other parameters; the PaymentIntent of
        # the lost try was never confirmed and never shown to anyone: it cannot charge.
        count = len(self.stripe_payment_intent_ids)
        key = f'{self._stripe_idempotency_prefix()}-pi{count}-{request_digest(params)}'
        intent = gateway.create_payment_intent(company.stripe_account_id, params, key)
        return self.env['stripe.payment.intent'].sudo().create({
            'stripe_id': intent['id'],
            'move_id': self.id,
            'stripe_account_id': company.stripe_account_id,
            'currency_id': self.currency_id.id,
            'amount': amount,
            'amount_minor': amount_minor,
            'application_fee_minor': fee_minor,
            'client_secret': intent['client_secret'],
            'livemode': self.env['stripe.platform']._is_live(),  # The key's mode.
            'stripe_status': intent.get('status'),
        })

    def _stripe_receipt_email(self):
        """Return the customer's email for Stripe's receipt, when it is exactly one valid
        address (see ``stripe_email``): two addresses or a wrong one never block payment.

        :rtype: str | None
        """
        self.ensure_one()
        return stripe_email(self.partner_id.email or self.commercial_partner_id.email)

    def _stripe_sync_intent(self, stripe_id, source):
        """Fetch one of this invoice's PaymentIntents from Stripe and apply it (exactly once).

        :return: The local record, or an empty recordset when the id is not this invoice's.
        :rtype: stripe.payment.intent
        """
        self.ensure_one()
        intent = self.sudo().stripe_payment_intent_ids.filtered(lambda i: i.stripe_id == stripe_id)
        if intent:
            intent._stripe_fetch(source)
        return intent

    @api.model
    def _cron_stripe_resync(self):
        """Run the scheduled check with Stripe (see stripe.payment.intent's)."""
        self.env['stripe.payment.intent']._cron_stripe_resync()

    # === BUSINESS METHODS - REFUNDS, DISPUTES, CHECK WITH STRIPE === #

    def _stripe_all_given_back(self):
        """Return whether all the money Stripe received for this invoice went back to the
        customer (refunds, disputes lost)."""
        self.ensure_one()
        succeeded = self.stripe_payment_intent_ids.filtered(lambda i: i.state == 'succeeded')
        received = sum(succeeded.mapped('amount_received'))
        given_back = sum(succeeded.mapped('amount_refunded'))
        currency = self.currency_id
        return bool(self.stripe_refund_ids) and not currency.is_zero(received) \
            and currency.compare_amounts(given_back, received) >= 0

    def _stripe_refundable_intents(self):
        """Return the Stripe payments of the invoice this credit note reverses that may still be
        refunded, newest first."""
        self.ensure_one()
        invoice = self.reversed_entry_id.sudo()
        if self.move_type != 'out_refund' or not invoice:
            return self.env['stripe.payment.intent']
        return invoice.stripe_payment_intent_ids.filtered(
            lambda i: i.currency_id == self.currency_id
            and not i.currency_id.is_zero(i.amount_refundable)
        ).sorted('id', reverse=True)

    def _stripe_snapshot(self):
        """Return what the invoice knows of its Stripe payments, to tell what a check changed."""
        self.ensure_one()
        move = self.sudo()
        return (
            set(move.stripe_payment_intent_ids.filtered('payment_id').ids),
            {(refund.id, refund.state) for refund in move.stripe_refund_ids},
            {(dispute.id, dispute.state) for dispute in move.stripe_dispute_ids},
        )

    def _stripe_resync(self, source):
        """Look up this invoice's PaymentIntents, their refunds and disputes on Stripe and apply
        what the webhooks would have, through the same exactly-once code.

        :return: What was done, one note per Stripe object.
        :rtype: list(str)
        """
        self.ensure_one()
        notes = []
        # Stripe answers a key of one mode about the objects of that mode only.
        live = self.env['stripe.platform']._is_live()
        intents = self.sudo().stripe_payment_intent_ids.filtered(
            lambda i: i.state != 'canceled' and i.livemode == live
        )
        for intent in intents.sorted('id'):
            notes += intent._stripe_sync(source)
        return notes

    # === ACTIONS === #

    def action_stripe_copy_pay_link(self):
        """Show the pay link so that the back office can copy it."""
        self.ensure_one()
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'title': self.env._("Online payment link"),
                'message': self.stripe_pay_url or self.env._(
                    "This invoice cannot be paid online now."
                ),
                'sticky': True,
                'type': 'info' if self.stripe_pay_url else 'warning',
            },
        }

    def action_stripe_check(self):
        """Check the invoice's Stripe payments with Stripe and register what Odoo missed."""
        self.check_access('write')
        changes = {'payments': 0, 'refunds': 0, 'disputes': 0}
        source = self.env._("check with Stripe by %(user)s", user=self.env.user.name)
        for move in self:
            before = move._stripe_snapshot()
            move._stripe_resync(source)
            after = move._stripe_snapshot()
            changes['payments'] += len(after[0] - before[0])
            changes['refunds'] += len(after[1] - before[1])
            changes['disputes'] += len(after[2] - before[2])
        if any(changes.values()):
            message = self.env._(
                "Registered from Stripe: %(payments)s payment(s), %(refunds)s refund change(s), "
                "%(disputes)s dispute change(s).", **changes,
            )
        else:
            message = self.env._("Odoo already agrees with Stripe: nothing to register.")
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'title': self.env._("Checked with Stripe"),
                'message': message,
                'type': 'success' if any(changes.values()) else 'info',
                'next': {'type': 'ir.actions.client', 'tag': 'soft_reload'},
            },
        }

    def action_stripe_refund_credit_note(self):
        """Open the wizard refunding this credit note to the customer with Stripe."""
        self.ensure_one()
        return self.env['stripe.refund.wizard']._action_open(default_credit_note_id=self.id)
