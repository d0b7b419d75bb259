from . import onboarding, pay_page, webhook
