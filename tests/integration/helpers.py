"""Helpers shared by the integration tests: reading jmbd's HTML pages without
a browser, filling the meeting form, and looking at what the store holds."""
import json
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import requests

from conftest import csrf_of

ZONE = ZoneInfo("Europe/Paris")
SECURITY_HEADERS = ("Content-Security-Policy", "Referrer-Policy", "X-Content-Type-Options")

# Text that breaks naive HTML templating, SQL pasting, format strings or encodings.
HOSTILE_TEXTS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE meetings; --",
    "Robert'); DELETE FROM attendees WHERE ('1'='1",
    "&amp; &lt;b&gt; &#x3C;",
    "{{7*7}} ${7*7} %s%n%x \\ ` \\0",
    "Réunion ✓ 会议 🎉",
]


class Page(HTMLParser):
    """What a test needs from a page: form values by name, the field error
    shown after each control, the alerts, the headings and all visible text."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.lang = None
        self.values = {}
        self.field_errors = {}
        self.headings = []
        self.alerts = []
        self.links = []
        self.texts = []
        self._last_control = None
        self._capture = None  # (kind, key, [parts], depth)
        self._select = None
        self._option = None
        self._stack = []
        self.feed(html)
        self.close()
        self.text = " ".join(" ".join(self.texts).split())

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "input" and "name" in a:
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.values[a["name"]] = a.get("value", "")
            self._last_control = a["name"]
        elif tag == "textarea" and "name" in a:
            self._last_control = a["name"]
            self._start_capture("value", a["name"])
        elif tag == "select" and "name" in a:
            self._last_control = self._select = a["name"]
        elif tag == "option" and self._select is not None:
            self._option = a.get("value")
            if "selected" in a:
                self.values[self._select] = self._option
        elif tag == "p" and "field-error" in cls:
            self._start_capture("error", self._last_control)
        elif tag in ("h1", "h2"):
            self._start_capture("heading", None)
        elif "alert" in cls:
            self._start_capture("alert", None)
        if tag not in ("input", "meta", "link", "img", "br"):
            self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        while self._stack:
            if self._stack.pop() == tag:
                break
        if self._capture is not None and len(self._stack) < self._capture[3]:
            kind, key, parts, _ = self._capture
            text = "".join(parts)
            if kind == "value":
                self.values[key] = text
            elif kind == "error":
                self.field_errors[key] = " ".join(text.split())
            elif kind == "heading":
                self.headings.append(" ".join(text.split()))
            else:
                self.alerts.append(" ".join(text.split()))
            self._capture = None

    def _start_capture(self, kind, key):
        if self._capture is None:
            self._capture = (kind, key, [], len(self._stack) + 1)

    def handle_data(self, data):
        if self._capture is not None:
            self._capture[2].append(data)
        if not self._stack or self._stack[-1] not in ("script", "style", "title"):
            self.texts.append(data)


# A year whose dates are ahead of now and less than [booking] max_advance_days
# (730) ahead: for tests that need a fixed calendar date.
NEXT_YEAR = datetime.now().year + 1


def future_slot(days=7, hour=14, minute=0):
    """A date and time (Europe/Paris wall clock) `days` from now."""
    t = (datetime.now(ZONE) + timedelta(days=days)).replace(hour=hour, minute=minute, second=0,
                                                           microsecond=0)
    return t.strftime("%Y-%m-%d"), t.strftime("%H:%M")


def rfc3339(days=7, hour=14, minute=0):
    t = (datetime.now(ZONE) + timedelta(days=days)).replace(hour=hour, minute=minute, second=0,
                                                           microsecond=0)
    return t.isoformat()


def form_csrf(session, d):
    """The CSRF token of this browser session, as a page would give it."""
    return csrf_of(session.get(d.url + "/meetings/new").text)


def meeting_fields(**overrides):
    """A valid meeting form, with any field replaced."""
    date, time = future_slot()
    fields = {"title": "Weekly sync", "description": "", "date": date, "time": time,
              "timezone": "Europe/Paris", "duration": "90", "moderators": "", "guests": ""}
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def post_meeting_form(session, d, path="/meetings", csrf=None, **overrides):
    data = meeting_fields(**overrides)
    data["csrf"] = csrf if csrf is not None else form_csrf(session, d)
    return session.post(d.url + path, data=data, allow_redirects=False)


def create_meeting_form(session, d, **overrides):
    """Creates a meeting through the HTML form; returns its id."""
    r = post_meeting_form(session, d, **overrides)
    assert r.status_code == 303, (r.status_code, r.text[:2000])
    m = re.fullmatch(r"/meetings/(\d+)\?saved=1", r.headers["Location"])
    assert m, r.headers["Location"]
    return int(m.group(1))


def stored_meetings(d, deleted=False):
    """Every meeting in the store, past and future, seen through jmbctl."""
    args = ["meetings", "list", "--all", "--json"] + (["--deleted"] if deleted else [])
    return json.loads(d.jmbctl(*args).stdout)["meetings"]


def api_token(d, login, *extra):
    return d.jmbctl("api-token", "create", login, *extra).stdout.strip()


def api(d, token):
    """A requests session speaking to the JSON API with a bearer token."""
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    return s


def assert_security_headers(r):
    h = r.headers
    assert "frame-ancestors 'none'" in h.get("Content-Security-Policy", ""), h
    assert "default-src 'self'" in h["Content-Security-Policy"]
    assert h.get("Referrer-Policy") == "no-referrer", h
    assert h.get("X-Content-Type-Options") == "nosniff", h
    assert h.get("X-Frame-Options") == "DENY", h


def raw_request(d, data, timeout=10):
    """Sends bytes as they are (requests would refuse or fix them) and returns
    (status code, headers as a lower-cased dict, body bytes)."""
    import socket
    with socket.create_connection(("127.0.0.1", d.port), timeout=timeout) as c:
        c.sendall(data)
        chunks = []
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), value.strip())
    return status, headers, body


def raw_get(d, target, headers=b""):
    """GET with a request target and extra header lines given as raw bytes."""
    return raw_request(d, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       b"Connection: close\r\n" + headers + b"\r\n")


class ClientThreads:
    """Load from client threads, running while a `with` block lasts: subclasses
    give (function, args) pairs; each function loops until `self.stop` is set."""

    join_timeout = 30

    def __init__(self, targets):
        import threading
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=f, args=args) for f, args in targets]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(self.join_timeout)
