"""Losing the PostgreSQL primary: two jmbd instances on a primary and its
synchronous streaming standby (pg_basebackup), under booking, join and
reminder load. The primary is stopped hard (pg_ctl stop -m immediate) and the
standby promoted, as an operator or Patroni would. jmbd's conninfo names both
hosts with target_session_attrs=read-write, so it finds the new primary by
itself, without a restart.

Checked: clients got only 201/302 or 503 (never a 500, never a wait past the
configured timeouts) during the switch; every booking answered 201 is there
afterwards; every reminder due across the switch was sent exactly once; jmbd
serves normally within seconds of the promotion. The measured window is
printed (doc/performance.md keeps it)."""
import collections
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from helpers import ClientThreads, api, api_token
from servers.postgres import PostgresPrimaryStandby
from servers.smtp import SmtpServer
from test_exactly_once import assert_exactly_once, expected_keys

CONNECT_TIMEOUT = 2  # seconds, in the conninfo
CLIENT_TIMEOUT = 15  # no answer may take longer


@pytest.fixture
def pair():
    with PostgresPrimaryStandby() as pg:
        yield pg


def start_instance(jmbd_factory, name, pg, smtp, users):
    d = jmbd_factory(name=name, start=False, store="postgresql",
                     conninfo=f"{pg.conninfo_both} connect_timeout={CONNECT_TIMEOUT}",
                     sections={"mail": {"transport": smtp.url, "from": "noreply@example.org",
                                        "local_domains": "example.org"},
                               "reminders": {"mail_before": "60"}})
    if users:
        d.add_user("alice", "alice-password", mail="alice@example.org", name="Alice Martin")
    # a claim left by the lost primary's transactions is taken over quickly,
    # so a mail sent twice would show within the test
    return d.start(env={"JMB_QUEUE_INTERVAL": "1", "JMB_CLAIM_TIMEOUT": "8"})


class Load(ClientThreads):
    """Clients booking and joining through both instances until stopped; every
    answer kept as (start time, kind, status or exception name, seconds)."""

    join_timeout = CLIENT_TIMEOUT + 5

    def __init__(self, instances, token, join_links):
        self.instances, self.token, self.links = instances, token, join_links
        self.answers, self.booked = [], []
        super().__init__([(self.book, (i,)) for i in range(3)] +
                         [(self.join, (i,)) for i in range(2)])

    def timed(self, kind, call):
        t0 = time.monotonic()
        try:
            r = call()
            self.answers.append((t0, kind, r.status_code, time.monotonic() - t0))
            return r
        except requests.RequestException as e:
            self.answers.append((t0, kind, type(e).__name__, time.monotonic() - t0))
            return None

    def book(self, n):
        i = 0
        while not self.stop.is_set():
            d = self.instances[(n + i) % 2]
            s = api(d, self.token)
            r = self.timed("book", lambda: s.post(d.url + "/api/v1/meetings", timeout=CLIENT_TIMEOUT,
                                                  json={"title": f"Load {n}-{i}",
                                                        "start": (datetime.now(timezone.utc)
                                                                  + timedelta(days=3)).isoformat(),
                                                        "duration": 30}))
            if r is not None and r.status_code == 201:
                self.booked.append(r.json()["id"])
            i += 1
            # each booking queues a mail: a pace the outbox keeps up with, so
            # that the reminders are not queued behind minutes of them
            time.sleep(0.2)

    def join(self, n):
        i = 0
        while not self.stop.is_set():
            link = self.links[(n + i) % len(self.links)]
            self.timed("join", lambda: requests.get(link, allow_redirects=False,
                                                    timeout=CLIENT_TIMEOUT))
            i += 1
            time.sleep(0.01)


def test_primary_lost_and_standby_promoted_under_load(jmbd_factory, pair):
    smtp = SmtpServer().start()
    try:
        a = start_instance(jmbd_factory, "a", pair, smtp, users=True)
        b = start_instance(jmbd_factory, "b", pair, smtp, users=False)
        token = api_token(a, "alice")
        s = api(a, token)
        # Reminders (60 minutes before) fall due from 6 to 18 s from now: before,
        # during and after the switch.
        now = datetime.now(timezone.utc)
        reminded = []
        for i in range(12):
            start = now + timedelta(minutes=60, seconds=6 + i)
            r = s.post(a.url + "/api/v1/meetings", json={
                "title": f"Across {i:03d}", "start": start.isoformat(), "duration": 30,
                "guests": ["g1@example.org", "g2@example.org"]})
            assert r.status_code == 201, r.text
            reminded.append(r.json())
        links = [a.url + "/j/" + att["link"].rsplit("/j/", 1)[1]
                 for m in reminded for att in m["attendees"]]

        with Load([a, b], token, links) as load:
            time.sleep(3)
            lost = time.monotonic()
            pair.stop_primary_hard()
            time.sleep(2)  # the time a failure takes to be noticed and acted on
            pair.promote_standby()
            promoted = time.monotonic()
            time.sleep(12)

        answers = load.answers
        statuses = collections.Counter((kind, status) for _, kind, status, _ in answers)
        print(f"\nanswers during the test: {dict(statuses)}")
        allowed = {("book", 201), ("book", 503), ("join", 302), ("join", 503)}
        assert set(statuses) <= allowed, statuses
        slowest = max(seconds for *_, seconds in answers)
        assert slowest < CLIENT_TIMEOUT, slowest
        # unavailable from the first failure to the first success after it
        failures = [t for t, kind, status, _ in answers if status != 201 and status != 302]
        assert failures, "the switch went unnoticed: the test proves nothing"
        first_failure = min(failures)
        back = min(t for t, kind, status, _ in answers
                   if t > max(failures) - 0.001 and status in (201, 302)) \
            if any(t > max(failures) for t, *_ in answers) else None
        assert back is not None, "no success after the last failure"
        assert back - promoted < 10, f"serving again {back - promoted:.1f} s after promotion"
        after = [status for t, kind, status, _ in answers if t > promoted + 5]
        assert after and all(st in (201, 302) for st in after), collections.Counter(after)
        print(f"primary lost at 0 s, standby promoted (pg_ctl promote returned) at "
              f"{promoted - lost:.1f} s; clients refused (503) from {first_failure - lost:.1f} s "
              f"to {back - lost:.1f} s: unavailable for {back - first_failure:.1f} s, of which "
              f"{max(0.0, back - promoted):.1f} s after the promotion; slowest answer "
              f"{slowest:.2f} s; {len(load.booked)} bookings answered 201")

        # every booking answered 201 is in the promoted primary
        for mid in load.booked:
            r = api(b, token).get(f"{b.url}/api/v1/meetings/{mid}")
            assert r.status_code == 200, (mid, r.status_code)
        # every reminder due across the switch, exactly once: the count reached,
        # then nothing more for longer than a claim takes to go stale
        reminders = lambda: [e for e in smtp.messages if b"Subject: Reminder" in e.content]
        deadline = time.monotonic() + 90
        while len(reminders()) < 36 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(12)
        assert_exactly_once(reminders(), expected_keys("Across", 12, "Reminder"))
    finally:
        smtp.stop()
