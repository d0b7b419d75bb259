"""Connected accounts: ``/v1/accounts`` and ``/v1/account``."""

import copy
import re

from .. import pricing
from ..errors import account_invalid, invalid_request
from ..events import emit, tracking
from ..params import check_allowed, merge_metadata, to_dict, to_email
from ..render import list_answer, render_for
from ..util import deep_merge, mask_key, new_id, now

PARAMS = {"type", "controller", "country", "email", "business_type", "business_profile",
          "company", "individual", "metadata", "capabilities", "settings", "tos_acceptance",
          "default_currency", "external_account"}
CURRENCIES = {"US": "usd", "GB": "gbp", "CA": "cad", "AU": "aud", "CH": "chf", "JP": "jpy",
              "SE": "sek", "DK": "dkk", "NO": "nok", "PL": "pln"}
EURO = {"AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU",
        "LV", "MT", "NL", "PT", "SI", "SK"}
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
DASHBOARDS = {"full": "standard", "express": "express", "none": "custom"}


def default_currency(country):
    return "eur" if country in EURO else CURRENCIES.get(country, "usd")


def new_account(core, livemode, account_type="standard", fields=None, controller=None):
    """Build and store a fresh, not yet onboarded connected account."""
    fields = fields or {}
    country = _country(fields.get("country") or "US")
    account = {
        "id": new_id("acct", 16), "object": "account", "type": account_type,
        "business_profile": {"mcc": None, "name": None, "product_description": None,
                             "support_email": None, "url": None},
        "business_type": None, "capabilities": {"card_payments": "inactive",
                                                "transfers": "inactive"},
        "charges_enabled": False, "company": {"name": None, "tax_id_provided": False,
                                              "vat_id_provided": False},
        "controller": controller or {"type": "application", "is_controller": True},
        "country": country, "created": now(), "default_currency": default_currency(country),
        "details_submitted": False, "email": None,
        "external_accounts": {"object": "list", "data": [], "has_more": False, "url": ""},
        "future_requirements": _requirements([]), "metadata": {},
        "payouts_enabled": False, "requirements": None,
        "settings": {"branding": {"icon": None, "logo": None, "primary_color": None,
                                  "secondary_color": None},
                     "card_payments": {"decline_on": {"avs_failure": False,
                                                      "cvc_failure": False},
                                       "statement_descriptor_prefix": None},
                     "dashboard": {"display_name": None, "timezone": "Etc/UTC"},
                     "payments": {"statement_descriptor": None},
                     "payouts": {"debit_negative_balances": True,
                                 "schedule": {"delay_days": pricing.delay_days(country),
                                              "interval": "daily"},
                                 "statement_descriptor": None}},
        "tos_acceptance": {"date": None, "ip": None},
    }
    account["external_accounts"]["url"] = f"/v1/accounts/{account['id']}/external_accounts"
    _apply_fields(account, fields)
    account["requirements"] = _requirements(_missing(account))
    core.store.add(account, livemode=livemode)
    return account


def _country(value):
    """A two-letter country code, as Stripe asks for."""
    country = str(value)
    if not COUNTRY.match(country):
        raise invalid_request(
            f"Country '{country}' is unknown. Try using a 2-character alphanumeric country code "
            "instead, such as 'US', 'EG', or 'GB'. A full list of country codes is available at "
            "https://stripe.com/global", param="country")
    return country.upper()


def _apply_fields(account, fields):
    """Copy create/update parameters onto the account in its API shape."""
    if fields.get("email") is not None:
        account["email"] = to_email(fields["email"], "email")
    for name in ("business_type", "default_currency"):
        if fields.get(name) is not None:
            account[name] = fields[name] or None
    if fields.get("country"):
        account["country"] = _country(fields["country"])
    if "metadata" in fields:
        account["metadata"] = merge_metadata(account["metadata"], fields["metadata"])
    deep_merge(account["business_profile"], to_dict(fields.get("business_profile"),
                                                    "business_profile"))
    deep_merge(account["settings"], to_dict(fields.get("settings"), "settings"))
    company = dict(to_dict(fields.get("company"), "company"))
    if company.pop("tax_id", None):
        account["company"]["tax_id_provided"] = True
    if company.pop("vat_id", None):
        account["company"]["vat_id_provided"] = True
    deep_merge(account["company"], company)
    name = account["business_profile"].get("name") or account["company"].get("name")
    if name and not account["settings"]["dashboard"].get("display_name"):
        account["settings"]["dashboard"]["display_name"] = name


def _missing(account):
    """Requirement fields still to collect before the account can be enabled."""
    if account["details_submitted"]:
        return []
    due = []
    if not account["business_profile"].get("url"):
        due.append("business_profile.url")
    if account["business_type"] == "company":
        if not account["company"].get("name"):
            due.append("company.name")
        if not account["company"].get("tax_id_provided"):
            due.append("company.tax_id")
    return [*due, "external_account", "tos_acceptance.date", "tos_acceptance.ip"]


def _requirements(currently_due, past_due=()):
    return {"alternatives": [], "current_deadline": None, "currently_due": list(currently_due),
            "disabled_reason": "requirements.past_due" if past_due else None, "errors": [],
            "eventually_due": list(currently_due), "past_due": list(past_due),
            "pending_verification": []}


def complete_onboarding(account, ip=None, bank=None):
    """What a finished hosted onboarding does to an account: enabled, with a bank account
    for its default currency (a test one when none is given)."""
    account.update(details_submitted=True, charges_enabled=True, payouts_enabled=True)
    account["requirements"] = _requirements([])
    account["capabilities"] = {"card_payments": "active", "transfers": "active"}
    account["tos_acceptance"] = {"date": now(), "ip": ip or "127.0.0.1"}
    account["external_accounts"]["data"] = []
    bank = bank or bank_account(account, None)
    account["external_accounts"]["data"].append(dict(bank, default_for_currency=True))


# Test account numbers by currency: IBANs for SEPA, Stripe's test numbers elsewhere.
TEST_NUMBERS = {"eur": "DE89370400440532013000", "gbp": "GB82WEST12345698765432",
                "usd": "000123456789", "jpy": "0001234", "chf": "CH9300762011623852957"}


def bank_account(account, iban, currency=None, country=None):
    """An ``external_account`` bank account made of an IBAN (or any account number), for
    ``currency`` (the account's default one by default)."""
    currency = currency or account["default_currency"]
    iban = "".join(str(iban or TEST_NUMBERS.get(currency, "000123456789")).split()).upper()
    country = country or (iban[:2] if iban[:2].isalpha() else account["country"])
    return {"id": new_id("ba"), "object": "bank_account", "account": account["id"],
            "bank_name": "STRIPE TEST BANK", "country": country.upper(), "currency": currency,
            "last4": iban[-4:], "status": "new",
            "default_for_currency": not any(b["currency"] == currency for b in
                                            account["external_accounts"]["data"])}


def add_bank_account(ctx, account, currency, country=None, iban=None):
    """A bank account in another currency: the account now settles in it (charges in it are
    no longer converted); ``account.external_account.created``."""
    bank = bank_account(account, iban, currency, country)
    with tracking(ctx, account, "account.updated"):
        account["external_accounts"]["data"].append(bank)
    emit(ctx, "account.external_account.created", bank, account=account["id"])
    return bank


def set_fields(ctx, account, fields):
    """Control-level update: merge raw fields, keep ``disabled_reason`` consistent."""
    with tracking(ctx, account, "account.updated"):
        deep_merge(account, fields)
        requirements = fields.get("requirements") or {}
        if "requirements" in fields and "disabled_reason" not in requirements:
            past_due = account["requirements"].get("past_due")
            account["requirements"]["disabled_reason"] = (
                "requirements.past_due" if past_due else None)
    return account


def accessible(ctx, account_id):
    """The account if this key may act on it, else Stripe's 403 ``account_invalid``."""
    account = ctx.store.find(account_id)
    allowed = (account is not None and account.get("object") == "account"
               and not account.get("_deleted") and not account.get("_revoked")
               and (ctx.key is None or ctx.key.account in (None, account_id))
               and (ctx.account in (None, account_id)))
    if not allowed:
        raise account_invalid(mask_key(ctx.api_key), account_id)
    return account


def _kind(params):
    controller = params.get("controller")
    if isinstance(controller, dict):
        dashboard = (controller.get("stripe_dashboard") or {}).get("type", "full")
        return DASHBOARDS.get(dashboard, "standard"), {"type": "application",
                                                      "is_controller": True, **controller}
    kind = params.get("type") or "standard"
    if kind not in ("standard", "express", "custom"):
        raise invalid_request("Invalid type: must be one of custom, express, or standard",
                              param="type")
    return kind, None


def create(ctx):
    check_allowed(ctx.params, PARAMS)
    if ctx.account:
        raise invalid_request("You cannot create accounts with a Stripe-Account header.")
    kind, controller = _kind(ctx.params)
    account = new_account(ctx.core, ctx.livemode, kind, ctx.params, controller)
    return render_for(ctx, account)


def retrieve(ctx, account_id):
    return render_for(ctx, accessible(ctx, account_id))


def retrieve_current(ctx):
    if not ctx.account:
        raise invalid_request("The platform account is not emulated; pass a Stripe-Account.")
    return render_for(ctx, accessible(ctx, ctx.account))


def update(ctx, account_id):
    check_allowed(ctx.params, PARAMS - {"type", "controller", "country"})
    account = accessible(ctx, account_id)
    draft = copy.deepcopy(account)
    _apply_fields(draft, ctx.params)  # a refused parameter changes nothing
    with tracking(ctx, account, "account.updated"):
        account.update(draft)
        if not account["details_submitted"]:
            account["requirements"] = _requirements(_missing(account))
    return render_for(ctx, account)


def delete(ctx, account_id):
    account = accessible(ctx, account_id)
    account["_deleted"] = True
    return {"id": account["id"], "object": "account", "deleted": True}


def list_accounts(ctx):
    items = [a for a in ctx.store.list(ctx, "account")
             if not a.get("_deleted") and not a.get("_revoked")]
    return list_answer(ctx, items, "/v1/accounts")


ROUTES = [
    ("POST", r"/v1/accounts", create, False),
    ("GET", r"/v1/accounts", list_accounts, False),
    ("GET", r"/v1/account", retrieve_current, False),
    ("GET", r"/v1/accounts/([^/]+)", retrieve, False),
    ("POST", r"/v1/accounts/([^/]+)", update, False),
    ("DELETE", r"/v1/accounts/([^/]+)", delete, False),
]
