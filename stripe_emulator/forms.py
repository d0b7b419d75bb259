"""Decode Stripe's form encoding (``metadata[k]=v``, ``expand[0]=x``) into nested values."""

import json
import re
from urllib.parse import parse_qsl

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def _split_key(key):
    match = _KEY.match(key)
    if not match:
        return [key]
    return [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]


def _insert(node, parts, value):
    head, rest = parts[0], parts[1:]
    if head == "":
        head = str(len(node))  # ``list[]`` appends
    if not rest:
        node[head] = value
        return
    child = node.get(head)
    if not isinstance(child, dict):
        child = node[head] = {}
    _insert(child, rest, value)


def _listify(node):
    """Turn dicts whose keys are all indexes into lists, recursively."""
    if not isinstance(node, dict):
        return node
    node = {k: _listify(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node


def decode_pairs(pairs):
    """Build nested dicts/lists from ``(key, value)`` pairs with bracket keys."""
    root = {}
    for key, value in pairs:
        _insert(root, _split_key(key), value)
    return _listify(root)


def decode_query(text):
    """Decode a query string or form body."""
    return decode_pairs(parse_qsl(text or "", keep_blank_values=True))


def decode_body(body, content_type):
    """Decode a request body: JSON when declared as such, form encoding otherwise."""
    if not body:
        return {}
    text = body.decode("utf-8")
    if "json" in (content_type or ""):
        value = json.loads(text)
        return value if isinstance(value, dict) else {"value": value}
    return decode_query(text)
