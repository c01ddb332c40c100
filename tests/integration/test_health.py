"""jmbd starts, answers /healthz, and stops cleanly on SIGTERM."""
import signal

import requests


def test_healthz_ok(jmbd):
    r = requests.get(jmbd.url + "/healthz")
    assert r.status_code == 200
    assert r.text == "ok\n"


def test_sigterm_exits_zero(jmbd):
    assert jmbd.stop(signal.SIGTERM) == 0
    assert "event=stopped" in jmbd.log()
