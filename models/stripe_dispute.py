from datetime import datetime, timezone

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_datetime

from .. import const


class StripeDispute(models.Model):
    """One Stripe dispute (chargeback) of a PaymentIntent's charge, as Stripe last reported it.

    A lost dispute produces one payment taking the disputed amount back off the invoice.
    """

    _name = 'stripe.dispute'
    _description = "Stripe Dispute"
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
    company_id = fields.Many2one(related='intent_id.company_id', store=True)
    partner_id = fields.Many2one(related='intent_id.partner_id')
    currency_id = fields.Many2one(related='intent_id.currency_id', store=True)
    amount = fields.Monetary(readonly=True)
    amount_minor = fields.Integer(string="Amount (minor units)", readonly=True)
    reason = fields.Char(readonly=True)
    state = fields.Selection(
        string="Status",
        selection=[
            ('open', "Open"),
            ('won', "Won"),
            ('lost', "Lost"),
            ('closed', "Closed"),
        ],
        default='open', required=True, readonly=True, index=True,
    )
    stripe_status = fields.Char(readonly=True)
    evidence_due_by = fields.Datetime(readonly=True)
    activity_id = fields.Many2one(
        comodel_name='mail.activity', readonly=True, ondelete='set null',
        help="The activity asking the invoice's responsible to answer the dispute.",
    )
    payment_id = fields.Many2one(
        string="Reversal Payment", comodel_name='account.payment', readonly=True,
        ondelete='restrict', check_company=True,
        help="The payment that took the disputed amount back off the invoice, once lost.",
    )

    _stripe_id_unique = models.Constraint(
        'UNIQUE(stripe_id)', "A Stripe dispute belongs to one record.",
    )
    _payment_unique = models.Constraint(
        'UNIQUE(payment_id)', "A reversal payment comes from one Stripe dispute.",
    )

    # === BUSINESS METHODS === #

    @api.model
    def _state_from_stripe(self, dispute):
        """Map a Dispute's status to this record's state."""
        return const.state_for_status(const.DISPUTE_STATUS_MAPPING, dispute.get('status'), 'open')

    @api.model
    def _due_by_from_stripe(self, dispute):
        due_by = (dispute.get('evidence_details') or {}).get('due_by')
        if not isinstance(due_by, int):
            return False
        return datetime.fromtimestamp(due_by, tz=timezone.utc).replace(tzinfo=None)

    def _stripe_update(self, dispute, source, is_new):
        """Bring this record in line with the Dispute as Stripe has it now and act on what
        changed: ask the invoice's responsible to answer an open dispute, take the amount back
        off the invoice once lost (once), close the request once decided.

        Called under the row lock of the PaymentIntent (see
        ``stripe.payment.intent._apply_stripe_dispute``).

        :param bool is_new: Whether Odoo hears of this dispute for the first time.
        :return: What was done, for the event log.
        :rtype: str
        """
        self.ensure_one()
        old_status = False if is_new else self.stripe_status
        new_state = self._state_from_stripe(dispute)
        self.write({
            'state': new_state,
            'stripe_status': dispute.get('status'),
            'reason': dispute.get('reason') or False,
            'evidence_due_by': self._due_by_from_stripe(dispute),
        })
        intent = self.intent_id
        # Stripe takes back at most what the customer had not been refunded yet.
        taken_back = min(self.amount, intent.amount_received - intent.amount_refunded)
        if new_state == 'lost' and not self.payment_id \
                and self.currency_id.compare_amounts(taken_back, 0.0) > 0:
            self.payment_id = intent._register_outbound_payment(
                taken_back, self.env._(
                    "%(invoice)s - %(dispute)s (dispute lost)",
                    invoice=self.move_id.name, dispute=self.stripe_id,
                ),
            )
        if old_status != self.stripe_status:
            self._post_status_message(source, is_new)
        if new_state == 'open':
            self._ensure_activity()
        elif self.activity_id.active:  # Done activities are archived.
            self.activity_id.sudo().action_feedback(feedback=self._state_sentence())
        if old_status == self.stripe_status:
            return self.env._("Dispute %(dispute)s unchanged.", dispute=self.stripe_id)
        return self._state_sentence()

    def _state_sentence(self):
        """Say where the dispute stands, in one sentence."""
        self.ensure_one()
        amount = self.currency_id.format(self.amount)
        if self.state == 'lost':
            return self.env._(
                "Dispute %(dispute)s lost: %(amount)s is taken back off the invoice by "
                "%(payment)s and is due again.",
                dispute=self.stripe_id,
                amount=self.currency_id.format(self.payment_id.amount or self.amount),
                payment=self.payment_id.display_name or self.env._("no payment"),
            )
        if self.state == 'won':
            return self.env._(
                "Dispute %(dispute)s won: the payment of %(amount)s stays.",
                dispute=self.stripe_id, amount=amount,
            )
        if self.state == 'closed':
            return self.env._(
                "Inquiry %(dispute)s closed without a chargeback.", dispute=self.stripe_id,
            )
        return self.env._(
            "The customer disputes %(amount)s (%(reason)s, dispute %(dispute)s, %(status)s): "
            "answer on Stripe before %(due)s.",
            amount=amount, reason=self.reason or self.env._("no reason given"),
            dispute=self.stripe_id, status=self.stripe_status,
            due=self._format_due_by() or self.env._("the deadline Stripe gives"),
        )

    def _format_due_by(self):
        self.ensure_one()
        if not self.evidence_due_by:
            return ''
        return format_datetime(self.env, self.evidence_due_by, dt_format='short')

    def _post_status_message(self, source, is_new):
        self.ensure_one()
        body = Markup("<p>%s</p>") % self._state_sentence()
        body += Markup("<p>%s</p>") % self.env._(
            "Reported by the %(trigger)s%(first)s.", trigger=source,
            first=self.env._(" (new dispute)") if is_new else '',
        )
        self.move_id.sudo().message_post(body=body, subtype_xmlid='mail.mt_note')

    def _ensure_activity(self):
        """Schedule, or keep up to date, the activity of the invoice's responsible to answer
        the dispute before Stripe's evidence deadline."""
        self.ensure_one()
        deadline = self.evidence_due_by.date() if self.evidence_due_by else fields.Date.today()
        if self.activity_id:
            if self.activity_id.active:
                self.activity_id.sudo().date_deadline = deadline
            return
        move = self.move_id.sudo()
        responsible = next((
            user for user in (move.invoice_user_id, move.create_uid)
            if user.active and user._is_internal()
        ), None) or self.env.ref('base.user_admin', raise_if_not_found=False)
        self.activity_id = move.activity_schedule(
            'mail.mail_activity_data_todo',
            date_deadline=deadline,
            summary=self.env._("Answer Stripe dispute %(dispute)s", dispute=self.stripe_id),
            note=self._state_sentence(),
            user_id=responsible.id if responsible else False,
        )
