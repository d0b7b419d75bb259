import logging
from urllib.parse import urlencode

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .. import const
from ..utils.stripe_gateway import StripeGatewayError, request_digest, stripe_email

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    _inherit = 'res.company'

    stripe_account_id = fields.Char(
        readonly=True, copy=False,
        help="The id of the company's own Stripe account, on which its customers pay.",
    )
    stripe_connect_method = fields.Selection(
        string="Connected Through",
        selection=[
            ('onboarding', "Stripe onboarding"),
            ('oauth', "Existing account (OAuth)"),
        ],
        readonly=True, copy=False,
    )
    stripe_account_generation = fields.Integer(
        readonly=True, copy=False, help="How many times the company was disconnected.",
    )
    stripe_livemode = fields.Boolean(
        string="Connected in Live Mode", readonly=True, copy=False,
        help="Whether the platform's key was a live one when the company was connected: it "
             "takes payments only while the platform is in that mode.",
    )
    stripe_charges_enabled = fields.Boolean(string="Charges Enabled", readonly=True, copy=False)
    stripe_payouts_enabled = fields.Boolean(string="Payouts Enabled", readonly=True, copy=False)
    stripe_details_submitted = fields.Boolean(
        string="Details Submitted", readonly=True, copy=False,
    )
    # Stripe's own requirement paths are stored; the words are made when read, in the reader's
    # language (the user's in Settings), never in the language of whoever refreshed.
    stripe_requirement_codes_due = fields.Json(
        string="Requirement Codes Due", readonly=True, copy=False,
        help="Stripe's paths of what it still needs from the business, as Stripe lists them.",
    )
    stripe_requirement_codes_past_due = fields.Json(
        string="Requirement Codes Past Due", readonly=True, copy=False,
    )
    stripe_requirements_due = fields.Text(
        string="Requirements Due", compute='_compute_stripe_requirements',
        help="What Stripe still needs from the business, one item a line.",
    )
    stripe_requirements_past_due = fields.Text(
        string="Requirements Past Due", compute='_compute_stripe_requirements',
    )
    stripe_account_checked_at = fields.Datetime(
        string="Stripe Status Checked On", readonly=True, copy=False,
    )
    stripe_journal_id = fields.Many2one(
        comodel_name='account.journal', readonly=True, copy=False,
        check_company=True,
    )
    stripe_allow_partial_payments = fields.Boolean(
        string="Allow Partial Payments",
        help="Let customers choose to pay part of an invoice online.",
    )
    stripe_partial_payment_minimum = fields.Monetary(
        string="Minimum Partial Payment", currency_field='currency_id',
        help="The smallest amount, in the company's currency, a customer may pay at once.",
    )
    stripe_connect_state = fields.Selection(
        string="Stripe Status",
        selection=[
            ('not_connected', "Not connected"),
            ('onboarding', "Onboarding unfinished"),
            ('restricted', "Connected, payments not enabled yet"),
            ('ready', "Ready to take payments"),
        ],
        compute='_compute_stripe_connect_state',
    )

    _stripe_account_unique = models.Constraint(
        'UNIQUE(stripe_account_id)', "A Stripe account is connected to one company at most.",
    )

    # === COMPUTE METHODS === #

    @api.depends('stripe_account_id', 'stripe_charges_enabled', 'stripe_details_submitted')
    def _compute_stripe_connect_state(self):
        for company in self:
            if not company.stripe_account_id:
                company.stripe_connect_state = 'not_connected'
            elif company.stripe_charges_enabled:
                company.stripe_connect_state = 'ready'
            elif not company.stripe_details_submitted:
                company.stripe_connect_state = 'onboarding'
            else:
                company.stripe_connect_state = 'restricted'

    @api.depends('stripe_requirement_codes_due', 'stripe_requirement_codes_past_due')
    @api.depends_context('lang')
    def _compute_stripe_requirements(self):
        for company in self:
            company.stripe_requirements_due = company._stripe_format_requirements(
                company.stripe_requirement_codes_due
            )
            company.stripe_requirements_past_due = company._stripe_format_requirements(
                company.stripe_requirement_codes_past_due
            )

    # === BUSINESS METHODS - STATUS === #

    def _stripe_can_take_payments(self):
        """Return whether customers of this company may pay online now."""
        self.ensure_one()
        return self.stripe_charges_enabled and self._stripe_account_usable()

    def _stripe_account_usable(self):
        """Return whether the platform can act on this company's Stripe account now: it is
        connected, in the mode of the platform's keys, and those keys are set."""
        self.ensure_one()
        return bool(self.stripe_account_id) and not self._stripe_mode_mismatch() \
            and self.env['stripe.platform']._is_configured()

    @api.model
    def _stripe_cron_each_company(self, needs, work, what):
        """Run a scheduled job's ``work`` on each connected company for which ``needs`` holds,
        in a savepoint and a committed step of the job each: a company that fails is logged
        and the job goes on with the next one.

        :param needs: ``company -> bool``.
        :param work: ``company -> None``.
        :param str what: What the work is, for the log ("Booking Stripe's balance").
        """
        companies = self.sudo().search([('stripe_account_id', '!=', False)]).filtered(needs)
        cron = self.env['ir.cron']
        cron._commit_progress(remaining=len(companies))
        for company in companies:
            try:
                with self.env.cr.savepoint():
                    work(company)
            except StripeGatewayError as error:
                _logger.warning("%s of company %s failed: %s", what, company.id, error)
            except Exception:
                _logger.exception("%s of company %s failed", what, company.id)
            if not cron._commit_progress(1):
                break

    def _stripe_mode_mismatch(self):
        """Return whether the company was connected in the other mode than the platform's
        now (test keys replaced by live ones, or a neutralized copy of a live database)."""
        self.ensure_one()
        return bool(self.stripe_account_id) \
            and self.stripe_livemode != self.env['stripe.platform']._is_live()

    def _stripe_apply_account(self, account):
        """Store the account's health as Stripe reports it.

        :param dict account: A Stripe ``account`` object.
        """
        self.ensure_one()
        # The account.updated webhook and the onboarding return may store it at the same
        # moment: the second waits here, on a query whose serialization failure Odoo retries
        # without logging it as an error, rather than in the write's UPDATE.
        self.env.cr.execute(SQL(
            "SELECT id FROM res_company WHERE id = %s FOR NO KEY UPDATE", self.id,
        ), log_exceptions=False)
        requirements = account.get('requirements') or {}
        self.sudo().write({
            'stripe_charges_enabled': bool(account.get('charges_enabled')),
            'stripe_payouts_enabled': bool(account.get('payouts_enabled')),
            'stripe_details_submitted': bool(account.get('details_submitted')),
            'stripe_requirement_codes_due': self._stripe_requirement_codes(
                requirements.get('currently_due')
            ),
            'stripe_requirement_codes_past_due': self._stripe_requirement_codes(
                requirements.get('past_due')
            ),
            'stripe_account_checked_at': fields.Datetime.now(),
        })

    @api.model
    def _stripe_requirement_codes(self, requirements):
        """Return Stripe's requirement paths as stored: a list of strings, ``False`` if none.

        :param list requirements: A list of Stripe's ``requirements`` object, or ``None``.
        :rtype: list | bool
        """
        return [code for code in requirements or [] if isinstance(code, str)] or False

    @api.model
    def _stripe_format_requirements(self, requirements):
        """Turn Stripe's requirement paths into readable lines, without repeats.

        The labels come out in the environment's language (the reader's, when computed for
        Settings); a path without a label stays Stripe's own words, as Stripe sends them in
        English.

        :param list requirements: Stripe's requirement paths, such as ``company.phone``.
        :return: One label a line, or ``False`` when nothing is required.
        :rtype: str | bool
        """
        labels = []
        for requirement in requirements or []:
            if requirement in const.REQUIREMENT_LABELS:
                label = self.env._(const.REQUIREMENT_LABELS[requirement])
            elif requirement.startswith(const.REQUIREMENT_PERSON_PREFIX):
                label = self.env._(const.REQUIREMENT_PERSON_LABEL)
            else:
                label = requirement.replace('_', ' ').replace('.', ': ').capitalize()
            if label not in labels:
                labels.append(label)
        return '\n'.join(labels) or False

    def _stripe_refresh_account(self):
        """Ask Stripe for the connected account's status and store it."""
        self.ensure_one()
        if not self.stripe_account_id:
            return
        gateway = self.env['stripe.platform']._get_gateway()
        self._stripe_apply_account(gateway.retrieve_account(self.stripe_account_id))

    # === BUSINESS METHODS - CONNECT === #

    def _stripe_lock(self):
        """Lock the company's row so that two clicks or two workers connect it only once."""
        # The second one waits here; its serialization failure (or deadlock) is expected and
        # retried by Odoo, not an error to log.
        self.env.cr.execute(SQL(
            "SELECT id FROM res_company WHERE id IN %s FOR UPDATE", tuple(self.ids),
        ), log_exceptions=False)
        self.invalidate_recordset()

    def _stripe_check_access(self, group='account.group_account_manager'):
        """Refuse to manage the Stripe connection of these companies to users who may not.

        :param str group: The group the user needs (administrators only for platform actions).
        :raise AccessError: When the user is outside ``group`` or outside one of the companies.
        """
        if not self.env.user.has_group(group):
            raise AccessError(self.env._("You are not allowed to manage the Stripe connection."))
        if self - self.env.user.company_ids:
            raise AccessError(self.env._("You are not allowed to manage this company."))

    def _stripe_check_connectable(self):
        """Refuse to connect a company that is connected already.

        :raise UserError: When the company has a Stripe account.
        """
        self.ensure_one()
        if self.stripe_account_id:
            raise UserError(self.env._(
                "%(company)s is already connected to the Stripe account %(account)s. "
                "Disconnect it first to connect another account.",
                company=self.name, account=self.stripe_account_id,
            ))

    def _stripe_account_prefill(self):
        """Return what Stripe's onboarding can be prefilled with from the company."""
        self.ensure_one()
        params = {
            'controller': {
                'stripe_dashboard': {'type': 'full'},
                'fees': {'payer': 'account'},
                'losses': {'payments': 'stripe'},
                'requirement_collection': 'stripe',
            },
            'business_type': 'company',
            'business_profile': {'name': self.name},
            'company': {'name': self.name},
            'metadata': {
                'odoo_database': self.env.cr.dbname,
                'odoo_company_id': str(self.id),
            },
        }
        if self.country_id:
            params['country'] = self.country_id.code
        if email := stripe_email(self.email):
            params['email'] = email
        if self.website:
            params['business_profile']['url'] = self.website
        if self.vat:
            # Stripe keeps VAT numbers in vat_id; tax_id is the business registration number.
            params['company']['vat_id'] = self.vat
        return params

    def _stripe_onboarding_url(self):
        """Return a fresh link to Stripe's onboarding of the company, coming back to this
        database's return and refresh routes; the account is created first when needed.

        :rtype: str
        """
        self.ensure_one()
        base = f'{self.get_base_url()}/stripe_connect/onboarding'
        query = urlencode({'company_id': self.id})
        return self._stripe_start_onboarding(
            refresh_url=f'{base}/refresh?{query}', return_url=f'{base}/return?{query}',
        )

    def _stripe_start_onboarding(self, refresh_url, return_url):
        """Create the company's Stripe account if needed and return where to onboard it.

        :param str refresh_url: Where Stripe sends the user when the link is no longer valid.
        :param str return_url: Where Stripe sends the user back after onboarding.
        :return: The URL of Stripe's hosted onboarding.
        :rtype: str
        """
        self.ensure_one()
        self._stripe_lock()
        platform = self.env['stripe.platform']
        platform._check_public_url(refresh_url)
        platform._check_public_url(return_url)
        gateway = platform._get_gateway()
        if not self.stripe_account_id:
            # Should this transaction be lost after Stripe created the account, the next try
            # sends the same request with the same key and gets the same account back instead
            # of a second one. The key names what is sent: a try after the company's details
            # were edited is another request, never refused as a replay with other details.
            params = self._stripe_account_prefill()
            key = (f'{platform._idempotency_prefix()}-company{self.id}'
                   f'-account{self.stripe_account_generation}-{request_digest(params)}')
            account = gateway.create_account(params, key)
            self.sudo().write({
                'stripe_account_id': account['id'],
                'stripe_connect_method': 'onboarding',
                'stripe_livemode': platform._is_live(),
            })
            self._stripe_apply_account(account)
            self._stripe_open_books()
        link = gateway.create_account_link(self.stripe_account_id, refresh_url, return_url)
        return link['url']

    def _stripe_connect_oauth(self, code):
        """Finish an OAuth connection: exchange the code and store the account.

        :param str code: The authorization code Stripe gave the redirect.
        """
        self.ensure_one()
        self._stripe_lock()
        self._stripe_check_connectable()
        gateway = self.env['stripe.platform']._get_gateway()
        token = gateway.oauth_token(code)
        other = self.sudo().search([
            ('stripe_account_id', '=', token['stripe_user_id']), ('id', '!=', self.id),
        ], limit=1)
        if other:
            raise UserError(self.env._(
                "This Stripe account is already connected to the company %(company)s: one "
                "Stripe account serves one company.", company=other.name,
            ))
        self.sudo().write({
            'stripe_account_id': token['stripe_user_id'],
            'stripe_connect_method': 'oauth',
            'stripe_livemode': self.env['stripe.platform']._is_live(),
        })
        self._stripe_open_books()
        self._stripe_apply_account(gateway.retrieve_account(token['stripe_user_id']))

    def _stripe_disconnect(self, deauthorize=True):
        """Stop taking payments: deauthorize on Stripe where possible, clear the account.

        Payments already registered stay. Pay links of the company's invoices show that
        online payment is not available from now on.

        :param bool deauthorize: Whether to revoke the platform's access on Stripe (OAuth).
        :return: The reason Stripe could not be told, when deauthorization failed, else ``None``.
        :rtype: str | None
        """
        self.ensure_one()
        self._stripe_lock()
        account_id = self.stripe_account_id
        if not account_id:
            return None
        failure = None
        platform = self.env['stripe.platform']
        # Only with a key of the mode it was connected in, and never from a neutralized copy:
        # revoking the access there would disconnect the production database too.
        if deauthorize and self.stripe_connect_method == 'oauth' \
                and not self._stripe_mode_mismatch() and not platform._is_neutralized():
            # Once deauthorized, the platform can no longer cancel the open PaymentIntents.
            self.env['stripe.payment.intent']._stripe_cancel_open_of_account(account_id)
            try:
                self.env['stripe.platform']._get_gateway().oauth_deauthorize(account_id)
            except StripeGatewayError as error:
                # Stripe may already have revoked it; payments stop locally all the same.
                _logger.info("Deauthorization of %s on Stripe failed: %s", account_id, error)
                failure = str(error)
        self.sudo().write({
            'stripe_account_generation': self.stripe_account_generation + 1,
            'stripe_account_id': False,
            'stripe_connect_method': False,
            'stripe_charges_enabled': False,
            'stripe_payouts_enabled': False,
            'stripe_details_submitted': False,
            'stripe_livemode': False,
            'stripe_requirement_codes_due': False,
            'stripe_requirement_codes_past_due': False,
            'stripe_account_checked_at': False,
        })
        _logger.info("Company %s disconnected from Stripe account %s", self.id, account_id)
        self.env['account.move']._stripe_cancel_stale_later()
        return failure
