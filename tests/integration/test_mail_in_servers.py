"""Answers by mail through real mail servers from Debian: a Postfix instance
of the test's own hands replies to `jmbctl mail-in` through a pipe(8)
transport (and keeps a reply while the store is down, then delivers it once),
and a Dovecot mailbox is polled over IMAP by two jmbd instances sharing one
PostgreSQL store, each message handled once."""
import os
import re
import tempfile
import time
from pathlib import Path

import pytest

from jmb_links import book, pg_database, read_config, view
from mail_in_fixtures import dsn, reply
from conftest import JMBCTL
from servers.dovecot import DovecotServer
from servers.postfix import PostfixServer
from test_mail_in import REPLY_BASE, invitation, mail_sections, parse

GUESTS = [f"guest{i}@outside.example" for i in range(5)]
LOST = "lost@outside.example"  # never answers; their invitation bounces
CLIENTS = ["outlook", "thunderbird", "apple", "gmail", "thunderbird"]
ANSWERS = ["ACCEPTED", "DECLINED", "TENTATIVE", "ACCEPTED", "DECLINED"]


def wait_until(condition, timeout=30, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def replies_for(smtp, meeting, count, guests=GUESTS):
    """For each guest: (reply address, the reply their client sends)."""
    out = []
    for guest, client, answer in zip(guests, CLIENTS, ANSWERS):
        _, event = invitation(smtp, guest, count)
        rsvp = str(event["ORGANIZER"])[len("mailto:"):]
        out.append((rsvp, reply(client, to=rsvp, attendee=guest, uid=str(event["UID"]),
                                sequence=int(event.get("SEQUENCE", 0)), partstat=answer,
                                dtstart=event.decoded("DTSTART").strftime("%Y%m%dT%H%M%SZ"),
                                dtend=event.decoded("DTEND").strftime("%Y%m%dT%H%M%SZ"))))
    return out


def statuses(d, m):
    return {a["mail"]: a["status"] for a in view(d, m)["attendees"]}


def handled(*instances):
    return sum(len(re.findall(r"event=mail_in ", d.log())) for d in instances)


@pytest.mark.parametrize("move_to", ["", "Handled"], ids=["starttls-seen", "imaps-move"])
def test_two_instances_poll_one_mailbox_and_handle_each_message_once(
        jmbd_factory, smtp, postgres, move_to):
    with DovecotServer({"rsvp": "imap-secret"}) as imap:
        if move_to:
            imap.create_folder("rsvp", move_to)
        conninfo = pg_database(postgres)
        sections = mail_sections(smtp)
        sections["mail-in"] = {"imap_url": imap.imaps_url("INBOX") if move_to
                               else imap.imap_url("INBOX"),
                               "imap_username": "rsvp", "imap_password": "imap-secret",
                               "imap_ca_file": imap.ca_file, "imap_move_to": move_to,
                               "poll_interval": "1"}
        a = jmbd_factory("a", start=False, sections=sections, store="postgresql",
                         conninfo=conninfo)
        a.add_user("alice", "alice-password", mail="alice@example.org", name="Alice Martin")
        a.start(env={"JMB_QUEUE_INTERVAL": "1"})
        b = jmbd_factory("b", start=False, store="postgresql", conninfo=conninfo)
        conf = read_config(a)
        conf["server"]["listen"] = f"127.0.0.1:{b.port}"
        conf["server"]["public_url"] = b.url
        b.write_config(conf)
        b.start(env={"JMB_QUEUE_INTERVAL": "1"})

        m = book(a, guests=GUESTS + [LOST], title="Projet Alpha")
        messages = replies_for(smtp, m, 2 + len(GUESTS))
        for _, message in messages:
            imap.append("rsvp", message)
        imap.append("rsvp", messages[0][1])  # the same message delivered twice
        _, lost_event = invitation(smtp, LOST, 2 + len(GUESTS))
        lost_rsvp = str(lost_event["ORGANIZER"])[len("mailto:"):]
        imap.append("rsvp", dsn("exchange", to=lost_rsvp, failed_recipient=LOST))
        imap.append("rsvp", b"From: x@y\r\nTo: someone@else.example\r\nSubject: hi\r\n\r\nhi\r\n")

        expected = {g: s.lower() for g, s in zip(GUESTS, ANSWERS)} | {LOST: "needs-action"}
        wait_until(lambda: statuses(a, m) == expected, what="every answer")
        wait_until(lambda: handled(a, b) == len(GUESTS) + 1, what="the bounce")
        # Every message of the mailbox is dealt with: seen where it is, or moved.
        if move_to:
            wait_until(lambda: imap.messages("rsvp") == [], what="the moves")
            assert len(imap.messages("rsvp", move_to)) == len(GUESTS) + 3
        else:
            wait_until(lambda: all("\\Seen" in flags for _, flags, _ in imap.messages("rsvp")),
                       what="the \\Seen flags")
        time.sleep(3)  # more polls and queue rounds: nothing may be handled again
        assert handled(a, b) == len(GUESTS) + 1
        notices = [parse(e) for e in smtp.messages if e.rcpt_tos == ["alice@example.org"]][1:]
        assert len(notices) == len(GUESTS) + 1  # five answers, one bounce notice
        lost = [x for x in view(a, m)["attendees"] if x["mail"] == LOST][0]
        assert lost["delivery"] == "failed" and "User unknown" in lost["delivery_error"]
        # Every login was over TLS: STARTTLS on imap://, required by jmb (Dovecot
        # would take a plain LOGIN from 127.0.0.1, so its log is the proof).
        logins = [line for line in imap.log().splitlines()
                  if re.search(r"imap-login: (Info: )?Login: user=<rsvp>", line)]
        assert logins and all(re.search(r", (TLS|secured)\b", line) for line in logins), logins
        both_logs = a.log() + b.log()
        assert "no reply address among its recipients" in both_logs
        assert re.search(r"event=imap_message .*outcome=(queued|\"already received\")", both_logs)


def pipe_config(base, conninfo):
    """A copy of base's config that the pipe's user (nobody) can read, on the
    store through conninfo."""
    folder = Path(tempfile.mkdtemp(prefix="jmb-pipe-"))
    os.chmod(folder, 0o755)
    conf = read_config(base)
    conf["store"] = {"driver": "postgresql", "conninfo": conninfo}
    path = folder / "jmb.conf"
    path.write_text("".join(f"[{s}]\n" + "".join(f"{k} = {v}\n" for k, v in vals.items())
                            + "\n" for s, vals in conf.items()))
    os.chmod(path, 0o644)
    return path


def test_postfix_pipes_replies_to_jmbctl_and_keeps_them_while_the_store_is_down(
        jmbd_factory, smtp, postgres):
    conninfo = pg_database(postgres)
    d = jmbd_factory("jmbd", start=False, sections=mail_sections(smtp), store="postgresql",
                     conninfo=conninfo)
    d.add_user("alice", "alice-password", mail="alice@example.org", name="Alice Martin")
    d.start(env={"JMB_QUEUE_INTERVAL": "1"})
    m = book(d, guests=GUESTS[:3], title="Projet Alpha")
    messages = replies_for(smtp, m, 4, GUESTS[:3])
    # The pipe connects as a role of its own, which the test can lock out.
    dbname = re.search(r"dbname=(\S+)", conninfo).group(1)
    role = f"mailin_{dbname}"
    postgres.psql(f"CREATE ROLE {role} LOGIN", dbname="postgres")
    postgres.psql(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}; "
                  f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}", dbname=dbname)
    config = pipe_config(d, re.sub(r"user=\S+", "", conninfo) + f" user={role}")
    argv = [str(JMBCTL), "--config", str(config), "mail-in", "--recipient",
            "${original_recipient}"]
    with PostfixServer(REPLY_BASE.split("@")[1], argv) as mta:
        rsvp, message = messages[0]
        mta.send(GUESTS[0], rsvp, message)
        mta.wait_status("sent")
        wait_until(lambda: statuses(d, m)[GUESTS[0]] == "accepted", what="the first answer")

        postgres.psql(f"ALTER ROLE {role} NOLOGIN", dbname="postgres")
        rsvp, message = messages[1]
        mta.send(GUESTS[1], rsvp, message)
        deferred = mta.wait_status("deferred")
        # Exit 75: Postfix keeps the mail ("temporary failure") with jmbctl's reason.
        assert "temporary failure" in deferred[0][1] and "not permitted to log in" in deferred[0][1]
        assert statuses(d, m)[GUESTS[1]] == "needs-action"
        postgres.psql(f"ALTER ROLE {role} LOGIN", dbname="postgres")
        mta.wait_status("sent", count=2)
        wait_until(lambda: statuses(d, m)[GUESTS[1]] == "declined", what="the kept answer")

        # Mail for an address that is no reply address bounces (67), never reaches jmb.
        mta.send(GUESTS[2], "someone@booking.example.org", messages[2][1])
        mta.wait_status("bounced")
        assert "someone@booking.example.org" in mta.log()
    assert handled(d) == 2
