from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Command


class StripeAccounting(models.AbstractModel):
    """The one place the addon writes the payments of Stripe's money and matches them.

    A customer's payment, money given back (a refund, a dispute lost) and money won back (a
    dispute won on appeal) are each one ``account.payment`` on the company's Stripe journal,
    dated when Stripe moved the money, reconciled with the invoice or credit note it concerns.
    The statement lines of Stripe's balance transactions, which those payments are matched
    with, are written by ``stripe.balance.transaction`` with the same dates.

    Called by the PaymentIntent, refund and dispute records, under the PaymentIntent's row
    lock; nothing here calls Stripe.
    """

    _name = 'stripe.accounting'
    _description = "Stripe accounting"

    # === BUSINESS METHODS - DATES === #

    @api.model
    def _stripe_quiet(self, records):
        """Return the records, sudo'ed, in an environment writing no chatter of its own.

        The entries the addon writes (payments, statement lines, their matching) track no
        field changes and log no "created" message: what happened is said once, in the note
        posted on the invoice (see :meth:`_stripe_post_received_message`), and the entries
        themselves are the record. That is most of the queries of Odoo's mail features when
        a payment is registered and booked.
        """
        return records.sudo().with_context(
            tracking_disable=True, mail_notrack=True, mail_create_nolog=True,
        )

    @api.model
    def _stripe_local_date(self, company, timestamp):
        """Return the day a Unix time falls on for the company: in its timezone (its
        partner's), else the user's, else UTC.

        :param int timestamp: A Stripe ``created``.
        :rtype: datetime.date
        """
        name = company.partner_id.tz or self.env.context.get('tz') or self.env.user.tz or 'UTC'
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            zone = timezone.utc
        return datetime.fromtimestamp(int(timestamp), tz=timezone.utc).astimezone(zone).date()

    @api.model
    def _stripe_date(self, company, journal, timestamp=None):
        """Return the accounting date of money Stripe moved at ``timestamp``.

        Its day for the company, never after today (an entry dated later would wait to be
        posted), and, inside a locked period, the first date Odoo allows: the day after the
        lock dates Odoo finds violated for that journal and user (its own
        ``_get_violated_lock_dates``, lock date exceptions included).

        Not ``account.move._get_accounting_date``: it moves a date further, to the end of the
        period or today, by the journal's sequence as it stands, so a payment and its
        statement line, booked one after the other, could get different dates.

        :param int timestamp: A Stripe ``created``; none for today.
        :rtype: datetime.date
        """
        today = fields.Date.context_today(self)
        day = min(self._stripe_local_date(company, timestamp), today) if timestamp else today
        if locks := company._get_violated_lock_dates(day, False, journal):
            day = min(max(lock for lock, _field in locks) + timedelta(days=1), today)
        return day

    # === BUSINESS METHODS - PAYMENTS === #

    @api.model
    def _stripe_create_payment(self, intent, payment_type, amount, *, timestamp, memo, document,
                               receivable):
        """Create and post one payment of a PaymentIntent's money on the Stripe journal.

        Its payment method is the Stripe journal's, with the Stripe outstanding account of its
        direction, so the payment posts an entry that its balance transaction's statement
        line is matched with.

        :param intent: The ``stripe.payment.intent`` the money belongs to.
        :param str payment_type: ``inbound`` (money received) or ``outbound`` (given back).
        :param float amount: In the PaymentIntent's currency.
        :param int timestamp: When Stripe moved the money (Unix time).
        :param str memo: The payment's memo.
        :param document: The invoice or credit note the payment is for.
        :param receivable: The receivable account of the invoice.
        :rtype: account.payment
        """
        move = intent.move_id.sudo()
        company = move.company_id
        journal = company._stripe_ensure_journal()
        lines = journal.inbound_payment_method_line_ids if payment_type == 'inbound' \
            else journal.outbound_payment_method_line_ids
        method_line = lines.filtered('payment_account_id')[:1] or lines[:1]
        values = {
            'amount': amount,
            'date': self._stripe_date(company, journal, timestamp),
            'payment_type': payment_type,
            'partner_type': 'customer',
            'partner_id': move.commercial_partner_id.id,
            'currency_id': intent.currency_id.id,
            'journal_id': journal.id,
            'company_id': company.id,
            'payment_method_line_id': method_line.id,
            'memo': memo,
            'invoice_ids': [Command.link(document.id)],
        }
        if receivable:
            values['destination_account_id'] = receivable.id
        payment = self._stripe_quiet(self.env['account.payment']).with_company(company) \
            .create(values)
        payment.action_post()
        return payment

    @api.model
    def _stripe_receivable(self, intent):
        """Return the receivable account of the PaymentIntent's invoice."""
        if intent.payment_id:
            return intent.payment_id.destination_account_id
        lines = intent.move_id.sudo().line_ids.filtered(
            lambda line: line.display_type == 'payment_term'
        )
        return lines[:1].account_id

    @api.model
    def _stripe_register_received(self, intent, stripe_intent, source):
        """Register the payment of the amount a PaymentIntent received, dated when Stripe
        charged, and reconcile it with the invoice; an overpayment stays as the customer's
        outstanding credit.

        :param dict stripe_intent: The PaymentIntent as fetched from Stripe.
        :param str source: What triggered this, for the chatter.
        :rtype: account.payment
        """
        move = intent.move_id.sudo()
        amount_due_before = move.amount_residual
        charge = stripe_intent.get('latest_charge')
        timestamp = (charge.get('created') if isinstance(charge, dict) else None) \
            or stripe_intent.get('created')
        payment = self._stripe_register_inbound(
            intent, intent.amount_received, timestamp, f'{move.name} - {intent.stripe_id}',
        )
        intent.sudo().payment_id = payment
        self._stripe_post_received_message(intent, source, amount_due_before)
        return payment

    @api.model
    def _stripe_register_inbound(self, intent, amount, timestamp, memo):
        """Register money received for the PaymentIntent's invoice and reconcile it with what
        the invoice still has due (nothing due: all of it stays as the customer's credit).

        :rtype: account.payment
        """
        move = intent.move_id.sudo()
        receivable = self._stripe_receivable(intent)
        payment = self._stripe_create_payment(
            intent, 'inbound', amount, timestamp=timestamp, memo=memo, document=move,
            receivable=receivable,
        )
        if move.state == 'posted':
            invoice_lines = self._stripe_open_lines(move.line_ids, payment.destination_account_id)
            if invoice_lines:
                payment_lines = self._stripe_open_lines(
                    payment.move_id.line_ids, payment.destination_account_id,
                )
                self._stripe_reconcile(payment_lines + invoice_lines)
        return payment

    @api.model
    def _stripe_post_received_message(self, intent, source, amount_due_before):
        """Tell the invoice's followers (internally) what was paid, how and where."""
        move = intent.move_id.sudo()
        currency = intent.currency_id
        body = Markup("<p>%s</p>") % self.env._(
            "%(amount)s paid online with Stripe (%(method)s, reference %(reference)s), "
            "registered from the %(origin)s as %(payment)s.",
            amount=currency.format(intent.amount_received),
            method=intent.payment_method_label or self.env._("online payment"),
            reference=intent.stripe_id,
            origin=source,
            payment=intent.payment_id.display_name,
        )
        if currency.compare_amounts(intent.amount_received, amount_due_before) > 0:
            body += Markup("<p>%s</p>") % self.env._(
                "The customer paid %(extra)s more than was due; it stays as the customer's "
                "outstanding credit.",
                extra=currency.format(intent.amount_received - amount_due_before),
            )
        move.message_post(body=body, subtype_xmlid='mail.mt_note')

    @api.model
    def _stripe_register_given_back(self, intent, amount, timestamp, memo, credit_note=None):
        """Register money of a PaymentIntent given back to the customer (a refund, a dispute
        lost), dated when Stripe took it off the balance.

        With an open credit note, the payment is reconciled with it: the credit note is paid
        and the invoice stays paid. Otherwise it is reconciled with the PaymentIntent's own
        payment, which keeps paying the invoice only for what the customer did not get back:
        that amount is due on the invoice again.

        :param float amount: In the PaymentIntent's currency.
        :param int timestamp: When Stripe moved the money (Unix time).
        :param str memo: The payment's memo.
        :param credit_note: The credit note the money is given back for, if any.
        :rtype: account.payment
        """
        receivable = intent.payment_id.destination_account_id
        credit_note_lines = self._stripe_open_lines(credit_note.sudo().line_ids, receivable) \
            if credit_note and credit_note.state == 'posted' else None
        document = credit_note if credit_note_lines else intent.move_id
        payment = self._stripe_create_payment(
            intent, 'outbound', amount, timestamp=timestamp, memo=memo, document=document.sudo(),
            receivable=receivable,
        )
        outbound_lines = self._stripe_open_lines(payment.move_id.line_ids, receivable)
        if credit_note_lines:
            self._stripe_reconcile(outbound_lines + credit_note_lines)
            outbound_lines = outbound_lines.filtered(lambda line: not line.reconciled)
        if outbound_lines:  # No credit note, or more given back than it credits.
            self._stripe_reconcile_given_back(intent, outbound_lines)
        return payment

    @api.model
    def _stripe_cancel_payment(self, intent, payment):
        """Cancel a payment of money given back that Stripe put back on the balance (a refund
        that failed): the PaymentIntent's payment pays the invoice again."""
        payment = payment.sudo()
        payment.move_id.line_ids.remove_move_reconcile()
        payment.action_draft()
        payment.action_cancel()
        self._stripe_reconcile_with_invoice(intent)

    # === BUSINESS METHODS - MATCHING === #

    @api.model
    def _stripe_reconcile(self, lines):
        """Reconcile journal items in their company's environment, whatever the caller's (the
        webhook's public user): Odoo's exchange difference entry is made in that company."""
        company = lines.company_id[:1]
        self._stripe_quiet(lines).with_company(company).reconcile()

    @api.model
    def _stripe_open_lines(self, lines, account):
        return lines.filtered(lambda line: line.account_id == account and not line.reconciled)

    @api.model
    def _stripe_reconcile_given_back(self, intent, outbound_lines):
        """Let the PaymentIntent's payment cover the money given back first, then the invoice
        with what is left of it: the invoice is due again by the amount given back."""
        receivable = intent.payment_id.destination_account_id
        payment_lines = intent.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id == receivable
        )
        invoice_lines = intent.move_id.sudo().line_ids.filtered(
            lambda line: line.account_id == receivable
        )
        # Undo only the payment's matching with the invoice; other matchings stay.
        payment_lines.matched_debit_ids.filtered(
            lambda partial: partial.debit_move_id in invoice_lines
        ).unlink()
        self._stripe_reconcile(payment_lines + outbound_lines)
        self._stripe_reconcile_with_invoice(intent)

    @api.model
    def _stripe_reconcile_with_invoice(self, intent):
        """Reconcile what is left open of the PaymentIntent's payment with the invoice."""
        receivable = intent.payment_id.destination_account_id
        payment_lines = self._stripe_open_lines(intent.payment_id.move_id.line_ids, receivable)
        invoice_lines = self._stripe_open_lines(intent.move_id.sudo().line_ids, receivable)
        if payment_lines and invoice_lines and intent.move_id.state == 'posted':
            self._stripe_reconcile(payment_lines + invoice_lines)
