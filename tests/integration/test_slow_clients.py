"""Slow clients against a jmbd facing them directly: a slowloris attack from
many loopback addresses (each above [server] max_connections_per_address, all
together far above max_connections, one more header line per connection every
half second, much faster than connection_timeout) while fresh clients must get
/healthz within a second; request heads and bodies closed at their deadline
however they trickle; the cap sized from RLIMIT_NOFILE."""
import re
import resource
import socket
import subprocess
import threading
import time

import requests

from conftest import JMBD

LIMITS = {
    "max_connections": "64",
    "max_connections_per_address": "4",
    "request_head_timeout": "3",
    "request_body_timeout": "3",
    "connection_timeout": "60",
}


class Slowloris:
    """Unfinished requests: `per_address` connections from each address, one
    more header line on each every `interval` seconds; a connection the server
    closes is opened again at the next round."""

    def __init__(self, port, addresses, per_address, interval=0.5):
        self.port = port
        self.slots = [[addr, None] for addr in addresses for _ in range(per_address)]
        self.interval = interval
        self.stop = threading.Event()
        self.opened = 0
        self.answered = 0
        self.thread = threading.Thread(target=self.run)

    def open(self, addr):
        s = socket.socket()
        s.settimeout(0.2)
        try:
            s.bind((addr, 0))
            s.connect(("127.0.0.1", self.port))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            self.opened += 1
            return s
        except OSError:
            s.close()
            return None

    def trickle(self, s):
        try:
            s.setblocking(False)
            try:
                if s.recv(4096, socket.MSG_PEEK) not in (b"",):
                    self.answered += 1  # a slow request must never be answered
                return None  # closed by the server, or answered
            except BlockingIOError:
                pass
            s.sendall(b"X-Slow: a\r\n")
            return s
        except OSError:
            return None

    def run(self):
        while not self.stop.is_set():
            for slot in self.slots:
                if slot[1] is not None:
                    kept = self.trickle(slot[1])
                    if kept is None:
                        slot[1].close()
                    slot[1] = kept
                if slot[1] is None:
                    slot[1] = self.open(slot[0])
            self.stop.wait(self.interval)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(30)
        for slot in self.slots:
            if slot[1] is not None:
                slot[1].close()


def closed_total(d, reason):
    text = requests.get(d.url + "/metrics", timeout=5).text
    m = re.search(rf'^jmb_http_connections_closed_total{{reason="{reason}"}} (\d+)$', text,
                  re.M)
    return int(m.group(1)) if m else 0


def test_fresh_clients_are_served_during_a_slowloris(jmbd_factory):
    d = jmbd_factory(sections={"server": LIMITS})
    # 40 addresses x 6 connections: above the per-address limit from every
    # address and far above the cap (240 > 64).
    addresses = [f"127.0.0.{i}" for i in range(10, 50)]
    latencies = []
    with Slowloris(d.port, addresses, per_address=6) as attack:
        time.sleep(2)  # the attack fills the server first
        for _ in range(12):  # 12 s: several head deadlines pass
            started = time.monotonic()
            r = requests.get(d.url + "/healthz", timeout=1)
            latencies.append(time.monotonic() - started)
            assert r.status_code == 200
            time.sleep(1)
        opened = attack.opened
    assert max(latencies) < 1, latencies
    assert attack.answered == 0
    assert opened > 240, "the attack did not keep reconnecting"
    assert closed_total(d, "shed") > 0


def test_connections_beyond_the_per_address_limit_are_refused(jmbd_factory):
    d = jmbd_factory(sections={"server": LIMITS})
    held = []
    try:
        for _ in range(4):
            s = socket.socket()
            s.bind(("127.0.0.77", 0))
            s.connect(("127.0.0.1", d.port))
            s.sendall(b"GET /healthz HTTP/1.1\r\n")
            held.append(s)
        with socket.socket() as fifth:
            fifth.bind(("127.0.0.77", 0))
            fifth.connect(("127.0.0.1", d.port))
            fifth.settimeout(2)
            try:
                fifth.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                assert fifth.recv(4096) == b""
            except ConnectionResetError:
                pass
        # The four are still open, and another address is served.
        for s in held:
            s.setblocking(False)
            try:
                assert s.recv(1) != b""
            except BlockingIOError:
                pass
        assert requests.get(d.url + "/healthz", timeout=1).status_code == 200
    finally:
        for s in held:
            s.close()


def wait_closed(sock, feed, every=0.5, limit=15):
    """Sends feed() every `every` s until the server closes; returns the time taken."""
    started = time.monotonic()
    sock.settimeout(every)
    while time.monotonic() - started < limit:
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - started
        except socket.timeout:
            pass
        except ConnectionResetError:
            return time.monotonic() - started
        try:
            sock.sendall(feed())
        except OSError:
            return time.monotonic() - started
    raise AssertionError("the server never closed the trickling connection")


def test_trickled_head_is_closed_at_its_deadline(jmbd_factory):
    d = jmbd_factory(sections={"server": LIMITS})
    with socket.create_connection(("127.0.0.1", d.port)) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\n")
        took = wait_closed(s, lambda: b"X-Slow: a\r\n")
    assert 2.5 < took < 5, took
    assert closed_total(d, "head_deadline") == 1


def test_trickled_request_line_after_keep_alive_is_bounded(jmbd_factory):
    d = jmbd_factory(sections={"server": {**LIMITS, "connection_timeout": "2"}})
    with socket.create_connection(("127.0.0.1", d.port)) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
        # Idle 2 s + head 3 s at most, though a byte comes every half second.
        took = wait_closed(s, lambda: b"G")
    assert 4 < took < 7, took


def test_trickled_body_is_closed_at_its_deadline(jmbd_factory):
    d = jmbd_factory(sections={"server": LIMITS})
    with socket.create_connection(("127.0.0.1", d.port)) as s:
        s.sendall(b"POST /auth/local/login HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")
        took = wait_closed(s, lambda: b"a")
    assert 2.5 < took < 5, took
    assert closed_total(d, "body_deadline") == 1


def test_cap_is_lowered_to_fit_the_descriptor_limit(jmbd_factory):
    d = jmbd_factory(start=False, sections={"server": {"max_connections": "5000",
                                                       "threads": "4"}})
    # Soft and hard limit 1024, which jmbd cannot raise: 1024 - (64 + 4 x 4) fit.
    d.logfile = open(d.log_path, "ab")
    d.proc = subprocess.Popen(
        [str(JMBD), "--config", str(d.config)], stdout=d.logfile, stderr=subprocess.STDOUT,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024)))
    d.wait_ready()
    assert re.search(r"event=max_connections_lowered .*cap=944", d.log()), d.log()


def test_per_address_limit_must_stay_a_quarter_of_the_cap(jmbd_factory):
    d = jmbd_factory(start=False, sections={"server": {"max_connections": "64",
                                                       "max_connections_per_address": "17"}})
    checked = d.jmbctl("check-config", check=False)
    assert checked.returncode != 0
    assert "max_connections_per_address must be at most a quarter" in checked.stderr
    d = jmbd_factory(name="ok", start=False,
                     sections={"server": {"max_connections": "64",
                                          "max_connections_per_address": "16"}})
    assert d.jmbctl("check-config", check=False).returncode == 0
