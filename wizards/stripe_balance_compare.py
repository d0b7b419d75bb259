from odoo import api, fields, models

from ..utils import money


class StripeBalanceCompare(models.TransientModel):
    """Stripe's balance of a company's account beside its Stripe journals' balance, per
    currency, and the difference: a check anyone may run."""

    _name = 'stripe.balance.compare'
    _description = "Compare with Stripe"

    company_id = fields.Many2one('res.company', required=True, readonly=True)
    line_ids = fields.One2many(
        comodel_name='stripe.balance.compare.line', inverse_name='compare_id', readonly=True,
    )
    has_difference = fields.Boolean(compute='_compute_has_difference')

    @api.depends('line_ids.difference')
    def _compute_has_difference(self):
        for compare in self:
            compare.has_difference = any(
                not line.currency_id.is_zero(line.difference) for line in compare.line_ids
            )

    # === BUSINESS METHODS === #

    @api.model
    def _stripe_lines(self, company):
        """Return the comparison per currency: Stripe's available and pending balance (asked
        now) and the balance of the company's Stripe journal of that currency.

        :return: One dict per currency, with the values of ``stripe.balance.compare.line``.
        :rtype: list(dict)
        """
        company = company.sudo()
        balance = self.env['stripe.platform']._get_gateway().retrieve_balance(
            company.stripe_account_id,
        )
        stripe_side = {}
        for part in ('available', 'pending'):
            for item in balance.get(part) or []:
                code = item['currency'].upper()
                stripe_side.setdefault(code, {'available': 0, 'pending': 0})[part] += item['amount']
        odoo_side = {}
        for journal in company._stripe_journals():
            currency = journal.currency_id or company.currency_id
            odoo_side[currency.name] = (journal, self._stripe_journal_balance(journal))
        Currency = self.env['res.currency'].with_context(active_test=False)
        lines = []
        for code in sorted(set(stripe_side) | set(odoo_side)):
            currency = Currency.search([('name', '=', code)], limit=1)
            minor = stripe_side.get(code, {'available': 0, 'pending': 0})
            available = money.from_minor_units(minor['available'], code)
            pending = money.from_minor_units(minor['pending'], code)
            journal, booked = odoo_side.get(code, (self.env['account.journal'], 0.0))
            lines.append({
                'currency_id': currency.id,
                'journal_id': journal.id,
                'stripe_available': available,
                'stripe_pending': pending,
                'stripe_total': available + pending,
                'odoo_balance': booked,
                'difference': currency.round(available + pending - booked),
            })
        return lines

    @api.model
    def _stripe_journal_balance(self, journal):
        """Return a Stripe journal's balance in its currency: its bank account's posted
        journal items."""
        field = 'amount_currency' if journal.currency_id else 'balance'
        groups = self.env['account.move.line'].sudo()._read_group(
            [('account_id', '=', journal.default_account_id.id), ('parent_state', '=', 'posted')],
            aggregates=[f'{field}:sum'],
        )
        return groups[0][0] if groups else 0.0

    @api.model
    def _action_open(self, company):
        compare = self.create({
            'company_id': company.id,
            'line_ids': [fields.Command.create(line) for line in self._stripe_lines(company)],
        })
        return compare._action_show()

    def _action_show(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._("Compare with Stripe"),
            'res_model': self._name,
            'res_id': self.id,
            'view_mode': 'form',
            'target': 'new',
        }

    # === ACTIONS === #

    def action_stripe_book_missing(self):
        """Book the balance transactions Odoo missed, then compare again."""
        self.ensure_one()
        self.company_id._stripe_check_access('account.group_account_invoice')
        self.company_id._stripe_sync_balance(
            self.env._("check with Stripe by %(user)s", user=self.env.user.name),
        )
        return self._action_open(self.company_id)


class StripeBalanceCompareLine(models.TransientModel):
    _name = 'stripe.balance.compare.line'
    _description = "Compare with Stripe: one currency"

    compare_id = fields.Many2one('stripe.balance.compare', required=True, ondelete='cascade')
    currency_id = fields.Many2one('res.currency', readonly=True)
    journal_id = fields.Many2one('account.journal', string="Stripe Journal", readonly=True)
    stripe_available = fields.Monetary(string="Available on Stripe", readonly=True)
    stripe_pending = fields.Monetary(string="Pending on Stripe", readonly=True)
    stripe_total = fields.Monetary(string="Stripe Balance", readonly=True)
    odoo_balance = fields.Monetary(string="Stripe Journal Balance", readonly=True)
    difference = fields.Monetary(readonly=True)
