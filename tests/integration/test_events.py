"""Live occupancy and attendance from Prosody's event_sync component.

The component (jitsi-contrib/prosody-plugins, event_sync) is not packaged in
Debian: these tests send exactly what its README documents it POSTs to
<api_prefix>/events/{room/created, room/destroyed, occupant/joined,
occupant/left} (JSON; breakout rooms name the main room in room_name and
themselves in breakout_room_id; all_occupants on destruction), with the
bearer token of api_headers. Prosody retries after a 5xx, so events can come
twice, late or out of order: the result must not depend on it. Both stores."""
import csv
import io
import itertools
import random
import time

import pytest
import requests

from jmb_links import bearer, book, pg_database, read_config, slot, view

TOKEN = "prosody-token-0123456789abcdef"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "User-Agent": "Prosody (0.12.3; posix)"}
EXT = "ext.mod@partner.example"


def post(d, kind, body, headers=HEADERS):
    return requests.post(f"{d.url}/jitsi/events/{kind}", json=body, headers=headers, timeout=30)


def occupant(jid, joined, left=None, user=None, email=None, name="Someone"):
    o = {"occupant_jid": jid, "joined_at": joined, "name": name}
    if user is not None:
        o.update(id=user, email=email or user)
    if left is not None:
        o["left_at"] = left
    return o


def event(room, kind, occ=None, breakout=None, **extra):
    body = {"event_name": f"muc-{kind.replace('/', '-')}", "room_name": room,
            "room_jid": f"{room}@conference.meet.example.org", "is_breakout": breakout is not None,
            **extra}
    if breakout is not None:
        body["breakout_room_id"] = breakout
    if occ is not None:
        body["occupant"] = occ
    return body


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, jmbd_factory):
    kwargs = {}
    if request.param == "postgresql":
        kwargs = {"store": "postgresql",
                  "conninfo": pg_database(request.getfixturevalue("postgres"))}
    d = jmbd_factory("events", start=False, sections={
        "jitsi": {"prosody_token": TOKEN}, "metrics": {"allow": "127.0.0.1"}}, **kwargs)
    d.add_user("alice", "alice-password")
    return d.start()


def meeting(d):
    return book(d, start=slot(hours=0.25), duration=60, moderators=[EXT],
                guests=["guest@outside.example"])


def metric(d, name):
    for line in requests.get(d.url + "/metrics", timeout=30).text.splitlines():
        if line.startswith(name + " "):
            return int(float(line.split()[1]))
    return None


def test_live_state_in_api_page_and_metrics(site):
    m = meeting(site)
    now = int(time.time())
    assert view(site, m)["live"] is None
    assert post(site, "room/created", event(m["room"], "room/created", created_at=now)).status_code == 200
    for i, jid in enumerate(("alice@meet/a", "ext@meet/b", "anon1@guest/c")):
        r = post(site, "occupant/joined", event(m["room"], "occupant/joined",
                                                occupant(jid, now - 60 + i), active_occupants_count=i + 1))
        assert r.status_code == 200, r.text
    live = view(site, m)["live"]
    assert live["participants"] == 3
    assert live["since"].startswith(time.strftime("%Y-%m-%d"))
    page = site.session("alice", "alice-password").get(f"{site.url}/meetings/{m['id']}").text
    assert "In progress · 3 participants since" in page
    assert metric(site, "jmb_live_rooms") == 1 and metric(site, "jmb_live_participants") == 3
    # One goes to a breakout room: still three in the meeting.
    post(site, "occupant/left", event(m["room"], "occupant/left", occupant("ext@meet/b", now - 59, now)))
    post(site, "occupant/joined", event(m["room"], "occupant/joined", occupant("ext@meet/b", now + 1),
                                        breakout="br-1"))
    assert view(site, m)["live"]["participants"] == 3
    post(site, "room/destroyed", event(m["room"], "room/destroyed", breakout="br-1",
                                       created_at=now + 1, destroyed_at=now + 5, all_occupants=[]))
    assert view(site, m)["live"]["participants"] == 2
    post(site, "room/destroyed", event(m["room"], "room/destroyed", created_at=now,
                                       destroyed_at=now + 6, all_occupants=[]))
    assert view(site, m)["live"] is None
    assert metric(site, "jmb_live_participants") == 0


def scenario(room, t0):
    """The events of one meeting: the organiser (two devices, overlapping),
    the external moderator (joins twice), an anonymous guest; then the end."""
    alice = dict(user="alice", email="alice@example.org")
    ext = dict(user=EXT)
    return [
        ("occupant/joined", event(room, "occupant/joined", occupant("alice@m/1", t0, **alice))),
        ("occupant/joined", event(room, "occupant/joined", occupant("alice@m/2", t0 + 600, **alice))),
        ("occupant/left", event(room, "occupant/left", occupant("alice@m/1", t0, t0 + 1200, **alice))),
        ("occupant/joined", event(room, "occupant/joined", occupant("x@m/e", t0 + 60, **ext))),
        ("occupant/left", event(room, "occupant/left", occupant("x@m/e", t0 + 60, t0 + 360, **ext))),
        ("occupant/joined", event(room, "occupant/joined", occupant("x@m/f", t0 + 900, **ext))),
        ("occupant/joined", event(room, "occupant/joined", occupant("anon@guest/g", t0 + 30))),
        ("room/destroyed", event(room, "room/destroyed", created_at=t0, destroyed_at=t0 + 1800,
                                 all_occupants=[occupant("alice@m/2", t0 + 600, t0 + 1500, **alice)])),
    ]


def attendance(d, m):
    r = bearer(d, "alice").get(f"{d.url}/api/v1/meetings/{m['id']}/attendance")
    assert r.status_code == 200, r.text
    return r.json()


def test_duplicates_and_order_do_not_matter(site):
    """The same events in order, shuffled, and with every event sent twice give
    the same attendance."""
    t0 = int(time.time()) - 1800
    results = []
    for order in ("in order", "shuffled", "twice"):
        m = meeting(site)
        events = scenario(m["room"], t0)
        if order == "shuffled":
            random.Random(7).shuffle(events)
        if order == "twice":
            events = list(itertools.chain.from_iterable((e, e) for e in events))
        for kind, body in events:
            assert post(site, kind, body).status_code == 200
        results.append(attendance(site, m))
    assert results[0] == results[1] == results[2]
    by_mail = {a["mail"]: a for a in results[0]["attendance"]}
    organiser = by_mail["alice@example.org"]
    assert organiser["attended"] and organiser["seconds_present"] == 1500  # t0..t0+1500, merged
    moderator = by_mail[EXT]
    assert moderator["seconds_present"] == 300 + 900  # 60..360 and 900..1800 (room's end)
    assert moderator["present"] is False
    guest = by_mail["guest@outside.example"]
    assert guest["attended"] is False and guest["first_join"] is None
    assert guest["status"] == "needs-action"
    assert results[0]["unknown_participants"] == 1


def test_attendance_page_and_csv(site):
    m = meeting(site)
    t0 = int(time.time()) - 1800
    for kind, body in scenario(m["room"], t0):
        post(site, kind, body)
    s = site.session("alice", "alice-password")
    page = s.get(f"{site.url}/meetings/{m['id']}").text
    assert "1 more people came without a personal link." in page
    assert "Download the attendance (CSV)" in page
    r = s.get(f"{site.url}/meetings/{m['id']}/attendance.csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["mail"] for row in rows[:3]] == ["alice@example.org", EXT, "guest@outside.example"]
    assert rows[1]["minutes_present"] == "20" and rows[2]["attended"] == "no"
    assert rows[-1]["role"] == "unknown" and rows[-1]["attended"] == "1"
    # Only the organiser sees it (403 for anyone else, as for editing).
    site.add_user("bob", "bob-password")
    bob = site.session("bob", "bob-password")
    assert bob.get(f"{site.url}/meetings/{m['id']}/attendance.csv").status_code == 403
    assert bearer(site, "bob").get(
        f"{site.url}/api/v1/meetings/{m['id']}/attendance").status_code == 403


def test_purge_follows_attendance_days(site):
    m = meeting(site)
    t0 = int(time.time()) - 3 * 86400
    post(site, "occupant/joined", event(m["room"], "occupant/joined",
                                        occupant("x@m/e", t0, t0 + 60, user=EXT)))
    assert attendance(site, m)["attendance"][1]["attended"] is True
    assert "0 room presences" in site.jmbctl("purge").stdout  # 30 days by default
    conf = read_config(site)
    conf["privacy"] = {"attendance_days": "2"}
    site.write_config(conf)
    out = site.jmbctl("purge").stdout
    assert "1 room presences older than [privacy] attendance_days deleted" in out
    assert attendance(site, m)["attendance"][1]["attended"] is False


def test_token_and_hostile_bodies(site, jmbd):
    m = meeting(site)
    now = int(time.time())
    good = event(m["room"], "occupant/joined", occupant("a@m/1", now))
    assert post(site, "occupant/joined", good, headers={}).status_code == 401
    assert post(site, "occupant/joined", good, headers={"Authorization": "Bearer x"}).status_code == 401
    assert post(jmbd, "occupant/joined", good).status_code == 404  # no prosody_token
    assert post(site, "occupant/exploded", good).status_code == 404
    bad = [
        {"room_name": m["room"]},                                    # no occupant
        event("Not A Room!", "occupant/joined", occupant("a@m/1", now)),
        event(m["room"], "occupant/joined", occupant("", now)),
        event(m["room"], "occupant/joined", occupant("a@m/1", "yesterday")),
        event(m["room"], "occupant/joined", occupant("a@m/1", 253402300799)),
        event(m["room"], "occupant/left", occupant("a@m/1", now, now - 10)),
        event(m["room"], "occupant/joined", {**occupant("a@m/1", now), "id": 42}),
        event(m["room"], "occupant/joined", occupant("a@m/1", now), breakout=""),
        event(m["room"], "room/destroyed", all_occupants=[]),
        event(m["room"], "room/destroyed", destroyed_at=now, all_occupants="many"),
    ]
    for body in bad:
        kind = "room/destroyed" if "destroyed" in body.get("event_name", "") else (
            "occupant/left" if "left" in body.get("event_name", "") else "occupant/joined")
        r = post(site, kind, body)
        assert r.status_code == 400, (body, r.text)
        assert "message" in r.json()
    r = requests.post(f"{site.url}/jitsi/events/occupant/joined", data=b"{not json",
                      headers=HEADERS, timeout=30)
    assert r.status_code == 400
    huge = event(m["room"], "room/destroyed", destroyed_at=now,
                 all_occupants=[occupant(f"u{i}@g/x", now - 5, now) for i in range(5001)])
    r = post(site, "room/destroyed", huge)
    assert r.status_code in (413,), r.text
    # Nothing of the refused events was stored.
    assert view(site, m)["live"] is None
    assert attendance(site, m)["unknown_participants"] == 0
    # Rooms that are no meeting's are recorded for the gauges, not refused.
    assert post(site, "occupant/joined",
                event("someones-room", "occupant/joined", occupant("z@m/1", now))).status_code == 200
