import logging

from markupsafe import Markup

from odoo import api, fields, models
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

    _stripe_id_unique = models.Constraint(
        'UNIQUE(stripe_id)', "A Stripe PaymentIntent belongs to one record.",
    )
    _payment_unique = models.Constraint(
        'UNIQUE(payment_id)', "A payment comes from one Stripe PaymentIntent.",
    )

    # === BUSINESS METHODS - STATE === #

    @api.model
    def _state_from_stripe(self, intent):
        """Map a PaymentIntent's status (and failure) to this record's state."""
        status = intent.get('status')
        for state, statuses in const.PI_STATUS_MAPPING.items():
            if status in statuses:
                if state == 'draft' and intent.get('last_payment_error'):
                    return 'failed'
                return state
        return 'draft'

    def _lock_for_update(self):
        """Take the row lock that serialises every registration of this PaymentIntent."""
        self.ensure_one()
        self.env.cr.execute(SQL(
            "SELECT id FROM stripe_payment_intent WHERE id = %s FOR UPDATE", self.id,
        ))
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
            return "the PaymentIntent id differs"
        if metadata.get('odoo_database') != self.env.cr.dbname:
            return "the PaymentIntent belongs to another database"
        if metadata.get('odoo_invoice_id') != str(self.move_id.id):
            return "the PaymentIntent names another invoice"
        if (intent.get('currency') or '').upper() != self.currency_id.name:
            return "the currency differs from the invoice's"
        if bool(intent.get('livemode')) != self.livemode:
            return "test and live mode are mixed"
        return None

    def _apply_stripe_intent(self, intent, source):
        """Bring this record in line with the PaymentIntent and register its payment once.

        Safe to call any number of times, from the webhook and from the pay page, by several
        workers at once: the row lock and the unique payment make one payment at most.

        :param dict intent: The PaymentIntent, fetched from Stripe on the connected account.
        :param str source: What triggered this, for the chatter (``webhook``, ``pay page``...).
        :return: What was done, for the event log.
        :rtype: str
        """
        self.ensure_one()
        self._lock_for_update()
        mismatch = self._check_intent_matches(intent)
        if mismatch:
            _logger.warning("Refused PaymentIntent %s: %s", intent.get('id'), mismatch)
            return f"refused: {mismatch}"
        new_state = self._state_from_stripe(intent)
        values = {
            'stripe_status': intent.get('status'),
            'last_error': (intent.get('last_payment_error') or {}).get('message') or False,
        }
        if self.state == 'succeeded' or self.payment_id:
            self.write(values)
            return "already registered"
        values['state'] = new_state
        if new_state != 'succeeded':
            self.write(values)
            return f"status {intent.get('status')}"
        values.update({
            'amount_received': money.from_minor_units(
                intent.get('amount_received') or 0, self.currency_id.name
            ),
            'payment_method_label': self._describe_payment_method(intent),
        })
        self.write(values)
        payment = self._register_payment(source)
        return f"registered payment {payment.display_name}"

    @api.model
    def _describe_payment_method(self, intent):
        charge = intent.get('latest_charge')
        details = (charge or {}).get('payment_method_details') if isinstance(charge, dict) else None
        if not details:
            return False
        kind = details.get('type') or ''
        card = details.get(kind) or {}
        if card.get('last4'):
            return f"{(card.get('brand') or kind).title()} •••• {card['last4']}"
        return kind.replace('_', ' ').title()

    # === BUSINESS METHODS - ACCOUNTING === #

    def _register_payment(self, source):
        """Create, post and reconcile the ``account.payment`` of the amount received.

        :rtype: account.payment
        """
        self.ensure_one()
        move = self.move_id.sudo()
        company = move.company_id
        journal = company._stripe_ensure_journal()
        method_line = journal.inbound_payment_method_line_ids.filtered('payment_account_id')[:1] \
            or journal.inbound_payment_method_line_ids[:1]
        amount_due_before = move.amount_residual
        payment_values = {
            'amount': self.amount_received,
            'payment_type': 'inbound',
            'partner_type': 'customer',
            'partner_id': move.commercial_partner_id.id,
            'currency_id': self.currency_id.id,
            'journal_id': journal.id,
            'company_id': company.id,
            'payment_method_line_id': method_line.id,
            'memo': f'{move.name} - {self.stripe_id}',
            'invoice_ids': [fields.Command.link(move.id)],
        }
        receivable_lines = move.line_ids.filtered(lambda line: line.display_type == 'payment_term')
        if receivable_lines:
            payment_values['destination_account_id'] = receivable_lines[0].account_id.id
        payment = self.env['account.payment'].sudo().with_company(company).create(payment_values)
        payment.action_post()
        self.sudo().payment_id = payment
        if move.state == 'posted':
            (payment.move_id.line_ids + move.line_ids).filtered(
                lambda line: line.account_id == payment.destination_account_id
                and not line.reconciled
            ).reconcile()
        self._post_payment_message(source, amount_due_before)
        return payment

    def _post_payment_message(self, source, amount_due_before):
        """Tell the invoice's followers (internally) what was paid, how and where."""
        self.ensure_one()
        move = self.move_id.sudo()
        body = Markup("<p>%s</p>") % self.env._(
            "%(amount)s paid online with Stripe (%(method)s, reference %(reference)s), "
            "registered from the %(source)s as %(payment)s.",
            amount=self.currency_id.format(self.amount_received),
            method=self.payment_method_label or self.env._("online payment"),
            reference=self.stripe_id,
            source=source,
            payment=self.payment_id.display_name,
        )
        if self.currency_id.compare_amounts(self.amount_received, amount_due_before) > 0:
            body += Markup("<p>%s</p>") % self.env._(
                "The customer paid %(extra)s more than was due; it stays as the customer's "
                "outstanding credit.",
                extra=self.currency_id.format(self.amount_received - amount_due_before),
            )
        move.message_post(body=body, subtype_xmlid='mail.mt_note')
