"""The directory in jmbd against a real slapd: identities completed from LDAP
(every address, display name, groups) for header-trust and local users; who may
book ([booking] editor_filter / editor_groups: 403 on the routes and the API, no
"New meeting" button); secondary addresses replaced by the primary one; groups
(member, uniqueMember, memberUid, one level of nesting) and the legacy
subscribers file expanded before the max-guests rule; GET /api/v1/directory;
filter syntax in every value; a directory that is down answers 503 where it is
needed and booking with plain addresses goes on; after an outage the directory
is held down ([ldap] retry_after) and probed again; identities are kept for
[ldap] cache_ttl (a reload forgets them), failures are not kept."""
import signal
import time
from pathlib import Path

import pytest
import requests

from helpers import Page, rfc3339
from ldap_setup import EDITOR_FILTER, INJECTIONS, ldap_jmbd, trust_headers
from servers.slapd import SlapdServer

FIXTURE = (Path(__file__).parent / "servers" / "slapd-fixture.ldif").read_text()


def trust_jmbd(jmbd_factory, server, booking=None, ldap=None, name="jmbd"):
    return ldap_jmbd(jmbd_factory, server, plugins="header-trust", ldap=ldap, booking=booking,
                     name=name, **{"auth.header-trust": {"trusted_proxies": "127.0.0.1/32"}})


def create(d, login, **fields):
    body = {"title": "Directory meeting", "start": rfc3339(), "duration": 60, **fields}
    return requests.post(d.url + "/api/v1/meetings", headers=trust_headers(login), json=body)


def guests_of(r):
    return sorted(a["mail"] for a in r.json()["attendees"] if a["role"] == "guest")


@pytest.fixture
def proxied(jmbd_factory, slapd):
    return trust_jmbd(jmbd_factory, slapd)


@pytest.fixture
def own_slapd():
    with SlapdServer(FIXTURE) as server:
        yield server


# -- identity ------------------------------------------------------------------------

def test_header_trust_identity_is_completed(proxied):
    r = create(proxied, "chloe")
    assert r.status_code == 201, r.text
    assert r.json()["owner"] == {"login": "chloe", "mail": "chloe@example.org",
                                 "name": "Chloé Lefèvre"}
    page = requests.get(proxied.url + "/meetings", headers=trust_headers("eve"))
    assert "Ève Étienne" in Page(page.text).text


def test_meetings_sent_to_any_address_are_listed(jmbd_factory, slapd, tmp_path):
    """A meeting stored for a secondary address (before the directory was
    configured) shows in the list of the address's owner."""
    plain = jmbd_factory(name="shared", plugins="header-trust",
                         sections={"auth.header-trust": {"trusted_proxies": "127.0.0.1/32"}})
    r = requests.post(plain.url + "/api/v1/meetings",
                      headers={"X-Remote-User": "zed01", "X-Remote-Mail": "zed01@example.org"},
                      json={"title": "Old style", "start": rfc3339(), "duration": 60,
                            "guests": ["a.martin@example.org"]})
    assert r.status_code == 201, r.text
    plain.stop()
    d = trust_jmbd(jmbd_factory, slapd, name="shared")
    r = requests.get(d.url + "/api/v1/meetings", headers=trust_headers("alice"))
    assert [m["title"] for m in r.json()["meetings"]] == ["Old style"]


def test_local_users_are_completed_at_login(jmbd_factory, slapd):
    d = jmbd_factory(plugins="local", start=False, sections={"ldap": {
        "uri": slapd.uri, "base": slapd.base, "bind_dn": slapd.service_dn,
        "bind_password": slapd.service_password}})
    d.add_user("alice", "local-password", mail="alice.martin@example.org", name="A")
    d.start()
    s = d.session("alice", "local-password")
    r = s.post(d.url + "/api/v1/meetings", json={"title": "t", "start": rfc3339(),
                                                 "duration": 60})
    assert r.json()["owner"] == {"login": "alice", "mail": "alice@example.org",
                                 "name": "Alice Martin"}


# -- who may book --------------------------------------------------------------------

@pytest.mark.parametrize("booking", [{"editor_filter": EDITOR_FILTER},
                                     {"editor_groups": "staff, team"}])
def test_who_may_book(jmbd_factory, slapd, booking):
    d = trust_jmbd(jmbd_factory, slapd, booking=booking)
    # bob (affiliate) is in team through membership: only the filter refuses him.
    refused = ["dave"] if "editor_groups" in booking else ["bob", "dave"]
    allowed = ["alice", "chloe"] + ([] if "editor_groups" in booking else ["frank"])
    for login in allowed:
        assert requests.get(d.url + "/meetings/new", headers=trust_headers(login)).status_code == 200
        assert create(d, login).status_code == 201
    for login in refused:
        h = trust_headers(login)
        page = requests.get(d.url + "/meetings", headers=h)
        assert page.status_code == 200
        assert "/meetings/new" not in page.text  # no "New meeting" button
        r = requests.get(d.url + "/meetings/new", headers=h)
        assert r.status_code == 403
        assert "You may not book meetings" in Page(r.text).text
        assert create(d, login).status_code == 403
        r = requests.post(d.url + "/meetings", headers=h, data={"title": "x"})
        assert r.status_code == 403
    # Those who may not book still see what they are invited to.
    assert create(d, "alice", guests=[f"{refused[0]}@example.org"]).status_code == 201
    r = requests.get(d.url + "/api/v1/meetings", headers=trust_headers(refused[0]))
    assert len(r.json()["meetings"]) == 1


def test_editor_filter_with_filter_syntax_in_the_login(jmbd_factory, slapd):
    d = trust_jmbd(jmbd_factory, slapd, booking={"editor_filter": EDITOR_FILTER})
    for login in INJECTIONS:
        assert create(d, login).status_code == 403, login
    assert create(d, "star*").status_code == 201


# -- normalisation and lists ---------------------------------------------------------

def test_secondary_addresses_become_primary(proxied):
    r = create(proxied, "eve", guests=["Chloe.Lefevre@Example.org", "A.MARTIN@example.org",
                                       "someone@else.example.net"],
               moderators=["b.bernard@example.org"])
    assert r.status_code == 201, r.text
    assert guests_of(r) == ["alice@example.org", "chloe@example.org", "someone@else.example.net"]
    assert [a["mail"] for a in r.json()["attendees"] if a["role"] == "moderator"] == \
        ["bob@example.org"]


def test_inviting_oneself_by_a_secondary_address_is_refused(proxied):
    r = create(proxied, "alice", guests=["a.martin@example.org"])
    assert r.status_code == 422
    assert "yourself" in r.json()["fields"]["guests"]


def test_groups_expand_into_members(proxied):
    r = create(proxied, "dave", guests=["team@lists.example.org"])
    assert r.status_code == 201, r.text
    # team = bob + staff (alice, chloe): nested one level.
    assert guests_of(r) == ["alice@example.org", "bob@example.org", "chloe@example.org"]
    r = create(proxied, "alice", guests=["devs@lists.example.org", "reviewers@lists.example.org"])
    assert r.status_code == 201, r.text
    # memberUid (eve, bob; an unknown uid skipped) and uniqueMember (dave, eve once).
    assert guests_of(r) == ["bob@example.org", "dave@example.org", "eve@example.org"]


def test_the_owner_is_left_out_of_a_list(proxied):
    r = create(proxied, "alice", guests=["staff@lists.example.org"])
    assert r.status_code == 201, r.text
    assert guests_of(r) == ["chloe@example.org"]


def test_max_guests_counts_after_expansion(jmbd_factory, slapd):
    d = trust_jmbd(jmbd_factory, slapd, booking={"max_guests": "2"})
    r = create(d, "dave", guests=["team@lists.example.org"])
    assert r.status_code == 422
    assert "At most 2 guests" in r.json()["fields"]["guests"]
    assert create(d, "dave", guests=["staff@lists.example.org"]).status_code == 201


def test_legacy_subscribers_file(jmbd_factory, slapd, tmp_path):
    subscribers = tmp_path / "subscribers"
    subscribers.write_text("# list subscriber\nproject@lists.example.org ann@partner.example.net\n"
                           "project@lists.example.org Bob@Example.org\n"
                           "other@lists.example.org zed02@example.org\n")
    d = trust_jmbd(jmbd_factory, slapd, booking={"subscribers_file": str(subscribers)})
    r = create(d, "alice", guests=["PROJECT@lists.example.org"])
    assert r.status_code == 201, r.text
    assert guests_of(r) == ["ann@partner.example.net", "bob@example.org"]


def test_lists_without_a_directory(jmbd_factory, tmp_path):
    subscribers = tmp_path / "subscribers"
    subscribers.write_text("project@lists.example.org ann@example.net\n")
    d = jmbd_factory(plugins="header-trust", sections={
        "auth.header-trust": {"trusted_proxies": "127.0.0.1/32"},
        "booking": {"subscribers_file": str(subscribers)}})
    r = create(d, "alice", guests=["project@lists.example.org"])
    assert guests_of(r) == ["ann@example.net"]


# -- autocomplete --------------------------------------------------------------------

def search(d, q, login="alice"):
    return requests.get(d.url + "/api/v1/directory", params={"q": q},
                        headers=trust_headers(login) if login else {})


def test_autocomplete_people_groups_and_externals(proxied):
    r = search(proxied, "chlo")
    assert r.status_code == 200
    assert r.json() == {"results": [{"name": "Chloé Lefèvre", "mail": "chloe@example.org",
                                     "kind": "person"}]}
    kinds = {x["mail"]: x["kind"] for x in search(proxied, "lists.example").json()["results"]}
    assert kinds["team@lists.example.org"] == "group"
    assert kinds["staff@lists.example.org"] == "group"
    assert search(proxied, "zoë").json()["results"] == [
        {"name": "Zoë Partner", "mail": "zoe@partner.example.net", "kind": "external"}]
    assert search(proxied, "ÉTIENNE").json()["results"][0]["mail"] == "eve@example.org"


def test_autocomplete_limits(proxied):
    assert len(search(proxied, "zed").json()["results"]) == 20
    assert search(proxied, "z").status_code == 400
    assert search(proxied, "").status_code == 400
    assert search(proxied, "x" * 101).status_code == 400
    assert search(proxied, "chlo", login=None).status_code == 401


@pytest.mark.parametrize("q", ["**", ")(uid=*", "*)(|(objectClass=*", "\\\\", "\\2a", "(|(mail=*))"])
def test_autocomplete_filter_syntax_is_text(proxied, q):
    r = search(proxied, q)
    assert r.status_code == 200, r.text
    assert r.json()["results"] == []


def test_autocomplete_refuses_nul_and_non_utf8(proxied):
    for raw in ("ch%00lo", "ch%FFlo"):
        r = requests.get(proxied.url + "/api/v1/directory?q=" + raw, headers=trust_headers("alice"))
        assert r.status_code == 400, raw


def test_autocomplete_without_a_directory_is_empty(jmbd_factory):
    d = jmbd_factory(plugins="header-trust", sections={
        "auth.header-trust": {"trusted_proxies": "127.0.0.1/32"}})
    assert search(d, "chlo").json() == {"results": []}


# -- the directory goes away ---------------------------------------------------------

def test_directory_down_mid_test(jmbd_factory, own_slapd):
    # retry_after = 0: no hold-down, the directory is asked again at once.
    d = trust_jmbd(jmbd_factory, own_slapd, ldap={"timeout": "1", "retry_after": "0"},
                   booking={"editor_filter": EDITOR_FILTER})
    assert search(d, "chlo").status_code == 200
    own_slapd.stop()
    r = search(d, "chlo")
    assert r.status_code == 503
    assert "directory is unavailable" in r.json()["error"]
    # Booking rights cannot be checked: a clear 503, not a 403.
    r = requests.get(d.url + "/meetings/new", headers=trust_headers("alice"))
    assert r.status_code == 503
    assert "directory is unavailable" in Page(r.text).text
    # Lists and pages that do not need the directory keep working.
    assert requests.get(d.url + "/meetings", headers=trust_headers("alice")).status_code == 200
    own_slapd.start()
    assert search(d, "chlo").status_code == 200


def test_booking_with_plain_addresses_without_the_directory(jmbd_factory, own_slapd):
    d = trust_jmbd(jmbd_factory, own_slapd, ldap={"timeout": "1"})
    own_slapd.stop()
    r = create(d, "alice", guests=["someone@else.example.net", "b.bernard@example.org"])
    assert r.status_code == 201, r.text
    # Without the directory the address stays as typed.
    assert guests_of(r) == ["b.bernard@example.org", "someone@else.example.net"]
    assert "directory_unavailable" in d.log()


def test_frozen_directory_answers_503_after_timeout(jmbd_factory, own_slapd):
    d = trust_jmbd(jmbd_factory, own_slapd, ldap={"timeout": "1"})
    assert search(d, "chlo").status_code == 200
    own_slapd.pause()
    try:
        started = time.monotonic()
        r = search(d, "chlo")
        elapsed = time.monotonic() - started
    finally:
        own_slapd.resume()
    assert r.status_code == 503
    assert elapsed < 8, elapsed


def timed_search(d):
    started = time.monotonic()
    r = search(d, "chlo")
    return r.status_code, time.monotonic() - started


def test_frozen_directory_is_held_down_then_probed_again(jmbd_factory, own_slapd):
    d = trust_jmbd(jmbd_factory, own_slapd, ldap={"timeout": "1", "retry_after": "3"},
                   booking={"editor_filter": EDITOR_FILTER})
    assert search(d, "chlo").status_code == 200
    own_slapd.pause()
    try:
        # One request waits [ldap] timeout; then every call fails at once.
        status, elapsed = timed_search(d)
        assert status == 503
        assert 0.9 <= elapsed < 4, elapsed
        for _ in range(5):
            status, elapsed = timed_search(d)
            assert status == 503
            assert elapsed < 0.5, elapsed
        started = time.monotonic()
        r = requests.get(d.url + "/meetings/new", headers=trust_headers("alice"))
        assert r.status_code == 503
        assert "directory is unavailable" in Page(r.text).text
        assert time.monotonic() - started < 0.5
    finally:
        own_slapd.resume()
    # slapd answers again, but it is left alone until retry_after is over.
    assert timed_search(d)[0] == 503
    time.sleep(3.2)
    assert search(d, "chlo").status_code == 200
    assert requests.get(d.url + "/meetings/new", headers=trust_headers("alice")).status_code == 200
    # Logged once each way, not once per request.
    log = d.log()
    assert log.count("event=directory_unavailable") == 1, log
    assert "retry_after=3" in log
    assert log.count("event=directory_available") == 1, log


# -- the identity cache --------------------------------------------------------------

def owner(d, login, **headers):
    r = requests.post(d.url + "/api/v1/meetings", headers={**trust_headers(login), **headers},
                      json={"title": "Who am I", "start": rfc3339(), "duration": 60})
    assert r.status_code == 201, r.text
    return r.json()["owner"]


def rename_alice(server, name, mail):
    server.ldapmodify(f"dn: uid=alice,ou=people,{server.base}\nchangetype: modify\n"
                      f"replace: displayName\ndisplayName: {name}\n-\n"
                      f"replace: mail\nmail: {mail}\n")


def reload(d):
    before = d.log().count("event=reloaded")
    d.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while d.log().count("event=reloaded") == before:
        assert time.monotonic() < deadline, d.log()
        time.sleep(0.05)


ALICE = {"login": "alice", "mail": "alice@example.org", "name": "Alice Martin"}
RENAMED = {"login": "alice", "mail": "alice.new@example.org", "name": "Alice Nouvelle"}


def test_identities_are_kept_until_a_reload(jmbd_factory, own_slapd):
    d = trust_jmbd(jmbd_factory, own_slapd)  # cache_ttl: 60 s by default
    assert owner(d, "alice") == ALICE
    rename_alice(own_slapd, RENAMED["name"], RENAMED["mail"])
    # Not asked again: what the directory said a moment ago still holds.
    assert owner(d, "alice") == ALICE
    reload(d)
    assert owner(d, "alice") == RENAMED


def test_identities_expire_after_cache_ttl(jmbd_factory, own_slapd):
    d = trust_jmbd(jmbd_factory, own_slapd, ldap={"cache_ttl": "1"})
    assert owner(d, "alice") == ALICE
    rename_alice(own_slapd, RENAMED["name"], RENAMED["mail"])
    time.sleep(1.2)
    assert owner(d, "alice") == RENAMED


def test_cache_ttl_zero_asks_every_time(jmbd_factory, own_slapd):
    d = trust_jmbd(jmbd_factory, own_slapd, ldap={"cache_ttl": "0"})
    assert owner(d, "alice") == ALICE
    rename_alice(own_slapd, RENAMED["name"], RENAMED["mail"])
    assert owner(d, "alice") == RENAMED


def test_unknown_users_are_kept_for_a_short_while(jmbd_factory, own_slapd):
    d = trust_jmbd(jmbd_factory, own_slapd)
    proxy = {"X-Remote-Mail": "newbie@proxy.example.net", "X-Remote-Name": "From Proxy"}
    as_proxy_said = {"login": "newbie", "mail": "newbie@proxy.example.net", "name": "From Proxy"}
    assert owner(d, "newbie", **proxy) == as_proxy_said
    own_slapd.ldapmodify(f"dn: uid=newbie,ou=people,{own_slapd.base}\nchangetype: add\n"
                         "objectClass: inetOrgPerson\nuid: newbie\ncn: New Bie\nsn: Bie\n"
                         "displayName: New Bie\nmail: newbie@example.org\n")
    # "No such user" is kept too (for at most 10 s, far more than this takes).
    assert owner(d, "newbie", **proxy) == as_proxy_said
    reload(d)
    assert owner(d, "newbie", **proxy) == {"login": "newbie", "mail": "newbie@example.org",
                                           "name": "New Bie"}


def test_directory_failures_are_not_kept(jmbd_factory, own_slapd):
    d = trust_jmbd(jmbd_factory, own_slapd, ldap={"timeout": "1", "retry_after": "0"})
    proxy = {"X-Remote-Mail": "alice@proxy.example.net", "X-Remote-Name": "From Proxy"}
    own_slapd.stop()
    # Unavailable: the identity stays as the proxy told it, and nothing is kept.
    assert owner(d, "alice", **proxy) == {"login": "alice", "mail": "alice@proxy.example.net",
                                          "name": "From Proxy"}
    own_slapd.start()
    assert owner(d, "alice", **proxy) == ALICE
