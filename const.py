"""Constants of the Stripe integration: API version, currency rules and event mappings."""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# The Stripe API version this addon speaks, sent with every request and asked of webhook
# endpoints it creates. Bump it only together with the code that reads Stripe's objects.
STRIPE_API_VERSION = '2026-10-28.endive'

# Stripe.js is published per major release of the API, named like the version's suffix
# (``https://js.stripe.com/<release>/stripe.js``): the one that speaks the pinned version.
STRIPE_JS_URL = 'https://js.stripe.com/{release}/stripe.js'.format(
    release=STRIPE_API_VERSION.rpartition('.')[2],
)
# Stripe's own addresses, used unless configuration points elsewhere (a test stand-in).
STRIPE_API_BASE = 'https://api.stripe.com'
STRIPE_CONNECT_BASE = 'https://connect.stripe.com'

# Whether a key works in live or in test mode is written in its prefix: Stripe decides the
# mode from the key, and so does this addon (Account and Refund objects carry no mode).
SECRET_KEY_MODES = {'sk_live_': 'live', 'rk_live_': 'live', 'sk_test_': 'test', 'rk_test_': 'test'}
PUBLISHABLE_KEY_MODES = {'pk_live_': 'live', 'pk_test_': 'test'}

# Network behaviour of every call to Stripe.
TIMEOUT = 20  # seconds to connect, then again to wait for an answer
NETWORK_RETRIES = 2  # retries of connection errors and 409/429/5xx answers, with idempotency keys


# Currencies whose amounts Stripe takes in whole units.
# See https://docs.stripe.com/currencies#zero-decimal
ZERO_DECIMAL_CURRENCIES = {
    'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV',
    'XAF', 'XOF', 'XPF',
}
# Currencies with three decimals: amounts in thousandths, the last digit always 0.
THREE_DECIMAL_CURRENCIES = {'BHD', 'JOD', 'KWD', 'OMR', 'TND'}
# Two-decimal in the API, but only whole units may be charged.
WHOLE_UNIT_TWO_DECIMAL_CURRENCIES = {'ISK'}

# The smallest amount Stripe charges, in minor units, for the currencies its table lists; a
# charge in another currency must be worth about 0.50 USD once converted, which only Stripe
# knows at the time (it answers ``amount_too_small``).
# See https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts
MINIMUM_CHARGE_MINOR = {
    'USD': 50, 'AED': 200, 'AUD': 50, 'BGN': 100, 'BRL': 50, 'CAD': 50, 'CHF': 50,
    'CZK': 1500, 'DKK': 250, 'EUR': 50, 'GBP': 30, 'HKD': 400, 'HUF': 17500, 'INR': 50,
    'JPY': 50, 'MXN': 1000, 'MYR': 200, 'NOK': 300, 'NZD': 50, 'PLN': 200, 'RON': 200,
    'SEK': 300, 'SGD': 50, 'THB': 1000,
}
# The largest amount of one charge: eight digits in minor units (999,999.99 USD).
MAXIMUM_CHARGE_MINOR = 99_999_999

# What an email address sent to Stripe (receipt, account) must look like once Odoo normalized
# it: one address with a dotted domain, nothing Stripe would refuse as ``email_invalid``.
STRIPE_EMAIL_PATTERN = r'[^@\s,;<>()\[\]\\"]+@[^@\s,;<>()\[\]\\"]+\.[^@\s,;<>()\[\]\\".]+'

# Presentment currencies Stripe accepts for card payments.
# See https://docs.stripe.com/currencies#presentment-currencies
SUPPORTED_CURRENCIES = {
    'AED', 'AFN', 'ALL', 'AMD', 'ANG', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT',
    'BGN', 'BHD', 'BIF', 'BMD', 'BND', 'BOB', 'BRL', 'BSD', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF',
    'CHF', 'CLP', 'CNY', 'COP', 'CRC', 'CVE', 'CZK', 'DJF', 'DKK', 'DOP', 'DZD', 'EGP', 'ETB',
    'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GIP', 'GMD', 'GNF', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG',
    'HUF', 'IDR', 'ILS', 'INR', 'ISK', 'JMD', 'JOD', 'JPY', 'KES', 'KGS', 'KHR', 'KMF', 'KRW',
    'KWD', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'MAD', 'MDL', 'MGA', 'MKD', 'MMK',
    'MNT', 'MOP', 'MUR', 'MVR', 'MWK', 'MXN', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR',
    'NZD', 'OMR', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR', 'PLN', 'PYG', 'QAR', 'RON', 'RSD', 'RUB',
    'RWF', 'SAR', 'SBD', 'SCR', 'SEK', 'SGD', 'SHP', 'SLE', 'SOS', 'SRD', 'STD', 'SZL', 'THB',
    'TJS', 'TND', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'UGX', 'USD', 'UYU', 'UZS', 'VND',
    'VUV', 'WST', 'XAF', 'XCD', 'XOF', 'XPF', 'YER', 'ZAR', 'ZMW',
}

# Events the Connect webhook endpoint subscribes to.
HANDLED_WEBHOOK_EVENTS = [
    'payment_intent.succeeded',
    'payment_intent.processing',
    'payment_intent.payment_failed',
    'payment_intent.canceled',
    'charge.refunded',
    'refund.created',
    'refund.updated',
    'refund.failed',
    'charge.dispute.created',
    'charge.dispute.updated',
    'charge.dispute.closed',
    'charge.dispute.funds_withdrawn',
    'charge.dispute.funds_reinstated',
    'payout.created',
    'payout.updated',
    'payout.paid',
    'payout.failed',
    'payout.canceled',
    'account.updated',
    'account.application.deauthorized',
]

# PaymentIntent statuses, grouped by what they mean for the invoice. ``requires_action`` is
# ``draft`` while the customer acts on the page (3-D Secure), ``pending`` when the next action
# is one of PENDING_NEXT_ACTIONS (see stripe.payment.intent._state_from_stripe).
PI_STATUS_MAPPING = {
    'draft': ('requires_payment_method', 'requires_confirmation', 'requires_action'),
    'processing': ('processing',),
    'succeeded': ('succeeded',),
    'canceled': ('canceled',),
}
# Next actions of a PaymentIntent that wait for the customer to pay outside the page, for days
# sometimes: a voucher paid at a shop or an ATM, a bank transfer. Such a PaymentIntent is a
# pending payment: its instructions are shown to the customer and no other payment of the
# invoice is taken until it is paid or expires.
# See https://docs.stripe.com/api/payment_intents/object#payment_intent_object-next_action
PENDING_NEXT_ACTIONS = {
    'boleto_display_details',
    'display_bank_transfer_instructions',
    'konbini_display_details',
    'multibanco_display_details',
    'oxxo_display_details',
}
# What of a pending payment's instructions the pay page shows: (key kept, keys of Stripe's
# next action details it is read from, first found).
PENDING_INSTRUCTION_KEYS = (
    ('entity', ('entity',)),
    ('reference', ('reference',)),
    ('number', ('number',)),
    ('expires_at', ('expires_at', 'expires_after')),
    ('url', ('hosted_voucher_url', 'hosted_instructions_url')),
)
# Record states of a PaymentIntent Odoo may still confirm or cancel (nothing was charged):
# the open ones. ``pending`` is open too, though no one confirms it again: it is cancelled
# when the invoice is settled another way.
OPEN_INTENT_STATES = ('draft', 'failed', 'pending')
# Record states of a PaymentIntent whose money is on its way: no other payment is taken.
ON_ITS_WAY_INTENT_STATES = ('processing', 'pending')

# How long a press of Pay may be confirming a payment (the server's decision committed, Stripe
# being called) before another press may look at the invoice again. Longer than the longest
# the two Stripe calls of a press can take (create or update, then confirm: each up to 3 tries
# of two 20-second timeouts, see TIMEOUT and NETWORK_RETRIES) and than Odoo lets a request run
# (limit_time_real, 120 s by default): a press whose worker died never blocks the invoice for
# longer, and the next one first asks Stripe what became of it.
CONFIRMATION_IN_FLIGHT_SECONDS = 300
# How long a press of Pay waits for the invoice's row while another transaction holds it (the
# decision of another press, an accountant saving the invoice) before it is told to try again.
CONFIRMATION_LOCK_TIMEOUT_MS = 1000

# Stripe.js locales (https://docs.stripe.com/js/appendix/supported_locales): the pay page
# starts Stripe.js in the customer's language when Stripe has it, else in the browser's.
STRIPE_JS_LOCALES = {
    'ar', 'bg', 'cs', 'da', 'de', 'el', 'en', 'en-GB', 'es', 'es-419', 'et', 'fi', 'fil', 'fr',
    'fr-CA', 'he', 'hr', 'hu', 'id', 'it', 'ja', 'ko', 'lt', 'lv', 'ms', 'mt', 'nb', 'nl', 'pl',
    'pt', 'pt-BR', 'ro', 'ru', 'sk', 'sl', 'sv', 'th', 'tr', 'vi', 'zh', 'zh-HK', 'zh-TW',
}
# Amounts a customer may type, as a bound on the number before any arithmetic: a larger one
# (a 400-digit integer, 1e308) is refused with a sentence, never turned into a float overflow.
LARGEST_TYPED_AMOUNT = 10 ** 12

# Refund statuses, grouped by what they mean for the refund payment in Odoo: Stripe took the
# money off the balance for 'pending' and 'succeeded' refunds, and gave it back for the others.
REFUND_STATUS_MAPPING = {
    'pending': ('pending', 'requires_action'),
    'succeeded': ('succeeded',),
    'failed': ('failed',),
    'canceled': ('canceled',),
}
# Refund states of this addon for which a refund payment is registered.
REFUND_REGISTERED_STATES = ('pending', 'succeeded')

# Dispute statuses, grouped by what they mean for the invoice.
# See https://docs.stripe.com/api/disputes/object#dispute_object-status
DISPUTE_STATUS_MAPPING = {
    'open': (
        'warning_needs_response', 'warning_under_review', 'needs_response', 'under_review',
        'appeal_needs_response', 'appeal_under_review',
    ),
    'won': ('won', 'prevented'),
    'lost': ('lost',),
    'closed': ('warning_closed',),
}

def state_for_status(mapping, status, default):
    """Return the state of one of the mappings above that a Stripe status belongs to."""
    return next((state for state, statuses in mapping.items() if status in statuses), default)


# === BOOKS === #

# How each balance transaction is booked on the company's Stripe journal, by its
# ``reporting_category`` (Stripe's accounting classification, steadier than ``type``):
# ``charge`` the customer's payment, ``refund`` and ``refund_failure`` a refund and its
# failure, ``dispute`` and ``dispute_reversal`` a dispute's withdrawal and reinstatement,
# ``payout`` and ``payout_reversal`` a payout and its failure or cancellation, ``fee`` fees
# (an application fee given back). Anything else goes to the journal's suspense account, for
# the accountant. See https://docs.stripe.com/reports/reporting-categories
BT_CATEGORIES = (
    'charge', 'refund', 'refund_failure', 'dispute', 'dispute_reversal', 'payout',
    'payout_reversal', 'fee',
)
# The hourly job lists the balance transactions created since its last run less this margin
# (seconds), so that one Stripe made visible late is still found; those already booked are
# skipped.
BALANCE_SYNC_MARGIN = 24 * 3600
# Stripe's page size limit for lists.
LIST_PAGE_SIZE = 100

# How far back the scheduled check with Stripe looks for paid PaymentIntents whose refunds or
# disputes may have changed on Stripe without Odoo hearing of it (a lost webhook), in days.
RESYNC_DAYS = 14
# How long one run of the scheduled check may take, in seconds; what is left waits for the next.
RESYNC_MAX_SECONDS = 600
# Open PaymentIntents (never charged) unchanged for this long are cancelled on Stripe as
# ``abandoned``: Stripe itself never expires a PaymentIntent waiting for a payment method, and
# an open one could still be confirmed by whoever holds its client secret.
ABANDONED_INTENT_DAYS = 7

# Requirements Stripe lists, shown to people as words rather than field paths, in their language.
# The company stores Stripe's paths; the words are made when read, in the reader's language
# (see res.company._stripe_format_requirements). Several paths may share one label.
# See https://docs.stripe.com/connect/handling-api-verification
REQUIREMENT_LABELS = {
    'business_type': _lt("Business type"),
    'business_profile.url': _lt("Business website"),
    'business_profile.mcc': _lt("Business category"),
    'business_profile.product_description': _lt("Product description"),
    'business_profile.support_phone': _lt("Customer support phone"),
    'external_account': _lt("Bank account for payouts"),
    'tos_acceptance.date': _lt("Acceptance of Stripe's terms"),
    'tos_acceptance.ip': _lt("Acceptance of Stripe's terms"),
    'settings.payments.statement_descriptor': _lt("Statement descriptor"),
    'company.name': _lt("Company name"),
    'company.tax_id': _lt("Company tax ID"),
    'company.address.line1': _lt("Company address"),
    'company.address.city': _lt("Company city"),
    'company.address.postal_code': _lt("Company postal code"),
    'company.address.state': _lt("Company state or region"),
    'company.phone': _lt("Company phone"),
    'company.directors_provided': _lt("Company directors"),
    'company.executives_provided': _lt("Company executives"),
    'company.owners_provided': _lt("Company owners"),
    'company.verification.document': _lt("Company verification document"),
    'representative.first_name': _lt("Representative's name"),
    'representative.last_name': _lt("Representative's name"),
    'representative.dob.day': _lt("Representative's date of birth"),
    'representative.dob.month': _lt("Representative's date of birth"),
    'representative.dob.year': _lt("Representative's date of birth"),
    'representative.email': _lt("Representative's email"),
    'representative.phone': _lt("Representative's phone"),
    'representative.address.line1': _lt("Representative's address"),
    'representative.address.city': _lt("Representative's address"),
    'representative.address.postal_code': _lt("Representative's address"),
    'representative.relationship.title': _lt("Representative's job title"),
    'representative.id_number': _lt("Representative's ID number"),
    'representative.ssn_last_4': _lt("Representative's ID number"),
    'representative.verification.document': _lt("Representative's identity document"),
    'email': _lt("Account email"),
}
# Requirements about one person of the business (``person_<id>.<field>``, an owner or a
# director), whose id means nothing to the reader.
REQUIREMENT_PERSON_PREFIX = 'person_'
REQUIREMENT_PERSON_LABEL = _lt("Details of a person of the business")

# Notification groups of an invoice's emails (Odoo's own, see account.move's
# _notify_get_recipients_groups) whose access button becomes "Pay online" while the invoice can
# be paid online: the customer and the partners added as recipients, to whom Odoo already
# gives the invoice's access token that the pay link carries.
PAY_BUTTON_RECIPIENT_GROUPS = ('portal_customer', 'additional_intended_recipient')

# Secrets never written to a log line as they are.
SENSITIVE_KEYS = {'client_secret', 'secret', 'access_token', 'refresh_token', 'code'}
