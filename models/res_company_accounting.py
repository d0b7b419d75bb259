import time

from odoo import api, fields, models
from odoo.fields import Domain

from .. import const


class ResCompany(models.Model):
    """The company's books of its Stripe account: its Stripe journals (one per settlement
    currency), the accounts they use, and the job keeping them equal to Stripe's balance."""

    _inherit = 'res.company'

    stripe_fee_account_id = fields.Many2one(
        string="Stripe Fees Account", comodel_name='account.account', check_company=True,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="Where Stripe's fees, dispute fees and the platform's application fees are booked "
             "(an application fee given back too).",
    )
    stripe_balance_cursor = fields.Integer(
        string="Stripe Balance Booked Until", readonly=True, copy=False,
        help="Technical: the Unix time of the newest balance transaction the hourly job "
             "booked; it looks again from a little before it.",
    )

    # === BUSINESS METHODS - JOURNALS AND ACCOUNTS === #

    def _stripe_open_books(self):
        """Prepare the books of a company just connected: its Stripe journal and accounts, and
        where the hourly job starts listing the account's balance transactions.

        An account made through onboarding is new: the job books all of its history. An
        account that existed before (OAuth) is booked from now on; its balance of before is
        the journal's opening balance, for the accountant to enter.
        """
        self.ensure_one()
        self._stripe_ensure_journal()
        cursor = int(time.time()) if self.stripe_connect_method == 'oauth' else 0
        self.sudo().stripe_balance_cursor = cursor

    def _stripe_ensure_journal(self):
        """Return the company's Stripe journal, creating it with its accounts when missing.

        It is a bank journal in the company's currency whose statement lines are the Stripe
        balance transactions in that currency; its payment methods have Stripe outstanding
        accounts of their own, on which the payments registered for Stripe meet the statement
        lines that match them.

        :rtype: account.journal
        """
        self.ensure_one()
        if not self.stripe_journal_id:
            journal = self._stripe_create_journal(self.env['res.currency'])
            self.sudo().stripe_journal_id = journal
        self._stripe_ensure_fee_account()
        return self.stripe_journal_id

    def _stripe_journal_for(self, currency):
        """Return the Stripe journal of a settlement currency, creating it when missing.

        :param currency: A ``res.currency``; the company's own is the main Stripe journal.
        :rtype: account.journal
        """
        self.ensure_one()
        main = self._stripe_ensure_journal()
        if currency in (self.currency_id, main.currency_id):
            return main
        Journal = self.env['account.journal'].sudo()
        domain = Domain('company_id', '=', self.id) & Domain('is_stripe_journal', '=', True) \
            & Domain('currency_id', '=', currency.id)
        journal = Journal.search(domain, limit=1)
        if not journal:
            self._stripe_lock()  # Two workers make one journal per currency.
            journal = Journal.search(domain, limit=1)
            if not journal:
                # Stripe holds money in it: Odoo must know the currency to book it.
                currency.sudo().active = True
                journal = self._stripe_create_journal(currency)
        return journal

    def _stripe_journals(self):
        """Return the company's Stripe journals, the main one first."""
        self.ensure_one()
        others = self.env['account.journal'].sudo().search([
            ('company_id', '=', self.id), ('is_stripe_journal', '=', True),
            ('id', '!=', self.stripe_journal_id.id),
        ], order='id')
        return self.stripe_journal_id.sudo() | others

    def _stripe_create_journal(self, currency):
        """Create a Stripe bank journal of a settlement currency (none: the company's)."""
        self.ensure_one()
        company_sudo = self.sudo()
        name = "Stripe" if not currency else f"Stripe ({currency.name})"
        journal = self.env['account.journal'].sudo().with_company(company_sudo).create({
            'name': name,
            'type': 'bank',
            'code': self._stripe_new_journal_code(),
            'company_id': self.id,
            'currency_id': currency.id if currency and currency != self.currency_id else False,
            'is_stripe_journal': True,
        })
        receipts = self._stripe_outstanding_account('inbound')
        payments = self._stripe_outstanding_account('outbound')
        journal.inbound_payment_method_line_ids[:1].payment_account_id = receipts
        journal.outbound_payment_method_line_ids[:1].payment_account_id = payments
        return journal

    def _stripe_new_journal_code(self):
        self.ensure_one()
        taken = set(self.env['account.journal'].sudo().with_context(active_test=False).search(
            [('company_id', '=', self.id)]
        ).mapped('code'))
        code, counter = 'STRP', 1
        while code in taken:
            counter += 1
            code = f'STR{counter}'
        return code

    def _stripe_outstanding_account(self, payment_type):
        """Return the Stripe outstanding receipts (``inbound``) or payments (``outbound``)
        account: the main Stripe journal's, else a new one.

        :rtype: account.account
        """
        self.ensure_one()
        journal = self.stripe_journal_id.sudo()
        lines = journal.inbound_payment_method_line_ids if payment_type == 'inbound' \
            else journal.outbound_payment_method_line_ids
        account = lines.payment_account_id[:1]
        if account:
            return account
        inbound = payment_type == 'inbound'
        company_sudo = self.sudo()
        Account = self.env['account.account'].sudo().with_company(company_sudo)
        template = self.env['account.chart.template'].with_company(company_sudo).ref(
            'account_journal_payment_debit_account_id' if inbound
            else 'account_journal_payment_credit_account_id',
            raise_if_not_found=False,
        )
        start_code = template.code if template else ('101900' if inbound else '101950')
        return Account.create({
            'name': self.env._("Stripe Outstanding Receipts") if inbound
            else self.env._("Stripe Outstanding Payments"),
            'code': Account._search_new_account_code(start_code),
            'account_type': 'asset_current',
            'reconcile': True,
        })

    def _stripe_ensure_fee_account(self):
        """Return the account Stripe's fees are booked to, choosing the default when none is set:
        the chart's bank fees account (named so in English), else a new "Stripe Fees" account.

        :rtype: account.account
        """
        self.ensure_one()
        if self.stripe_fee_account_id:
            return self.stripe_fee_account_id
        company_sudo = self.sudo()
        Account = self.env['account.account'].sudo().with_company(company_sudo) \
            .with_context(lang='en_US')
        company_domain = Account._check_company_domain(self)
        account = Account.search([
            *company_domain, ('account_type', 'in', ('expense', 'expense_direct_cost')),
            '|', ('name', '=ilike', 'bank fees'), ('name', '=ilike', 'bank charges'),
        ], limit=1)
        if not account:
            template = self.env['account.chart.template'].with_company(company_sudo).ref(
                'expense_finance', raise_if_not_found=False,
            )
            start_code = (template or company_sudo.expense_account_id).code or '620000'
            account = Account.create({
                'name': self.env._("Stripe Fees"),
                'code': Account._search_new_account_code(start_code),
                'account_type': 'expense',
            })
        company_sudo.stripe_fee_account_id = account
        return account

    def _stripe_transfer_account(self):
        """Return the account a payout moves through to the bank: the company's internal
        transfer account (Odoo's own, also used by its bank reconciliation), else the Stripe
        journal's suspense account."""
        self.ensure_one()
        company_sudo = self.sudo()
        return company_sudo.transfer_account_id \
            or company_sudo.stripe_journal_id.suspense_account_id

    # === BUSINESS METHODS - BALANCE === #

    def _stripe_sync_balance(self, source):
        """Book the balance transactions of the company's Stripe account that are not yet,
        through what each belongs to: its payment, refund or dispute is fetched and applied
        first (as its event would have been, through ``_stripe_fetch_and_apply``), its payout
        fetched, and what belongs to nothing of Odoo's is booked alone.

        Lists those created since the cursor less a margin (``const.BALANCE_SYNC_MARGIN``),
        oldest first, and moves the cursor to the newest seen.

        :param str source: What triggered this, for the chatter.
        :return: The balance transactions booked now.
        :rtype: stripe.balance.transaction
        """
        self.ensure_one()
        company = self.sudo()
        Transaction = self.env['stripe.balance.transaction']
        transactions = Transaction._stripe_list(
            company, max(company.stripe_balance_cursor - const.BALANCE_SYNC_MARGIN, 0),
        )
        booked_before = set(
            Transaction._stripe_booked(t['id'] for t in transactions).mapped('stripe_id')
        )
        records = Transaction.browse()
        for transaction in transactions:
            if transaction['id'] not in booked_before:
                records |= company._stripe_book_listed(transaction, source)
        newest = max([company.stripe_balance_cursor] + [t['created'] for t in transactions])
        if newest != company.stripe_balance_cursor:
            company.stripe_balance_cursor = newest
        return records

    def _stripe_book_listed(self, transaction, source):
        """Book one listed balance transaction (its ``source`` expanded) through what it
        belongs to, then alone if that did not book it."""
        self.ensure_one()
        Transaction = self.env['stripe.balance.transaction']
        origin = transaction.get('source')
        origin = origin if isinstance(origin, dict) else {}
        kind = origin.get('object')
        if kind in ('charge', 'refund', 'dispute'):
            intent_id = origin.get('payment_intent')
            if not intent_id and kind == 'dispute' and origin.get('charge'):
                intent_id = self.env['stripe.platform']._get_gateway().retrieve_charge(
                    self.stripe_account_id, origin['charge'],
                ).get('payment_intent')
            intent = self.env['stripe.payment.intent'].sudo().search([
                ('stripe_id', '=', intent_id or False),
                ('stripe_account_id', '=', self.stripe_account_id),
            ], limit=1)
            if intent and kind == 'charge':
                intent._stripe_fetch_and_apply('payment_intent', source)
            elif intent:
                # The expanded source was fetched just now: it is applied as it is.
                origin.setdefault('payment_intent', intent.stripe_id)
                intent._stripe_apply_fetched(kind, origin, source)
        elif kind == 'payout':
            Transaction._stripe_book_payout(self, origin)
        return Transaction._stripe_booked([transaction['id']]) \
            or Transaction._stripe_book(self, transaction)

    @api.model
    def _cron_stripe_sync_balance(self):
        """Book the balance transactions whose events were missed, company by company."""
        self._stripe_cron_each_company(
            lambda company: company._stripe_account_usable(),
            lambda company: company._stripe_sync_balance(
                self.env._("scheduled check with Stripe"),
            ),
            "Booking Stripe's balance",
        )

    # === ACTIONS === #

    def action_stripe_compare_balance(self):
        """Show Stripe's balance of the company's account beside its Stripe journals'."""
        self.ensure_one()
        self._stripe_check_access('account.group_account_invoice')
        return self.env['stripe.balance.compare']._action_open(self)
