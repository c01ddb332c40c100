"""The mails of a series (issue 10), read as calendar clients read them: the
invitation is one REQUEST with the RRULE; cancelling one occurrence sends a
CANCEL holding that occurrence alone (its RECURRENCE-ID, STATUS:CANCELLED)
and moving one a REQUEST holding it alone at its new time, each with the
series' grown SEQUENCE and the same UID, and a text naming the occurrence
and what changed. Mails arrive at an SMTP sink; parsed with python3-icalendar."""
import email
from datetime import datetime, timedelta, timezone
from email import policy
from zoneinfo import ZoneInfo

import icalendar
import pytest

from jmb_links import bearer, book

PARIS = ZoneInfo("Europe/Paris")
FIRST = datetime(2027, 3, 16, 10, 0, tzinfo=PARIS)
GUEST = "guest@outside.example"


@pytest.fixture
def site(jmbd_factory, smtp):
    d = jmbd_factory("series-mail", start=False, sections={
        "mail": {"transport": smtp.url, "from": "noreply@example.org",
                 "local_domains": "example.org"}})
    d.add_user("alice", "alice-password")
    return d.start(env={"JMB_QUEUE_INTERVAL": "1"})


def rid(dt):
    return dt.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def mails_to(smtp, count, rcpt):
    envelopes = [e for e in smtp.wait_for(count) if e.rcpt_tos == [rcpt]]
    return [email.message_from_bytes(e.content, policy=policy.default) for e in envelopes]


def calendar_of(msg):
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_content())
    raise AssertionError("no calendar part")


def test_series_invitation_change_and_cancel(site, smtp):
    m = book(site, start=FIRST, guests=[GUEST], recurrence="FREQ=WEEKLY;BYDAY=TU;COUNT=4")
    [invitation] = mails_to(smtp, 2, GUEST)
    cal = calendar_of(invitation)
    assert cal["METHOD"] == "REQUEST"
    [series] = cal.walk("VEVENT")
    assert series["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=4;BYDAY=TU"
    uid, sequence = str(series["UID"]), int(series["SEQUENCE"])
    text = invitation.get_body(("plain",)).get_content()
    assert "Repeats: Every Tuesday at 10:00 (Europe/Paris), 4 times, from 16 March 2027" \
        in text, text

    alice = bearer(site, "alice")
    base = f"{site.url}/api/v1/meetings/{m['id']}/occurrences"
    second = FIRST + timedelta(days=7)
    moved = datetime(2027, 3, 25, 14, 0, tzinfo=PARIS)
    assert alice.patch(f"{base}/{rid(second)}", json={"start": moved.isoformat()}) \
        .status_code == 200
    [_, change] = mails_to(smtp, 4, GUEST)
    cal = calendar_of(change)
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == sequence + 1
    assert "RRULE" not in event
    assert event["RECURRENCE-ID"].dt == second
    assert event["DTSTART"].dt == moved
    text = change.get_body(("plain",)).get_content()
    assert "One occurrence of a series you are invited to has changed." in text
    assert "23 March 2027" in text and "25 March 2027" in text, text
    assert "Repeats:" not in text  # about one occurrence

    assert alice.delete(f"{base}/{rid(FIRST)}").status_code == 204
    [_, _, cancel] = mails_to(smtp, 6, GUEST)
    cal = calendar_of(cancel)
    assert cal["METHOD"] == "CANCEL"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == sequence + 2
    assert event["RECURRENCE-ID"].dt == FIRST and str(event["STATUS"]) == "CANCELLED"
    assert "RSVP" not in event["ATTENDEE"].params
    assert "16 March 2027" in cancel.get_body(("plain",)).get_content()
    # The organiser's copies too.
    owner = mails_to(smtp, 6, "alice@example.org")
    assert [calendar_of(o)["METHOD"] for o in owner] == ["PUBLISH", "PUBLISH", "CANCEL"]
