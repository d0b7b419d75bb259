import importlib.util
import os

from odoo.tests import tagged

from .books_common import StripeBooksCommon


@tagged('post_install', '-at_install')
class TestBooks(StripeBooksCommon):
    """How each balance transaction is booked: its statement line, its lines, its date, the
    journal of its currency, and what it is matched with."""

    def _booked(self, **domain):
        self.env.invalidate_all()
        return self.env['stripe.balance.transaction'].search(
            [(key, '=', value) for key, value in domain.items()], order='id',
        )

    def test_a_payment_is_its_net_on_the_journal_its_fees_apart_matched_with_the_payment(self):
        self._set_odoo_rates()
        self.emulator.add_bank_account(self.company.stripe_account_id, 'eur')
        self._at(1)
        self.platform._set_setting('fee_percent', '2.0')
        invoice = self._invoice(150.0, 'EUR')
        intent = self._pay(invoice)
        self._post_all(self._held_events())

        record = self._booked(reporting_category='charge')
        self.assertEqual(len(record), 1)
        charge = self.emulator.get_object(self._charge_of(intent))
        transaction = self.emulator.get_object(charge['balance_transaction'])
        self.assertEqual(transaction['currency'], 'eur', "the account settles euros in euros")
        fees = {detail['type']: detail['amount'] for detail in transaction['fee_details']}
        self.assertEqual(fees['application_fee'], 300)
        line = record.statement_line_id
        journal = line.journal_id
        self.assertEqual(journal.currency_id.name, 'EUR')
        self.assertTrue(journal.is_stripe_journal)
        self.assertNotEqual(journal, self.company.stripe_journal_id)
        self.assertEqual(journal.type, 'bank')
        self.assertAlmostEqual(line.amount, transaction['net'] / 100)
        self.assertEqual(line.date, self._day(1))
        self.assertEqual(line.partner_id, self.customer)
        items = line.move_id.line_ids
        fee_account = self.company.stripe_fee_account_id
        self.assertEqual(
            sorted(items.filtered(lambda i: i.account_id == fee_account).mapped('amount_currency')),
            sorted(amount / 100 for amount in fees.values()),
        )
        self.assertTrue(any(i.name.startswith("Platform fee") for i in items))
        gross = record.counterpart_line_id
        payment = intent.payment_id
        self.assertEqual(gross.account_id, payment.outstanding_account_id)
        self.assertAlmostEqual(gross.amount_currency, -150.0)
        self.assertTrue(gross.reconciled)
        self.assertEqual(payment.state, 'paid')
        self.assertTrue(payment.is_matched)
        self.assertEqual(payment.date, self._day(1), "dated when Stripe charged")
        # Its event again, and the check with Stripe: booked once.
        invoice.action_stripe_check()
        self.company._stripe_sync_balance("test")
        self.assertEqual(self._booked(reporting_category='charge'), record)
        self.assertEqual(self.env['account.bank.statement.line'].search_count(
            [('journal_id', '=', line.journal_id.id)],
        ), 1)

    def test_a_converted_payment_keeps_the_customers_currency_and_odoos_exchange_difference(self):
        self._set_odoo_rates()
        self._at(1)
        invoice = self._invoice(5000.0, 'JPY')
        intent = self._pay(invoice)
        self._post_all(self._held_events())
        record = self._booked(reporting_category='charge')
        transaction = self.emulator.get_object(record.stripe_id)
        self.assertEqual(transaction['currency'], 'usd')
        self.assertTrue(transaction['exchange_rate'])
        line = record.statement_line_id
        self.assertEqual(line.journal_id, self.company.stripe_journal_id)
        self.assertEqual(line.foreign_currency_id.name, 'JPY')
        self.assertEqual(line.amount_currency, 5000.0)
        gross = record.counterpart_line_id
        self.assertEqual(gross.currency_id.name, 'JPY')
        self.assertEqual(gross.amount_currency, -5000.0)
        self.assertAlmostEqual(gross.balance, -transaction['amount'] / 100)
        self.assertTrue(gross.full_reconcile_id)
        exchange = (gross.matched_debit_ids | gross.matched_credit_ids).exchange_move_id
        self.assertTrue(exchange, "Odoo's own exchange difference entry")
        # Stripe's rate against Odoo's (150 JPY a dollar): the difference is Odoo's to book.
        payment_balance = round(5000.0 / 150.0, 2)
        self.assertAlmostEqual(
            max(abs(line.balance) for line in exchange.line_ids),
            abs(round(transaction['amount'] / 100 - payment_balance, 2)),
        )
        self.assertEqual(intent.payment_id.state, 'paid')

    def test_past_a_lock_date_on_the_first_date_odoo_allows(self):
        """A payment Stripe made before the lock date, registered after it: booked (not
        refused on every retry), on the date Odoo gives an entry posted into that period."""
        self._at(1)
        invoice = self._invoice(100.0)
        intent = self._pay(invoice)
        self.company.sudo().fiscalyear_lock_date = self._day(5)
        self._post_all(self._held_events())
        record = self._booked(reporting_category='charge')
        journal = record.journal_id
        self.assertGreater(record.date, self._day(5))
        self.assertFalse(self.company._get_violated_lock_dates(record.date, False, journal))
        # The first open date: the day after the lock date, the same for the payment and its
        # statement line.
        self.assertEqual(record.date, self._day(6))
        self.assertEqual(intent.payment_id.date, record.date)
        self.assertTrue(record.counterpart_line_id.reconciled)
        self.assertEqual(invoice.payment_state, 'paid')

    def test_the_day_is_the_companys(self):
        self._at(1, hour=23)  # 23:00 UTC is already the next day in Brussels.
        invoice = self._invoice(100.0)
        intent = self._pay(invoice)
        self._post_all(self._held_events())
        record = self._booked(reporting_category='charge')
        created = self.emulator.get_object(record.stripe_id)['created']
        self.assertEqual(created, self.t0 + 86400 + 14 * 3600)
        local = self.env['stripe.accounting']._stripe_local_date(self.company, created)
        self.company.partner_id.tz = 'UTC'
        utc = self.env['stripe.accounting']._stripe_local_date(self.company, created)
        self.assertEqual(utc, self._day(1))
        self.assertEqual(local, self._day(2))
        self.assertEqual(record.date, local)
        self.assertEqual(intent.payment_id.date, local)

    def test_refund_and_its_failure_match_each_other(self):
        self._at(1)
        invoice = self._invoice(100.0)
        intent = self._pay(invoice)
        self._post_all(self._held_events())
        self._at(2)
        refund = self._refund_on_stripe(intent, 4000)
        self._post_all(self._held_events())
        refund_record = self._booked(reporting_category='refund')
        self.assertEqual(refund_record.refund_id.stripe_id, refund['id'])
        self.assertEqual(refund_record.counterpart_line_id.account_id,
                         self.company._stripe_outstanding_account('outbound'))
        self.assertTrue(refund_record.counterpart_line_id.reconciled)
        self.assertEqual(refund_record.refund_id.payment_id.date, self._day(2))
        self.assertEqual(
            refund_record.refund_id.payment_id.outstanding_account_id,
            self.company._stripe_outstanding_account('outbound'),
            "the outbound method has a Stripe outstanding account of its own",
        )
        self._at(3)
        self.emulator.fail_refund(refund['id'])
        self._post_all(self._held_events())
        failure = self._booked(reporting_category='refund_failure')
        self.assertEqual(len(failure), 1)
        self.assertEqual(refund_record.refund_id.payment_id.state, 'canceled')
        self.assertEqual(
            failure.counterpart_line_id.full_reconcile_id,
            refund_record.counterpart_line_id.full_reconcile_id,
        )
        self.assertTrue(failure.counterpart_line_id.full_reconcile_id)
        self.assertEqual(invoice.payment_state, 'paid')
        self.assertEqual(
            self._journal_balance_minor(self.company.stripe_journal_id),
            self._stripe_balance_minor('usd'),
        )

    def test_payouts_are_internal_transfers_a_canceled_one_undone(self):
        self._at(1)
        self._pay(self._invoice(100.0))
        self._post_all(self._held_events())
        self._at(4)
        payout = self.emulator.run_payouts(self.company.stripe_account_id)[0]
        self._post_all(self._held_events())
        record = self._booked(reporting_category='payout')
        self.assertEqual(record.source_id, payout['id'])
        self.assertEqual(record.counterpart_line_id.account_id, self.company.transfer_account_id)
        self.assertAlmostEqual(record.statement_line_id.amount, -payout['amount'] / 100)
        self.assertFalse(record.counterpart_line_id.reconciled)
        self.emulator.cancel_payout(payout['id'])
        self._post_all(self._held_events())
        reversal = self._booked(reporting_category='payout_reversal')
        self.assertEqual(reversal.source_id, payout['id'])
        self.assertTrue(record.counterpart_line_id.full_reconcile_id)
        self.assertEqual(
            record.counterpart_line_id.full_reconcile_id,
            reversal.counterpart_line_id.full_reconcile_id,
        )

    def test_compare_with_stripe_shows_what_is_missing_and_books_it(self):
        self._at(1)
        invoice = self._invoice(100.0)
        self._pay(invoice)  # Its events never come.
        action = self.company.action_stripe_compare_balance()
        compare = self.env['stripe.balance.compare'].browse(action['res_id'])
        self.assertTrue(compare.has_difference)
        usd = compare.line_ids.filtered(lambda line: line.currency_id.name == 'USD')
        transaction = self._stripe_transactions()[0]
        self.assertAlmostEqual(usd.stripe_pending, transaction['net'] / 100)
        self.assertAlmostEqual(usd.odoo_balance, 0.0)
        self.assertAlmostEqual(usd.difference, transaction['net'] / 100)

        action = compare.action_stripe_book_missing()
        compare = self.env['stripe.balance.compare'].browse(action['res_id'])
        self.assertFalse(compare.has_difference)
        self.assertEqual(invoice.payment_state, 'paid', "the payment came with its money")
        # The settings' button opens the same check.
        settings = self.env['res.config.settings'].create({})
        self.assertEqual(settings.action_stripe_compare_balance()['res_model'],
                         'stripe.balance.compare')

    def test_the_fees_account_defaults_to_the_charts_bank_fees(self):
        account = self.company.stripe_fee_account_id
        self.assertTrue(account)
        self.assertEqual(account.with_context(lang='en_US').name, "Bank Fees")
        self.assertIn(account.account_type, ('expense', 'expense_direct_cost'))

    def test_a_refund_made_in_odoo_gives_the_platform_fee_back_when_chosen(self):
        self._at(1)
        self.platform._set_setting('fee_percent', '2.0')
        invoice = self._invoice(100.0)
        intent = self._pay(invoice)
        self.platform._set_setting('fee_percent', False)
        self._post_all(self._held_events())
        self._at(2)
        self.assertFalse(self.platform._refund_application_fee(), "off, as on Stripe")
        intent._stripe_refund(10.0)
        request = self.emulator.api_calls('POST', '/v1/refunds')[-1]
        self.assertNotIn('refund_application_fee', request['params'])
        self.platform._set_setting('refund_application_fee', 'True')
        settings = self.env['res.config.settings'].create({})
        self.assertTrue(settings.stripe_refund_application_fee)
        intent._stripe_refund(50.0)
        request = self.emulator.api_calls('POST', '/v1/refunds')[-1]
        self.assertEqual(str(request['params']['refund_application_fee']).lower(), 'true')
        given_back = self._booked(transaction_type='application_fee_refund')
        self.assertEqual(len(given_back), 1, "booked at once, not at the next check")
        self.assertAlmostEqual(given_back.amount, 1.0, msg="half the fee for half the payment")
        self.assertEqual(given_back.counterpart_line_id.account_id,
                         self.company.stripe_fee_account_id)

    def test_migration_opens_the_books_of_a_company_connected_before(self):
        journal = self.company.stripe_journal_id
        journal.is_stripe_journal = False
        journal.outbound_payment_method_line_ids.payment_account_id = False
        self.company.sudo().write({'stripe_fee_account_id': False, 'stripe_balance_cursor': 0})
        path = os.path.join(
            os.path.dirname(__file__), '..', 'migrations', '19.0.1.3.0', 'post-migrate.py',
        )
        spec = importlib.util.spec_from_file_location('asc_migration_19_0_1_3_0', path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, '19.0.1.2.0')
        self.env.invalidate_all()
        self.assertTrue(journal.is_stripe_journal)
        outbound = journal.outbound_payment_method_line_ids.payment_account_id
        self.assertTrue(outbound)
        self.assertNotEqual(outbound, journal.inbound_payment_method_line_ids.payment_account_id)
        self.assertTrue(self.company.stripe_fee_account_id)
        self.assertGreater(self.company.stripe_balance_cursor, 0, "from now on, not history")
