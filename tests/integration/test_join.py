"""Joining rooms. /start/<room> runs the legacy token.cgi chain: a booked
meeting may be started by its owner or an internal moderator (a logged-in user
whose address is a moderator's) from start_early (15 min) before its start
until its end, and is refused with a 403 page saying why too early, after the
end, to a guest and to an unrelated user; the private room named after the
user's login is theirs alone and counted (private_rooms = no turns it off); an
unknown room is refused unless allow_adhoc_rooms = yes. /j/<token> is the
personal link: guests go to the room without a token, external moderators with
a token built from their stored address, moderators in [mail] local_domains go
through /start/<room>; unknown links are 404, cancelled or finished meetings
410; every visit adds one to the invitee's join counter, atomically: 50
concurrent visits of one link give 50 redirects and a counter of exactly 50 on
SQLite and on PostgreSQL. jmbd's clock is moved with JMB_TEST_TIME_OFFSET (one
jmbd per time position, all on one store) instead of sleeping."""
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import jwt
import pytest
import requests

from jmb_links import (attendee, book, joins_written, delete, end_of, get, jmbd_sharing, location, page_text,
                       pg_database, room_redirect, slot, sqlite_query, start_of, token_of, view)

USERS = ("alice", "bob", "carol", "dan")
TOO_EARLY = "This meeting cannot be opened yet: it opens a few minutes before its start."
OVER = "This meeting is over."
NOT_STARTER = "Only the organiser and the moderators of this meeting can start it."
NOT_BOOKED = "This room is not booked."


def claims_of(token):
    """The verified claims; their times were minted on jmbd's moved clock (test_tokens
    checks them)."""
    return jwt.decode(token, "test-secret-0123456789", algorithms=["HS256"], audience="jmb",
                      options={"verify_exp": False, "verify_nbf": False, "verify_iat": False})


@pytest.fixture
def site(jmbd_factory):
    """A jmbd with users alice, bob, carol and dan (all @example.org)."""
    def make(name="jmbd", sections=None, **kwargs):
        d = jmbd_factory(name, start=False, sections=sections, **kwargs)
        for user in USERS:
            d.add_user(user, f"{user}-password")
        return d.start()
    return make


@pytest.fixture
def booked(site):
    """(jmbd, meeting): alice's meeting in two days, 60 min, carol and an external
    address as moderators, bob and an external address as guests."""
    d = site()
    m = book(d, start=slot(hours=48), duration=60,
             moderators=["carol@example.org", "ext.mod@partner.example"],
             guests=["bob@example.org", "guest@outside.example"])
    return d, m


def refused(r, reason, status=403):
    assert r.status_code == status, (r.status_code, r.headers.get("Location"), r.text[:300])
    assert "Location" not in r.headers
    assert reason in page_text(r.text), page_text(r.text)[:500]


def start(d, login, room):
    s = d.session(login, f"{login}-password")
    return s.get(f"{d.url}/start/{room}", allow_redirects=False)


# -- /start/<room>: booked meetings, by time ----------------------------------

@pytest.mark.parametrize("offset, allowed, reason", [
    (timedelta(minutes=-16), False, TOO_EARLY),
    (timedelta(minutes=-15, seconds=30), True, None),
    (timedelta(minutes=0), True, None),
    (timedelta(minutes=59), True, None),
    (timedelta(minutes=60, seconds=30), False, OVER),
    (timedelta(days=3), False, OVER),
], ids=["16-min-before", "14.5-min-before", "at-start", "1-min-before-end", "just-after-end",
        "days-after"])
def test_owner_may_start_from_15_min_before_until_the_end(booked, jmbd_factory, offset, allowed,
                                                          reason):
    base, m = booked
    d = jmbd_sharing(jmbd_factory, base, "clock", at=start_of(m) + offset)
    for login in ("alice", "carol"):  # the owner and an internal moderator
        r = start(d, login, m["room"])
        if allowed:
            room, token = room_redirect(r)
            assert room == m["room"]
            user = claims_of(token)["context"]["user"]
            assert (user["id"], user["moderator"]) == (login, True)
        else:
            refused(r, reason)


def test_guests_and_unrelated_users_may_not_start(booked, jmbd_factory):
    base, m = booked
    d = jmbd_sharing(jmbd_factory, base, "clock", at=start_of(m) - timedelta(minutes=5))
    refused(start(d, "bob", m["room"]), NOT_STARTER)   # a guest, even logged in
    refused(start(d, "dan", m["room"]), NOT_STARTER)   # not invited at all
    room, _ = room_redirect(start(d, "alice", m["room"]))  # the same instant, the owner
    assert room == m["room"]


def test_start_needs_a_login(booked):
    d, m = booked
    r = get(f"{d.url}/start/{m['room']}")
    assert r.status_code in (302, 303), r.status_code
    assert location(r).startswith("/auth/local/login")
    assert "meet.example.org" not in location(r)


def test_deleted_meeting_cannot_be_started(booked, jmbd_factory):
    base, m = booked
    delete(base, m)
    d = jmbd_sharing(jmbd_factory, base, "clock", at=start_of(m))
    refused(start(d, "alice", m["room"]), NOT_BOOKED)


# -- /start/<room>: private and unknown rooms -----------------------------------

def private_uses(d, login):
    rows = sqlite_query(d.dir / "jmb.db", f"SELECT uses FROM private_rooms WHERE login = '{login}'")
    return int(rows[0][0]) if rows else 0


def test_private_room_is_the_users_own_and_counted(site):
    d = site()
    for expected in (1, 2):
        room, token = room_redirect(start(d, "alice", "alice"))
        assert room == "alice"
        user = claims_of(token)["context"]["user"]
        assert (user["id"], user["moderator"], user["affiliation"]) == ("alice", True, "owner")
        assert private_uses(d, "alice") == expected
    refused(start(d, "bob", "alice"), NOT_BOOKED)
    assert private_uses(d, "alice") == 2
    assert private_uses(d, "bob") == 0


def test_private_rooms_can_be_disabled(site):
    d = site(sections={"jitsi": {"private_rooms": "no"}})
    refused(start(d, "alice", "alice"), NOT_BOOKED)
    assert private_uses(d, "alice") == 0


def test_unknown_room_refused_unless_adhoc_rooms_allowed(site):
    d = site()
    refused(start(d, "alice", "someunbookedroom"), NOT_BOOKED)
    adhoc = site("adhoc", sections={"jitsi": {"allow_adhoc_rooms": "yes"}})
    room, token = room_redirect(start(adhoc, "alice", "SomeUnbookedRoom"))
    assert room == "someunbookedroom"
    assert claims_of(token)["room"] == "someunbookedroom"
    assert claims_of(token)["context"]["user"]["moderator"] is True
    # A booked room is still its owner's: ad-hoc rooms do not open it to others.
    m = book(adhoc, start=slot(hours=0.1))
    refused(start(adhoc, "dan", m["room"]), NOT_STARTER)
    assert room_redirect(start(adhoc, "alice", m["room"]))[0] == m["room"]


def test_invalid_room_names(site):
    d = site(sections={"jitsi": {"allow_adhoc_rooms": "yes"}})
    alice = d.session("alice", "alice-password")
    for room in ("a%20b", "r%C3%A9union", "x" * 65, "a%2Fb"):
        r = alice.get(f"{d.url}/start/{room}", allow_redirects=False)
        assert r.status_code == 404, (room, r.status_code, r.headers.get("Location"))


# -- /j/<token> -------------------------------------------------------------------

def test_guest_link_goes_to_the_room_without_token(booked):
    d, m = booked
    for mail in ("bob@example.org", "guest@outside.example"):
        r = get(f"{d.url}/j/{token_of(m, mail)}")
        assert room_redirect(r) == (m["room"], None)
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "Set-Cookie" not in r.headers


def test_external_moderator_link_carries_a_token_from_the_stored_address(booked):
    d, m = booked
    room, token = room_redirect(get(f"{d.url}/j/{token_of(m, 'ext.mod@partner.example')}"))
    assert room == m["room"]
    claims = claims_of(token)
    assert claims["room"] == m["room"]
    assert claims["context"]["user"]["email"] == "ext.mod@partner.example"
    assert claims["context"]["user"]["moderator"] is True


def test_local_moderator_link_goes_through_login_and_start(site, jmbd_factory):
    base = site(sections={"mail": {"local_domains": "example.org, example.net"}})
    m = book(base, start=slot(hours=48), moderators=["carol@example.org", "ext@partner.example"],
             guests=["bob@example.org"])
    r = get(f"{base.url}/j/{token_of(m, 'carol@example.org')}")
    assert r.status_code == 302 and location(r) == f"/start/{m['room']}"
    # The external moderator and the local guest are not affected by local_domains.
    assert room_redirect(get(f"{base.url}/j/{token_of(m, 'ext@partner.example')}"))[1]
    assert room_redirect(get(f"{base.url}/j/{token_of(m, 'bob@example.org')}"))[1] is None
    # Anonymous: /start asks for a login; carol logged in at the meeting's start gets a token.
    d = jmbd_sharing(jmbd_factory, base, "clock", at=start_of(m))
    carol = d.session("carol", "carol-password")
    r = carol.get(f"{d.url}/j/{token_of(m, 'carol@example.org')}", allow_redirects=False)
    r = carol.get(d.url + location(r), allow_redirects=False)
    room, token = room_redirect(r)
    assert room == m["room"] and claims_of(token)["context"]["user"]["id"] == "carol"
    r = get(d.url + f"/start/{m['room']}")
    assert location(r).startswith("/auth/local/login")


def test_unknown_and_malformed_links_are_404(booked):
    d, m = booked
    good = token_of(m, "bob@example.org")
    for token in ("A" * 32, good[:-1] + ("A" if good[-1] != "A" else "B"), "short",
                  "not%20a%20token", "x" * 200, good + ".ics"):
        r = get(f"{d.url}/j/{token}")
        assert r.status_code == 404, (token, r.status_code)
        assert "Location" not in r.headers
    assert view(d, m)["attendees"] == m["attendees"]  # nothing was counted


def test_cancelled_meeting_link_is_410(booked):
    d, m = booked
    delete(d, m)
    for a in m["attendees"]:
        r = get(a["link"])
        assert r.status_code == 410, (a["mail"], r.status_code)
        assert "Location" not in r.headers
        assert "cancelled" in page_text(r.text)


def test_finished_meeting_link_is_410(booked, jmbd_factory):
    base, m = booked
    d = jmbd_sharing(jmbd_factory, base, "clock", at=end_of(m) + timedelta(seconds=30))
    for a in m["attendees"]:
        r = get(f"{d.url}/j/{token_of(m, a['mail'])}")
        refused(r, OVER, status=410)
    before_end = jmbd_sharing(jmbd_factory, base, "before", at=end_of(m) - timedelta(seconds=30))
    assert room_redirect(get(f"{before_end.url}/j/{token_of(m, 'bob@example.org')}"))


def test_join_counter_counts_each_visit(booked):
    d, m = booked
    bob = token_of(m, "bob@example.org")
    ext = token_of(m, "ext.mod@partner.example")
    for expected in (1, 2, 3):
        room_redirect(get(f"{d.url}/j/{bob}"))
        joins_written(d, m, {"bob@example.org": expected})
    room_redirect(get(f"{d.url}/j/{ext}"))
    joins_written(d, m, {"carol@example.org": 0, "ext.mod@partner.example": 1,
                         "bob@example.org": 3, "guest@outside.example": 0})
    # The invitation page is not a join.
    get(f"{d.url}/r/{bob}")
    joins_written(d, m, {"bob@example.org": 3}, settle=True)


def test_joins_counted_before_sigterm_are_written(booked):
    """Join counts wait up to a second in memory; stopping jmbd writes them."""
    d, m = booked
    bob = token_of(m, "bob@example.org")
    for _ in range(3):
        room_redirect(get(f"{d.url}/j/{bob}"))
    assert d.stop() == 0
    shown = d.jmbctl("meetings", "show", str(m["id"])).stdout
    assert re.search(r"joins=3\s+bob@example\.org", shown), shown
    assert "join_count_lost" not in d.log()


def concurrent_gets(url, n=50):
    """n GETs of url released at the same instant from n threads."""
    barrier = threading.Barrier(n)

    def one(_):
        with requests.Session() as s:
            barrier.wait(timeout=60)
            return s.get(url, allow_redirects=False, timeout=120)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


@pytest.mark.parametrize("driver", ["sqlite", "postgresql"])
def test_50_concurrent_joins_of_one_link(site, request, driver):
    if driver == "postgresql":
        d = site(store="postgresql", conninfo=pg_database(request.getfixturevalue("postgres")))
    else:
        d = site()
    m = book(d, start=slot(hours=48), guests=["bob@example.org"],
             moderators=["ext@partner.example"])
    for mail, with_token in (("bob@example.org", False), ("ext@partner.example", True)):
        answers = concurrent_gets(f"{d.url}/j/{token_of(m, mail)}")
        assert [r.status_code for r in answers] == [302] * 50
        for r in answers:
            room, token = room_redirect(r)
            assert room == m["room"] and bool(token) == with_token
        joins_written(d, m, {mail: 50}, settle=True)
    assert "join_count" not in d.log()
