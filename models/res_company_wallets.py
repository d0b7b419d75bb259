import ipaddress
import logging
from urllib.parse import urlsplit

from odoo import api, fields, models

from ..utils.stripe_gateway import StripeGatewayError, StripeUnavailableError

_logger = logging.getLogger(__name__)

# The wallets of a payment method domain, as Stripe names them, with their names for people.
WALLET_NAMES = {
    'apple_pay': "Apple Pay",
    'google_pay': "Google Pay",
    'link': "Link",
    'paypal': "PayPal",
    'amazon_pay': "Amazon Pay",
    'klarna': "Klarna",
}
CRON_XMLID = 'account_stripe_connect.ir_cron_stripe_wallet_domains'


def public_host(url):
    """Return the host name of an address, lower case, without port or trailing dot.

    :param str url: An address such as ``https://Pay.Example.com:8443/odoo``.
    :rtype: str
    """
    return (urlsplit(url or '').hostname or '').rstrip('.').lower()


def host_problem(url):
    """Return why wallets cannot be offered on the pages of this address, before asking
    Stripe anything: ``'local'`` for localhost, an IP address or a name that is not a public
    domain (Stripe registers none of them), ``'http'`` for an address that is not https
    (browsers offer Apple Pay and Google Pay on secure pages only), else ``None``.

    :param str url: The database's public address (``web.base.url``).
    :rtype: str | None
    """
    host = public_host(url)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        is_ip = False
    else:
        is_ip = True
    if not host or is_ip or '.' not in host or host == 'localhost' \
            or host.endswith('.localhost'):
        return 'local'
    if urlsplit(url).scheme != 'https':
        return 'http'
    return None


class ResCompany(models.Model):
    """Wallets (Apple Pay, Google Pay, Link...) on the pay page: the page's domain registered
    as a payment method domain on the company's connected account, as direct charges need."""

    _inherit = 'res.company'

    stripe_wallet_domain = fields.Char(
        string="Wallet Domain", readonly=True, copy=False,
        help="The domain of the pay page last registered (or tried) on the Stripe account, "
             "for wallets such as Apple Pay and Google Pay.",
    )
    stripe_wallet_domain_id = fields.Char(
        string="Payment Method Domain", readonly=True, copy=False,
        help="Stripe's id of the registered domain (pmd_...).",
    )
    stripe_wallet_account_id = fields.Char(
        readonly=True, copy=False,
        help="Technical: the Stripe account the domain was registered (or tried) on.",
    )
    stripe_wallet_status = fields.Selection(
        string="Wallet Registration",
        selection=[
            ('registered', "Registered"),
            ('refused', "Refused by Stripe"),
            ('failed', "Stripe could not be reached"),
        ],
        readonly=True, copy=False,
    )
    stripe_wallet_error = fields.Text(
        string="Stripe's Answer", readonly=True, copy=False,
        help="Why Stripe refused the domain, or why a wallet is not active on it.",
    )
    stripe_wallet_active = fields.Char(
        string="Active Wallets", readonly=True, copy=False,
        help="The wallets Stripe reports active on the registered domain.",
    )
    stripe_wallet_checked_at = fields.Datetime(
        string="Wallets Checked On", readonly=True, copy=False,
    )
    stripe_wallet_readiness = fields.Selection(
        string="Wallets",
        selection=[
            ('not_connected', "Not connected"),
            ('local', "Local address"),
            ('http', "Not https"),
            ('pending', "Not registered yet"),
            ('refused', "Refused by Stripe"),
            ('failed', "Stripe could not be reached"),
            ('inactive', "No wallet active"),
            ('ready', "Ready"),
        ],
        compute='_compute_stripe_wallet_readiness',
    )
    stripe_wallet_message = fields.Text(compute='_compute_stripe_wallet_readiness')

    # === COMPUTE METHODS === #

    @api.depends('stripe_account_id', 'stripe_wallet_domain', 'stripe_wallet_account_id',
                 'stripe_wallet_status', 'stripe_wallet_error', 'stripe_wallet_active')
    def _compute_stripe_wallet_readiness(self):
        for company in self:
            company.stripe_wallet_readiness, company.stripe_wallet_message = \
                company._stripe_wallet_readiness()

    def _stripe_wallet_readiness(self):
        """Return whether customers may pay with a wallet on the pay page, and why not, in
        plain words.

        :return: ``(readiness, message)``, see ``stripe_wallet_readiness``.
        :rtype: tuple(str, str)
        """
        self.ensure_one()
        url = self.get_base_url()
        host = public_host(url)
        if not self.stripe_account_id:
            return 'not_connected', self.env._(
                "Connect the company to Stripe first: wallets are registered on its account.")
        if self._stripe_mode_mismatch():
            return 'not_connected', self.env._(
                "The company was connected to Stripe in the other mode (test or live) than the "
                "platform's keys now: connect it again, and its domain is registered then.")
        problem = host_problem(url)
        if problem == 'local':
            return 'local', self.env._(
                "This database's public address is %(url)s: Stripe offers wallets only on a "
                "public domain name, never on localhost or an IP address. Set the system "
                "parameter web.base.url to the address your customers use.", url=url)
        if problem == 'http':
            return 'http', self.env._(
                "This database's public address is %(url)s: wallets such as Apple Pay and "
                "Google Pay need an https:// address. Run Odoo behind a TLS proxy (with "
                "proxy_mode) and log in through https:// once, or set web.base.url.", url=url)
        if not self._stripe_wallet_registered_here():
            return 'pending', self.env._(
                "The domain %(host)s is not registered on the Stripe account yet: it will be "
                "in a few minutes, or press Register again.", host=host)
        if self.stripe_wallet_status in ('refused', 'failed'):
            return self.stripe_wallet_status, self.env._(
                "Stripe did not register the domain %(host)s: %(reason)s",
                host=host, reason=self.stripe_wallet_error or '')
        if not self.stripe_wallet_active:
            return 'inactive', self.env._(
                "The domain %(host)s is registered, but Stripe has no wallet active on it: "
                "%(reason)s", host=host, reason=self.stripe_wallet_error or '')
        return 'ready', self.env._(
            "Wallets are ready on %(host)s: %(wallets)s.",
            host=host, wallets=self.stripe_wallet_active)

    # === BUSINESS METHODS === #

    def _stripe_wallet_registered_here(self):
        """Return whether the registration on record is of this account and this address."""
        self.ensure_one()
        return bool(self.stripe_wallet_status) \
            and self.stripe_wallet_account_id == self.stripe_account_id \
            and self.stripe_wallet_domain == public_host(self.get_base_url())

    def _stripe_wallet_needs_registration(self):
        """Return whether the job has something to do for this company: a connected account
        and a public https address that is not registered on it (or whose last try failed
        because Stripe could not be reached)."""
        self.ensure_one()
        return bool(
            self._stripe_account_usable()
            and not host_problem(self.get_base_url())
            and (not self._stripe_wallet_registered_here()
                 or self.stripe_wallet_status == 'failed')
        )

    @api.model
    def _stripe_wallets_later(self):
        """Have the job register the pay page's domain, once this transaction commits: a
        login or a settings write never waits for Stripe."""
        self.env['stripe.platform']._trigger_job_at_commit(CRON_XMLID)

    def _stripe_register_wallet_domain(self):
        """Register the pay page's domain on the company's Stripe account, once: a domain
        already registered there (by an earlier try whose answer was lost, or by hand) is
        taken as it is, re-enabled when disabled and validated again when a wallet is not
        active on it. Nothing is asked of Stripe for a local or http address.

        :return: The readiness after the try (see ``stripe_wallet_readiness``).
        :rtype: str
        """
        self.ensure_one()
        account_id = self.stripe_account_id
        url = self.get_base_url()
        if not account_id or self._stripe_mode_mismatch() or host_problem(url):
            return self._stripe_wallet_readiness()[0]
        host = public_host(url)
        platform = self.env['stripe.platform']
        values = {
            'stripe_wallet_domain': host,
            'stripe_wallet_account_id': account_id,
            'stripe_wallet_checked_at': fields.Datetime.now(),
        }
        try:
            gateway = platform._get_gateway()
            domain = self._stripe_find_wallet_domain(gateway, account_id, host)
            if not domain:
                key = f'{platform._idempotency_prefix()}-company{self.id}-{account_id}-pmd-{host}'
                try:
                    domain = gateway.create_payment_method_domain(account_id, host, key)
                except StripeGatewayError as error:
                    # Registered meanwhile (another worker, the dashboard): take that one.
                    if error.code != 'resource_already_exists':
                        raise
                    domain = self._stripe_find_wallet_domain(gateway, account_id, host)
                    if not domain:
                        raise
            if not domain.get('enabled'):
                domain = gateway.enable_payment_method_domain(account_id, domain['id'])
            if self._stripe_inactive_wallets(domain):
                domain = gateway.validate_payment_method_domain(account_id, domain['id'])
        except StripeGatewayError as error:
            _logger.info("Registering %s on Stripe account %s failed: %s",
                         host, account_id, error)
            values.update({
                'stripe_wallet_domain_id': False,
                'stripe_wallet_status': 'failed' if isinstance(error, StripeUnavailableError)
                else 'refused',
                'stripe_wallet_error': str(error),
                'stripe_wallet_active': False,
            })
        else:
            inactive = self._stripe_inactive_wallets(domain)
            values.update({
                'stripe_wallet_domain_id': domain['id'],
                'stripe_wallet_status': 'registered',
                'stripe_wallet_error': '\n'.join(
                    f'{WALLET_NAMES.get(wallet, wallet)}: {message}'
                    for wallet, message in inactive.items()
                ) or False,
                'stripe_wallet_active': ', '.join(
                    name for wallet, name in WALLET_NAMES.items()
                    if (domain.get(wallet) or {}).get('status') == 'active'
                ) or False,
            })
            _logger.info("Domain %s registered on Stripe account %s (%s)",
                         host, account_id, domain['id'])
        self.sudo().write(values)
        return self._stripe_wallet_readiness()[0]

    @api.model
    def _stripe_find_wallet_domain(self, gateway, account_id, host):
        """Return the payment method domain of ``host`` on the account, or ``None``."""
        listing = gateway.list_payment_method_domains(account_id, domain_name=host)
        return next((domain for domain in listing.get('data') or []
                     if domain.get('domain_name') == host), None)

    @api.model
    def _stripe_inactive_wallets(self, domain):
        """Return ``{wallet: Stripe's reason}`` of the wallets not active on a domain."""
        inactive = {}
        for wallet in WALLET_NAMES:
            status = domain.get(wallet) or {}
            if status and status.get('status') != 'active':
                inactive[wallet] = (status.get('status_details') or {}).get('error_message') \
                    or status.get('status') or ''
        return inactive

    @api.model
    def _cron_stripe_register_wallet_domains(self):
        """Register the pay page's domain on the accounts of the companies that need it."""
        self._stripe_cron_each_company(
            lambda company: company._stripe_wallet_needs_registration(),
            lambda company: company._stripe_register_wallet_domain(),
            "Registering the wallet domain",
        )

    # === OVERRIDES === #

    def _stripe_apply_account(self, account):
        """Override of account_stripe_connect to register the pay page's domain on an account
        just connected (onboarding or OAuth), by the job, once this transaction commits."""
        result = super()._stripe_apply_account(account)
        if self._stripe_wallet_needs_registration():
            self._stripe_wallets_later()
        return result

    def _stripe_disconnect(self, deauthorize=True):
        """Override of account_stripe_connect to forget the registration of the account the
        company leaves (it stays on Stripe, with that account)."""
        result = super()._stripe_disconnect(deauthorize=deauthorize)
        if not self.stripe_account_id:
            self.sudo().write({
                'stripe_wallet_domain': False,
                'stripe_wallet_domain_id': False,
                'stripe_wallet_account_id': False,
                'stripe_wallet_status': False,
                'stripe_wallet_error': False,
                'stripe_wallet_active': False,
                'stripe_wallet_checked_at': False,
            })
        return result

    # === ACTIONS === #

    def action_stripe_register_wallet_domain(self):
        """Register the pay page's domain on the Stripe account now, and say how it went."""
        self.ensure_one()
        self._stripe_check_access()
        self._stripe_register_wallet_domain()
        readiness, message = self._stripe_wallet_readiness()
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'title': self.env._("Wallets"),
                'message': message,
                'type': 'success' if readiness == 'ready' else 'warning',
                'sticky': readiness != 'ready',
                'next': {'type': 'ir.actions.client', 'tag': 'reload'},
            },
        }
