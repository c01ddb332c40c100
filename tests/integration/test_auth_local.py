"""The `local` auth plugin end to end: the login form, a wrong password and an
unknown user answered alike, session cookie flags (Secure only when public_url
is https), logout ending the session on the server, protected pages sending
anonymous browsers to the login with `next`, and `next` never leading off-site."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from conftest import csrf_of
from helpers import Page, assert_security_headers, form_csrf


def set_cookies(r):
    """The raw Set-Cookie header lines of a response, by cookie name."""
    return {line.split("=", 1)[0]: line for line in r.raw.headers.getlist("Set-Cookie")}


def only_session_cookie(value):
    """A browser holding nothing but a session cookie: what one keeps after a
    restart (the CSRF cookie lives for the browser session only), or what an
    attacker holds after stealing it."""
    s = requests.Session()
    s.cookies.set("jmb_session", value)
    return s


def login_post(d, session, login, password, next_="/meetings", csrf=None):
    if csrf is None:
        csrf = csrf_of(session.get(d.url + "/auth/local/login").text)
    return session.post(d.url + "/auth/local/login", allow_redirects=False,
                        data={"csrf": csrf, "login": login, "password": password, "next": next_})


def test_login_form_is_served_with_csrf_and_next(jmbd):
    r = requests.get(jmbd.url + "/auth/local/login?next=/meetings/archive")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    page = Page(r.text)
    assert page.values["next"] == "/meetings/archive"
    assert page.values["csrf"]
    assert "password" in page.values or 'name="password"' in r.text
    assert_security_headers(r)


def test_good_password_opens_a_session(jmbd):
    s = requests.Session()
    r = login_post(jmbd, s, "alice", "alice-password")
    assert r.status_code == 303
    assert r.headers["Location"] == "/meetings"
    assert "jmb_session" in set_cookies(r)
    r = s.get(jmbd.url + "/meetings", allow_redirects=False)
    assert r.status_code == 200
    assert "Alice" in Page(r.text).text
    assert "event=login user=alice via=local" in jmbd.log()


def test_wrong_password_and_unknown_user_look_the_same(jmbd):
    answers = []
    for login, password in (("alice", "not-her-password"), ("mallory", "whatever-password")):
        s = requests.Session()
        r = login_post(jmbd, s, login, password)
        assert "jmb_session" not in set_cookies(r)
        # The typed login is echoed back in the form and the CSRF token is per
        # browser: everything else must be byte for byte the same.
        body = r.text.replace(f'value="{login}"', 'value="LOGIN"')
        body = re.sub(r'name="csrf" value="[^"]+"', 'name="csrf" value="TOKEN"', body)
        answers.append((r.status_code, body, r.headers["Content-Type"]))
        assert s.get(jmbd.url + "/meetings", allow_redirects=False).status_code == 302
    assert answers[0][0] == 401
    assert answers[0] == answers[1]
    assert "Wrong user name or password." in answers[0][1]


def test_empty_password_is_refused(jmbd):
    r = login_post(jmbd, requests.Session(), "alice", "")
    assert r.status_code == 401
    assert "jmb_session" not in set_cookies(r)


def test_login_without_csrf_token_is_refused(jmbd):
    s = requests.Session()
    s.get(jmbd.url + "/auth/local/login")
    r = login_post(jmbd, s, "alice", "alice-password", csrf="forged-token")
    assert r.status_code == 403
    assert "jmb_session" not in set_cookies(r)
    r = s.post(jmbd.url + "/auth/local/login", allow_redirects=False,
               data={"login": "alice", "password": "alice-password"})
    assert r.status_code == 403
    assert "jmb_session" not in set_cookies(r)


def test_user_added_while_running_can_log_in(jmbd):
    jmbd.add_user("dora", "dora-password")
    r = login_post(jmbd, requests.Session(), "dora", "dora-password")
    assert r.status_code == 303


def logged_in(d, s):
    return s.get(d.url + "/meetings", allow_redirects=False).status_code == 200


def test_jmbctl_lists_users_without_their_hashes(jmbd):
    jmbd.add_user("dora", "dora-password", name="Dora Explorer")
    out = jmbd.jmbctl("user", "list").stdout
    assert out.splitlines()[0].split() == ["LOGIN", "MAIL", "NAME"]
    assert re.search(r"^dora\s+dora@example\.org\s+Dora Explorer$", out, re.M)
    assert re.search(r"^alice\s", out, re.M)
    assert "$" not in out, "no hash is shown"


def test_new_password_ends_the_users_sessions(jmbd):
    alice = jmbd.session("alice", "alice-password")
    bob = jmbd.session("bob", "bob-password")
    p = jmbd.jmbctl("user", "passwd", "alice", "--password-stdin", input="a-new-secret\n")
    assert "1 session of alice ended" in p.stdout
    assert not logged_in(jmbd, alice) and logged_in(jmbd, bob)
    assert login_post(jmbd, requests.Session(), "alice", "alice-password").status_code != 303
    assert login_post(jmbd, requests.Session(), "alice", "a-new-secret").status_code == 303
    line = next(l for l in (jmbd.dir / "users").read_text().splitlines() if l.startswith("alice:"))
    assert line.split(":")[2:] == ["alice@example.org", "Alice"], "mail and name kept"

    generated = jmbd.jmbctl("user", "passwd", "bob").stdout
    password = re.search(r"^password: (\S+)$", generated, re.M).group(1)
    assert login_post(jmbd, requests.Session(), "bob", password).status_code == 303


def test_deleted_user_is_out_at_once_and_others_stay(jmbd):
    jmbd.add_user("dora", "dora-password")
    dora = jmbd.session("dora", "dora-password")
    alice = jmbd.session("alice", "alice-password")
    p = jmbd.jmbctl("user", "delete", "dora")
    assert "user dora deleted" in p.stdout and "1 session of dora ended" in p.stdout
    assert not logged_in(jmbd, dora) and logged_in(jmbd, alice)
    assert login_post(jmbd, requests.Session(), "dora", "dora-password").status_code != 303
    assert "dora" not in jmbd.jmbctl("user", "list").stdout


def test_jmbctl_user_refusals(jmbd):
    before = (jmbd.dir / "users").read_bytes()
    for args in (("delete", "nobody"), ("passwd", "nobody", "--password-stdin")):
        p = jmbd.jmbctl("user", *args, input="x\n", check=False)
        assert p.returncode == 67 and "no user nobody" in p.stderr, args  # EX_NOUSER
    for args in (("delete",), ("passwd", "alice", "--mail", "a@example.org"), ("list", "x"),
                 ("rename", "alice")):
        p = jmbd.jmbctl("user", *args, check=False)
        assert p.returncode == 2 and "Usage" in p.stderr, args
    p = jmbd.jmbctl("user", "passwd", "alice", "--password-stdin", input="", check=False)
    assert p.returncode == 2 and "no password" in p.stderr
    assert (jmbd.dir / "users").read_bytes() == before, "refusals change nothing"


def test_cookie_flags_over_http(jmbd):
    csrf_line = set_cookies(requests.get(jmbd.url + "/auth/local/login"))["jmb_csrf"]
    r = login_post(jmbd, requests.Session(), "alice", "alice-password")
    for line in (set_cookies(r)["jmb_session"], csrf_line):
        attrs = [a.strip().lower() for a in line.split(";")[1:]]
        assert "httponly" in attrs, line
        assert "samesite=lax" in attrs, line
        assert "path=/" in attrs, line
        assert "secure" not in attrs, line
    assert "Strict-Transport-Security" not in r.headers


def test_cookie_flags_when_public_url_is_https(jmbd_factory):
    d = jmbd_factory(start=False, sections={"server": {"public_url": "https://meet.example.org"}})
    d.add_user("alice", "alice-password")
    d.start()
    r = requests.get(d.url + "/auth/local/login")
    # __Host- names: only this host, over https, can set them (no sibling
    # subdomain, no plain-http page); browsers require Secure, Path=/, no Domain.
    csrf_line = set_cookies(r)["__Host-jmb_csrf"]
    attrs = [a.strip().lower() for a in csrf_line.split(";")[1:]]
    assert {"secure", "path=/"} <= set(attrs) and not any(a.startswith("domain") for a in attrs)
    # requests keeps Secure cookies away from http://, so send the CSRF cookie by hand.
    token = re.match(r"__Host-jmb_csrf=([^;]+)", csrf_line).group(1)
    r = requests.post(d.url + "/auth/local/login", allow_redirects=False,
                      cookies={"__Host-jmb_csrf": token},
                      data={"csrf": csrf_of(r.text), "login": "alice",
                            "password": "alice-password", "next": "/meetings"})
    assert r.status_code == 303
    assert "jmb_session" not in set_cookies(r)
    attrs = [a.strip().lower() for a in set_cookies(r)["__Host-jmb_session"].split(";")[1:]]
    assert {"httponly", "samesite=lax", "secure", "path=/"} <= set(attrs), attrs
    assert not any(a.startswith("domain") for a in attrs)
    # The bare name is not a session any more: a planted one is ignored.
    session = set_cookies(r)["__Host-jmb_session"].split(";")[0].split("=", 1)[1]
    r = requests.get(d.url + "/meetings", cookies={"jmb_session": session},
                     allow_redirects=False)
    assert r.status_code == 302
    r = requests.get(d.url + "/meetings", cookies={"__Host-jmb_session": session},
                     allow_redirects=False)
    assert r.status_code == 200
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_logout_ends_the_session_on_the_server(jmbd):
    s = jmbd.session("alice", "alice-password")
    stolen = s.cookies["jmb_session"]
    assert only_session_cookie(stolen).get(jmbd.url + "/meetings",
                                           allow_redirects=False).status_code == 200
    r = s.post(jmbd.url + "/logout", data={"csrf": form_csrf(s, jmbd)}, allow_redirects=False)
    assert r.status_code == 200
    assert "You are logged out" in Page(r.text).text
    line = set_cookies(r)["jmb_session"]
    assert line.startswith("jmb_session=;") and "Max-Age=0" in line, line
    # A copy of the cookie kept elsewhere (or by an attacker) is dead too.
    replay = only_session_cookie(stolen)
    r = replay.get(jmbd.url + "/meetings", allow_redirects=False)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/auth/local/login")
    r = replay.get(jmbd.url + "/api/v1/meetings")
    assert r.status_code == 401


def test_session_survives_the_loss_of_the_csrf_cookie(jmbd):
    """The session cookie persists (Max-Age) but the CSRF cookie does not: after
    a browser restart the first request carries only the session and must
    still be logged in, and get a new CSRF cookie."""
    s = jmbd.session("alice", "alice-password")
    browser = only_session_cookie(s.cookies["jmb_session"])
    r = browser.get(jmbd.url + "/meetings", allow_redirects=False)
    assert r.status_code == 200
    assert "Alice" in Page(r.text).text
    assert "jmb_csrf" in set_cookies(r)
    token = Page(r.text).values["csrf"]
    r = browser.post(jmbd.url + "/logout", data={"csrf": token}, allow_redirects=False)
    assert r.status_code == 200


def test_session_expires_after_its_lifetime(jmbd_factory):
    d = jmbd_factory(start=False, sections={"server": {"session_lifetime": "300"}})
    d.add_user("alice", "alice-password")
    d.start()
    r = login_post(d, requests.Session(), "alice", "alice-password")
    assert "Max-Age=300;" in set_cookies(r)["jmb_session"]
    cookie = re.match(r"jmb_session=([^;]+)", set_cookies(r)["jmb_session"]).group(1)
    browser = only_session_cookie(cookie)
    assert browser.get(d.url + "/meetings", allow_redirects=False).status_code == 200
    d.stop()
    d.start(env={"JMB_TEST_TIME_OFFSET": "200"})
    assert browser.get(d.url + "/meetings", allow_redirects=False).status_code == 200
    d.stop()
    d.start(env={"JMB_TEST_TIME_OFFSET": "301"})
    assert browser.get(d.url + "/meetings", allow_redirects=False).status_code == 302
    assert browser.get(d.url + "/api/v1/meetings").status_code == 401


def test_logout_needs_the_csrf_token(jmbd):
    s = jmbd.session("alice", "alice-password")
    r = s.post(jmbd.url + "/logout", data={"csrf": "nope"}, allow_redirects=False)
    assert r.status_code == 403
    r = s.post(jmbd.url + "/logout", allow_redirects=False)
    assert r.status_code == 403
    assert s.get(jmbd.url + "/meetings", allow_redirects=False).status_code == 200


def test_logout_by_get_is_not_possible(jmbd):
    s = jmbd.session("alice", "alice-password")
    r = s.get(jmbd.url + "/logout", allow_redirects=False)
    assert r.status_code == 405
    assert s.get(jmbd.url + "/meetings", allow_redirects=False).status_code == 200


def test_new_login_replaces_the_previous_session(jmbd):
    s = jmbd.session("alice", "alice-password")
    first = s.cookies["jmb_session"]
    old = only_session_cookie(first)
    assert old.get(jmbd.url + "/meetings", allow_redirects=False).status_code == 200
    r = login_post(jmbd, s, "bob", "bob-password")
    assert r.status_code == 303
    second = s.cookies["jmb_session"]
    assert second != first
    assert old.get(jmbd.url + "/meetings", allow_redirects=False).status_code == 302
    assert "Bob" in Page(s.get(jmbd.url + "/meetings").text).text


def test_session_id_chosen_by_the_browser_is_never_adopted(jmbd):
    """Session fixation: a cookie value planted before login does not become
    the session."""
    planted = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    s = requests.Session()
    s.cookies.set("jmb_session", planted)
    r = login_post(jmbd, s, "alice", "alice-password")
    assert r.status_code == 303
    issued = re.match(r"jmb_session=([^;]*)", set_cookies(r)["jmb_session"]).group(1)
    assert issued and issued != planted
    fixated = only_session_cookie(planted)
    assert fixated.get(jmbd.url + "/meetings", allow_redirects=False).status_code == 302
    issued_only = only_session_cookie(issued)
    assert issued_only.get(jmbd.url + "/meetings", allow_redirects=False).status_code == 200


@pytest.mark.parametrize("path", ["/meetings", "/meetings/archive", "/meetings/new",
                                  "/meetings/1", "/meetings/1/edit", "/meetings/1/delete"])
def test_protected_pages_redirect_to_login_with_next(jmbd, path):
    r = requests.get(jmbd.url + path, allow_redirects=False)
    assert r.status_code == 302
    where = urlsplit(r.headers["Location"])
    assert where.path == "/auth/local/login"
    assert parse_qs(where.query)["next"] == [path]
    assert_security_headers(r)


def test_login_goes_back_to_the_page_asked_for(jmbd):
    s = requests.Session()
    r = s.get(jmbd.url + "/meetings/archive")  # follows the redirect to the form
    page = Page(r.text)
    assert page.values["next"] == "/meetings/archive"
    r = login_post(jmbd, s, "alice", "alice-password", next_=page.values["next"],
                   csrf=page.values["csrf"])
    assert r.status_code == 303
    assert r.headers["Location"] == "/meetings/archive"


def test_anonymous_post_is_sent_to_login_without_replaying_it(jmbd):
    r = requests.post(jmbd.url + "/meetings", data={"title": "x"}, allow_redirects=False)
    assert r.status_code == 302
    assert parse_qs(urlsplit(r.headers["Location"]).query)["next"] == ["/meetings"]


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example",
                                    "http://evil.example/meetings", "/\\evil.example",
                                    "\\\\evil.example", "evil.example", "///evil.example",
                                    "/meetings\r\nSet-Cookie: x=y", "javascript:alert(1)", ""])
def test_next_never_leads_off_site(jmbd, target):
    s = requests.Session()
    r = login_post(jmbd, s, "alice", "alice-password", next_=target)
    assert r.status_code == 303
    assert r.headers["Location"] == "/meetings"
    assert "x=y" not in r.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_login_form_does_not_carry_a_foreign_next(jmbd, target):
    r = requests.get(jmbd.url + "/auth/local/login", params={"next": target})
    assert r.status_code == 200
    assert Page(r.text).values["next"] == "/meetings"


def test_unknown_plugin_route_is_404(jmbd):
    assert requests.get(jmbd.url + "/auth/local/nothing").status_code == 404
    assert requests.get(jmbd.url + "/auth/nosuch/login").status_code == 404
