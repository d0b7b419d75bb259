from datetime import timedelta

from odoo import fields
from odoo.modules.migration import exec_script
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools.misc import file_path

from .common import StripeLiveMode
from .pay_common import StripePayCommon


@tagged('post_install', '-at_install')
class TestStripePayStale(StripePayCommon):
    """Pages opened long ago, invoices settled another way, payments waiting outside the page:
    since the server confirms, a stale tab never charges; open PaymentIntents of settled
    invoices are cancelled on Stripe after the fact, by a job."""

    # === HELPERS === #

    def _run_cancel_job(self):
        """Commit-time hooks as a commit runs them, then the job they triggered.

        :return: Whether the action triggered the job.
        """
        self.env.flush_all()
        self.env.cr.flush()  # Runs the precommit hooks, as committing does.
        cron = self.env.ref('account_stripe_connect.ir_cron_stripe_cancel_stale')
        triggered = bool(self.env['ir.cron.trigger'].search([('cron_id', '=', cron.id)]))
        cron.method_direct_trigger()
        self.env.invalidate_all()
        return triggered

    def _open_intent_after_a_decline(self, invoice):
        """The customer tried a card that was declined: an open PaymentIntent remains."""
        self.assertIn("declined", self._press(self._tab(invoice), 'declined')['error'])
        intent = self._only_intent(invoice)
        self.assertEqual(intent.state, 'failed')
        return intent

    def _reconnect_another_account(self):
        self.company._stripe_disconnect(deauthorize=False)
        old = self.company.stripe_account_id
        self._connect_company()
        self.assertNotEqual(self.company.stripe_account_id, old)

    # === STALE TABS === #

    def test_tab_opened_before_a_bank_transfer_cannot_charge(self):
        invoice = self._make_invoice(1000.0)
        tab = self._tab(invoice)  # The customer opens the link, then leaves the tab.
        self._pay_by_transfer(invoice)  # The accountant registers their bank transfer.
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))

        result = self._press(tab)  # Days later, a click on Pay in the old tab.

        self.assertIn("is paid", result['error'])
        self.assertTrue(result['final'])
        self.assertFalse(invoice.stripe_payment_intent_ids)
        self.assertEqual(self._secret_calls(), [], "Stripe is not even asked")

    def test_two_tabs_with_different_amounts_each_charge_what_they_show(self):
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 5.0,
        })
        invoice = self._make_invoice(1000.0)
        tab_a = self._tab(invoice, amount='10')
        tab_b = self._tab(invoice)
        self.assertEqual((tab_a['amount'], tab_b['amount']), ('10.00', '1000.00'))

        self.assertIn('redirect', self._press(tab_a))  # Tab A pays the 10.00 it shows.
        result = self._press(tab_b)  # Tab B still shows 1,000.00 due.

        self.assertIn("changed since this page was opened", result['error'])
        self.assertEqual(result['refresh']['amount_due'], '990.00')
        self.assertEqual(result['refresh']['amount'], '990.00')
        self.assertEqual(result['refresh']['amount_minor'], 99000)
        self.assertEqual(len(self._charges(invoice)), 1, "tab B charged nothing")
        # The page follows what the server says, and tab B pays what it shows now.
        tab_b.update(amount=result['refresh']['amount'], amount_due=result['refresh']['amount_due'])
        self.assertIn('redirect', self._press(tab_b))

        amounts = sorted(charge['amount'] for charge in self._charges(invoice))
        self.assertEqual(amounts, [1000, 99000], "each tab charged what it showed")
        self.assertEqual(invoice.payment_state, 'paid')

    def test_tab_of_an_invoice_cancelled_or_back_to_draft_cannot_charge(self):
        cancelled, draft = self._make_invoice(100.0), self._make_invoice(100.0)
        tabs = {cancelled: self._tab(cancelled), draft: self._tab(draft)}
        cancelled.button_draft()
        cancelled.button_cancel()
        draft.button_draft()
        for invoice, expected in ((cancelled, "cancelled"), (draft, "not ready")):
            with self.subTest(state=invoice.state):
                result = self._press(tabs[invoice])
                self.assertIn(expected, result['error'])
                self.assertTrue(result['final'])
        self.assertEqual(self._secret_calls(), [])

    def test_tab_of_a_company_connected_to_another_account_is_told_to_reload(self):
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        token = self._confirmation_token(tab)
        self._reconnect_another_account()
        self.calls_before = len(self.emulator.request_log)

        result = self._press(tab, token=token)

        self.assertIn("changed", result['error'])
        self.assertNotEqual(result['refresh']['stripe_account'], tab['stripe_account'],
                            "the page must start Stripe.js again: it reloads")
        self.assertEqual(self._secret_calls(), [])
        # A new tab pays on the new account.
        self.assertIn('redirect', self._press(self._tab(invoice)))
        self.assertEqual(self._only_intent(invoice).stripe_account_id,
                         self.company.stripe_account_id)

    # === OPEN PAYMENTINTENTS OF BEFORE THE UPGRADE === #

    def _upgrade_to_server_decided_payments(self):
        """Run the post-migration of 19.0.1.4.0 as Odoo's upgrade runs it."""
        self.env.flush_all()
        script = file_path('account_stripe_connect/migrations/19.0.1.4.0/post-open-intents.py')
        exec_script(self.env.cr, '19.0.1.2.0', script, 'account_stripe_connect', 'post',
                    '19.0.1.4.0')
        self.env.invalidate_all()

    def test_open_intents_of_before_the_upgrade_are_cancelled_and_never_reused(self):
        """Before 19.0.1.3.0 the page gave an open PaymentIntent's secret to the browser, which
        confirmed it without asking Odoo: after the upgrade those are cancelled on Stripe."""
        declined_invoice, shown_invoice = self._make_invoice(100.0), self._make_invoice(60.0)
        declined = self._open_intent_after_a_decline(declined_invoice)
        shown = shown_invoice._stripe_prepare_intent()  # What the old page's GET made.
        paid_invoice = self._make_invoice(30.0)
        self._press(self._tab(paid_invoice))
        paid = self._only_intent(paid_invoice)
        self.assertEqual(paid.state, 'succeeded')

        self._upgrade_to_server_decided_payments()

        self.assertEqual((declined | shown).mapped('secret_in_browser'), [True, True])
        self.assertFalse(paid.secret_in_browser)
        self.assertTrue(self._run_cancel_job(), "the upgrade triggered the cancel job")
        for intent in declined | shown:
            self.assertEqual(intent.state, 'canceled')
            self.assertEqual(self.emulator.get_object(intent.stripe_id)['status'], 'canceled')
        self.assertEqual(self.emulator.get_object(paid.stripe_id)['status'], 'succeeded')
        # The invoice is still payable, on a PaymentIntent no browser ever held.
        self.assertIn('redirect', self._press(self._tab(shown_invoice)))
        fresh = shown_invoice.stripe_payment_intent_ids - shown
        self.assertEqual(fresh.state, 'succeeded')
        self.assertFalse(fresh.secret_in_browser)
        self.assertIn(shown_invoice.payment_state, ('paid', 'in_payment'))

    def test_open_intent_of_before_the_upgrade_is_not_reused(self):
        """Until the job cancels it, a press of Pay makes another PaymentIntent rather than
        confirm one whose secret a page of before holds."""
        invoice = self._make_invoice(100.0)
        old = invoice._stripe_prepare_intent()
        self._upgrade_to_server_decided_payments()
        confirmed_before = len(self._confirmations(old))

        self.assertIn('redirect', self._press(self._tab(invoice)))

        new = invoice.stripe_payment_intent_ids - old
        self.assertEqual(len(new), 1)
        self.assertEqual(new.state, 'succeeded')
        self.assertEqual(len(self._confirmations(old)), confirmed_before,
                         "the old PaymentIntent is never confirmed by Odoo")
        self.assertEqual(old.state, 'draft')
        self._run_cancel_job()
        self.assertEqual(self.emulator.get_object(old.stripe_id)['status'], 'canceled')

    # === OPEN PAYMENTINTENTS OF SETTLED INVOICES === #

    def test_open_intent_cancelled_after_the_invoice_is_settled_another_way(self):
        cases = {
            'paid by transfer': self._pay_by_transfer,
            'cancelled': lambda invoice: (invoice.button_draft(), invoice.button_cancel()),
            'back to draft': lambda invoice: invoice.button_draft(),
            'credited in full': lambda invoice: invoice._reverse_moves(cancel=True),
        }
        for label, settle in cases.items():
            with self.subTest(label):
                invoice = self._make_invoice(100.0)
                intent = self._open_intent_after_a_decline(invoice)
                calls = len(self._secret_calls())

                settle(invoice)
                self.env.flush_all()

                self.assertEqual(len(self._secret_calls()), calls,
                                 "the accountant's action never waits for Stripe")
                self.assertTrue(self._run_cancel_job(), "the action triggered the job")
                stripe_intent = self.emulator.get_object(intent.stripe_id)
                self.assertEqual(stripe_intent['status'], 'canceled')
                self.assertEqual(stripe_intent['cancellation_reason'], 'abandoned')
                self.assertEqual(intent.state, 'canceled')
                self.assertFalse(invoice.stripe_settled_banner)

    def test_open_intent_cancelled_when_the_company_changes_account(self):
        invoice = self._make_invoice(100.0)
        intent = self._open_intent_after_a_decline(invoice)

        self._reconnect_another_account()

        self.assertTrue(self._run_cancel_job())
        self.assertEqual(self.emulator.get_object(intent.stripe_id)['status'], 'canceled')
        self.assertEqual(intent.state, 'canceled')

    def test_stripe_down_never_blocks_the_accountant_and_the_hourly_check_cancels(self):
        invoice = self._make_invoice(100.0)
        intent = self._open_intent_after_a_decline(invoice)
        self.emulator.set_down(True)
        self.addCleanup(self.emulator.set_down, False)

        self._pay_by_transfer(invoice)
        self._run_cancel_job()

        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        self.assertEqual(intent.state, 'failed', "not cancelled while Stripe is down")
        self.emulator.set_down(False)
        self.env.ref('account_stripe_connect.ir_cron_stripe_resync').method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(self.emulator.get_object(intent.stripe_id)['status'], 'canceled')
        self.assertEqual(intent.state, 'canceled')

    def test_abandoned_open_intents_are_cancelled(self):
        """Stripe never expires a PaymentIntent waiting for a payment method: Odoo cancels
        those left open for a week."""
        abandoned_invoice, recent_invoice = self._make_invoice(100.0), self._make_invoice(50.0)
        abandoned = self._open_intent_after_a_decline(abandoned_invoice)
        recent = self._open_intent_after_a_decline(recent_invoice)
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "UPDATE stripe_payment_intent SET write_date = %s WHERE id = %s",
            fields.Datetime.now() - timedelta(days=8), abandoned.id,
        ))
        self.env.invalidate_all()

        self.env.ref('account_stripe_connect.ir_cron_stripe_resync').method_direct_trigger()
        self.env.invalidate_all()

        self.assertEqual(self.emulator.get_object(abandoned.stripe_id)['status'], 'canceled')
        self.assertEqual(abandoned.state, 'canceled')
        self.assertEqual(recent.state, 'failed')
        self.assertEqual(self.emulator.get_object(recent.stripe_id)['status'],
                         'requires_payment_method')
        # The invoice can still be paid: a new press makes a new PaymentIntent.
        self.assertIn('redirect', self._press(self._tab(abandoned_invoice)))
        self.assertEqual(len(abandoned_invoice.stripe_payment_intent_ids), 2)

    def test_payment_on_its_way_when_the_invoice_is_settled_is_shown(self):
        """Stripe can no longer cancel a processing payment: the invoice says so, and the
        money becomes the customer's credit when it arrives."""
        invoice = self._make_invoice(100.0, currency=self.setup_other_currency('EUR'))
        self._press(self._tab(invoice), 'sepa_debit')
        intent = self._only_intent(invoice)
        self.assertEqual(intent.state, 'processing')
        self.assertFalse(invoice.stripe_settled_banner)

        self._pay_by_transfer(invoice)
        self._run_cancel_job()

        self.assertEqual(intent.state, 'processing', "not cancellable, left alone")
        self.assertIn("on its way", invoice.stripe_settled_banner)
        self.assertIn("credit", invoice.stripe_settled_banner)
        self.emulator.settle_payment_intent(intent.stripe_id, succeed=True)
        self._deliver_pending('payment_intent.succeeded')
        self.env.invalidate_all()
        self.assertEqual(intent.state, 'succeeded')
        self.assertFalse(invoice.stripe_settled_banner)
        self.assertAlmostEqual(intent.payment_id.amount, 100.0)
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        credit = self.env['account.move.line'].search([
            ('payment_id', '=', intent.payment_id.id), ('reconciled', '=', False),
            ('account_id.account_type', '=', 'asset_receivable'),
        ])
        self.assertAlmostEqual(credit.amount_residual_currency, -100.0,
                               msg="the customer's outstanding credit")

    # === VOUCHERS === #

    def test_voucher_blocks_a_card_payment_and_shows_its_instructions(self):
        invoice = self._make_invoice(100.0, currency=self.setup_other_currency('EUR'))
        card_tab = self._tab(invoice)

        result = self._press(self._tab(invoice), 'multibanco')

        intent = self._only_intent(invoice)
        self.assertEqual(result['client_secret'], intent.sudo().client_secret,
                         "Stripe.js shows the voucher (handleNextAction)")
        self.assertEqual(intent.state, 'pending')
        self.assertEqual(invoice.stripe_status, 'pending')
        details = self.emulator.get_object(intent.stripe_id)['next_action'][
            'multibanco_display_details']
        self.assertEqual(intent.pending_instructions, {
            'type': 'multibanco_display_details', 'entity': details['entity'],
            'reference': details['reference'], 'expires_at': details['expires_at'],
            'url': details['hosted_voucher_url'],
        })
        # The page shows the instructions instead of a form, for days.
        page = self._get(result['redirect'].removeprefix(self.base_url()))
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_pending')]"))
        page = self._open(invoice)
        self.assertIsNone(self._form(page))
        self.assertEqual(self._text(page, 'o_stripe_instructions_entity'), details['entity'])
        self.assertEqual(self._text(page, 'o_stripe_instructions_reference'),
                         details['reference'])
        self.assertTrue(self._text(page, 'o_stripe_instructions_expires'))
        self.assertIn('100.00', self._text(page, 'o_stripe_pending_amount'))
        link = page.xpath("//a[contains(@class, 'o_stripe_instructions_link')]")[0]
        self.assertEqual(link.get('href'), details['hosted_voucher_url'])
        # A card payment meanwhile is refused: the voucher may still be paid.
        result = self._press(card_tab, 'visa')
        self.assertIn("waiting for you", result['error'])
        self.assertTrue(result['final'])
        self.assertEqual(len(self._confirmations()), 1)
        self.assertFalse(invoice.stripe_pay_url)

    def test_paid_voucher_registers_the_payment(self):
        invoice = self._make_invoice(100.0, currency=self.setup_other_currency('EUR'))
        self._press(self._tab(invoice), 'multibanco')
        intent = self._only_intent(invoice)

        self.emulator.pay_voucher(intent.stripe_id)  # At an ATM, two days later.
        self._deliver_pending('payment_intent.succeeded')
        self.env.invalidate_all()

        self.assertEqual(intent.state, 'succeeded')
        self.assertFalse(intent.pending_instructions)
        self.assertEqual(intent.payment_id.amount, 100.0)
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        self.assertEqual(invoice.stripe_status, 'paid')

    def test_expired_voucher_makes_the_invoice_payable_again(self):
        invoice = self._make_invoice(100.0, currency=self.setup_other_currency('EUR'))
        self._press(self._tab(invoice), 'multibanco')
        intent = self._only_intent(invoice)

        self.emulator.expire_voucher(intent.stripe_id)
        self._deliver_pending('payment_intent.payment_failed')
        self.env.invalidate_all()

        self.assertEqual(intent.state, 'failed')
        self.assertFalse(invoice.stripe_status)
        self.assertTrue(invoice.stripe_pay_url)
        self.assertIn('redirect', self._press(self._tab(invoice), 'visa'))
        self.assertEqual(self._only_intent(invoice), intent, "the expired one is reused")
        self.assertEqual(intent.state, 'succeeded')
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))

    def test_voucher_of_a_settled_invoice_is_cancelled(self):
        invoice = self._make_invoice(100.0, currency=self.setup_other_currency('EUR'))
        self._press(self._tab(invoice), 'multibanco')
        intent = self._only_intent(invoice)

        self._pay_by_transfer(invoice)
        self.assertTrue(self._run_cancel_job())

        self.assertEqual(self.emulator.get_object(intent.stripe_id)['status'], 'canceled')
        self.assertEqual(intent.state, 'canceled')
        self.assertFalse(intent.pending_instructions)


@tagged('post_install', '-at_install')
class TestStripePayStaleLive(StripeLiveMode, TestStripePayStale):
    """The same, with the platform in live mode."""
