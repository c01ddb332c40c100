"""Cross-site request forgery: form tokens are bound to the session (before a
login, to the browser's own cookie and the identity a proxy vouches for), so a
cookie and token pair an attacker planted (from a sibling subdomain, or over
plain http, where cookies have no __Host- prefix) cannot be used with a
victim's session."""
import pytest
import requests

from conftest import csrf_of
from helpers import Page
from jmb_links import bearer

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
