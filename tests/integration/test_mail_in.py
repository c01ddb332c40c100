"""Answers that come back by mail ([mail] reply_address, `jmbctl mail-in`):
invitations name each invitee's own reply address, iTIP REPLYs in the shapes
real clients send become answers (tentative included), bounces mark the
invitee undeliverable, a person's mail reaches the organiser, automatic mail
and forgeries change nothing, a message delivered twice counts once, and the
exit codes tell an MTA what to do. On both stores. The path through a real
Postfix pipe(8) transport and the IMAP polling of a real Dovecot are in
test_mail_in_servers.py."""
import email
import re
import subprocess
import time
from datetime import datetime, timedelta, timezone
from email import policy
from zoneinfo import ZoneInfo

import icalendar
import pytest
import requests

from conftest import JMBCTL
from jmb_links import book, pg_database, view
from mail_in_fixtures import auto_reply, dsn, human_reply, reply

REPLY_BASE = "rsvp@booking.example.org"
GUEST = "guest@outside.example"
MODERATOR = "mod@partner.example"


def mail_sections(smtp, **extra):
    return {"mail": {"transport": smtp.url, "from": "noreply@example.org",
                     "local_domains": "example.org", "reply_address": REPLY_BASE, **extra}}


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, jmbd_factory, smtp):
    kwargs = {}
    if request.param == "postgresql":
        kwargs = {"store": "postgresql",
                  "conninfo": pg_database(request.getfixturevalue("postgres"))}
    d = jmbd_factory("rsvp", start=False, sections=mail_sections(smtp), **kwargs)
    d.add_user("alice", "alice-password", mail="alice@example.org", name="Alice Martin")
    return d.start(env={"JMB_QUEUE_INTERVAL": "1"})


def parse(envelope):
    return email.message_from_bytes(envelope.content, policy=policy.default)


def invitation(smtp, mail, count):
    """The invitee's invitation among the first count mails: (envelope, VEVENT)."""
    [env] = [e for e in smtp.wait_for(count) if e.rcpt_tos == [mail]]
    for part in parse(env).walk():
        if part.get_content_type() == "text/calendar":
            return env, icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
    raise AssertionError("no calendar part")


def booked(site, smtp):
    m = book(site, moderators=[MODERATOR], guests=[GUEST], title="Projet Alpha")
    env, event = invitation(smtp, GUEST, 3)
    return m, str(event["ORGANIZER"])[len("mailto:"):], event


def mail_in(d, recipient, message, check=True):
    """Runs jmbctl mail-in as an MTA would: the message's bytes on standard input."""
    r = subprocess.run([str(JMBCTL), "--config", str(d.config), "mail-in", "--recipient",
                        recipient], input=message, capture_output=True, timeout=60)
    r.stdout, r.stderr = r.stdout.decode(), r.stderr.decode()
    if check:
        assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r


def status_of(d, m, mail):
    return next(a for a in view(d, m)["attendees"] if a["mail"] == mail)


def wait_log(d, pattern, count=1, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = re.findall(pattern, d.log())
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{pattern!r} not {count} times in the log:\n{d.log()[-3000:]}")


def reply_for(event, client, rsvp, partstat="ACCEPTED", attendee=GUEST, uid=None, **kw):
    return reply(client, to=rsvp, attendee=attendee, uid=uid or str(event["UID"]),
                 sequence=int(event.get("SEQUENCE", 0)), partstat=partstat,
                 dtstart=event.decoded("DTSTART").strftime("%Y%m%dT%H%M%SZ"),
                 dtend=event.decoded("DTEND").strftime("%Y%m%dT%H%M%SZ"), **kw)


def test_invitations_carry_the_invitees_reply_address(site, smtp):
    m, rsvp, event = booked(site, smtp)
    env, _ = invitation(smtp, GUEST, 3)
    assert re.fullmatch(r"rsvp\+[a-z2-7]{32}@booking\.example\.org", rsvp)
    assert event["ORGANIZER"].params["CN"] == "Alice Martin"
    assert env.mail_from == rsvp  # bounces come back to jmb (VERP)
    assert parse(env)["Reply-To"] == "alice@example.org"  # a person's reply reaches a person
    _, mod_event = invitation(smtp, MODERATOR, 3)
    assert str(mod_event["ORGANIZER"]) != str(event["ORGANIZER"])  # one address per invitee
    [own] = [e for e in smtp.wait_for(3) if e.rcpt_tos == ["alice@example.org"]]
    assert "rsvp+" not in own.content.decode()  # the organiser's own copy names them


@pytest.mark.parametrize("client,partstat", [
    ("outlook", "ACCEPTED"), ("thunderbird", "DECLINED"), ("apple", "TENTATIVE"),
    ("gmail", "ACCEPTED")])
def test_reply_from_a_mail_client_is_the_answer(site, smtp, client, partstat):
    m, rsvp, event = booked(site, smtp)
    assert mail_in(site, rsvp, reply_for(event, client, rsvp, partstat)).stdout.strip() == \
        "queued for jmbd"
    wait_log(site, r'event=mail_in .*outcome="answer')
    assert status_of(site, m, GUEST)["status"] == partstat.lower()
    notice = parse(smtp.wait_for(4)[3])
    assert notice["To"].endswith("<alice@example.org>") and GUEST in notice["Subject"]
    # The invitee's calendar file says it too.
    token = status_of(site, m, GUEST)["link"].rsplit("/j/", 1)[1]
    ics = requests.get(f"{site.url}/r/{token}.ics", timeout=30).text.replace("\r\n ", "")
    assert f"PARTSTAT={partstat}" in ics


def test_the_same_message_twice_counts_once(site, smtp):
    m, rsvp, event = booked(site, smtp)
    message = reply_for(event, "thunderbird", rsvp, "DECLINED")
    mail_in(site, rsvp, message)
    assert mail_in(site, rsvp, message).stdout.strip() == "already received: ignored"
    wait_log(site, r'event=mail_in ')
    time.sleep(2.5)  # two more queue rounds: nothing else may come
    assert len(re.findall(r"event=mail_in ", site.log())) == 1
    assert len(smtp.messages) == 4


@pytest.mark.parametrize("forgery,reason", [
    ("attendee", "the attendee is not the invitee"),
    ("uid", "another event"),
    ("token", "unknown reply token"),
])
def test_forged_replies_change_nothing(site, smtp, forgery, reason):
    m, rsvp, event = booked(site, smtp)
    kw = {}
    target = rsvp
    if forgery == "attendee":
        kw["attendee"] = MODERATOR
    if forgery == "uid":
        kw["uid"] = "other-event@example.org"
    message = reply_for(event, "outlook", rsvp, **kw)
    if forgery == "token":
        target = "rsvp+" + "a" * 32 + "@booking.example.org"
    mail_in(site, target, message)
    assert reason in wait_log(site, r'event=mail_in .*outcome="ignored: ([^"]*)"')[0]
    assert status_of(site, m, GUEST)["status"] == "needs-action"
    assert status_of(site, m, MODERATOR)["status"] == "needs-action"


def test_a_bounce_marks_the_invitee_undeliverable_once(site, smtp):
    m, rsvp, event = booked(site, smtp)
    for mta in ("postfix", "exchange"):
        mail_in(site, rsvp, dsn(mta, to=rsvp, failed_recipient=GUEST,
                                diagnostic="550 5.1.1 <guest@outside.example>: User unknown"))
    wait_log(site, r'event=mail_in .*outcome=bounce', count=2)
    a = status_of(site, m, GUEST)
    assert a["delivery"] == "failed" and "User unknown" in a["delivery_error"]
    assert "delivery" not in status_of(site, m, MODERATOR)
    time.sleep(2.5)
    notices = [parse(e) for e in smtp.messages[3:]]
    assert len(notices) == 1 and GUEST in notices[0]["Subject"]
    page = site.session("alice", "alice-password").get(f"{site.url}/meetings/{m['id']}").text
    assert "Not delivered:" in page and "User unknown" in page
    # An answer shows the address works after all.
    mail_in(site, rsvp, reply_for(event, "gmail", rsvp))
    wait_log(site, r'outcome="answer accepted"')
    assert "delivery" not in status_of(site, m, GUEST)


def test_a_delay_notice_is_not_a_bounce(site, smtp):
    m, rsvp, event = booked(site, smtp)
    mail_in(site, rsvp, dsn("postfix", to=rsvp, failed_recipient=GUEST, action="delayed"))
    assert "delivery status delayed" in wait_log(site, r'outcome="ignored: ([^"]*)"')[0]
    assert "delivery" not in status_of(site, m, GUEST)


def test_a_persons_mail_reaches_the_organiser(site, smtp):
    m, rsvp, event = booked(site, smtp)
    mail_in(site, rsvp, human_reply(to=rsvp, sender="Ana Invitee <guest@outside.example>",
                                    text="Je serai en retard de 10 minutes.\nÀ tout à l'heure."))
    wait_log(site, r"outcome=forwarded")
    fwd = parse(smtp.wait_for(4)[3])
    assert smtp.messages[3].rcpt_tos == ["alice@example.org"]
    assert fwd["Auto-Submitted"] == "auto-replied"
    assert re.search(r"event=mail id=4 kind=forward to=alice@example.org", site.log())
    assert fwd["Reply-To"] == "guest@outside.example"
    text = fwd.get_body(("plain",)).get_content()
    assert "> Je serai en retard de 10 minutes.\n> À tout à l'heure." in text
    assert "Ana Invitee" in text


@pytest.mark.parametrize("kind", ["auto-submitted", "x-autoreply", "precedence", "vacation"])
def test_automatic_mail_is_dropped(site, smtp, kind):
    m, rsvp, event = booked(site, smtp)
    mail_in(site, rsvp, auto_reply(kind, to=rsvp))
    assert "automatic mail" in wait_log(site, r'outcome="ignored: ([^"]*)"')[0]
    time.sleep(2.5)
    assert len(smtp.messages) == 3  # jmb never answers an automatic mail


def test_exit_codes_tell_the_mta_what_to_do(site, smtp):
    m, rsvp, event = booked(site, smtp)
    message = reply_for(event, "outlook", rsvp)
    r = subprocess.run([str(JMBCTL), "--config", str(site.config), "mail-in"], input=message,
                       capture_output=True, env={}, timeout=60)
    assert r.returncode == 64 and b"no recipient" in r.stderr
    r = mail_in(site, "someone@booking.example.org", message, check=False)
    assert r.returncode == 67 and "not a reply address" in r.stderr
    r = mail_in(site, rsvp, b"no header at all", check=False)
    assert r.returncode == 65
    r = mail_in(site, rsvp, b"Subject: x\r\n\r\n" + b"A" * (10 * 1024 * 1024), check=False)
    assert r.returncode == 65 and "max_size" in r.stderr
    # What Postfix's pipe(8) and local(8) set, without --recipient.
    r = subprocess.run([str(JMBCTL), "--config", str(site.config), "mail-in"], input=message,
                       capture_output=True, env={"ORIGINAL_RECIPIENT": rsvp}, timeout=60)
    assert r.returncode == 0, r.stderr
    wait_log(site, r'outcome="answer accepted"')


def test_a_reply_from_an_alias_the_directory_knows_counts(jmbd_factory, smtp, slapd):
    sections = mail_sections(smtp)
    sections["ldap"] = {"uri": slapd.uri, "base": slapd.base, "bind_dn": slapd.service_dn,
                        "bind_password": slapd.service_password}
    d = jmbd_factory("alias", start=False, sections=sections)
    d.add_user("alice", "alice-password", mail="alice@example.org", name="Alice Martin")
    d.start(env={"JMB_QUEUE_INTERVAL": "1"})
    m = book(d, guests=["bob@example.org", GUEST], title="Projet Alpha")
    _, event = invitation(smtp, "bob@example.org", 3)
    rsvp = str(event["ORGANIZER"])[len("mailto:"):]
    # Bob's client answers from his secondary address (mailAlternateAddress).
    mail_in(d, rsvp, reply_for(event, "outlook", rsvp, attendee="b.bernard@example.org"))
    wait_log(d, r'outcome="answer accepted"')
    assert status_of(d, m, "bob@example.org")["status"] == "accepted"
    # Another person's address in the directory is not Bob's.
    mail_in(d, rsvp, reply_for(event, "thunderbird", rsvp, "DECLINED",
                               attendee="a.martin@example.org"))
    assert "not the invitee" in wait_log(d, r'outcome="ignored: ([^"]*)"')[0]
    assert status_of(d, m, "bob@example.org")["status"] == "accepted"


def test_tentative_and_undeliverable_in_french(jmbd_factory, smtp):
    sections = mail_sections(smtp)
    sections["server"] = {"default_language": "fr"}
    d = jmbd_factory("fr", start=False, sections=sections)
    d.add_user("alice", "alice-password", mail="alice@example.org", name="Alice Martin")
    d.start(env={"JMB_QUEUE_INTERVAL": "1"})
    m = book(d, moderators=[MODERATOR], guests=[GUEST], title="Projet Alpha")
    _, event = invitation(smtp, GUEST, 3)
    rsvp = str(event["ORGANIZER"])[len("mailto:"):]
    _, mod_event = invitation(smtp, MODERATOR, 3)
    mod_rsvp = str(mod_event["ORGANIZER"])[len("mailto:"):]
    mail_in(d, rsvp, reply_for(event, "apple", rsvp, "TENTATIVE"))
    mail_in(d, mod_rsvp, dsn("postfix", to=mod_rsvp, failed_recipient=MODERATOR,
                             diagnostic="550 5.1.1 Utilisateur inconnu"))
    wait_log(d, r"event=mail_in ", count=2)
    notices = {parse(e)["Subject"] for e in smtp.wait_for(5)[3:]}
    assert f"Peut-être : {GUEST} — Projet Alpha" in notices
    assert f"Non distribuée : {MODERATOR} — Projet Alpha" in notices
    page = d.session("alice", "alice-password").get(f"{d.url}/meetings/{m['id']}").text
    text = re.sub(r"<[^>]+>", "", page)
    assert "Peut-être" in text and "1 peut-être, 1 sans réponse" in text
    assert "Non distribuée : 550 5.1.1 Utilisateur inconnu" in text
    english = d.session("alice", "alice-password").get(
        f"{d.url}/meetings/{m['id']}?lang=en").text
    english = re.sub(r"<[^>]+>", "", english)
    assert "Maybe" in english and "1 maybe, 1 without answer" in english
    assert "Not delivered: 550 5.1.1" in english


@pytest.mark.parametrize("client", ["outlook", "thunderbird"])
def test_a_reply_for_one_occurrence_answers_that_occurrence(site, smtp, client):
    """A client answering one occurrence of a series sends a REPLY with its
    RECURRENCE-ID: it counts for that occurrence only; one the series does
    not have is ignored."""
    first = datetime(2027, 3, 16, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    m = book(site, start=first, moderators=[MODERATOR], guests=[GUEST], title="Projet Alpha",
             recurrence="FREQ=WEEKLY;COUNT=4")
    _, event = invitation(smtp, GUEST, 3)
    rsvp = str(event["ORGANIZER"])[len("mailto:"):]
    second = (first + timedelta(days=7)).astimezone(timezone.utc)
    utc = second.strftime("%Y%m%dT%H%M%SZ")
    end = (second + timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")
    mail_in(site, rsvp, reply(client, to=rsvp, attendee=GUEST, uid=str(event["UID"]),
                              sequence=int(event["SEQUENCE"]), partstat="DECLINED",
                              dtstart=utc, dtend=end, recurrence_id=utc,
                              message_id=f"<{client}-one@example.net>"))
    wait_log(site, r'event=mail_in .*outcome="answer declined"')
    guest = status_of(site, m, GUEST)
    assert guest["status"] == "needs-action"
    assert guest["answers"] == [{"recurrence_id": second.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                 "status": "declined"}]
    notice = parse(smtp.wait_for(4)[3])
    assert "23 March 2027" in notice.get_body(("plain",)).get_content()
    mail_in(site, rsvp, reply(client, to=rsvp, attendee=GUEST, uid=str(event["UID"]),
                              sequence=int(event["SEQUENCE"]), partstat="ACCEPTED",
                              dtstart="20270317T090000Z", dtend="20270317T100000Z",
                              recurrence_id="20270317T090000Z",
                              message_id=f"<{client}-other@example.net>"))
    wait_log(site, r"event=mail_in .*an occurrence the series does not have")
    assert status_of(site, m, GUEST)["answers"] == guest["answers"]
