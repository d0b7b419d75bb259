"""``StripeEmulator``: start/stop the server and drive the emulated Stripe from Python."""

import threading

from . import clock, ledger
from .context import Context
from .contract import default_contract
from .core import Core
from .currencies import DEFAULT_USD_RATES
from .delivery import webhook_headers
from .events import event_body, matching_endpoints, queue_delivery
from .resources import (
    account_links,
    accounts,
    confirmation_tokens,
    disputes,
    payment_intents,
    payment_method_domains,
    payouts,
    refunds,
)
from .server import EmulatorServer
from .util import mode_of, public


class StripeEmulator:
    """A local, stateful stand-in for Stripe's API, Connect OAuth, webhooks and Stripe.js.

    ``emu = StripeEmulator().start()`` serves on ``emu.base_url`` from a daemon thread;
    it is also a context manager. See README.md for the routes and controls.
    """

    def __init__(self, host="127.0.0.1", port=0, *, secret_key="sk_test_emulator",
                 publishable_key="pk_test_emulator", client_id="ca_emulator",
                 live_secret_key=None, live_publishable_key=None, live_client_id=None,
                 delivery_timeout=10.0, record_answers=False):
        self.host = host
        self.port = port
        self.secret_key = secret_key
        self.publishable_key = publishable_key
        self.client_id = client_id
        self.live_client_id = live_client_id
        self.core = Core(secret_key, publishable_key, client_id,
                         live_secret_key=live_secret_key,
                         live_publishable_key=live_publishable_key,
                         live_client_id=live_client_id,
                         delivery_timeout=delivery_timeout, record_answers=record_answers)
        self._server = None
        self._thread = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self):
        self._server = EmulatorServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        self.core.base_url = f"http://{host}:{self.port}"
        self.core.dispatcher.start()
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="stripe-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.core.dispatcher.stop()

    def __enter__(self):
        return self.start() if self._server is None else self

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def base_url(self):
        return self.core.base_url

    @property
    def js_url(self):
        return self.core.base_url + "/v3/"

    def reset(self):
        """Forget all state: objects, events, endpoints, deliveries, idempotency, logs; the
        clock is back on real time."""
        self.core.reset()

    # -- webhook deliveries ------------------------------------------------------------
    def hold_deliveries(self):
        self.core.dispatcher.hold()

    def release_deliveries(self, order=None):
        """Send held deliveries: FIFO (None), ``'reverse'``, or a list of event ids first."""
        self.core.dispatcher.release(order)

    def pending_deliveries(self):
        return self.core.dispatcher.pending()

    def wait_for_deliveries(self, timeout=10):
        """Block until no delivery is queued or in flight (held ones excepted)."""
        return self.core.dispatcher.wait(timeout)

    @property
    def deliveries(self):
        return self.core.dispatcher.history()

    def redeliver(self, event_id):
        """Send an event again to every endpoint it matches; returns how many were queued."""
        with self.core.lock:
            event = self._find(event_id, "event")
            endpoints = matching_endpoints(self.core.store, event)
            gate = threading.Event()
            gate.set()
            for endpoint in endpoints:
                queue_delivery(self.core, event, endpoint, gate)
            return len(endpoints)

    def signed_request(self, event_id, endpoint_id=None, timestamp=None):
        """``(body, headers)`` of the webhook for an event, signed for one endpoint."""
        with self.core.lock:
            event = self._find(event_id, "event")
            if endpoint_id:
                endpoint = self._find(endpoint_id, "webhook_endpoint")
            else:
                endpoints = matching_endpoints(self.core.store, event)
                if not endpoints:
                    raise ValueError(f"no webhook endpoint matches {event_id}")
                endpoint = endpoints[0]
            body = event_body(event)
            return body, webhook_headers(endpoint["_secret"], body, timestamp)

    # -- scenario controls -------------------------------------------------------------
    def settle_payment_intent(self, pi_id, succeed=True):
        """Finish a 'processing' bank debit: succeeded, or failed (payment_failed)."""
        with self.core.lock:
            intent = self._find(pi_id, "payment_intent")
            payment_intents.settle(self._ctx(intent), intent, succeed)
            return public(intent)

    def pay_voucher(self, pi_id):
        """The customer pays the Multibanco or OXXO voucher a PaymentIntent waits for:
        a succeeded charge, ``charge.succeeded``, ``payment_intent.succeeded``."""
        with self.core.lock:
            intent = self._find(pi_id, "payment_intent")
            return public(payment_intents.voucher_result(self._ctx(intent), intent, True))

    def expire_voucher(self, pi_id):
        """The voucher expires unpaid: ``requires_payment_method`` with a
        ``last_payment_error`` (``payment_intent_payment_attempt_expired``),
        ``payment_intent.payment_failed``."""
        with self.core.lock:
            intent = self._find(pi_id, "payment_intent")
            return public(payment_intents.voucher_result(self._ctx(intent), intent, False))

    def expire_confirmation_tokens(self, token_id=None):
        """Expire one unused ConfirmationToken (or all), as 12 hours would; returns how
        many expired. A PaymentIntent confirmed with one is then refused."""
        with self.core.lock:
            if token_id is not None:
                self._find(token_id, "confirmation_token")
            return confirmation_tokens.expire(self.core.store, token_id)

    def set_payment_method_domain_status(self, domain_id, wallet, status,
                                         error_message=None):
        """Set a wallet's status on a payment method domain (``apple_pay``, ``google_pay``
        ...; ``active`` or ``inactive`` with ``status_details.error_message``), as Stripe's
        verification would; ``validate`` keeps it. Returns the domain."""
        with self.core.lock:
            domain = self._find(domain_id, "payment_method_domain")
            return public(payment_method_domains.set_status(domain, wallet, status,
                                                            error_message))

    def settle_refund(self, refund_id):
        """A ``pending`` refund (of a bank debit) succeeds; emits ``refund.updated`` and
        ``charge.refund.updated``."""
        with self.core.lock:
            refund = self._find(refund_id, "refund")
            return public(refunds.settle(self._ctx(refund), refund))

    def fail_refund(self, refund_id, reason="unknown"):
        """A pending or succeeded refund fails (``failure_reason=reason``), the money goes
        back to the charge; emits ``refund.updated``, ``charge.refund.updated`` and
        ``refund.failed``."""
        with self.core.lock:
            refund = self._find(refund_id, "refund")
            return public(refunds.fail(self._ctx(refund), refund, reason))

    def create_dispute(self, charge_id, reason="fraudulent", inquiry=False):
        """Open a dispute (``needs_response``; the amount and the dispute fee leave the
        balance) or, with ``inquiry``, an inquiry (``warning_needs_response``, no money)."""
        with self.core.lock:
            charge = self._find(charge_id, "charge")
            return public(disputes.open_dispute(self._ctx(charge), charge, reason, inquiry))

    def review_dispute(self, dispute_id):
        """Evidence is in: ``needs_response`` -> ``under_review`` (and the ``warning_`` and
        ``appeal_`` ones alike); ``charge.dispute.updated``."""
        with self.core.lock:
            dispute = self._find(dispute_id, "dispute")
            return public(disputes.review_dispute(self._ctx(dispute), dispute))

    def appeal_dispute(self, dispute_id):
        """A lost dispute goes to appeal: ``appeal_needs_response``."""
        with self.core.lock:
            dispute = self._find(dispute_id, "dispute")
            return public(disputes.appeal_dispute(self._ctx(dispute), dispute))

    def close_dispute(self, dispute_id, status="won"):
        """Close an open dispute or appeal, ``won`` (funds reinstated) or ``lost``."""
        with self.core.lock:
            dispute = self._find(dispute_id, "dispute")
            return public(disputes.close_dispute(self._ctx(dispute), dispute, status))

    def update_account(self, account_id, **fields):
        """Change account fields directly (e.g. ``charges_enabled=False``); emits
        ``account.updated`` when something changed."""
        with self.core.lock:
            account = self._find(account_id, "account")
            ctx = Context.system(self.core, livemode=mode_of(account))
            return public(accounts.set_fields(ctx, account, fields))

    def expire_idempotency_keys(self):
        """Forget every Idempotency-Key now, as Stripe does after 24 hours: a retry with
        the same key then makes a new request. Returns how many keys were forgotten."""
        return self.core.idempotency.expire()

    def expire_account_links(self):
        with self.core.lock:
            account_links.expire_all(self.core.store)

    def map_public_url(self, public_base, local_base):
        """Send what Stripe would send to ``public_base`` to ``local_base`` instead.

        Plays the part of the TLS proxy in front of a server under test: webhook deliveries
        and the emulator pages' redirects (onboarding return/refresh, OAuth, 3-D Secure
        return) to URLs under ``public_base`` (e.g. ``https://shop.example.com``) go to the
        same path under ``local_base`` (e.g. ``http://127.0.0.1:8069``). Objects keep the
        public URL, and the API still refuses ``http://`` URLs in live mode. ``local_base``
        None removes the mapping. Mappings are configuration: ``reset()`` keeps them.
        """
        public_base = str(public_base).rstrip("/")
        with self.core.lock:
            if local_base is None:
                self.core.public_urls.pop(public_base, None)
            else:
                self.core.public_urls[public_base] = str(local_base).rstrip("/")

    def set_exchange_rates(self, rates=None):
        """Tell the emulator what one major unit of some currencies is worth in USD.

        The rates convert payments to an account's settlement currency (and back for
        refunds and disputes), and check Stripe's minimum of 0.50 USD for currencies outside
        its minimum table. They start as ``currencies.DEFAULT_USD_RATES``; ``None`` as a rate
        forgets one, ``rates=None`` restores the defaults. Rates are configuration:
        ``reset()`` keeps them. Returns every rate known.
        """
        with self.core.lock:
            if rates is None:
                self.core.usd_rates = dict(DEFAULT_USD_RATES)
                return dict(self.core.usd_rates)
            for currency, rate in dict(rates).items():
                if rate is None:
                    self.core.usd_rates.pop(str(currency).lower(), None)
                else:
                    self.core.usd_rates[str(currency).lower()] = float(rate)
            return dict(self.core.usd_rates)

    # -- clock, balances and payouts ---------------------------------------------------------
    def now(self):
        """The emulated time (Unix seconds)."""
        return clock.now()

    def set_time(self, timestamp, frozen=False):
        """Set the emulated clock (``created``, ``available_on``, ``arrival_date`` ...) to
        ``timestamp``; it runs on from there, or stays still with ``frozen``. Funds whose
        day has come become available (``balance.available``). Webhook signatures keep
        real time. Returns the new time."""
        with self.core.lock:
            clock.CLOCK.set(timestamp, frozen)
            ledger.release_due(self.core)
            return clock.now()

    def advance_time(self, seconds=0, days=0):
        """Move the emulated clock forward; funds due become available. Idempotency keys
        older than 24 hours of emulated time are forgotten. Returns the new time."""
        with self.core.lock:
            clock.CLOCK.advance(int(seconds) + int(days) * clock.DAY)
            ledger.release_due(self.core)
            return clock.now()

    def make_funds_available(self, account_id=None):
        """Every pending fund of ``account_id`` (every account and the platform: None)
        becomes available now, its ``available_on`` moved to now; ``balance.available``."""
        with self.core.lock:
            if account_id is not None:
                self._find(account_id, "account")
            ledger.release_due(self.core, False if account_id is None else account_id,
                               force=True)
            return None

    def balance(self, account_id=None, livemode=False):
        """The Balance object of a connected account (the platform: None)."""
        with self.core.lock:
            return ledger.balance(self.core.store, account_id, livemode)

    def run_payouts(self, account_id, currency=None):
        """Automatic payouts of the account's available balance, one per currency (or only
        ``currency``) that has a bank account; ``payout.created``. Returns the payouts."""
        with self.core.lock:
            account = self._find(account_id, "account")
            return [public(p) for p in payouts.run(self.core, account, currency)]

    def advance_payout(self, payout_id, status="paid"):
        """``pending`` -> ``in_transit`` -> ``paid`` (up to ``status``)."""
        with self.core.lock:
            return public(payouts.advance(self.core, self._find(payout_id, "payout"), status))

    def fail_payout(self, payout_id, code="account_closed"):
        """The bank refuses the payout (``failure_code=code``); the money comes back."""
        with self.core.lock:
            return public(payouts.fail(self.core, self._find(payout_id, "payout"), code))

    def cancel_payout(self, payout_id):
        """A pending payout is canceled; the money comes back."""
        with self.core.lock:
            return public(payouts.cancel(self.core, self._find(payout_id, "payout")))

    def add_bank_account(self, account_id, currency, country=None):
        """Give the account a bank account in ``currency``: it settles in that currency from
        now on (no conversion), and payouts in it go there."""
        with self.core.lock:
            account = self._find(account_id, "account")
            ctx = Context.system(self.core, livemode=mode_of(account))
            return public(accounts.add_bank_account(ctx, account, str(currency).lower(),
                                                    country))

    @property
    def public_urls(self):
        """The mappings made by :meth:`map_public_url`: ``{public base: local base}``."""
        with self.core.lock:
            return dict(self.core.public_urls)

    def deny_next_authorization(self):
        self.core.deny_next_authorization = True

    def set_down(self, down=True):
        """While down, API and OAuth connections are dropped without an answer."""
        self.core.down = bool(down)

    # -- contract ----------------------------------------------------------------------
    def record_answers(self, enabled=True):
        """Start (or stop) keeping every API answer and event payload for the contract check."""
        self.core.recording = bool(enabled)

    @property
    def recorded_answers(self):
        """Copies of the recorded answers: ``{label, path, status, body}``, oldest first."""
        with self.core.lock:
            return [dict(answer) for answer in self.core.answers]

    def clear_recorded_answers(self):
        with self.core.lock:
            self.core.answers.clear()

    def contract_violations(self, answers=None):
        """Every field or value of the recorded answers that Stripe's API does not have.

        Returns sorted, de-duplicated strings such as ``"POST /v1/refunds: refund.livemode:
        not a field of Refund"``; empty when every answer matches the SDK's typed classes.
        """
        checks = default_contract()
        found = set()
        for answer in self.recorded_answers if answers is None else answers:
            if answer["label"].startswith("event "):
                problems = checks.check_event(answer["body"])
            else:
                problems = checks.check_answer(answer["body"], answer["path"], answer["status"])
            found.update(f"{answer['label']}: {problem}" for problem in problems)
        return sorted(found)

    # -- inspection --------------------------------------------------------------------
    @property
    def request_log(self):
        """Every ``/v1`` and ``/oauth`` call: ``{method, path, account, key_kind ('secret'
        or 'publishable', None without a valid key), livemode, idempotency_key, status,
        request_id, params}``, oldest first."""
        with self.core.lock:
            return [dict(entry) for entry in self.core.request_log]

    def api_calls(self, method=None, path=None, *, key_kind=None, account=None, status=None,
                  path_prefix=None):
        """The request log filtered: ``path`` exactly (``'/v1/payment_intents'``: creates and
        lists, not confirms), ``path_prefix`` as a prefix, ``key_kind`` 'secret' (what a
        server sent) or 'publishable' (Stripe.js)."""
        return [entry for entry in self.request_log
                if (method is None or entry["method"] == method.upper())
                and (path is None or entry["path"] == path)
                and (path_prefix is None or entry["path"].startswith(path_prefix))
                and (key_kind is None or entry["key_kind"] == key_kind)
                and (account is None or entry["account"] == account)
                and (status is None or entry["status"] == status)]

    def get_object(self, object_id):
        """Public copy of any stored object by id, or None."""
        with self.core.lock:
            obj = self.core.store.find(object_id)
            return public(obj) if obj is not None else None

    # -- helpers -----------------------------------------------------------------------
    def _find(self, object_id, object_name):
        obj = self.core.store.find(object_id)
        if obj is None or obj.get("object") != object_name:
            raise KeyError(f"no {object_name} {object_id!r}")
        return obj

    def _ctx(self, obj):
        return Context.system(self.core, account=obj.get("_account"),
                              livemode=mode_of(obj))
