import logging
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from .. import const
from ..utils import money
from ..utils.stripe_gateway import (
    StripeAccountAccessError,
    StripeConfigurationError,
    StripeGatewayError,
    StripeUnavailableError,
)

_logger = logging.getLogger(__name__)


class StripePaymentIntent(models.Model):
    """One Stripe PaymentIntent of an invoice, and the payment it produced (at most one)."""

    _name = 'stripe.payment.intent'
    _description = "Stripe Payment"
    _order = 'id desc'
    _rec_name = 'stripe_id'
    _check_company_auto = True

    stripe_id = fields.Char(string="Stripe Reference", required=True, readonly=True, index=True)
    move_id = fields.Many2one(
        string="Invoice", comodel_name='account.move', required=True, readonly=True,
        ondelete='restrict', index=True, check_company=True,
    )
    company_id = fields.Many2one(related='move_id.company_id', store=True, readonly=True)
    partner_id = fields.Many2one(related='move_id.commercial_partner_id', readonly=True)
    stripe_account_id = fields.Char(required=True, readonly=True)
    currency_id = fields.Many2one('res.currency', required=True, readonly=True)
    amount = fields.Monetary(readonly=True)
    amount_minor = fields.Integer(string="Amount (minor units)", readonly=True)
    amount_received = fields.Monetary(readonly=True)
    application_fee_minor = fields.Integer(string="Platform Fee (minor units)", readonly=True)
    state = fields.Selection(
        string="Status",
        selection=[
            ('draft', "Waiting for payment"),
            ('pending', "Waiting for the customer"),
            ('processing', "Processing"),
            ('succeeded', "Succeeded"),
            ('failed', "Failed"),
            ('canceled', "Canceled"),
        ],
        default='draft', required=True, readonly=True, index=True,
    )
    stripe_status = fields.Char(readonly=True)
    client_secret = fields.Char(readonly=True, groups='base.group_system', copy=False)
    livemode = fields.Boolean(readonly=True)
    last_error = fields.Char(readonly=True)
    pending_instructions = fields.Json(
        readonly=True, copy=False,
        help="What the customer must do to pay outside the page (a voucher's reference and "
             "expiry, a bank transfer's details), as Stripe gave it, while the payment waits.",
    )
    secret_in_browser = fields.Boolean(
        readonly=True, copy=False,
        help="Opened before Odoo decided payments itself (version 19.0.1.3.0): its secret went to "
             "a customer's browser, which could confirm it without asking Odoo. Never reused; "
             "cancelled on Stripe while still open.",
    )
    cancel_note = fields.Char(
        readonly=True, copy=False,
        help="Why Odoo could not cancel this PaymentIntent on Stripe when it should have.",
    )
    payment_method_label = fields.Char(string="Paid With", readonly=True)
    payment_id = fields.Many2one(
        comodel_name='account.payment', readonly=True, ondelete='restrict',
        check_company=True,
    )

    refund_ids = fields.One2many(
        string="Refunds", comodel_name='stripe.refund', inverse_name='intent_id', readonly=True,
    )
    dispute_ids = fields.One2many(
        string="Disputes", comodel_name='stripe.dispute', inverse_name='intent_id', readonly=True,
    )
    amount_refunded = fields.Monetary(
        compute='_compute_amount_refunded', store=True,
        help="What was given back to the customer: refunds, and disputes lost.",
    )
    amount_refundable = fields.Monetary(
        string="Left to Refund", compute='_compute_amount_refundable',
        help="What may still be refunded: the amount received less the refunds, none while a "
             "dispute is open or after one was lost.",
    )

    _stripe_id_unique = models.Constraint(
        'UNIQUE(stripe_id)', "A Stripe PaymentIntent belongs to one record.",
    )
    _payment_unique = models.Constraint(
        'UNIQUE(payment_id)', "A payment comes from one Stripe PaymentIntent.",
    )

    # === COMPUTE METHODS === #

    @api.depends(
        'refund_ids.state', 'refund_ids.amount', 'dispute_ids.state', 'dispute_ids.payment_id',
        'dispute_ids.won_back_payment_id',
    )
    def _compute_amount_refunded(self):
        for intent in self:
            refunds = intent.refund_ids.filtered(
                lambda r: r.state in const.REFUND_REGISTERED_STATES
            )
            # Taken back by a dispute lost (appealed or not), unless won back on appeal.
            lost = intent.dispute_ids.filtered(lambda d: d.payment_id and not d.won_back_payment_id)
            intent.amount_refunded = sum(refunds.mapped('amount')) \
                + sum(lost.mapped('payment_id.amount'))

    @api.depends('state', 'payment_id', 'amount_received', 'amount_refunded', 'dispute_ids.state')
    def _compute_amount_refundable(self):
        for intent in self:
            if intent.state != 'succeeded' or not intent.payment_id \
                    or intent.dispute_ids.filtered(lambda d: d.state in ('open', 'lost')):
                intent.amount_refundable = 0.0
            else:
                intent.amount_refundable = max(
                    intent.currency_id.round(intent.amount_received - intent.amount_refunded), 0.0,
                )

    # === BUSINESS METHODS - STATE === #

    @api.model
    def _state_from_stripe(self, intent):
        """Map a PaymentIntent's status (and failure) to this record's state.

        ``requires_action`` is ``pending`` when the customer has to pay outside the page (a
        voucher, a bank transfer: see ``const.PENDING_NEXT_ACTIONS``), ``draft`` otherwise
        (3-D Secure, on the page).
        """
        if self._pending_instructions_of(intent):
            return 'pending'
        state = const.state_for_status(const.PI_STATUS_MAPPING, intent.get('status'), 'draft')
        return 'failed' if state == 'draft' and intent.get('last_payment_error') else state

    @api.model
    def _pending_instructions_of(self, intent):
        """Return what the customer must do to pay a PaymentIntent outside the page, as the
        pay page shows it: ``type`` (Stripe's next action) and, when Stripe gives them,
        ``entity``, ``reference``, ``number``, ``expires_at`` (Unix time) and ``url`` (Stripe's
        hosted voucher or instructions).

        :param dict intent: The PaymentIntent as Stripe returned it.
        :return: The instructions, or ``False`` when it waits for nothing of the kind.
        :rtype: dict | bool
        """
        action = intent.get('next_action') or {}
        kind = action.get('type')
        if intent.get('status') != 'requires_action' or kind not in const.PENDING_NEXT_ACTIONS:
            return False
        details = action.get(kind) or {}
        instructions = {'type': kind}
        for key, sources in const.PENDING_INSTRUCTION_KEYS:
            value = next((details[source] for source in sources if details.get(source)), None)
            if value:
                instructions[key] = value
        return instructions

    def _lock_for_update(self):
        """Take the row lock that serialises every registration of this PaymentIntent."""
        self.ensure_one()
        # Under Odoo's REPEATABLE READ, a row another transaction changed meanwhile makes this
        # raise a serialization failure: Odoo runs the request again, which then sees the
        # other's payment. Expected, so not logged as a bad query.
        self.env.cr.execute(SQL(
            "SELECT id FROM stripe_payment_intent WHERE id = %s FOR UPDATE", self.id,
        ), log_exceptions=False)
        self.invalidate_recordset()

    def _check_intent_matches(self, intent):
        """Return why a PaymentIntent from Stripe does not belong to this record, if it does not.

        :param dict intent: The PaymentIntent as Stripe returned it.
        :return: A reason, or ``None`` when everything matches.
        :rtype: str | None
        """
        self.ensure_one()
        metadata = intent.get('metadata') or {}
        if intent.get('id') != self.stripe_id:
            return self.env._("the PaymentIntent id differs")
        if metadata.get('odoo_database') != self.env.cr.dbname:
            return self.env._("the PaymentIntent belongs to another database")
        if metadata.get('odoo_invoice_id') != str(self.move_id.id):
            return self.env._("the PaymentIntent names another invoice")
        if metadata.get('odoo_company_id') not in (None, str(self.company_id.id)):
            return self.env._("the PaymentIntent names another company")
        if (intent.get('currency') or '').upper() != self.currency_id.name:
            return self.env._("the currency differs from the invoice's")
        if bool(intent.get('livemode')) != self.livemode:
            return self.env._("test and live mode are mixed")
        received = intent.get('amount_received') or 0
        if intent.get('status') == 'succeeded' and not 0 < received <= (intent.get('amount') or 0):
            return self.env._("the amount received is not within the PaymentIntent's amount")
        return None

    def _apply_stripe_intent(self, intent, source):
        """Bring this record in line with the PaymentIntent and register its payment once.

        Safe to call any number of times, from the webhook and from the pay page, by several
        workers at once and in any order: the row lock serialises the callers, a registered
        payment is never registered again nor moved back to an earlier state, and the unique
        payment makes one payment at most.

        :param dict intent: The PaymentIntent, fetched from Stripe on the connected account.
        :param str source: What triggered this, for the chatter (``webhook``, ``pay page``...).
        :return: Whether the PaymentIntent was refused, and what was done, for the event log.
        :rtype: tuple(bool, str)
        """
        self.ensure_one()
        self._lock_for_update()
        mismatch = self._check_intent_matches(intent)
        if mismatch:
            _logger.warning("Refused PaymentIntent %s: %s", intent.get('id'), mismatch)
            return True, self.env._("Refused: %(reason)s.", reason=mismatch)
        if self.state == 'succeeded' or self.payment_id:
            return False, self.env._(
                "Already registered as %(payment)s.", payment=self.payment_id.display_name,
            )
        new_state = self._state_from_stripe(intent)
        values = {
            'state': new_state,
            'stripe_status': intent.get('status'),
            'last_error': (intent.get('last_payment_error') or {}).get('message') or False,
            'pending_instructions': self._pending_instructions_of(intent),
        }
        if new_state != 'succeeded':
            # Only what changed: a PaymentIntent checked again and again while nothing happens
            # keeps its write date, so that the scheduled check lets it age out.
            if changes := {key: value for key, value in values.items()
                           if (self[key] or False) != (value or False)}:
                self.write(changes)
            return False, self.env._("Payment %(status)s.", status=intent.get('status'))
        currency_code = self.currency_id.name
        values.update({
            'amount_received': money.from_minor_units(intent['amount_received'], currency_code),
            'payment_method_label': self._describe_payment_method(intent),
        })
        note = ''
        if intent['amount'] != self.amount_minor:
            # The customer paid what Stripe asked, whatever Odoo believed: register that.
            note = self.env._(
                " Stripe charged %(charged)s where Odoo expected %(expected)s.",
                charged=self.currency_id.format(
                    money.from_minor_units(intent['amount'], currency_code)
                ),
                expected=self.currency_id.format(self.amount),
            )
            _logger.warning("PaymentIntent %s:%s", self.stripe_id, note)
            values.update({
                'amount': money.from_minor_units(intent['amount'], currency_code),
                'amount_minor': intent['amount'],
            })
        self.write(values)
        payment = self.env['stripe.accounting']._stripe_register_received(self, intent, source)
        return False, self.env._(
            "Registered payment %(payment)s.", payment=payment.display_name,
        ) + note

    @api.model
    def _describe_payment_method(self, intent):
        charge = intent.get('latest_charge')
        details = (charge or {}).get('payment_method_details') if isinstance(charge, dict) else None
        if not details:
            return False
        kind = details.get('type') or ''
        method = details.get(kind) or {}
        label = (method.get('brand') or kind).replace('_', ' ').title()
        if method.get('last4'):
            label = f"{label} •••• {method['last4']}"
        if wallet := (method.get('wallet') or {}).get('type'):
            # A card paid through a wallet: Apple Pay, Google Pay, Link...
            label = f"{label} ({wallet.replace('_', ' ').title()})"
        return label

    def _stripe_fetch(self, source):
        """Fetch this PaymentIntent from Stripe and apply it (exactly once), booking its
        charge's balance transaction once the payment is registered.

        :param str source: What triggered this, for the chatter.
        :return: The PaymentIntent as Stripe has it.
        :rtype: dict
        """
        self.ensure_one()
        stripe_intent = self.env['stripe.platform']._get_gateway() \
            .retrieve_payment_intent_with_balance(self.stripe_account_id, self.stripe_id)
        self._stripe_apply_fetched('payment_intent', stripe_intent, source)
        return stripe_intent

    # === BUSINESS METHODS - CONFIRMATION ON THE SERVER === #

    def _stripe_confirm_with_token(self, confirmation_token, return_url):
        """Confirm this PaymentIntent on Stripe with the ConfirmationToken the customer's
        browser made from the Payment Element (Stripe's "finalize payments on the server").

        The idempotency key names this PaymentIntent and the token, which Stripe takes once:
        a retry of the same request after a lost answer gets Stripe's first answer, and
        another press of Pay comes with another token, so another key.

        :param str confirmation_token: The ``ctoken_...`` id.
        :param str return_url: Where a payment method that redirects brings the customer back.
        :return: The PaymentIntent as Stripe answered (``succeeded``, ``processing``,
            ``requires_action``...), its latest charge expanded.
        :rtype: dict
        :raise StripeGatewayError: When Stripe refused; a declined payment's error carries
            the PaymentIntent as it is now (``payment_intent``).
        """
        self.ensure_one()
        prefix = self.move_id._stripe_idempotency_prefix()
        return self.env['stripe.platform']._get_gateway().confirm_payment_intent(
            self.stripe_account_id, self.stripe_id,
            {'confirmation_token': confirmation_token, 'return_url': return_url},
            f'{prefix}-confirm-{self.stripe_id}-{confirmation_token}',
        )

    # === BUSINESS METHODS - CANCELLATION === #

    def _stripe_cancel_reason(self):
        """Return why this PaymentIntent must be cancelled on Stripe now, or ``None``.

        An open PaymentIntent (nothing charged yet) is cancelled when no one may pay it any
        more: its invoice is paid another way, credited in full, cancelled or back to draft,
        its company disconnected or connected to another account; when a page of before the
        upgrade to 19.0.1.3.0 holds its secret (``secret_in_browser``: that page could confirm
        it without Odoo); or when it was abandoned
        (unchanged for ``const.ABANDONED_INTENT_DAYS``: Stripe never expires it). Never while
        a press of Pay is confirming a payment of the invoice.

        :rtype: str | None
        """
        self.ensure_one()
        move = self.move_id.sudo()
        if self.state not in const.OPEN_INTENT_STATES or self.cancel_note \
                or move._stripe_confirmation_in_flight():
            return None
        if move.state != 'posted':
            return 'invoice_not_posted'
        if move.payment_state in ('paid', 'in_payment', 'reversed'):
            return 'invoice_settled'
        if move.company_id.stripe_account_id != self.stripe_account_id:
            return 'account_changed'
        if self.secret_in_browser and self.state in ('draft', 'failed') \
                and self.stripe_status != 'requires_action':
            # Waiting for the customer (3-D Secure, or a voucher the check has not seen yet):
            # the hourly check learns what it is first.
            return 'secret_in_browser'
        abandoned = fields.Datetime.now() - timedelta(days=const.ABANDONED_INTENT_DAYS)
        if self.state in ('draft', 'failed') and self.write_date < abandoned:
            return 'abandoned'
        return None

    @api.model
    def _stripe_mark_secrets_in_browser(self):
        """Mark the open PaymentIntents made for the browser's own confirmation (before
        19.0.1.3.0, the pay page's GET gave their secret to the customer's browser) so that
        they are never reused and the cancel job cancels them on Stripe. Those waiting for a
        voucher or a transfer are left to the resync, which shows them as pending; they are
        cancelled if they come back open.

        :return: The marked PaymentIntents.
        """
        intents = self.sudo().search([('state', 'in', ('draft', 'failed'))])
        intents.secret_in_browser = True
        if intents:
            self.env.ref('account_stripe_connect.ir_cron_stripe_cancel_stale')._trigger()
        return intents

    @api.model
    def _stripe_stale_intents(self):
        """Return the open PaymentIntents to cancel on Stripe now (see
        :meth:`_stripe_cancel_reason`), in the mode of the platform's key."""
        candidates = self.sudo().search([
            ('state', 'in', const.OPEN_INTENT_STATES),
            ('livemode', '=', self.env['stripe.platform']._is_live()),
            ('cancel_note', '=', False),
        ], order='id')
        return candidates.filtered(lambda intent: intent._stripe_cancel_reason())

    def _stripe_cancel(self, source):
        """Cancel this open PaymentIntent on Stripe (``abandoned``) and apply Stripe's answer.

        One that Stripe can no longer cancel (the customer paid it meanwhile, it is processing)
        is fetched and applied instead: its payment is registered, as the customer's credit
        when nothing is due any more, and the invoice shows it.

        :param str source: What triggered this, for the chatter.
        :return: Whether Stripe cancelled it.
        :rtype: bool
        :raise StripeUnavailableError: When Stripe cannot be reached (try again later).
        """
        self.ensure_one()
        try:
            answer = self.env['stripe.platform']._get_gateway().cancel_payment_intent(
                self.stripe_account_id, self.stripe_id, 'abandoned',
            )
        except (StripeUnavailableError, StripeConfigurationError):
            raise
        except StripeAccountAccessError as error:
            # The platform may no longer act on that account (access revoked): no one can
            # confirm it through this database either.
            self.cancel_note = str(error)[:250]
            return False
        except StripeGatewayError as error:
            if error.code == 'payment_intent_unexpected_state':
                self._stripe_fetch(source)
                return False
            if error.code == 'resource_missing':
                self.cancel_note = str(error)[:250]
                return False
            raise
        self._apply_stripe_intent(answer, source)
        return True

    @api.model
    def _stripe_cancel_open_of_account(self, account_id):
        """Cancel on Stripe, now and as far as Stripe answers, the open PaymentIntents of a
        connected account whose access the platform is about to give up (OAuth
        deauthorization): afterwards no one could. Stripe unreachable: the rest is left open
        (nothing can be paid through this database once disconnected)."""
        intents = self.sudo().search([
            ('stripe_account_id', '=', account_id),
            ('state', 'in', const.OPEN_INTENT_STATES),
            ('livemode', '=', self.env['stripe.platform']._is_live()),
        ])
        source = self.env._("disconnection from Stripe")
        for intent in intents:
            try:
                with self.env.cr.savepoint():
                    intent._stripe_cancel(source)
            except StripeGatewayError as error:
                _logger.info("PaymentIntent %s left open on Stripe: %s", intent.stripe_id, error)
                if isinstance(error, (StripeUnavailableError, StripeConfigurationError)):
                    break

    # === BUSINESS METHODS - REFUNDS AND DISPUTES === #

    def _mark_changed(self):
        """Update this record's row after registering something under its lock.

        A worker waiting on the lock (see :meth:`_lock_for_update`) then gets a serialization
        failure and Odoo runs its request again, which sees what this transaction registered.
        """
        self.ensure_one()
        self.env.cr.execute(SQL(
            "UPDATE stripe_payment_intent SET write_date = write_date WHERE id = %s", self.id,
        ))

    def _stripe_ensure_registered(self, source):
        """Register this PaymentIntent's payment first when it is not yet: a refund or dispute
        event may come before the PaymentIntent's own event, or instead of a lost one.

        :return: Whether the payment is registered.
        :rtype: bool
        """
        self.ensure_one()
        if self.state == 'succeeded' and self.payment_id:
            return True
        self._stripe_fetch_and_apply('payment_intent', source)
        return bool(self.payment_id)

    def _stripe_fetch_and_apply(self, kind, source, object_id=None):
        """Fetch from Stripe what of this PaymentIntent an event or a check names, as Stripe
        has it now (never an event's copy), then apply it (see :meth:`_stripe_apply_fetched`).

        :param str kind: ``payment_intent`` (this one), ``refund`` or ``dispute`` (the one of
            id ``object_id``), ``refunds`` or ``disputes`` (all of this PaymentIntent's).
        :param str source: What triggered this, for the chatter.
        :param str object_id: The Refund's or Dispute's id.
        :return: Whether each object was applied (not refused), and what was done.
        :rtype: list(tuple(bool, str))
        """
        self.ensure_one()
        gateway = self.env['stripe.platform']._get_gateway()
        account = self.stripe_account_id
        if kind == 'payment_intent':
            objects = [gateway.retrieve_payment_intent_with_balance(account, self.stripe_id)]
        elif kind == 'refund':
            objects = [gateway.retrieve_refund(account, object_id)]
        elif kind == 'refunds':
            # Stripe lists the newest first: apply them in the order they happened.
            objects = list(reversed(gateway.list_refunds(account, self.stripe_id)['data']))
        elif kind == 'dispute':
            dispute = gateway.retrieve_dispute(account, object_id)
            if not dispute.get('payment_intent') and dispute.get('charge'):
                dispute['payment_intent'] = gateway.retrieve_charge(
                    account, dispute['charge'],
                ).get('payment_intent')
            objects = [dispute]
        else:
            disputes = gateway.list_disputes(account, self.stripe_id)['data']
            objects = [
                dispute for dispute in reversed(disputes)
                if dispute.get('payment_intent') == self.stripe_id
            ]
        single = {'refunds': 'refund', 'disputes': 'dispute'}.get(kind, kind)
        return [
            self._stripe_apply_fetched(single, stripe_object, source) for stripe_object in objects
        ]

    def _stripe_apply_fetched(self, kind, stripe_object, source, credit_note=None):
        """Apply one object of this PaymentIntent as fetched from Stripe, through the
        exactly-once code of its kind, which books the balance transactions it moved.

        :param str kind: ``payment_intent``, ``refund`` or ``dispute``.
        :param dict stripe_object: The object, as Stripe returned it.
        :param credit_note: The credit note a refund made in Odoo was made for.
        :return: Whether it was applied (not refused), and what was done.
        :rtype: tuple(bool, str)
        """
        self.ensure_one()
        if kind == 'payment_intent':
            refusal, note = self._apply_stripe_intent(stripe_object, source)
            if not refusal and self.payment_id:
                self.env['stripe.balance.transaction']._stripe_book_charge(self, stripe_object)
            return not refusal, note
        if kind == 'refund':
            record, note = self._apply_stripe_refund(stripe_object, source, credit_note)
        else:
            record, note = self._apply_stripe_dispute(stripe_object, source)
        return bool(record), note

    def _check_stripe_object_matches(self, stripe_object):
        """Return why a refund or dispute from Stripe does not belong to this PaymentIntent.

        :param dict stripe_object: The Refund or Dispute as Stripe returned it.
        :return: A reason, or ``None`` when it belongs here.
        :rtype: str | None
        """
        self.ensure_one()
        if stripe_object.get('payment_intent') != self.stripe_id:
            return self.env._("it concerns another PaymentIntent")
        if (stripe_object.get('currency') or '').upper() != self.currency_id.name:
            return self.env._("the currency differs from the payment's")
        # A Refund has no mode of its own: it was fetched with the platform's key, which must
        # be of the PaymentIntent's mode.
        if self.livemode != self.env['stripe.platform']._is_live():
            return self.env._("test and live mode are mixed")
        if not isinstance(stripe_object.get('amount'), int) or stripe_object['amount'] <= 0:
            return self.env._("the amount is not a positive number")
        return None

    def _lock_and_check_related(self, stripe_object, source):
        """Take this PaymentIntent's lock and return why a refund or dispute of it is refused.

        It is refused when it belongs elsewhere, or when the payment it concerns cannot be
        registered first (see :meth:`_stripe_ensure_registered`).

        :param dict stripe_object: The Refund or Dispute as Stripe returned it.
        :param str source: What triggered this, for the chatter.
        :return: A reason, or ``None`` when it may be applied.
        :rtype: str | None
        """
        self._lock_for_update()
        mismatch = self._check_stripe_object_matches(stripe_object)
        if not mismatch and not self._stripe_ensure_registered(source):
            mismatch = self.env._("the payment it concerns is not registered")
        if mismatch:
            _logger.warning("Refused %s %s: %s", stripe_object.get('object') or 'object',
                            stripe_object.get('id'), mismatch)
        return mismatch

    def _apply_stripe_refund(self, refund, source, credit_note=None):
        """Record a refund of this PaymentIntent and register its refund payment, once.

        Safe to call any number of times, from the webhook, from the refund made in Odoo and
        from a check with Stripe, by several workers at once: the row lock on this record
        serialises them and the refund's unique Stripe id makes one record, with one payment.

        :param dict refund: The Refund as Stripe returned it (never an event's copy).
        :param str source: What triggered this, for the chatter.
        :param credit_note: The credit note the refund was made for, when Odoo made it.
        :return: The refund's record (empty when refused) and what was done, for the event log.
        :rtype: tuple(stripe.refund, str)
        """
        self.ensure_one()
        Refund = self.env['stripe.refund'].sudo()
        if mismatch := self._lock_and_check_related(refund, source):
            return Refund, self.env._("Refused: %(reason)s.", reason=mismatch)
        record = Refund.search([('stripe_id', '=', refund['id'])], limit=1)
        if not record:
            made_here = (refund.get('metadata') or {}).get('odoo_database') == self.env.cr.dbname
            record = Refund.create({
                'stripe_id': refund['id'],
                'intent_id': self.id,
                'credit_note_id': (credit_note or self._stripe_credit_note_of(refund)).id,
                'amount': money.from_minor_units(refund['amount'], self.currency_id.name),
                'amount_minor': refund['amount'],
                'origin': 'odoo' if made_here else 'stripe',
            })
        note = record._stripe_update(refund, source)
        self.env['stripe.balance.transaction']._stripe_book_refund(record, refund)
        self._mark_changed()
        return record, note

    def _stripe_credit_note_of(self, refund):
        """Return the credit note a refund made by this database names, if it is one of this
        invoice's posted credit notes."""
        self.ensure_one()
        metadata = refund.get('metadata') or {}
        credit_note_id = metadata.get('odoo_credit_note_id')
        if metadata.get('odoo_database') != self.env.cr.dbname or not str(credit_note_id or '') \
                .isdigit():
            return self.env['account.move']
        credit_note = self.env['account.move'].sudo().browse(int(credit_note_id)).exists()
        if credit_note.move_type != 'out_refund' or credit_note.state != 'posted' \
                or credit_note.reversed_entry_id != self.move_id:
            return self.env['account.move']
        return credit_note

    def _stripe_refund(self, amount, reason=None, credit_note=None, idempotency_key=None):
        """Refund ``amount`` of this PaymentIntent on Stripe and register the refund at once.

        See :meth:`_stripe_refund_request`.

        :return: The refund's record.
        :rtype: stripe.refund
        """
        return self._stripe_refund_request(amount, reason, credit_note, idempotency_key)[0]

    def _stripe_refund_request(self, amount, reason=None, credit_note=None,
                               idempotency_key=None):
        """Refund ``amount`` of this PaymentIntent on Stripe and register the refund at once.

        The events Stripe sends about the refund later find it registered and change nothing.
        A refund made by this database carries its request (the idempotency key) in its
        metadata, and the record remembers it once Odoo finished the request. So a retry whose
        key changed meanwhile (the first try's work was lost in Odoo, but its webhook
        registered the refund) finds the first refund on Stripe: one of this payment, made by
        this database, for the same amount and credit note, whose request Odoo never finished.
        It is taken instead of refunding twice.

        :param float amount: The amount to give back, in the PaymentIntent's currency; at most
            what is left to refund.
        :param str reason: Stripe's reason (``requested_by_customer``, ``duplicate``,
            ``fraudulent``), if any.
        :param credit_note: The credit note the refund is made for, if any: its refund payment
            is reconciled with it.
        :param str idempotency_key: The same key for retries of the same request, so that
            Stripe refunds once however many times Odoo runs the request.
        :return: The refund's record, and whether it is a refund of an earlier try found on
            Stripe rather than a new one.
        :rtype: tuple(stripe.refund, bool)
        :raise UserError: When the amount may not be refunded, or Stripe refused.
        """
        self.ensure_one()
        intent = self.sudo()
        intent._lock_for_update()
        currency = intent.currency_id
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("Enter a positive amount to refund."))
        amount_minor = money.to_minor_units(amount, currency.name)
        gateway = self.env['stripe.platform']._get_gateway()
        if idempotency_key:
            found = intent._stripe_unfinished_refund(amount_minor, credit_note, idempotency_key)
            if found:
                record, note = intent._apply_stripe_refund(
                    found, self.env._("refund made in Odoo, found on Stripe"),
                    credit_note=credit_note,
                )
                if not record:
                    raise UserError(self.env._(
                        "Stripe made refund %(refund)s, but Odoo could not register it: "
                        "%(note)s", refund=found.get('id'), note=note,
                    ))
                record.odoo_request_id = found['metadata']['odoo_request']
                return record, True
        if currency.compare_amounts(amount, intent.amount_refundable) > 0:
            raise UserError(self.env._(
                "%(amount)s is more than what is left to refund on %(payment)s: %(left)s.",
                amount=currency.format(amount), payment=intent.stripe_id,
                left=currency.format(intent.amount_refundable),
            ))
        # Only what a retry of the same refund sends again (by another user, perhaps): the
        # idempotency key is the same, so the request must be too.
        metadata = {
            'odoo_database': self.env.cr.dbname,
            'odoo_invoice_id': str(intent.move_id.id),
        }
        if credit_note:
            metadata['odoo_credit_note_id'] = str(credit_note.id)
        if idempotency_key:
            metadata['odoo_request'] = idempotency_key
        params = {
            'payment_intent': intent.stripe_id,
            'amount': amount_minor,
            'metadata': metadata,
        }
        if reason:
            params['reason'] = reason
        platform = self.env['stripe.platform']
        refund_fee = bool(intent.application_fee_minor) and platform._refund_application_fee()
        if refund_fee:
            # The platform gives its fee back in proportion (Stripe's rule), as it chose.
            params['refund_application_fee'] = True
        refund = gateway.create_refund(intent.stripe_account_id, params, idempotency_key)
        applied, note = intent._stripe_apply_fetched(
            'refund', refund, self.env._("refund made in Odoo"), credit_note=credit_note,
        )
        if not applied:
            raise UserError(self.env._(
                "Stripe made refund %(refund)s, but Odoo could not register it: %(note)s",
                refund=refund.get('id'), note=note,
            ))
        if refund_fee:
            # The fee given back is a balance transaction of its own, which no refund field
            # names: book those of the refund's moment now rather than at the next check.
            Transaction = self.env['stripe.balance.transaction']
            Transaction._stripe_book_all(intent.company_id, Transaction._stripe_list(
                intent.company_id, refund['created'], 'application_fee_refund',
            ))
        record = intent.refund_ids.filtered(lambda r: r.stripe_id == refund['id'])
        if idempotency_key:
            record.odoo_request_id = idempotency_key
        return record, False

    def _stripe_unfinished_refund(self, amount_minor, credit_note, idempotency_key):
        """Return a refund of this payment on Stripe that this database made for the same
        amount and credit note under another request, which Odoo never finished: the first
        try of a refund whose key changed since (see :meth:`_stripe_refund_request`).

        :return: The Refund as Stripe has it, or ``None``.
        :rtype: dict | None
        """
        self.ensure_one()
        refunds = self.env['stripe.platform']._get_gateway().list_refunds(
            self.stripe_account_id, self.stripe_id,
        )['data']
        credit_note_id = str(credit_note.id) if credit_note else None
        candidates = [
            refund for refund in refunds
            if (refund.get('metadata') or {}).get('odoo_database') == self.env.cr.dbname
            and refund['metadata'].get('odoo_request') not in (None, '', idempotency_key)
            and refund['metadata'].get('odoo_credit_note_id') == credit_note_id
            and refund.get('amount') == amount_minor
            and refund.get('status') not in ('failed', 'canceled')
        ]
        finished = set(self.env['stripe.refund'].sudo().search([
            ('odoo_request_id', 'in', [r['metadata']['odoo_request'] for r in candidates]),
        ]).mapped('odoo_request_id'))
        return next(
            (refund for refund in candidates if refund['metadata']['odoo_request'] not in finished),
            None,
        )

    def _apply_stripe_dispute(self, dispute, source):
        """Record a dispute of this PaymentIntent as Stripe reports it now, and act on a change.

        Safe to call any number of times, like :meth:`_apply_stripe_refund`: a lost dispute
        registers one reversal payment however often it is reported.

        :param dict dispute: The Dispute as Stripe returned it (never an event's copy).
        :param str source: What triggered this, for the chatter.
        :return: The dispute's record (empty when refused) and what was done.
        :rtype: tuple(stripe.dispute, str)
        """
        self.ensure_one()
        Dispute = self.env['stripe.dispute'].sudo()
        if mismatch := self._lock_and_check_related(dispute, source):
            return Dispute, self.env._("Refused: %(reason)s.", reason=mismatch)
        record = Dispute.search([('stripe_id', '=', dispute['id'])], limit=1)
        is_new = not record
        if is_new:
            record = Dispute.create({
                'stripe_id': dispute['id'],
                'intent_id': self.id,
                'amount': money.from_minor_units(dispute['amount'], self.currency_id.name),
                'amount_minor': dispute['amount'],
            })
        note = record._stripe_update(dispute, source, is_new)
        self.env['stripe.balance.transaction']._stripe_book_dispute(record, dispute)
        self._mark_changed()
        return record, note

    # === BUSINESS METHODS - CHECK WITH STRIPE === #

    def _stripe_sync(self, source):
        """Apply this PaymentIntent, its refunds and its disputes as Stripe has them now,
        through the same exactly-once code as the webhook.

        :return: What was done, one note per object.
        :rtype: list(str)
        """
        self.ensure_one()
        applied, note = self._stripe_fetch_and_apply('payment_intent', source)[0]
        notes = [note]
        if not applied or not self.payment_id:
            return notes
        for kind in ('refunds', 'disputes'):
            notes += [note for _applied, note in self._stripe_fetch_and_apply(kind, source)]
        return notes

    # === BUSINESS METHODS - SCHEDULED JOBS === #

    @api.model
    def _stripe_resync_domain(self):
        """Return the domain of the PaymentIntents the scheduled check asks Stripe about: only
        those that can still change without this database confirming them.

        - processing (a bank debit) or pending (a voucher, a bank transfer): they end on
          their own, paid or failed;
        - waiting for the customer's 3-D Secure on the page, or of an invoice whose
          confirmation is (or was, if its worker died) in flight: Stripe may have the answer
          Odoo never got;
        - paid in the last ``const.RESYNC_DAYS`` days, or with an open dispute: refunds and
          disputes come from Stripe's dashboard and the card networks.

        Open PaymentIntents nobody confirmed change only when this database confirms them:
        they are not asked about, and the abandoned ones are cancelled (see
        :meth:`_stripe_cancel_reason`).
        """
        since = fields.Datetime.now() - timedelta(days=const.RESYNC_DAYS)
        return Domain('company_id.stripe_account_id', '!=', False) \
            & Domain('livemode', '=', self.env['stripe.platform']._is_live()) & Domain.OR([
                Domain('state', 'in', const.ON_ITS_WAY_INTENT_STATES),
                Domain('state', '=', 'draft') & Domain('stripe_status', '=', 'requires_action'),
                Domain('state', 'in', ('draft', 'failed'))
                & Domain('move_id.stripe_confirming_since', '!=', False),
                Domain('state', '=', 'succeeded') & Domain('write_date', '>=', since),
                Domain('dispute_ids.state', '=', 'open'),
            ])

    @api.model
    def _stripe_run_each(self, intents, method, source, deadline):
        """Call ``method`` on each PaymentIntent, committing after each, until the deadline.

        One that Stripe refuses is logged and skipped; when Stripe cannot be reached, the rest
        waits for the next run.

        :param str method: The name of a method of this model taking ``source``.
        :param float deadline: A ``time.monotonic()`` time.
        :return: The PaymentIntents done without error.
        """
        cron = self.env['ir.cron']
        done = self.browse()
        for intent in intents:
            if time.monotonic() > deadline:
                break
            try:
                with self.env.cr.savepoint():
                    getattr(intent, method)(source)
            except (StripeUnavailableError, StripeConfigurationError) as error:
                _logger.warning("Stripe cannot be asked now, the rest waits: %s", error)
                break
            except StripeGatewayError as error:
                _logger.warning("PaymentIntent %s: Stripe refused: %s", intent.stripe_id, error)
            except Exception:
                _logger.exception("PaymentIntent %s: the check with Stripe failed",
                                  intent.stripe_id)
            else:
                done |= intent
            if not cron._commit_progress(1):
                break
        return done

    @api.model
    def _cron_stripe_cancel_stale(self):
        """Cancel on Stripe the open PaymentIntents no one may pay any more (see
        :meth:`_stripe_cancel_reason`), soon after what made them so: the accountant's action
        triggers this job and never waits for Stripe itself."""
        intents = self._stripe_stale_intents()
        self.env['ir.cron']._commit_progress(remaining=len(intents))
        self._stripe_run_each(
            intents, '_stripe_cancel', self.env._("cancellation of an unpayable PaymentIntent"),
            time.monotonic() + const.RESYNC_MAX_SECONDS,
        )

    @api.model
    def _cron_stripe_resync(self):
        """Check with Stripe, for a bounded time, the PaymentIntents that can still change
        (see :meth:`_stripe_resync_domain`), so that a lost webhook delays a payment, refund or
        dispute by an hour at most; and cancel what could not be cancelled before."""
        deadline = time.monotonic() + const.RESYNC_MAX_SECONDS
        stale = self._stripe_stale_intents()
        intents = self.sudo().search(self._stripe_resync_domain()) - stale
        # What is on its way first: a payment waits on it; refunds of paid ones after.
        intents = intents.sorted(lambda intent: (intent.state == 'succeeded', intent.id))
        self.env['ir.cron']._commit_progress(remaining=len(stale) + len(intents))
        self._stripe_run_each(
            stale, '_stripe_cancel', self.env._("cancellation of an unpayable PaymentIntent"),
            deadline,
        )
        done = self._stripe_run_each(
            intents, '_stripe_sync', self.env._("scheduled check with Stripe"), deadline,
        )
        # Invoices whose press of Pay died mid-call: Stripe was asked, the marker may go.
        (done.move_id - (intents - done).move_id)._stripe_forget_expired_confirmation()
        self.env['ir.cron']._commit_progress()

    # === ACTIONS === #

    def action_stripe_refund(self):
        """Open the wizard refunding this Stripe payment, in full or in part."""
        self.ensure_one()
        return self.env['stripe.refund.wizard']._action_open(default_intent_id=self.id)
