#!/usr/bin/python3
"""A burst of Prosody reservation requests: N meetings starting in a few
minutes are booked, then N POST /jitsi/reservations/conference (one per room,
as mod_reservations sends them when N rooms fill at once) are sent together
from N threads. Every answer must be a 200: no error, no 5xx. Prints the
latencies and, unless --no-doc, writes them into doc/performance.md (section
"Reservation bursts"). On demand only, never in CI.

Usage: bench/reservations.py [--requests N] [--postgresql] [--no-doc]
Environment: JMB_BUILDDIR (default ./build, already built).
Exit status: 0 all answered 200, 3 otherwise, 2 the run failed.
"""
import argparse
import concurrent.futures
import datetime
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
from servers.postgres import PostgresServer  # noqa: E402
from instance import JMBD, Instance, write_doc_section  # noqa: E402

DOC = os.path.join(TOP, "doc", "performance.md")
TOKEN = secrets.token_urlsafe(24)


def book(d, api_token, n):
    start = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5))
    start = start.replace(second=0, microsecond=0).isoformat()
    rooms = []
    with requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {api_token}"
        for i in range(n):
            r = s.post(f"{d.url}/api/v1/meetings", timeout=30,
                       json={"title": f"Burst {i}", "start": start, "duration": 60})
            r.raise_for_status()
            rooms.append(r.json()["room"])
    return rooms


def burst(d, rooms):
    """One thread per room, released together; (status, seconds) per request."""
    gate = threading.Barrier(len(rooms))
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def one(room):
        gate.wait()
        t0 = time.perf_counter()
        try:
            r = requests.post(f"{d.url}/jitsi/reservations/conference", timeout=60,
                              headers={"Authorization": f"Bearer {TOKEN}"},
                              data={"name": room, "start_time": stamp,
                                    "mail_owner": "focus@auth.meet.example.org"})
            status = r.status_code
        except requests.RequestException as e:
            status = type(e).__name__
        return status, time.perf_counter() - t0

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(rooms)) as pool:
        return list(pool.map(one, rooms))


def report(results, n, driver):
    ok = [t for s, t in results if s == 200]
    others = {}
    for s, _ in results:
        if s != 200:
            others[s] = others.get(s, 0) + 1
    times = sorted(t * 1000 for _, t in results)
    head = subprocess.run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    return (f"{datetime.date.today()} at {head}, {driver}, {os.cpu_count()} vCPU shared with the "
            f"client: {n} reservation requests sent at once from {n} threads, one per room. "
            f"Latencies are the client's, whose {n} Python threads share the CPUs with jmbd "
            f"and the database: they bound jmbd's time from above.\n\n"
            f"| answered 200 | other answers | median | p95 | slowest |\n"
            f"| ---: | --- | ---: | ---: | ---: |\n"
            f"| {len(ok)} | {others or 'none'} | {statistics.median(times):.0f} ms | "
            f"{times[int(len(times) * 0.95) - 1]:.0f} ms | {times[-1]:.0f} ms |\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--requests", type=int, default=500)
    p.add_argument("--postgresql", action="store_true")
    p.add_argument("--no-doc", action="store_true")
    a = p.parse_args()
    if not 1 <= a.requests <= 2000:
        p.error("--requests 1..2000")
    if not os.access(JMBD, os.X_OK):
        print("reservations.py: build jmb first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="jmb-reservations.") as work:
        pg = PostgresServer(dbname="jmbburst") if a.postgresql else None
        try:
            if pg:
                pg.__enter__()
                store, driver = f"driver = postgresql\nconninfo = {pg.conninfo}", "PostgreSQL"
            else:
                store, driver = f"driver = sqlite\npath = {work}/jmb.db", "SQLite"
            d = Instance(work, "jmbd", store, secrets.token_urlsafe(24),
                         jitsi=f"prosody_token = {TOKEN}")
            d.jmbctl("migrate")
            d.jmbctl("user", "add", "alice", "--mail", "alice@example.org", "--name", "Alice",
                     "--password-stdin", input=secrets.token_hex(12) + "\n")
            api_token = d.jmbctl("api-token", "create", "alice").stdout.strip()
            d.start()
            try:
                rooms = book(d, api_token, a.requests)
                results = burst(d, rooms)
            finally:
                d.stop()
        finally:
            if pg:
                pg.__exit__(None, None, None)
    text = report(results, a.requests, driver)
    print(text)
    if not a.no_doc:
        write_doc_section(DOC, f"Reservation bursts, {driver} (bench/reservations.py)", text)
    return 0 if all(s == 200 for s, _ in results) else 3


if __name__ == "__main__":
    sys.exit(main())
