"""End-of-meeting messages through a real Prosody (tests/integration/servers/
prosody.py): a test client (python3-slixmpp) sits in the meeting's room and
must receive "the meeting ends in 15/5 minutes" and "the meeting is over" at
the right times, in French and in English; jmbd's clock is moved with
JMB_TEST_TIME_OFFSET (jmbd restarted between positions) instead of waiting.
Also jmbctl send-xmpp, and an XMPP server that is down: jmbd keeps running,
mails still go, and the message is posted once the server is back."""
import asyncio
from datetime import datetime, timezone
import json
import threading
import time

import pytest

from conftest import csrf_of
from helpers import NEXT_YEAR
from servers.prosody import ProsodyServer
from servers.smtp import SmtpServer

slixmpp = pytest.importorskip("slixmpp")

# 4 March next year, 10:00 Europe/Paris (UTC+1) for 60 minutes: it ends at 10:00 UTC.
END_UTC = int(datetime(NEXT_YEAR, 3, 4, 10, tzinfo=timezone.utc).timestamp())


@pytest.fixture
def prosody():
    with ProsodyServer() as server:
        server.register("jmb", "bot-password")
        server.register("watcher", "watcher-password")
        yield server


class Watcher:
    """A slixmpp client in one MUC room, recording every groupchat message
    from others as (nick, body, arrival time). Runs its own asyncio loop in a
    thread."""

    def __init__(self, server, room, nick="watcher"):
        self.room = f"{room}@{server.muc}"
        self.nick = nick
        self.messages = []
        self.joined = threading.Event()
        self.error = None
        self.server = server
        self.loop = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        if not self.joined.wait(20):
            raise RuntimeError(f"the watcher could not join {self.room}: {self.error}\n"
                               f"{server.log()}")

    def _run(self):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        client = slixmpp.ClientXMPP(f"watcher@{self.server.host}", "watcher-password")
        client.register_plugin("xep_0045")
        client["feature_mechanisms"].unencrypted_plain = True
        client.add_event_handler("session_start", self._session_start)
        client.add_event_handler("groupchat_message", self._message)
        client.add_event_handler(f"muc::{self.room}::got_online", self._online)
        client.add_event_handler("failed_auth", lambda *_: setattr(self, "error", "auth"))
        self.client = client
        client.connect(address=("127.0.0.1", self.server.port), use_ssl=False,
                       disable_starttls=True, force_starttls=False)
        self.loop.run_forever()
        pending = asyncio.all_tasks(self.loop)
        for task in pending:
            task.cancel()
        self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self.loop.close()

    async def _session_start(self, _event):
        self.client.send_presence()
        self.client.plugin["xep_0045"].join_muc(self.room, self.nick)

    def _online(self, presence):
        if presence["muc"]["nick"] == self.nick:
            self.joined.set()

    def _message(self, msg):
        if msg["mucroom"] == self.room and msg["mucnick"] != self.nick and msg["body"]:
            self.messages.append((msg["mucnick"], msg["body"], time.time()))

    def wait_for(self, count, timeout=20):
        deadline = time.time() + timeout
        while len(self.messages) < count and time.time() < deadline:
            time.sleep(0.1)
        return [body for _, body, _ in self.messages]

    def close(self):
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.client.disconnect)
            time.sleep(0.3)
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def watchers():
    made = []

    def make(server, room):
        w = Watcher(server, room)
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


def xmpp_section(server, **extra):
    return {"jid": f"jmb@{server.host}", "password": "bot-password", "server": "127.0.0.1",
            "port": str(server.port), "tls": "off", "timeout": "5", **extra}


def xmpp_jmbd(jmbd_factory, prosody, language="en", sections=None, **xmpp):
    sections = dict(sections or {})
    sections.setdefault("server", {})["default_language"] = language
    d = jmbd_factory(start=False, sections={
        "jitsi": {"domain": prosody.host},
        "reminders": {"mail_before": "60", "xmpp_before_end": "15, 5, 0"},
        "xmpp": xmpp_section(prosody, **xmpp), **sections})
    d.add_user("alice", "alice-password", mail="alice@example.org", name="Alice Martin")
    return d.start(env={"JMB_QUEUE_INTERVAL": "1"})


def book(d, **fields):
    s = d.session("alice", "alice-password")
    page = s.get(d.url + "/meetings/new")
    data = {"csrf": csrf_of(page.text), "title": "Point d'équipe", "date": f"{NEXT_YEAR}-03-04",
            "time": "10:00", "timezone": "Europe/Paris", "duration": "60", "moderators": "",
            "guests": "dave@example.org"}
    data.update(fields)
    r = s.post(d.url + "/meetings", data=data, allow_redirects=False)
    assert r.status_code == 303, r.text
    meetings = json.loads(d.jmbctl("meetings", "list", "--all", "--json").stdout)["meetings"]
    return sorted(meetings, key=lambda m: m["id"])[-1]["room"]


def move_clock(d, to, interval="1"):
    """Restarts jmbd with its clock at `to` (seconds since the epoch)."""
    d.stop()
    d.start(env={"JMB_QUEUE_INTERVAL": interval, "JMB_TEST_TIME_OFFSET": str(to - int(time.time()))})


def reminder_rows(d):
    import sqlite3
    with sqlite3.connect(d.dir / "jmb.db") as db:
        return db.execute("SELECT kind, offset_minutes, due_at, done_at IS NOT NULL FROM reminders "
                          "ORDER BY kind, offset_minutes DESC").fetchall()


@pytest.mark.parametrize("language, texts", [
    ("en", ["The meeting ends in 15 minutes", "The meeting ends in 5 minutes",
            "The meeting is over"]),
    ("fr", ["La réunion se termine dans 15 minutes", "La réunion se termine dans 5 minutes",
            "La réunion est terminée"]),
])
def test_end_of_meeting_messages_at_the_right_times(jmbd_factory, prosody, watchers, language,
                                                    texts):
    d = xmpp_jmbd(jmbd_factory, prosody, language=language)
    room = book(d)
    rows = reminder_rows(d)
    assert [(k, o, due) for k, o, due, _ in rows if k == "xmpp"] == [
        ("xmpp", 15, END_UTC - 900), ("xmpp", 5, END_UTC - 300), ("xmpp", 0, END_UTC)]
    w = watchers(prosody, room)
    # Before the first one is due: nothing.
    move_clock(d, END_UTC - 900 - 30)
    time.sleep(2.5)
    assert w.messages == []
    for i, (offset, text) in enumerate(zip((15, 5, 0), texts)):
        move_clock(d, END_UTC - offset * 60 + 2)
        assert w.wait_for(i + 1)[i:] == [text], d.log()
        time.sleep(1.5)  # a few more worker rounds: nothing twice
        assert len(w.messages) == i + 1
    assert all(nick == "jmb" for nick, _, _ in w.messages)
    assert all(done for k, _, _, done in reminder_rows(d) if k == "xmpp")
    assert "outcome=posted" in d.log() or "posted" in d.log()


def test_late_reminders_are_dropped_not_posted(jmbd_factory, prosody, watchers):
    """jmbd was down during the 15- and 5-minute marks: only the true message goes."""
    d = xmpp_jmbd(jmbd_factory, prosody)
    room = book(d)
    w = watchers(prosody, room)
    move_clock(d, END_UTC + 2)
    assert w.wait_for(1) == ["The meeting is over"]
    time.sleep(2)
    assert [body for _, body, _ in w.messages] == ["The meeting is over"]
    assert "too late" in d.log()


def test_no_xmpp_section_plans_no_xmpp_reminders(jmbd_factory):
    d = jmbd_factory(start=False)
    d.add_user("alice", "alice-password")
    d.start()
    book(d)
    assert all(kind == "mail" for kind, *_ in reminder_rows(d))


def test_deleted_meeting_posts_nothing(jmbd_factory, prosody, watchers):
    d = xmpp_jmbd(jmbd_factory, prosody)
    room = book(d)
    w = watchers(prosody, room)
    s = d.session("alice", "alice-password")
    meeting = json.loads(d.jmbctl("meetings", "list", "--all", "--json").stdout)["meetings"][0]
    path = f"/meetings/{meeting['id']}"
    page = s.get(d.url + path + "/delete")
    assert s.post(d.url + path + "/delete", data={"csrf": csrf_of(page.text)},
                  allow_redirects=False).status_code == 303
    move_clock(d, END_UTC - 300 + 2)
    time.sleep(3)
    assert w.messages == []


def test_send_xmpp_by_hand(jmbd_factory, prosody, watchers):
    d = jmbd_factory(start=False, sections={"jitsi": {"domain": prosody.host},
                                            "xmpp": xmpp_section(prosody)})
    w = watchers(prosody, "handroom0123456789")
    r = d.jmbctl("send-xmpp", "HandRoom0123456789", "Bonjour à tous « ici »", check=False)
    assert r.returncode == 0, r.stderr
    assert "handroom0123456789@conference.xmpp.test" in r.stdout
    assert w.wait_for(1) == ["Bonjour à tous « ici »"]
    assert w.messages[0][0] == "jmb"
    # A full room JID works too.
    r = d.jmbctl("send-xmpp", f"handroom0123456789@{prosody.muc}", "second", check=False)
    assert r.returncode == 0, r.stderr
    assert w.wait_for(2)[1] == "second"
    # Usage errors.
    assert d.jmbctl("send-xmpp", "a/b", "x", check=False).returncode == 2
    assert d.jmbctl("send-xmpp", "room", check=False).returncode == 2


def test_send_xmpp_says_what_failed(jmbd_factory, prosody):
    d = jmbd_factory(start=False, sections={"jitsi": {"domain": prosody.host},
                                            "xmpp": xmpp_section(prosody, password="wrong")})
    r = d.jmbctl("send-xmpp", "someroom0123456789", "x", check=False)
    assert r.returncode == 1 and "failed at auth" in r.stderr, r.stderr
    d2 = jmbd_factory(name="nossl", start=False, sections={
        "jitsi": {"domain": prosody.host}, "xmpp": xmpp_section(prosody, tls="required")})
    r = d2.jmbctl("send-xmpp", "someroom0123456789", "x", check=False)
    assert r.returncode == 1 and "failed at connect" in r.stderr and "TLS" in r.stderr, r.stderr
    prosody.stop()
    started = time.time()
    r = d.jmbctl("send-xmpp", "someroom0123456789", "x", check=False)
    assert r.returncode == 1 and "failed at connect" in r.stderr, r.stderr
    assert "refused" in r.stderr.lower() and time.time() - started < 5
    d3 = jmbd_factory(name="noxmpp", start=False)
    r = d3.jmbctl("send-xmpp", "someroom0123456789", "x", check=False)
    assert r.returncode == 78 and "[xmpp]" in r.stderr


def test_check_config_xmpp_errors(jmbd_factory, prosody):
    d = jmbd_factory(start=False, sections={"xmpp": {"jid": "not-a-jid", "tls": "maybe"}})
    r = d.jmbctl("check-config", check=False)
    assert r.returncode != 0 and "tls" in r.stderr
    d = jmbd_factory(name="b", start=False, sections={"xmpp": {"jid": "bot/x@example.org"}})
    r = d.jmbctl("check-config", check=False)
    assert r.returncode != 0 and "bare JID" in r.stderr and "password" in r.stderr, r.stderr


def test_xmpp_down_jmbd_runs_and_mails_go(jmbd_factory, prosody, watchers):
    smtp = SmtpServer().start()
    try:
        d = xmpp_jmbd(jmbd_factory, prosody, sections={
            "mail": {"transport": smtp.url, "from": "noreply@example.org",
                     "local_domains": "example.org"}})
        room = book(d)
        assert len(smtp.wait_for(2)) == 2  # organiser and guest
        prosody.stop()
        move_clock(d, END_UTC - 900 + 2)
        deadline = time.time() + 15
        while time.time() < deadline and "outcome=deferred" not in d.log():
            time.sleep(0.2)
        assert "outcome=deferred" in d.log() and "step=connect" in d.log(), d.log()
        # jmbd is alive and mails still go: book another meeting, its mails arrive.
        smtp.messages.clear()
        book(d, title="Autre réunion", date=f"{NEXT_YEAR}-05-06")
        assert len(smtp.wait_for(2)) == 2
        assert d.proc.poll() is None
        # The reminder was given back, not lost: with the server back it is posted.
        prosody.start()
        w = watchers(prosody, room)
        move_clock(d, END_UTC - 900 + 45)
        assert w.wait_for(1) == ["The meeting ends in 15 minutes"], d.log()
        time.sleep(1.5)
        assert len(w.messages) == 1
    finally:
        smtp.stop()
