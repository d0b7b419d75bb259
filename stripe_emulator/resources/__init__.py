"""Emulated Stripe resources; each module owns one resource and lists its ``ROUTES``.

A route is ``(method, path pattern, handler, publishable_ok)``; handlers take the request
context and the path's ids and return the answer body (or ``(status, body)``).
"""
