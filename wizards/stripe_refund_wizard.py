from odoo import api, fields, models
from odoo.exceptions import UserError

from ..utils import money


class StripeRefundWizard(models.TransientModel):
    """Refund a Stripe payment, or a credit note of a Stripe-paid invoice, in full or in part:
    never more than what is left to refund."""

    _name = 'stripe.refund.wizard'
    _description = "Refund with Stripe"

    intent_id = fields.Many2one(
        string="Stripe Payment", comodel_name='stripe.payment.intent', readonly=True,
    )
    credit_note_id = fields.Many2one(
        comodel_name='account.move', readonly=True,
        domain=[('move_type', '=', 'out_refund')],
    )
    move_id = fields.Many2one(
        string="Invoice", comodel_name='account.move', compute='_compute_move_id',
    )
    currency_id = fields.Many2one(comodel_name='res.currency', compute='_compute_move_id')
    amount_refundable = fields.Monetary(
        string="Left to Refund", compute='_compute_amount_refundable',
    )
    amount = fields.Monetary(
        string="Amount to Refund", compute='_compute_amount', store=True, readonly=False,
        precompute=True,
    )
    reason = fields.Selection(
        selection=[
            ('requested_by_customer', "Requested by the customer"),
            ('duplicate', "Duplicate payment"),
            ('fraudulent', "Fraudulent payment"),
        ],
        default='requested_by_customer', required=True,
    )

    # === COMPUTE METHODS === #

    @api.depends('intent_id', 'credit_note_id')
    def _compute_move_id(self):
        for wizard in self:
            wizard.move_id = wizard.intent_id.move_id or wizard.credit_note_id.reversed_entry_id
            wizard.currency_id = wizard.intent_id.currency_id or wizard.credit_note_id.currency_id

    @api.depends('intent_id', 'credit_note_id')
    def _compute_amount_refundable(self):
        for wizard in self:
            if wizard.credit_note_id:
                wizard.amount_refundable = wizard.credit_note_id.stripe_credit_note_refundable
            else:
                wizard.amount_refundable = wizard.intent_id.sudo().amount_refundable

    @api.depends('amount_refundable')
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = wizard.amount_refundable

    # === BUSINESS METHODS === #

    def _refund_plan(self):
        """Return how the amount is taken from the Stripe payments: (PaymentIntent, amount)
        pairs, the newest payment first.

        :raise UserError: When the amount is not positive or more than what is left.
        """
        self.ensure_one()
        currency = self.currency_id
        if currency.compare_amounts(self.amount, 0.0) <= 0:
            raise UserError(self.env._("Enter a positive amount to refund."))
        if currency.compare_amounts(self.amount, self.amount_refundable) > 0:
            raise UserError(self.env._(
                "You can refund at most %(left)s: what is left to refund%(credit)s.",
                left=currency.format(self.amount_refundable),
                credit=self.env._(" and due on the credit note") if self.credit_note_id else '',
            ))
        if self.credit_note_id:
            intents = self.credit_note_id._stripe_refundable_intents()
        else:
            intents = self.intent_id.sudo()
        plan, rest = [], self.amount
        for intent in intents:
            part = min(rest, intent.amount_refundable)
            if currency.compare_amounts(part, 0.0) > 0:
                plan.append((intent, part))
                rest = currency.round(rest - part)
        return plan

    # === ACTIONS === #

    @api.model
    def _action_open(self, **defaults):
        """Return the action opening this wizard, with its defaults (``default_intent_id``
        for a Stripe payment, ``default_credit_note_id`` for a credit note)."""
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._("Refund with Stripe"),
            'res_model': self._name,
            'view_mode': 'form',
            'target': 'new',
            'context': defaults,
        }

    def action_refund(self):
        """Refund on Stripe and register the refunds at once (their events change nothing)."""
        self.ensure_one()
        (self.move_id | self.credit_note_id).check_access('write')
        prefix = self.move_id._stripe_idempotency_prefix()
        refunds = found = self.env['stripe.refund']
        for intent, amount in self._refund_plan():
            minor = money.to_minor_units(amount, intent.currency_id.name)
            # The key names the payment, how many of its refunds Odoo knows and the amount:
            # a retry of the same refund (Odoo running the request again, or the user again
            # after a failure that undid the first try here but not on Stripe) gets the refund
            # Stripe already made, while a later refund of the same amount gets a new key.
            # When the first try's refund was registered meanwhile (by its webhook), the key
            # changed: the refund request finds that first refund on Stripe instead.
            known = len(intent.refund_ids)
            key = f'{prefix}-refund-{intent.stripe_id}-n{known}-{minor}'
            record, earlier = intent._stripe_refund_request(
                amount, self.reason, credit_note=self.credit_note_id, idempotency_key=key,
            )
            refunds |= record
            if earlier:
                found |= record
        message = self.env._(
            "%(amount)s refunded to the customer (%(refunds)s).",
            amount=self.currency_id.format(sum(refunds.mapped('amount'))),
            refunds=', '.join(refunds.mapped('stripe_id')),
        )
        if found:
            message += ' ' + self.env._(
                "Stripe had already made %(refunds)s in an earlier try that Odoo did not finish: "
                "it is registered now, and nothing was refunded twice.",
                refunds=', '.join(found.mapped('stripe_id')),
            )
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'title': self.env._("Refunded with Stripe"),
                'message': message,
                'type': 'warning' if found else 'success',
                'next': {'type': 'ir.actions.act_window_close'},
            },
        }
