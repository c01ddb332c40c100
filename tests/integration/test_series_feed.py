"""A real jmbd's feed of a series (issue 10), read by the three independent
parsers of test_ical_series.py (recurring_ical_events, ical.js, vobject): each
must give exactly the occurrences jmbd's own API lists, on SQLite and
PostgreSQL, for the organiser's feed and an invitee's. The series crosses both
daylight-saving changes of 2027 in Paris, its first occurrence is cancelled,
one is moved onto another day and retitled, and the organiser then edits the
rule, which keeps the override whose occurrence the new rule still has."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests

from jmb_links import bearer, book, jmbd_on_store
from test_ical_series import PARSERS

PARIS = ZoneInfo("Europe/Paris")
FIRST = datetime(2027, 3, 16, 10, 0, tzinfo=PARIS)


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, jmbd_factory):
    d = jmbd_on_store(request, jmbd_factory, "series-feed")
    d.add_user("alice", "alice-password")
    d.add_user("bob", "bob-password")
    return d.start()


def rid(dt):
    return dt.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def epoch(text):
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def api_occurrences(d, m):
    r = bearer(d, "alice").get(f"{d.url}/api/v1/meetings/{m['id']}/occurrences",
                               params={"from": "2027-01-01T00:00:00Z", "limit": 500})
    assert r.status_code == 200, r.text
    return sorted((epoch(o["start"]), epoch(o["end"])) for o in r.json()["occurrences"]
                  if o["status"] == "confirmed")


def feed(d, login):
    url = bearer(d, login).get(d.url + "/api/v1/me/feed").json()["url"]
    r = requests.get(url, timeout=30)
    assert r.status_code == 200, r.text
    return r.text


@pytest.mark.parametrize("parser", sorted(PARSERS))
def test_parsers_expand_the_feed_as_jmb_does(site, parser):
    m = book(site, start=FIRST, duration=90, guests=["bob@example.org"],
             recurrence="FREQ=WEEKLY;BYDAY=TU;COUNT=34")
    alice = bearer(site, "alice")
    base = f"{site.url}/api/v1/meetings/{m['id']}/occurrences"
    assert alice.delete(f"{base}/{rid(FIRST)}").status_code == 204
    moved = FIRST + timedelta(weeks=5)
    r = alice.patch(f"{base}/{rid(moved)}", json={
        "start": (moved + timedelta(days=2, hours=4)).isoformat(), "title": "Moved"})
    assert r.status_code == 200, r.text
    dropped = FIRST + timedelta(weeks=33)
    assert alice.delete(f"{base}/{rid(dropped)}").status_code == 204
    # A shorter rule: the override of the 34th occurrence goes, the others stay.
    r = alice.patch(f"{site.url}/api/v1/meetings/{m['id']}",
                    json={"recurrence": "FREQ=WEEKLY;BYDAY=TU;COUNT=30"})
    assert r.status_code == 200, r.text
    expected = api_occurrences(site, m)
    assert len(expected) == 29  # 30, the first cancelled
    for login in ("alice", "bob"):
        got = PARSERS[parser](feed(site, login))
        [uid] = [u for u in got if got[u] and len(got[u]) > 1]
        assert got[uid] == expected, (login, parser)
