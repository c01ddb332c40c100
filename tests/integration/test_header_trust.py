"""The `header-trust` auth plugin: identity headers are honoured only when the
TCP peer is in trusted_proxies; from any other peer they are ignored (the
request is anonymous) and a warning is logged; hostile header values (control
characters, more than 256 bytes, invalid UTF-8) never become an identity."""
import pytest
import requests

from helpers import Page, meeting_fields, raw_get, rfc3339, stored_meetings

DAVE = {"X-Remote-User": "dave", "X-Remote-Mail": "Dave@Example.org", "X-Remote-Name": "Dave Doe"}


def proxy_jmbd(jmbd_factory, trusted, plugins="header-trust", **keys):
    return jmbd_factory(plugins=plugins, sections={
        "auth.header-trust": {"trusted_proxies": trusted, **keys}})


@pytest.fixture
def trusted(jmbd_factory):
    return proxy_jmbd(jmbd_factory, "127.0.0.1/32")


@pytest.fixture
def untrusted(jmbd_factory):
    """Trusts only 192.0.2.1 while the tests connect from 127.0.0.1."""
    return proxy_jmbd(jmbd_factory, "192.0.2.1/32")


def test_identity_from_trusted_proxy(trusted):
    r = requests.get(trusted.url + "/meetings", headers=DAVE, allow_redirects=False)
    assert r.status_code == 200
    assert "Dave Doe" in Page(r.text).text
    r = requests.post(trusted.url + "/api/v1/meetings", headers=DAVE,
                      json={"title": "Proxy meeting", "start": rfc3339(), "duration": 60})
    assert r.status_code == 201, r.text
    assert r.json()["owner"] == {"login": "dave", "mail": "dave@example.org", "name": "Dave Doe"}
    assert "untrusted_identity_header" not in trusted.log()


def test_trusted_identity_can_use_the_html_form(trusted):
    s = requests.Session()
    s.headers.update(DAVE)
    page = Page(s.get(trusted.url + "/meetings/new").text)
    data = meeting_fields(title="Form via proxy")
    data["csrf"] = page.values["csrf"]
    r = s.post(trusted.url + "/meetings", data=data, allow_redirects=False)
    assert r.status_code == 303, r.text
    [m] = stored_meetings(trusted)
    assert m["title"] == "Form via proxy" and m["owner"]["login"] == "dave"


@pytest.mark.parametrize("cidr", ["127.0.0.0/8", "127.0.0.1", "192.0.2.1/32, 127.0.0.1/32"])
def test_trusted_proxies_forms(jmbd_factory, cidr):
    d = proxy_jmbd(jmbd_factory, cidr)
    assert requests.get(d.url + "/api/v1/meetings", headers=DAVE).status_code == 200


def test_custom_header_names(jmbd_factory):
    d = proxy_jmbd(jmbd_factory, "127.0.0.1/32", user_header="X-Forwarded-User",
                   mail_header="X-Forwarded-Email", name_header="X-Forwarded-Name")
    r = requests.get(d.url + "/meetings", headers=DAVE, allow_redirects=False)
    assert r.status_code == 401  # the default names mean nothing now
    r = requests.post(d.url + "/api/v1/meetings", json={"title": "t", "start": rfc3339()},
                      headers={"x-forwarded-user": "erin", "x-forwarded-email": "erin@example.org",
                               "x-forwarded-name": "Erin"})
    assert r.status_code == 201, r.text
    assert r.json()["owner"] == {"login": "erin", "mail": "erin@example.org", "name": "Erin"}


@pytest.mark.parametrize("cidr", ["192.0.2.1/32", "127.0.0.2/32", "10.0.0.0/8", "::1/128"])
def test_headers_from_untrusted_peer_are_ignored(jmbd_factory, cidr):
    d = proxy_jmbd(jmbd_factory, cidr)
    r = requests.get(d.url + "/meetings", headers=DAVE, allow_redirects=False)
    assert r.status_code == 401
    page = Page(r.text)
    assert "Please log in." in page.text
    assert "Dave" not in page.text
    r = requests.get(d.url + "/api/v1/meetings", headers=DAVE)
    assert r.status_code == 401
    assert r.json() == {"error": "Please log in."}
    assert "level=warning event=untrusted_identity_header peer=127.0.0.1 header=X-Remote-User" \
        in d.log()


def test_spoofed_write_stores_nothing(untrusted):
    r = requests.post(untrusted.url + "/api/v1/meetings", headers=DAVE,
                      json={"title": "Spoofed", "start": rfc3339(), "duration": 60})
    assert r.status_code == 401
    s = requests.Session()
    s.headers.update(DAVE)
    csrf = Page(s.get(untrusted.url + "/meetings/new").text).values.get("csrf", "")
    r = s.post(untrusted.url + "/meetings", data={**meeting_fields(), "csrf": csrf},
               allow_redirects=False)
    assert r.status_code == 401
    assert stored_meetings(untrusted) == []


def test_untrusted_headers_fall_through_to_the_next_plugin(jmbd_factory):
    """Ignored means anonymous: with `local` after it, the login form is offered,
    and a local session is not overridden by forged headers."""
    d = jmbd_factory(start=False, plugins="header-trust,local",
                     sections={"auth.header-trust": {"trusted_proxies": "192.0.2.1/32"}})
    d.add_user("alice", "alice-password")
    d.start()
    r = requests.get(d.url + "/meetings", headers=DAVE, allow_redirects=False)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/auth/local/login")
    s = d.session("alice", "alice-password")
    s.headers.update(DAVE)
    r = s.post(d.url + "/api/v1/meetings", json={"title": "t", "start": rfc3339()})
    assert r.status_code == 201
    assert r.json()["owner"]["login"] == "alice"


def test_headers_are_not_needed_for_anonymous_pages(untrusted, trusted):
    for d in (untrusted, trusted):
        assert requests.get(d.url + "/healthz").status_code == 200
        assert requests.get(d.url + "/meetings", allow_redirects=False).status_code == 401


@pytest.mark.parametrize("value", [b"da\x01ve", b"dave\x7f", b"dave\tx", b"\xff\xfedave",
                                   b"d\xc3", b"\xc0\xafdave", b"\xed\xa0\x80x", b"d" * 257,
                                   b"d" * 4000],
                         ids=["control", "del", "tab", "latin1", "truncated-utf8", "overlong",
                              "surrogate", "257-bytes", "4000-bytes"])
def test_hostile_user_header_is_refused(trusted, value):
    status, headers, body = raw_get(trusted, b"/api/v1/meetings",
                                    b"X-Remote-User: " + value + b"\r\n")
    assert status == 401
    assert body == b'{"error":"Your credentials were not accepted."}'
    status, _, body = raw_get(trusted, b"/meetings", b"X-Remote-User: " + value + b"\r\n")
    assert status == 401
    assert b"Your credentials were not accepted." in body
    assert "level=warning event=bad_identity_header peer=127.0.0.1 header=X-Remote-User" \
        in trusted.log()
    assert "event=request method=GET path=/api/v1/meetings status=401 peer=127.0.0.1 user=-" \
        in trusted.log()


def test_user_header_of_256_bytes_is_the_limit(trusted):
    login = "d" * 256
    status, _, body = raw_get(trusted, b"/api/v1/meetings",
                              b"X-Remote-User: " + login.encode() + b"\r\n")
    assert status == 200, body


@pytest.mark.parametrize("header", ["X-Remote-Mail", "X-Remote-Name"])
@pytest.mark.parametrize("value", [b"x\x01y@example.org", b"\xff@example.org",
                                   b"a" * 300 + b"@example.org"])
def test_hostile_mail_or_name_is_dropped(trusted, header, value):
    status, _, body = raw_get(trusted, b"/meetings",
                              b"X-Remote-User: dave\r\n" + header.encode() + b": " + value + b"\r\n")
    assert status == 200
    assert value not in body
    assert b"\x01" not in body and b"\xff" not in body


def test_empty_user_header_is_anonymous(trusted):
    r = requests.get(trusted.url + "/api/v1/meetings", headers={"X-Remote-User": ""})
    assert r.status_code == 401
    assert r.json() == {"error": "Please log in."}


def test_proxy_identity_is_ambient_so_api_writes_must_be_json(trusted):
    """Headers added by a proxy travel with cross-site requests like cookies do."""
    r = requests.post(trusted.url + "/api/v1/meetings", headers=DAVE,
                      data={"title": "t", "start": rfc3339()})
    assert r.status_code == 415
    assert stored_meetings(trusted) == []


def test_logout_page_warns_about_the_single_sign_on(trusted):
    s = requests.Session()
    s.headers.update(DAVE)
    csrf = Page(s.get(trusted.url + "/meetings/new").text).values["csrf"]
    r = s.post(trusted.url + "/logout", data={"csrf": csrf})
    assert r.status_code == 200
    assert "single sign-on may still remember you" in Page(r.text).text
