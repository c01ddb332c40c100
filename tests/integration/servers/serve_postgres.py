#!/usr/bin/python3
"""Starts a throw-away PostgreSQL (servers/postgres.py), prints its conninfo on
one line, and keeps it up until stdin closes or SIGTERM/SIGINT comes; then
stops it and removes its files.

For shells that want a server for a while, e.g. run-tests.sh giving the unit
store suite its PostgreSQL group:

    coproc PG { tests/integration/servers/serve_postgres.py; }
    read -r conninfo <&"${PG[0]}"
"""

import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from servers.postgres import PostgresServer  # noqa: E402


def main():
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    # stdin closing (the parent went away) stops the server as well.
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    with PostgresServer() as server:
        print(server.conninfo, flush=True)
        while not stop.wait(1):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
