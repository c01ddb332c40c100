"""Fixtures shared by the integration tests: real jmbd processes started from
the build tree on free loopback ports, each with its own throw-away folder."""
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("JMB_BUILDDIR", REPO / "build")).resolve()
JMBD = BUILD / "src" / "jmbd" / "jmbd"
JMBCTL = BUILD / "src" / "jmbctl" / "jmbctl"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Jmbd:
    """One jmbd process. Config sections can be overridden or added through
    `sections` ({"server": {"key": "value"}, "auth.local": {...}})."""

    def __init__(self, workdir, store="sqlite", conninfo=None, plugins="local", sections=None):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = self.dir / "jmb.conf"
        self.log_path = self.dir / "jmbd.log"
        conf = {
            "server": {
                "listen": f"127.0.0.1:{self.port}",
                "public_url": self.url,
                "default_language": "en",
                "timezone": "Europe/Paris",
                "template_dir": str(REPO / "templates"),
                "static_dir": str(REPO / "templates" / "static"),
                "locale_dir": str(BUILD / "po" / "locale"),
                "threads": "4",
            },
            "store": {"driver": store},
            "auth": {"plugins": plugins, "plugin_dir": str(BUILD / "plugins" / "modules")},
            "auth.local": {"users_file": str(self.dir / "users")},
            # Tests book meetings hours to weeks ahead and join them at once:
            # personal links open at any time here. The window itself is tested
            # with its default in test_join_window.py.
            "booking": {"link_opens_before": "5256000"},
            "jitsi": {"base_url": "https://meet.example.org", "domain": "meet.example.org",
                      "app_id": "jmb", "app_secret": "test-secret-0123456789"},
        }
        if store == "sqlite":
            conf["store"]["path"] = str(self.dir / "jmb.db")
        else:
            conf["store"]["conninfo"] = conninfo
        if "local" not in plugins.split(","):
            del conf["auth.local"]
        for section, values in (sections or {}).items():
            conf.setdefault(section, {}).update(values)
            conf[section] = {k: v for k, v in conf[section].items() if v is not None}
        self.write_config(conf)
        self.proc = None

    def write_config(self, conf):
        lines = []
        for section, values in conf.items():
            lines.append(f"[{section}]")
            lines += [f"{k} = {v}" for k, v in values.items()]
            lines.append("")
        self.config.write_text("\n".join(lines))

    def jmbctl(self, *args, input=None, check=True):
        return subprocess.run([str(JMBCTL), "--config", str(self.config), *args], input=input,
                              capture_output=True, text=True, check=check, timeout=60)

    def add_user(self, login, password, mail=None, name=None):
        self.jmbctl("user", "add", login, "--mail", mail or f"{login}@example.org",
                    "--name", name or login.capitalize(), "--password-stdin", input=password + "\n")

    def start(self, env=None, wait=True):
        self.logfile = open(self.log_path, "ab")
        self.proc = subprocess.Popen([str(JMBD), "--config", str(self.config)],
                                     stdout=self.logfile, stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})})
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jmbd exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"jmbd did not become ready:\n{self.log()}")

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.logfile.close()

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def session(self, login=None, password=None):
        """A requests session, logged in through the local plugin when asked."""
        s = requests.Session()
        if login is not None:
            r = s.get(self.url + "/auth/local/login")
            csrf = csrf_of(r.text)
            r = s.post(self.url + "/auth/local/login", allow_redirects=False,
                       data={"csrf": csrf, "login": login, "password": password, "next": "/meetings"})
            assert r.status_code == 303, r.text
        return s


def csrf_of(html):
    import re
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF token in page"
    return m.group(1)


@pytest.fixture
def jmbd_factory(tmp_path):
    """Makes and starts jmbd processes; all are stopped at the end of the test."""
    started = []

    def make(name="jmbd", start=True, **kwargs):
        d = Jmbd(tmp_path / name, **kwargs)
        started.append(d)
        return d.start() if start else d

    yield make
    for d in started:
        d.stop(signal.SIGKILL if d.proc and d.proc.poll() is None else signal.SIGTERM)


@pytest.fixture
def jmbd(jmbd_factory):
    """A jmbd on SQLite with the local plugin and users alice, bob and carol."""
    d = jmbd_factory(start=False)
    for user in ("alice", "bob", "carol"):
        d.add_user(user, f"{user}-password")
    return d.start()


@pytest.fixture
def smtp():
    """An SMTP sink of its own for the test (tests/integration/servers/smtp.py)."""
    from servers.smtp import SmtpServer
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="session")
def postgres():
    """One real PostgreSQL server for the whole session (tests/integration/servers)."""
    from servers.postgres import PostgresServer
    with PostgresServer() as pg:
        yield pg


@pytest.fixture(scope="session")
def slapd():
    """One real OpenLDAP slapd for the session, loaded with the fixture directory
    (tests/integration/servers/slapd-fixture.ldif). Tests that stop or freeze a
    directory start their own SlapdServer instead."""
    from servers.slapd import SlapdServer
    data = (Path(__file__).parent / "servers" / "slapd-fixture.ldif").read_text()
    with SlapdServer(data) as server:
        yield server
