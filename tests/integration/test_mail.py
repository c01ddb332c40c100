"""Notifications through a real SMTP server: invitations, changes and
cancellations with iMIP parts, the organiser's notice of answers, the durable
outbox (an MTA outage loses nothing; a 5xx is kept as failed and can be
retried), and mail reminders that skip people who declined."""
import email
import re
import signal
import time
from email import policy

import icalendar
import pytest

from conftest import csrf_of
from helpers import NEXT_YEAR

# A winter day (09:30 in Paris is 08:30 UTC) less than [booking] max_advance_days ahead.
MEETING_DAY = f"{NEXT_YEAR}-03-04"


def mail_jmbd(jmbd_factory, smtp, env=None, **sections):
    d = jmbd_factory(start=False, sections={
        "mail": {"transport": smtp.url, "from": "noreply@example.org", "from_name": "Visio",
                 "local_domains": "example.org"},
        **sections})
    d.add_user("alice", "alice-password", mail="alice@example.org", name="Alice Martin")
    return d.start(env={"JMB_QUEUE_INTERVAL": "1", **(env or {})})


def parse(envelope):
    return email.message_from_bytes(envelope.content, policy=policy.default)


def calendar_of(msg):
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_param("method"), icalendar.Calendar.from_ical(part.get_content())
    return None, None


def book(session, url, **fields):
    page = session.get(url + "/meetings/new")
    data = {"csrf": csrf_of(page.text), "title": "Réunion « projet »", "date": MEETING_DAY,
            "time": "10:00", "timezone": "Europe/Paris", "duration": "60",
            "moderators": "ext@other.org", "guests": "dave@example.org"}
    data.update(fields)
    r = session.post(url + "/meetings", data=data, allow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["Location"].split("?")[0]


def by_recipient(envelopes):
    return {e.rcpt_tos[0]: e for e in envelopes}


def test_invitations_on_create(jmbd_factory, smtp):
    d = mail_jmbd(jmbd_factory, smtp)
    s = d.session("alice", "alice-password")
    book(s, d.url)
    mails = by_recipient(smtp.wait_for(3))
    assert set(mails) == {"alice@example.org", "ext@other.org", "dave@example.org"}
    guest = parse(mails["dave@example.org"])
    assert "Réunion « projet »" in guest["Subject"]
    assert re.search(r"=\?UTF-8\?B\?", mails["dave@example.org"].content.decode())
    assert guest["Reply-To"] == "alice@example.org"
    assert guest["Message-ID"] and guest["Date"]
    types = [p.get_content_type() for p in guest.walk() if p.get_content_maintype() != "multipart"]
    assert types == ["text/plain", "text/html", "text/calendar"]
    text = guest.get_body(("plain",)).get_content()
    assert re.search(r"/j/[A-Za-z0-9_-]{32}", text) and "/r/" in text
    method, cal = calendar_of(guest)
    assert method == "REQUEST" and cal["METHOD"] == "REQUEST"
    event = cal.walk("VEVENT")[0]
    assert str(event["ORGANIZER"]).lower() == "mailto:alice@example.org"
    attendee = event["ATTENDEE"]
    assert attendee.params["RSVP"] == "TRUE" and str(attendee).lower() == "mailto:dave@example.org"
    # The organiser is in the institution's domain: the envelope sender is theirs (SPF).
    assert mails["dave@example.org"].mail_from == "alice@example.org"
    assert parse(mails["alice@example.org"]).get_body(("plain",)).get_content().count("@") >= 2
    # Each delivery is logged once it is recorded, without an empty error="".
    deadline = time.time() + 10
    while time.time() < deadline and d.log().count("outcome=sent") < 3:
        time.sleep(0.05)
    sent = [l for l in d.log().splitlines() if "event=mail " in l and "outcome=sent" in l]
    assert len(sent) == 3 and not [l for l in sent if "error=" in l], sent
    # ... and says what the mail is: the owner's copy and two invitations.
    kinds = sorted(re.search(r"kind=(\S+)", l).group(1) for l in sent)
    assert kinds == ["booked", "invitation", "invitation"], sent


def test_html_part_keeps_line_breaks(jmbd_factory, smtp):
    d = mail_jmbd(jmbd_factory, smtp)
    s = d.session("alice", "alice-password")
    book(s, d.url, moderators="", description="Ordre du jour :\r\n1. budget\r\n2. divers")
    html = parse(by_recipient(smtp.wait_for(2))["dave@example.org"]).get_body(("html",))
    text = html.get_content()
    assert "&#13;" not in text and "\r" not in text
    assert 'white-space: pre-line">Ordre du jour :\n1. budget\n2. divers</td>' in text


def test_organiser_mail_lists_every_invitee(jmbd_factory, smtp):
    d = mail_jmbd(jmbd_factory, smtp, booking={"max_guests": "100"})
    s = d.session("alice", "alice-password")
    guests = [f"guest{i:02d}@example.net" for i in range(70)]
    book(s, d.url, moderators="", guests="\n".join(guests))
    mails = by_recipient(smtp.wait_for(71))
    owner = parse(mails["alice@example.org"]).get_body(("plain",)).get_content()
    assert all(g in owner for g in guests)


def test_external_organiser_uses_the_service_sender(jmbd_factory, smtp):
    d = mail_jmbd(jmbd_factory, smtp, mail={"transport": smtp.url, "from": "noreply@example.org",
                                            "local_domains": "univ.example"})
    s = d.session("alice", "alice-password")
    book(s, d.url, moderators="", guests="dave@example.org")
    assert all(e.mail_from == "noreply@example.org" for e in smtp.wait_for(2))


def test_changes_and_cancellation(jmbd_factory, smtp):
    d = mail_jmbd(jmbd_factory, smtp)
    s = d.session("alice", "alice-password")
    path = book(s, d.url)
    first = by_recipient(smtp.wait_for(3))
    uid = calendar_of(parse(first["dave@example.org"]))[1].walk("VEVENT")[0]["UID"]
    smtp.messages.clear()
    edit = s.get(d.url + path + "/edit")
    r = s.post(d.url + path, allow_redirects=False, data={
        "csrf": csrf_of(edit.text), "title": "Nouveau titre", "date": MEETING_DAY, "time": "11:00",
        "timezone": "Europe/Paris", "duration": "60", "moderators": "", "guests":
        "dave@example.org\nerin@example.org"})
    assert r.status_code == 303
    mails = by_recipient(smtp.wait_for(4))
    assert set(mails) == {"dave@example.org", "erin@example.org", "ext@other.org", "alice@example.org"}
    method, cancel = calendar_of(parse(mails["ext@other.org"]))
    assert method == "CANCEL"
    method, cal = calendar_of(parse(mails["dave@example.org"]))
    event = cal.walk("VEVENT")[0]
    assert method == "REQUEST" and event["UID"] == uid and int(event["SEQUENCE"]) >= 1
    # The removed moderator's CANCEL has the meeting's new SEQUENCE (a calendar
    # ignores a CANCEL older than the event it holds) and asks for no answer.
    gone = cancel.walk("VEVENT")[0]
    assert gone["UID"] == uid and int(gone["SEQUENCE"]) == int(event["SEQUENCE"])
    assert "RSVP" not in gone["ATTENDEE"].params
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"
    # An update says what changed, to the invitee and to the organiser.
    text = parse(mails["dave@example.org"]).get_body(("plain",)).get_content()
    # English punctuation and quotes in an English mail.
    assert re.search(r"What changed: When: .*10:00 – 11:00.* → .*11:00 – 12:00", text), text
    assert "Title: “Réunion « projet »” → “Nouveau titre”" in text
    html = parse(mails["dave@example.org"]).get_body(("html",)).get_content()
    assert "What changed" in html and "Nouveau titre" in html
    own = parse(mails["alice@example.org"]).get_body(("plain",)).get_content()
    assert "Newly invited: erin@example.org" in own
    assert "No longer invited: ext@other.org" in own
    # Each invitation carries the invitee's own calendar file.
    assert re.search(r"Add to my calendar:\n  http://\S+/r/[A-Za-z0-9_-]{32}\.ics", text)
    smtp.messages.clear()
    page = s.get(d.url + path + "/delete")
    assert s.post(d.url + path + "/delete", data={"csrf": csrf_of(page.text)},
                  allow_redirects=False).status_code == 303
    mails = by_recipient(smtp.wait_for(3))
    for rcpt in ("dave@example.org", "erin@example.org", "alice@example.org"):
        method, cal = calendar_of(parse(mails[rcpt]))
        assert method == "CANCEL" and cal.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
        attendees = cal.walk("VEVENT")[0].get("ATTENDEE", [])
        for a in attendees if isinstance(attendees, list) else [attendees]:
            assert "RSVP" not in a.params


def test_answer_notifies_the_organiser(jmbd_factory, smtp):
    d = mail_jmbd(jmbd_factory, smtp)
    s = d.session("alice", "alice-password")
    book(s, d.url, moderators="")
    invitation = parse(by_recipient(smtp.wait_for(2))["dave@example.org"])
    link = re.search(r"(http://\S+/r/\S+)", invitation.get_body(("plain",)).get_content()).group(1)
    smtp.messages.clear()
    import requests
    guest = requests.Session()
    page = guest.get(link)
    assert guest.post(link, data={"csrf": csrf_of(page.text), "answer": "declined"},
                      allow_redirects=False).status_code == 303
    notice = smtp.wait_for(1)
    assert notice[0].rcpt_tos == ["alice@example.org"]
    assert "dave@example.org" in parse(notice[0])["Subject"]


def test_outage_loses_nothing_and_sends_once(jmbd_factory, smtp):
    d = mail_jmbd(jmbd_factory, smtp)
    s = d.session("alice", "alice-password")
    smtp.stop()
    for i in range(5):
        book(s, d.url, title=f"Réunion {i}", moderators="")
    time.sleep(2.5)  # a few worker rounds fail against the closed port
    assert "deferred" in d.log()
    # Deferred mails wait a minute before the next attempt: move the clock.
    d.stop()
    smtp.start()
    d.start(env={"JMB_QUEUE_INTERVAL": "1", "JMB_TEST_TIME_OFFSET": "3600"})
    mails = smtp.wait_for(10)
    time.sleep(2)
    assert len(smtp.messages) == 10
    keys = [(e.rcpt_tos[0], parse(e)["Subject"]) for e in smtp.messages]
    assert len(set(keys)) == 10


def test_permanent_refusal_is_kept_and_retryable(jmbd_factory, smtp):
    smtp.reply = "550 5.1.1 mailbox unavailable"
    d = mail_jmbd(jmbd_factory, smtp)
    s = d.session("alice", "alice-password")
    book(s, d.url, moderators="", guests="dave@example.org")
    deadline = time.time() + 15
    while time.time() < deadline and d.jmbctl("outbox", "list", "--failed").stdout.count("failed") < 2:
        time.sleep(0.2)
    failed = d.jmbctl("outbox", "list", "--failed").stdout
    assert failed.count("failed") == 2 and "550" in failed
    smtp.reply = None
    ids = re.findall(r"^(\d+)\s+failed", failed, re.M)
    for mail_id in ids:
        assert d.jmbctl("outbox", "retry", mail_id).returncode == 0
    assert len(smtp.wait_for(2)) == 2
    assert d.jmbctl("outbox", "retry", "999999", check=False).returncode != 0


def test_reminders_skip_declined(jmbd_factory, smtp):
    d = mail_jmbd(jmbd_factory, smtp, reminders={"mail_before": "60"})
    s = d.session("alice", "alice-password")
    book(s, d.url, date=MEETING_DAY, time="10:00", moderators="ext@other.org",
         guests="dave@example.org")
    invitation = parse(by_recipient(smtp.wait_for(3))["dave@example.org"])
    link = re.search(r"(http://\S+/r/\S+)", invitation.get_body(("plain",)).get_content()).group(1)
    import requests
    guest = requests.Session()
    page = guest.get(link)
    guest.post(link, data={"csrf": csrf_of(page.text), "answer": "declined"})
    smtp.wait_for(4)
    smtp.messages.clear()
    # Move jmbd's clock to 30 minutes before the meeting (09:30 Paris = 08:30 UTC).
    target = int(time.mktime(time.strptime(f"{MEETING_DAY} 08:30", "%Y-%m-%d %H:%M"))) - time.timezone
    d.stop()
    d.start(env={"JMB_QUEUE_INTERVAL": "1", "JMB_TEST_TIME_OFFSET": str(target - int(time.time()))})
    mails = by_recipient(smtp.wait_for(2))
    time.sleep(2)
    assert set(by_recipient(smtp.messages)) == {"alice@example.org", "ext@other.org"}
    owner = parse(mails["alice@example.org"]).get_body(("plain",)).get_content()
    assert "dave@example.org" in owner
    # Reminders carry no iTIP part: a second REQUEST would make calendar
    # clients ask for an answer again (and a PUBLISH offer to add the event).
    for envelope in smtp.messages:
        assert calendar_of(parse(envelope)) == (None, None)


def test_sighup_does_not_wait_for_a_slow_mta(jmbd_factory, smtp):
    """The queue worker held the reload lock across a whole batch of SMTP
    transactions, so a SIGHUP waited for all of them (here 3 mails x 3 s).
    A round now keeps its own reference to the runtime: the reload is done at
    once, the round ends with the settings it began with, and the next one
    takes the new ones."""
    smtp.delay = 3
    d = mail_jmbd(jmbd_factory, smtp)
    s = d.session("alice", "alice-password")
    book(s, d.url, title="Before")
    deadline = time.time() + 20
    while not smtp.started and time.time() < deadline:
        time.sleep(0.05)
    assert smtp.started, "the worker never reached DATA"
    d.config.write_text(d.config.read_text().replace("from_name = Visio",
                                                     "from_name = Reloaded"))
    before = d.log().count("event=reloaded")
    signalled = time.time()
    d.proc.send_signal(signal.SIGHUP)
    while d.log().count("event=reloaded") == before and time.time() < signalled + 20:
        time.sleep(0.02)
    took = time.time() - signalled
    assert d.log().count("event=reloaded") == before + 1
    assert took < 1.5, f"the reload took {took:.1f} s"
    assert smtp.messages == []  # the first mail is still inside DATA
    smtp.delay = 0
    first = smtp.wait_for(3, timeout=30)
    assert len(first) == 3
    assert all("Visio" in parse(e)["From"] for e in first)
    book(s, d.url, title="After")
    mails = smtp.wait_for(6, timeout=30)
    after = [parse(e) for e in mails if "After" in parse(e)["Subject"]]
    assert len(after) == 3
    assert all("Reloaded" in m["From"] for m in after)
