"""HTTP from the benchmark's side: timed requests, an Odoo session, a page's assets."""

import gzip
import http.cookiejar
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    ttfb_ms: float
    total_ms: float
    body: bytes
    headers: dict


def build_opener(cookies=None, follow=True):
    handlers = [urllib.request.ProxyHandler({})]
    if cookies is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(cookies))
    if not follow:
        handlers.append(_NoRedirect())
    return urllib.request.build_opener(*handlers)


DEFAULT_OPENER = build_opener()


def fetch(url, data=None, headers=None, *, method=None, opener=None, timeout=60):
    """Send one request; time the first byte (status line and headers read) and the whole."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    start = time.perf_counter()
    try:
        response = (opener or DEFAULT_OPENER).open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        response = error
    ttfb = time.perf_counter() - start
    with response:
        body = response.read()
    total = time.perf_counter() - start
    return Answer(response.status if hasattr(response, 'status') else response.code,
                  1000 * ttfb, 1000 * total, body, dict(response.headers))


class OdooSession:
    """A logged-in user of an Odoo server, for JSON-RPC calls."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = build_opener(self.cookies)
        self.no_redirect = build_opener(self.cookies, follow=False)

    def _json(self, path, params):
        payload = json.dumps({'jsonrpc': '2.0', 'method': 'call', 'params': params}).encode()
        answer = fetch(self.base_url + path, payload, {'Content-Type': 'application/json'},
                       opener=self.opener)
        reply = json.loads(answer.body)
        if reply.get('error'):
            error = reply['error']
            raise RuntimeError((error.get('data') or {}).get('message') or error.get('message'))
        return reply['result']

    def login(self, database, login='admin', password='admin'):
        return self._json('/web/session/authenticate',
                          {'db': database, 'login': login, 'password': password})

    def call(self, model, method, *args, **kwargs):
        return self._json('/web/dataset/call_kw', {
            'model': model, 'method': method, 'args': list(args), 'kwargs': kwargs,
        })


class _AssetParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = []
        self.styles = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # Odoo's lazy bundles are <script data-src>, loaded by the page once it is shown.
        if tag == 'script' and (attrs.get('src') or attrs.get('data-src')):
            self.scripts.append(attrs.get('src') or attrs['data-src'])
        elif tag == 'link' and attrs.get('data-src'):
            self.scripts.append(attrs['data-src'])
        elif tag == 'link' and attrs.get('href'):
            if 'stylesheet' in (attrs.get('rel') or '').split():
                self.styles.append(attrs['href'])


def page_assets(page_url, html):
    """Download the scripts (lazy ones included) and style sheets a page links; sizes in bytes.

    :return: ``{'js': bytes, 'css': bytes, 'js_gz': ..., 'css_gz': ..., 'files': n,
        'external': [urls of other hosts]}``; gzip sizes as a server compressing them would send.
    """
    parser = _AssetParser()
    parser.feed(html.decode('utf-8', errors='replace'))
    own = urllib.parse.urlsplit(page_url).netloc
    sizes = {'js': 0, 'css': 0, 'js_gz': 0, 'css_gz': 0, 'files': 0, 'external': []}
    for kind, urls in (('js', parser.scripts), ('css', parser.styles)):
        for url in dict.fromkeys(urls):
            absolute = urllib.parse.urljoin(page_url, url)
            if urllib.parse.urlsplit(absolute).netloc != own:
                sizes['external'].append(absolute)
                continue
            answer = fetch(absolute, headers={'Accept-Encoding': 'identity'})
            if answer.status != 200:
                raise RuntimeError(f"{absolute} answered {answer.status}")
            sizes[kind] += len(answer.body)
            sizes[f'{kind}_gz'] += len(gzip.compress(answer.body, 6))
            sizes['files'] += 1
    return sizes
