import json
import logging

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError
from odoo.tools import SQL

from .. import const

_logger = logging.getLogger(__name__)

# Errors Odoo's HTTP layer answers by running the whole request again (Odoo's own list).
CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure, pg_errors.DeadlockDetected, pg_errors.LockNotAvailable,
    ConcurrencyError,
)


# The first key of the advisory locks claiming an event ('SWHE'); the second is the hash of
# the event id. A hash shared by two events only makes one of them wait for a redelivery.
EVENT_LOCK_NAMESPACE = 0x53574845

# Keys of Stripe objects whose values are secrets, not stored with the event.
REDACTED_KEYS = const.SENSITIVE_KEYS - {'code'}


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
            ('error', "Error, Stripe retries"),
        ],
        default='received', required=True, readonly=True,
    )
    note = fields.Char(string="What Happened", readonly=True)
    attempts = fields.Integer(
        readonly=True, default=1, help="How many deliveries of the event were processed.",
    )
    payload = fields.Text(readonly=True, groups='base.group_system')

    _stripe_event_id_unique = models.Constraint(
        'UNIQUE(stripe_event_id)', "A Stripe event is recorded once.",
    )

    # === BUSINESS METHODS - RECEPTION === #

    @api.model
    def _stripe_receive(self, event):
        """Record a verified event once and act on it.

        A redelivered event (same id) is acknowledged and does nothing more, unless its
        processing failed (state ``error``): then the new delivery processes it again.

        Two deliveries of the same event at once (Stripe retrying a delivery it stopped
        waiting for, a load balancer sending it to two servers): the first claims the event
        (see :meth:`_stripe_record`); the second sees it claimed at once, waits for nothing
        and answers ``busy``, which the webhook turns into a non-2xx answer so that Stripe
        delivers the event again later: if the first delivery fails after all, the event is
        not lost; if it succeeds, the next delivery is a plain redelivery.

        When processing fails (database error, Stripe unreachable, accounting refusal), its
        work is rolled back, the event is kept with state ``error`` and the reason, and the
        caller answers Stripe with an error so that Stripe delivers it again.

        :param dict event: The verified Stripe event.
        :return: The event's outcome: a state of this model, ``duplicate`` or ``busy``.
        :rtype: str
        """
        record = self._stripe_record(event)
        if record is None:
            _logger.info("Stripe event %s is being processed by another delivery: Stripe will "
                         "deliver it again", event['id'])
            return 'busy'
        if not record:
            _logger.info("Stripe event %s already recorded: acknowledged", event['id'])
            return 'duplicate'
        try:
            with self.env.cr.savepoint():
                state, note, links = record._stripe_process(event)
                record.write({'state': state, 'note': note[:250], **links})
        except CONCURRENCY_ERRORS:
            raise  # Odoo runs the whole request again.
        except Exception as error:
            _logger.warning(
                "Stripe event %s (%s) failed, Stripe will deliver it again: %s",
                event['id'], event.get('type'), error, exc_info=True,
            )
            record.write({
                'state': 'error',
                'note': self.env._("Failed, Stripe will retry: %(error)s", error=error)[:250],
                **record._stripe_error_links(event),
            })
            return 'error'
        _logger.info("Stripe event %s (%s): %s", event['id'], event.get('type'), note)
        return state

    @api.model
    def _stripe_record(self, event):
        """Claim the event: insert its row, or take back the row of a delivery that failed.

        One statement, which waits for nothing. It first takes a transaction-level advisory
        lock named after the event id (``pg_try_advisory_xact_lock``, released when this
        transaction ends, whatever the server or worker): a delivery that cannot take it is
        racing another delivery of the same event, still in progress. Only with the lock it
        inserts the row (``ON CONFLICT`` on the unique event id), so it never waits on another
        transaction's uncommitted row either.

        A delivery whose snapshot predates the commit of another delivery of the same event
        (they overlapped by a few milliseconds) cannot see that event's row: PostgreSQL
        refuses its insert with a serialization failure. It is answered like a delivery still
        in progress (its transaction is rolled back: it wrote nothing), rather than run again
        by Odoo after a random pause.

        :return: The record to process; an empty recordset when the event was recorded (and
            processed or refused) before; ``None`` when another delivery of the event is in
            progress or has just ended.
        :rtype: stripe.webhook.event | None
        """
        data_object = (event.get('data') or {}).get('object') or {}
        self.flush_model()
        try:
            self.env.cr.execute(SQL(
                """
                WITH claim AS (
                    SELECT pg_try_advisory_xact_lock(%(namespace)s, hashtext(%(id)s)) AS free
                ), recorded AS (
                    INSERT INTO stripe_webhook_event AS recorded (
                        stripe_event_id, event_type, stripe_account_id, livemode,
                        stripe_object_id, state, attempts, payload, create_uid, write_uid,
                        create_date, write_date)
                    SELECT %(id)s, %(type)s, %(account)s, %(livemode)s, %(object)s,
                           'received', 1, %(payload)s, %(uid)s, %(uid)s,
                           NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                      FROM claim WHERE claim.free
                    ON CONFLICT (stripe_event_id) DO UPDATE
                        SET state = 'received', note = NULL, attempts = recorded.attempts + 1,
                            write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                        WHERE recorded.state = 'error'
                    RETURNING id
                )
                SELECT claim.free, (SELECT id FROM recorded) FROM claim
                """,
                namespace=EVENT_LOCK_NAMESPACE,
                id=event['id'], type=event.get('type') or '', account=event.get('account'),
                livemode=bool(event.get('livemode')), object=data_object.get('id'),
                payload=json.dumps(self._stripe_redact(event)), uid=self.env.uid,
            ), log_exceptions=False)  # Expected when deliveries overlap: answered below.
        except pg_errors.SerializationFailure:
            self.env.cr.rollback()
            return None
        free, record_id = self.env.cr.fetchone()
        if not free:
            return None
        if not record_id:
            return self.browse()
        record = self.browse(record_id)
        record.invalidate_recordset()
        return record

    @api.model
    def _stripe_redact(self, value):
        """Return a copy of the event without the secrets Stripe puts in some objects (the
        PaymentIntent's ``client_secret``), for storage."""
        if isinstance(value, dict):
            return {
                key: '[redacted]' if key in REDACTED_KEYS and item else self._stripe_redact(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self._stripe_redact(item) for item in value]
        return value

    def _stripe_process(self, event):
        """Act on the event according to its type.

        :return: (state, note, values linking the record to its invoice and company)
        :rtype: tuple(str, str, dict)
        """
        self.ensure_one()
        live = self.env['stripe.platform']._is_live()
        if bool(event.get('livemode')) != live:
            if live:
                # Stripe sends a live Connect endpoint the test-mode events of the connected
                # accounts too (a business trying its own test mode): none are this database's.
                return 'ignored', self.env._(
                    "A test-mode event, on a live platform: not one of its payments."
                ), self._stripe_company_links(event)
            return 'refused', self.env._(
                "Refused: a live event on a test platform."
            ), self._stripe_company_links(event)
        handler = self._stripe_handlers().get(event.get('type'))
        if not handler:
            return 'ignored', self.env._("Event type not handled."), {}
        return handler(event)

    def _stripe_handlers(self):
        """Return the handler of each event type the addon acts on."""
        return {
            'payment_intent.succeeded': self._stripe_handle_payment_intent,
            'payment_intent.processing': self._stripe_handle_payment_intent,
            'payment_intent.payment_failed': self._stripe_handle_payment_intent,
            'payment_intent.canceled': self._stripe_handle_payment_intent,
            'charge.refunded': self._stripe_handle_charge_refunded,
            'refund.created': self._stripe_handle_refund,
            'refund.updated': self._stripe_handle_refund,
            'refund.failed': self._stripe_handle_refund,
            'charge.dispute.created': self._stripe_handle_dispute,
            'charge.dispute.updated': self._stripe_handle_dispute,
            'charge.dispute.closed': self._stripe_handle_dispute,
            'charge.dispute.funds_withdrawn': self._stripe_handle_dispute,
            'charge.dispute.funds_reinstated': self._stripe_handle_dispute,
            'payout.created': self._stripe_handle_payout,
            'payout.updated': self._stripe_handle_payout,
            'payout.paid': self._stripe_handle_payout,
            'payout.failed': self._stripe_handle_payout,
            'payout.canceled': self._stripe_handle_payout,
            'account.updated': self._stripe_handle_account_updated,
            'account.application.deauthorized': self._stripe_handle_deauthorized,
        }

    # === BUSINESS METHODS - HANDLERS === #

    def _stripe_company_of(self, event):
        """Return the company connected to the event's Stripe account, if any."""
        account_id = event.get('account')
        if not account_id:
            return self.env['res.company']
        return self.env['res.company'].sudo().search(
            [('stripe_account_id', '=', account_id)], limit=1,
        )

    def _stripe_company_links(self, event):
        company = self._stripe_company_of(event)
        return {'company_id': company.id} if company else {}

    def _stripe_error_links(self, event):
        """Return the invoice and company a failed event concerns, for them to show it."""
        links = self._stripe_company_links(event)
        data_object = (event.get('data') or {}).get('object') or {}
        if event.get('type', '').startswith('payment_intent.'):
            intent_id = data_object.get('id')
        else:  # Charges, refunds and disputes name their PaymentIntent.
            intent_id = data_object.get('payment_intent')
        if intent_id and isinstance(intent_id, str):
            intent = self.env['stripe.payment.intent'].sudo().search(
                [('stripe_id', '=', intent_id)], limit=1,
            )
            if intent:
                links.update(move_id=intent.move_id.id, company_id=intent.company_id.id)
        return links

    def _stripe_handle_payment_intent(self, event):
        """Apply a PaymentIntent event: fetch the PaymentIntent from Stripe, then register its
        payment once it succeeded (see ``stripe.payment.intent._apply_stripe_intent``)."""
        data_object = event['data']['object']
        metadata = data_object.get('metadata') or {}
        if metadata.get('odoo_database') != self.env.cr.dbname:
            return 'refused', self.env._(
                "Refused: the PaymentIntent belongs to another database."
            ), self._stripe_company_links(event)
        intent = self.env['stripe.payment.intent'].sudo().search(
            [('stripe_id', '=', data_object.get('id'))], limit=1,
        )
        if not intent:
            return 'refused', self.env._(
                "Refused: this database did not create the PaymentIntent."
            ), self._stripe_company_links(event)
        links = {'move_id': intent.move_id.id, 'company_id': intent.company_id.id}
        if event.get('account') != intent.stripe_account_id:
            return 'refused', self.env._(
                "Refused: the event comes from another Stripe account than the invoice's "
                "company's."
            ), links
        # Never trust the event's copy: ask Stripe for the PaymentIntent as it is now.
        applied, note = intent._stripe_fetch_and_apply(
            'payment_intent', self.env._("Stripe webhook"),
        )[0]
        return ('processed' if applied else 'refused'), note, links

    def _stripe_intent_of(self, event, intent_id):
        """Return the PaymentIntent record an event about a charge, refund or dispute concerns.

        :return: The record (empty when it is not one of this database's) and the outcome to
            answer instead of acting, if any.
        :rtype: tuple(stripe.payment.intent, tuple | None)
        """
        intent = self.env['stripe.payment.intent'].sudo()
        if intent_id and isinstance(intent_id, str):
            intent = intent.search([('stripe_id', '=', intent_id)], limit=1)
        if not intent:
            return intent, ('ignored', self.env._(
                "Not a payment made through this database."
            ), self._stripe_company_links(event))
        links = {'move_id': intent.move_id.id, 'company_id': intent.company_id.id}
        if event.get('account') != intent.stripe_account_id:
            return intent, ('refused', self.env._(
                "Refused: the event comes from another Stripe account than the payment's."
            ), links)
        return intent, None

    def _stripe_handle_refund(self, event):
        """Apply a refund event: fetch the Refund from Stripe and register it once (see
        ``stripe.payment.intent._apply_stripe_refund``)."""
        data_object = event['data']['object']
        intent, outcome = self._stripe_intent_of(event, data_object.get('payment_intent'))
        if outcome:
            return outcome
        applied, note = intent._stripe_fetch_and_apply(
            'refund', self.env._("Stripe webhook"), data_object.get('id'),
        )[0]
        links = {'move_id': intent.move_id.id, 'company_id': intent.company_id.id}
        return ('processed' if applied else 'refused'), note, links

    def _stripe_handle_charge_refunded(self, event):
        """Apply ``charge.refunded``: fetch the PaymentIntent's refunds from Stripe and register
        each once, so that a lost ``refund.created`` loses nothing."""
        data_object = event['data']['object']
        intent, outcome = self._stripe_intent_of(event, data_object.get('payment_intent'))
        if outcome:
            return outcome
        results = intent._stripe_fetch_and_apply('refunds', self.env._("Stripe webhook"))
        links = {'move_id': intent.move_id.id, 'company_id': intent.company_id.id}
        if results and not any(applied for applied, _note in results):
            return 'refused', results[0][1], links
        return 'processed', ' '.join(note for _applied, note in results) or self.env._(
            "Stripe lists no refund of this payment."
        ), links

    def _stripe_handle_dispute(self, event):
        """Apply a dispute event: fetch the Dispute from Stripe and act on where it stands
        (see ``stripe.payment.intent._apply_stripe_dispute``)."""
        data_object = event['data']['object']
        gateway = self.env['stripe.platform']._get_gateway()
        intent_id = data_object.get('payment_intent')
        if not intent_id and data_object.get('charge') and event.get('account'):
            intent_id = gateway.retrieve_charge(
                event['account'], data_object['charge'],
            ).get('payment_intent')
        intent, outcome = self._stripe_intent_of(event, intent_id)
        if outcome:
            return outcome
        applied, note = intent._stripe_fetch_and_apply(
            'dispute', self.env._("Stripe webhook"), data_object.get('id'),
        )[0]
        links = {'move_id': intent.move_id.id, 'company_id': intent.company_id.id}
        return ('processed' if applied else 'refused'), note, links

    def _stripe_handle_payout(self, event):
        """Apply a payout event: fetch the Payout from Stripe and book its balance
        transactions once (see ``stripe.balance.transaction._stripe_book_payout``)."""
        company = self._stripe_company_of(event)
        if not company:
            return 'ignored', self.env._("No company is connected to this account."), {}
        links = {'company_id': company.id}
        if not company._stripe_account_usable():
            return 'ignored', self.env._("The company takes no payments in this mode."), links
        payout = self.env['stripe.platform']._get_gateway().retrieve_payout(
            company.stripe_account_id, event['data']['object'].get('id'),
        )
        records = self.env['stripe.balance.transaction']._stripe_book_payout(company, payout)
        return 'processed', self.env._(
            "Payout %(payout)s (%(status)s): %(count)s balance transaction(s) booked.",
            payout=payout.get('id'), status=payout.get('status'), count=len(records),
        ), links

    def _stripe_handle_account_updated(self, event):
        company = self._stripe_company_of(event)
        if not company:
            return 'ignored', self.env._("No company is connected to this account."), {}
        # Events may arrive out of order: ask Stripe for the account as it is now rather than
        # applying the event's copy, which may be older than what was stored already.
        company._stripe_refresh_account()
        return 'processed', self.env._("Account status updated."), {'company_id': company.id}

    def _stripe_handle_deauthorized(self, event):
        company = self._stripe_company_of(event)
        if not company:
            return 'ignored', self.env._("No company is connected to this account."), {}
        company._stripe_disconnect(deauthorize=False)
        return 'processed', self.env._("Company disconnected from Stripe."), {
            'company_id': company.id,
        }
