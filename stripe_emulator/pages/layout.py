"""Minimal HTML layout shared by the emulator's pages."""

from html import escape

STYLE = """
body { font-family: system-ui, sans-serif; background: #f6f9fc; color: #30313d; }
main { max-width: 32rem; margin: 3rem auto; background: #fff; padding: 2rem;
       border-radius: 8px; box-shadow: 0 2px 8px rgba(0,0,0,.1); }
label { display: block; margin: .8rem 0 .2rem; font-weight: 600; }
input { width: 100%; padding: .5rem; box-sizing: border-box; }
button { margin-top: 1.2rem; padding: .6rem 1.2rem; background: #635bff; color: #fff;
         border: 0; border-radius: 4px; cursor: pointer; }
button.secondary { background: #df1b41; }
.note { color: #6a7383; font-size: .9rem; }
"""


def page(title, body):
    """A complete HTML document; ``body`` is trusted markup built with ``esc``."""
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{esc(title)}</title>"
            f"<style>{STYLE}</style></head><body><main><h1>{esc(title)}</h1>{body}"
            "<p class=\"note\">This page is served by the local Stripe emulator.</p>"
            "</main></body></html>")


def esc(value):
    return escape("" if value is None else str(value), quote=True)


def field(label, name, value):
    return (f"<label for=\"{esc(name)}\">{esc(label)}</label>"
            f"<input id=\"{esc(name)}\" name=\"{esc(name)}\" value=\"{esc(value)}\">")
