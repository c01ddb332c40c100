"""jmbctl backup: a consistent copy of a live SQLite store, taken while jmbd
books, that restores into a working jmbd holding every booking acknowledged
before the backup began."""

import os
import sqlite3
import subprocess
import time

import pytest

from conftest import JMBCTL
from helpers import ClientThreads, api, api_token, rfc3339


def book(s, d, title):
    r = s.post(d.url + "/api/v1/meetings",
               json={"title": title, "start": rfc3339(days=5), "duration": 60,
                     "guests": ["guest@example.org"]})
    assert r.status_code == 201, r.text
    return r.json()["id"]


class Writers(ClientThreads):
    """Bookings made as fast as two clients can, each recorded with the moment
    its 201 arrived."""

    def __init__(self, d, token, clients=2):
        self.d, self.token = d, token
        self.acked = []  # (monotonic time of the 201, id)
        self.errors = []
        super().__init__([(self.run, (i,)) for i in range(clients)])

    def run(self, n):
        s = api(self.d, self.token)
        i = 0
        while not self.stop.is_set():
            try:
                mid = book(s, self.d, f"load {n}-{i}")
                self.acked.append((time.monotonic(), mid))
            except Exception as e:  # noqa: BLE001 - recorded and asserted on
                self.errors.append(repr(e))
            i += 1


def test_backup_under_write_load_restores_every_acknowledged_booking(jmbd, jmbd_factory,
                                                                     tmp_path):
    token = api_token(jmbd, "alice")
    target = tmp_path / "backups" / "jmb.db"
    target.parent.mkdir()
    with Writers(jmbd, token) as w:
        while len(w.acked) < 60:
            time.sleep(0.02)
        started = time.monotonic()
        p = jmbd.jmbctl("backup", str(target), check=False)
        finished = time.monotonic()
        while len(w.acked) < 60 + 20 and time.monotonic() - finished < 20:
            time.sleep(0.02)  # bookings go on after the backup too
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == f"{target}: backup of {jmbd.dir / 'jmb.db'}"
    assert not w.errors, w.errors[:3]
    before = {mid for t, mid in w.acked if t < started}
    after = {mid for t, mid in w.acked if t > finished}
    assert before and after

    db = sqlite3.connect(target)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copied = {row[0] for row in db.execute("SELECT id FROM meetings")}
    db.close()
    assert before <= copied
    assert not after & copied  # the copy is the store as the backup began
    assert not list(target.parent.glob("*.tmp.*"))

    # restored: a jmbd on the copy serves the bookings, with their invitees
    restored = jmbd_factory("restored", start=False, sections={"store": {"path": str(target)}})
    restored.add_user("alice", "alice-password")
    restored.start()
    s = api(restored, api_token(restored, "alice"))
    for mid in sorted(before)[:5]:
        r = s.get(f"{restored.url}/api/v1/meetings/{mid}")
        assert r.status_code == 200, r.text
        assert [a["mail"] for a in r.json()["attendees"]] == ["guest@example.org"]


def test_backup_replaces_a_previous_one_whole(jmbd, tmp_path):
    target = tmp_path / "jmb-backup.db"
    target.write_text("yesterday's backup")
    assert jmbd.jmbctl("backup", str(target)).returncode == 0
    db = sqlite3.connect(target)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    db.close()


def test_backup_refusals_are_clear_and_leave_nothing(jmbd, tmp_path):
    p = jmbd.jmbctl("backup", check=False)
    assert (p.returncode, p.stderr) == (2, "Usage: jmbctl backup FILE\n")
    p = jmbd.jmbctl("backup", str(tmp_path / "no-such-dir" / "x.db"), check=False)
    assert p.returncode == 73, p.stderr  # EX_CANTCREAT
    assert "cannot create" in p.stderr and "no-such-dir" in p.stderr
    (tmp_path / "no-store.conf").write_text(jmbd.config.read_text().replace(
        str(jmbd.dir / "jmb.db"), str(tmp_path / "missing" / "jmb.db")))
    p = subprocess.run([str(JMBCTL), "--config", str(tmp_path / "no-store.conf"), "backup",
                        str(tmp_path / "x.db")], capture_output=True, text=True)
    assert p.returncode == 66, p.stderr  # EX_NOINPUT
    assert "cannot open the store" in p.stderr
    assert not list(tmp_path.glob("x.db*"))


def test_backup_of_a_postgresql_store_points_to_pg_dump(jmbd_factory, postgres):
    d = jmbd_factory(start=False, store="postgresql", conninfo=postgres.conninfo)
    p = d.jmbctl("backup", "/tmp/never-written.db", check=False)
    assert p.returncode == 2
    assert "pg_dump" in p.stderr
    assert not os.path.exists("/tmp/never-written.db")
