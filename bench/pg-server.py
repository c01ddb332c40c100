#!/usr/bin/python3
"""A throw-away PostgreSQL server for bench/run.sh --postgresql, started exactly
like the integration tests' (tests/integration/servers/postgres.py): initdb on
a temp directory, loopback only, fsync off. Writes its conninfo to the file
given as argument (then its version and data directory, one a line), serves
until SIGTERM/SIGINT and removes everything.

Usage: pg-server.py CONNINFO_FILE
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from servers.postgres import PostgresServer  # noqa: E402


def main():
    out = sys.argv[1]
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    with PostgresServer(dbname="jmbbench") as pg:
        version = pg.psql("SHOW server_version").strip()
        tmp = out + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{pg.conninfo}\n{version}\n{pg.datadir}\n")
        os.rename(tmp, out)
        while not stop:
            time.sleep(0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
