"""Request hygiene and escaping: state-changing forms without a valid CSRF
token are refused (403) and change nothing; every kind of response carries
the security headers of doc/architecture.md (Security design); oversized
bodies get 413 and more than 100 header fields 431, and the daemon keeps
serving; malformed requests (bad percent-encoding, invalid UTF-8 in
path, query or form, `/..`) get 400; HTML and SQL metacharacters in every
text field are stored exactly and shown literally (escaped in HTML, exact in
JSON)."""
import html
import socket

import pytest
import requests

from helpers import (HOSTILE_TEXTS, Page, api, api_token, assert_security_headers,
                     create_meeting_form, form_csrf, meeting_fields, post_meeting_form, raw_get,
                     raw_request, rfc3339, stored_meetings)


@pytest.fixture
def alice(jmbd):
    return jmbd.session("alice", "alice-password")


# -- CSRF --------------------------------------------------------------------------

def form_targets(jmbd, alice):
    mid = create_meeting_form(alice, jmbd, title="Protected", guests="bob@example.org")
    return mid, [("/meetings", meeting_fields(title="Forged")),
                 (f"/meetings/{mid}", meeting_fields(title="Forged")),
                 (f"/meetings/{mid}/delete", {}),
                 ("/logout", {})]


@pytest.mark.parametrize("token", [None, "", "forged", "A" * 43],
                         ids=["missing", "empty", "forged", "well-formed-but-wrong"])
def test_forms_without_valid_csrf_token_are_refused(jmbd, alice, token):
    mid, targets = form_targets(jmbd, alice)
    before = stored_meetings(jmbd)
    for path, data in targets:
        if token is not None:
            data = {**data, "csrf": token}
        r = alice.post(jmbd.url + path, data=data, allow_redirects=False)
        assert r.status_code == 403, path
        assert "did not come from this site" in Page(r.text).text
        assert_security_headers(r)
    assert stored_meetings(jmbd) == before
    assert alice.get(jmbd.url + "/meetings").status_code == 200  # still logged in


def test_token_of_another_browser_is_refused(jmbd, alice):
    """The token is bound to the browser's own CSRF cookie: an attacker's
    valid token is worthless in the victim's browser."""
    mid, targets = form_targets(jmbd, alice)
    attacker = jmbd.session("bob", "bob-password")
    stolen = form_csrf(attacker, jmbd)
    assert stolen != form_csrf(alice, jmbd)
    before = stored_meetings(jmbd)
    for path, data in targets:
        r = alice.post(jmbd.url + path, data={**data, "csrf": stolen}, allow_redirects=False)
        assert r.status_code == 403, path
    assert stored_meetings(jmbd) == before


def test_csrf_token_in_the_query_string_does_not_count(jmbd, alice):
    token = form_csrf(alice, jmbd)
    r = alice.post(jmbd.url + "/meetings?csrf=" + token, data=meeting_fields(),
                   allow_redirects=False)
    assert r.status_code == 403
    assert stored_meetings(jmbd) == []


def test_json_body_cannot_replace_the_form(jmbd, alice):
    token = form_csrf(alice, jmbd)
    r = alice.post(jmbd.url + "/meetings", json={**meeting_fields(), "csrf": token},
                   allow_redirects=False)
    assert r.status_code == 403
    assert stored_meetings(jmbd) == []


def test_get_never_changes_state(jmbd, alice):
    mid = create_meeting_form(alice, jmbd, title="Stays")
    before = stored_meetings(jmbd)
    for path in (f"/meetings/{mid}/delete", f"/meetings/{mid}/delete?csrf=x",
                 f"/meetings/{mid}/edit", "/logout"):
        alice.get(jmbd.url + path)
    assert stored_meetings(jmbd) == before
    assert alice.get(jmbd.url + "/meetings").status_code == 200


# -- security headers --------------------------------------------------------------

def test_security_headers_on_every_kind_of_response(jmbd, alice):
    token = api_token(jmbd, "alice")
    bearer = api(jmbd, token)
    mid = create_meeting_form(alice, jmbd)
    anonymous = requests.Session()
    etag = requests.get(jmbd.url + "/static/jmb.css").headers["ETag"]
    cases = [
        ("page 200", alice.get(jmbd.url + "/meetings"), True),
        ("login form", anonymous.get(jmbd.url + "/auth/local/login"), True),
        ("redirect to login", anonymous.get(jmbd.url + "/meetings", allow_redirects=False), True),
        ("redirect after save", post_meeting_form(alice, jmbd), True),
        ("422 form", post_meeting_form(alice, jmbd, title=""), True),
        ("403 csrf", alice.post(jmbd.url + "/meetings", data={}), True),
        ("404 page", alice.get(jmbd.url + "/nowhere"), True),
        ("404 meeting", alice.get(jmbd.url + "/meetings/9999"), True),
        ("405", alice.put(jmbd.url + "/meetings"), True),
        ("400", alice.get(jmbd.url + "/%ff"), True),
        ("413", alice.post(jmbd.url + "/meetings", data="x" * 200000,
                           headers={"Content-Type": "application/x-www-form-urlencoded"}), True),
        ("401 page", anonymous.get(jmbd.url + "/api/v1/meetings"), True),
        ("api 200", bearer.get(jmbd.url + "/api/v1/meetings"), True),
        ("api 201", bearer.post(jmbd.url + "/api/v1/meetings",
                                json={"title": "t", "start": rfc3339()}), True),
        ("api 422", bearer.post(jmbd.url + "/api/v1/meetings", json={"title": ""}), True),
        ("api 204", bearer.delete(f"{jmbd.url}/api/v1/meetings/{mid}"), True),
        ("api 401", requests.get(jmbd.url + "/api/v1/meetings",
                                 headers={"Authorization": "Bearer nope"}), True),
        ("healthz", requests.get(jmbd.url + "/healthz"), True),
        ("static 200", requests.get(jmbd.url + "/static/jmb.css"), False),
        ("static 304", requests.get(jmbd.url + "/static/jmb.css",
                                    headers={"If-None-Match": etag}), False),
        ("static 404", requests.get(jmbd.url + "/static/nope.css"), True),
        ("HEAD", alice.head(jmbd.url + "/meetings"), True),
    ]
    for name, r, private in cases:
        assert_security_headers(r)
        if private:
            assert r.headers.get("Cache-Control") == "no-store", name
        if r.headers.get("Content-Type", "").startswith("text/html"):
            assert "script-src 'self'" in r.headers["Content-Security-Policy"], name
            assert "unsafe-inline" not in r.headers["Content-Security-Policy"], name
    statuses = {name: r.status_code for name, r, _ in cases}
    assert statuses["413"] == 413 and statuses["400"] == 400 and statuses["405"] == 405


def test_pages_declare_utf8_and_never_sniff(jmbd, alice):
    r = alice.get(jmbd.url + "/meetings")
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert r.text.startswith("<!DOCTYPE html>")
    r = api(jmbd, api_token(jmbd, "alice")).get(jmbd.url + "/api/v1/meetings")
    assert r.headers["Content-Type"].startswith("application/json")


# -- sizes -------------------------------------------------------------------------

def assert_still_serving(d):
    assert requests.get(d.url + "/healthz").status_code == 200
    assert d.proc.poll() is None


def test_oversized_form_is_413(jmbd, alice):
    token = form_csrf(alice, jmbd)
    data = {**meeting_fields(description="d" * 70000), "csrf": token}
    r = alice.post(jmbd.url + "/meetings", data=data, allow_redirects=False)
    assert r.status_code == 413
    assert "too large" in Page(r.text).text
    assert stored_meetings(jmbd) == []
    assert_still_serving(jmbd)
    assert alice.get(jmbd.url + "/meetings").status_code == 200


def test_oversized_chunked_body_is_413(jmbd, alice):
    def chunks():
        for _ in range(200):
            yield b"title=" + b"x" * 1000 + b"&"
    r = alice.post(jmbd.url + "/meetings", data=chunks(), allow_redirects=False,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert_still_serving(jmbd)


def test_oversized_api_body_is_413(jmbd):
    token = api_token(jmbd, "alice")
    r = api(jmbd, token).post(jmbd.url + "/api/v1/meetings",
                              json={"title": "t", "description": "d" * 100000, "start": rfc3339()})
    assert r.status_code == 413
    assert stored_meetings(jmbd) == []
    assert_still_serving(jmbd)


def test_huge_declared_length_is_refused_without_reading(jmbd):
    status, _, _ = raw_request(jmbd, b"POST /meetings HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                               b"Content-Type: application/x-www-form-urlencoded\r\n"
                               b"Content-Length: 99999999999\r\n\r\n")
    assert status == 413
    assert_still_serving(jmbd)


def test_body_size_limit_follows_the_config(jmbd_factory):
    d = jmbd_factory(start=False, sections={"server": {"max_body_size": "2048"}})
    d.add_user("alice", "alice-password")
    d.start()
    s = d.session("alice", "alice-password")
    token = form_csrf(s, d)
    r = s.post(d.url + "/meetings", data={**meeting_fields(description="d" * 1500), "csrf": token},
               allow_redirects=False)
    assert r.status_code == 303
    r = s.post(d.url + "/meetings", data={**meeting_fields(description="d" * 2500), "csrf": token},
               allow_redirects=False)
    assert r.status_code == 413
    assert len(stored_meetings(d)) == 1


def test_huge_headers_do_not_hurt(jmbd):
    with socket.create_connection(("127.0.0.1", jmbd.port), timeout=10) as c:
        c.sendall(b"GET /meetings HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n")
        try:
            answer = c.recv(100)
        except (ConnectionResetError, BrokenPipeError):
            answer = b""
    assert answer == b"" or answer.split(b" ")[1] in (b"400", b"413", b"431")
    status, _, _ = raw_get(jmbd, b"/meetings", b"".join(b"X-H%d: v\r\n" % i for i in range(300)))
    assert status == 431
    assert_still_serving(jmbd)


def with_header_count(total, last):
    """Header lines for raw_get (which sends Host and Connection itself) making
    `total` fields in all, the last one being `last`."""
    return b"".join(b"X-H%d: v\r\n" % i for i in range(total - 3)) + last + b"\r\n"


def test_header_fields_beyond_100_are_refused_not_dropped(jmbd):
    """A 101st header field used to be dropped silently and the request served
    without it: here the bearer token, so the API answered 401 as if it had
    not been sent. Now such a request is refused as a whole."""
    bearer = b"Authorization: Bearer " + api_token(jmbd, "alice").encode()
    status, headers, body = raw_get(jmbd, b"/api/v1/meetings", with_header_count(100, bearer))
    assert status == 200, body[:200]
    assert headers["content-type"].startswith("application/json")
    status, headers, body = raw_get(jmbd, b"/api/v1/meetings", with_header_count(101, bearer))
    assert status == 431, body[:200]
    assert headers["content-type"].startswith("application/json")
    assert b"too many header fields" in body
    status, headers, body = raw_get(jmbd, b"/meetings", with_header_count(101, b"X-Last: v"))
    assert status == 431
    assert headers["content-type"].startswith("text/html")
    assert "too many header fields" in Page(body.decode()).text
    assert headers["x-content-type-options"] == "nosniff"
    assert_still_serving(jmbd)


def test_slow_partial_request_does_not_block_others(jmbd):
    with socket.create_connection(("127.0.0.1", jmbd.port), timeout=10) as c:
        c.sendall(b"POST /meetings HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        assert_still_serving(jmbd)


# -- malformed requests ------------------------------------------------------------

@pytest.mark.parametrize("target", [
    b"/%zz", b"/meetings%", b"/meetings%4", b"/%4g", b"/%+1", b"/%-1", b"/%%41",
    b"/%ff", b"/%c3%28", b"/%ed%a0%80", b"/%f8%88%80%80%80", b"/\xff", b"/\xc3",
    b"/%00", b"/meetings%00", b"/meetings%0a", b"/meetings%0d%0aX:%20y", b"/%1b[31m",
    b"/..", b"/../etc/passwd", b"/meetings/..", b"/meetings/../auth", b"/%2e%2e/x",
    b"/%2E%2E", b"/static/..%2fjmb.conf",
    b"/meetings?x=%ff", b"/meetings?lang=%c3", b"/meetings?%ff=1", b"/meetings?x=%00",
], ids=lambda t: t.decode("latin-1"))
def test_malformed_request_target_is_400(jmbd, target):
    status, headers, body = raw_get(jmbd, target)
    assert status == 400, (target, status)
    assert b"The request could not be read." in body
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("target", [b"/meetings?x=%zz", b"/meetings?lang=%", b"/meetings?x=%4"],
                         ids=lambda t: t.decode())
def test_bad_percent_encoding_in_query_is_400(jmbd, target):
    status, _, _ = raw_get(jmbd, target)
    assert status == 400


@pytest.mark.parametrize("body", [b"title=%ff", b"title=%c3%28", b"title=\xff\xfe", b"title=a%00b",
                                  b"%ff=1", b"title=%zz", b"title=100%", b"title=%4"],
                         ids=lambda b: b.decode("latin-1"))
def test_malformed_form_body_is_400(jmbd, alice, body):
    token = form_csrf(alice, jmbd).encode()
    r = alice.post(jmbd.url + "/meetings", data=b"csrf=" + token + b"&" + body + b"&date=x",
                   headers={"Content-Type": "application/x-www-form-urlencoded"},
                   allow_redirects=False)
    assert r.status_code == 400, r.status_code
    assert stored_meetings(jmbd) == []


def test_percent_encoded_text_is_decoded_once(jmbd, alice):
    """The same bytes, encoded properly, are fine: %25 is a literal %."""
    mid = create_meeting_form(alice, jmbd, title="100% done %41 + %2B")
    [m] = stored_meetings(jmbd)
    assert m["title"] == "100% done %41 + %2B"
    r = alice.get(f"{jmbd.url}/%6deetings/{mid}")  # /meetings, an encoded letter
    assert r.status_code == 200


def test_unsupported_methods(jmbd, alice):
    for method in ("PUT", "DELETE", "PATCH"):
        assert alice.request(method, jmbd.url + "/meetings").status_code == 405
    status, _, _ = raw_request(jmbd, b"BREW /meetings HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status in (400, 405, 501)
    assert_still_serving(jmbd)


# -- metacharacters in every text field --------------------------------------------



def assert_shown_literally(html_text, value):
    """The value appears as text, never as markup."""
    assert value in Page(html_text).text or " ".join(value.split()) in Page(html_text).text
    if "<" in value:
        assert value not in html_text
        assert html.escape(value, quote=False) in html_text or \
            html.escape(value, quote=True) in html_text


@pytest.mark.parametrize("value", HOSTILE_TEXTS)
def test_title_and_description_through_the_form(jmbd, alice, value):
    mid = create_meeting_form(alice, jmbd, title=value, description=value + "\n" + value,
                              guests="bob@example.org")
    [m] = stored_meetings(jmbd)
    assert m["title"] == value
    assert m["description"] == value + "\n" + value
    for s in (alice, jmbd.session("bob", "bob-password")):
        for path in ("/meetings", f"/meetings/{mid}"):
            assert_shown_literally(s.get(jmbd.url + path).text, value)
    r = alice.get(f"{jmbd.url}/meetings/{mid}/edit")
    assert Page(r.text).values["title"] == value
    assert Page(r.text).values["description"] == value + "\n" + value
    assert_shown_literally(alice.get(f"{jmbd.url}/meetings/{mid}/delete").text, value)
    got = api(jmbd, api_token(jmbd, "alice")).get(f"{jmbd.url}/api/v1/meetings/{mid}").json()
    assert (got["title"], got["description"]) == (value, value + "\n" + value)


@pytest.mark.parametrize("value", HOSTILE_TEXTS)
def test_title_and_description_through_the_api(jmbd, value):
    s = api(jmbd, api_token(jmbd, "alice"))
    r = s.post(jmbd.url + "/api/v1/meetings",
               json={"title": value, "description": value, "start": rfc3339()})
    assert r.status_code == 201
    assert (r.json()["title"], r.json()["description"]) == (value, value)
    [m] = stored_meetings(jmbd)
    assert (m["title"], m["description"]) == (value, value)
    alice = jmbd.session("alice", "alice-password")
    assert_shown_literally(alice.get(f"{jmbd.url}/meetings/{m['id']}").text, value)


def test_sql_metacharacters_leave_the_store_intact(jmbd, alice):
    for value in HOSTILE_TEXTS:
        create_meeting_form(alice, jmbd, title=value)
    titles = sorted(m["title"] for m in stored_meetings(jmbd))
    assert titles == sorted(HOSTILE_TEXTS)
    bob = jmbd.session("bob", "bob-password")
    create_meeting_form(bob, jmbd, title="Still works")
    assert len(stored_meetings(jmbd)) == len(HOSTILE_TEXTS) + 1


@pytest.mark.parametrize("mail", ["o'brien+x&y@example.org", "a{b}|c=d?e^f`g~h@example.org",
                                  "x!#$%*/@example.org"])
def test_odd_but_valid_addresses_are_kept_exactly(jmbd, alice, mail):
    mid = create_meeting_form(alice, jmbd, guests=mail)
    [m] = stored_meetings(jmbd)
    assert [a["mail"] for a in m["attendees"]] == [mail]
    assert_shown_literally(alice.get(f"{jmbd.url}/meetings/{mid}").text, mail)
    assert Page(alice.get(f"{jmbd.url}/meetings/{mid}/edit").text).values["guests"].strip() == mail


@pytest.mark.parametrize("bad", ["<script>alert(1)</script>@example.org",
                                 "\"><img src=x onerror=alert(1)>",
                                 "x'); DROP TABLE attendees; --@example.org"])
def test_invalid_address_is_echoed_escaped(jmbd, alice, bad):
    r = post_meeting_form(alice, jmbd, guests=bad)
    assert r.status_code == 422
    page = Page(r.text)
    assert "is not a valid e-mail address" in page.field_errors["guests"]
    assert page.values["guests"] == bad
    if "<" in bad:
        assert bad not in r.text
        assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert stored_meetings(jmbd) == []


def test_hostile_display_name_is_escaped(jmbd_factory):
    name = "<b onmouseover=alert(1)>Eve</b> & 'Co'"
    d = jmbd_factory(start=False)
    d.add_user("eve", "eve-password", name=name)
    d.add_user("bob", "bob-password")
    d.start()
    eve = d.session("eve", "eve-password")
    mid = create_meeting_form(eve, d, guests="bob@example.org")
    assert_shown_literally(eve.get(d.url + "/meetings").text, name)
    bob = d.session("bob", "bob-password")
    assert_shown_literally(bob.get(f"{d.url}/meetings/{mid}").text, name)
    got = api(d, api_token(d, "eve")).get(f"{d.url}/api/v1/meetings/{mid}").json()
    assert got["owner"]["name"] == name


def test_hostile_proxy_name_is_escaped(jmbd_factory):
    name = "<script>alert(1)</script>"
    d = jmbd_factory(plugins="header-trust")
    r = requests.get(d.url + "/meetings", headers={"X-Remote-User": "mallory",
                                                   "X-Remote-Name": name})
    assert r.status_code == 200
    assert_shown_literally(r.text, name)


def test_login_and_next_are_not_reflected_as_markup(jmbd):
    s = requests.Session()
    evil = '"><script>alert(1)</script>'
    r = s.get(jmbd.url + "/auth/local/login", params={"next": "/x" + evil})
    assert "<script>alert(1)" not in r.text
    csrf = Page(r.text).values["csrf"]
    r = s.post(jmbd.url + "/auth/local/login",
               data={"csrf": csrf, "login": evil, "password": "x", "next": "/x" + evil})
    assert r.status_code == 401
    assert "<script>alert(1)" not in r.text
    assert Page(r.text).values["login"] == evil
    r = s.get(jmbd.url + "/auth/local/login?lang=" + requests.utils.quote(evil))
    assert "<script>alert(1)" not in r.text
