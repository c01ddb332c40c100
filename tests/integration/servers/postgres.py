"""A throw-away PostgreSQL server on 127.0.0.1 for integration tests.

Standard library only. initdb and pg_ctl refuse to run as root, so when the
tests run as root they run as the ``postgres`` system user on a temp directory
handed over to it. Everything is stopped and removed on exit, also on failure.

    with PostgresServer() as pg:
        subprocess.run([...], env={"JMB_TEST_PG_CONNINFO": pg.conninfo})
"""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

DEFAULT_VERSION = "15"


def find_bindir(version=DEFAULT_VERSION):
    """The directory of initdb/pg_ctl: $JMB_PG_BINDIR, else Debian's layout."""
    override = os.environ.get("JMB_PG_BINDIR")
    if override:
        return override
    wanted = f"/usr/lib/postgresql/{version}/bin"
    if os.path.exists(os.path.join(wanted, "initdb")):
        return wanted
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    return os.path.dirname(found[-1])


def free_port():
    """A port nobody listens on right now (start() retries if it is taken meanwhile)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """Context manager: initdb + pg_ctl start on a free loopback port, one database.
    durable=True keeps PostgreSQL's crash guarantees (fsync, synchronous
    commit) for tests that crash it; the default trades them for speed."""

    def __init__(self, dbname="jmbtest", user="postgres", version=DEFAULT_VERSION,
                 start_timeout=60, durable=False):
        self.durable = durable
        self.dbname = dbname
        self.user = user
        self.bindir = find_bindir(version)
        self.start_timeout = start_timeout
        self.port = None
        self.tmpdir = None
        self.datadir = None
        self.logfile = None
        self._as_user = None
        self._started = False

    @property
    def conninfo(self):
        return f"host=127.0.0.1 port={self.port} dbname={self.dbname} user={self.user}"

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        self.stop()
        return False

    # -- running the server's tools ------------------------------------------------

    def _run(self, tool, *args, check=True, timeout=None):
        """Runs one of the server's programs, as the postgres user when we are root."""
        cmd = [os.path.join(self.bindir, tool), *args]
        kwargs = {}
        if self._as_user is not None:
            kwargs = {"user": self._as_user.pw_uid, "group": self._as_user.pw_gid,
                      "extra_groups": []}
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
               "HOME": self.tmpdir, "PGTZ": "UTC"}
        proc = subprocess.run(cmd, cwd=self.tmpdir, env=env, capture_output=True, text=True,
                              timeout=timeout or self.start_timeout, **kwargs)
        if check and proc.returncode != 0:
            raise RuntimeError(f"{tool} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
                               f"{self._log_tail()}")
        return proc

    def psql(self, sql, dbname=None):
        """Runs SQL through psql over TCP; returns its unaligned, tuples-only output."""
        proc = self._run("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                         "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
                         "-d", dbname or self.dbname, "-c", sql)
        return proc.stdout

    def create_database(self, name=None):
        """A new, empty database on this server (a fresh one per test); returns
        its conninfo."""
        if name is None:
            name = "jmb_" + os.urandom(6).hex()
        self.psql(f'CREATE DATABASE "{name}"', dbname="postgres")
        return f"host=127.0.0.1 port={self.port} dbname={name} user={self.user}"

    def _log_tail(self):
        try:
            with open(self.logfile, encoding="utf-8", errors="replace") as f:
                return "\n--- server log ---\n" + f.read()[-4000:]
        except (OSError, TypeError):
            return ""

    # -- life cycle ----------------------------------------------------------------

    def start(self):
        self.tmpdir = tempfile.mkdtemp(prefix="jmb-pg-")
        self.datadir = os.path.join(self.tmpdir, "data")
        self.logfile = os.path.join(self.tmpdir, "server.log")
        if os.geteuid() == 0:
            self._as_user = pwd.getpwnam("postgres")
            os.chown(self.tmpdir, self._as_user.pw_uid, self._as_user.pw_gid)
        os.chmod(self.tmpdir, 0o700)
        self._run("initdb", "-D", self.datadir, "-U", self.user, "-A", "trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions")
        for attempt in range(5):
            self.port = free_port()
            proc = self._run("pg_ctl", "-D", self.datadir, "-l", self.logfile, "-w",
                             "-t", str(self.start_timeout), "-o", self._server_options(),
                             "start", check=False,
                             timeout=self.start_timeout + 10)
            if proc.returncode == 0:
                self._started = True
                break
            if "could not bind" not in self._log_tail() or attempt == 4:
                raise RuntimeError(f"pg_ctl start failed:\n{proc.stdout}{proc.stderr}"
                                   f"{self._log_tail()}")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
                  self.dbname)

    def stop_hard(self):
        """Stops the server as a crash would (pg_ctl stop -m immediate): no
        checkpoint, clients cut off; the data directory stays for restart()."""
        self._run("pg_ctl", "-D", self.datadir, "-m", "immediate", "-w", "-t", "30", "stop",
                  timeout=40)

    def restart(self):
        """Starts the server again on the same port and data (crash recovery)."""
        self._run("pg_ctl", "-D", self.datadir, "-l", self.logfile, "-w",
                  "-t", str(self.start_timeout), "-o", self._server_options(), "start",
                  timeout=self.start_timeout + 10)

    def _server_options(self):
        # Only loopback TCP and a socket in our own directory, so we never collide
        # with a system cluster; durability is pointless for a throw-away server.
        return (f"-c listen_addresses=127.0.0.1 -p {self.port} "
                f"-c unix_socket_directories={self.tmpdir} "
                + ("" if self.durable else
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off ")
                + "-c max_connections=100")

    def stop(self):
        # A postmaster.pid means a server may run, even if pg_ctl start timed out.
        if self._started or (self.datadir is not None
                             and os.path.exists(os.path.join(self.datadir, "postmaster.pid"))):
            proc = self._run("pg_ctl", "-D", self.datadir, "-m", "fast", "-w", "-t", "30",
                             "stop", check=False, timeout=40)
            if proc.returncode != 0:
                self._kill_postmaster()
            self._started = False
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def _kill_postmaster(self):
        """Last resort when pg_ctl stop failed: SIGKILL the postmaster and wait."""
        try:
            with open(os.path.join(self.datadir, "postmaster.pid"), encoding="ascii") as f:
                pid = int(f.readline().strip())
        except (OSError, ValueError):
            return
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


class PostgresPrimaryStandby(PostgresServer):
    """A primary and a streaming standby made from it with pg_basebackup, with
    synchronous replication: a commit returns once the standby has the WAL, so
    whatever a client was told is committed survives losing the primary.

        with PostgresPrimaryStandby() as pg:
            pg.conninfo_both          # both hosts, read-write wanted
            pg.stop_primary_hard()    # pg_ctl stop -m immediate
            pg.promote_standby()
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.standby_port = None
        self.standby_datadir = None
        self.standby_logfile = None
        self._standby_started = False

    @property
    def conninfo_both(self):
        return (f"host=127.0.0.1,127.0.0.1 port={self.port},{self.standby_port} "
                f"dbname={self.dbname} user={self.user} target_session_attrs=read-write")

    def _server_options(self):
        # Durable enough to mean something: commits wait for the standby.
        return (f"-c listen_addresses=127.0.0.1 -p {self.port} "
                f"-c unix_socket_directories={self.tmpdir} "
                "-c fsync=off -c full_page_writes=off -c max_connections=100 "
                "-c wal_level=replica -c max_wal_senders=5 -c synchronous_commit=on")

    def start(self):
        super().start()
        self.standby_datadir = os.path.join(self.tmpdir, "standby")
        self.standby_logfile = os.path.join(self.tmpdir, "standby.log")
        # -R: standby.signal and primary_conninfo; -X stream: the WAL too
        self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
                  "-D", self.standby_datadir, "-R", "-X", "stream", "--no-sync",
                  "--checkpoint=fast")
        for attempt in range(5):
            self.standby_port = free_port()
            proc = self._run("pg_ctl", "-D", self.standby_datadir, "-l", self.standby_logfile,
                             "-w", "-t", str(self.start_timeout), "-o",
                             f"-c listen_addresses=127.0.0.1 -p {self.standby_port} "
                             f"-c unix_socket_directories={self.tmpdir} -c hot_standby=on "
                             "-c fsync=off -c cluster_name=standby", "start", check=False,
                             timeout=self.start_timeout + 10)
            if proc.returncode == 0:
                self._standby_started = True
                break
            if attempt == 4:
                raise RuntimeError(f"standby start failed:\n{proc.stdout}{proc.stderr}")
        # Synchronous only now: until the standby exists a commit would wait
        self.psql("ALTER SYSTEM SET synchronous_standby_names = '*'")
        self.psql("SELECT pg_reload_conf()")
        self.wait_streaming()

    def wait_streaming(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.psql("SELECT count(*) FROM pg_stat_replication "
                         "WHERE state = 'streaming' AND sync_state = 'sync'").strip() == "1":
                return
            time.sleep(0.1)
        raise RuntimeError("the standby does not stream synchronously" + self._log_tail())

    def stop_primary_hard(self):
        """The primary's postmaster and backends stop at once, like a crash."""
        self._run("pg_ctl", "-D", self.datadir, "-m", "immediate", "-w", "stop", timeout=40)
        self._started = False

    def promote_standby(self):
        self._run("pg_ctl", "-D", self.standby_datadir, "-w", "-t", "60", "promote",
                  timeout=70)

    def standby_psql(self, sql):
        proc = self._run("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                         "-h", "127.0.0.1", "-p", str(self.standby_port), "-U", self.user,
                         "-d", self.dbname, "-c", sql)
        return proc.stdout

    def stop(self):
        if self._standby_started:
            proc = self._run("pg_ctl", "-D", self.standby_datadir, "-m", "fast", "-w", "-t",
                             "30", "stop", check=False, timeout=40)
            self._standby_started = proc.returncode != 0
        super().stop()
