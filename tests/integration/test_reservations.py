"""jmb as the reservation backend of Prosody's mod_reservations.

Jitsi's Prosody modules are not packaged in Debian, so these tests drive their
documented HTTP contract exactly as mod_reservations sends it: a form-encoded
POST <prefix>/conference (name, start_time in Java's
yyyy-MM-dd'T'HH:mm:ss.SSSZ, mail_owner), the headers of
reservations_api_headers, a GET /conference/<id> after a 409 and a DELETE when
the room is destroyed; retries after a 5xx repeat the same POST. The answer
must carry id, name (as sent), mail_owner, start_time and a duration that ends
the room room_grace after the meeting's end. The shipped Prosody snippet is
checked by a real Prosody from Debian (prosodyctl check config). Both stores.
jmbd's clock is moved with JMB_TEST_TIME_OFFSET."""
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from conftest import REPO
from jmb_links import book, end_of, jmbd_sharing, pg_database, slot, start_of

TOKEN = "prosody-token-0123456789abcdef"
PROSODY_HEADERS = {"Authorization": f"Bearer {TOKEN}",
                   "User-Agent": "Prosody (0.12.3; posix)",
                   "Content-Type": "application/x-www-form-urlencoded"}


def java_date(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def reserve(d, name, at=None, owner="focus@auth.meet.example.org", headers=PROSODY_HEADERS):
    at = at or datetime.now(timezone.utc)
    return requests.post(f"{d.url}/jitsi/reservations/conference", headers=headers,
                         data={"name": name, "start_time": java_date(at), "mail_owner": owner},
                         timeout=30)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, jmbd_factory):
    """A jmbd answering Prosody, with the default windows, on each store."""
    kwargs = {}
    if request.param == "postgresql":
        kwargs = {"store": "postgresql",
                  "conninfo": pg_database(request.getfixturevalue("postgres"))}
    d = jmbd_factory("backend", start=False, sections={
        "booking": {"link_opens_before": None},
        "jitsi": {"prosody_token": TOKEN}}, **kwargs)
    d.add_user("alice", "alice-password")
    return d.start()


def test_booked_room_inside_its_window(backend):
    m = book(backend, start=slot(hours=0.25), duration=60)  # starts in 15 minutes
    asked = datetime.now(timezone.utc).replace(microsecond=0)
    r = reserve(backend, m["room"], at=asked)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"id", "name", "mail_owner", "start_time", "duration"}
    assert isinstance(body["id"], int)
    assert body["name"] == m["room"]
    assert body["mail_owner"] == "focus@auth.meet.example.org"
    assert body["start_time"] == java_date(asked)
    closes = end_of(m) + timedelta(minutes=10)  # room_grace
    assert body["duration"] == int((closes - asked).total_seconds())
    # Prosody reads it again after a 409, and deletes it when the room is destroyed.
    url = f"{backend.url}/jitsi/reservations/conference/{body['id']}"
    again = requests.get(url, headers=PROSODY_HEADERS, timeout=30)
    assert again.status_code == 200 and again.json() == body
    assert requests.delete(url, headers=PROSODY_HEADERS, timeout=30).status_code == 200
    assert requests.delete(url, headers=PROSODY_HEADERS, timeout=30).status_code == 200
    assert requests.get(url, headers=PROSODY_HEADERS, timeout=30).status_code == 404


def test_retries_get_the_same_reservation(backend):
    """mod_reservations retries a POST after a 5xx or a lost answer: the same
    room keeps one reservation."""
    m = book(backend, start=slot(hours=0.25))
    first, second = reserve(backend, m["room"]).json(), reserve(backend, m["room"]).json()
    assert first["id"] == second["id"]


def test_too_early_says_when(backend):
    m = book(backend, start=slot(hours=48))
    r = reserve(backend, m["room"])
    assert r.status_code == 403
    message = r.json()["message"]
    start = start_of(m)
    assert message.startswith("This room is booked for ")
    assert f"{start:%H:%M}–{end_of(m):%H:%M} (Europe/Paris)" in message, message


def test_window_edges(backend, jmbd_factory):
    """Open from link_opens_before (30 min, the earlier of it and start_early)
    before the start until room_grace (10 min) after the end."""
    m = book(backend, start=slot(hours=3), duration=60)
    sections = {"jitsi": {"prosody_token": TOKEN}}
    cases = [(start_of(m) - timedelta(minutes=31), 403), (start_of(m) - timedelta(minutes=29), 200),
             (end_of(m) + timedelta(minutes=9), 200), (end_of(m) + timedelta(minutes=11), 403)]
    for i, (at, status) in enumerate(cases):
        d = jmbd_sharing(jmbd_factory, backend, f"clock{i}", at=at, sections=sections)
        r = reserve(d, m["room"], at=at)
        assert r.status_code == status, (at, r.text)
        if status == 200:
            assert r.json()["duration"] == int((end_of(m) + timedelta(minutes=10) - at)
                                               .total_seconds())
    assert reserve(d, m["room"]).json()["message"] == "This meeting is over."


def test_rooms_that_are_not_booked(backend, jmbd_factory):
    r = reserve(backend, "nobody-booked-this")
    assert r.status_code == 403
    assert r.json() == {"message": "This room is not booked."}
    # A user's private room once they have logged in (a users row), for open_room_hours.
    assert reserve(backend, "alice").status_code == 403
    backend.session("alice", "alice-password")
    r = reserve(backend, "alice")
    assert r.status_code == 200, r.text
    assert r.json()["duration"] == 12 * 3600
    # A deleted meeting's room is no longer booked.
    m = book(backend, start=slot(hours=0.25))
    from jmb_links import delete
    delete(backend, m)
    assert reserve(backend, m["room"]).json()["message"] == "This room is not booked."
    adhoc = jmbd_sharing(jmbd_factory, backend, "adhoc",
                         sections={"jitsi": {"prosody_token": TOKEN, "allow_adhoc_rooms": "yes"}})
    assert reserve(adhoc, "anything-goes").status_code == 200


def test_default_language_message(backend, jmbd_factory):
    m = book(backend, start=slot(hours=48))
    fr = jmbd_sharing(jmbd_factory, backend, "fr", sections={
        "server": {"default_language": "fr"}, "jitsi": {"prosody_token": TOKEN}})
    message = reserve(fr, m["room"]).json()["message"]
    assert message.startswith("Cette salle est réservée pour le "), message


def test_tenant_names(jmbd_factory):
    d = jmbd_factory("tenant", start=False, sections={
        "jitsi": {"prosody_token": TOKEN, "tenant": "univ"}})
    d.add_user("alice", "alice-password")
    d.start()
    m = book(d, start=slot(hours=0.25))
    r = reserve(d, f"[univ]{m['room']}")
    assert r.status_code == 200, r.text
    assert r.json()["name"] == f"[univ]{m['room']}"
    assert reserve(d, f"[other]{m['room']}").status_code == 403


def test_token_is_required(backend, jmbd):
    m = book(backend, start=slot(hours=0.25))
    url = f"{backend.url}/jitsi/reservations/conference"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                    {"Authorization": f"Bearer {TOKEN}x"}):
        r = reserve(backend, m["room"], headers=headers)
        assert r.status_code == 401, headers
        assert requests.delete(url + "/1", headers=headers, timeout=30).status_code == 401
        assert requests.get(url + "/1", headers=headers, timeout=30).status_code == 401
    # No session, no CSRF token: a bearer token is all Prosody has.
    assert reserve(backend, m["room"]).status_code == 200
    # Without [jitsi] prosody_token the endpoints do not exist.
    assert reserve(jmbd, m["room"]).status_code == 404


@pytest.mark.parametrize("data", [
    {},
    {"name": "room"},
    {"name": "room", "start_time": "yesterday"},
    {"name": "x" * 300, "start_time": "2030-01-01T00:00:00.000Z"},
    {"name": "room", "start_time": "2030-01-01T00:00:00.000Z", "mail_owner": "m" * 400},
])
def test_malformed_requests(backend, data):
    r = requests.post(f"{backend.url}/jitsi/reservations/conference", headers=PROSODY_HEADERS,
                      data=data, timeout=30)
    assert r.status_code == 400
    assert "message" in r.json()


def test_hostile_names_and_ids(backend):
    for name in ("../etc", "Room With Spaces", "[univ", "r\u00f6\u00f6m", "a" * 65):
        r = reserve(backend, name)
        assert r.status_code == 403, name
    r = requests.post(f"{backend.url}/jitsi/reservations/conference", headers=PROSODY_HEADERS,
                      data=b"name=%FF%FE&start_time=x", timeout=30)
    assert r.status_code == 400
    r = requests.post(f"{backend.url}/jitsi/reservations/conference", headers=PROSODY_HEADERS,
                      data="name=" + "a" * 200000, timeout=60)
    assert r.status_code == 413
    for rid in ("abc", "-1", "0", "99999999999999999999", "1;DROP TABLE reservations"):
        url = f"{backend.url}/jitsi/reservations/conference/{rid}"
        assert requests.get(url, headers=PROSODY_HEADERS, timeout=30).status_code == 404
        assert requests.delete(url, headers=PROSODY_HEADERS, timeout=30).status_code == 200


def test_shipped_prosody_snippet_passes_prosodyctl(tmp_path):
    """The lines of etc/prosody-jmb.cfg.lua go inside the Jitsi VirtualHost,
    etc/prosody-jmb-events.cfg.lua (the event_sync component) after it; a
    real Prosody checks them in place."""
    (tmp_path / "data").mkdir()
    (tmp_path / "certs").mkdir()
    config = tmp_path / "prosody.cfg.lua"
    config.write_text(f"""
pidfile = "{tmp_path}/prosody.pid"
data_path = "{tmp_path}/data"
certificates = "{tmp_path}/certs"
run_as_root = true
log = {{ error = "{tmp_path}/prosody.log" }}
modules_disabled = {{ "s2s" }}
c2s_require_encryption = false
s2s_require_encryption = false

VirtualHost "meet.example.org"
    authentication = "anonymous"
Include "{REPO / 'etc' / 'prosody-jmb.cfg.lua'}"

Component "conference.meet.example.org" "muc"
Include "{REPO / 'etc' / 'prosody-jmb-events.cfg.lua'}"
""")
    r = subprocess.run(["prosodyctl", "--config", str(config), "check", "config"],
                       capture_output=True, text=True, timeout=60,
                       env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "prosody-jmb.cfg.lua" in r.stdout and "prosody-jmb-events.cfg.lua" in r.stdout
    snippet = Path(REPO / "etc" / "prosody-jmb.cfg.lua").read_text()
    assert 'reservations_api_prefix = "https://booking.example.org/jitsi/reservations"' in snippet
