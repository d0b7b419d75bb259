import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .. import const
from ..utils import money

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
        """Map a PaymentIntent's status (and failure) to this record's state."""
        state = const.state_for_status(const.PI_STATUS_MAPPING, intent.get('status'), 'draft')
        return 'failed' if state == 'draft' and intent.get('last_payment_error') else state

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
        }
        if new_state != 'succeeded':
            self.write(values)
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
            return f"{label} •••• {method['last4']}"
        return label

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

        The events Stripe sends about the refund later find it registered and change nothing.

        :param float amount: The amount to give back, in the PaymentIntent's currency; at most
            what is left to refund.
        :param str reason: Stripe's reason (``requested_by_customer``, ``duplicate``,
            ``fraudulent``), if any.
        :param credit_note: The credit note the refund is made for, if any: its refund payment
            is reconciled with it.
        :param str idempotency_key: The same key for retries of the same request, so that
            Stripe refunds once however many times Odoo runs the request.
        :return: The refund's record.
        :rtype: stripe.refund
        :raise UserError: When the amount may not be refunded, or Stripe refused.
        """
        self.ensure_one()
        intent = self.sudo()
        intent._lock_for_update()
        currency = intent.currency_id
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("Enter a positive amount to refund."))
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
        params = {
            'payment_intent': intent.stripe_id,
            'amount': money.to_minor_units(amount, currency.name),
            'metadata': metadata,
        }
        if reason:
            params['reason'] = reason
        platform = self.env['stripe.platform']
        refund_fee = bool(intent.application_fee_minor) and platform._refund_application_fee()
        if refund_fee:
            # The platform gives its fee back in proportion (Stripe's rule), as it chose.
            params['refund_application_fee'] = True
        refund = platform._get_gateway().create_refund(
            intent.stripe_account_id, params, idempotency_key,
        )
        source = self.env._("refund made in Odoo")
        applied, note = intent._stripe_apply_fetched(
            'refund', refund, source, credit_note=credit_note,
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
        return intent.refund_ids.filtered(lambda r: r.stripe_id == refund['id'])

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

    # === ACTIONS === #

    def action_stripe_refund(self):
        """Open the wizard refunding this Stripe payment, in full or in part."""
        self.ensure_one()
        return self.env['stripe.refund.wizard']._action_open(default_intent_id=self.id)
