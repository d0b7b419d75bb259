from odoo.tests import tagged

from ..utils import money
from .books_common import StripeBooksCommon


@tagged('post_install', '-at_install')
class TestBooksMonth(StripeBooksCommon):
    """A month of one merchant played against the emulator: at its end, Odoo's Stripe
    journals equal Stripe's balance in every currency to the minor unit, every invoice's
    amount due is what Stripe says is unpaid, each payout is one matched internal transfer,
    and "Compare with Stripe" shows no difference; whether Stripe's events came once, twice,
    out of order, or not at all (the hourly jobs catch up)."""

    # === THE MONTH === #

    def _play_month(self, deliver):
        """Play the month, calling ``deliver(events)`` with the events of each step."""
        self._set_odoo_rates()
        account = self.company.stripe_account_id
        self.emulator.add_bank_account(account, 'eur')  # EUR settles in EUR from now on.
        self._post_all(self._held_events())  # The account's own events, whatever the mode.
        m = self.month = {}

        # Day 1: the invoices of the month are paid online.
        self._at(1)
        m['usd'] = self._invoice(100.0)
        m['usd_intent'] = self._pay(m['usd'])
        self.platform._set_setting('fee_percent', '1.0')  # The platform's fee, this once.
        m['eur'] = self._invoice(200.0, 'EUR')
        m['eur_intent'] = self._pay(m['eur'])
        self.platform._set_setting('fee_percent', False)
        m['jpy'] = self._invoice(10000.0, 'JPY')  # Paid in part.
        m['jpy_intent'] = self._pay(m['jpy'], 4000.0)
        m['kwd'] = self._invoice(30.0, 'KWD')  # Paid over: 10 came by bank meanwhile.
        kwd_intent = m['kwd']._stripe_prepare_intent()
        self.env['account.payment.register'].with_context(
            active_model='account.move', active_ids=m['kwd'].ids,
        ).create({'amount': 10.0, 'payment_date': self._day(1)})._create_payments()
        self._pay_intent(kwd_intent)
        m['kwd_intent'] = kwd_intent
        m['refunded'] = self._invoice(80.0)
        m['refunded_intent'] = self._pay(m['refunded'])
        for name, amount, code in (
            ('lost', 60.0, 'USD'), ('won', 120.0, 'EUR'), ('appeal', 90.0, 'USD'),
        ):
            m[name] = self._invoice(amount, code)
            m[f'{name}_intent'] = self._pay(m[name])
        deliver(self._held_events())

        # Day 3: a refund made in Odoo (giving the platform's fee back), one in Stripe.
        self._at(3)
        self.platform._set_setting('refund_application_fee', 'True')
        eur_intent = m['eur_intent']
        if not eur_intent.payment_id:  # Its event was lost: the back office checks first.
            m['eur'].action_stripe_check()
        wizard = self.env['stripe.refund.wizard'].with_context(
            **eur_intent.action_stripe_refund()['context'],
        ).create({'amount': 50.0})
        wizard.action_refund()
        self._refund_on_stripe(m['refunded_intent'], 3000)
        deliver(self._held_events())

        # Day 4: Stripe pays out the available balance in each currency.
        self._at(4)
        payouts = self.emulator.run_payouts(account)
        self.assertEqual(sorted(p['currency'] for p in payouts), ['eur', 'usd'])
        m['usd_payout'] = next(p for p in payouts if p['currency'] == 'usd')
        m['failed_payout'] = next(p for p in payouts if p['currency'] == 'eur')
        deliver(self._held_events())

        # Day 5: the dollars reach the bank, the bank refuses the euros.
        self._at(5)
        self.emulator.advance_payout(m['usd_payout']['id'], 'paid')
        self.emulator.fail_payout(m['failed_payout']['id'], 'account_closed')
        deliver(self._held_events())

        # Day 6: three customers dispute their payments.
        self._at(6)
        for name in ('lost', 'won', 'appeal'):
            charge = self._charge_of(m[f'{name}_intent'])
            m[f'{name}_dispute'] = self.emulator.create_dispute(charge)
        deliver(self._held_events())

        # Day 9: the banks decide.
        self._at(9)
        self.emulator.close_dispute(m['lost_dispute']['id'], 'lost')
        self.emulator.close_dispute(m['won_dispute']['id'], 'won')
        self.emulator.close_dispute(m['appeal_dispute']['id'], 'lost')
        deliver(self._held_events())

        # Day 12: the lost one is appealed; day 20: the appeal is won (Odoo's rates changed).
        self._at(12)
        self.emulator.appeal_dispute(m['appeal_dispute']['id'])
        deliver(self._held_events())
        self._at(20)
        self.emulator.close_dispute(m['appeal_dispute']['id'], 'won')
        deliver(self._held_events())

        # Day 25: the euros go out again, to a bank that takes them.
        self._at(25)
        payouts = self.emulator.run_payouts(account, 'eur')
        self.assertEqual(len(payouts), 1)
        m['eur_payout'] = payouts[0]
        self._at(27)
        self.emulator.advance_payout(m['eur_payout']['id'], 'paid')
        deliver(self._held_events())
        self._at(29)

    # === THE END OF THE MONTH === #

    def _check_books(self):
        self.env.invalidate_all()
        company, m = self.company, self.month
        account = company.stripe_account_id

        # Every balance transaction is booked once, as one statement line.
        transactions = self._stripe_transactions()
        booked = self.env['stripe.balance.transaction'].search([('company_id', '=', company.id)])
        self.assertEqual(
            sorted(booked.mapped('stripe_id')), sorted(t['id'] for t in transactions),
        )
        self.assertEqual(len(booked.statement_line_id), len(booked))
        for transaction in transactions:
            record = booked.filtered(lambda r, t=transaction: r.stripe_id == t['id'])
            line = record.statement_line_id
            currency = line.journal_id.currency_id or company.currency_id
            self.assertEqual(currency.name.lower(), transaction['currency'])
            self.assertEqual(money.to_minor_units(line.amount, currency.name), transaction['net'])
            self.assertEqual(line.move_id.state, 'posted')

        # Each currency: the Stripe journal equals Stripe's balance, to the minor unit.
        balance = self.emulator.balance(account)
        stripe_side = {}
        for part in ('available', 'pending'):
            for item in balance[part]:
                code = item['currency']
                stripe_side[code] = stripe_side.get(code, 0) + item['amount']
        journals = company._stripe_journals()
        self.assertEqual(
            sorted((j.currency_id or company.currency_id).name for j in journals), ['EUR', 'USD'],
        )
        for journal in journals:
            code = (journal.currency_id or company.currency_id).name
            self.assertEqual(
                self._journal_balance_minor(journal), stripe_side[code.lower()], code,
            )

        # "Compare with Stripe" shows no difference.
        action = company.action_stripe_compare_balance()
        compare = self.env['stripe.balance.compare'].browse(action['res_id'])
        self.assertFalse(compare.has_difference)
        self.assertEqual(len(compare.line_ids), 2)
        self.assertTrue(all(line.difference == 0 for line in compare.line_ids))

        # Every invoice's amount due is what Stripe says is unpaid.
        expected_due = {
            'usd': 0.0, 'eur': 50.0, 'jpy': 6000.0, 'kwd': 0.0, 'refunded': 30.0,
            'lost': 60.0, 'won': 0.0, 'appeal': 0.0,
        }
        for name, due in expected_due.items():
            invoice = m[name]
            paid_otherwise = 10.0 if name == 'kwd' else 0.0
            self.assertEqual(self._stripe_unpaid(invoice, paid_otherwise), due, name)
            self.assertAlmostEqual(invoice.amount_residual, due, msg=name)
        kwd_credit = m['kwd_intent'].payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id == m['kwd_intent'].payment_id.destination_account_id
        )
        self.assertAlmostEqual(kwd_credit.amount_residual_currency, -10.0, msg="over: credit")
        self.assertEqual(m['appeal'].stripe_dispute_ids.state, 'won')
        self.assertEqual(m['lost'].stripe_status, 'disputed')

        # Every payment is matched with its statement line: nothing is left open on the
        # Stripe outstanding accounts.
        outstanding = company._stripe_outstanding_account('inbound') \
            | company._stripe_outstanding_account('outbound')
        open_items = self.env['account.move.line'].search([
            ('account_id', 'in', outstanding.ids), ('reconciled', '=', False),
            ('parent_state', '=', 'posted'),
        ])
        self.assertFalse(open_items, open_items.mapped('name'))
        payments = self.env['account.payment'].search([('journal_id', '=', self.journal.id)])
        self.assertTrue(payments)
        live = payments.filtered(lambda p: p.state != 'canceled')
        self.assertTrue(all(live.mapped('is_matched')))
        # Converted payments were matched through Odoo's own exchange difference entries.
        self.assertTrue(self.env['account.move'].search([
            ('journal_id', '=', company.currency_exchange_journal_id.id),
        ]))

        # Fees: Stripe's and the platform's on separate lines of the Stripe fees account.
        fee_lines = self.env['account.move.line'].search([
            ('account_id', '=', company.stripe_fee_account_id.id),
            ('move_id.statement_line_id', 'in', booked.statement_line_id.ids),
        ])
        self.assertTrue(fee_lines.filtered(lambda line: line.name.startswith("Platform fee")))
        self.assertTrue(fee_lines.filtered(lambda line: line.name.startswith("Stripe fee")))
        self.assertTrue(booked.filtered(lambda r: r.transaction_type == 'application_fee_refund'))

        # Each payout is one internal transfer; the bank's own line matches it at once.
        transfer = company.transfer_account_id
        eur_bank = self.env['account.journal'].create({
            'name': "Bank EUR", 'type': 'bank', 'code': 'BEUR',
            'currency_id': self._currency('EUR').id,
        })
        usd_bank = self.env['account.journal'].search([
            ('company_id', '=', company.id), ('type', '=', 'bank'),
            ('is_stripe_journal', '=', False), ('currency_id', '=', False),
        ], limit=1)
        for name, bank in (('usd_payout', usd_bank), ('eur_payout', eur_bank)):
            payout = m[name]
            records = booked.filtered(lambda r, p=payout: r.source_id == p['id'])
            self.assertEqual(len(records), 1, name)
            self.assertEqual(records.reporting_category, 'payout')
            stripe_side_line = records.counterpart_line_id
            self.assertEqual(stripe_side_line.account_id, transfer)
            self.assertFalse(stripe_side_line.reconciled, "waits for the bank's line")
            amount = money.from_minor_units(payout['amount'], payout['currency'].upper())
            bank_line = self.env['account.bank.statement.line'].create({
                'journal_id': bank.id, 'date': records.date, 'amount': amount,
                'payment_ref': f"STRIPE PAYOUT {payout['id']}",
                'counterpart_account_id': transfer.id,
            })
            bank_side_line = bank_line.move_id.line_ids.filtered(
                lambda line: line.account_id == transfer
            )
            (stripe_side_line + bank_side_line).reconcile()
            self.assertTrue(stripe_side_line.full_reconcile_id, name)
            self.assertEqual(stripe_side_line.full_reconcile_id, bank_side_line.full_reconcile_id)
        failed = booked.filtered(lambda r: r.source_id == m['failed_payout']['id'])
        self.assertEqual(sorted(failed.mapped('reporting_category')), ['payout', 'payout_reversal'])
        self.assertTrue(failed.counterpart_line_id.full_reconcile_id)
        self.assertEqual(len(failed.counterpart_line_id.full_reconcile_id), 1)

        # Dates: each statement line is dated when Stripe moved the money, in the company's
        # timezone.
        accounting = self.env['stripe.accounting']
        for transaction in transactions:
            record = booked.filtered(lambda r, t=transaction: r.stripe_id == t['id'])
            self.assertEqual(
                record.date, accounting._stripe_local_date(company, transaction['created']),
            )
        self.assertEqual(m['usd_intent'].payment_id.date, self._day(1))
        refund = m['refunded_intent'].refund_ids
        self.assertEqual(refund.payment_id.date, self._day(3))

    # === THE TESTS === #

    def test_month_with_events_delivered_once(self):
        self._play_month(self._post_all)
        self._check_books()
        # The refund made in Odoo gave the platform's fee back, in proportion.
        refund = self.month['eur_intent'].refund_ids
        self.assertEqual(refund.origin, 'odoo')
        self.assertTrue(self.emulator.get_object(refund.stripe_id)['balance_transaction'])
        # The dispute lost then won on appeal: taken back, then put back.
        dispute = self.month['appeal'].stripe_dispute_ids
        self.assertTrue(dispute.payment_id)
        self.assertTrue(dispute.won_back_payment_id)
        self.assertEqual(dispute.won_back_payment_id.date, self._day(20))

    def test_month_with_events_delivered_twice(self):
        seen = []

        def twice(events):
            seen.extend(events)
            self._post_all(events, times=2)
        self._play_month(twice)
        # And once more at the end of the month, late: each is a duplicate.
        for event in seen:
            self.assertEqual(self._post_event(event['id']).json()['outcome'], 'duplicate')
        self._check_books()

    def test_month_with_events_out_of_order(self):
        waiting = []

        def late_and_reversed(events):
            # Each step's events come with the next step's, newest first.
            waiting.extend(events)
            if len(waiting) > len(events):
                batch = list(reversed(waiting))
                waiting.clear()
                self._post_all(batch)
        self._play_month(late_and_reversed)
        self._post_all(list(reversed(waiting)))
        self._check_books()

    def test_month_with_events_lost_and_the_hourly_jobs(self):
        count = [0]

        def lossy(events):
            kept = []
            for event in events:
                count[0] += 1
                if count[0] % 3:
                    kept.append(event)
                else:
                    self.delivered.add(event['id'])  # Never delivered.
            self._post_all(kept)
        self._play_month(lossy)
        self.env.ref('account_stripe_connect.ir_cron_stripe_sync_balance').method_direct_trigger()
        self.env.ref('account_stripe_connect.ir_cron_stripe_resync').method_direct_trigger()
        self._check_books()
        # The job runs again: nothing is booked twice.
        count_before = self.env['stripe.balance.transaction'].search_count([])
        self.env.ref('account_stripe_connect.ir_cron_stripe_sync_balance').method_direct_trigger()
        self.assertEqual(self.env['stripe.balance.transaction'].search_count([]), count_before)
