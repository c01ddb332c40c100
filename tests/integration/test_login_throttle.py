"""The password-guessing throttle in front of the login forms: free tries, then
doubling waits answered 429 with Retry-After and a page saying how long (in
the visitor's language), then a lock, one alert line per lock, /metrics
counters; the password is not even checked while a client must wait; other
addresses of the same account are never locked out, only slowed down past the
per-account ceiling; a success clears the client's count; counts live in the
store, so every instance (SQLite or PostgreSQL) sees them; the ldap-bind form
is throttled the same way."""
import re
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from conftest import csrf_of
from helpers import Page
from jmb_links import jmbd_sharing, pg_database, sqlite_query
from ldap_setup import ldap_jmbd

# Small figures so that a test reaches the lock in seconds: two free tries,
# then 1 s, then the lock at the fourth failure.
SMALL = {"login_free_tries": "2", "login_lock_after": "4", "login_lock_time": "600"}


def local_jmbd(jmbd_factory, auth=None, **kwargs):
    d = jmbd_factory(start=False, sections={"auth": {**SMALL, **(auth or {})}}, **kwargs)
    d.add_user("alice", "alice-password")
    return d.start()


def attempt(d, login, password, client=None, lang="en", plugin="local"):
    """One try through the login form from `client` (an X-Forwarded-For
    address: the test client is the trusted local proxy), in a fresh browser."""
    s = requests.Session()
    headers = {"Accept-Language": lang}
    if client is not None:
        headers["X-Forwarded-For"] = client
    page = s.get(f"{d.url}/auth/{plugin}/login", headers=headers)
    return s.post(f"{d.url}/auth/{plugin}/login", allow_redirects=False, headers=headers,
                  data={"csrf": csrf_of(page.text), "login": login, "password": password,
                        "next": "/meetings"})


def at_second_start():
    """Waits for the clock's next second: the store counts whole seconds, so a
    1 s wait ends when the second changes, which must not fall between the two
    tries a test makes in a row."""
    time.sleep(1.02 - time.time() % 1)


def metric(d, name):
    text = requests.get(d.url + "/metrics").text
    m = re.search(rf"^{name} (\d+)", text, re.M)
    return int(m.group(1)) if m else 0


def test_waits_grow_then_lock_and_the_password_is_not_checked(jmbd_factory):
    d = local_jmbd(jmbd_factory)
    assert attempt(d, "alice", "wrong").status_code == 401
    at_second_start()
    assert attempt(d, "alice", "wrong").status_code == 401
    r = attempt(d, "alice", "wrong")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"
    assert "Too many failed logins. Please wait 1 s before trying again." in Page(r.text).text
    assert 'name="password"' in r.text  # the form, to try again later
    time.sleep(1)
    at_second_start()
    assert attempt(d, "alice", "wrong").status_code == 401  # the third failure: wait 2 s
    r = attempt(d, "alice", "wrong")
    assert r.status_code == 429 and r.headers["Retry-After"] in ("1", "2")
    time.sleep(2.1)
    assert attempt(d, "alice", "wrong").status_code == 401  # the fourth: locked
    # While locked even the right password is refused: it is not checked.
    for lang, text in (("en", "Please wait 10 min before trying again."),
                       ("fr", "Veuillez patienter 10 min avant de réessayer.")):
        r = attempt(d, "alice", "alice-password", lang=lang)
        assert r.status_code == 429
        assert 595 <= int(r.headers["Retry-After"]) <= 600
        assert text in Page(r.text).text
        assert "jmb_session" not in r.headers.get("Set-Cookie", "")
    log = d.log()
    assert log.count("event=login_locked") == 1, log
    assert "login=alice" in log and "client=127.0.0.1" in log
    assert metric(d, "jmb_login_locks_total") == 1
    assert metric(d, "jmb_login_throttled_total") == 4
    assert 'jmb_logins_total{outcome="failure"} 4' in requests.get(d.url + "/metrics").text


def test_unknown_users_are_throttled_alike(jmbd_factory):
    d = local_jmbd(jmbd_factory)
    at_second_start()
    known = [attempt(d, "alice", "wrong", client="192.0.2.1") for _ in range(3)]
    at_second_start()
    unknown = [attempt(d, "mallory", "wrong", client="192.0.2.1") for _ in range(3)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [401, 401, 429]
    assert known[2].headers["Retry-After"] == unknown[2].headers["Retry-After"]


def test_a_lock_binds_one_address_not_the_account(jmbd_factory):
    d = local_jmbd(jmbd_factory, auth={"login_free_tries": "1", "login_lock_after": "2"})
    attempt(d, "Alice", "wrong", client="198.51.100.7")
    time.sleep(1.1)
    assert attempt(d, "ALICE", "wrong", client="198.51.100.7").status_code == 401
    # Locked, whatever the case of the login typed...
    assert attempt(d, "alice", "alice-password", client="198.51.100.7").status_code == 429
    # ...but from her own address she logs in at once.
    assert attempt(d, "alice", "alice-password", client="192.0.2.44").status_code == 303
    # Another host of the locked client's IPv6 /64 is the same client.
    attempt(d, "alice", "wrong", client="2001:db8:1:2::10")
    time.sleep(1.1)
    attempt(d, "alice", "wrong", client="2001:db8:1:2::10")
    assert attempt(d, "alice", "alice-password", client="2001:db8:1:2::99").status_code == 429
    assert attempt(d, "alice", "alice-password", client="2001:db8:1:3::10").status_code == 303


def test_forwarded_for_is_believed_from_trusted_proxies_only(jmbd_factory):
    d = local_jmbd(jmbd_factory, auth={"login_trusted_proxies": "192.0.2.1/32"})
    at_second_start()
    for client in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        r = attempt(d, "alice", "wrong", client=client)
    # Every try counted for the real peer, whatever address it claimed.
    assert r.status_code == 429


def test_a_success_clears_the_clients_count(jmbd_factory):
    d = local_jmbd(jmbd_factory)
    assert attempt(d, "alice", "wrong").status_code == 401
    assert attempt(d, "alice", "alice-password").status_code == 303
    at_second_start()
    assert attempt(d, "alice", "wrong").status_code == 401
    # Without the clearing this would be the third failure in a row: a wait.
    assert attempt(d, "alice", "wrong").status_code == 401
    assert attempt(d, "alice", "wrong").status_code == 429


def test_expired_forms_do_not_count(jmbd_factory):
    d = local_jmbd(jmbd_factory)
    for _ in range(4):
        r = requests.post(d.url + "/auth/local/login", allow_redirects=False,
                          data={"csrf": "forged", "login": "alice", "password": "wrong"})
        assert r.status_code == 403
    assert attempt(d, "alice", "alice-password").status_code == 303


def test_the_account_ceiling_slows_down_but_never_locks(jmbd_factory):
    d = local_jmbd(jmbd_factory, auth={"login_free_tries": "5", "login_lock_after": "10",
                                       "login_account_ceiling": "3"})
    for i in range(4):  # a botnet: one failure from each of many addresses
        assert attempt(d, "alice", "wrong", client=f"203.0.113.{i}").status_code == 401
    assert d.log().count("event=login_account_slowed") == 1
    # Past the ceiling a client's first try still goes through: never locked out.
    assert attempt(d, "alice", "alice-password", client="192.0.2.50").status_code == 303
    # But no failure is free any more: every client waits after its first one.
    at_second_start()
    assert attempt(d, "alice", "wrong", client="203.0.113.99").status_code == 401
    r = attempt(d, "alice", "wrong", client="203.0.113.99")
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    # Other accounts are not concerned.
    assert attempt(d, "bob", "wrong", client="203.0.113.99").status_code == 401
    assert attempt(d, "bob", "wrong", client="203.0.113.99").status_code == 401
    assert d.log().count("event=login_account_slowed") == 1


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_instances_share_the_counts_and_locks_end(jmbd_factory, request, store):
    kwargs = {}
    if store == "postgresql":
        kwargs = {"store": "postgresql", "conninfo": pg_database(request.getfixturevalue("postgres"))}
    a = local_jmbd(jmbd_factory, auth={"login_free_tries": "1", "login_lock_after": "2"}, **kwargs)
    b = jmbd_sharing(jmbd_factory, a, "b")
    at_second_start()
    assert attempt(a, "alice", "wrong").status_code == 401
    assert attempt(b, "alice", "wrong").status_code == 429  # a's failure is b's too
    time.sleep(1.1)
    assert attempt(b, "alice", "wrong").status_code == 401  # locked for 600 s
    assert attempt(a, "alice", "alice-password").status_code == 429
    # An instance whose clock reads 601 s later sees the lock over.
    later = jmbd_sharing(jmbd_factory, a, "later",
                         at=datetime.now(timezone.utc) + timedelta(seconds=601))
    assert attempt(later, "alice", "alice-password").status_code == 303


def test_purge_deletes_forgotten_failures(jmbd_factory):
    d = local_jmbd(jmbd_factory)
    attempt(d, "alice", "wrong")
    db = d.dir / "jmb.db"
    assert sqlite_query(db, "SELECT failures FROM login_failures") == [["1"]]
    # Nothing kept is an account's login in clear.
    assert "alice" not in str(sqlite_query(db, "SELECT account, address FROM login_failures"))
    out = d.jmbctl("purge").stdout
    assert "0 forgotten login failures deleted" in out
    subprocess.run(["sqlite3", str(db), "UPDATE login_failures SET expires_at = 1"], check=True,
                   timeout=30)
    assert "1 forgotten login failures deleted" in d.jmbctl("purge").stdout


def test_ldap_bind_is_throttled_too(jmbd_factory, slapd):
    d = ldap_jmbd(jmbd_factory, slapd,
                  auth={"login_free_tries": "1", "login_lock_after": "2"})
    assert attempt(d, "chloe", "wrong", plugin="ldap-bind").status_code == 401
    time.sleep(1.1)
    assert attempt(d, "chloe", "wrong", plugin="ldap-bind").status_code == 401
    # Locked: the directory is not even asked.
    assert attempt(d, "chloe", "chloe-password", plugin="ldap-bind").status_code == 429
    assert d.log().count("event=login_locked plugin=ldap-bind") == 1
    r = attempt(d, "chloe", "chloe-password", plugin="ldap-bind", client="192.0.2.80")
    assert r.status_code == 303
