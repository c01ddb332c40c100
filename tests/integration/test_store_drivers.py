"""The store test suite (tests/unit/test-store) against a real PostgreSQL 15.

The C suite always runs against SQLite; here it also gets a throw-away server
through JMB_TEST_PG_CONNINFO. The build tree comes from $JMB_BUILDDIR (default:
the repository root, for in-tree builds). Run: /usr/bin/python3 -m pytest tests/integration
"""

import os
import pathlib
import socket
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from servers.postgres import PostgresServer  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILDDIR = pathlib.Path(os.environ.get("JMB_BUILDDIR", str(REPO)))
TEST_STORE = BUILDDIR / "tests" / "unit" / "test-store"


@pytest.fixture(scope="module")
def postgres():
    with PostgresServer() as server:
        yield server


def run_store_suite(conninfo):
    if not TEST_STORE.exists():
        pytest.fail(f"{TEST_STORE} is not built: run 'make -C tests/unit test-store' "
                    "in the build tree (or set JMB_BUILDDIR)")
    env = dict(os.environ, JMB_TEST_PG_CONNINFO=conninfo)
    return subprocess.run([str(TEST_STORE)], env=env, capture_output=True, text=True,
                          timeout=600)


def test_store_suite_passes_on_both_drivers(postgres):
    proc = run_store_suite(postgres.conninfo)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    # Both groups ran, and cmocka found no failure in either.
    assert "store on postgresql: not run" not in output, output
    assert output.count("[  PASSED  ]") == 2, output
    assert "FAILED" not in output, output


def test_store_suite_fails_when_postgresql_is_unreachable(postgres):
    # The suite must not pass silently when the database it was given is gone.
    proc = run_store_suite(f"host=127.0.0.1 port={postgres.port} dbname=no_such_database "
                           "user=postgres connect_timeout=5")
    assert proc.returncode != 0, proc.stdout + proc.stderr


def test_server_is_private_and_removed():
    with PostgresServer() as server:
        tmpdir = server.tmpdir
        assert server.psql("SELECT current_database()").strip() == "jmbtest"
        assert server.psql("SHOW listen_addresses").strip() == "127.0.0.1"
        assert server.psql("SHOW server_version_num").strip().startswith("15")
    assert not os.path.exists(tmpdir)


def test_every_migration_is_installed_and_distributed():
    """Builds embed every sql/<driver>/*.sql file (a wildcard); the tarball and
    the installed tree get only those Makefile.am lists: a migration missing
    there would leave `make distcheck` builds without it."""
    makefile = (REPO / "Makefile.am").read_text()
    listed = set(makefile.replace("\\\n", " ").split())
    for sql in sorted(REPO.glob("sql/*/[0-9][0-9][0-9]_*.sql")):
        assert str(sql.relative_to(REPO)) in listed, f"{sql.name} is not in Makefile.am"


def test_serve_postgres_prints_conninfo_and_stops_on_sigterm():
    """run-tests.sh gives the unit store suite its PostgreSQL group through
    servers/serve_postgres.py: one conninfo line, a server that answers, and
    nothing left behind once it is told to stop."""
    script = pathlib.Path(__file__).resolve().parent / "servers" / "serve_postgres.py"
    proc = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        conninfo = proc.stdout.readline().strip()
        assert conninfo.startswith("host=127.0.0.1 port="), conninfo
        suite = run_store_suite(conninfo)
        output = suite.stdout + suite.stderr
        assert suite.returncode == 0, output
        assert output.count("[  PASSED  ]") == 2, output
        proc.terminate()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    port = int(conninfo.split("port=")[1].split()[0])
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "the server still listens"
