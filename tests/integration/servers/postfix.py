"""A throw-away Postfix instance on 127.0.0.1 for integration tests.

Standard library only. Its own configuration folder (main.cf, master.cf, a
transport map), queue, data folder and log (maillog_file through postlogd)
live in a temporary folder; its master runs in the foreground (`postfix -c DIR
start-fg`). It accepts SMTP on a free port and relays mail for `domain`
through the `jmbmailin` pipe(8) service to pipe_argv, run as pipe_user
(pipe(8) refuses root), one recipient per delivery. Deferred mail is retried
every second or two (minimal_backoff_time), so a test that makes the command
fail with 75 sees the retry without waiting minutes.

    with PostfixServer("booking.example.org", ["/bin/cat"]) as mta:
        mta.send("a@b", "rsvp+x@booking.example.org", message_bytes)
        mta.wait_status("sent")
"""
import os
import re
import shutil
import smtplib
import subprocess
import tempfile
import time
from pathlib import Path

from .slapd import free_port

SERVICES = """\
{listen} inet n - n - - smtpd
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
jmbmailin unix - n n - 4 pipe
  flags=Rq user={user} argv={argv}
"""


class PostfixServer:
    def __init__(self, domain, pipe_argv, pipe_user="nobody", recipient_delimiter="+"):
        self.domain = domain
        self.pipe_argv = list(pipe_argv)
        self.pipe_user = pipe_user
        self.delimiter = recipient_delimiter
        self.smtp_port = free_port()
        self.tmp = Path(tempfile.mkdtemp(prefix="jmb-postfix-"))
        self.proc = None

    def _postfix(self, *args, check=True):
        return subprocess.run(["/usr/sbin/postfix", "-c", str(self.tmp / "etc"), *args],
                              capture_output=True, text=True, check=check, timeout=60)

    def _configure(self):
        etc, queue, data = self.tmp / "etc", self.tmp / "queue", self.tmp / "data"
        for d in (etc, queue, data):
            d.mkdir()
        shutil.chown(data, "postfix")
        os.chmod(self.tmp, 0o755)
        (etc / "transport").write_text(f"{self.domain} jmbmailin:\n")
        (etc / "main.cf").write_text(f"""\
compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.test.example
mydomain = test.example
myorigin = $myhostname
mydestination =
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains = {self.domain}
transport_maps = texthash:{etc}/transport
recipient_delimiter = {self.delimiter}
jmbmailin_destination_recipient_limit = 1
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
maillog_file = /dev/stdout
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtputf8_enable = no
biff = no
""")
        (etc / "master.cf").write_text(SERVICES.format(
            listen=f"127.0.0.1:{self.smtp_port}", user=self.pipe_user,
            argv=" ".join(self.pipe_argv)))

    def start(self):
        if self.proc is None and not (self.tmp / "etc").exists():
            self._configure()
        # Postfix's own way for a foreground master: postlogd writes the log
        # to the master's standard output (maillog_file = /dev/stdout).
        with open(self.tmp / "maillog", "ab") as log:
            self.proc = subprocess.Popen(["/usr/sbin/postfix", "-c", str(self.tmp / "etc"),
                                          "start-fg"], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("postfix exited: " + self.log())
            try:
                with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=2) as s:
                    s.noop()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("postfix did not listen: " + self.log())

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self._postfix("stop", check=False)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def send(self, mail_from, rcpt_to, message):
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as s:
            s.sendmail(mail_from, [rcpt_to], message)

    def log(self):
        path = self.tmp / "maillog"
        return path.read_text(errors="replace") if path.exists() else ""

    def statuses(self):
        """The delivery lines of the jmbmailin service: [(status, rest of the line)]."""
        return re.findall(r"relay=jmbmailin.*? status=(\w+) (.*)", self.log())

    def wait_status(self, status, count=1, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = [s for s in self.statuses() if s[0] == status]
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"not {count} x status={status} in:\n{self.log()[-3000:]}")
