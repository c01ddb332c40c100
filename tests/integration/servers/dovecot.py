"""A throw-away Dovecot IMAP server on 127.0.0.1 for integration tests.

Standard library only. Its own configuration file, run and state folders,
log and maildirs live in a temporary folder; users come from a passwd-file
(plain passwords: test data). It listens for imap:// (STARTTLS offered) and
imaps:// on free ports with a certificate of a test CA (made with openssl,
ca_file below). As root, Dovecot's master stays root and its processes run as
the users the Debian package created (dovecot, dovenull); mail belongs to
dovecot. append() and messages() use Python's imaplib, as a mail system
delivering and a person reading would.

    with DovecotServer({"rsvp": "secret"}) as imap:
        imap.append("rsvp", message_bytes)
        imap.imaps_url("INBOX"), imap.ca_file, imap.messages("rsvp")
"""
import imaplib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from .slapd import free_port, make_test_ca


class DovecotServer:
    def __init__(self, users):
        self.users = dict(users)
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.tmp = Path(tempfile.mkdtemp(prefix="jmb-dovecot-"))
        self.proc = None

    def imap_url(self, folder="INBOX"):
        return f"imap://localhost:{self.imap_port}/{folder}"

    def imaps_url(self, folder="INBOX"):
        return f"imaps://localhost:{self.imaps_port}/{folder}"

    def _configure(self):
        os.chmod(self.tmp, 0o755)
        ca, cert, key = make_test_ca(self.tmp)
        self.ca_file = str(ca)
        for sub in ("run", "state", "mail"):
            (self.tmp / sub).mkdir()
        shutil.chown(self.tmp / "mail", "dovecot", "dovecot")
        passwd = self.tmp / "passwd"
        passwd.write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in self.users.items()))
        os.chmod(passwd, 0o644)
        self.config = self.tmp / "dovecot.conf"
        self.config.write_text(f"""
base_dir = {self.tmp}/run
state_dir = {self.tmp}/state
log_path = {self.tmp}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
auth_mechanisms = plain
mail_location = maildir:{self.tmp}/mail/%u
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={self.tmp}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    port = {self.imaps_port}
    ssl = yes
  }}
}}
""")

    def start(self):
        if self.proc is None and not hasattr(self, "config"):
            self._configure()
        self.proc = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", str(self.config)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.proc.stderr.read().decode()}"
                                   f"{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.imaps_port), timeout=1), \
                        socket.create_connection(("127.0.0.1", self.imap_port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not listen: " + self.log())

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def log(self):
        path = self.tmp / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _client(self, user):
        context = ssl.create_default_context(cafile=self.ca_file)
        client = imaplib.IMAP4_SSL("localhost", self.imaps_port, ssl_context=context)
        client.login(user, self.users[user])
        return client

    def append(self, user, message, folder="INBOX", flags=""):
        """Delivers message (bytes) into the user's folder, as a mail system would."""
        with self._client(user) as c:
            typ, data = c.append(folder, flags, None, message)
            assert typ == "OK", data

    def create_folder(self, user, folder):
        with self._client(user) as c:
            typ, data = c.create(folder)
            assert typ == "OK", data

    def messages(self, user, folder="INBOX"):
        """[(uid, flags, bytes)] of a folder, read without changing any flag."""
        out = []
        with self._client(user) as c:
            c.select(folder, readonly=True)
            typ, data = c.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            for item in data:
                if not isinstance(item, tuple):
                    continue
                head = item[0].decode()
                uid = int(re.search(r"UID (\d+)", head).group(1))
                flags = re.search(r"FLAGS \(([^)]*)\)", head).group(1).split()
                out.append((uid, flags, item[1]))
        return out
