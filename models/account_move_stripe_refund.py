from odoo import api, fields, models


class AccountMove(models.Model):
    """Refunds, disputes and the check with Stripe, on invoices and credit notes."""

    _inherit = 'account.move'

    stripe_status = fields.Selection(
        selection_add=[('refunded', "Refunded"), ('disputed', "Disputed")],
        ondelete={'refunded': 'set null', 'disputed': 'set null'},
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
        'stripe_payment_intent_ids.amount_received', 'stripe_payment_intent_ids.amount_refunded',
        'stripe_refund_ids.state', 'stripe_dispute_ids.state',
    )
    def _compute_stripe_status(self):
        """Override of account_stripe_connect to show disputes and refunds: ``disputed`` while a
        dispute is open, or lost and not paid again; ``refunded`` once all the money Stripe
        received for the invoice went back to the customer."""
        result = super()._compute_stripe_status()
        for move in self:
            dispute_states = set(move.stripe_dispute_ids.mapped('state'))
            if 'open' in dispute_states or (
                'lost' in dispute_states and move.payment_state not in ('paid', 'in_payment')
            ):
                move.stripe_status = 'disputed'
                continue
            if move.stripe_status == 'pending':
                continue
            succeeded = move.stripe_payment_intent_ids.filtered(lambda i: i.state == 'succeeded')
            received = sum(succeeded.mapped('amount_received'))
            given_back = sum(succeeded.mapped('amount_refunded'))
            currency = move.currency_id
            if move.stripe_refund_ids and not currency.is_zero(received) \
                    and currency.compare_amounts(given_back, received) >= 0:
                move.stripe_status = 'refunded'
        return result

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

    # === BUSINESS METHODS === #

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
