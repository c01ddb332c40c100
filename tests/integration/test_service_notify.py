"""jmbd and its service manager: the sd_notify(3) protocol, as systemd speaks it.

systemd is not PID 1 here, so the test plays its part of the documented
protocol: it binds the datagram socket named by NOTIFY_SOCKET, sets
WATCHDOG_USEC as systemd does for WatchdogSec=, and reads what jmbd sends.
"""

import signal
import socket
import time

import pytest
import requests


@pytest.fixture
def notify_socket(tmp_path):
    path = tmp_path / "notify.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(str(path))
    s.settimeout(0.2)
    yield s, str(path)
    s.close()


def messages_until(sock, wanted, timeout=20):
    """Datagrams received (each a dict of its KEY=VALUE lines) up to and
    including the first one that holds the key `wanted`."""
    got = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data = sock.recv(4096).decode()
        except socket.timeout:
            continue
        fields = dict(line.split("=", 1) for line in data.splitlines() if "=" in line)
        got.append(fields)
        if wanted in fields:
            return got
    raise AssertionError(f"no {wanted} within {timeout} s; received {got}")


def test_ready_only_once_serving_then_reloading_and_stopping(jmbd_factory, notify_socket):
    sock, path = notify_socket
    d = jmbd_factory(start=False)
    d.start(env={"NOTIFY_SOCKET": path}, wait=False)
    ready = messages_until(sock, "READY")[-1]
    # READY comes after the listening socket is open: the first request works
    assert requests.get(d.url + "/healthz", timeout=2).status_code == 200
    assert ready["READY"] == "1"
    assert ready["STATUS"] == f"serving on port {d.port}"

    d.proc.send_signal(signal.SIGHUP)
    reload = messages_until(sock, "READY")
    assert reload[0] == {"RELOADING": "1"}
    assert "reloaded" in d.log()

    assert d.stop() == 0
    assert messages_until(sock, "STOPPING")[-1] == {"STOPPING": "1"}


def test_watchdog_pinged_at_half_the_interval(jmbd_factory, notify_socket):
    sock, path = notify_socket
    d = jmbd_factory(start=False)
    # WatchdogSec=1s: jmbd must ping about every 0.5 s
    d.start(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000"}, wait=False)
    messages_until(sock, "READY")
    pings = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            if sock.recv(4096).decode().strip() == "WATCHDOG=1":
                pings.append(time.monotonic())
        except socket.timeout:
            pass
    assert len(pings) >= 4, pings
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    assert max(gaps) < 0.9, gaps  # never close to the 1 s after which systemd kills


def test_no_watchdog_pings_without_a_watchdog(jmbd_factory, notify_socket):
    sock, path = notify_socket
    d = jmbd_factory(start=False)
    d.start(env={"NOTIFY_SOCKET": path}, wait=False)
    messages_until(sock, "READY")
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        try:
            assert sock.recv(4096).decode().strip() != "WATCHDOG=1"
        except socket.timeout:
            pass
