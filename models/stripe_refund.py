from markupsafe import Markup

from odoo import api, fields, models

from .. import const


class StripeRefund(models.Model):
    """One Stripe Refund of a PaymentIntent, and the refund payment it produced (at most one).

    Refunds made from Odoo and from Stripe's dashboard end up here alike; the unique Stripe id
    makes one record, and so one refund payment, of each.
    """

    _name = 'stripe.refund'
    _description = "Stripe Refund"
    _order = 'id desc'
    _rec_name = 'stripe_id'
    _check_company_auto = True

    stripe_id = fields.Char(string="Stripe Reference", required=True, readonly=True, index=True)
    intent_id = fields.Many2one(
        string="Stripe Payment", comodel_name='stripe.payment.intent', required=True,
        readonly=True, ondelete='restrict', index=True, check_company=True,
    )
    move_id = fields.Many2one(
        string="Invoice", related='intent_id.move_id', store=True, index=True,
    )
    credit_note_id = fields.Many2one(
        comodel_name='account.move', readonly=True,
        index='btree_not_null', ondelete='set null', check_company=True,
        help="The credit note the refund was made for; its payment is reconciled with it.",
    )
    company_id = fields.Many2one(related='intent_id.company_id', store=True)
    partner_id = fields.Many2one(related='intent_id.partner_id')
    currency_id = fields.Many2one(related='intent_id.currency_id', store=True)
    amount = fields.Monetary(readonly=True)
    amount_minor = fields.Integer(string="Amount (minor units)", readonly=True)
    state = fields.Selection(
        string="Status",
        selection=[
            ('pending', "Pending"),
            ('succeeded', "Succeeded"),
            ('failed', "Failed"),
            ('canceled', "Canceled"),
        ],
        default='pending', required=True, readonly=True, index=True,
    )
    stripe_status = fields.Char(readonly=True)
    reason = fields.Char(readonly=True)
    failure_reason = fields.Char(readonly=True)
    origin = fields.Selection(
        string="Made From",
        selection=[('odoo', "Odoo"), ('stripe', "Stripe")],
        default='stripe', required=True, readonly=True,
    )
    payment_id = fields.Many2one(
        string="Refund Payment", comodel_name='account.payment', readonly=True,
        ondelete='restrict', check_company=True,
    )
    odoo_request_id = fields.Char(
        readonly=True, copy=False, index='btree_not_null',
        help="The request of this database that made the refund, once Odoo finished it.",
    )
    balance_transaction_ids = fields.One2many(
        string="Balance Transactions", comodel_name='stripe.balance.transaction',
        inverse_name='refund_id', readonly=True,
    )

    _stripe_id_unique = models.Constraint(
        'UNIQUE(stripe_id)', "A Stripe refund belongs to one record.",
    )
    _payment_unique = models.Constraint(
        'UNIQUE(payment_id)', "A refund payment comes from one Stripe refund.",
    )

    # === BUSINESS METHODS === #

    @api.model
    def _state_from_stripe(self, refund):
        """Map a Refund's status to this record's state."""
        return const.state_for_status(const.REFUND_STATUS_MAPPING, refund.get('status'), 'pending')

    def _stripe_update(self, refund, source):
        """Bring this record in line with the Refund as Stripe has it now; register its refund
        payment once Stripe took the money, and cancel it if the refund failed afterwards.

        Called under the row lock of the PaymentIntent (see
        ``stripe.payment.intent._apply_stripe_refund``).

        :return: What was done, for the event log.
        :rtype: str
        """
        self.ensure_one()
        new_state = self._state_from_stripe(refund)
        self.write({
            'state': new_state,
            'stripe_status': refund.get('status'),
            'reason': refund.get('reason') or False,
            'failure_reason': refund.get('failure_reason') or False,
        })
        registered = new_state in const.REFUND_REGISTERED_STATES
        if registered and not self.payment_id:
            self._register_payment(source, refund.get('created'))
            return self.env._(
                "Registered refund %(refund)s as %(payment)s.",
                refund=self.stripe_id, payment=self.payment_id.display_name,
            )
        if not registered and self.payment_id and self.payment_id.state != 'canceled':
            self._cancel_payment(source)
            return self.env._(
                "Refund %(refund)s %(status)s: its payment %(payment)s is canceled.",
                refund=self.stripe_id, status=refund.get('status'),
                payment=self.payment_id.display_name,
            )
        if self.payment_id:
            return self.env._(
                "Refund %(refund)s already registered as %(payment)s.",
                refund=self.stripe_id, payment=self.payment_id.display_name,
            )
        return self.env._(
            "Refund %(refund)s %(status)s.", refund=self.stripe_id, status=refund.get('status'),
        )

    def _register_payment(self, source, timestamp):
        """Register the money given back as a refund payment dated when Stripe made the
        refund (see ``stripe.accounting._stripe_register_given_back``) and tell the invoice.

        :param int timestamp: The refund's ``created``.
        """
        self.ensure_one()
        intent = self.intent_id
        self.payment_id = self.env['stripe.accounting']._stripe_register_given_back(
            intent, self.amount, timestamp, f'{intent.move_id.name} - {self.stripe_id}',
            credit_note=self.credit_note_id,
        )
        currency = self.currency_id
        if self.payment_id.reconciled_invoice_ids & self.credit_note_id:
            outcome = self.env._(
                "It is reconciled with the credit note %(credit_note)s.",
                credit_note=self.credit_note_id.display_name,
            )
        else:
            outcome = self.env._(
                "The amount refunded is due on the invoice again: %(due)s due now.",
                due=currency.format(intent.move_id.amount_residual),
            )
        body = Markup("<p>%s</p><p>%s</p>") % (self.env._(
            "%(amount)s refunded to the customer with Stripe (refund %(refund)s of "
            "%(payment_ref)s, made in %(origin)s), registered from the %(trigger)s as %(payment)s.",
            amount=currency.format(self.amount),
            refund=self.stripe_id,
            payment_ref=intent.stripe_id,
            origin=dict(self._fields['origin']._description_selection(self.env))[self.origin],
            trigger=source,
            payment=self.payment_id.display_name,
        ), outcome)
        for move in (intent.move_id | self.credit_note_id).sudo():
            move.message_post(body=body, subtype_xmlid='mail.mt_note')

    def _cancel_payment(self, source):
        """Cancel the refund payment of a refund that failed after Stripe had taken the money:
        the money is back on the Stripe balance, so the invoice is paid again."""
        self.ensure_one()
        payment = self.payment_id.sudo()
        self.env['stripe.accounting']._stripe_cancel_payment(self.intent_id, payment)
        body = Markup("<p>%s</p>") % self.env._(
            "Stripe refund %(refund)s %(status)s (%(reason)s): the money is back on the Stripe "
            "balance, its payment %(payment)s is canceled (from the %(trigger)s).",
            refund=self.stripe_id, status=self.stripe_status,
            reason=self.failure_reason or self.env._("no reason given"),
            payment=payment.display_name, trigger=source,
        )
        for move in (self.intent_id.move_id | self.credit_note_id).sudo():
            move.message_post(body=body, subtype_xmlid='mail.mt_note')
