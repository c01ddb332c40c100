""""This and the following occurrences" (issue 10): POST
/api/v1/meetings/{id}/occurrences/{recurrence_id}/split ends a series before
that occurrence and books, in one transaction, the series continuing from it
in the same room, with the same invitees (new personal links) and the
changes asked for. On SQLite and PostgreSQL: the two rules, the room passed
on (personal links, /start/ and Prosody's reservations follow whichever
series holds the room at the time), the mails, and the refusals."""
from datetime import timedelta

import pytest

from jmb_links import bearer, get, jmbd_sharing, page_text, room_redirect, token_of
from test_series_api import FIRST, GUEST, occurrences, rid, series, site  # noqa: F401


def split(d, m, at, login="alice", **fields):
    return bearer(d, login).post(
        f"{d.url}/api/v1/meetings/{m['id']}/occurrences/{rid(at)}/split", json=fields)


def test_split_continues_the_series_in_the_same_room(site, jmbd_factory):  # noqa: F811
    m = series(site, rule="FREQ=WEEKLY;COUNT=6")
    third = FIRST + timedelta(weeks=2)
    r = split(site, m, third, title="Seminar, later hour",
              start=(third + timedelta(hours=1)).isoformat())
    assert r.status_code == 201, r.text
    new = r.json()
    assert r.headers["Location"] == f"/api/v1/meetings/{new['id']}"
    assert new["room"] == m["room"] and new["id"] != m["id"]
    assert new["recurrence"] == "FREQ=WEEKLY;COUNT=4"
    assert new["title"] == "Seminar, later hour"
    assert new["start"] == "2027-03-30T11:00:00+02:00"
    assert sorted(a["mail"] for a in new["attendees"]) == \
        sorted(a["mail"] for a in m["attendees"])
    assert token_of(new, GUEST) != token_of(m, GUEST)
    old = bearer(site, "alice").get(f"{site.url}/api/v1/meetings/{m['id']}").json()
    assert old["recurrence"] == "FREQ=WEEKLY;UNTIL=20270330T075959Z"
    assert [o["start"][:10] for o in occurrences(site, m)] == ["2027-03-16", "2027-03-23"]
    assert [o["start"] for o in occurrences(site, new)] == [
        "2027-03-30T11:00:00+02:00", "2027-04-06T11:00:00+02:00",
        "2027-04-13T11:00:00+02:00", "2027-04-20T11:00:00+02:00"]

    # The room goes to whichever series runs at the time.
    during_old = jmbd_sharing(jmbd_factory, site, "old",
                              at=FIRST + timedelta(weeks=1, minutes=10))
    assert room_redirect(get(f"{during_old.url}/j/{token_of(m, GUEST)}"))[0] == m["room"]
    assert get(f"{during_old.url}/j/{token_of(new, GUEST)}").status_code == 403  # not yet
    during_new = jmbd_sharing(jmbd_factory, site, "new",
                              at=third + timedelta(hours=1, minutes=10))
    assert room_redirect(get(f"{during_new.url}/j/{token_of(new, GUEST)}"))[0] == m["room"]
    assert get(f"{during_new.url}/j/{token_of(m, GUEST)}").status_code == 410
    s = during_new.session("alice", "alice-password")
    r = s.get(f"{during_new.url}/start/{m['room']}", allow_redirects=False)
    assert r.status_code == 302 and m["room"] in r.headers["Location"]
    # Both series stay in the organiser's list, each with its own occurrences.
    text = page_text(s.get(f"{during_new.url}/meetings",
                           headers={"Accept-Language": "en"}).text)
    assert "Seminar, later hour" in text


def test_split_refusals(site):  # noqa: F811
    m = series(site, rule="FREQ=WEEKLY;COUNT=6")
    assert split(site, m, FIRST).status_code == 409  # the first: change the series
    assert split(site, m, FIRST + timedelta(days=1)).status_code == 404
    assert split(site, m, FIRST + timedelta(weeks=2), login="bob").status_code == 403
    r = split(site, m, FIRST + timedelta(weeks=2), duration="long")
    assert r.status_code == 422 and set(r.json()["fields"]) == {"duration"}
    r = split(site, m, FIRST + timedelta(weeks=2), recurrence="FREQ=HOURLY;COUNT=2")
    assert r.status_code == 422 and set(r.json()["fields"]) == {"recurrence"}
    single = bearer(site, "alice").post(site.url + "/api/v1/meetings", json={
        "title": "One", "start": FIRST.isoformat(), "duration": 60}).json()
    assert split(site, single, FIRST + timedelta(weeks=1)).status_code == 409
    # Nothing was changed by the refusals.
    assert len(occurrences(site, m)) == 6
