from . import (
    account_move,
    res_company,
    res_config_settings,
    stripe_oauth_state,
    stripe_payment_intent,
    stripe_platform,
    stripe_webhook_event,
)
