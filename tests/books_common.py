import json
from datetime import datetime, time, timedelta, timezone

from odoo import fields
from odoo.fields import Command

from ..utils import money
from .refund_common import StripeRefundCommon

DAY = 86400


class StripeBooksCommon(StripeRefundCommon):
    """Helpers of the books tests: the emulator's clock, Odoo's exchange rates, events
    delivered as a test chooses, and what Stripe's ledger says."""

    #: Odoo's rates (units per USD, the company's currency) for the first half of the month
    #: and from its 15th day: set apart from the emulator's, so that exchange differences
    #: happen, always the same.
    odoo_rates = {'EUR': (0.92, 0.95), 'JPY': (150.0, 155.0), 'KWD': (0.31, 0.32)}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = 'Europe/Brussels'
        cls.company.stripe_allow_partial_payments = True
        cls.company.stripe_partial_payment_minimum = 1.0

    def setUp(self):
        # The month happens before today: Odoo books nothing in the future.
        today = fields.Date.context_today(self.env['res.company'])
        self.month_start = today - timedelta(days=40)
        self.t0 = int(datetime.combine(
            self.month_start, time(9, 0), tzinfo=timezone.utc,
        ).timestamp())
        self.delivered = set()
        super().setUp()  # Resets the emulator (real time), then connects the company.
        self.addCleanup(self.emulator.reset)  # The clock is the process's: back to real time.

    def _connect_company(self, company=None):
        """Connect the company at the start of the month, the clock then stopped."""
        self.emulator.set_time(self.t0, frozen=True)
        return super()._connect_company(company)

    # === CLOCK AND RATES === #

    def _at(self, day, hour=10):
        """Move the emulator's clock to ``hour`` (UTC) of the month's ``day``."""
        return self.emulator.set_time(self.t0 + day * DAY + (hour - 9) * 3600, frozen=True)

    def _day(self, day):
        return self.month_start + timedelta(days=day)

    def _set_odoo_rates(self):
        """Activate the currencies and give Odoo its own rates for the month; Stripe's are the
        emulator's snapshot, said here (USD per unit) so that nothing depends on its defaults."""
        self.emulator.set_exchange_rates({'eur': 1.08, 'jpy': 0.0067, 'kwd': 3.25})
        for code, (first, second) in self.odoo_rates.items():
            currency = self.env['res.currency'].with_context(active_test=False).search(
                [('name', '=', code)],
            )
            currency.active = True
            currency.rate_ids = [Command.clear(), Command.create({
                'name': self._day(-5), 'rate': first, 'company_id': self.company.id,
            }), Command.create({
                'name': self._day(15), 'rate': second, 'company_id': self.company.id,
            })]

    def _currency(self, code):
        return self.env['res.currency'].with_context(active_test=False).search(
            [('name', '=', code)],
        )

    # === INVOICES AND PAYMENTS === #

    def _invoice(self, amount, code='USD'):
        invoice = self.env['account.move'].create({
            'move_type': 'out_invoice',
            'partner_id': self.customer.id,
            'currency_id': self._currency(code).id,
            'invoice_date': self._day(-1),
            'invoice_line_ids': [Command.create({
                'product_id': self.product.id, 'price_unit': amount, 'quantity': 1,
                'tax_ids': [Command.clear()],
            })],
        })
        invoice.action_post()
        return invoice

    def _pay(self, invoice, amount=None):
        intent = invoice._stripe_prepare_intent(amount)
        self._pay_intent(intent)
        return intent

    # === EVENTS === #

    def _held_events(self):
        """The events the emulator holds for Odoo, oldest first, not yet delivered."""
        events = []
        for delivery in self.emulator.pending_deliveries():
            event = json.loads(delivery['body'])
            if event['id'] not in self.delivered and event['id'] not in {e['id'] for e in events}:
                events.append(event)
        return events

    def _post_all(self, events, times=1):
        for event in events:
            self.delivered.add(event['id'])
            for _attempt in range(times):
                response = self._post_event(event['id'])
                self.assertEqual(response.status_code, 200, response.text)
                self.assertIn(
                    response.json()['outcome'], ('processed', 'ignored', 'duplicate'),
                    f"{event['type']} {event['id']}",
                )

    # === STRIPE'S LEDGER === #

    def _stripe_transactions(self):
        """Every balance transaction of the connected account, as Stripe lists them."""
        gateway = self.platform._get_gateway()
        result, after = [], None
        while True:
            page = gateway._client.v1.balance_transactions.list(
                {'limit': 100, **({'starting_after': after} if after else {})},
                {'stripe_account': self.company.stripe_account_id},
            ).to_dict()
            result += page['data']
            if not page['has_more']:
                return result
            after = page['data'][-1]['id']

    def _stripe_unpaid(self, invoice, paid_otherwise=0.0):
        """What Stripe says is unpaid of an invoice: its total, less what other payments
        paid, less what each of its PaymentIntents received and kept (not refunded, not
        taken back by a dispute lost)."""
        currency = invoice.currency_id
        kept = 0
        for intent in invoice.stripe_payment_intent_ids:
            stripe_intent = self.emulator.get_object(intent.stripe_id)
            if stripe_intent['status'] != 'succeeded':
                continue
            charge = self.emulator.get_object(stripe_intent['latest_charge'])
            kept += stripe_intent['amount_received'] - charge['amount_refunded']
            for dispute in intent.dispute_ids:
                if self.emulator.get_object(dispute.stripe_id)['status'] == 'lost':
                    kept -= self.emulator.get_object(dispute.stripe_id)['amount']
        kept = money.from_minor_units(kept, currency.name)
        return max(currency.round(invoice.amount_total - paid_otherwise - kept), 0.0)

    def _journal_balance_minor(self, journal):
        currency = journal.currency_id or self.company.currency_id
        balance = self.env['stripe.balance.compare']._stripe_journal_balance(journal)
        return money.to_minor_units(balance, currency.name)

    def _stripe_balance_minor(self, currency):
        """Stripe's balance of the connected account in a currency: available and pending."""
        balance = self.emulator.balance(self.company.stripe_account_id)
        return sum(
            item['amount'] for part in ('available', 'pending') for item in balance[part]
            if item['currency'] == currency
        )
