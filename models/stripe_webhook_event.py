import json
import logging

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class StripeWebhookEvent(models.Model):
    """A verified event received from Stripe, stored once: the audit trail of the webhook and
    the guard against processing an event twice."""

    _name = 'stripe.webhook.event'
    _description = "Stripe Event"
    _order = 'id desc'
    _rec_name = 'stripe_event_id'

    stripe_event_id = fields.Char(string="Event", required=True, readonly=True)
    event_type = fields.Char(string="Type", required=True, readonly=True, index=True)
    stripe_account_id = fields.Char(readonly=True, index=True)
    livemode = fields.Boolean(string="Live", readonly=True)
    stripe_object_id = fields.Char(string="Object", readonly=True, index=True)
    move_id = fields.Many2one(
        string="Invoice", comodel_name='account.move', readonly=True, index='btree_not_null',
        ondelete='set null',
    )
    company_id = fields.Many2one('res.company', readonly=True, index='btree_not_null')
    state = fields.Selection(
        string="Outcome",
        selection=[
            ('received', "Received"),
            ('processed', "Processed"),
            ('ignored', "Ignored"),
            ('refused', "Refused"),
        ],
        default='received', required=True, readonly=True,
    )
    note = fields.Char(string="What Happened", readonly=True)
    payload = fields.Text(readonly=True, groups='base.group_system')

    _stripe_event_id_unique = models.Constraint(
        'UNIQUE(stripe_event_id)', "A Stripe event is recorded once.",
    )

    # === BUSINESS METHODS === #

    @api.model
    def _stripe_receive(self, event):
        """Record a verified event once and act on it.

        A redelivered event (same id) is acknowledged and does nothing more. Two workers
        receiving the same event at once: the second waits on the first's insert and then finds
        it recorded.

        :param dict event: The verified Stripe event.
        :return: What happened, for the answer to Stripe.
        :rtype: str
        """
        data_object = (event.get('data') or {}).get('object') or {}
        self.env.cr.execute(SQL(
            """
            INSERT INTO stripe_webhook_event (
                stripe_event_id, event_type, stripe_account_id, livemode, stripe_object_id,
                state, payload, create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, 'received', %s, %s, %s,
                    NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC')
            ON CONFLICT (stripe_event_id) DO NOTHING
            RETURNING id
            """,
            event['id'], event.get('type') or '', event.get('account'),
            bool(event.get('livemode')), data_object.get('id'),
            json.dumps(event), self.env.uid, self.env.uid,
        ))
        row = self.env.cr.fetchone()
        if not row:
            return 'duplicate'
        record = self.browse(row[0])
        state, note, links = record._stripe_process(event)
        record.write({'state': state, 'note': note[:250], **links})
        _logger.info("Stripe event %s (%s): %s", event['id'], event.get('type'), note)
        return state

    def _stripe_process(self, event):
        """Act on the event according to its type.

        :return: (state, note, values linking the record to its invoice and company)
        :rtype: tuple(str, str, dict)
        """
        self.ensure_one()
        if bool(event.get('livemode')) != self.env['stripe.platform']._is_live():
            return 'refused', "test and live mode are mixed", {}
        handler = self._stripe_handlers().get(event.get('type'))
        if not handler:
            return 'ignored', "event type not handled", {}
        return handler(event)

    def _stripe_handlers(self):
        return {
            'payment_intent.succeeded': self._stripe_handle_payment_intent,
            'payment_intent.processing': self._stripe_handle_payment_intent,
            'payment_intent.payment_failed': self._stripe_handle_payment_intent,
            'payment_intent.canceled': self._stripe_handle_payment_intent,
            'account.updated': self._stripe_handle_account_updated,
            'account.application.deauthorized': self._stripe_handle_deauthorized,
        }

    def _stripe_handle_payment_intent(self, event):
        data_object = event['data']['object']
        metadata = data_object.get('metadata') or {}
        if metadata.get('odoo_database') != self.env.cr.dbname:
            return 'refused', "the PaymentIntent belongs to another database", {}
        intent = self.env['stripe.payment.intent'].sudo().search(
            [('stripe_id', '=', data_object.get('id'))], limit=1,
        )
        if not intent:
            return 'refused', "unknown PaymentIntent", {}
        links = {'move_id': intent.move_id.id, 'company_id': intent.company_id.id}
        if event.get('account') != intent.stripe_account_id:
            return 'refused', "the event comes from another Stripe account", links
        # Never trust the event's copy: ask Stripe for the PaymentIntent as it is now.
        stripe_intent = self.env['stripe.platform']._get_gateway().retrieve_payment_intent(
            intent.stripe_account_id, intent.stripe_id, expand_charge=True,
        )
        outcome = intent._apply_stripe_intent(stripe_intent, self.env._("Stripe webhook"))
        state = 'refused' if outcome.startswith('refused') else 'processed'
        return state, outcome, links

    def _stripe_company_of(self, event):
        account_id = event.get('account')
        if not account_id:
            return self.env['res.company']
        return self.env['res.company'].sudo().search(
            [('stripe_account_id', '=', account_id)], limit=1,
        )

    def _stripe_handle_account_updated(self, event):
        company = self._stripe_company_of(event)
        if not company:
            return 'ignored', "no company is connected to this account", {}
        company._stripe_apply_account(event['data']['object'])
        return 'processed', "account status updated", {'company_id': company.id}

    def _stripe_handle_deauthorized(self, event):
        company = self._stripe_company_of(event)
        if not company:
            return 'ignored', "no company is connected to this account", {}
        company._stripe_disconnect(deauthorize=False)
        return 'processed', "company disconnected from Stripe", {'company_id': company.id}
