"""Series through the JSON API (issue 10), on SQLite and PostgreSQL: a meeting
with "recurrence" (an RRULE value) is one room and one personal link per
invitee for all its occurrences, read on the meeting's wall clock across
daylight-saving changes; its occurrences are listed, moved, changed and
cancelled one by one (an override keyed by the original start); a rule edit
keeps the overrides that still match an occurrence; two people changing two
occurrences at once both keep their change; a personal link lets its holder
in around each occurrence only, names the next one between them and says
"over" after the last. Other jmbd processes on the same store with their
clock moved (JMB_TEST_TIME_OFFSET) play the moments of the series."""
import concurrent.futures
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests

from conftest import csrf_of
from jmb_links import (bearer, book, get, jmbd_on_store, jmbd_sharing, page_text,
                       room_redirect, token_of)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
UTC = timezone.utc
GUEST = "guest@outside.example"
MODERATOR = "ext.mod@partner.example"
# Tuesdays at 10:00 in Paris around the spring change of 28 March 2027.
FIRST = datetime(2027, 3, 16, 10, 0, tzinfo=PARIS)


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, jmbd_factory):
    # The default link_opens_before (the suite widens it elsewhere).
    d = jmbd_on_store(request, jmbd_factory, "series",
                      sections={"booking": {"link_opens_before": None}})
    d.add_user("alice", "alice-password")
    d.add_user("bob", "bob-password")
    return d.start()


def rid(dt):
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def z(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def occurrences(d, m, login="alice", **query):
    r = bearer(d, login).get(f"{d.url}/api/v1/meetings/{m['id']}/occurrences",
                             params={"from": "2026-01-01T00:00:00Z", **query})
    assert r.status_code == 200, r.text
    return r.json()["occurrences"]


def series(d, rule="FREQ=WEEKLY;COUNT=4", start=FIRST, **kwargs):
    return book(d, start=start, recurrence=rule, guests=[GUEST], moderators=[MODERATOR],
                **kwargs)


def test_a_series_keeps_its_wall_clock_across_dst(site):
    m = series(site, rule="freq=weekly;byday=tu;count=4")
    assert m["recurrence"] == "FREQ=WEEKLY;COUNT=4;BYDAY=TU"
    occ = occurrences(site, m)
    assert [o["start"] for o in occ] == [
        "2027-03-16T10:00:00+01:00", "2027-03-23T10:00:00+01:00",
        "2027-03-30T10:00:00+02:00", "2027-04-06T10:00:00+02:00"]
    assert [o["recurrence_id"] for o in occ] == [
        "2027-03-16T09:00:00Z", "2027-03-23T09:00:00Z", "2027-03-30T08:00:00Z",
        "2027-04-06T08:00:00Z"]
    assert all(o["status"] == "confirmed" and not o["overridden"] for o in occ)
    assert all(instant(o["end"]) - instant(o["start"]) == timedelta(minutes=60) for o in occ)
    assert m["next"] == {"start": occ[0]["start"], "end": occ[0]["end"],
                         "recurrence_id": occ[0]["recurrence_id"]}
    # One room and one personal link per invitee for the whole series.
    assert len({a["link"] for a in m["attendees"]}) == 2


def test_autumn_change_in_new_york(site):
    first = datetime(2027, 11, 5, 18, 30, tzinfo=NEW_YORK)  # the change is on 7 November
    m = series(site, rule="FREQ=DAILY;COUNT=4", start=first, zone="America/New_York")
    starts = [instant(o["start"]) for o in occurrences(site, m)]
    assert [s.astimezone(NEW_YORK).strftime("%d %H:%M") for s in starts] == [
        "05 18:30", "06 18:30", "07 18:30", "08 18:30"]
    assert starts[2] - starts[1] == timedelta(hours=25)


def test_monthly_last_friday_and_until_ahead_of_utc(site):
    m = series(site, rule="FREQ=MONTHLY;BYDAY=-1FR;COUNT=3",
               start=datetime(2027, 1, 29, 9, 0, tzinfo=PARIS))
    assert [o["start"][:10] for o in occurrences(site, m)] == [
        "2027-01-29", "2027-02-26", "2027-03-26"]
    tokyo = ZoneInfo("Asia/Tokyo")
    m = series(site, rule="FREQ=DAILY;UNTIL=20270115T000000Z",
               start=datetime(2027, 1, 11, 9, 0, tzinfo=tokyo), zone="Asia/Tokyo")
    assert len(occurrences(site, m)) == 5  # 15 January 09:00 in Tokyo is 00:00Z: kept


@pytest.mark.parametrize("rule, words", [
    ("FREQ=HOURLY;COUNT=3", "not supported"),
    ("FREQ=WEEKLY", "must end"),
    ("FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2;COUNT=3", "BYSETPOS"),
    ("FREQ=WEEKLY;COUNT=3;UNTIL=20270601", "not both"),
    ("FREQ=DAILY;COUNT=1000", "at most 260"),
    ("FREQ=MONTHLY;COUNT=30", "at most 400 days"),
    ("FREQ=WEEKLY;BYDAY=WE;COUNT=3", "first occurrence"),
    ("FREQ=WEEKLY;COUNT=three", "not valid"),
])
def test_refused_rules(site, rule, words):
    r = bearer(site, "alice").post(site.url + "/api/v1/meetings", json={
        "title": "Bad series", "start": FIRST.isoformat(), "duration": 60,
        "timezone": "Europe/Paris", "recurrence": rule})
    assert r.status_code == 422, r.text
    assert set(r.json()["fields"]) == {"recurrence"}
    assert words in r.json()["fields"]["recurrence"], r.json()
    r = bearer(site, "alice").post(site.url + "/api/v1/meetings", json={
        "title": "Bad series", "start": FIRST.isoformat(), "duration": 60, "recurrence": 7})
    assert r.status_code == 422 and set(r.json()["fields"]) == {"recurrence"}


def test_move_and_cancel_one_occurrence(site):
    m = series(site)
    occ = occurrences(site, m)
    alice = bearer(site, "alice")
    base = f"{site.url}/api/v1/meetings/{m['id']}/occurrences"
    # The second moves to the Thursday after, 14:00, for 90 minutes, retitled.
    moved = datetime(2027, 3, 25, 14, 0, tzinfo=PARIS)
    r = alice.patch(f"{base}/{rid(FIRST + timedelta(days=7))}",
                    json={"start": moved.isoformat(), "duration": 90, "title": "Moved"})
    assert r.status_code == 200, r.text
    assert r.json()["start"] == "2027-03-25T14:00:00+01:00" and r.json()["overridden"]
    # The first is cancelled: next skips it.
    assert alice.delete(f"{base}/{rid(FIRST)}").status_code == 204
    now = occurrences(site, m)
    assert [o["status"] for o in now] == ["cancelled", "confirmed", "confirmed", "confirmed"]
    assert now[1]["title"] == "Moved" and now[1]["recurrence_id"] == occ[1]["recurrence_id"]
    assert instant(now[1]["end"]) - instant(now[1]["start"]) == timedelta(minutes=90)
    view = alice.get(f"{site.url}/api/v1/meetings/{m['id']}").json()
    assert view["next"]["recurrence_id"] == occ[1]["recurrence_id"]
    assert view["next"]["start"] == "2027-03-25T14:00:00+01:00"
    # Bad changes: a time the rule does not give, a bad field, an invitee.
    assert alice.patch(f"{base}/20270317T090000Z", json={"title": "x"}).status_code == 404
    assert alice.patch(f"{base}/yesterday", json={"title": "x"}).status_code == 404
    r = alice.patch(f"{base}/{rid(FIRST)}", json={"duration": 7, "room": "x"})
    assert r.status_code == 422 and set(r.json()["fields"]) == {"room"}
    r = alice.patch(f"{base}/{rid(FIRST)}", json={"duration": 7})
    assert r.status_code == 422 and set(r.json()["fields"]) == {"duration"}
    assert bearer(site, "bob").delete(f"{base}/{rid(FIRST)}").status_code == 403
    single = book(site)
    r = alice.delete(f"{site.url}/api/v1/meetings/{single['id']}/occurrences/"
                     f"{rid(datetime.fromisoformat(single['start']))}")
    assert r.status_code == 409
    assert single["recurrence"] is None and single["next"]["start"] == single["start"]


def test_rule_edit_keeps_matching_overrides(site):
    m = series(site, rule="FREQ=WEEKLY;COUNT=6")
    alice = bearer(site, "alice")
    base = f"{site.url}/api/v1/meetings/{m['id']}/occurrences"
    assert alice.delete(f"{base}/{rid(FIRST + timedelta(days=14))}").status_code == 204
    assert alice.delete(f"{base}/{rid(FIRST + timedelta(days=35))}").status_code == 204
    r = alice.patch(f"{site.url}/api/v1/meetings/{m['id']}",
                    json={"recurrence": "FREQ=WEEKLY;COUNT=4"})
    assert r.status_code == 200, r.text
    assert [o["status"] for o in occurrences(site, m)] == [
        "confirmed", "confirmed", "cancelled", "confirmed"]
    r = alice.patch(f"{site.url}/api/v1/meetings/{m['id']}", json={"recurrence": None})
    assert r.status_code == 200 and r.json()["recurrence"] is None
    assert len(occurrences(site, m)) == 1


def test_concurrent_changes_of_two_occurrences_both_stay(site):
    m = series(site, rule="FREQ=WEEKLY;COUNT=8")
    alice = bearer(site, "alice")
    base = f"{site.url}/api/v1/meetings/{m['id']}/occurrences"

    def retitle(week):
        return alice.patch(f"{base}/{rid(FIRST + timedelta(days=7 * week))}",
                           json={"title": f"Week {week}"}).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert list(pool.map(retitle, range(8))) == [200] * 8
    assert [o["title"] for o in occurrences(site, m)] == [f"Week {w}" for w in range(8)]


def test_personal_link_opens_around_each_occurrence(site, jmbd_factory):
    m = series(site)
    guest = token_of(m, GUEST)
    second = FIRST + timedelta(days=7)
    during = jmbd_sharing(jmbd_factory, site, "during", at=second + timedelta(minutes=10))
    assert room_redirect(get(f"{during.url}/j/{guest}"))[0] == m["room"]

    # 50 people joining at once during an occurrence all get in.
    with concurrent.futures.ThreadPoolExecutor(25) as pool:
        codes = list(pool.map(lambda _: get(f"{during.url}/j/{guest}").status_code, range(50)))
    assert codes == [302] * 50

    between = jmbd_sharing(jmbd_factory, site, "between", at=second + timedelta(days=2))
    r = get(f"{between.url}/j/{guest}")
    assert r.status_code == 403 and "Location" not in r.headers
    assert "30 March 2027" in page_text(r.text), page_text(r.text)

    after = jmbd_sharing(jmbd_factory, site, "after", at=FIRST + timedelta(days=22))
    assert get(f"{after.url}/j/{guest}").status_code == 410


def test_invitee_answers_one_occurrence(site):
    m = series(site)
    token = token_of(m, GUEST)
    second = FIRST + timedelta(days=7)
    s = requests.Session()
    page = s.get(f"{site.url}/r/{token}")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "Answer for one occurrence" in text
    for day in ("16 March 2027", "23 March 2027", "30 March 2027", "6 April 2027"):
        assert day in text, text
    assert page.text.count('name="occurrence"') == 4
    r = s.post(f"{site.url}/r/{token}", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "occurrence": rid(second), "answer": "declined"})
    assert r.status_code == 303, r.text
    # The series answer, then: the occurrence's stays.
    r = s.post(f"{site.url}/r/{token}", allow_redirects=False,
               data={"csrf": csrf_of(page.text), "answer": "accepted"})
    assert r.status_code == 303
    [guest] = [a for a in bearer(site, "alice").get(
        f"{site.url}/api/v1/meetings/{m['id']}").json()["attendees"] if a["mail"] == GUEST]
    assert guest["status"] == "accepted"
    assert guest["answers"] == [{"recurrence_id": z(second), "status": "declined"}]
    # The invitee sees it; an invitee's own view has no answers list.
    assert "answers" not in [a for a in bearer(site, "alice").get(
        f"{site.url}/api/v1/meetings/{m['id']}").json()["attendees"]
        if a["mail"] == MODERATOR][0]
    # A time the rule does not give, or a cancelled occurrence, is refused.
    r = s.post(f"{site.url}/r/{token}", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "occurrence": "20270317T090000Z", "answer": "declined"})
    assert r.status_code == 404
    assert bearer(site, "alice").delete(
        f"{site.url}/api/v1/meetings/{m['id']}/occurrences/{rid(FIRST)}").status_code == 204
    r = s.post(f"{site.url}/r/{token}", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "occurrence": rid(FIRST), "answer": "declined"})
    assert r.status_code == 404
    assert "Cancelled" in page_text(s.get(f"{site.url}/r/{token}").text)


def test_meeting_page_moves_and_cancels_occurrences(site):
    m = book(site, start=FIRST, recurrence="FREQ=WEEKLY;COUNT=12", guests=["bob@example.org"])
    s = site.session("alice", "alice-password")
    s.headers["Accept-Language"] = "en"
    page = s.get(f"{site.url}/meetings/{m['id']}")
    assert page.status_code == 200
    assert page.text.count('name="date"') == 10  # ten at a time
    later = re.search(r'href="(/meetings/\d+\?from=\w+#occurrences)"', page.text).group(1)
    rest = s.get(site.url + later.replace("#occurrences", ""))
    assert rest.text.count('name="date"') == 2
    assert "1 June 2027" in page_text(rest.text)  # the 12th
    csrf = csrf_of(page.text)
    second, third = FIRST + timedelta(weeks=1), FIRST + timedelta(weeks=2)
    r = s.post(f"{site.url}/meetings/{m['id']}/occurrences/{rid(second)}/cancel",
               data={"csrf": csrf}, allow_redirects=False)
    assert r.status_code == 303, r.text
    r = s.post(f"{site.url}/meetings/{m['id']}/occurrences/{rid(third)}", allow_redirects=False,
               data={"csrf": csrf, "date": "2027-04-01", "time": "15:30", "duration": "90"})
    assert r.status_code == 303, r.text
    occ = occurrences(site, m)
    assert occ[1]["status"] == "cancelled"
    assert occ[2]["start"] == "2027-04-01T15:30:00+02:00"
    assert instant(occ[2]["end"]) - instant(occ[2]["start"]) == timedelta(minutes=90)
    page = page_text(s.get(f"{site.url}/meetings/{m['id']}").text)
    assert "Cancelled" in page and "1 April 2027" in page
    # Refusals: a bad duration, no such occurrence, a form without its token.
    r = s.post(f"{site.url}/meetings/{m['id']}/occurrences/{rid(third)}",
               data={"csrf": csrf, "date": "2027-04-01", "time": "15:30", "duration": "7"})
    assert r.status_code == 422 and "duration" in page_text(r.text).lower()
    r = s.post(f"{site.url}/meetings/{m['id']}/occurrences/20270317T090000Z/cancel",
               data={"csrf": csrf})
    assert r.status_code == 404
    assert s.post(f"{site.url}/meetings/{m['id']}/occurrences/{rid(FIRST)}/cancel",
                  data={}).status_code == 403
    # An invitee sees the occurrences, not the forms.
    bob = site.session("bob", "bob-password")
    text = bob.get(f"{site.url}/meetings/{m['id']}", headers={"Accept-Language": "en"}).text
    assert "Occurrences" in page_text(text) and 'name="date"' not in text


def test_archive_shows_each_past_occurrence(site, jmbd_factory):
    m = series(site, rule="FREQ=WEEKLY;COUNT=6")
    alice = bearer(site, "alice")
    assert alice.delete(f"{site.url}/api/v1/meetings/{m['id']}/occurrences/"
                        f"{rid(FIRST + timedelta(weeks=1))}").status_code == 204
    # Four weeks in: the first, third and fourth have ended (the second was cancelled),
    # the series still runs.
    later = jmbd_sharing(jmbd_factory, site, "later", at=FIRST + timedelta(weeks=3, hours=2))
    s = later.session("alice", "alice-password")
    page = s.get(f"{later.url}/meetings/archive", headers={"Accept-Language": "en"})
    starts = re.findall(r'<time datetime="([^"]+)"', page.text)
    assert starts == ["2027-04-06T10:00:00+02:00", "2027-03-30T10:00:00+02:00",
                      "2027-03-16T10:00:00+01:00"], starts  # newest first
    text = page_text(page.text)
    assert text.count("Every Tuesday at 10:00 (Europe/Paris), 6 times") == 3
    assert page.text.count(f'href="/meetings/{m["id"]}"') == 3
    # And the list shows the series once, at its next occurrence.
    text = page_text(s.get(f"{later.url}/meetings", headers={"Accept-Language": "en"}).text)
    assert "13 April 2027" in text and "6 April 2027" not in text


def test_week_view_and_list_window_show_later_occurrences(site):
    m = series(site, rule="FREQ=WEEKLY;BYDAY=TU,TH;COUNT=8")
    s = site.session("alice", "alice-password")
    # The third week: Tuesday 30 March and Thursday 1 April.
    page = s.get(f"{site.url}/calendar?week=2027-W13", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert page.text.count(f'href="/meetings/{m["id"]}"') == 2, page_text(page.text)
    assert "10:00–11:00" in page_text(page.text)
    # The API's window keeps a series whose first occurrence lies before it.
    r = bearer(site, "alice").get(f"{site.url}/api/v1/meetings", params={
        "from": "2027-03-29T00:00:00Z", "to": "2027-04-05T00:00:00Z"})
    assert [x["id"] for x in r.json()["meetings"]] == [m["id"]]
