import random
import time
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools import SQL

from .. import const
from ..utils.stripe_gateway import StripeGatewayError, StripeUnavailableError
from .account_move import StripePaymentRefusedError
from .stripe_webhook_event import CONCURRENCY_ERRORS


class AccountMove(models.Model):
    """A press of Pay on the pay page (the server decides, then confirms the payment with
    the customer's ConfirmationToken), and the open PaymentIntents of invoices no one may
    pay any more."""

    _inherit = 'account.move'

    stripe_confirming_since = fields.Datetime(
        string="Stripe Payment Confirming Since", readonly=True, copy=False,
        help="Set while a press of Pay on the pay page confirms a payment of this invoice with "
             "Stripe: no other press may confirm one meanwhile.",
    )
    stripe_settled_banner = fields.Char(compute='_compute_stripe_settled_banner')

    # === COMPUTE METHODS === #

    @api.depends('state', 'payment_state', 'stripe_payment_intent_ids.state')
    def _compute_stripe_settled_banner(self):
        for move in self:
            on_its_way = move.stripe_payment_intent_ids.filtered(
                lambda intent: intent.state == 'processing'
            )
            if on_its_way and move._stripe_is_settled():
                move.stripe_settled_banner = self.env._(
                    "A Stripe payment of %(amount)s is on its way although nothing is due on "
                    "this invoice any more: Stripe can no longer cancel it. When it arrives, it "
                    "stays as the customer's credit.",
                    amount=', '.join(
                        intent.currency_id.format(intent.amount) for intent in on_its_way
                    ),
                )
            else:
                move.stripe_settled_banner = False

    def _compute_payment_state(self):
        """Override of account to have the open PaymentIntents of invoices no one may pay
        online any more (paid another way, credited in full, cancelled, back to draft)
        cancelled on Stripe, by a job, once this transaction commits."""
        result = super()._compute_payment_state()
        settled = self.filtered(lambda move: move.move_type == 'out_invoice'
                                and move._stripe_is_settled())
        if settled and settled.sudo().stripe_payment_intent_ids.filtered(
            lambda intent: intent.state in const.OPEN_INTENT_STATES
        ):
            self._stripe_cancel_stale_later()
        return result

    # === BUSINESS METHODS - PAY: THE SERVER DECIDES === #

    def _stripe_pay(self, requested, shown_due, stripe_account, confirmation_token, return_url):
        """Take the customer's payment of this invoice, if the invoice still takes it: the
        customer pressed Pay and their browser made a ConfirmationToken of what they entered
        in the Payment Element.

        The server has the last word, at that moment:

        1. the decision (:meth:`_stripe_decide`), short and under the invoice's row lock: the
           invoice may be paid online, it is what the page showed (amount due, Stripe
           account), the amount is within the bounds, nothing is on its way, no other press
           is confirming a payment. Then it marks the confirmation in flight, commits and
           lets go of the lock;
        2. the PaymentIntent, created (without confirming it, under a deterministic
           idempotency key) or reused for exactly that amount, committed, then confirmed with
           the token (:meth:`_stripe_confirm_decided`), with no lock held while Stripe is
           called;
        3. Stripe's answer applied under the PaymentIntent's row lock (the exactly-once
           ``_apply_stripe_intent``), and the marker removed.

        A press whose worker died leaves a marker that expires
        (``const.CONFIRMATION_IN_FLIGHT_SECONDS``); the next press then asks Stripe what
        became of the invoice's open PaymentIntents before anything else. One open
        PaymentIntent per invoice, confirmed by one press at a time, charges at most once.

        This method commits: what it decided must hold whatever happens next.

        :param requested: The amount the customer chose, ``None`` for the full amount due.
        :param str shown_due: The amount due the page showed (:meth:`_stripe_due_key`).
        :param str stripe_account: The Stripe account the page's Stripe.js was started with.
        :param str confirmation_token: The ``ctoken_...`` the browser made.
        :param str return_url: Where a payment method that redirects brings the customer back.
        :return: The PaymentIntent record, as Stripe's answer left it.
        :rtype: stripe.payment.intent
        :raise StripeAmountError: When the amount is refused.
        :raise StripePaymentRefusedError: When the invoice may not be paid now (``reason``).
        :raise StripeGatewayError: When Stripe refused, e.g. a declined card
            (``StripeCardError``, Stripe's message for the customer).
        """
        self.ensure_one()
        move = self.sudo()
        marker, stale = move._stripe_decide(requested, shown_due, stripe_account)
        try:
            return move._stripe_confirm_decided(
                marker, stale, requested, confirmation_token, return_url,
            )
        except Exception:
            self.env.cr.rollback()
            move._stripe_in_own_transaction(lambda: move._stripe_end_confirmation(marker))
            raise

    def _stripe_decide(self, requested, shown_due, stripe_account):
        """Decide, under the invoice's row lock, whether this press may confirm a payment,
        and if so mark the confirmation in flight and commit.

        The lock is waited for ``const.CONFIRMATION_LOCK_TIMEOUT_MS`` at most: a second press
        never waits long, it is told to try again (``busy``). A transaction that changed the
        invoice since this one started makes PostgreSQL refuse the lock (serialization
        failure): Odoo runs the request again, which then sees the change.

        :return: The marker of this confirmation, and whether the previous press's marker
            had expired (its worker died mid-call: Stripe is asked first).
        :rtype: tuple(datetime, bool)
        :raise StripeAmountError, StripePaymentRefusedError: When it may not.
        """
        self.ensure_one()
        cr = self.env.cr
        cr.execute(SQL(
            "SELECT set_config('lock_timeout', %s, true)",
            f'{const.CONFIRMATION_LOCK_TIMEOUT_MS}ms',
        ))
        try:
            with cr.savepoint(flush=False):
                cr.execute(SQL(
                    """
                    SELECT stripe_confirming_since IS NOT NULL,
                           stripe_confirming_since > (clock_timestamp() AT TIME ZONE 'UTC')
                                                     - make_interval(secs => %s)
                      FROM account_move WHERE id = %s FOR UPDATE
                    """, const.CONFIRMATION_IN_FLIGHT_SECONDS, self.id,
                ), log_exceptions=False)
                marked, in_flight = cr.fetchone()
        except pg_errors.LockNotAvailable:
            raise StripePaymentRefusedError('busy') from None
        self.invalidate_recordset()
        self.stripe_payment_intent_ids.invalidate_recordset()
        if reason := self._stripe_payment_refusal():
            raise StripePaymentRefusedError(reason)
        if stripe_account != self.company_id.stripe_account_id \
                or shown_due != self._stripe_due_key():
            raise StripePaymentRefusedError('changed')
        self._stripe_check_amount(requested)
        if in_flight:
            raise StripePaymentRefusedError('busy')
        cr.execute(SQL(
            """
            UPDATE account_move SET stripe_confirming_since = clock_timestamp() AT TIME ZONE 'UTC'
             WHERE id = %s RETURNING stripe_confirming_since
            """, self.id,
        ))
        marker = cr.fetchone()[0]
        self.invalidate_recordset(['stripe_confirming_since'])
        # The decision must hold, and the lock go, before Stripe is called (see _stripe_pay).
        cr.commit()  # pylint: disable=invalid-commit
        return marker, bool(marked)

    def _stripe_confirm_decided(self, marker, stale, requested, confirmation_token, return_url):
        """Create or reuse the PaymentIntent and confirm it with the token (see
        :meth:`_stripe_pay`); end the confirmation.

        :return: The PaymentIntent record.
        :rtype: stripe.payment.intent
        """
        self.ensure_one()
        source = self.env._("pay page")
        if stale:
            # The last press's worker died mid-call: what Stripe says of what it may have
            # confirmed comes first.
            for intent in self.stripe_payment_intent_ids.filtered(
                lambda i: i.state in ('draft', 'failed')
                and i.livemode == self.env['stripe.platform']._is_live()
            ):
                self._stripe_in_own_transaction(lambda intent=intent: intent._stripe_fetch(source))
            self.invalidate_recordset()
            if reason := self._stripe_payment_refusal():
                raise StripePaymentRefusedError(reason)
        intent = self._stripe_prepare_intent(requested)
        # The PaymentIntent's record outlives whatever happens next (see _stripe_pay).
        self.env.cr.commit()  # pylint: disable=invalid-commit
        if not self._stripe_owns_confirmation(marker):
            # Stripe took longer than the marker lasts and another press took over.
            raise StripePaymentRefusedError('busy')
        try:
            answer = intent._stripe_confirm_with_token(confirmation_token, return_url)
        except StripeGatewayError as error:
            answer = self._stripe_after_refused_confirmation(intent, error, source)

        def apply():
            if answer:
                intent._stripe_apply_fetched('payment_intent', answer, source)
            self._stripe_end_confirmation(marker)
        self._stripe_in_own_transaction(apply)
        return intent

    def _stripe_after_refused_confirmation(self, intent, error, source):
        """Learn what became of the PaymentIntent when its confirmation failed.

        :return: The PaymentIntent as Stripe has it when the payment went on after all (its
            confirmation's answer was lost, or it was paid otherwise), to apply as an answer.
        :rtype: dict
        :raise StripeGatewayError: The error, when nothing was charged (a declined card: the
            PaymentIntent back to ``requires_payment_method``, reused by the next press).
        :raise StripePaymentRefusedError: When the invoice may not be paid any more, or when
            Stripe's answer is unknown (``unknown_outcome``).
        """
        if error.payment_intent and error.payment_intent.get('id') == intent.stripe_id:
            self._stripe_in_own_transaction(
                lambda: intent._apply_stripe_intent(error.payment_intent, source),
            )
            raise error
        if not isinstance(error, StripeUnavailableError) \
                and error.code != 'payment_intent_unexpected_state':
            raise error
        # The confirmation may have reached Stripe with its answer lost, or the PaymentIntent
        # moved on (paid from a page of before, cancelled): Stripe says what it is now.
        try:
            stripe_intent = self._stripe_in_own_transaction(lambda: intent._stripe_fetch(source))
        except StripeGatewayError:
            raise StripePaymentRefusedError('unknown_outcome') from error
        if intent.state in ('succeeded', 'processing', 'pending') \
                or stripe_intent.get('status') == 'requires_action':
            return stripe_intent
        self.invalidate_recordset()
        if reason := self._stripe_payment_refusal():
            raise StripePaymentRefusedError(reason) from error
        if intent.state == 'canceled':
            raise StripePaymentRefusedError('changed') from error
        raise error  # Not confirmed: nothing was charged.

    def _stripe_owns_confirmation(self, marker):
        """Return whether the confirmation in flight is still the one marked ``marker``."""
        self.ensure_one()
        self.env.cr.execute(SQL(
            "SELECT stripe_confirming_since = %s FROM account_move WHERE id = %s",
            marker, self.id,
        ))
        return bool(self.env.cr.fetchone()[0])

    def _stripe_end_confirmation(self, marker):
        """Remove the marker of the confirmation in flight, if it is still this one's."""
        self.ensure_one()
        self.env.cr.execute(SQL(
            """
            UPDATE account_move SET stripe_confirming_since = NULL
             WHERE id = %s AND stripe_confirming_since = %s
            """, self.id, marker,
        ), log_exceptions=False)
        self.invalidate_recordset(['stripe_confirming_since'])

    def _stripe_forget_expired_confirmation(self):
        """Remove the expired markers of these invoices: Stripe was asked since about what
        their presses may have confirmed (see stripe.payment.intent's scheduled check)."""
        if not self:
            return
        self.env.cr.execute(SQL(
            """
            UPDATE account_move SET stripe_confirming_since = NULL
             WHERE id IN %s AND stripe_confirming_since
                   <= (clock_timestamp() AT TIME ZONE 'UTC') - make_interval(secs => %s)
            """, tuple(self.ids), const.CONFIRMATION_IN_FLIGHT_SECONDS,
        ))
        self.invalidate_recordset(['stripe_confirming_since'])

    def _stripe_confirmation_in_flight(self):
        """Return whether a press of Pay is confirming a payment of this invoice now."""
        self.ensure_one()
        since = self.sudo().stripe_confirming_since
        return bool(since) and since > fields.Datetime.now() - timedelta(
            seconds=const.CONFIRMATION_IN_FLIGHT_SECONDS,
        )

    def _stripe_in_own_transaction(self, work, tries=5):
        """Run ``work`` and commit; run it again in a new transaction when another worker
        changed the same rows meanwhile (the webhook applying the same PaymentIntent).

        After its decision is committed, a press of Pay may not have Odoo run its whole
        request again: the steps after it retry themselves.

        :return: What ``work`` returned.
        """
        for attempt in range(1, tries + 1):
            try:
                result = work()
                self.env.cr.commit()  # pylint: disable=invalid-commit
                return result
            except CONCURRENCY_ERRORS:
                self.env.cr.rollback()
                if attempt == tries:
                    raise
                time.sleep(random.uniform(0.0, 0.05 * 2 ** attempt))
        return None

    @api.model
    def _stripe_cancel_stale_later(self):
        """Have the job cancel on Stripe the open PaymentIntents no one may pay any more, once
        this transaction commits: the action that made them so never waits for Stripe."""
        self.env['stripe.platform']._trigger_job_at_commit(
            'account_stripe_connect.ir_cron_stripe_cancel_stale',
        )
