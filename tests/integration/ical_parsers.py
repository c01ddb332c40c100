"""Parses an iCalendar text with two independent parsers, python3-icalendar and Mozilla's
ical.js (run with node from tests/integration/node), and returns the same normalised
shape from each, so tests can check a feed through both and compare their views.

    from ical_parsers import parse_both, by_uid
    py, js = parse_both(ics_text)          # each: {"calendar": {...}, "events": [...]}
    assert by_uid(py["events"]) ... == by_uid(js["events"]) ...

Calendar: prodid, version, calscale, method, name (X-WR-CALNAME), refresh_minutes,
refresh_value_type ("DURATION"), published_ttl_minutes, timezones (VTIMEZONE TZIDs).
Event: uid, sequence (int), summary, description, dtstart and dtend (aware datetimes in
UTC), dtstart_local ("2026-03-29T10:00:00", the wall clock written), tzid (None for UTC
times), tz_resolved, dtstamp, status, url, location, organizer and attendees ({mail, cn,
role, partstat, cutype}), alarms ([{action, trigger_minutes (negative: before), related,
description}]), recurrence_id (UTC instant of RECURRENCE-ID, None on a meeting or a
series) and recurrence_id_local (its wall clock, as dtstart_local), rrule (the RRULE
value with its parts sorted by name, None without one), exdates (UTC instants).
by_uid() keys an event with a RECURRENCE-ID by (uid, recurrence_id_local).

How each parser reads a zoned time, so the two checks differ on purpose:
- ical.js has no zone database: it reads DTSTART;TZID=X only through the feed's own
  VTIMEZONE X, so its instant checks the VTIMEZONE's rules (tz_resolved is false, and
  dtstart None, when the feed has no VTIMEZONE for X).
- python3-icalendar 4.0 maps TZID=X to the IANA zone X (pytz), so its instant checks the
  wall clock and the TZID name. (Its VTIMEZONE reader, Timezone.to_tz(), cannot read an
  RRULE whose UNTIL is in UTC, which RFC 5545 3.8.3 requires inside a VTIMEZONE: it is
  not used.)
python3-icalendar before RFC 6868 support leaves "^'" and "^n" in parameter values;
this module decodes them when (and only when) the installed version does not.
"""
import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

import icalendar

NODE_DIR = Path(__file__).resolve().parent / "node"
UTC = datetime.timezone.utc


class ParserUnavailable(RuntimeError):
    """node/npm missing, or ical.js could not be installed."""


# --- ical.js --------------------------------------------------------------------------

def ensure_icaljs():
    """Installs the pinned ical.js into tests/integration/node when node_modules is
    missing. Raises ParserUnavailable when node or npm is not there."""
    if shutil.which("node") is None:
        raise ParserUnavailable("node is not installed")
    if (NODE_DIR / "node_modules" / "ical.js" / "package.json").exists():
        return
    if shutil.which("npm") is None:
        raise ParserUnavailable("npm is not installed")
    lock = NODE_DIR / "package-lock.json"
    cmd = ["npm", "ci" if lock.exists() else "install", "--no-audit", "--no-fund", "--silent"]
    r = subprocess.run(cmd, cwd=NODE_DIR, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise ParserUnavailable(f"{' '.join(cmd)} failed: {r.stderr.strip()[-500:]}")


def parse_icaljs(text):
    ensure_icaljs()
    r = subprocess.run(["node", str(NODE_DIR / "parse-ics.mjs")], input=text.encode("utf-8"),
                       capture_output=True, timeout=60, env={**os.environ, "TZ": "UTC"})
    if r.returncode != 0:
        raise ValueError("ical.js could not parse the text: " + r.stderr.decode("utf-8", "replace"))
    feed = json.loads(r.stdout)
    for ev in feed["events"]:
        for key in ("dtstart", "dtend", "dtstamp", "recurrence_id"):
            if ev[key] is not None:
                ev[key] = datetime.datetime.fromisoformat(ev[key])
        ev["exdates"] = [datetime.datetime.fromisoformat(t) for t in ev["exdates"]]
    cal = feed["calendar"]
    if cal["refresh_value_type"] is not None:
        cal["refresh_value_type"] = cal["refresh_value_type"].upper()
    return feed


# --- python3-icalendar ----------------------------------------------------------------

def _decodes_rfc6868():
    probe = icalendar.Calendar.from_ical(
        "BEGIN:VCALENDAR\r\nX-PROBE;CN=\"a^'b\":x\r\nEND:VCALENDAR\r\n")
    return probe["X-PROBE"].params["CN"] == 'a"b'


_NEEDS_RFC6868 = not _decodes_rfc6868()


def _param(prop, name):
    value = prop.params.get(name)
    if value is None:
        return None
    value = str(value)
    if not _NEEDS_RFC6868:
        return value
    out, i = [], 0
    while i < len(value):  # RFC 6868: ^^ -> ^, ^n -> LF, ^' -> "
        pair = value[i:i + 2]
        if pair in ("^^", "^n", "^N", "^'"):
            out.append({"^^": "^", "^n": "\n", "^N": "\n", "^'": '"'}[pair])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _text(comp, name):
    value = comp.get(name)
    return None if value is None else str(value)


def _mail(value):
    value = str(value)
    return value[7:] if value.lower().startswith("mailto:") else value


def _person(prop):
    return {"mail": _mail(prop), "cn": _param(prop, "CN"), "role": _param(prop, "ROLE"),
            "partstat": _param(prop, "PARTSTAT"), "cutype": _param(prop, "CUTYPE")}


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _time(comp, name):
    """(utc instant, local wall clock, tzid, resolved) of a DATE-TIME property."""
    prop = comp.get(name)
    if prop is None:
        return None, None, None, False
    dt = prop.dt
    tzid = prop.params.get("TZID")
    local = dt.replace(tzinfo=None).isoformat()
    if tzid is None:
        resolved = dt.tzinfo is not None and dt.utcoffset() == datetime.timedelta(0)
    else:
        resolved = getattr(dt.tzinfo, "zone", None) == str(tzid)
    return (dt.astimezone(UTC) if resolved else None), local, (str(tzid) if tzid else None), resolved


def _rrule(ev):
    rule = ev.get("RRULE")
    if rule is None:
        return None
    return ";".join(sorted(rule.to_ical().decode().split(";")))


def _exdates(ev):
    out = []
    for prop in _as_list(ev.get("EXDATE")):
        for d in prop.dts:
            resolved = d.dt.tzinfo is not None
            out.append(d.dt.astimezone(UTC) if resolved else None)
    return out


def _minutes(value):
    return None if value is None else value.dt.total_seconds() / 60


def _alarm(valarm):
    trigger = valarm.get("TRIGGER")
    return {"action": _text(valarm, "ACTION"),
            "trigger_minutes": _minutes(trigger) if trigger is not None else None,
            "related": _param(trigger, "RELATED") if trigger is not None else None,
            "description": _text(valarm, "DESCRIPTION")}


def _event(ev):
    start, start_local, tzid, start_ok = _time(ev, "DTSTART")
    end, _, _, end_ok = _time(ev, "DTEND")
    rid, rid_local, _, rid_ok = _time(ev, "RECURRENCE-ID")
    stamp = ev.get("DTSTAMP")
    organizer = ev.get("ORGANIZER")
    seq = ev.get("SEQUENCE")
    return {
        "uid": _text(ev, "UID"),
        "sequence": None if seq is None else int(seq),
        "summary": _text(ev, "SUMMARY"),
        "description": _text(ev, "DESCRIPTION"),
        "dtstart": start,
        "dtstart_local": start_local,
        "dtend": end,
        "tzid": tzid,
        "tz_resolved": start_ok and end_ok and (rid_ok or ev.get("RECURRENCE-ID") is None),
        "recurrence_id": rid,
        "recurrence_id_local": rid_local,
        "rrule": _rrule(ev),
        "exdates": _exdates(ev),
        "dtstamp": stamp.dt.astimezone(UTC) if stamp is not None else None,
        "status": _text(ev, "STATUS"),
        "url": _text(ev, "URL"),
        "location": _text(ev, "LOCATION"),
        "organizer": _person(organizer) if organizer is not None else None,
        "attendees": [_person(a) for a in _as_list(ev.get("ATTENDEE"))],
        "alarms": [_alarm(a) for a in ev.subcomponents if a.name == "VALARM"],
    }


def parse_icalendar(text):
    cal = icalendar.Calendar.from_ical(text)
    refresh = cal.get("REFRESH-INTERVAL")
    ttl = cal.get("X-PUBLISHED-TTL")
    value_type = refresh.params.get("VALUE") if refresh is not None else None
    return {
        "calendar": {
            "prodid": _text(cal, "PRODID"),
            "version": _text(cal, "VERSION"),
            "calscale": _text(cal, "CALSCALE"),
            "method": _text(cal, "METHOD"),
            "name": _text(cal, "X-WR-CALNAME"),
            "refresh_minutes": _duration_minutes(refresh),
            "refresh_value_type": value_type.upper() if value_type else None,
            "published_ttl_minutes": _duration_minutes(ttl),
            "timezones": [str(z["TZID"]) for z in cal.subcomponents if z.name == "VTIMEZONE"],
        },
        "events": [_event(c) for c in cal.subcomponents if c.name == "VEVENT"],
    }


def _duration_minutes(prop):
    if prop is None:
        return None
    if hasattr(prop, "dt"):
        return prop.dt.total_seconds() / 60
    return icalendar.vDuration.from_ical(str(prop)).total_seconds() / 60


# --- both -----------------------------------------------------------------------------

def parse_both(text):
    """(python3-icalendar's view, ical.js's view) of text."""
    return parse_icalendar(text), parse_icaljs(text)


def by_uid(events):
    """{uid: event}, or {(uid, recurrence_id_local): event} for a changed occurrence of a
    series; a key seen twice is an error (a UID is one meeting or series in a feed,
    with at most one VEVENT per occurrence)."""
    out = {}
    for ev in events:
        rid = ev.get("recurrence_id_local")
        key = ev["uid"] if rid is None else (ev["uid"], rid)
        if key in out:
            raise ValueError(f"duplicate UID {key}")
        out[key] = ev
    return out
