#!/usr/bin/python3
"""Soak test: mixed traffic for a long time against two jmbd instances sharing a
throw-away PostgreSQL, sampling each instance's memory, descriptors and the
answers every minute. Traffic (all on 127.0.0.1, every rate bounded):

  bookings   POST /api/v1/meetings on both instances in turn, then a PATCH or a
             DELETE of an earlier one (about 2 writes a second)
  joins      GET /j/<token> of the links booked (about 20 a second)
  feeds      GET /feed/<token>.ics with If-None-Match, as calendar clients poll
             (about 10 a second; each write makes the next poll a 200)
  guessing   one client posting wrong passwords to the local login as fast as
             it is answered: the throttle answers 429 after a few tries
  slow       20 connections that send one header line every 5 seconds and never
             finish their request, reconnecting whenever jmbd closes them

Errors are answers that are none of the expected ones (any 5xx, a refused
connection, a timeout, a 4xx other than the login's 401/403/429), counted per
kind. Prints a table and, unless --no-doc, writes it into doc/performance.md
(section "Soak"). On demand only, never in CI.

Usage: bench/soak.py [--minutes N] [--no-doc]
Environment: JMB_BUILDDIR (default ./build, already built).
Exit status: 0 no error and no growth, 3 errors or growth seen, 2 the run failed.
"""
import argparse
import collections
import datetime
import itertools
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time

import requests

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
from servers.postgres import PostgresServer  # noqa: E402
from instance import JMBCTL, JMBD, BUILD, Instance, write_doc_section  # noqa: E402

DOC = os.path.join(TOP, "doc", "performance.md")
USERS = [f"user{i:02d}" for i in range(20)]


class Tally:
    """Answers per traffic kind: expected ones and errors, for the last minute
    and in all."""

    def __init__(self):
        self.lock = threading.Lock()
        self.minute = collections.Counter()
        self.total = collections.Counter()

    def add(self, kind, outcome):
        with self.lock:
            self.minute[(kind, outcome)] += 1
            self.total[(kind, outcome)] += 1

    def take_minute(self):
        with self.lock:
            m, self.minute = self.minute, collections.Counter()
        return m


EXPECTED = {
    "booking": {200, 201, 204},
    "join": {302, 410},  # 410: a link whose meeting was deleted while the join was on its way
    "feed": {200, 304},
    "guessing": {401, 403, 429},
}


def record(tally, kind, fn):
    try:
        status = fn().status_code
        tally.add(kind, status if status in EXPECTED[kind] else f"error {status}")
    except requests.RequestException as e:
        tally.add(kind, f"error {type(e).__name__}")


def paced(stop, per_second, body):
    """Runs body() about per_second times a second until stop is set."""
    period = 1.0 / per_second
    next_at = time.monotonic()
    while not stop.is_set():
        body()
        next_at += period
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
        else:
            next_at = time.monotonic()


def booking_traffic(stop, tally, instances, tokens, links, lock):
    rng = random.Random(1)
    booked = collections.deque(maxlen=200)
    counter = itertools.count()

    def once():
        n = next(counter)
        d = instances[n % 2]
        user = USERS[n % len(USERS)]
        api = {"Authorization": f"Bearer {tokens[user]}"}
        if n % 3 == 2 and booked:
            mid, owner, its_links = booked.popleft()
            url = f"{d.url}/api/v1/meetings/{mid}"
            h = {"Authorization": f"Bearer {tokens[owner]}"}
            if rng.random() < 0.5:
                with lock:  # its links answer 410 from now on: joins use the others
                    links[:] = [t for t in links if t not in its_links]
                record(tally, "booking", lambda: requests.delete(url, headers=h, timeout=10))
            else:
                record(tally, "booking", lambda: requests.patch(
                    url, headers=h, json={"title": f"Moved {n}"}, timeout=10))
            return
        start = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10))
        guests = [f"guest{g}@outside.example" for g in rng.sample(range(500), rng.randrange(1, 6))]
        body = {"title": f"Soak {n}", "start": start.replace(second=0, microsecond=0).isoformat(),
                "duration": 30, "guests": guests}
        try:
            r = requests.post(f"{d.url}/api/v1/meetings", headers=api, json=body, timeout=10)
        except requests.RequestException as e:
            tally.add("booking", f"error {type(e).__name__}")
            return
        tally.add("booking", r.status_code if r.status_code == 201 else f"error {r.status_code}")
        if r.status_code == 201:
            m = r.json()
            its_links = {a["link"].rsplit("/j/", 1)[1] for a in m["attendees"]}
            booked.append((m["id"], user, its_links))
            with lock:
                links.extend(its_links)
                del links[:-2000]

    paced(stop, 2, once)


def join_traffic(stop, tally, instances, links, lock):
    session = requests.Session()
    counter = itertools.count()

    def once():
        with lock:
            token = links[next(counter) % len(links)] if links else None
        if token is None:
            return
        d = instances[next(counter) % 2]
        record(tally, "join", lambda: session.get(f"{d.url}/j/{token}", allow_redirects=False,
                                                  timeout=10))

    paced(stop, 20, once)


def feed_traffic(stop, tally, instances, feeds):
    session = requests.Session()
    etags = {}
    counter = itertools.count()

    def once():
        n = next(counter)
        user = USERS[n % len(USERS)]
        url = feeds[user].replace(instances[0].url, instances[n % 2].url)
        h = {"If-None-Match": etags[user]} if user in etags else {}

        def get():
            r = session.get(url, headers=h, timeout=10)
            if r.status_code == 200:
                etags[user] = r.headers.get("ETag", "")
            return r
        record(tally, "feed", get)

    paced(stop, 10, once)


def guessing_traffic(stop, tally, instances):
    """Wrong passwords for a real account from one client, as fast as answered."""
    s = requests.Session()
    d = instances[0]
    while not stop.is_set():
        try:
            page = s.get(d.url + "/auth/local/login", timeout=10)
            m = re.search(r'name="csrf" value="([^"]+)"', page.text)
            if m is None:  # the login page itself may be throttled
                tally.add("guessing", page.status_code if page.status_code in EXPECTED["guessing"]
                          else f"error {page.status_code}")
                stop.wait(1)
                continue
            r = s.post(d.url + "/auth/local/login", allow_redirects=False, timeout=30,
                       data={"csrf": m.group(1), "login": USERS[0],
                             "password": secrets.token_hex(8), "next": "/meetings"})
            tally.add("guessing", r.status_code if r.status_code in EXPECTED["guessing"]
                      else f"error {r.status_code}")
            if r.status_code == 429:
                stop.wait(min(float(r.headers.get("Retry-After", "1")), 5))
        except requests.RequestException as e:
            tally.add("guessing", f"error {type(e).__name__}")


def slow_client(stop, tally, instance, index):
    """Never finishes its request head; counts how often jmbd cuts it off."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", instance.port), timeout=10) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: soak\r\n")
                while not stop.wait(5):
                    s.sendall(f"X-Slow-{index}: {time.time()}\r\n".encode())
                    s.settimeout(0.01)
                    try:
                        if s.recv(4096) == b"":
                            break
                    except socket.timeout:
                        pass
                    s.settimeout(10)
            if not stop.is_set():
                tally.add("slow", "cut off")
        except OSError:
            if not stop.is_set():
                tally.add("slow", "cut off")
            stop.wait(1)


def setup(work, conninfo):
    secret = secrets.token_urlsafe(24)
    store = f"driver = postgresql\nconninfo = {conninfo}"
    instances = [Instance(work, name, store, secret) for name in ("a", "b")]
    a = instances[0]
    a.jmbctl("migrate")
    for user in USERS:
        a.jmbctl("user", "add", user, "--mail", f"{user}@example.org", "--name", user,
                 "--password-stdin", input=secrets.token_hex(12) + "\n")
    tokens = {}
    for user in USERS:
        out = a.jmbctl("api-token", "create", user, "--label", "soak").stdout
        tokens[user] = out.strip()
    for d in instances:
        d.start()
    feeds = {}
    for user in USERS:
        r = requests.get(a.url + "/api/v1/me/feed", timeout=10,
                         headers={"Authorization": f"Bearer {tokens[user]}"})
        r.raise_for_status()
        feeds[user] = r.json()["url"]
    return instances, tokens, feeds


def run(minutes, work, conninfo):
    instances, tokens, feeds = setup(work, conninfo)
    tally, stop, lock, links = Tally(), threading.Event(), threading.Lock(), []
    threads = [
        threading.Thread(target=booking_traffic, args=(stop, tally, instances, tokens, links, lock)),
        threading.Thread(target=join_traffic, args=(stop, tally, instances, links, lock)),
        threading.Thread(target=feed_traffic, args=(stop, tally, instances, feeds)),
        threading.Thread(target=guessing_traffic, args=(stop, tally, instances)),
    ] + [threading.Thread(target=slow_client, args=(stop, tally, instances[i % 2], i))
         for i in range(20)]
    for t in threads:
        t.daemon = True
        t.start()
    rows = []
    try:
        for minute in range(1, minutes + 1):
            stop.wait(60)
            counts = tally.take_minute()
            row = {"minute": minute}
            for d in instances:
                row[f"rss_{d.name}"], row[f"fds_{d.name}"] = d.sample()
            row["requests"] = sum(v for (k, o), v in counts.items() if k != "slow")
            row["429"] = counts[("guessing", 429)]
            row["cut"] = counts[("slow", "cut off")]
            row["errors"] = sum(v for (k, o), v in counts.items() if str(o).startswith("error"))
            rows.append(row)
            print(f"minute {minute:3d}: rss a {row['rss_a']} kB b {row['rss_b']} kB, fds "
                  f"{row['fds_a']}/{row['fds_b']}, {row['requests']} answers, {row['429']} "
                  f"x 429, {row['cut']} slow cut off, {row['errors']} errors", flush=True)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=40)
        for d in instances:
            d.stop()
    return rows, tally.total


def growth(rows, key):
    """kB (or descriptors) gained from the second third of the run to its end:
    the first minutes fill caches and pools."""
    third = max(1, len(rows) // 3)
    return rows[-1][key] - max(r[key] for r in rows[third:2 * third] or rows[:1])


def table(rows, total, minutes, started):
    lines = [
        f"Run on {started:%Y-%m-%d} at {git_head()}, {minutes} minutes, on this machine "
        f"({os.cpu_count()} vCPU, shared with the traffic and PostgreSQL): two jmbd on one "
        "PostgreSQL, 8 threads each.",
        "",
        "| minute | RSS a (kB) | RSS b (kB) | fds a | fds b | answers | 429 | slow cut off | errors |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(f"| {r['minute']} | {r['rss_a']} | {r['rss_b']} | {r['fds_a']} | "
                     f"{r['fds_b']} | {r['requests']} | {r['429']} | {r['cut']} | {r['errors']} |")
    lines += ["", "All answers by kind:", ""]
    for (kind, outcome), n in sorted(total.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        lines.append(f"- {kind}: {outcome}: {n}")
    return "\n".join(lines) + "\n"


def git_head():
    try:
        return subprocess.run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


SOAK_INTRO = (
    "Mixed traffic for a long time against two instances on PostgreSQL: bookings, edits and "
    "deletions through the API, personal-link joins, feed polls with If-None-Match, one client "
    "guessing passwords and 20 slow clients that never finish a request. Memory (RSS), open "
    "descriptors and the answers are sampled every minute. \"Errors\" are answers that are "
    "none of the expected ones (5xx, timeouts, refused connections, unexpected 4xx); the "
    "guessing client's 429s and the slow clients cut off are the intended defences.\n\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--minutes", type=int, default=30)
    p.add_argument("--no-doc", action="store_true")
    a = p.parse_args()
    if not 1 <= a.minutes <= 24 * 60:
        p.error("--minutes 1..1440")
    if not (os.access(JMBD, os.X_OK) and os.access(JMBCTL, os.X_OK)):
        print(f"soak.py: build jmb first (no jmbd in {BUILD})", file=sys.stderr)
        return 2
    started = datetime.datetime.now()
    with tempfile.TemporaryDirectory(prefix="jmb-soak.") as work, \
            PostgresServer(dbname="jmbsoak") as pg:
        os.chmod(work, 0o755)
        rows, total = run(a.minutes, work, pg.conninfo)
    text = table(rows, total, a.minutes, started)
    print(text)
    errors = sum(r["errors"] for r in rows)
    grew = len(rows) >= 6 and any(growth(rows, k) > 0.1 * rows[-1][k]
                                  for k in ("rss_a", "rss_b"))
    fds_grew = len(rows) >= 6 and any(growth(rows, k) > 8 for k in ("fds_a", "fds_b"))
    if not a.no_doc:
        write_doc_section(DOC, "Soak (bench/soak.py)", SOAK_INTRO + text + f"\nErrors: {errors}. Memory growth over the last two thirds: "
                  f"{'yes' if grew else 'none beyond 10%'}; descriptors: "
                  f"{'grew' if fds_grew else 'steady'}.\n")
    return 3 if errors or grew or fds_grew else 0


if __name__ == "__main__":
    sys.exit(main())
