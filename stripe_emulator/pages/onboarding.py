"""The hosted onboarding page an Account Link points to."""

from ..context import Context
from ..events import tracking
from ..resources.account_links import is_usable
from ..resources.accounts import bank_account, complete_onboarding
from ..util import mode_of
from ..wire import html_response, redirect
from .layout import esc, field, page

TEST_IBAN = "DE89370400440532013000"


def _form(account, token):
    profile, company = account["business_profile"], account["company"]
    name = profile.get("name") or company.get("name") or ""
    return (
        f"<p>Account <code>{esc(account['id'])}</code>"
        f"{' &middot; ' + esc(account['email']) if account.get('email') else ''}</p>"
        f"<form method=\"post\" action=\"/connect/onboarding/{esc(token)}\">"
        + field("Business name", "business_name", name)
        + field("Country", "country", account["country"])
        + field("VAT number", "vat", "")
        + field("Bank account (IBAN)", "iban", TEST_IBAN)
        + "<button type=\"submit\" name=\"submit\">Submit</button></form>"
    )


def handle(core, request, token):
    """GET shows the form; POST (browser or script) completes onboarding."""
    link = core.store.account_links.get(token)
    if link is None:
        return html_response(404, page("Unknown onboarding link", "<p>No such link.</p>"))
    if not is_usable(link):
        return redirect(core.local_url(link["refresh_url"]))
    account = core.store.find(link["account"])
    if request.method == "GET":
        return html_response(200, page("Stripe onboarding (emulator)", _form(account, token)))
    form = request.params
    ctx = Context.system(core, livemode=mode_of(account))
    ctx.gate = request.gate
    with tracking(ctx, account, "account.updated"):
        name = form.get("business_name")
        if name:
            account["business_profile"]["name"] = name
            account["company"]["name"] = name
            account["settings"]["dashboard"]["display_name"] = name
        if form.get("country"):
            account["country"] = str(form["country"]).upper()
        if form.get("vat"):
            account["company"]["vat_id_provided"] = True
            account["company"]["tax_id_provided"] = True
        complete_onboarding(account, request.client_ip,
                            bank_account(account, form.get("iban") or TEST_IBAN))
    link["used"] = True
    return redirect(core.local_url(link["return_url"]))
