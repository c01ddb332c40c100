"""Reminders of a series: each occurrence has its own, which names that
occurrence's date and time and skips the invitees who declined it (not those
who declined another one). jmbd's clock is moved with JMB_TEST_TIME_OFFSET
(jmbd restarted between positions), mails arrive at an SMTP sink."""
import email
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from email import policy

import pytest
import requests

from conftest import csrf_of
from helpers import ZONE, api, api_token

RULE = "FREQ=WEEKLY;COUNT=3"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def occurrence_starts(first):
    """The three starts of the weekly series: 10:00 in Paris each week, DST or not."""
    return [(first + timedelta(weeks=i)).replace(tzinfo=ZONE) for i in range(3)]


def when(t):
    """How a mail says t: "Wednesday 10 March 2027, 10:00" (the date part)."""
    return f"{t.day} {MONTHS[t.month - 1]} {t.year}, {t:%H:%M}"


def utc(t):
    return int(t.timestamp())


def book_series(d, first):
    alice = api(d, api_token(d, "alice"))
    r = alice.post(d.url + "/api/v1/meetings", json={
        "title": "Weekly sync", "start": first.isoformat(), "duration": 60,
        "timezone": "Europe/Paris", "guests": ["dave@example.org", "erin@example.org"],
        "recurrence": RULE})
    assert r.status_code == 201, r.text
    return r.json()


def decline_occurrence(d, meeting, mail, recurrence_id):
    """The invitee declines one occurrence on their invitation page."""
    token = [a for a in meeting["attendees"] if a["mail"] == mail][0]["link"].rsplit("/", 1)[1]
    s = requests.Session()
    page = s.get(f"{d.url}/r/{token}")
    occurrence = datetime.fromtimestamp(recurrence_id, timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    r = s.post(f"{d.url}/r/{token}", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "occurrence": occurrence, "answer": "declined"})
    assert r.status_code == 303, r.text


def planned(d, meeting_id):
    with sqlite3.connect(d.dir / "jmb.db") as db:
        return sorted(db.execute("SELECT recurrence_id, due_at FROM reminders "
                                 "WHERE meeting_id = ? AND kind = 'mail'", (meeting_id,)))


def reminders_at(d, smtp, moment, expected):
    """Restarts jmbd with its clock at `moment` and returns the reminders sent,
    by recipient, once `expected` arrived (and a little more time passed)."""
    d.stop()
    smtp.messages.clear()
    d.start(env={"JMB_QUEUE_INTERVAL": "1",
                 "JMB_TEST_TIME_OFFSET": str(utc(moment) - int(time.time()))})
    smtp.wait_for(expected)
    time.sleep(2.5)
    mails = {}
    for e in smtp.messages:
        msg = email.message_from_bytes(e.content, policy=policy.default)
        if "Reminder" in msg["Subject"]:
            mails[e.rcpt_tos[0]] = msg
    return mails


def test_each_occurrence_has_its_reminder(jmbd_factory, smtp):
    d = jmbd_factory(start=False, sections={
        "mail": {"transport": smtp.url, "from": "noreply@example.org", "from_name": "Visio",
                 "local_domains": "example.org"},
        "reminders": {"mail_before": "60"}})
    d.add_user("alice", "alice-password", mail="alice@example.org", name="Alice Martin")
    d.start(env={"JMB_QUEUE_INTERVAL": "1"})
    day = (datetime.now(ZONE) + timedelta(days=3)).date()
    first = datetime(day.year, day.month, day.day, 10, 0)
    starts = occurrence_starts(first)
    m = book_series(d, first.replace(tzinfo=ZONE))
    assert m["recurrence"] == RULE
    smtp.wait_for(3)
    # Dave declines the second occurrence only.
    decline_occurrence(d, m, "dave@example.org", utc(starts[1]))
    d.stop()
    # One mail reminder per occurrence, at its own time.
    assert planned(d, m["id"]) == [(utc(s), utc(s) - 3600) for s in starts]

    # 30 minutes before the second occurrence: the first one's reminder is
    # late (that meeting began) and sends nothing; the second's names its date.
    mails = reminders_at(d, smtp, starts[1] - timedelta(minutes=30), 2)
    assert set(mails) == {"alice@example.org", "erin@example.org"}
    for msg in mails.values():
        text = msg.get_body(("plain",)).get_content()
        assert when(starts[1]) in text, text
        assert when(starts[0]) not in text
    owner = mails["alice@example.org"].get_body(("plain",)).get_content()
    assert "dave@example.org (Guest): Declined" in owner

    # The third occurrence's reminder goes to Dave again, naming its own date.
    mails = reminders_at(d, smtp, starts[2] - timedelta(minutes=30), 3)
    assert set(mails) == {"alice@example.org", "dave@example.org", "erin@example.org"}
    text = mails["dave@example.org"].get_body(("plain",)).get_content()
    assert when(starts[2]) in text and when(starts[1]) not in text
    d.stop()
    # Each reminder was sent once: none is pending any more.
    with sqlite3.connect(d.dir / "jmb.db") as db:
        assert db.execute("SELECT count(*) FROM reminders WHERE meeting_id = ? "
                          "AND done_at IS NULL", (m["id"],)).fetchone() == (0,)
