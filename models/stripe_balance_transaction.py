from datetime import datetime, timezone

from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools import SQL

from .. import const
from ..utils import money


class StripeBalanceTransaction(models.Model):
    """One balance transaction of a connected Stripe account, booked once as one statement
    line of the company's Stripe journal of its currency.

    The statement line's amount is the transaction's ``net``; its entry has the gross amount
    on a counterpart chosen by what the money is (see :meth:`_stripe_counterpart`), matched
    with the payment the addon registered for it, and each fee on its own line on the Stripe
    fees account. So the journal's balance is Stripe's balance, line for line.
    """

    _name = 'stripe.balance.transaction'
    _description = "Stripe Balance Transaction"
    _order = 'created desc, id desc'
    _rec_name = 'stripe_id'
    _check_company_auto = True

    stripe_id = fields.Char(string="Stripe Reference", required=True, readonly=True)
    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True)
    transaction_type = fields.Char(string="Type", readonly=True)
    reporting_category = fields.Char(readonly=True, index=True)
    source_id = fields.Char(readonly=True, index='btree_not_null')
    description = fields.Char(readonly=True)
    created = fields.Datetime(string="Made On", readonly=True, help="When Stripe made it.")
    currency_id = fields.Many2one('res.currency', readonly=True)
    amount = fields.Monetary(string="Gross", readonly=True)
    fee = fields.Monetary(readonly=True)
    net = fields.Monetary(readonly=True)
    exchange_rate = fields.Float(readonly=True, digits=(16, 8))
    statement_line_id = fields.Many2one(
        comodel_name='account.bank.statement.line', readonly=True, ondelete='restrict',
        index='btree_not_null', check_company=True,
    )
    journal_id = fields.Many2one(related='statement_line_id.journal_id')
    date = fields.Date(related='statement_line_id.date')
    counterpart_line_id = fields.Many2one(
        comodel_name='account.move.line', readonly=True, ondelete='set null',
        help="The statement line's journal item of the gross amount, matched with the "
             "payment the money belongs to.",
    )
    intent_id = fields.Many2one(
        string="Stripe Payment", comodel_name='stripe.payment.intent', readonly=True,
        index='btree_not_null', ondelete='set null',
    )
    refund_id = fields.Many2one(
        comodel_name='stripe.refund', readonly=True, index='btree_not_null', ondelete='set null',
    )
    dispute_id = fields.Many2one(
        comodel_name='stripe.dispute', readonly=True, index='btree_not_null',
        ondelete='set null',
    )
    move_id = fields.Many2one(
        string="Invoice", related='intent_id.move_id', store=True, index='btree_not_null',
    )

    _stripe_id_unique = models.Constraint(
        'UNIQUE(stripe_id)', "A Stripe balance transaction is booked once.",
    )

    # === BUSINESS METHODS - BOOKING === #

    @api.model
    def _stripe_booked(self, stripe_ids):
        """Return the records of the balance transactions of these ids already booked."""
        return self.sudo().search([('stripe_id', 'in', list(stripe_ids))])

    @api.model
    def _stripe_book(self, company, transaction, origin=None):
        """Book one balance transaction once, whoever asks and however often.

        The record is inserted first with ``ON CONFLICT DO NOTHING``: a second worker booking
        the same transaction waits on the first's row and, under Odoo's REPEATABLE READ, gets
        a serialization failure after it commits; Odoo runs its request again, and it finds
        the transaction booked.

        :param company: The company whose Stripe account moved the money.
        :param dict transaction: The BalanceTransaction as fetched from Stripe.
        :param origin: The record the money belongs to: a ``stripe.payment.intent`` (the
            charge), ``stripe.refund`` or ``stripe.dispute``; none for payouts and the rest.
        :return: The record (the existing one when booked before).
        :rtype: stripe.balance.transaction
        """
        record = self._stripe_reserve(company, transaction['id'])
        if not record:
            return self._stripe_booked([transaction['id']])
        record._stripe_write(transaction, origin)
        return record

    @api.model
    def _stripe_reserve(self, company, stripe_id):
        """Insert the row of a balance transaction, unless it is there already.

        :return: The new record, or an empty recordset when it was booked before.
        """
        self.flush_model()
        self.env.cr.execute(SQL(
            """
            INSERT INTO stripe_balance_transaction AS booked (
                stripe_id, company_id, create_uid, write_uid, create_date, write_date)
            VALUES (%(id)s, %(company)s, %(uid)s, %(uid)s,
                    NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC')
            ON CONFLICT (stripe_id) DO NOTHING
            RETURNING id
            """,
            id=stripe_id, company=company.id, uid=self.env.uid,
        ), log_exceptions=False)  # A concurrent booking's serialization failure is expected.
        row = self.env.cr.fetchone()
        return self.sudo().browse(row[0]) if row else self.sudo().browse()

    def _stripe_write(self, transaction, origin):
        """Fill the reserved record and write its statement line, then match it."""
        self.ensure_one()
        company = self.company_id
        currency = self.env['res.currency'].with_context(active_test=False).search(
            [('name', '=', transaction['currency'].upper())], limit=1,
        )
        code = currency.name
        links = {'intent_id': False, 'refund_id': False, 'dispute_id': False}
        if origin:
            links[{'stripe.payment.intent': 'intent_id', 'stripe.refund': 'refund_id',
                   'stripe.dispute': 'dispute_id'}[origin._name]] = origin.id
            if origin._name != 'stripe.payment.intent':
                links['intent_id'] = origin.intent_id.id
        source = transaction.get('source')
        self.write({
            'transaction_type': transaction.get('type'),
            'reporting_category': transaction.get('reporting_category'),
            'source_id': source.get('id') if isinstance(source, dict) else source,
            'description': transaction.get('description'),
            'created': datetime.fromtimestamp(transaction['created'], tz=timezone.utc)
            .replace(tzinfo=None),
            'currency_id': currency.id,
            'amount': money.from_minor_units(transaction['amount'], code),
            'fee': money.from_minor_units(transaction['fee'], code),
            'net': money.from_minor_units(transaction['net'], code),
            'exchange_rate': transaction.get('exchange_rate') or 0.0,
            **links,
        })
        journal = company._stripe_journal_for(currency)
        date = self.env['stripe.accounting']._stripe_date(company, journal, transaction['created'])
        counterpart_account, targets = self._stripe_counterpart()
        Accounting = self.env['stripe.accounting']
        st_line = Accounting._stripe_quiet(self.env['account.bank.statement.line']) \
            .with_company(company).create(
            self._stripe_statement_line_values(
                transaction, journal, date, counterpart_account, origin,
            )
        )
        self.statement_line_id = st_line
        self.counterpart_line_id = st_line.move_id.line_ids.filtered(
            lambda line: line.account_id == counterpart_account
            and line.display_type != 'payment_term'
        ).sorted(lambda line: line.id)[-1:]
        self._stripe_match(targets)

    def _stripe_statement_line_values(self, transaction, journal, date, counterpart_account,
                                      origin):
        """Return the values of the statement line of a balance transaction.

        The liquidity line holds the ``net`` in the journal's currency; each fee of
        ``fee_details`` has its own line on the Stripe fees account; the gross amount is on
        ``counterpart_account``, in the currency the customer paid when Stripe converted it
        (the statement line's foreign currency), so that matching it with the payment in that
        currency makes Odoo's own exchange difference entry.
        """
        self.ensure_one()
        company = self.company_id
        company_currency = company.currency_id
        currency = self.currency_id
        code = currency.name

        def to_company(amount):
            if currency == company_currency:
                return amount
            return currency._convert(amount, company_currency, company, date)

        foreign, foreign_amount = self._stripe_presentment(transaction, origin)
        if foreign == company_currency and currency != company_currency:
            gross = foreign_amount  # What the customer paid, exactly, in company currency.
        else:
            gross = to_company(self.amount)
        partner = (origin.partner_id.commercial_partner_id if origin else None) \
            or self.env['res.partner']
        label = self._stripe_label()
        fee_account = company._stripe_ensure_fee_account()
        lines, fee_total = [], 0.0
        for detail in transaction.get('fee_details') or []:
            fee = money.from_minor_units(detail['amount'], code)
            if currency.is_zero(fee):
                continue
            fee_company = to_company(fee)
            fee_total += fee_company
            lines.append(Command.create({
                'name': self._stripe_fee_label(detail),
                'account_id': fee_account.id,
                'partner_id': partner.id,
                'currency_id': currency.id,
                'amount_currency': fee,
                'balance': fee_company,
            }))
        lines.insert(0, Command.create({
            'name': label,
            'account_id': journal.default_account_id.id,
            'partner_id': partner.id,
            'currency_id': currency.id,
            'amount_currency': self.net,
            'balance': company_currency.round(gross - fee_total),
        }))
        if not currency.is_zero(self.amount):
            lines.append(Command.create({
                'name': label,
                'account_id': counterpart_account.id,
                'partner_id': partner.id,
                'currency_id': (foreign or currency).id,
                'amount_currency': -(foreign_amount if foreign else self.amount),
                'balance': -gross,
            }))
        values = {
            'journal_id': journal.id,
            'company_id': company.id,
            'date': date,
            'payment_ref': label,
            'partner_id': partner.id,
            'amount': self.net,
            'line_ids': lines,
        }
        if foreign and foreign != currency:
            values.update(foreign_currency_id=foreign.id, amount_currency=foreign_amount)
        return values

    def _stripe_presentment(self, transaction, origin):
        """Return the currency and signed amount the customer dealt in, when Stripe converted
        them into the balance's currency: ``(currency, amount)``, else ``(None, None)``."""
        self.ensure_one()
        if not origin or origin.currency_id == self.currency_id:
            return None, None
        if origin._name == 'stripe.payment.intent':
            amount = origin.amount_received
        else:
            amount = origin.amount
        sign = -1 if transaction['amount'] < 0 else 1
        return origin.currency_id, sign * amount

    def _stripe_label(self):
        self.ensure_one()
        labels = {
            'charge': self.env._("Stripe payment"),
            'refund': self.env._("Stripe refund"),
            'refund_failure': self.env._("Stripe refund failed"),
            'dispute': self.env._("Stripe dispute: funds withdrawn"),
            'dispute_reversal': self.env._("Stripe dispute: funds reinstated"),
            'payout': self.env._("Stripe payout"),
            'payout_reversal': self.env._("Stripe payout returned"),
            'fee': self.env._("Stripe fee"),
        }
        label = labels.get(self.reporting_category) \
            or self.description or (self.transaction_type or '').replace('_', ' ').capitalize()
        parts = [label, self.source_id or self.stripe_id]
        if self.move_id:
            parts.append(self.move_id.name)
        return ' - '.join(part for part in parts if part)

    def _stripe_fee_label(self, detail):
        if detail.get('type') == 'application_fee':
            label = self.env._("Platform fee")
        elif detail.get('type') == 'stripe_fee':
            label = self.env._("Stripe fee")
        else:
            label = detail.get('description') or detail.get('type') or self.env._("Fee")
        return f"{label} - {self.source_id or self.stripe_id}"

    # === BUSINESS METHODS - MATCHING === #

    def _stripe_counterpart(self):
        """Return the account of the gross amount and the journal items it is matched with.

        - a charge: the customer's payment (on the Stripe outstanding receipts account);
        - a refund: its refund payment; a refund that failed: the refund's own line;
        - a dispute's withdrawal: the payment that took the money back off the invoice once
          the dispute is lost (until then it waits on the outstanding payments account); its
          reinstatement: the payment that put it back after a dispute lost and won on
          appeal, else the withdrawal's own line;
        - a payout: the company's internal transfer account, where the bank's statement line
          of the payout meets it; a payout that failed or was canceled: the payout's line;
        - an application fee given back: the Stripe fees account;
        - anything else, a payment made outside this database included: the journal's
          suspense account, for the accountant to reconcile as any bank line.

        :return: (account, lines to reconcile with)
        :rtype: tuple(account.account, account.move.line)
        """
        self.ensure_one()
        company = self.company_id
        Line = self.env['account.move.line']
        category = self.reporting_category
        payments_account = company._stripe_outstanding_account('outbound')
        if category == 'charge' and self.intent_id.payment_id:
            return self._stripe_payment_target(self.intent_id.payment_id)
        if category == 'refund' and self.refund_id:
            payment = self.refund_id.payment_id
            if payment and payment.state != 'canceled':
                return self._stripe_payment_target(payment)
            return payments_account, Line
        if category == 'refund_failure':
            return payments_account, self._stripe_sibling_lines('refund')
        if category == 'dispute' and self.dispute_id:
            if self.dispute_id.payment_id:
                return self._stripe_payment_target(self.dispute_id.payment_id)
            return payments_account, Line
        if category == 'dispute_reversal' and self.dispute_id:
            if self.dispute_id.won_back_payment_id:
                return self._stripe_payment_target(self.dispute_id.won_back_payment_id)
            return payments_account, self._stripe_sibling_lines('dispute')
        if category in ('payout', 'payout_reversal'):
            siblings = self._stripe_sibling_lines('payout') if category == 'payout_reversal' \
                else Line
            return company._stripe_transfer_account(), siblings
        if category == 'fee':
            return company._stripe_ensure_fee_account(), Line
        journal = company._stripe_journal_for(self.currency_id)
        return journal.suspense_account_id, Line

    def _stripe_payment_target(self, payment):
        """Return a payment's outstanding account and its open journal items there."""
        account = payment.outstanding_account_id
        lines = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == account and not line.reconciled
        )
        return account, lines

    def _stripe_sibling_lines(self, category):
        """Return the open counterpart line of the transaction this one gives back (the
        refund's, the withdrawal's, the payout's), of the same source."""
        self.ensure_one()
        siblings = self.search([
            ('id', '!=', self.id), ('reporting_category', '=', category),
            ('source_id', '=', self.source_id), ('company_id', '=', self.company_id.id),
        ])
        return siblings.counterpart_line_id.filtered(lambda line: not line.reconciled)

    def _stripe_match(self, targets=None):
        """Reconcile the counterpart line with the journal items it pays, where both are open
        on the same account."""
        for record in self:
            line = record.counterpart_line_id
            if not line or line.reconciled:
                continue
            if targets is None:
                _account, lines = record._stripe_counterpart()
            else:
                lines = targets
            lines = lines.filtered(
                lambda target, line=line: target.account_id == line.account_id
                and not target.reconciled
            )
            if lines:
                self.env['stripe.accounting']._stripe_reconcile(line + lines)

    # === BUSINESS METHODS - SOURCES === #

    @api.model
    def _stripe_fetch(self, account_id, value):
        """Return a balance transaction given as Stripe gives it (an id, or the object when
        expanded), fetched from Stripe when only its id is known; ``None`` for none."""
        if not value:
            return None
        if isinstance(value, dict):
            return value
        return self.env['stripe.platform']._get_gateway().retrieve_balance_transaction(
            account_id, value,
        )

    @api.model
    def _stripe_book_all(self, company, values, origin=None):
        """Book the balance transactions a Stripe object names (ids or objects), oldest first,
        skipping those booked already without asking Stripe about them.

        :return: The records.
        :rtype: stripe.balance.transaction
        """
        records = self.browse()
        values = [value for value in values if value]
        ids = [value['id'] if isinstance(value, dict) else value for value in values]
        booked = {record.stripe_id: record for record in self._stripe_booked(ids)}
        for value, stripe_id in zip(values, ids, strict=True):
            if stripe_id in booked:
                records |= booked[stripe_id]
                continue
            transaction = self._stripe_fetch(company.stripe_account_id, value)
            records |= self._stripe_book(company, transaction, origin)
        return records

    @api.model
    def _stripe_book_charge(self, intent, stripe_intent):
        """Book the balance transaction of the charge a PaymentIntent (as fetched from Stripe,
        its ``latest_charge`` expanded or not) received."""
        charge = stripe_intent.get('latest_charge')
        if isinstance(charge, str):
            charge = self.env['stripe.platform']._get_gateway().retrieve_charge(
                intent.stripe_account_id, charge,
            )
        if not charge or charge.get('status') != 'succeeded':
            return self.browse()
        return self._stripe_book_all(
            intent.company_id, [charge.get('balance_transaction')], intent,
        )

    @api.model
    def _stripe_book_refund(self, refund, stripe_refund):
        """Book a refund's balance transaction, and the one giving the money back when it
        failed."""
        return self._stripe_book_all(refund.company_id, [
            stripe_refund.get('balance_transaction'),
            stripe_refund.get('failure_balance_transaction'),
        ], refund)

    @api.model
    def _stripe_book_dispute(self, dispute, stripe_dispute):
        """Book a dispute's balance transactions (its withdrawal, its reinstatement)."""
        transactions = sorted(
            stripe_dispute.get('balance_transactions') or [],
            key=lambda transaction: (
                transaction['created'], transaction.get('reporting_category') != 'dispute',
            ),
        )
        records = self._stripe_book_all(dispute.company_id, transactions, dispute)
        records._stripe_match()
        return records

    @api.model
    def _stripe_book_payout(self, company, payout):
        """Book a payout's balance transaction (the internal transfer to the bank), and the
        one giving the money back when it failed or was canceled."""
        return self._stripe_book_all(company, [
            payout.get('balance_transaction'), payout.get('failure_balance_transaction'),
        ])

    # === BUSINESS METHODS - LISTING === #

    @api.model
    def _stripe_list(self, company, created_gte=0, transaction_type=None):
        """Return the company's balance transactions created since ``created_gte`` (Unix
        time), all pages, each with its ``source`` expanded, oldest first.

        :param str transaction_type: Only those of this ``type``.
        :rtype: list(dict)
        """
        gateway = self.env['stripe.platform']._get_gateway()
        transactions, starting_after = [], None
        while True:
            page = gateway.list_balance_transactions(
                company.stripe_account_id, created_gte=created_gte,
                transaction_type=transaction_type, starting_after=starting_after,
                limit=const.LIST_PAGE_SIZE,
            )
            transactions += page['data']
            if not page.get('has_more') or not page['data']:
                break
            starting_after = page['data'][-1]['id']
        # Newest first from Stripe; equal times keep Stripe's order, reversed.
        transactions.reverse()
        transactions.sort(key=lambda transaction: transaction['created'])
        return transactions
