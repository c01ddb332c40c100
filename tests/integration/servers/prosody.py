"""A throw-away Prosody (Debian prosody) on 127.0.0.1 for the XMPP tests.

A temporary folder holds the config and the data: one VirtualHost, a MUC
component conference.<host> (rooms are created by whoever joins first and are
never locked), c2s on a free loopback port without TLS, s2s and HTTP off,
internal_plain authentication with accounts made by `prosodyctl register`.
As root, Prosody runs as root (run_as_root: nothing here is reachable from
outside the loopback); stop() and start() take it away mid-test.

    with ProsodyServer() as xmpp:
        xmpp.register("bot", "secret")
        xmpp.host, xmpp.muc, xmpp.port
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find(program):
    for candidate in (f"/usr/bin/{program}", shutil.which(program)):
        if candidate and os.path.exists(candidate):
            return candidate
    raise RuntimeError(f"{program} not found: apt-get install prosody")


class ProsodyServer:
    def __init__(self, host="xmpp.test"):
        self.host = host
        self.muc = f"conference.{host}"
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="jmb-prosody-"))
        self.config = self.dir / "prosody.cfg.lua"
        self.log_path = self.dir / "prosody.log"
        self.proc = None
        (self.dir / "data").mkdir()
        self.config.write_text(f"""
pidfile = "{self.dir}/prosody.pid"
data_path = "{self.dir}/data"
run_as_root = true
log = {{ debug = "{self.log_path}" }}
interfaces = {{ "127.0.0.1" }}
local_interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {self.port} }}
c2s_interfaces = {{ "127.0.0.1" }}
s2s_ports = {{ }}
http_ports = {{ }}
https_ports = {{ }}
c2s_direct_tls_ports = {{ }}
component_ports = {{ }}
modules_enabled = {{ "roster", "saslauth", "disco", "ping" }}
modules_disabled = {{ "s2s", "tls", "posix" }}
authentication = "internal_plain"
storage = "internal"
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
allow_registration = false

VirtualHost "{host}"

Component "{self.muc}" "muc"
    muc_room_locking = false
    restrict_room_creation = false
""")

    def _env(self):
        return {**os.environ, "HOME": str(self.dir)}

    def register(self, user, password):
        """Creates (or resets) user@host with password."""
        subprocess.run([find("prosodyctl"), "--config", str(self.config), "register", user,
                        self.host, password], check=True, capture_output=True, timeout=60,
                       env=self._env())
        return f"{user}@{self.host}"

    def start(self, timeout=20):
        self.logfile = open(self.dir / "prosody.out", "ab")
        self.proc = subprocess.Popen([find("prosody"), "--config", str(self.config), "-F"],
                                     stdout=self.logfile, stderr=subprocess.STDOUT,
                                     env=self._env())
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prosody exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"prosody did not listen on {self.port}:\n{self.log()}")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc is not None:
            self.logfile.close()
        self.proc = None

    def log(self):
        out = ""
        for name in ("prosody.out", "prosody.log"):
            path = self.dir / name
            if path.exists():
                out += path.read_text(errors="replace")[-6000:]
        return out

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
