import configparser
import functools
import os

from odoo import api, models
from odoo.tools import config, str2bool

from .. import const
from ..utils.stripe_gateway import StripeConfigurationError, StripeGateway

PARAM_PREFIX = 'account_stripe_connect.'
CONFIG_SECTION = 'account_stripe_connect'

# Platform settings: stored as system parameters, overridable from the server configuration
# file's [account_stripe_connect] section (the file wins).
PLATFORM_KEYS = (
    'secret_key',
    'publishable_key',
    'client_id',
    'webhook_secret',
    'webhook_endpoint_id',
    'mode',
    'fee_percent',
    'fee_fixed',
    'refund_application_fee',
    # Where Stripe is, for a stand-in such as the emulator: with a live key, only the server
    # configuration file may say so (see StripePlatform._get_setting).
    'api_base',
    'connect_base',
    'js_url',
)
ENDPOINT_KEYS = ('api_base', 'connect_base', 'js_url')
# The settings that decide the mode, checked together (see StripePlatform._mode_problem).
MODE_KEYS = ('secret_key', 'publishable_key', 'mode')


@functools.lru_cache(maxsize=8)
def _read_config_section(path, mtime):  # the mtime only keys the cache
    parser = configparser.RawConfigParser()
    parser.read([path])
    if not parser.has_section(CONFIG_SECTION):
        return {}
    return {key: value for key, value in parser.items(CONFIG_SECTION) if key in PLATFORM_KEYS}


def config_file_values():
    """Return the platform settings given in the server configuration file.

    :return: ``{key: value}`` of the keys the file's ``[account_stripe_connect]`` section sets.
    :rtype: dict
    """
    path = config.get('config')
    if not path or not os.path.isfile(path):
        return {}
    return _read_config_section(path, os.path.getmtime(path))


def key_mode(key, publishable=False):
    """Return the mode a Stripe key works in, from its prefix.

    :param str key: A secret key (or publishable key, with ``publishable=True``).
    :return: ``'live'``, ``'test'``, or ``None`` when it is not such a key.
    :rtype: str | None
    """
    modes = const.PUBLISHABLE_KEY_MODES if publishable else const.SECRET_KEY_MODES
    return next(
        (mode for prefix, mode in modes.items() if (key or '').startswith(prefix)), None,
    )


class StripePlatform(models.AbstractModel):
    _name = 'stripe.platform'
    _description = "Stripe Connect platform"

    # === BUSINESS METHODS - SETTINGS === #

    @api.model
    def _get_setting(self, key):
        """Return one platform setting, the configuration file winning over Settings.

        With a live key, Stripe's addresses (:data:`ENDPOINT_KEYS`) come from the file only:
        Settings can never send real payments elsewhere than to Stripe.

        :param str key: One of :data:`PLATFORM_KEYS`.
        :rtype: str
        """
        file_values = config_file_values()
        if key in ENDPOINT_KEYS and self._is_live():
            return file_values.get(key) or False
        if key in file_values:
            return file_values[key] or False
        return self._get_stored_setting(key)

    @api.model
    def _get_stored_setting(self, key):
        """Return a platform setting as Settings stored it, whether it is used or not."""
        return self.env['ir.config_parameter'].sudo().get_param(PARAM_PREFIX + key) or False

    @api.model
    def _set_setting(self, key, value):
        """Store a platform setting in the database (the configuration file still wins)."""
        self.env['ir.config_parameter'].sudo().set_param(PARAM_PREFIX + key, value or False)

    @api.model
    def _get_file_keys(self):
        """Return the platform settings the server configuration file sets (and so locks).

        :rtype: set(str)
        """
        return set(config_file_values())

    # === BUSINESS METHODS - MODE === #

    @api.model
    def _is_live(self):
        """Return whether the platform takes real payments: whether its secret key is live."""
        return key_mode(self._get_setting('secret_key')) == 'live'

    @api.model
    def _is_neutralized(self):
        """Return whether this database is a neutralized copy (staging, duplicate)."""
        return bool(self.env['ir.config_parameter'].sudo().get_param('database.is_neutralized'))

    @api.model
    def _origin(self, key, file_keys):
        """Say where a setting comes from, for a message that says what to correct."""
        if key in file_keys:
            return self.env._(
                "in the [%(section)s] section of the server configuration file %(path)s",
                section=CONFIG_SECTION, path=config.get('config'),
            )
        return self.env._("in Settings")

    @api.model
    def _mode_problem(self, values=None):
        """Return why the platform's keys and mode cannot be used together, if they cannot.

        The mode is the secret key's: a ``mode`` setting that says otherwise, a publishable
        key of the other mode, a key that is not Stripe's, or a live key in a neutralized
        copy of a database is refused, with where to correct it.

        :param dict values: The settings to check (``secret_key``, ``publishable_key``,
            ``mode``); the platform's current ones by default.
        :return: The message, or ``None`` when they agree (or no secret key is set).
        :rtype: str | None
        """
        file_keys = self._get_file_keys()
        if values is None:
            values = {key: self._get_setting(key) for key in MODE_KEYS}
        secret_key = values.get('secret_key')
        if not secret_key:
            return None
        mode = key_mode(secret_key)
        labels = {'live': self.env._("live"), 'test': self.env._("test")}
        if mode == 'live' and self._is_neutralized():
            return self.env._(
                "This database is a neutralized copy (a staging or duplicate database): it "
                "never takes real payments, so it refuses the live secret key (%(origin)s). "
                "Use the platform's test keys here.",
                origin=self._origin('secret_key', file_keys),
            )
        if not mode:
            return self.env._(
                "The platform's secret key (%(origin)s) is not a Stripe secret key: Stripe's "
                "start with sk_live_ or sk_test_ (rk_live_ or rk_test_ when restricted).",
                origin=self._origin('secret_key', file_keys),
            )
        mode_setting = (values.get('mode') or '').strip().lower()
        if mode_setting and mode_setting != mode:
            return self.env._(
                "The mode is %(mode)s (%(mode_origin)s) but the secret key is a %(key_mode)s key "
                "(%(key_origin)s): Stripe takes the mode from the key. Set the mode to "
                "%(key_mode)s, or use a %(mode)s key.",
                mode=labels.get(mode_setting, mode_setting), key_mode=labels[mode],
                mode_origin=self._origin('mode', file_keys),
                key_origin=self._origin('secret_key', file_keys),
            )
        publishable_key = values.get('publishable_key')
        publishable_mode = key_mode(publishable_key, publishable=True)
        if publishable_key and publishable_mode != mode:
            return self.env._(
                "The publishable key (%(pk_origin)s) is not a %(key_mode)s publishable key "
                "(pk_%(prefix)s_...) like the secret key (%(key_origin)s): both keys must come "
                "from the same mode of the platform's Stripe account.",
                key_mode=labels[mode], prefix=mode,
                pk_origin=self._origin('publishable_key', file_keys),
                key_origin=self._origin('secret_key', file_keys),
            )
        return None

    @api.model
    def _check_public_url(self, url):
        """Refuse, before Stripe is called, an address of this database that Stripe refuses
        in live mode: it only sends live-mode events and visitors to ``https://`` addresses.

        :param str url: An address of this database given to Stripe (webhook endpoint,
            onboarding return, OAuth redirect).
        :raise StripeConfigurationError: When the platform is live and ``url`` is not https.
        """
        if self._is_live() and not (url or '').startswith('https://'):
            raise StripeConfigurationError(self.env._(
                "In live mode Stripe only sends events and people to https:// addresses, and "
                "this database's address is %(url)s. Set the system parameter web.base.url to "
                "the https:// address people use, and run Odoo behind a TLS proxy with "
                "proxy_mode = True in the server configuration file.",
                url=url,
            ))

    # === BUSINESS METHODS - USE === #

    @api.model
    def _is_configured(self):
        """Return whether the keys needed to take payments are all set, and agree."""
        return all(self._get_setting(key) for key in ('secret_key', 'publishable_key')) \
            and not self._mode_problem()

    @api.model
    def _idempotency_prefix(self):
        """Return what makes this database's idempotency keys its own (``odoo-<uuid>``)."""
        return f"odoo-{self.env['ir.config_parameter'].sudo().get_param('database.uuid')}"

    @api.model
    def _trigger_job_at_commit(self, cron_xmlid):
        """Have a scheduled job run soon, once this transaction commits (once however many
        times this is asked): the user's action never waits for Stripe, and Stripe being down
        never blocks it.

        :param str cron_xmlid: The job's XML id.
        """
        cr = self.env.cr
        if cr.precommit.data.get(cron_xmlid):
            return
        cr.precommit.data[cron_xmlid] = True

        @cr.precommit.add
        def trigger():
            cron = self.env.ref(cron_xmlid, raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()
                self.env.flush_all()

    @api.model
    def _get_gateway(self):
        """Return the gateway to Stripe with the platform's credentials.

        :raise StripeConfigurationError: When the secret key is missing, or the mode settings
            do not agree (see :meth:`_mode_problem`).
        :rtype: StripeGateway
        """
        if problem := self._mode_problem():
            raise StripeConfigurationError(problem)
        return StripeGateway(
            self.env,
            self._get_setting('secret_key'),
            client_id=self._get_setting('client_id'),
            api_base=self._get_setting('api_base'),
            connect_base=self._get_setting('connect_base'),
        )

    @api.model
    def _get_js_url(self):
        """Return the address of Stripe.js for the pay page (the release of the pinned API
        version, unless configured otherwise)."""
        return self._get_setting('js_url') or const.STRIPE_JS_URL

    @api.model
    def _get_fee_settings(self):
        """Return the platform's application fee as (percent, fixed amount in company currency).

        :rtype: tuple(float, float)
        """
        def as_float(key):
            try:
                return max(float(self._get_setting(key) or 0.0), 0.0)
            except ValueError:
                return 0.0
        return as_float('fee_percent'), as_float('fee_fixed')

    @api.model
    def _refund_application_fee(self):
        """Return whether a refund made in Odoo also gives back, in proportion, the platform's
        application fee on the payment (Stripe's ``refund_application_fee``; off by default,
        as on Stripe)."""
        return str2bool(str(self._get_setting('refund_application_fee') or 'false'), False)
