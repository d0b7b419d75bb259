"""Stripe error answers, raised as exceptions by the resource handlers."""


class ApiError(Exception):
    """An error answer of the v1 API: ``{"error": {...}}`` with an HTTP status."""

    def __init__(self, status, message, type="invalid_request_error", code=None, param=None,
                 **extra):
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.extra = extra

    @property
    def replayable(self):
        """Whether an idempotent retry should replay it (Stripe saves executed requests)."""
        return self.status == 402

    def body(self, request_id, base_url):
        """The JSON error body, with only the keys that apply, like Stripe."""
        error = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = "https://stripe.com/docs/error-codes/" + self.code.replace("_", "-")
        if self.param:
            error["param"] = self.param
        error.update(self.extra)
        if request_id:
            error["request_log_url"] = f"{base_url}/_emulator/requests?id={request_id}"
        return {"error": error}


class OAuthError(Exception):
    """An OAuth error answer: ``{"error": "invalid_grant", "error_description": ...}``."""

    def __init__(self, error, description, status=400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self):
        return {"error": self.error, "error_description": self.description}


def invalid_request(message, param=None, code=None, status=400, **extra):
    return ApiError(status, message, code=code, param=param, **extra)


def resource_missing(label, object_id, param="id", status=404):
    return ApiError(status, f"No such {label}: '{object_id}'", code="resource_missing",
                    param=param)


def missing_param(name):
    return invalid_request(f"Missing required param: {name}.", param=name,
                           code="parameter_missing")


def unknown_param(name):
    return invalid_request(f"Received unknown parameter: {name}", param=name,
                           code="parameter_unknown")


def unexpected_state(message, **extra):
    return invalid_request(message, code="payment_intent_unexpected_state", **extra)


def authentication(message):
    return ApiError(401, message)


def account_invalid(masked_key, account_id):
    return ApiError(
        403,
        f"The provided key '{masked_key}' does not have access to account '{account_id}' "
        "(or that account does not exist). Application access may have been revoked.",
        code="account_invalid",
    )


def live_url_not_https(url):
    """Stripe's answer to a live webhook endpoint whose URL is not ``https://``."""
    return ApiError(400, f'Invalid URL: {url}. URLs in livemode must begin with "https://"')


def live_redirect_not_https():
    """Stripe's answer to a live Account Link whose return or refresh URL is not https."""
    return ApiError(400, "Livemode requests must always be redirected via HTTPS.")


def idempotency_mismatch(key):
    return ApiError(
        400,
        "Keys for idempotent requests can only be used with the same parameters they were "
        f"first used with. Try using a key other than '{key}' if you meant to execute a "
        "different request.",
        type="idempotency_error",
    )
