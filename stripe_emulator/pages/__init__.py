"""Browser pages standing in for Stripe's hosted pages (onboarding, 3-D Secure)."""
