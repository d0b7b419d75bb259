from datetime import datetime, timezone

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_datetime

from .. import const


class StripeDispute(models.Model):
    """One Stripe dispute (chargeback) of a PaymentIntent's charge, as Stripe last reported it.

    While it is open the invoice stays paid: Stripe holds the disputed amount (withdrawn from
    the balance, waiting on the Stripe outstanding payments account). Lost, one payment takes
    it back off the invoice, which is due again. Won on appeal after that, one more payment
    puts it back: the invoice is paid again.
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
    won_back_payment_id = fields.Many2one(
        comodel_name='account.payment', readonly=True,
        ondelete='restrict', check_company=True,
        help="The payment that put the amount back on the invoice when the dispute, lost "
             "first, was won on appeal.",
    )
    balance_transaction_ids = fields.One2many(
        string="Balance Transactions", comodel_name='stripe.balance.transaction',
        inverse_name='dispute_id', readonly=True,
    )

    _stripe_id_unique = models.Constraint(
        'UNIQUE(stripe_id)', "A Stripe dispute belongs to one record.",
    )
    _payment_unique = models.Constraint(
        'UNIQUE(payment_id)', "A reversal payment comes from one Stripe dispute.",
    )
    _won_back_payment_unique = models.Constraint(
        'UNIQUE(won_back_payment_id)', "A won back payment comes from one Stripe dispute.",
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
        changed: ask the invoice's responsible to answer an open dispute (or appeal), take the
        amount back off the invoice once lost and put it back once won on appeal (each once),
        close the request once decided.

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
        self._stripe_update_payments(dispute)
        if old_status != self.stripe_status:
            self._post_status_message(source, is_new)
        if new_state == 'open':
            self._ensure_activity()
        elif self.activity_id.active:  # Done activities are archived.
            self.activity_id.sudo().action_feedback(feedback=self._state_sentence())
        if old_status == self.stripe_status:
            return self.env._("Dispute %(dispute)s unchanged.", dispute=self.stripe_id)
        return self._state_sentence()

    @api.model
    def _stripe_moment(self, dispute, category):
        """Return when Stripe moved a dispute's money (its balance transaction of this
        ``reporting_category``: ``dispute`` the withdrawal, ``dispute_reversal`` the
        reinstatement), else when the dispute was opened."""
        moments = [
            transaction['created'] for transaction in dispute.get('balance_transactions') or []
            if transaction.get('reporting_category') == category
        ]
        return max(moments) if moments else dispute.get('created')

    def _stripe_update_payments(self, dispute):
        """Lost: take the disputed amount back off the invoice, once, dated when Stripe
        withdrew it. Won after that (on appeal): put it back, once, dated when Stripe
        reinstated it. Called under the PaymentIntent's row lock."""
        self.ensure_one()
        intent = self.intent_id
        accounting = self.env['stripe.accounting']
        # Stripe takes back at most what the customer had not been refunded yet.
        taken_back = min(self.amount, intent.amount_received - intent.amount_refunded)
        if self.state == 'lost' and not self.payment_id \
                and self.currency_id.compare_amounts(taken_back, 0.0) > 0:
            self.payment_id = accounting._stripe_register_given_back(
                intent, taken_back, self._stripe_moment(dispute, 'dispute'), self.env._(
                    "%(invoice)s - %(dispute)s (dispute lost)",
                    invoice=self.move_id.name, dispute=self.stripe_id,
                ),
            )
            # The withdrawal may be booked already, waiting for this payment.
            self.balance_transaction_ids._stripe_match()
        elif self.state == 'won' and self.payment_id and not self.won_back_payment_id:
            self.won_back_payment_id = accounting._stripe_register_inbound(
                intent, self.payment_id.amount, self._stripe_moment(dispute, 'dispute_reversal'),
                self.env._(
                    "%(invoice)s - %(dispute)s (dispute won on appeal)",
                    invoice=self.move_id.name, dispute=self.stripe_id,
                ),
            )
            self.balance_transaction_ids._stripe_match()

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
        if self.state == 'won' and self.won_back_payment_id:
            return self.env._(
                "Dispute %(dispute)s won on appeal: %(amount)s is paid again by %(payment)s.",
                dispute=self.stripe_id,
                amount=self.currency_id.format(self.won_back_payment_id.amount),
                payment=self.won_back_payment_id.display_name,
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
        if self.activity_id.active:
            self.activity_id.sudo().date_deadline = deadline
            return
        # None yet, or the one of a dispute since lost and now appealed: a new request.
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
