"""The sample iCal feed (tests/unit/ical-feed-dump, built from src/lib/publish/ical-feed.c) read by
python3-icalendar and ical.js through ical_parsers: both must agree with each other and
with the IANA rules: DST on the last Sundays of March and October in Europe/Paris,
America/New_York in summer and winter, UTC, statuses, alarms, owner and invitee views."""
import datetime
import re
import subprocess
from zoneinfo import ZoneInfo

import pytest

from conftest import BUILD
from ical_parsers import ParserUnavailable, by_uid, parse_both, parse_icaljs, parse_icalendar

DUMP = BUILD / "tests" / "unit" / "ical-feed-dump"
UTC = datetime.timezone.utc


def dump(login):
    if not DUMP.exists():  # a check program: `make` alone does not build it
        subprocess.run(["make", "-C", str(DUMP.parent), "ical-feed-dump"], check=True,
                       capture_output=True, timeout=600)
    r = subprocess.run([str(DUMP), login], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def feeds():
    """{login: (text, python3-icalendar view, ical.js view)} for alice and bob."""
    out = {}
    for login in ("alice", "bob"):
        text = dump(login)
        try:
            py, js = parse_both(text)
        except ParserUnavailable as e:
            pytest.skip(f"ical.js unavailable: {e}")
        out[login] = (text, py, js)
    return out


def views(feeds, login, uid):
    """The event uid as each parser sees it in login's feed."""
    _, py, js = feeds[login]
    return by_uid(py["events"])[uid], by_uid(js["events"])[uid]


def local(y, mo, d, h, mi, zone):
    return datetime.datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize("login", ["alice", "bob"])
def test_both_parsers_see_the_same_feed(feeds, login):
    _, py, js = feeds[login]
    assert py["calendar"] == js["calendar"]
    assert len(py["events"]) == len(js["events"]) == {"alice": 12, "bob": 9}[login]
    py_events, js_events = by_uid(py["events"]), by_uid(js["events"])
    assert py_events.keys() == js_events.keys()
    for uid in py_events:
        assert py_events[uid] == js_events[uid], uid
        assert py_events[uid]["tz_resolved"], uid


def test_feed_octets(feeds):
    text = feeds["alice"][0]
    raw = text.encode("utf-8")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")  # no fold splits a character
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")


def test_calendar_properties(feeds):
    _, py, _ = feeds["alice"]
    cal = py["calendar"]
    assert re.fullmatch(r"-//jmb//jmb [0-9][^/]*//EN", cal["prodid"])
    assert (cal["version"], cal["calscale"], cal["method"]) == ("2.0", "GREGORIAN", "PUBLISH")
    assert cal["name"] == "Visioconférences — Alice Martin"
    assert (cal["refresh_minutes"], cal["refresh_value_type"]) == (60, "DURATION")
    assert cal["published_ttl_minutes"] == 60
    # one real VTIMEZONE per zone used, none for UTC, no duplicates
    assert sorted(cal["timezones"]) == ["America/New_York", "Europe/Paris"]
    assert feeds["bob"][1]["calendar"]["name"] == "Visioconférences — Bob Durand"


def test_paris_dst_last_sundays_of_march_and_october(feeds):
    spring = datetime.date(2026, 3, 29)
    autumn = datetime.date(2026, 10, 25)
    for day in (spring, autumn):  # the last Sundays, when Europe changes its clocks
        assert day.weekday() == 6 and (day + datetime.timedelta(days=7)).month != day.month
    cases = {
        "paris-friday@jmb.test": (local(2026, 3, 27, 10, 0, "Europe/Paris"), "09:00"),
        "paris-spring@jmb.test": (local(2026, 3, 29, 10, 0, "Europe/Paris"), "08:00"),
        "paris-monday@jmb.test": (local(2026, 3, 30, 10, 0, "Europe/Paris"), "08:00"),
        "paris-autumn@jmb.test": (local(2026, 10, 25, 10, 0, "Europe/Paris"), "09:00"),
    }
    for uid, (instant, utc_clock) in cases.items():
        for ev in views(feeds, "alice", uid):
            assert ev["tzid"] == "Europe/Paris"
            assert ev["dtstart_local"].endswith("T10:00:00")
            assert ev["dtstart"] == instant, uid
            assert ev["dtstart"].strftime("%H:%M") == utc_clock
    for ev in views(feeds, "alice", "paris-spring@jmb.test"):
        assert ev["dtend"] - ev["dtstart"] == datetime.timedelta(minutes=90)


def test_new_york_summer_and_winter(feeds):
    for uid, instant in (("new-york-summer@jmb.test", "2026-07-01T13:00:00+00:00"),
                         ("new-york-winter@jmb.test", "2026-11-02T14:00:00+00:00")):
        for ev in views(feeds, "alice", uid):
            assert ev["tzid"] == "America/New_York"
            assert ev["dtstart_local"].endswith("T09:00:00")
            assert ev["dtstart"] == datetime.datetime.fromisoformat(instant)
            assert ev["dtend"] - ev["dtstart"] == datetime.timedelta(hours=1)


def test_cancelled_meeting_in_utc(feeds):
    for login in ("alice", "bob"):
        for ev in views(feeds, login, "utc-cancelled@jmb.test"):
            assert ev["tzid"] is None
            assert ev["dtstart"] == datetime.datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
            assert ev["status"] == "CANCELLED"
            assert ev["sequence"] == 2
            assert ev["alarms"] == []
    for ev in views(feeds, "alice", "paris-spring@jmb.test"):
        assert ev["status"] == "CONFIRMED"
        assert ev["sequence"] == 3
        assert ev["dtstamp"] == datetime.datetime(2026, 3, 10, 16, 0, tzinfo=UTC)


def test_alarms_still_ahead_only(feeds):
    # "now" is 2026-03-20T12:00Z; reminders 7 days, 24 h, 1 h and 10 min before
    expected = {"paris-spring@jmb.test": [-10080, -1440, -60, -10],
                "paris-friday@jmb.test": [-1440, -60, -10],
                "soon@jmb.test": [-10]}
    for uid, minutes in expected.items():
        for ev in views(feeds, "alice", uid):
            assert [a["trigger_minutes"] for a in ev["alarms"]] == minutes, uid
            for alarm in ev["alarms"]:
                assert alarm["action"] == "DISPLAY"
                assert alarm["related"] in (None, "START")
                assert alarm["description"] == ev["summary"]


def test_owner_sees_everyone_invitee_sees_themselves(feeds):
    for ev in views(feeds, "alice", "paris-spring@jmb.test"):
        assert ev["url"] == ev["location"] == "https://jmb.example.org/start/parisspringroom001"
        assert ev["description"].endswith(
            "\n\nJoin the meeting: https://jmb.example.org/start/parisspringroom001")
        assert ev["organizer"]["mail"] == "alice@example.org"
        assert ev["organizer"]["cn"] == "Alice Martin"
        assert [(a["mail"], a["cn"], a["role"], a["partstat"], a["cutype"])
                for a in ev["attendees"]] == [
            ("bob@example.org", "Bob Durand", "REQ-PARTICIPANT", "ACCEPTED", "INDIVIDUAL"),
            ("carol@example.org", "Carol Petit", "CHAIR", "DECLINED", "INDIVIDUAL"),
            ("dave@partner.example", "dave@partner.example", "REQ-PARTICIPANT",
             "NEEDS-ACTION", "INDIVIDUAL"),
        ]
    for ev in views(feeds, "bob", "paris-spring@jmb.test"):
        assert ev["url"] == ev["location"] == "https://jmb.example.org/j/tok-bob-spring"
        assert [(a["mail"], a["role"], a["partstat"]) for a in ev["attendees"]] == [
            ("bob@example.org", "REQ-PARTICIPANT", "ACCEPTED")]
    for ev in views(feeds, "bob", "new-york-winter@jmb.test"):
        assert [(a["mail"], a["role"]) for a in ev["attendees"]] == [("bob@example.org", "CHAIR")]
    uids = set(by_uid(feeds["bob"][1]["events"]))
    assert "soon@jmb.test" not in uids and "hostile@jmb.test" not in uids


def test_hostile_text_round_trips(feeds):
    for ev in views(feeds, "alice", "hostile@jmb.test"):
        assert ev["summary"] == ('Tests <script>alert(1)</script>, "quotes"; semi\\colon\n'
                                 "new line 😀 élan")
        assert ev["description"].startswith(
            "Line one\nline two\nline three\nback\\slash, comma; semi\n\nJoin the meeting: ")
        assert ev["attendees"][0]["cn"] == "Zoë \"Z\" O'Neil, Jr.; 🎉"
        assert ev["sequence"] == 7


def test_series_rule_exdate_and_moved_occurrence(feeds):
    for login in ("alice", "bob"):
        for ev in views(feeds, login, "paris-weekly@jmb.test"):
            assert ev["rrule"] == "BYDAY=TU;FREQ=WEEKLY;UNTIL=20261103T090000Z"
            assert ev["dtstart"] == local(2026, 3, 17, 10, 0, "Europe/Paris")
            assert ev["exdates"] == [local(2026, 4, 7, 10, 0, "Europe/Paris")]
            assert ev["recurrence_id"] is None
            assert ev["attendees"][0]["partstat"] == "ACCEPTED"
        _, py, js = feeds[login]
        for events in (py["events"], js["events"]):
            moved = by_uid(events)[("paris-weekly@jmb.test", "2026-10-27T10:00:00")]
            assert moved["recurrence_id"] == local(2026, 10, 27, 10, 0, "Europe/Paris")
            assert moved["dtstart"] == local(2026, 10, 28, 15, 0, "Europe/Paris")
            assert moved["dtend"] - moved["dtstart"] == datetime.timedelta(minutes=45)
            assert moved["summary"] == "Weekly (moved to Wednesday)"
            assert moved["rrule"] is None and moved["exdates"] == []
            assert moved["sequence"] == 4
            assert moved["attendees"][0]["partstat"] == "TENTATIVE"
    for ev in views(feeds, "alice", "new-york-monthly@jmb.test"):
        assert ev["rrule"] == "BYDAY=-1FR;COUNT=12;FREQ=MONTHLY"
        assert ev["dtstart"] == local(2026, 1, 30, 9, 0, "America/New_York")
        assert ev["exdates"] == []


# --- the helper itself: its two views really are independent -------------------------

def vtimezone_block(text, tzid):
    m = re.search(r"BEGIN:VTIMEZONE\r\nTZID:" + re.escape(tzid) + r"\r\n.*?END:VTIMEZONE\r\n",
                  text, re.S)
    assert m, tzid
    return m


def test_icaljs_reads_times_through_the_vtimezone(feeds):
    text = feeds["alice"][0]
    block = vtimezone_block(text, "Europe/Paris")
    # without the VTIMEZONE, ical.js cannot place Paris times at all
    js = by_uid(parse_icaljs(text.replace(block.group(0), ""))["events"])
    assert not js["paris-spring@jmb.test"]["tz_resolved"]
    assert js["paris-spring@jmb.test"]["dtstart"] is None
    assert js["new-york-winter@jmb.test"]["tz_resolved"]
    # with a wrong summer offset, ical.js follows it and the two parsers disagree
    wrong = block.group(0).replace("TZOFFSETTO:+0200", "TZOFFSETTO:+0300")
    tampered = text.replace(block.group(0), wrong)
    js = by_uid(parse_icaljs(tampered)["events"])
    py = by_uid(parse_icalendar(tampered)["events"])
    assert js["paris-spring@jmb.test"]["dtstart"] == datetime.datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert py["paris-spring@jmb.test"]["dtstart"] == datetime.datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


def test_by_uid_refuses_duplicates():
    with pytest.raises(ValueError):
        by_uid([{"uid": "a"}, {"uid": "a"}])
