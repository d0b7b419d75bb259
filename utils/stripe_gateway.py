"""The one door to Stripe: every call the addon makes to Stripe goes through this module.

It builds the official SDK's ``StripeClient`` with the pinned API version, timeouts, network
retries and the connected account of the call, puts an idempotency key on every create, and
turns Stripe's errors into :class:`StripeGatewayError` (a ``UserError``) with a message a
person can act on. Objects come back as plain dicts. Nothing else in the addon imports
``stripe``.
"""

import contextlib
import hashlib
import json
import logging
import re
import uuid

import stripe

from odoo.exceptions import UserError
from odoo.tools import email_normalize

from .. import const

_logger = logging.getLogger(__name__)


# === ERRORS === #

class StripeGatewayError(UserError):
    """A call to Stripe failed; the message says why in words for the person who sees it."""

    #: Stripe's error code (``card_declined``, ``resource_missing``...), when it gave one.
    code = None
    #: The parameter Stripe refused (``confirmation_token``, ``amount``...), when it named one.
    param = None
    #: The PaymentIntent Stripe's error carries (a declined confirmation: the PaymentIntent as
    #: it is now, back to ``requires_payment_method``), as a dict, when it carries one.
    payment_intent = None

    def __init__(self, message):
        super().__init__(str(message))


class StripeCardError(StripeGatewayError):
    """The customer's payment method was refused; the message is Stripe's, for the customer."""


class StripeUnavailableError(StripeGatewayError):
    """Stripe could not be reached or did not answer in time; trying again later may work."""


class StripeConfigurationError(StripeGatewayError):
    """The platform's credentials are missing or were refused: an administrator must act."""


class StripeAccountAccessError(StripeGatewayError):
    """The platform may no longer act on the connected account (revoked or deleted)."""


class StripeSignatureError(StripeGatewayError):
    """A webhook's signature is missing, wrong or too old."""


def mask_secret(value):
    """Return a secret as it may appear in a log line or a message: its kind and last 4 chars.

    :param str value: A key or secret such as ``sk_test_...`` or ``whsec_...``.
    :rtype: str
    """
    if not value:
        return ''
    prefix = value[:8] if value.startswith(('sk_', 'rk_', 'pk_')) else value.split('_')[0] + '_'
    return f'{prefix}****{value[-4:]}'


def stripe_email(value):
    """Return the email address to give Stripe, when Odoo makes exactly one valid address of
    ``value``: a name around it is dropped, two addresses or a wrong one give none (Stripe
    would refuse the whole request for it).

    :param str value: An email field as people fill it in (``"Name" <a@b.com>``...).
    :rtype: str | None
    """
    email = email_normalize(value or '')
    return email if email and re.fullmatch(const.STRIPE_EMAIL_PATTERN, email) else None


def request_digest(params):
    """Return a short digest of a request's parameters, for an idempotency key that names
    exactly what is sent: a try with other parameters is another request, with its own key.

    :param dict params: The parameters as they are sent to Stripe.
    :rtype: str
    """
    canonical = json.dumps(params, sort_keys=True, separators=(',', ':'), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _with_code(gateway_error, sdk_error):
    gateway_error.code = getattr(sdk_error, 'code', None)
    error_object = getattr(sdk_error, 'error', None)  # The SDK's ErrorObject, if any.
    if error_object is not None:
        gateway_error.param = getattr(error_object, 'param', None)
        intent = getattr(error_object, 'payment_intent', None)
        if intent is not None:
            gateway_error.payment_intent = intent.to_dict()
    _logger.info(
        "Stripe call failed: %s (code %s, request %s)",
        type(sdk_error).__name__, gateway_error.code, getattr(sdk_error, 'request_id', None),
    )
    return gateway_error


# === GATEWAY === #

class StripeGateway:
    """Calls to Stripe on behalf of the platform, optionally on a connected account.

    :param env: The Odoo environment, for the language of error messages.
    :param str secret_key: The platform's secret key.
    :param str client_id: The platform's Connect client id (``ca_...``), for OAuth.
    :param str api_base: Base address of Stripe's API (the emulator's in tests and demos).
    :param str connect_base: Base address of Stripe's OAuth endpoints.
    """

    def __init__(self, env, secret_key, client_id=None, api_base=None, connect_base=None):
        self.env = env
        if not secret_key:
            raise StripeConfigurationError(env._(
                "Stripe is not configured: an administrator must enter the platform's secret "
                "key in Settings > Invoicing > Payment Processing."
            ))
        self._client = stripe.StripeClient(
            secret_key,
            client_id=client_id or None,
            stripe_version=const.STRIPE_API_VERSION,
            base_addresses={
                'api': api_base or const.STRIPE_API_BASE,
                'connect': connect_base or const.STRIPE_CONNECT_BASE,
            },
            max_network_retries=const.NETWORK_RETRIES,
            http_client=stripe.RequestsClient(timeout=const.TIMEOUT),
        )
        self._connect_base = connect_base or const.STRIPE_CONNECT_BASE
        self._client_id = client_id

    @staticmethod
    def _options(account=None, idempotency_key=None):
        options = {}
        if account:
            options['stripe_account'] = account
        if idempotency_key:
            options['idempotency_key'] = idempotency_key
        return options

    @staticmethod
    def _create_options(account, idempotency_key):
        return StripeGateway._options(account, idempotency_key or str(uuid.uuid4()))

    @staticmethod
    def _as_dict(stripe_object):
        return stripe_object.to_dict() if stripe_object is not None else None

    @contextlib.contextmanager
    def _translate_errors(self):
        """Turn the SDK's exceptions into :class:`StripeGatewayError` subclasses, with messages
        in the language of the gateway's environment."""
        try:
            yield
        except stripe.CardError as error:
            raise _with_code(StripeCardError(
                error.user_message or self.env._("Your payment method was declined.")
            ), error) from error
        except stripe.AuthenticationError as error:
            raise _with_code(StripeConfigurationError(self.env._(
                "Stripe refused the platform's secret key. An administrator should check the "
                "key in Settings > Invoicing > Payment Processing (or in the server "
                "configuration file)."
            )), error) from error
        except stripe.PermissionError as error:
            raise _with_code(StripeAccountAccessError(self.env._(
                "This database may no longer act on the connected Stripe account: it was "
                "disconnected or deleted on Stripe. Connect the company to Stripe again."
            )), error) from error
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            raise _with_code(StripeUnavailableError(self.env._(
                "Stripe could not be reached right now. Nothing was charged or changed; please "
                "try again in a few minutes."
            )), error) from error
        except stripe.IdempotencyError as error:
            raise _with_code(StripeGatewayError(self.env._(
                "Stripe already received this request with other details, from an earlier try "
                "that Odoo did not finish. Nothing more was done: use Check with Stripe on the "
                "invoice to register what Stripe did, then try again if still needed."
            )), error) from error
        except stripe.oauth_error.OAuthError as error:
            raise _with_code(StripeGatewayError(self.env._(
                "Stripe refused the connection request: %(reason)s",
                reason=error.user_message or error.code,
            )), error) from error
        except stripe.StripeError as error:
            status = getattr(error, 'http_status', None) or 0
            if status >= 500:
                raise _with_code(StripeUnavailableError(self.env._(
                    "Stripe had a problem answering. Nothing was changed; please try again "
                    "later."
                )), error) from error
            raise _with_code(StripeGatewayError(self.env._(
                "Stripe refused the request: %(message)s",
                message=error.user_message or str(error),
            )), error) from error

    def _call(self, label, method, *args, **kwargs):
        _logger.debug("Stripe call: %s", label)
        with self._translate_errors():
            return self._as_dict(method(*args, **kwargs))

    # --- Accounts --- #

    def create_account(self, params, idempotency_key=None):
        return self._call(
            'accounts.create', self._client.v1.accounts.create,
            params, self._create_options(None, idempotency_key),
        )

    def retrieve_account(self, account_id):
        return self._call('accounts.retrieve', self._client.v1.accounts.retrieve, account_id)

    def create_account_link(self, account_id, refresh_url, return_url, idempotency_key=None):
        return self._call(
            'account_links.create', self._client.v1.account_links.create, {
                'account': account_id,
                'refresh_url': refresh_url,
                'return_url': return_url,
                'type': 'account_onboarding',
            }, self._create_options(None, idempotency_key),
        )

    # --- OAuth --- #

    def _check_client_id(self):
        if not self._client_id:
            raise StripeConfigurationError(self.env._(
                "Stripe's Connect client id (ca_...) is not configured: an administrator must "
                "enter it in Settings > Invoicing > Payment Processing."
            ))

    def oauth_authorize_url(self, state, redirect_uri, email=None):
        self._check_client_id()
        params = {
            'response_type': 'code',
            'scope': 'read_write',
            'state': state,
            'redirect_uri': redirect_uri,
        }
        if email:
            params['stripe_user'] = {'email': email}
        with self._translate_errors():
            return self._client.oauth.authorize_url(params)

    def oauth_token(self, code):
        return self._call(
            'oauth.token', self._client.oauth.token,
            {'grant_type': 'authorization_code', 'code': code},
        )

    def oauth_deauthorize(self, account_id):
        self._check_client_id()
        return self._call(
            'oauth.deauthorize', self._client.oauth.deauthorize,
            {'stripe_user_id': account_id},
        )

    # --- PaymentIntents --- #

    def create_payment_intent(self, account_id, params, idempotency_key=None):
        return self._call(
            'payment_intents.create', self._client.v1.payment_intents.create,
            params, self._create_options(account_id, idempotency_key),
        )

    def update_payment_intent(self, account_id, intent_id, params, idempotency_key=None):
        return self._call(
            'payment_intents.update', self._client.v1.payment_intents.update,
            intent_id, params, self._create_options(account_id, idempotency_key),
        )

    def retrieve_payment_intent(self, account_id, intent_id, expand_charge=False):
        params = {'expand': ['latest_charge']} if expand_charge else {}
        return self._call(
            'payment_intents.retrieve', self._client.v1.payment_intents.retrieve,
            intent_id, params, self._options(account_id),
        )

    def confirm_payment_intent(self, account_id, intent_id, params, idempotency_key=None):
        """Confirm a PaymentIntent on the server, e.g. with the ``confirmation_token`` the
        customer's browser made (Stripe's "finalize payments on the server"); the answer
        carries its charge and the charge's balance transaction, to register and book it."""
        return self._call(
            'payment_intents.confirm', self._client.v1.payment_intents.confirm,
            intent_id, {**params, 'expand': ['latest_charge.balance_transaction']},
            self._create_options(account_id, idempotency_key),
        )

    def cancel_payment_intent(self, account_id, intent_id, reason=None, idempotency_key=None):
        """Cancel a PaymentIntent nothing was charged with yet.

        :param str reason: Stripe's ``cancellation_reason`` (``abandoned``, ``duplicate``,
            ``requested_by_customer``, ``fraudulent``), if any.
        """
        params = {'cancellation_reason': reason} if reason else {}
        return self._call(
            'payment_intents.cancel', self._client.v1.payment_intents.cancel,
            intent_id, params, self._create_options(account_id, idempotency_key),
        )

    # --- Charges --- #

    def retrieve_charge(self, account_id, charge_id):
        return self._call(
            'charges.retrieve', self._client.v1.charges.retrieve,
            charge_id, {}, self._options(account_id),
        )

    # --- Refunds --- #

    def create_refund(self, account_id, params, idempotency_key=None):
        return self._call(
            'refunds.create', self._client.v1.refunds.create,
            params, self._create_options(account_id, idempotency_key),
        )

    def list_refunds(self, account_id, intent_id):
        return self._call(
            'refunds.list', self._client.v1.refunds.list,
            {'payment_intent': intent_id, 'limit': 100}, self._options(account_id),
        )

    def retrieve_refund(self, account_id, refund_id):
        return self._call(
            'refunds.retrieve', self._client.v1.refunds.retrieve,
            refund_id, {}, self._options(account_id),
        )

    # --- Disputes --- #

    def retrieve_dispute(self, account_id, dispute_id):
        return self._call(
            'disputes.retrieve', self._client.v1.disputes.retrieve,
            dispute_id, {}, self._options(account_id),
        )

    def list_disputes(self, account_id, intent_id):
        return self._call(
            'disputes.list', self._client.v1.disputes.list,
            {'payment_intent': intent_id, 'limit': 100}, self._options(account_id),
        )

    # --- Webhook endpoints --- #

    def create_webhook_endpoint(self, url, events, idempotency_key=None):
        return self._call(
            'webhook_endpoints.create', self._client.v1.webhook_endpoints.create, {
                'url': url,
                'enabled_events': events,
                'connect': True,
                'api_version': const.STRIPE_API_VERSION,
                'description': "Odoo account_stripe_connect",
            }, self._create_options(None, idempotency_key),
        )

    def list_webhook_endpoints(self):
        return self._call(
            'webhook_endpoints.list', self._client.v1.webhook_endpoints.list, {'limit': 100},
        )

    def delete_webhook_endpoint(self, endpoint_id):
        return self._call(
            'webhook_endpoints.delete', self._client.v1.webhook_endpoints.delete, endpoint_id,
        )

    # --- Events --- #

    def retrieve_event(self, account_id, event_id):
        return self._call(
            'events.retrieve', self._client.v1.events.retrieve,
            event_id, {}, self._options(account_id),
        )

    # --- Balance --- #

    def retrieve_balance(self, account_id):
        """Return the connected account's Balance: ``available`` and ``pending`` per currency."""
        return self._call(
            'balance.retrieve', self._client.v1.balance.retrieve, {}, self._options(account_id),
        )

    def retrieve_balance_transaction(self, account_id, transaction_id):
        return self._call(
            'balance_transactions.retrieve', self._client.v1.balance_transactions.retrieve,
            transaction_id, {}, self._options(account_id),
        )

    def list_balance_transactions(self, account_id, created_gte=None, transaction_type=None,
                                  starting_after=None, limit=100):
        """Return one page of the account's balance transactions, newest first, each with its
        ``source`` expanded.

        :param int created_gte: Only those created at or after this Unix time.
        :param str transaction_type: Only those of this ``type``.
        :param str starting_after: The id of the last one of the previous page.
        """
        params = {'limit': limit, 'expand': ['data.source']}
        if created_gte is not None:
            params['created'] = {'gte': int(created_gte)}
        if transaction_type:
            params['type'] = transaction_type
        if starting_after:
            params['starting_after'] = starting_after
        return self._call(
            'balance_transactions.list', self._client.v1.balance_transactions.list,
            params, self._options(account_id),
        )

    def retrieve_payment_intent_with_balance(self, account_id, intent_id):
        """Return a PaymentIntent with its latest charge and that charge's balance
        transaction expanded: what registering and booking its payment need, in one call."""
        return self._call(
            'payment_intents.retrieve', self._client.v1.payment_intents.retrieve,
            intent_id, {'expand': ['latest_charge.balance_transaction']},
            self._options(account_id),
        )

    def retrieve_payout(self, account_id, payout_id):
        return self._call(
            'payouts.retrieve', self._client.v1.payouts.retrieve,
            payout_id, {}, self._options(account_id),
        )

    # --- Payment method domains --- #

    def create_payment_method_domain(self, account_id, domain_name, idempotency_key=None):
        """Register a web domain on which Elements may show wallets (Apple Pay, Google Pay,
        Link...). With direct charges it is registered on the connected account itself.

        :param str domain_name: The bare host name, such as ``pay.example.com`` (no scheme,
            port or path: Stripe refuses them).
        """
        return self._call(
            'payment_method_domains.create', self._client.v1.payment_method_domains.create,
            {'domain_name': domain_name, 'enabled': True},
            self._create_options(account_id, idempotency_key),
        )

    def list_payment_method_domains(self, account_id, domain_name=None):
        """Return the account's payment method domains (of one name, when given)."""
        params = {'limit': 100}
        if domain_name:
            params['domain_name'] = domain_name
        return self._call(
            'payment_method_domains.list', self._client.v1.payment_method_domains.list,
            params, self._options(account_id),
        )

    def enable_payment_method_domain(self, account_id, domain_id):
        """Enable a payment method domain someone disabled on Stripe."""
        return self._call(
            'payment_method_domains.update', self._client.v1.payment_method_domains.update,
            domain_id, {'enabled': True}, self._options(account_id),
        )

    def validate_payment_method_domain(self, account_id, domain_id):
        """Ask Stripe to verify the domain again for the wallets still inactive on it (after
        the business completed what a wallet needs, such as Apple's association file)."""
        return self._call(
            'payment_method_domains.validate',
            self._client.v1.payment_method_domains.validate,
            domain_id, {}, self._options(account_id),
        )


def verify_event(payload, signature_header, secret, tolerance=300):
    """Check a webhook's signature as Stripe defines it and return the event as a dict.

    :param bytes payload: The request's raw body.
    :param str signature_header: The ``Stripe-Signature`` header.
    :param str secret: The endpoint's signing secret (``whsec_...``).
    :param int tolerance: How old, in seconds, a signature may be.
    :raise StripeSignatureError: When there is no secret, no signature, or a wrong or stale one.
    :rtype: dict
    """
    if not secret:
        raise StripeSignatureError("No webhook signing secret is configured.")
    try:
        stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance)
    except stripe.SignatureVerificationError as error:
        raise StripeSignatureError("The webhook signature could not be verified.") from error
    return json.loads(payload)
