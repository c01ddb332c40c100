"""Running jmbd: `jmbd --check-config` and `jmbctl check-config` accept good
configs and reject bad ones with `file:line: message`; SIGHUP reloads the
config (and keeps the running one when the new one is broken); SIGTERM drains
and exits 0; /healthz turns 503 when the store is unusable; static files carry
ETag and answer 304."""
import os
import re
import signal
import socket
import subprocess
import time

import pytest
import requests

from conftest import JMBCTL, JMBD, REPO
from helpers import NEXT_YEAR, Page, api, api_token, assert_security_headers, raw_get


def check_config(d):
    """Runs both checkers; returns [(returncode, stdout, stderr)] for jmbd and jmbctl."""
    out = []
    for cmd in ([str(JMBD), "--check-config", "--config", str(d.config)],
                [str(JMBCTL), "--config", str(d.config), "check-config"]):
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        out.append((p.returncode, p.stdout, p.stderr))
    return out


def wait_for(predicate, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


# -- check-config ----------------------------------------------------------------

def test_check_config_accepts_the_test_config(jmbd_factory):
    d = jmbd_factory(start=False, plugins="local,header-trust")
    for code, out, err in check_config(d):
        assert code == 0, err
        assert out == f"{d.config}: configuration is valid\n"


def test_check_config_connect_opens_the_store_without_creating_it(jmbd_factory, tmp_path):
    d = jmbd_factory(start=False)
    db = d.dir / "jmb.db"
    assert not db.exists()
    r = d.jmbctl("check-config", "--connect")
    assert "does not exist yet; jmbd will create it" in r.stdout
    assert not db.exists(), "the check creates nothing"
    d.start()
    r = d.jmbctl("check-config", "--connect")
    assert re.search(r"^store: sqlite answers, schema version (\d+) of \1$", r.stdout, re.M), r.stdout
    d.stop()

    d.config.write_text(re.sub(r"path = \S+", f"path = {tmp_path}/no/such/folder/jmb.db",
                               d.config.read_text()))
    r = d.jmbctl("check-config", "--connect", check=False)
    assert r.returncode == 69 and "cannot be created" in r.stderr, r.stderr  # EX_UNAVAILABLE
    assert d.jmbctl("check-config", "--bogus", check=False).returncode == 2


def line_of(text, needle):
    return next(i for i, line in enumerate(text.split("\n"), 1) if line.startswith(needle))


# name: (edit of the config text, line that must be reported (a prefix of it), words of the message)
BAD_CONFIGS = {
    "unknown-key": (lambda t: t.replace("threads = 4", "threads = 4\nthreds = 8"),
                    "threds", "unknown key 'threds'"),
    "unknown-section": (lambda t: t + "\n[serverr]\nlisten = 1\n", "[serverr]", "unknown section"),
    "unknown-plugin-key": (lambda t: t.replace("[auth.local]", "[auth.local]\nuser_file = x"),
                           "user_file", "unknown key 'user_file'"),
    "not-a-number": (lambda t: t.replace("threads = 4", "threads = four"), "threads",
                     "'four' is not a whole number"),
    "out-of-range": (lambda t: t.replace("threads = 4", "threads = 0"), "threads", "out of range"),
    "bad-driver": (lambda t: t.replace("driver = sqlite", "driver = mysql"), "driver", "mysql"),
    "syntax": (lambda t: t.replace("[jitsi]", "[jitsi]\nthis is not ini"), "this is not ini",
               "syntax error"),
    "missing-secret-file": (lambda t: t.replace("app_secret = test-secret-0123456789",
                                                "app_secret_file = /nonexistent/jmb-secret"),
                            "app_secret_file", "/nonexistent/jmb-secret"),
    "unknown-plugin": (lambda t: t.replace("plugins = local", "plugins = local, nosuch"),
                       "plugins", "nosuch"),
    "bad-language": (lambda t: t.replace("default_language = en", "default_language = pt"),
                     "default_language", "default_language"),
    "bad-timezone": (lambda t: t.replace("timezone = Europe/Paris", "timezone = Mars/Olympus"),
                     "timezone", "timezone"),
    "bad-public-url": (lambda t: t.replace("public_url = http://", "public_url = ftp://"),
                       "public_url", "public_url"),
    "bad-trusted-proxy": (lambda t: t + "\n[auth.header-trust]\ntrusted_proxies = 300.1.1.1\n",
                          "trusted_proxies", "300.1.1.1"),
    # Both passed the check and then stopped jmbd at start-up.
    "port-out-of-range": (lambda t: re.sub(r"listen = \S+", "listen = 127.0.0.1:99999", t),
                          "listen", "expected ADDRESS:PORT"),
    "host-name-listen": (lambda t: re.sub(r"listen = \S+", "listen = localhost:18102", t),
                         "listen", "expected ADDRESS:PORT"),
}


@pytest.mark.parametrize("case", BAD_CONFIGS.keys())
def test_check_config_reports_file_and_line(jmbd_factory, case):
    edit, line_start, words = BAD_CONFIGS[case]
    d = jmbd_factory(start=False, plugins="local,header-trust")
    text = edit(d.config.read_text())
    d.config.write_text(text)
    line = line_of(text, line_start)
    # An unknown section may be reported at its header or at its first key.
    expected = tuple(f"{d.config}:{n}: " for n in ((line, line + 1) if case == "unknown-section"
                                                    else (line,)))
    for code, out, err in check_config(d):
        assert code != 0
        assert "configuration is valid" not in out
        assert any(e.startswith(expected) and words in e for e in err.splitlines()), \
            (expected, err)


def test_jmbd_refuses_to_start_on_a_bad_config(jmbd_factory):
    d = jmbd_factory(start=False)
    d.config.write_text(d.config.read_text().replace("threads = 4", "threads = lots"))
    d.start(wait=False)
    assert d.proc.wait(timeout=20) == 78  # EX_CONFIG
    assert f"{d.config}:" in d.log() and "'lots' is not a whole number" in d.log()


def test_missing_config_file(jmbd_factory):
    d = jmbd_factory(start=False)
    os.unlink(d.config)
    for code, out, err in check_config(d):
        assert code != 0
        assert str(d.config) in err


def test_check_config_accepts_a_secret_file(jmbd_factory):
    d = jmbd_factory(start=False)
    secret = d.dir / "jitsi-secret"
    secret.write_text("from-a-file-0123456789\n")
    d.config.write_text(d.config.read_text().replace(
        "app_secret = test-secret-0123456789", f"app_secret_file = {secret}"))
    for code, out, err in check_config(d):
        assert code == 0, err


# -- signals ---------------------------------------------------------------------

def page_language(d):
    return Page(requests.get(d.url + "/auth/local/login").text).lang


def test_sighup_reloads_the_config(jmbd):
    assert page_language(jmbd) == "en"
    jmbd.config.write_text(jmbd.config.read_text().replace("default_language = en",
                                                           "default_language = fr"))
    jmbd.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: page_language(jmbd) == "fr")
    assert "event=reloaded" in jmbd.log()
    assert jmbd.proc.poll() is None


def test_sighup_with_a_broken_config_keeps_the_old_one(jmbd):
    s = jmbd.session("alice", "alice-password")
    jmbd.config.write_text(jmbd.config.read_text().replace("default_language = en",
                                                           "default_language = fr\nnonsense = 1"))
    jmbd.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: "event=reload_failed" in jmbd.log())
    assert "unknown key 'nonsense'" in jmbd.log()
    assert jmbd.proc.poll() is None
    assert page_language(jmbd) == "en"
    assert s.get(jmbd.url + "/meetings").status_code == 200  # sessions survive
    # Fixing the file and signalling again applies it.
    jmbd.config.write_text(jmbd.config.read_text().replace("nonsense = 1\n", ""))
    jmbd.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: page_language(jmbd) == "fr")


def test_sighup_applies_booking_rules(jmbd):
    token = api_token(jmbd, "alice")
    body = {"title": "t", "start": f"{NEXT_YEAR}-01-05T10:00:00+01:00", "duration": 600}
    assert api(jmbd, token).post(jmbd.url + "/api/v1/meetings", json=body).status_code == 422
    jmbd.config.write_text(jmbd.config.read_text() + "\n[booking]\nmax_duration = 600\n")
    jmbd.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: "event=reloaded" in jmbd.log())
    assert api(jmbd, token).post(jmbd.url + "/api/v1/meetings", json=body).status_code == 201


def test_sigterm_exits_zero_promptly_with_idle_keepalive_connections(jmbd):
    """An idle browser connection is not a request in progress: it must not
    hold the shutdown for the whole drain period."""
    s = api(jmbd, api_token(jmbd, "alice"))
    r = s.post(jmbd.url + "/api/v1/meetings", json={"title": "t", "start": f"{NEXT_YEAR}-01-05T10:00:00Z"})
    assert r.status_code == 201
    assert r.headers.get("Connection") != "close"  # the connection stays open, idle
    started = time.monotonic()
    assert jmbd.stop(signal.SIGTERM) == 0
    assert time.monotonic() - started < 3
    assert "event=stopped" in jmbd.log()
    assert "MHD_" not in jmbd.log()  # e.g. "MHD_quiesce_daemon ... requires MHD_USE_ITC"


def accept_queue(port):
    """Connections to 127.0.0.1:port that the kernel holds for its listener and
    the server has not accepted yet (rx_queue of a LISTEN row in /proc/net/tcp)."""
    with open("/proc/net/tcp") as f:
        for row in f.read().splitlines()[1:]:
            fields = row.split()
            if fields[3] == "0A" and fields[1] == f"0100007F:{port:04X}":
                return int(fields[4].split(":")[1], 16)
    return None


def test_sigterm_finishes_the_request_in_progress(jmbd):
    """Drain: a request whose body is still arriving gets its answer; new
    connections are no longer accepted."""
    with socket.create_connection(("127.0.0.1", jmbd.port), timeout=10) as c:
        c.sendall(b"POST /logout HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\n"
                  b"csrf=")
        # In progress means accepted and its headers read: a connection still
        # in the listener's backlog is refused by the drain, rightly.
        assert wait_for(lambda: accept_queue(jmbd.port) == 0)
        time.sleep(0.3)
        jmbd.proc.send_signal(signal.SIGTERM)
        assert wait_for(lambda: "event=stopping" in jmbd.log())
        with pytest.raises(requests.ConnectionError):
            requests.get(jmbd.url + "/healthz", timeout=2)
        c.sendall(b"abcd")
        answer = c.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 403 "), answer[:200]
    assert jmbd.proc.wait(timeout=15) == 0


def test_sigint_also_stops_cleanly(jmbd):
    assert jmbd.stop(signal.SIGINT) == 0


def test_connections_are_kept_alive(jmbd):
    """Every request on a new TCP connection would cost a handshake each:
    requests with and without a body keep the connection open."""
    s = jmbd.session("alice", "alice-password")
    token = api_token(jmbd, "alice")
    for r in (s.get(jmbd.url + "/meetings"), s.get(jmbd.url + "/static/jmb.css"),
              requests.get(jmbd.url + "/healthz"),
              api(jmbd, token).post(jmbd.url + "/api/v1/meetings",
                                    json={"title": "t", "start": f"{NEXT_YEAR}-01-05T10:00:00Z"})):
        assert r.status_code in (200, 201)
        assert r.headers.get("Connection", "").lower() != "close", r.url
    with socket.create_connection(("127.0.0.1", jmbd.port), timeout=10) as c:
        f = c.makefile("rb")
        for _ in range(3):
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert f.readline().startswith(b"HTTP/1.1 200")
            while f.readline() not in (b"\r\n", b""):
                pass
            assert f.read(3) == b"ok\n"


# -- health ------------------------------------------------------------------------

def test_healthz_is_plain_ok(jmbd):
    r = requests.get(jmbd.url + "/healthz")
    assert (r.status_code, r.text) == (200, "ok\n")
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in r.headers
    assert_security_headers(r)


def test_healthz_503_when_the_sqlite_file_is_unusable(jmbd):
    """Root ignores file permissions, so the database is made unusable by
    overwriting it (and its WAL files) with garbage in place."""
    token = api_token(jmbd, "alice")
    assert requests.get(jmbd.url + "/healthz").status_code == 200
    for name in ("jmb.db", "jmb.db-wal", "jmb.db-shm"):
        path = jmbd.dir / name
        if path.exists():
            with open(path, "r+b") as f:
                f.write(b"\x42" * max(path.stat().st_size, 4096))
    r = requests.get(jmbd.url + "/healthz")
    assert (r.status_code, r.text) == (503, "store unavailable\n")
    # The store really is unusable: real requests fail too, and the daemon lives.
    assert api(jmbd, token).get(jmbd.url + "/api/v1/meetings").status_code == 503
    assert jmbd.proc.poll() is None


def test_healthz_503_when_postgresql_is_down(jmbd_factory, postgres):
    """A PostgreSQL store whose database goes away under the daemon."""
    conninfo = postgres.create_database()
    d = jmbd_factory(store="postgresql", conninfo=conninfo)
    assert requests.get(d.url + "/healthz").status_code == 200
    dbname = conninfo.split("dbname=")[1].split()[0]
    postgres.psql(f'DROP DATABASE "{dbname}" WITH (FORCE)', dbname="postgres")
    r = requests.get(d.url + "/healthz")
    assert (r.status_code, r.text) == (503, "store unavailable\n")
    assert d.proc.poll() is None


# -- static files ------------------------------------------------------------------

def test_static_file_with_etag_and_304(jmbd):
    r = requests.get(jmbd.url + "/static/jmb.css")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/css; charset=utf-8"
    assert r.content == (REPO / "templates" / "static" / "jmb.css").read_bytes()
    etag = r.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert "max-age=" in r.headers["Cache-Control"]
    assert "Set-Cookie" not in r.headers
    assert_security_headers(r)
    r = requests.get(jmbd.url + "/static/jmb.css", headers={"If-None-Match": etag})
    assert r.status_code == 304
    assert r.content == b""
    assert r.headers["ETag"] == etag
    r = requests.get(jmbd.url + "/static/jmb.css", headers={"If-None-Match": '"other"'})
    assert r.status_code == 200
    r = requests.head(jmbd.url + "/static/favicon.svg")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "image/svg+xml"
    assert r.content == b""


@pytest.mark.parametrize("target", [b"/static/nope.css", b"/static/", b"/static/.hidden.css",
                                    b"/static/jmb.conf", b"/static/%2e%2e%2fjmb.conf",
                                    b"/static/..%2f..%2fetc%2fpasswd", b"/static/a/b.css"])
def test_static_files_outside_the_folder_are_not_served(jmbd, target):
    status, headers, body = raw_get(jmbd, target)
    assert status in (400, 404)
    assert b"[server]" not in body and b"root:" not in body
    assert headers["x-content-type-options"] == "nosniff"


# -- plugin ABI --------------------------------------------------------------------

OLD_ABI_PLUGIN = r"""
#include <stddef.h>
#include "jmb/auth-plugin.h"
__attribute__((visibility("default"))) const struct jmb_auth_plugin jmb_auth_plugin = {
    .abi_version = JMB_AUTH_ABI_VERSION - 1,
    .name = "stale",
};
"""


def test_a_plugin_built_for_another_abi_is_refused(jmbd_factory, tmp_path):
    """A module built against an older include/jmb (ABI version - 1) stops
    jmbd and jmbctl check-config with a message that says what to do."""
    src = tmp_path / "auth_stale.c"
    src.write_text(OLD_ABI_PLUGIN)
    plugin_dir = tmp_path / "modules"
    plugin_dir.mkdir()
    subprocess.run(["cc", "-shared", "-fPIC", "-I", str(REPO / "include"), "-o",
                    str(plugin_dir / "auth_stale.so"), str(src)], check=True, timeout=60)
    d = jmbd_factory(start=False, plugins="stale",
                     sections={"auth": {"plugin_dir": str(plugin_dir)}})
    abi = int(next(line.split()[2] for line in (REPO / "include/jmb/auth-plugin.h")
                   .read_text().splitlines() if line.startswith("#define JMB_AUTH_ABI_VERSION")))
    for code, out, err in check_config(d):
        assert code != 0
        assert f"has plugin ABI {abi - 1}, this jmbd needs {abi}" in err, err
        assert "install the plugin built with this jmbd" in err
    d.start(wait=False)
    assert d.proc.wait(timeout=20) == 78  # EX_CONFIG
    assert f"has plugin ABI {abi - 1}, this jmbd needs {abi}" in d.log()
