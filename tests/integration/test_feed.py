"""The personal iCal feed served by jmbd, read by two independent parsers
(python3-icalendar and Mozilla's ical.js, through ical_parsers.py), which must
agree: its URL on the list page (https and webcal) and in the API, rotation
through the UI form and the API (the old URL then answers 404); the VCALENDAR
properties (PRODID, VERSION, CALSCALE, METHOD:PUBLISH, X-WR-CALNAME,
REFRESH-INTERVAL and X-PUBLISHED-TTL); one VTIMEZONE per zone used; per
meeting a unique UID stable across edits, SEQUENCE counting edits, DTSTAMP,
DTSTART/DTEND with TZID at the right UTC instants (Europe/Paris across its
spring change, America/New_York in winter and summer time), SUMMARY,
DESCRIPTION with the join link, URL and LOCATION = the viewer's own link (the
owner's /start/<room>, an invitee's /j/<token>), ORGANIZER with CN, every
ATTENDEE with CN, ROLE and PARTSTAT (answers given through /r/) for the owner
only, VALARMs only for reminders still ahead, cancelled meetings kept as
STATUS:CANCELLED for feed_past_days; CRLF lines of at most 75 octets; ETag /
If-None-Match and Last-Modified / If-Modified-Since answered 304, with the ETag
changing after an edit, an answer and a deletion; unknown feeds are 404."""
import re
import time
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import pytest
import requests

from conftest import csrf_of
from ical_parsers import ParserUnavailable, by_uid, parse_both
from jmb_links import (PARIS, UTC, bearer, book, delete, edit, end_of, get, jmbd_sharing,
                       slot, token_of)

NEW_YORK = ZoneInfo("America/New_York")


# -- helpers ---------------------------------------------------------------------------

def feed_urls(d, login):
    r = bearer(d, login).get(d.url + "/api/v1/me/feed")
    assert r.status_code == 200, r.text
    return r.json()


def fetch(url, **headers):
    r = requests.get(url, headers=headers, timeout=30)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return r


def parsed(text):
    """(python3-icalendar's view, {uid: event}) after checking that ical.js
    sees exactly the same calendar and events."""
    try:
        py, js = parse_both(text)
    except ParserUnavailable as e:
        pytest.fail(f"ical.js is needed for this test: {e}")
    assert py["calendar"] == js["calendar"]
    py_events, js_events = by_uid(py["events"]), by_uid(js["events"])
    assert py_events.keys() == js_events.keys()
    for uid in py_events:
        assert py_events[uid] == js_events[uid], uid
        assert py_events[uid]["tz_resolved"], uid
    return py["calendar"], py_events


def feed(d, login):
    """(raw text, calendar, {uid: event}) of login's feed now."""
    text = fetch(feed_urls(d, login)["url"]).text
    return (text,) + parsed(text)


def raw_event(text, summary):
    """{property with parameters: value} of the VEVENT with that SUMMARY, as written."""
    for block in re.findall(r"BEGIN:VEVENT\r\n(.*?)END:VEVENT\r\n", text.replace("\r\n ", ""),
                            re.S):
        props = dict(line.split(":", 1) for line in block.split("\r\n") if ":" in line)
        if props.get("SUMMARY") == summary:
            return props
    raise AssertionError(f"no VEVENT with SUMMARY:{summary}")


def event_of(events, summary):
    [ev] = [ev for ev in events.values() if ev["summary"] == summary]
    return ev


def last_sunday(year, month):
    d = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return d - timedelta(days=(d.weekday() + 1) % 7)


def next_spring_change():
    """The next last Sunday of March at least a week ahead (Europe's spring change)."""
    today = date.today()
    year = today.year if last_sunday(today.year, 3) > today + timedelta(days=7) else today.year + 1
    return last_sunday(year, 3)


def wait_for_next_second():
    """Until the clock is 30 ms into a new second (a tiny polling loop, < 1.1 s),
    so that what follows happens within one second of jmbd's clock."""
    now = int(time.time())
    while int(time.time()) == now or time.time() % 1 < 0.03:
        time.sleep(0.005)


@pytest.fixture
def d(jmbd):
    return jmbd


# -- the URL and its rotation ----------------------------------------------------------

def list_page_feed(session, d):
    html = session.get(d.url + "/meetings").text
    url = re.search(r'<input [^>]*class="feed-url"[^>]* value="([^"]+)"', html)
    webcal = re.search(r'<a href="(webcal://[^"]+)"', html)
    assert url and webcal, html[-3000:]
    return url.group(1), webcal.group(1), html


def test_feed_url_on_the_list_page_and_in_the_api(d):
    alice = d.session("alice", "alice-password")
    url, webcal, _ = list_page_feed(alice, d)
    host = d.url.split("://")[1]
    assert re.fullmatch(re.escape(d.url) + r"/feed/[A-Za-z0-9_-]{22,}\.ics", url), url
    assert webcal == "webcal://" + host + url[len(d.url):]
    assert feed_urls(d, "alice") == {"url": url, "webcal": webcal}
    assert list_page_feed(alice, d)[0] == url  # made once, then kept
    assert feed_urls(d, "bob")["url"] != url   # each user has their own
    fetch(url)


def test_https_and_webcal_addresses_follow_public_url(d, jmbd_factory):
    https = jmbd_sharing(jmbd_factory, d, "https",
                         sections={"server": {"public_url": "https://jmb.example.org/"}})
    token = feed_urls(d, "alice")["url"].rsplit("/", 1)[1]
    assert feed_urls(https, "alice") == {"url": f"https://jmb.example.org/feed/{token}",
                                         "webcal": f"webcal://jmb.example.org/feed/{token}"}


def test_rotate_through_the_form(d):
    alice = d.session("alice", "alice-password")
    old, _, html = list_page_feed(alice, d)
    csrf = csrf_of(html)
    r = alice.post(d.url + "/me/feed/rotate", data={}, allow_redirects=False)
    assert r.status_code == 403
    assert list_page_feed(alice, d)[0] == old
    r = alice.post(d.url + "/me/feed/rotate", data={"csrf": csrf}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/meetings?feed_rotated=1#feed"
    new, webcal, html = list_page_feed(alice, d)
    assert new != old and new.rsplit("/", 1)[1] in webcal
    assert "A new feed address was made: the old one no longer works." in \
        alice.get(d.url + "/meetings?feed_rotated=1").text
    assert requests.get(old, timeout=30).status_code == 404
    fetch(new)
    assert feed_urls(d, "alice")["url"] == new
    # Anonymous visitors cannot rotate anything.
    r = requests.post(d.url + "/me/feed/rotate", data={"csrf": csrf}, allow_redirects=False)
    assert r.status_code in (302, 303, 401, 403)
    assert feed_urls(d, "alice")["url"] == new


def test_rotate_through_the_api(d):
    old = feed_urls(d, "alice")
    r = bearer(d, "alice").post(d.url + "/api/v1/me/feed/rotate")
    assert r.status_code == 200, r.text
    new = r.json()
    assert set(new) == {"url", "webcal"} and new["url"] != old["url"]
    assert feed_urls(d, "alice") == new
    assert requests.get(old["url"], timeout=30).status_code == 404
    fetch(new["url"])
    assert requests.post(d.url + "/api/v1/me/feed/rotate", timeout=30).status_code == 401


def test_unknown_feeds_are_404(d):
    real = feed_urls(d, "alice")["url"]
    token = real.rsplit("/", 1)[1][:-4]
    for path in ("A" * 32 + ".ics", "A" * 32, token[:-1] + ".ics", "short.ics", "A" * 20 + "!.ics",
                 token.lower() + ".ics" if token.lower() != token else "B" * 40 + ".ics"):
        r = get(f"{d.url}/feed/{path}")
        assert r.status_code == 404, path
        assert "BEGIN:VCALENDAR" not in r.text


# -- what the feed holds ----------------------------------------------------------------

def test_calendar_properties_and_line_format(jmbd_factory):
    d = jmbd_factory(start=False, sections={"booking": {"feed_refresh_interval": "60"}})
    d.add_user("alice", "alice-password", name="Alice Martin")
    d.start()
    long_title = "Réunion de rentrée — " + "ééé 😀 " * 30
    book(d, title=long_title, description="Line one\nline two, with a comma; and a semicolon")
    text, cal, events = feed(d, "alice")
    raw = text.encode("utf-8")
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")  # no fold cuts a character in two
    assert re.fullmatch(r"-//jmb//jmb [0-9][^/]*//EN", cal["prodid"])
    assert (cal["version"], cal["calscale"], cal["method"]) == ("2.0", "GREGORIAN", "PUBLISH")
    assert cal["name"] == "Video meetings — Alice Martin"
    assert (cal["refresh_minutes"], cal["refresh_value_type"]) == (60, "DURATION")
    assert cal["published_ttl_minutes"] == 60
    assert cal["timezones"] == ["Europe/Paris"]
    [ev] = events.values()
    assert ev["summary"] == long_title.strip()
    assert ev["description"].startswith("Line one\nline two, with a comma; and a semicolon\n\n")
    r = fetch(feed_urls(d, "alice")["url"] + "?lang=fr")
    assert parsed(r.text)[0]["name"] == "Visioconférences — Alice Martin"


def test_times_in_their_zones_across_dst_changes(d):
    spring = next_spring_change()                     # Europe: last Sunday of March
    assert spring.weekday() == 6

    def at(day, hour, minute, zone):
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)

    friday = at(spring - timedelta(days=2), 10, 0, PARIS)
    night = at(spring, 1, 30, PARIS)  # 01:30 CET, an hour before the clocks go forward
    monday = at(spring + timedelta(days=1), 10, 0, PARIS)
    ny_summer = at(spring - timedelta(days=8), 10, 0, NEW_YORK)  # after the US change
    ny_winter = datetime(spring.year, 1, 20, 10, 0, tzinfo=NEW_YORK)
    if ny_winter < datetime.now(UTC) + timedelta(days=1):
        ny_winter = ny_winter.replace(year=spring.year + 1)
    cases = [  # title, start, minutes, zone, UTC start, local start, UTC end, local end
        ("friday", friday, 60, "Europe/Paris", (9, 0), "10:00", (10, 0), "11:00"),
        ("across", night, 120, "Europe/Paris", (0, 30), "01:30", (2, 30), "04:30"),
        ("monday", monday, 90, "Europe/Paris", (8, 0), "10:00", (9, 30), "11:30"),
        ("ny-edt", ny_summer, 60, "America/New_York", (14, 0), "10:00", (15, 0), "11:00"),
        ("ny-est", ny_winter, 60, "America/New_York", (15, 0), "10:00", (16, 0), "11:00"),
    ]
    for title, start, minutes, zone, *_ in cases:
        book(d, title=title, start=start, duration=minutes, zone=zone)
    text, cal, events = feed(d, "alice")
    assert sorted(cal["timezones"]) == ["America/New_York", "Europe/Paris"]
    for zone in ("Europe/Paris", "America/New_York"):
        assert text.count(f"BEGIN:VTIMEZONE\r\nTZID:{zone}\r\n") == 1
    for title, start, minutes, zone, utc_start, local_start, utc_end, local_end in cases:
        ev = event_of(events, title)
        assert ev["tzid"] == zone, title
        assert ev["dtstart"] == start.astimezone(UTC), title
        assert ev["dtstart"].astimezone(UTC).timetuple()[3:5] == utc_start, title
        assert ev["dtend"].astimezone(UTC).timetuple()[3:5] == utc_end, title
        assert ev["dtend"] - ev["dtstart"] == timedelta(minutes=minutes), title
        assert ev["dtstart_local"].endswith(f"T{local_start}:00"), title
        written = raw_event(text, title)
        assert written["DTSTART;TZID=" + zone].endswith("T" + local_start.replace(":", "") + "00")
        assert written["DTEND;TZID=" + zone].endswith("T" + local_end.replace(":", "") + "00")


def test_events_for_the_owner_and_for_invitees(d):
    m = book(d, title="Design review", description="Agenda:\n1. figures",
             moderators=["carol@example.org"],
             guests=["bob@example.org", "ext@partner.example"])
    book(d, title="Alone")
    before = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    _, cal, events = feed(d, "alice")
    assert (cal["refresh_minutes"], cal["published_ttl_minutes"]) == (15, 15)  # the default
    assert cal["name"] == "Video meetings — Alice"
    assert len(events) == 2
    uids = list(events)
    assert len(set(uids)) == 2 and all("@" in uid for uid in uids)
    ev = event_of(events, "Design review")
    start_link = f"{d.url}/start/{m['room']}"
    assert ev["url"] == ev["location"] == start_link
    assert ev["description"] == f"Agenda:\n1. figures\n\nJoin the meeting: {start_link}"
    assert ev["status"] == "CONFIRMED" and ev["sequence"] == 0
    assert ev["dtstamp"] is not None and ev["dtstamp"] >= before - timedelta(minutes=1)
    assert ev["organizer"]["mail"] == "alice@example.org" and ev["organizer"]["cn"] == "Alice"
    assert [(a["mail"], a["cn"], a["role"], a["partstat"]) for a in ev["attendees"]] == [
        ("carol@example.org", "carol@example.org", "CHAIR", "NEEDS-ACTION"),
        ("bob@example.org", "bob@example.org", "REQ-PARTICIPANT", "NEEDS-ACTION"),
        ("ext@partner.example", "ext@partner.example", "REQ-PARTICIPANT", "NEEDS-ACTION")]
    assert event_of(events, "Alone")["attendees"] == []

    for login, mail, role in (("bob", "bob@example.org", "REQ-PARTICIPANT"),
                              ("carol", "carol@example.org", "CHAIR")):
        _, _, theirs = feed(d, login)
        assert list(theirs) == [ev["uid"]]  # "Alone" is not theirs
        mine = theirs[ev["uid"]]
        link = f"{d.url}/j/{token_of(m, mail)}"
        assert mine["url"] == mine["location"] == link
        assert mine["description"] == f"Agenda:\n1. figures\n\nJoin the meeting: {link}"
        assert mine["organizer"] == ev["organizer"]
        assert [(a["mail"], a["role"]) for a in mine["attendees"]] == [(mail, role)]
        for key in ("dtstart", "dtend", "summary", "sequence", "status", "tzid"):
            assert mine[key] == ev[key], key


def test_answers_edits_and_uid_stability(d):
    m = book(d, title="Weekly", moderators=["carol@example.org"],
             guests=["bob@example.org", "ext@partner.example"])
    _, _, events = feed(d, "alice")
    [uid] = events
    for mail, answer in (("bob@example.org", "accepted"), ("ext@partner.example", "declined")):
        s = requests.Session()
        token = token_of(m, mail)
        csrf = csrf_of(s.get(f"{d.url}/r/{token}").text)
        assert s.post(f"{d.url}/r/{token}", data={"answer": answer, "csrf": csrf},
                      allow_redirects=False).status_code == 303
    _, _, events = feed(d, "alice")
    assert [(a["mail"], a["partstat"]) for a in events[uid]["attendees"]] == [
        ("carol@example.org", "NEEDS-ACTION"), ("bob@example.org", "ACCEPTED"),
        ("ext@partner.example", "DECLINED")]
    assert events[uid]["sequence"] == 0  # an answer is not an edit of the meeting
    _, _, bobs = feed(d, "bob")
    assert [(a["mail"], a["partstat"]) for a in bobs[uid]["attendees"]] == [
        ("bob@example.org", "ACCEPTED")]

    new_start = slot(hours=72)
    for sequence, fields in ((1, {"title": "Weekly (moved)", "start": new_start.isoformat()}),
                             (2, {"duration": 90})):
        edit(d, m, **fields)
        _, _, events = feed(d, "alice")
        assert list(events) == [uid]
        assert events[uid]["sequence"] == sequence
    ev = events[uid]
    assert ev["summary"] == "Weekly (moved)"
    assert ev["dtstart"] == new_start.astimezone(UTC)
    assert ev["dtend"] - ev["dtstart"] == timedelta(minutes=90)
    # Kept invitees keep their answers through edits.
    assert [a["partstat"] for a in ev["attendees"]] == ["NEEDS-ACTION", "ACCEPTED", "DECLINED"]
    # Another meeting never shares the UID.
    book(d, title="Weekly")
    _, _, events = feed(d, "alice")
    assert len(events) == 2 and uid in events


def test_alarms_only_for_reminders_still_ahead(d):
    cases = {"in-8-days": (slot(hours=8 * 24), [-10080, -1440, -60, -10]),
             "in-2-days": (slot(hours=48), [-1440, -60, -10]),
             "in-30-min": (slot(hours=0.5), [-10])}
    for title, (start, _) in cases.items():
        book(d, title=title, start=start)
    cancelled = book(d, title="cancelled", start=slot(hours=8 * 24))
    delete(d, cancelled)
    _, _, events = feed(d, "alice")
    for title, (_, minutes) in cases.items():
        ev = event_of(events, title)
        assert [a["trigger_minutes"] for a in ev["alarms"]] == minutes, title
        for alarm in ev["alarms"]:
            assert alarm["action"] == "DISPLAY"
            assert alarm["related"] in (None, "START")
            assert alarm["description"] == title
    assert event_of(events, "cancelled")["alarms"] == []


def test_configured_reminders(jmbd_factory):
    d = jmbd_factory(start=False, sections={"reminders": {"mail_before": "5, 120"}})
    d.add_user("alice", "alice-password")
    d.start()
    book(d, title="in-1-hour", start=slot(hours=1))
    book(d, title="in-3-hours", start=slot(hours=3))
    _, _, events = feed(d, "alice")
    assert [a["trigger_minutes"] for a in event_of(events, "in-1-hour")["alarms"]] == [-5]
    assert [a["trigger_minutes"] for a in event_of(events, "in-3-hours")["alarms"]] == [-120, -5]


def test_cancelled_meetings_stay_for_feed_past_days(d, jmbd_factory):
    m = book(d, title="Dropped", guests=["bob@example.org"])
    kept = book(d, title="Kept", guests=["bob@example.org"])
    delete(d, m)
    for login in ("alice", "bob"):
        _, _, events = feed(d, login)
        ev = event_of(events, "Dropped")
        assert ev["status"] == "CANCELLED" and ev["sequence"] == 1
        assert event_of(events, "Kept")["status"] == "CONFIRMED"
    # 10 days after the end both are still there (the kept one is over); after
    # feed_past_days (30) both are gone.
    later = jmbd_sharing(jmbd_factory, d, "later", at=end_of(kept) + timedelta(days=10))
    _, _, events = feed(later, "alice")
    assert sorted(ev["summary"] for ev in events.values()) == ["Dropped", "Kept"]
    much_later = jmbd_sharing(jmbd_factory, d, "much-later",
                              at=end_of(kept) + timedelta(days=31))
    _, _, events = feed(much_later, "alice")
    assert events == {}
    short = jmbd_sharing(jmbd_factory, d, "short", at=end_of(kept) + timedelta(days=10),
                         sections={"booking": {"feed_past_days": "5"}})
    assert feed(short, "alice")[2] == {}


# -- conditional requests --------------------------------------------------------------

def conditional(url, **headers):
    return requests.get(url, headers=headers, timeout=30)


def test_etag_and_last_modified_answer_304(d):
    book(d, title="Cached", guests=["bob@example.org"])
    url = feed_urls(d, "alice")["url"]
    r = fetch(url)
    etag, modified = r.headers["ETag"], r.headers["Last-Modified"]
    assert re.fullmatch(r'"[^"]+"', etag)
    assert parsedate_to_datetime(modified) <= datetime.now(UTC)
    assert "no-cache" in r.headers["Cache-Control"] or "max-age=0" in r.headers["Cache-Control"]
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'W/{etag}'},
                    {"If-None-Match": f'"nope", {etag}'}, {"If-None-Match": "*"},
                    {"If-Modified-Since": modified},
                    {"If-Modified-Since": "Fri, 31 Dec 2099 23:59:59 GMT"}):
        r = conditional(url, **headers)
        assert r.status_code == 304, headers
        assert r.content == b""
        if "If-None-Match" in headers and headers["If-None-Match"] != "*":
            assert r.headers["ETag"] == etag
        else:
            # No tag to echo: a 304 still carries one (RFC 9110 15.4.5), which
            # jmbd cannot know to be current without the meetings, so it is
            # stale at once (its expiry is now) and only ever brings a 200.
            assert re.fullmatch(r'"[^"]+"', r.headers["ETag"])
            later = conditional(url, **{"If-None-Match": r.headers["ETag"]})
            assert later.status_code == 200 and later.headers["ETag"] == etag
    for headers in ({"If-None-Match": '"nope"'},
                    {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
                    {"If-Modified-Since": "yesterday"},
                    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
                    {"If-None-Match": '"nope"', "If-Modified-Since": modified}):
        r = conditional(url, **headers)
        assert r.status_code == 200, headers
        assert r.text.startswith("BEGIN:VCALENDAR")


def test_etag_expires_when_the_clock_alone_changes_the_feed(d, jmbd_factory):
    """No write, yet the feed changes when a reminder's time comes (its VALARM
    goes): the ETag carries that moment, and an older tag stops matching then."""
    book(d, title="Soon", start=slot(hours=1.5))  # VALARMs at -60 and -10 min
    url = feed_urls(d, "alice")["url"]
    first = fetch(url)
    assert first.text.count("BEGIN:VALARM") == 2
    etag = first.headers["ETag"]
    path = url.split("/feed/", 1)[1]
    same_url = {"server": {"public_url": d.url}}
    for minutes, status, alarms in ((20, 304, 2), (35, 200, 1)):
        later = jmbd_sharing(jmbd_factory, d, f"at{minutes}", sections=same_url,
                             at=datetime.now(UTC) + timedelta(minutes=minutes))
        r = conditional(f"{later.url}/feed/{path}", **{"If-None-Match": etag})
        assert r.status_code == status, minutes
        if status == 200:
            assert r.text.count("BEGIN:VALARM") == alarms
            assert r.headers["ETag"] != etag
        later.stop()


def test_etag_differs_per_language(d):
    book(d, title="Bilingual")
    url = feed_urls(d, "alice")["url"]
    fr = fetch(url, **{"Accept-Language": "fr"})
    en = fetch(url, **{"Accept-Language": "en"})
    assert "Visioconférences" in fr.text and "Video meetings" in en.text
    assert fr.headers["ETag"] != en.headers["ETag"]
    assert "Accept-Language" in fr.headers["Vary"]
    r = conditional(url, **{"If-None-Match": fr.headers["ETag"], "Accept-Language": "en"})
    assert r.status_code == 200 and "Video meetings" in r.text


def test_hostile_if_none_match_gets_the_feed(d):
    book(d, title="Guarded")
    url = feed_urls(d, "alice")["url"]
    etag = fetch(url).headers["ETag"]
    changes, expiry, context = etag.strip('"').split("-")
    for value in ('"', '""', "W/", "W/W/" + etag, etag[:-1], etag + "x", etag.strip('"'),
                  f'"{changes}-{expiry}-{context}0"', f'"{changes}-{expiry}-{context.upper()}"',
                  f'"{int(changes) + 1}-{expiry}-{context}"', f'"-{changes}-{expiry}-{context}"',
                  f'"{changes}-{expiry}-{context[:-1]}"', f'"{changes}--{context}"',
                  f'"99999999999999999999999-{expiry}-{context}"', '"' + "9" * 8000 + '"',
                  '"a", ' * 500 + '"b"', f'"x" {etag}', "\x01" + etag):
        r = conditional(url, **{"If-None-Match": value})
        assert r.status_code == 200, value[:80]
        assert r.text.startswith("BEGIN:VCALENDAR")
    assert conditional(url, **{"If-None-Match": f'"a" , W/"b",{etag} '}).status_code == 304


def test_feed_tag_numbers_are_read_strictly(d):
    """The numbers of a feed tag are read in their one spelling: a value beyond
    INT64_MAX (undefined for sscanf, which then read "valid for ever"), a sign
    or a leading zero is an unknown tag, answered in full."""
    book(d, title="Strict")
    url = feed_urls(d, "alice")["url"]
    etag = fetch(url).headers["ETag"]
    changes, expiry, context = etag.strip('"').split("-")
    for value in (f'"{changes}-9223372036854775808-{context}"',
                  f'"{changes}-9999999999999999999-{context}"',
                  f'"+{changes}-{expiry}-{context}"', f'"{changes}-+{expiry}-{context}"',
                  f'"0{changes}-{expiry}-{context}"', f'"{changes}-0{expiry}-{context}"'):
        r = conditional(url, **{"If-None-Match": value})
        assert r.status_code == 200, value
        assert r.headers["ETag"] == etag
    assert conditional(url, **{"If-None-Match": etag}).status_code == 304


def test_etag_changes_after_an_edit_an_answer_and_a_deletion(d):
    m = book(d, title="Tracked", guests=["bob@example.org"])
    urls = [feed_urls(d, "alice")["url"], feed_urls(d, "bob")["url"]]
    token = token_of(m, "bob@example.org")

    def answer():
        s = requests.Session()
        csrf = csrf_of(s.get(f"{d.url}/r/{token}").text)
        assert s.post(f"{d.url}/r/{token}", data={"answer": "accepted", "csrf": csrf},
                      allow_redirects=False).status_code == 303

    for what, change in (("edit", lambda: edit(d, m, title="Tracked 2")), ("answer", answer),
                         ("deletion", lambda: delete(d, m))):
        before = {url: fetch(url).headers["ETag"] for url in urls}
        for url, etag in before.items():
            assert conditional(url, **{"If-None-Match": etag}).status_code == 304
        wait_for_next_second()  # same-second changes: test_etag_changes_within_the_same_second
        changed_at = int(time.time())
        change()
        if what != "answer":  # an answer changes bob's line, not the meeting's DTSTAMP
            modified = parsedate_to_datetime(fetch(urls[0]).headers["Last-Modified"])
            assert changed_at <= modified.timestamp() <= time.time(), what
        for url, etag in before.items():
            r = conditional(url, **{"If-None-Match": etag})
            assert r.status_code == 200, f"after the {what} the old ETag still got 304"
            assert r.headers["ETag"] != etag
    for url in urls:
        text = fetch(url).text.replace("\r\n ", "")
        assert "STATUS:CANCELLED" in text and "SUMMARY:Tracked 2" in text
        assert "PARTSTAT=ACCEPTED" in text


def test_etag_changes_within_the_same_second(d):
    """Calendar servers poll often; a change made in the same second as the
    previous one must still change the ETag, or the stale feed is kept as 304."""
    m = book(d, title="Quick", guests=["bob@example.org"])
    url = feed_urls(d, "alice")["url"]
    token = token_of(m, "bob@example.org")
    s = requests.Session()
    csrf = csrf_of(s.get(f"{d.url}/r/{token}").text)
    for attempt in range(3):  # each try fits in one second; retried if it did not
        wait_for_next_second()
        second = int(time.time())
        edit(d, m, title=f"Quick {attempt}")
        first = fetch(url)
        s.post(f"{d.url}/r/{token}", data={"answer": "declined" if attempt % 2 else "accepted",
                                           "csrf": csrf}, allow_redirects=False)
        edit(d, m, title=f"Quick {attempt} bis")
        r = conditional(url, **{"If-None-Match": first.headers["ETag"]})
        if int(time.time()) == second:
            break
    else:
        pytest.skip("could not fit the changes in one second")
    assert r.status_code == 200, "two changes in one second: the second one was answered 304"
    assert f"SUMMARY:Quick {attempt} bis" in r.text


def test_if_modified_since_after_an_invitee_is_removed(d):
    """bob is removed from an older meeting: his feed changed (one event less),
    so an If-Modified-Since of the previous Last-Modified must not get 304."""
    old = book(d, title="Older", guests=["bob@example.org"])
    wait_for_next_second()
    book(d, title="Newer", guests=["bob@example.org"])
    url = feed_urls(d, "bob")["url"]
    r = fetch(url)
    assert sorted(ev["summary"] for ev in parsed(r.text)[1].values()) == ["Newer", "Older"]
    wait_for_next_second()
    edit(d, old, guests=[])
    again = conditional(url, **{"If-Modified-Since": r.headers["Last-Modified"]})
    fresh = fetch(url)
    assert [ev["summary"] for ev in parsed(fresh.text)[1].values()] == ["Newer"]
    assert fresh.headers["ETag"] != r.headers["ETag"]
    assert again.status_code == 200, "bob's feed lost an event but If-Modified-Since got 304"
