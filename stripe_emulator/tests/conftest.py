"""Fixtures: one emulator for the session (reset before each test), SDK clients and a
small local webhook receiver."""

import pytest

from stripe_emulator import StripeEmulator
from stripe_emulator.tests.helpers import Receiver, http, make_client


class _AddonAsPlainDirectories:
    """The repository root is an Odoo addon whose ``__init__`` needs Odoo: pytest must not
    import it (nor packages inside it, which would import it as their parent) while
    collecting these tests, so those directories are collected as plain directories."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_collect_directory(self, path, parent):
        if any((d / "__manifest__.py").is_file() for d in (path, *path.parents)):
            return pytest.Dir.from_parent(parent, path=path)
        return None


def pytest_configure(config):
    config.pluginmanager.register(_AddonAsPlainDirectories(), "stripe-emulator-addon-root")


@pytest.fixture(scope="session")
def server():
    emulator = StripeEmulator(delivery_timeout=2, live_secret_key="sk_live_emulator",
                              live_client_id="ca_live_emulator", record_answers=True)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def emu(server):
    server.reset()
    server.clear_recorded_answers()
    yield server
    server.set_down(False)
    server.wait_for_deliveries(timeout=2)
    for public in server.public_urls:
        server.map_public_url(public, None)
    violations = server.contract_violations()
    if violations:
        pytest.fail("Answers with what Stripe's API does not have:\n" + "\n".join(violations),
                    pytrace=False)


@pytest.fixture
def client(emu):
    return make_client(emu)


@pytest.fixture
def account(client, emu):
    """An onboarded connected account id (created, then completed via its link)."""
    account = client.v1.accounts.create({"type": "express", "country": "BE",
                                         "email": "shop@example.com"})
    link = client.v1.account_links.create({
        "account": account.id, "type": "account_onboarding",
        "refresh_url": "http://shop.test/refresh", "return_url": "http://shop.test/return"})
    http("POST", link.url, form={"business_name": "Shop"})
    return account.id


@pytest.fixture
def on(account):
    """Request options acting on the connected account."""
    return {"stripe_account": account}


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def endpoint(client, receiver):
    """A Connect endpoint (connected-account events) subscribed to everything."""
    return client.v1.webhook_endpoints.create({
        "url": receiver.url + "/connect", "enabled_events": ["*"], "connect": True})
