import configparser
import functools
import os

from odoo import api, models
from odoo.tools import config

from ..utils.stripe_gateway import STRIPE_JS_URL, StripeGateway

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
    # Where Stripe is, for the emulator; honoured outside live mode only.
    'api_base',
    'connect_base',
    'js_url',
)
ENDPOINT_KEYS = ('api_base', 'connect_base', 'js_url')


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


class StripePlatform(models.AbstractModel):
    _name = 'stripe.platform'
    _description = "Stripe Connect platform"

    # === BUSINESS METHODS === #

    @api.model
    def _get_setting(self, key):
        """Return one platform setting, the configuration file winning over Settings.

        :param str key: One of :data:`PLATFORM_KEYS`.
        :rtype: str
        """
        file_values = config_file_values()
        if key in file_values:
            value = file_values[key]
        else:
            value = self.env['ir.config_parameter'].sudo().get_param(PARAM_PREFIX + key)
        if key in ENDPOINT_KEYS and self._is_live():
            return False
        return value or False

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

    @api.model
    def _is_live(self):
        """Return whether the platform takes real payments."""
        return self._get_setting('mode') == 'live'

    @api.model
    def _is_configured(self):
        """Return whether the keys needed to take payments are all set."""
        return all(self._get_setting(key) for key in ('secret_key', 'publishable_key'))

    @api.model
    def _get_gateway(self):
        """Return the gateway to Stripe with the platform's credentials.

        :raise StripeConfigurationError: When the secret key is missing.
        :rtype: StripeGateway
        """
        return StripeGateway(
            self.env,
            self._get_setting('secret_key'),
            client_id=self._get_setting('client_id'),
            api_base=self._get_setting('api_base'),
            connect_base=self._get_setting('connect_base'),
        )

    @api.model
    def _get_js_url(self):
        """Return the address of Stripe.js for the pay page."""
        return self._get_setting('js_url') or STRIPE_JS_URL

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
