"""Cross-site request forgery: form tokens are bound to the session (before a
login, to the browser's own cookie and the identity a proxy vouches for), so a
cookie and token pair an attacker planted (from a sibling subdomain, or over
plain http, where cookies have no __Host- prefix) cannot be used with a
victim's session; and every cookie-authenticated state-changing request from
another origin (Origin, Sec-Fetch-Site) is refused with a readable 403, the
login form included. Same-origin requests and bearer-token API calls work."""
import pytest
import requests

from conftest import csrf_of
from helpers import Page
from jmb_links import bearer

ELSEWHERE = "This request came from another site and was refused."


def feed_url(d, login):
    r = bearer(d, login).get(d.url + "/api/v1/me/feed")
    assert r.status_code == 200, r.text
    return r.json()["url"]


def own_pair(d, session=None):
    """The CSRF cookie and form token a browser (the attacker's) gets."""
    s = session or requests.Session()
    html = s.get(d.url + ("/meetings" if session else "/auth/local/login")).text
    return s.cookies["jmb_csrf"], csrf_of(html)


def victim_post(d, victim, path, pair, data=None, headers=None):
    """A POST from the victim's browser holding the attacker's planted CSRF
    cookie (a cookie without __Host- can be set by a sibling subdomain)."""
    cookie, token = pair
    jar = {"jmb_session": victim.cookies["jmb_session"], "jmb_csrf": cookie}
    return requests.post(d.url + path, cookies=jar, allow_redirects=False, headers=headers,
                         data={"csrf": token, **(data or {})})


@pytest.mark.parametrize("attacker", ["anonymous", "logged-in"])
def test_planted_cookie_and_token_fail_against_a_victims_session(jmbd, attacker):
    alice = jmbd.session("alice", "alice-password")
    before = feed_url(jmbd, "alice")
    mallory = jmbd.session("bob", "bob-password") if attacker == "logged-in" else None
    r = victim_post(jmbd, alice, "/me/feed/rotate", own_pair(jmbd, mallory))
    assert r.status_code == 403
    assert "This form has expired or did not come from this site." in Page(r.text).text
    assert feed_url(jmbd, "alice") == before
    # The victim's own token, from her own page, still works.
    r = alice.post(jmbd.url + "/me/feed/rotate", allow_redirects=False,
                   data={"csrf": csrf_of(alice.get(jmbd.url + "/meetings").text)})
    assert r.status_code == 303
    assert feed_url(jmbd, "alice") != before


def test_a_token_from_before_the_login_does_not_outlive_it(jmbd):
    s = requests.Session()
    early = csrf_of(s.get(jmbd.url + "/auth/local/login").text)
    r = s.post(jmbd.url + "/auth/local/login", allow_redirects=False,
               data={"csrf": early, "login": "alice", "password": "alice-password"})
    assert r.status_code == 303
    r = s.post(jmbd.url + "/me/feed/rotate", data={"csrf": early}, allow_redirects=False)
    assert r.status_code == 403


def test_planted_pair_fails_for_an_identity_from_the_proxy(jmbd_factory):
    """With header-trust there is no jmbd session: the token is bound to the
    browser's cookie and the login the proxy vouches for."""
    d = jmbd_factory(plugins="header-trust",
                     sections={"auth.header-trust": {"trusted_proxies": "127.0.0.1/32"}})
    mallory = requests.Session()
    html = mallory.get(d.url + "/meetings", headers={"X-Remote-User": "mallory"}).text
    cookie, token = mallory.cookies["jmb_csrf"], csrf_of(html)
    dave = {"X-Remote-User": "dave", "X-Remote-Mail": "dave@example.org"}
    before = requests.get(d.url + "/api/v1/me/feed", headers=dave).json()["url"]
    r = requests.post(d.url + "/me/feed/rotate", allow_redirects=False, headers=dave,
                      cookies={"jmb_csrf": cookie}, data={"csrf": token})
    assert r.status_code == 403
    assert requests.get(d.url + "/api/v1/me/feed", headers=dave).json()["url"] == before
    # Dave's own pair works.
    s = requests.Session()
    token = csrf_of(s.get(d.url + "/meetings", headers=dave).text)
    r = s.post(d.url + "/me/feed/rotate", allow_redirects=False, headers=dave,
               data={"csrf": token})
    assert r.status_code == 303


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null", "Sec-Fetch-Site": "cross-site"},  # a sandboxed frame
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain
    {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
])
def test_cross_origin_posts_are_refused(jmbd, headers):
    alice = jmbd.session("alice", "alice-password")
    before = feed_url(jmbd, "alice")
    token = csrf_of(alice.get(jmbd.url + "/meetings").text)
    r = alice.post(jmbd.url + "/me/feed/rotate", data={"csrf": token}, headers=headers,
                   allow_redirects=False)
    assert r.status_code == 403
    assert r.headers["Content-Type"].startswith("text/html")
    assert ELSEWHERE in Page(r.text).text
    assert feed_url(jmbd, "alice") == before
    # The cookie-authenticated API is refused alike, in JSON.
    r = alice.post(jmbd.url + "/api/v1/me/feed/rotate", json={}, headers=headers)
    assert r.status_code == 403
    assert ELSEWHERE in r.json()["error"]
    assert feed_url(jmbd, "alice") == before


def test_the_refusal_speaks_the_visitors_language(jmbd):
    alice = jmbd.session("alice", "alice-password")
    token = csrf_of(alice.get(jmbd.url + "/meetings").text)
    r = alice.post(jmbd.url + "/me/feed/rotate", data={"csrf": token}, allow_redirects=False,
                   headers={"Sec-Fetch-Site": "cross-site", "Accept-Language": "fr"})
    assert r.status_code == 403
    assert "Cette requête venait d’un autre site et a été refusée." in Page(r.text).text


def test_same_origin_posts_work(jmbd):
    alice = jmbd.session("alice", "alice-password")
    # Chromium posts jmb's own forms with Origin: null (Referrer-Policy:
    # no-referrer) and Sec-Fetch-Site: same-origin.
    for headers in ({"Origin": "null", "Sec-Fetch-Site": "same-origin"},
                    {"Origin": jmbd.url, "Sec-Fetch-Site": "same-origin"},
                    {"Origin": jmbd.url.upper().replace("HTTP://", "http://")},
                    {"Sec-Fetch-Site": "none"}, {}):
        before = feed_url(jmbd, "alice")
        token = csrf_of(alice.get(jmbd.url + "/meetings").text)
        r = alice.post(jmbd.url + "/me/feed/rotate", data={"csrf": token}, headers=headers,
                       allow_redirects=False)
        assert r.status_code == 303, (headers, r.text)
        assert feed_url(jmbd, "alice") != before


def test_default_port_of_public_url_is_its_origin(jmbd_factory):
    d = jmbd_factory(start=False, sections={"server": {"public_url": "https://jmb.example.org:443/"}})
    d.add_user("alice", "alice-password")
    d.start()
    page = requests.get(d.url + "/auth/local/login")
    cookie = page.headers["Set-Cookie"].split(";")[0].split("=", 1)
    r = requests.post(d.url + "/auth/local/login", allow_redirects=False,
                      headers={"Origin": "https://jmb.example.org"}, cookies={cookie[0]: cookie[1]},
                      data={"csrf": csrf_of(page.text), "login": "alice",
                            "password": "alice-password"})
    assert r.status_code == 303


def test_bearer_api_calls_are_not_cookie_authenticated(jmbd):
    before = feed_url(jmbd, "alice")
    r = bearer(jmbd, "alice").post(jmbd.url + "/api/v1/me/feed/rotate",
                                   headers={"Origin": "https://evil.example",
                                            "Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 200, r.text
    assert r.json()["url"] != before


def test_login_csrf_is_refused(jmbd):
    """The attacker logs the victim's browser into the attacker's account (so
    that what the victim books lands there): with the attacker's planted
    cookie and token, from the attacker's page."""
    cookie, token = own_pair(jmbd)
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "same-site"},
                    {"Sec-Fetch-Site": "cross-site"}):
        r = requests.post(jmbd.url + "/auth/local/login", allow_redirects=False, headers=headers,
                          cookies={"jmb_csrf": cookie},
                          data={"csrf": token, "login": "bob", "password": "bob-password"})
        assert r.status_code == 403, headers
        assert "jmb_session" not in r.headers.get("Set-Cookie", "")
    # A victim's browser with its own cookie cannot use the attacker's token at all.
    victim = requests.Session()
    victim.get(jmbd.url + "/auth/local/login")
    r = victim.post(jmbd.url + "/auth/local/login", allow_redirects=False,
                    data={"csrf": token, "login": "bob", "password": "bob-password"})
    assert r.status_code == 403
    # The login form from this site still works, and forms refused this way did
    # not count as password failures.
    r = requests.Session()
    page = r.get(jmbd.url + "/auth/local/login")
    resp = r.post(jmbd.url + "/auth/local/login", allow_redirects=False,
                  headers={"Origin": jmbd.url, "Sec-Fetch-Site": "same-origin"},
                  data={"csrf": csrf_of(page.text), "login": "bob", "password": "bob-password"})
    assert resp.status_code == 303
