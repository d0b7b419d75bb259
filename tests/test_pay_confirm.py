from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .common import StripeLiveMode
from .pay_common import StripePayCommon


@tagged('post_install', '-at_install')
class TestStripePayConfirm(StripePayCommon):
    """Pressing Pay: the server decides, creates or reuses the PaymentIntent for exactly the
    amount the page showed and confirms it with the browser's ConfirmationToken; one charge
    however often and however late the customer presses."""

    def _set_marker(self, invoice, seconds_ago):
        """Mark a confirmation of the invoice in flight since ``seconds_ago``, as a press
        whose request is still running (or whose worker died) leaves it."""
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "UPDATE account_move SET stripe_confirming_since = %s WHERE id = %s",
            fields.Datetime.now() - timedelta(seconds=seconds_ago), invoice.id,
        ))
        self.env.invalidate_all()

    # === THE REQUEST TO STRIPE === #

    def test_pay_creates_the_intent_then_confirms_it_with_the_token(self):
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        token = self._confirmation_token(tab)

        result = self._press(tab, token=token)

        intent = self._only_intent(invoice)
        self.assertEqual(set(result), {'redirect'}, "no client secret when nothing is needed")
        self.assertIn(f'payment_intent={intent.stripe_id}', result['redirect'])
        creation, = self._creations()
        self.assertEqual(creation['account'], self.company.stripe_account_id)
        self.assertTrue(creation['idempotency_key'].startswith('odoo-'))
        params = creation['params']
        self.assertEqual(params['amount'], '10000')
        self.assertEqual(params['currency'], 'usd')
        self.assertEqual(params['automatic_payment_methods'], {'enabled': 'true'})
        self.assertNotIn('confirm', params, "created first, confirmed by another request")
        self.assertEqual(params['metadata']['odoo_invoice_id'], str(invoice.id))
        self.assertEqual(params['metadata']['odoo_database'], self.env.cr.dbname)
        self.assertEqual(params['metadata']['odoo_company_id'], str(self.company.id))
        self.assertIn(invoice.name, params['description'])
        self.assertEqual(params['receipt_email'], 'customer@example.com')
        confirmation, = self._confirmations(intent)
        self.assertEqual(confirmation['params']['confirmation_token'], token)
        self.assertEqual(confirmation['params']['return_url'], tab['return_url'])
        self.assertIn(token, confirmation['idempotency_key'])
        stripe_intent = self.emulator.get_object(intent.stripe_id)
        self.assertEqual((stripe_intent['status'], stripe_intent['amount']), ('succeeded', 10000))
        self.assertEqual(self.emulator.get_object(token)['payment_intent'], intent.stripe_id)
        self.assertEqual(intent.state, 'succeeded', "Stripe's answer applied at once")
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        self.assertEqual(len(intent.payment_id), 1)
        self.assertFalse(invoice.stripe_confirming_since, "the confirmation ended")

    def test_intent_carries_the_platform_fee(self):
        self.platform._set_setting('fee_percent', '2.5')
        self.addCleanup(self.platform._set_setting, 'fee_percent', False)
        invoice = self._make_invoice(100.0)
        self._press(self._tab(invoice))
        intent = self._only_intent(invoice)
        self.assertEqual(self.emulator.get_object(intent.stripe_id)['application_fee_amount'], 250)
        self.assertEqual(intent.application_fee_minor, 250)

    def test_receipt_email_only_when_it_is_one_valid_address(self):
        for email, sent in (
            ('"Fabulous Customer" <Customer@Example.com>', 'customer@example.com'),
            ('customer@example.com, accounts@example.com', None),
            ('not an email', None),
            ('customer@localhost', None),
        ):
            with self.subTest(email=email):
                self.customer.email = email
                invoice = self._make_invoice(100.0)
                self.assertIn('redirect', self._press(self._tab(invoice)),
                              "the email never blocks the payment")
                intent = self._only_intent(invoice)
                self.assertEqual(
                    self.emulator.get_object(intent.stripe_id)['receipt_email'], sent,
                )

    def test_intent_description_is_in_the_companys_language(self):
        """The same request whatever language the customer reads the page in."""
        self.env['res.lang']._activate_lang('fr_FR')
        self.customer.lang = 'fr_FR'
        self.company.partner_id.lang = 'en_US'
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        self.assertEqual(tab['page'].get('lang'), 'fr-FR')
        self._press(tab)
        intent = self._only_intent(invoice)
        self.assertEqual(
            self.emulator.get_object(intent.stripe_id)['description'], f"Invoice {invoice.name}",
        )

    def test_the_amount_chosen_is_the_amount_charged(self):
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 20.0,
        })
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice, amount='40')
        self.assertEqual(tab['amount'], '40.00')

        self.assertIn('redirect', self._press(tab))

        intent = self._only_intent(invoice)
        self.assertEqual(self.emulator.get_object(intent.stripe_id)['amount_received'], 4000)
        self.assertEqual(invoice.payment_state, 'partial')
        self.assertEqual(invoice.amount_residual, 60.0)
        # The rest, from a new tab: a new PaymentIntent for what is due now.
        self.assertIn('redirect', self._press(self._tab(invoice)))
        self.assertEqual(invoice.payment_state, 'paid')
        self.assertEqual(sorted(invoice.stripe_payment_intent_ids.mapped('amount_minor')),
                         [4000, 6000])

    def test_intent_request_run_again_gets_the_same_intent(self):
        """A create whose answer was lost: the retry sends the same request under the same
        deterministic key and Stripe answers with the same PaymentIntent, never confirmed."""
        invoice = self._make_invoice(100.0)
        with self.env.cr.savepoint() as savepoint:
            first = invoice._stripe_prepare_intent().stripe_id
            savepoint.rollback()
        self.env.invalidate_all()
        self.assertFalse(invoice.stripe_payment_intent_ids)

        self._press(self._tab(invoice))

        self.assertEqual(self._only_intent(invoice).stripe_id, first)
        creations = self._creations()
        self.assertEqual(len(creations), 2)
        self.assertEqual(creations[0]['idempotency_key'], creations[1]['idempotency_key'])
        self.assertEqual(len(self._charges(invoice)), 1)

    def test_intent_request_after_an_edit_is_a_new_request(self):
        """The customer's email edited between a lost try and the next: Stripe never refuses
        the next one as a replay with other parameters, and the lost one was never
        confirmed."""
        invoice = self._make_invoice(100.0)
        with self.env.cr.savepoint() as savepoint:
            first = invoice._stripe_prepare_intent().stripe_id
            savepoint.rollback()
        self.env.invalidate_all()
        self.customer.email = 'new.address@example.com'

        self.assertIn('redirect', self._press(self._tab(invoice)))

        intent = self._only_intent(invoice)
        self.assertNotEqual(intent.stripe_id, first)
        self.assertEqual(self.emulator.get_object(first)['status'], 'requires_payment_method')
        stripe_intent = self.emulator.get_object(intent.stripe_id)
        self.assertEqual(stripe_intent['receipt_email'], 'new.address@example.com')
        self.assertEqual(len({entry['idempotency_key'] for entry in self._creations()}), 2)

    # === OUTCOMES === #

    def test_decline_then_success_on_the_same_intent(self):
        self.platform._set_setting('fee_percent', '2.5')
        self.addCleanup(self.platform._set_setting, 'fee_percent', False)
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)

        result = self._press(tab, 'declined')

        self.assertEqual(set(result), {'error'})
        self.assertIn("declined", result['error'])
        intent = self._only_intent(invoice)
        self.assertEqual(intent.state, 'failed')
        self.assertTrue(intent.last_error)
        self.assertFalse(invoice.stripe_confirming_since, "the form is usable again")
        self.assertEqual(invoice.payment_state, 'not_paid')

        # The fee set back to 0 meanwhile: the next press updates the same PaymentIntent.
        self.platform._set_setting('fee_percent', False)
        self.assertIn('redirect', self._press(tab, 'visa'))

        self.assertEqual(self._only_intent(invoice), intent, "the declined one is reused")
        self.assertEqual(len(self._creations()), 1)
        self.assertEqual(len(self._confirmations(intent)), 2)
        update, = self._secret_calls('POST', f'/v1/payment_intents/{intent.stripe_id}')
        self.assertEqual(update['params']['application_fee_amount'], '')
        self.assertEqual(intent.state, 'succeeded')
        self.assertIsNone(self.emulator.get_object(intent.stripe_id)['application_fee_amount'])
        self.assertEqual(len(self._charges(invoice)), 1)
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))

    def test_three_d_secure_is_handled_by_stripe_js_then_the_outcome_page(self):
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)

        result = self._press(tab, 'three_d_secure')

        intent = self._only_intent(invoice)
        self.assertEqual(result['client_secret'], intent.sudo().client_secret)
        self.assertIn(f'payment_intent={intent.stripe_id}', result['redirect'])
        self.assertEqual((intent.state, intent.stripe_status), ('draft', 'requires_action'))
        next_action = self.emulator.get_object(intent.stripe_id)['next_action']
        self.assertEqual(next_action['type'], 'use_stripe_sdk', "in the page, not a redirect")
        self.assertTrue(invoice.stripe_pay_url, "still payable: nothing charged yet")

        self._complete_3ds(intent)  # In Stripe.js's frame; then the page goes to the outcome.
        page = self._get(result['redirect'].removeprefix(self.base_url()))

        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_paid')]"))
        self.assertEqual(intent.state, 'succeeded')
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))

    def test_failed_three_d_secure_then_another_card(self):
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        result = self._press(tab, 'three_d_secure')
        intent = self._only_intent(invoice)
        self._complete_3ds(intent, succeed=False)
        page = self._get(result['redirect'].removeprefix(self.base_url()))
        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_failed')]"))

        self.assertIn('redirect', self._press(tab, 'visa'))

        self.assertEqual(self._only_intent(invoice), intent)
        self.assertEqual(intent.state, 'succeeded')
        self.assertEqual(len(self._charges(invoice)), 1)

    def test_expired_confirmation_token_says_to_press_again(self):
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        token = self._confirmation_token(tab)
        self.emulator.expire_confirmation_tokens(token)

        result = self._press(tab, token=token)

        self.assertIn("press Pay again", result['error'])
        self.assertNotIn('final', result)
        self.assertEqual(self._charges(invoice), [])
        self.assertFalse(invoice.stripe_confirming_since)
        self.assertIn('redirect', self._press(tab))
        self.assertEqual(len(self._charges(invoice)), 1)

    def test_confirmation_answer_lost_and_stripe_unreachable(self):
        """Stripe stops answering during the confirmation: the customer is told the outcome
        is not known yet, never that nothing was charged; the next press finds out."""
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        token = self._confirmation_token(tab)
        intent = invoice._stripe_prepare_intent()  # Made by an earlier press: reused as is.
        self.emulator.set_down(True)
        self.addCleanup(self.emulator.set_down, False)

        result = self._press(tab, token=token)

        self.assertIn("cannot tell yet", result['error'])
        self.assertFalse(invoice.stripe_confirming_since)
        self.emulator.set_down(False)
        self.assertIn('redirect', self._press(tab))
        self.assertEqual(self._only_intent(invoice), intent)
        self.assertEqual(len(self._charges(invoice)), 1)

    # === ONE CHARGE === #

    def test_double_press_charges_once(self):
        """The customer presses Pay again (another tab, a reload, an impatient second click
        that got past the page): the second press is told the invoice is paid."""
        invoice = self._make_invoice(100.0)
        first_tab, second_tab = self._tab(invoice), self._tab(invoice)

        self.assertIn('redirect', self._press(first_tab))
        result = self._press(second_tab)

        self.assertIn("is paid", result['error'])
        self.assertTrue(result['final'])
        intent = self._only_intent(invoice)
        self.assertEqual(len(self._creations()), 1)
        self.assertEqual(len(self._confirmations()), 1)
        self.assertEqual(len(self._charges(invoice)), 1)
        self.assertEqual(len(self.env['account.payment'].search(
            [('invoice_ids', 'in', invoice.ids)])), 1)
        self.assertEqual(intent.state, 'succeeded')

    def test_press_while_another_press_is_confirming_waits(self):
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        token = self._confirmation_token(tab)
        self._set_marker(invoice, seconds_ago=5)

        result = self._press(tab, token=token)

        self.assertIn("being confirmed right now", result['error'])
        self.assertNotIn('final', result)
        self.assertEqual(self._secret_calls(), [], "nothing asked of Stripe")
        self.assertTrue(invoice.stripe_confirming_since, "the other press's marker stays")

    def test_press_after_a_press_died_mid_call_asks_stripe_first(self):
        """A worker died after Stripe charged but before Odoo heard the answer: once its
        marker expired, the next press asks Stripe and finds the payment."""
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        intent = invoice._stripe_prepare_intent()
        intent._stripe_confirm_with_token(self._confirmation_token(tab), tab['return_url'])
        self.assertEqual(self.emulator.get_object(intent.stripe_id)['status'], 'succeeded')
        self.assertEqual(intent.state, 'draft', "the answer was lost")
        self._set_marker(invoice, seconds_ago=3600)

        result = self._press(tab)

        self.assertIn("is paid", result['error'])
        self.assertEqual(intent.state, 'succeeded')
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        self.assertEqual(len(self._confirmations()), 1, "never confirmed again")
        self.assertEqual(len(self._charges(invoice)), 1)
        self.assertFalse(invoice.stripe_confirming_since)

    def test_press_after_a_press_died_before_confirming_pays(self):
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        intent = invoice._stripe_prepare_intent()  # Created, then the worker died.
        self._set_marker(invoice, seconds_ago=3600)

        self.assertIn('redirect', self._press(tab))

        self.assertEqual(self._only_intent(invoice), intent)
        self.assertEqual(intent.state, 'succeeded')
        self.assertEqual(len(self._charges(invoice)), 1)

    # === WHAT THE BROWSER SENDS === #

    def test_absurd_amounts_get_a_sentence_and_charge_nothing(self):
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 20.0,
        })
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        for amount in (10 ** 400, '9' * 400, 1e308, float('nan'), float('-inf'), 'NaN', -30,
                       '-30', 0, 100.01, 'abc', [40], {'a': 1}, True):
            with self.subTest(amount=amount):
                result = self._jsonrpc_raw(tab['confirm_url'], {
                    'access_token': tab['access_token'], 'amount': amount,
                    'amount_due': tab['amount_due'], 'stripe_account': tab['stripe_account'],
                    'confirmation_token': 'ctoken_unused',
                })
                self.assertEqual(set(result), {'error'})
                self.assertTrue(result['error'])
        self.assertEqual(self._secret_calls(), [])
        self.assertFalse(invoice.stripe_payment_intent_ids)
        self.assertFalse(invoice.stripe_confirming_since)

    def test_bad_requests_are_refused_before_anything(self):
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        for overrides in (
            {'access_token': 'wrong'},
            {'confirmation_token': ''},
            {'confirmation_token': 'pm_card_visa'},
            {'confirmation_token': ['ctoken_x']},
            {'amount_due': None},
            {'stripe_account': None},
        ):
            with self.subTest(**{key: str(value) for key, value in overrides.items()}):
                result = self._press(tab, token='ctoken_unused', **overrides)
                self.assertEqual(set(result) - {'final', 'refresh'}, {'error'})
                self.assertNotIn(invoice.name, result['error'])
        self.assertEqual(self._secret_calls(), [])
        self.assertFalse(invoice.stripe_payment_intent_ids)

    def test_token_of_another_account_is_refused_by_stripe(self):
        invoice = self._make_invoice(100.0)
        tab = self._tab(invoice)
        # Made by a Stripe.js started on the platform itself, not on the connected account.
        token = self._confirmation_token(dict(tab, stripe_account=None))
        result = self._press(tab, token=token)
        self.assertIn("press Pay again", result['error'])
        self.assertEqual(self._charges(invoice), [])
        self.assertFalse(invoice.stripe_confirming_since)


@tagged('post_install', '-at_install')
class TestStripePayConfirmLive(StripeLiveMode, TestStripePayConfirm):
    """The same, with the platform in live mode."""
