"""Series in the sample iCal feed (tests/unit/ical-feed-dump), expanded by three
independent parsers, each of which must give exactly the occurrences (UTC instants)
that jmb's own expansion (jmb_meeting_occurrences, printed by ical-feed-dump
--occurrences) gives:

- python3 recurring_ical_events, on python3-icalendar (TZIDs through the IANA
  database, pytz);
- Mozilla's ical.js (tests/integration/node/expand-ics.mjs), TZIDs through the feed's
  own VTIMEZONEs only;
- python3-vobject (dateutil's rruleset, TZIDs through the feed's VTIMEZONEs).

The sample has a weekly series in Europe/Paris across both DST changes of 2026, with
one occurrence cancelled (EXDATE) and one moved (a VEVENT with a RECURRENCE-ID), and a
monthly BYDAY=-1FR series in America/New_York. Cancelled occurrences and cancelled
meetings are left out on both sides. A round trip through python3-icalendar's
serialiser must not change the occurrences either."""
import datetime
import json
import os
import re
import subprocess

import icalendar
import pytest
import recurring_ical_events
import vobject

from ical_parsers import NODE_DIR, ParserUnavailable, ensure_icaljs
from test_ical_parsers import DUMP, dump

UTC = datetime.timezone.utc
SERIES = ("paris-weekly@jmb.test", "new-york-monthly@jmb.test")
WINDOW = (datetime.datetime(2000, 1, 1, tzinfo=UTC), datetime.datetime(2100, 1, 1, tzinfo=UTC))


def jmb_occurrences(login):
    """{uid: sorted [(start, end)]} of every sample meeting, by jmb, cancelled left out."""
    dump(login)  # builds ical-feed-dump when needed
    r = subprocess.run([str(DUMP), "--occurrences", login], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    return {uid: sorted((o["start"], o["end"]) for o in occ if not o["cancelled"])
            for uid, occ in json.loads(r.stdout).items()}


def epoch(dt):
    assert dt.tzinfo is not None and dt.utcoffset() is not None, dt
    return int(dt.timestamp())


def _cancelled(status):
    return status is not None and str(status).upper() == "CANCELLED"


def by_recurring_ical_events(text):
    cal = icalendar.Calendar.from_ical(text)
    out = {}
    for ev in recurring_ical_events.of(cal).between(*WINDOW):
        if _cancelled(ev.get("STATUS")):
            continue
        out.setdefault(str(ev["UID"]), []).append(
            (epoch(ev["DTSTART"].dt), epoch(ev["DTEND"].dt)))
    return {uid: sorted(occ) for uid, occ in out.items()}


def by_icaljs(text):
    try:
        ensure_icaljs()
    except ParserUnavailable as e:
        pytest.skip(f"ical.js unavailable: {e}")
    r = subprocess.run(["node", str(NODE_DIR / "expand-ics.mjs")], input=text.encode("utf-8"),
                       capture_output=True, timeout=60, env={**os.environ, "TZ": "UTC"})
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    out = {}
    for uid, occ in json.loads(r.stdout).items():
        kept = sorted((o["start"], o["end"]) for o in occ if not _cancelled(o["status"]))
        if kept:
            out[uid] = kept
    return out


def by_vobject(text):
    """vobject expands a series' RRULE and EXDATEs (getrruleset) but leaves its
    RECURRENCE-ID VEVENTs to the caller: each replaces the occurrence it names."""
    cal = vobject.readOne(text)
    masters, moved = {}, {}
    for ev in cal.vevent_list:
        uid = ev.uid.value
        if hasattr(ev, "recurrence_id"):
            moved.setdefault(uid, {})[epoch(ev.recurrence_id.value)] = ev
        else:
            masters[uid] = ev
    out = {}
    for uid, ev in masters.items():
        if _cancelled(getattr(ev, "status", None) and ev.status.value):
            continue
        length = ev.dtend.value - ev.dtstart.value
        changed = moved.get(uid, {})
        occ = []
        if hasattr(ev, "rrule"):
            for start in ev.getrruleset(addRDate=True):
                if epoch(start) not in changed:
                    occ.append((epoch(start), epoch(start + length)))
                assert len(occ) < 10000, uid
        else:
            occ.append((epoch(ev.dtstart.value), epoch(ev.dtend.value)))
        for inst in changed.values():
            if not _cancelled(getattr(inst, "status", None) and inst.status.value):
                occ.append((epoch(inst.dtstart.value), epoch(inst.dtend.value)))
        out[uid] = sorted(occ)
    return out


PARSERS = {"recurring_ical_events": by_recurring_ical_events, "ical.js": by_icaljs,
           "vobject": by_vobject}


@pytest.fixture(scope="module")
def samples():
    """{login: (feed text, jmb's occurrences of the UIDs in that feed)}."""
    out = {}
    for login in ("alice", "bob"):
        text = dump(login)
        uids = {str(ev["UID"]) for ev in icalendar.Calendar.from_ical(text).walk("VEVENT")}
        expected = {uid: occ for uid, occ in jmb_occurrences(login).items()
                    if uid in uids and occ}
        out[login] = (text, expected)
    return out


def local(y, mo, d, h, mi, zone):
    from zoneinfo import ZoneInfo
    return int(datetime.datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(zone)).timestamp())


def test_jmb_expansion_of_the_sample(samples):
    """What the parsers are compared with is itself right: wall clock kept across DST."""
    expected = samples["alice"][1]
    weekly = expected["paris-weekly@jmb.test"]
    assert len(weekly) == 34 - 1  # 17 March to 3 November, 7 April cancelled
    assert weekly[0] == (local(2026, 3, 17, 10, 0, "Europe/Paris"),
                         local(2026, 3, 17, 11, 0, "Europe/Paris"))
    starts = {s for s, _ in weekly}
    utc_hours = {datetime.datetime.fromtimestamp(s, UTC).hour for s in starts}
    assert utc_hours == {9, 8, 14}  # CET, CEST, and the moved one
    for day in (24, 31):  # either side of the spring change
        assert local(2026, 3, day, 10, 0, "Europe/Paris") in starts
    assert local(2026, 4, 7, 10, 0, "Europe/Paris") not in starts
    assert local(2026, 10, 27, 10, 0, "Europe/Paris") not in starts
    assert (local(2026, 10, 28, 15, 0, "Europe/Paris"),
            local(2026, 10, 28, 15, 45, "Europe/Paris")) in weekly
    assert local(2026, 11, 3, 10, 0, "Europe/Paris") in starts
    monthly = [s for s, _ in expected["new-york-monthly@jmb.test"]]
    assert monthly == [local(2026, m, d, 9, 0, "America/New_York") for m, d in (
        (1, 30), (2, 27), (3, 27), (4, 24), (5, 29), (6, 26), (7, 31), (8, 28), (9, 25),
        (10, 30), (11, 27), (12, 25))]


@pytest.mark.parametrize("parser", sorted(PARSERS))
@pytest.mark.parametrize("login", ["alice", "bob"])
def test_parsers_expand_as_jmb_does(samples, parser, login):
    text, expected = samples[login]
    got = PARSERS[parser](text)
    for uid in SERIES:
        assert uid in expected, uid
    assert got.keys() == expected.keys()
    for uid in expected:
        assert got[uid] == expected[uid], (parser, uid)


@pytest.mark.parametrize("parser", sorted(PARSERS))
def test_the_comparison_sees_a_lost_exdate_and_a_lost_move(samples, parser):
    """Without its EXDATE, or without its moved occurrence's VEVENT, the series
    expands differently in every parser: the test above really checks them."""
    text, expected = samples["alice"]
    assert "EXDATE;TZID=Europe/Paris:20260407T100000\r\n" in text
    got = PARSERS[parser](text.replace("EXDATE;TZID=Europe/Paris:20260407T100000\r\n", ""))
    cancelled = (local(2026, 4, 7, 10, 0, "Europe/Paris"), local(2026, 4, 7, 11, 0, "Europe/Paris"))
    assert got["paris-weekly@jmb.test"] == sorted(expected["paris-weekly@jmb.test"] + [cancelled])
    moved = re.compile(r"BEGIN:VEVENT\r\n(?:(?!END:VEVENT).)*?RECURRENCE-ID.*?END:VEVENT\r\n",
                       re.S)
    assert len(moved.findall(text)) == 1
    got = PARSERS[parser](moved.sub("", text))
    weekly = got["paris-weekly@jmb.test"]
    assert (local(2026, 10, 27, 10, 0, "Europe/Paris"),
            local(2026, 10, 27, 11, 0, "Europe/Paris")) in weekly
    assert len(weekly) == len(expected["paris-weekly@jmb.test"])


@pytest.mark.parametrize("login", ["alice", "bob"])
def test_icalendar_round_trip_keeps_the_occurrences(samples, login):
    text, expected = samples[login]
    again = icalendar.Calendar.from_ical(text).to_ical().decode("utf-8")
    assert "RRULE:" in again and "RECURRENCE-ID;TZID=Europe/Paris:" in again
    assert by_recurring_ical_events(again) == expected
    assert by_recurring_ical_events(again) == by_recurring_ical_events(text)
