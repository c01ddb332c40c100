"""`jmbctl import-legacy` and the legacy addresses, end to end. A jitsi-jmb
database is built with the sqlite3 tool in the legacy schema (meetings with
durations in seconds, attendees with roles owner/moderator/guest, personal
hashes, join counts and partstat 0/1/2, mail_reminder, xmpp_reminder, ical
feed hashes by login, private rooms). The import, into SQLite and into
PostgreSQL, reports what it imported and skipped, is idempotent (a second run
imports nothing and gives back no revoked feed address), and refuses files
that are not such a database (plain text, an empty SQLite file, other tables,
missing columns) with a clear message and exit status 1, storing nothing.
Then the links already sent keep working through jmbd: /join.cgi?id=H → 301
/j/H → the room (join count kept and counted on), /invitation.cgi?accept&id=H
→ the invitation page (the answer unchanged), /ical.cgi?H → the feed with the
imported meetings and the statuses kept (owners known by the local users file
or by --map), /token.cgi?room=R → /start/R, /booking.cgi → /meetings and
/close.cgi → /close."""
import json
import re
import subprocess
import time
from datetime import datetime, timedelta

import jwt
import pytest
import requests

from ical_parsers import by_uid, parse_both
from jmb_links import (PARIS, UTC, attendee, bearer, get, jmbd_sharing, location, page_text,
                       pg_database, room_redirect)

SCHEMA = """
CREATE TABLE meetings (
  meeting_id INTEGER PRIMARY KEY, meeting_name TEXT NOT NULL, meeting_object TEXT NOT NULL,
  meeting_begin INTEGER NOT NULL, meeting_duration INTEGER NOT NULL,
  meeting_end INTEGER NOT NULL, meeting_create INTEGER NOT NULL);
CREATE TABLE attendees (
  attendee_id INTEGER PRIMARY KEY AUTOINCREMENT, attendee_meeting_id INTEGER,
  attendee_meeting_hash TEXT, attendee_role TEXT NOT NULL, attendee_email TEXT NOT NULL,
  attendee_count INTEGER DEFAULT 0, attendee_partstat INTEGER DEFAULT 0);
CREATE TABLE mail_reminder (
  mail_reminder_id INTEGER PRIMARY KEY AUTOINCREMENT, mail_reminder_meeting_id INTEGER NOT NULL,
  mail_reminder_date INTEGER NOT NULL, mail_reminder_done BOOLEAN);
CREATE TABLE xmpp_reminder (
  xmpp_reminder_id INTEGER PRIMARY KEY AUTOINCREMENT, xmpp_reminder_meeting_id INTEGER NOT NULL,
  xmpp_reminder_date INTEGER NOT NULL, xmpp_reminder_done BOOLEAN);
CREATE TABLE ical (
  ical_id INTEGER PRIMARY KEY AUTOINCREMENT, ical_owner TEXT NOT NULL, ical_hash TEXT NOT NULL);
CREATE TABLE private (
  private_id INTEGER PRIMARY KEY AUTOINCREMENT, private_room TEXT NOT NULL,
  private_date INTEGER NOT NULL, private_count INTEGER DEFAULT 0);
CREATE TRIGGER delete_meeting AFTER DELETE ON meetings BEGIN
  DELETE FROM attendees WHERE attendee_meeting_id = old.meeting_id;
  DELETE FROM mail_reminder WHERE mail_reminder_meeting_id = old.meeting_id;
  DELETE FROM xmpp_reminder WHERE xmpp_reminder_meeting_id = old.meeting_id;
END;
"""

# Legacy hashes were `pwgen -s -0 16 1`: 16 letters, both cases.
H = {"owner": "OwnrHashAbcdEfgh", "carol": "CarolModQwErTyUi", "ext": "ExtModZxCvBnMaSd",
     "bob": "BobGuestPoIuYtRe", "out": "OutGuestLkJhGfDs", "x": "XGuestMnBvCxZaQw",
     "bad": "BadMailGuestAbCd", "dup_bob": "BobNewsBobNewsBn", "dupont_bob": "DupBobQaWsEdRfTg",
     "past_bob": "PastBobYhNuJmIkO", "orphan": "OrphanGuestHashX"}
FEED = {"alice": "AliceFeedHashXyzW", "jdupont": "DupontFeedHashQrS"}
ROOMS = {"a": "k3v9x2m4q8w7e5r1", "b": "legacyroomdupont", "past": "p4st9x2m4q8w7e5r",
         "orphan": "orphanroom000001", "zero": "zeroduration0001"}
IDS = {"a": 1794000000123456789, "b": 1794000000223456789, "past": 1794000000323456789,
       "orphan": 1794000000423456789, "zero": 1794000000523456789}


def minute(t):
    return int(t) // 60 * 60


def sql_text(v):
    return "NULL" if v is None else ("'" + str(v).replace("'", "''") + "'")


def legacy_rows(now):
    """The legacy data: SQL inserts, and the facts tests check against."""
    a_begin = minute(now + 2 * 86400)
    b_begin = minute(now + 3 * 86400)
    past_begin = minute(now - 2 * 86400)
    meetings = [  # key, title, begin, duration (s)
        ("a", "Conseil de département", a_begin, 5400),
        ("b", "Réunion Dupont", b_begin, 3600),
        ("past", "Past one", past_begin, 1800),
        ("orphan", "No owner row", a_begin, 3600),
        ("zero", "Zero duration", a_begin, 0),
    ]
    attendees = [  # meeting, hash, role, mail, count, partstat
        ("a", H["owner"], "owner", "alice@example.org", 0, 1),
        ("a", H["carol"], "moderator", "carol@example.org", 1, 0),
        ("a", H["ext"], "moderator", "Ext.Mod@Partner.example", 2, 1),
        ("a", H["bob"], "guest", "bob@example.org", 3, 1),
        ("a", H["out"], "guest", "Guest@Outside.example", 0, 2),
        ("a", H["x"], "guest", "x@y.org", 0, 0),
        ("a", H["bad"], "guest", "not an address", 0, 0),
        ("a", H["dup_bob"], "guest", "BOB@example.org", 0, 0),
        ("b", "", "owner", "jean.dupont@univ.example", 0, 1),
        ("b", H["dupont_bob"], "guest", "bob@example.org", 0, 0),
        ("past", None, "owner", "alice@example.org", 0, 1),
        ("past", H["past_bob"], "guest", "bob@example.org", 1, 1),
        ("orphan", H["orphan"], "guest", "bob@example.org", 0, 0),
        ("zero", None, "owner", "alice@example.org", 0, 1),
    ]
    sql = [SCHEMA]
    for key, title, begin, duration in meetings:
        sql.append("INSERT INTO meetings VALUES (%d, %s, %s, %d, %d, %d, %d);" % (
            IDS[key], sql_text(ROOMS[key]), sql_text(title), begin, duration,
            begin + duration, minute(now - 5 * 86400)))
        for offset in (-10080, -1440, -60, -10):
            sql.append(f"INSERT INTO mail_reminder (mail_reminder_meeting_id, mail_reminder_date,"
                       f" mail_reminder_done) VALUES ({IDS[key]}, {begin + offset * 60}, 0);")
        sql.append(f"INSERT INTO xmpp_reminder (xmpp_reminder_meeting_id, xmpp_reminder_date,"
                   f" xmpp_reminder_done) VALUES ({IDS[key]}, {begin + duration - 900}, 0);")
    for key, hash_, role, mail, count, partstat in attendees:
        sql.append("INSERT INTO attendees (attendee_meeting_id, attendee_meeting_hash, "
                   "attendee_role, attendee_email, attendee_count, attendee_partstat) "
                   f"VALUES ({IDS[key]}, {sql_text(hash_)}, {sql_text(role)}, {sql_text(mail)},"
                   f" {count}, {partstat});")
    for login, hash_ in (("alice", FEED["alice"]), ("jdupont", FEED["jdupont"]), ("", "")):
        sql.append(f"INSERT INTO ical (ical_owner, ical_hash) VALUES ({sql_text(login)},"
                   f" {sql_text(hash_)});")
    sql.append(f"INSERT INTO private (private_room, private_date, private_count) "
               f"VALUES ('alice', {minute(now - 86400)}, 12);")
    return "\n".join(sql), {"a_begin": a_begin, "b_begin": b_begin, "past_begin": past_begin}


def sqlite3(path, sql):
    subprocess.run(["sqlite3", "-bail", str(path)], input=sql, text=True, check=True,
                   capture_output=True, timeout=30)


@pytest.fixture
def legacy_db(tmp_path):
    """(path of a legacy jitsi-jmb database made by the sqlite3 tool, facts)."""
    path = tmp_path / "jitsi-jmb.db"
    sql, facts = legacy_rows(time.time())
    sqlite3(path, sql)
    return path, facts


@pytest.fixture
def map_file(tmp_path):
    path = tmp_path / "logins"
    path.write_text("# login mail\njdupont jean.dupont@univ.example\n")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, jmbd_factory):
    """A jmbd on either store with local users alice, bob and carol."""
    kwargs = {}
    if request.param == "postgresql":
        kwargs = {"store": "postgresql",
                  "conninfo": pg_database(request.getfixturevalue("postgres"))}
    d = jmbd_factory(start=False, **kwargs)
    for user in ("alice", "bob", "carol"):
        d.add_user(user, f"{user}-password")
    return d.start()


def import_legacy(d, *args, check=True):
    r = d.jmbctl("import-legacy", *map(str, args), check=False)
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


def report(r):
    """{line kind: (imported, skipped)} read from the import's report."""
    out = {}
    for kind in ("meetings", "invitees", "feeds"):
        m = re.search(rf"^{kind}: (\d+) imported.*?(\d+) skipped", r.stdout, re.M)
        assert m, r.stdout
        out[kind] = (int(m.group(1)), int(m.group(2)))
    return out


def stored(d):
    return json.loads(d.jmbctl("meetings", "list", "--all", "--json").stdout)["meetings"]


def imported(d, key, login="alice"):
    [m] = [m for m in bearer(d, login).get(d.url + "/api/v1/meetings").json()["meetings"]
           if m["room"] == ROOMS[key]]
    return m


# -- the import itself -----------------------------------------------------------------

def test_import_reports_and_is_idempotent(site, legacy_db, map_file):
    path, facts = legacy_db
    r = import_legacy(site, "--map", map_file, path)
    assert report(r) == {"meetings": (3, 2),   # orphan (no owner) and zero duration skipped
                         "invitees": (7, 2),   # a bad address and a duplicate of bob
                         "feeds": (2, 1)}      # one ical row without login nor hash
    assert "reminders: recomputed" in r.stdout
    assert "private room counters: 1 not imported" in r.stdout
    assert "owner links: 1 not imported" in r.stdout
    assert sorted(m["room"] for m in stored(site)) == sorted(
        [ROOMS["a"], ROOMS["b"], ROOMS["past"]])

    again = import_legacy(site, "--map", map_file, path)
    counts = report(again)
    assert counts["meetings"] == (0, 5) and counts["invitees"][0] == 0
    assert counts["feeds"][0] == 0, "a second run must import nothing: " + again.stdout
    assert len(stored(site)) == 3


def test_feeds_of_logins_without_an_address_are_reported(site, legacy_db, map_file):
    """Without --map nothing tells jdupont's login from his address: his feed is
    kept (it fills once he logs in) and the import says why it is empty now."""
    path, _ = legacy_db
    r = import_legacy(site, path)
    assert report(r)["feeds"] == (2, 1)
    assert "feed of jdupont: no address known" in r.stderr, r.stderr
    assert "feed of alice" not in r.stderr  # alice's address comes from the users file
    feed = requests.get(f"{site.url}/ical.cgi?{FEED['jdupont']}", timeout=30)
    assert feed.status_code == 200 and "BEGIN:VEVENT" not in feed.text
    r = import_legacy(site, "--map", map_file, path)
    assert report(r)["feeds"] == (0, 3) and r.stderr == ""


def test_imported_meetings_keep_their_data(site, legacy_db, map_file):
    path, facts = legacy_db
    import_legacy(site, "--map", map_file, path)
    m = imported(site, "a")
    assert m["title"] == "Conseil de département"
    assert datetime.fromisoformat(m["start"]) == datetime.fromtimestamp(facts["a_begin"], UTC)
    assert m["duration"] == 90 and m["timezone"] == "Europe/Paris"
    assert datetime.fromisoformat(m["start"]).utcoffset() == \
        datetime.fromtimestamp(facts["a_begin"], PARIS).utcoffset()
    assert m["owner"]["mail"] == "alice@example.org"
    got = {a["mail"]: (a["role"], a["status"], a["joins"], a["link"].rsplit("/j/", 1)[1])
           for a in m["attendees"]}
    assert got == {
        "carol@example.org": ("moderator", "needs-action", 1, H["carol"]),
        "ext.mod@partner.example": ("moderator", "accepted", 2, H["ext"]),
        "bob@example.org": ("guest", "accepted", 3, H["bob"]),
        "guest@outside.example": ("guest", "declined", 0, H["out"]),
        "x@y.org": ("guest", "needs-action", 0, H["x"])}
    # alice owns it in the UI too: listed, and hers to edit.
    alice = site.session("alice", "alice-password")
    assert "Conseil de département" in page_text(alice.get(site.url + "/meetings").text)
    r = bearer(site, "alice").patch(f"{site.url}/api/v1/meetings/{m['id']}",
                                    json={"title": "Conseil (moved)"})
    assert r.status_code == 200, r.text
    assert attendee(r.json(), "bob@example.org")["link"].endswith("/j/" + H["bob"])
    # bob sees the meeting he was invited to, with his answer.
    bob = bearer(site, "bob").get(site.url + "/api/v1/meetings").json()["meetings"]
    assert sorted(x["room"] for x in bob) == sorted([ROOMS["a"], ROOMS["b"]])
    # jdupont (known by --map) owns his meeting.
    dupont = [x for x in stored(site) if x["room"] == ROOMS["b"]][0]
    assert dupont["owner"]["login"] == "jdupont"
    assert dupont["owner"]["mail"] == "jean.dupont@univ.example"


@pytest.mark.parametrize("kind", ["text", "empty", "other-tables", "missing-columns",
                                  "missing-file", "directory"])
def test_refuses_what_is_not_a_legacy_database(site, tmp_path, kind):
    path = tmp_path / f"{kind}.db"
    if kind == "text":
        path.write_text("meeting_id,meeting_name\n1,abc\n")
    elif kind == "empty":
        sqlite3(path, "CREATE TABLE t (x); DROP TABLE t;")
        assert path.stat().st_size > 0
    elif kind == "other-tables":
        sqlite3(path, "CREATE TABLE users (id INTEGER, name TEXT);"
                      "CREATE TABLE posts (id INTEGER, body TEXT);")
    elif kind == "missing-columns":
        sqlite3(path, "CREATE TABLE meetings (meeting_id INTEGER, meeting_name TEXT);"
                      "CREATE TABLE attendees (attendee_id INTEGER);"
                      "CREATE TABLE ical (ical_owner TEXT, ical_hash TEXT);")
    elif kind == "directory":
        path.mkdir()
    r = import_legacy(site, path, check=False)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert str(path) in r.stderr and "not a jitsi-jmb database" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert stored(site) == []


def test_usage_errors(site, legacy_db, tmp_path):
    path, _ = legacy_db
    assert import_legacy(site, check=False).returncode == 2
    assert import_legacy(site, path, path, check=False).returncode == 2
    bad_map = tmp_path / "bad-map"
    bad_map.write_text("jdupont\n")
    r = import_legacy(site, "--map", bad_map, path, check=False)
    assert r.returncode != 0 and "bad-map:1" in r.stderr
    r = import_legacy(site, "--map", tmp_path / "none", path, check=False)
    assert r.returncode != 0 and "cannot open" in r.stderr
    assert stored(site) == []


def test_reimport_does_not_bring_back_a_rotated_feed(site, legacy_db, map_file):
    """After the import alice rotates her feed (her old URL leaked, say): running
    the import again must not make the legacy address work again."""
    path, _ = legacy_db
    import_legacy(site, "--map", map_file, path)
    old = f"{site.url}/ical.cgi?{FEED['alice']}"
    assert requests.get(old, timeout=30).status_code == 200
    r = bearer(site, "alice").post(site.url + "/api/v1/me/feed/rotate")
    assert r.status_code == 200
    assert requests.get(old, timeout=30).status_code == 404
    import_legacy(site, "--map", map_file, path)
    assert requests.get(old, timeout=30).status_code == 404, "the revoked feed works again"
    assert bearer(site, "alice").get(site.url + "/api/v1/me/feed").json() == r.json()


# -- the old links, end to end ---------------------------------------------------------

def test_join_cgi_links(site, legacy_db, map_file):
    path, _ = legacy_db
    import_legacy(site, "--map", map_file, path)
    for who, role in (("bob", "guest"), ("ext", "moderator")):
        r = get(f"{site.url}/join.cgi?id={H[who]}")
        assert r.status_code == 301 and location(r) == f"/j/{H[who]}"
        room, token = room_redirect(get(site.url + location(r)))
        assert room == ROOMS["a"]
        if role == "guest":
            assert token is None
        else:
            claims = jwt.decode(token, "test-secret-0123456789", algorithms=["HS256"],
                                audience="jmb")
            assert claims["context"]["user"]["email"] == "ext.mod@partner.example"
    # 3 legacy joins + this one (written behind: polled for)
    deadline = time.monotonic() + 10
    while attendee(m := imported(site, "a"), "bob@example.org")["joins"] != 4 \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert attendee(m, "bob@example.org")["joins"] == 4
    assert attendee(m, "ext.mod@partner.example")["joins"] == 3
    # The past meeting's link is over; skipped rows' links never worked.
    assert get(f"{site.url}/j/{H['past_bob']}").status_code == 410
    for who in ("orphan", "bad", "dup_bob"):
        assert get(f"{site.url}/j/{H[who]}").status_code == 404, who
    assert get(f"{site.url}/join.cgi").status_code == 404
    assert requests.get(f"{site.url}/join.cgi?id=", timeout=30).status_code == 404


def test_invitation_cgi_links_open_the_page_without_answering(site, legacy_db, map_file):
    path, _ = legacy_db
    import_legacy(site, "--map", map_file, path)
    for who, query, status in (("x", "accept", "needs-action"), ("bob", "decline", "accepted"),
                               ("out", "accept", "declined")):
        r = get(f"{site.url}/invitation.cgi?{query}&id={H[who]}")
        assert r.status_code == 301 and location(r) == f"/r/{H[who]}"
        page = requests.get(f"{site.url}/invitation.cgi?{query}&id={H[who]}", timeout=30)
        assert page.status_code == 200 and page.url.endswith(f"/r/{H[who]}")
        assert "Conseil de département" in page_text(page.text)
        assert 'name="answer"' in page.text
    m = imported(site, "a")
    assert {a["mail"]: a["status"] for a in m["attendees"]} == {
        "carol@example.org": "needs-action", "ext.mod@partner.example": "accepted",
        "bob@example.org": "accepted", "guest@outside.example": "declined",
        "x@y.org": "needs-action"}


def test_ical_cgi_feeds(site, legacy_db, map_file):
    path, facts = legacy_db
    import_legacy(site, "--map", map_file, path)
    r = get(f"{site.url}/ical.cgi?{FEED['alice']}")
    assert r.status_code == 301 and location(r) == f"/feed/{FEED['alice']}.ics"
    r = requests.get(f"{site.url}/ical.cgi?{FEED['alice']}", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/calendar")
    py, js = parse_both(r.text)
    events, js_events = by_uid(py["events"]), by_uid(js["events"])
    assert events == js_events
    assert sorted(ev["summary"] for ev in events.values()) == ["Conseil de département",
                                                               "Past one"]
    [a] = [ev for ev in events.values() if ev["summary"] == "Conseil de département"]
    assert a["uid"].startswith(f"legacy-{IDS['a']}-{ROOMS['a']}@")
    assert a["dtstart"] == datetime.fromtimestamp(facts["a_begin"], UTC)
    assert a["dtend"] - a["dtstart"] == timedelta(minutes=90)
    assert a["tzid"] == "Europe/Paris"
    assert a["url"] == a["location"] == f"{site.url}/start/{ROOMS['a']}"
    assert a["organizer"]["mail"] == "alice@example.org"
    assert sorted((x["mail"], x["role"], x["partstat"]) for x in a["attendees"]) == [
        ("bob@example.org", "REQ-PARTICIPANT", "ACCEPTED"),
        ("carol@example.org", "CHAIR", "NEEDS-ACTION"),
        ("ext.mod@partner.example", "CHAIR", "ACCEPTED"),
        ("guest@outside.example", "REQ-PARTICIPANT", "DECLINED"),
        ("x@y.org", "REQ-PARTICIPANT", "NEEDS-ACTION")]
    # jdupont, known only through --map, keeps his feed address too.
    r = requests.get(f"{site.url}/ical.cgi?{FEED['jdupont']}", timeout=30)
    assert r.status_code == 200
    [b] = by_uid(parse_both(r.text)[0]["events"]).values()
    assert b["summary"] == "Réunion Dupont" and b["organizer"]["mail"] == \
        "jean.dupont@univ.example"
    assert [(x["mail"], x["partstat"]) for x in b["attendees"]] == [
        ("bob@example.org", "NEEDS-ACTION")]
    assert requests.get(f"{site.url}/ical.cgi?UnknownFeedHashAb", timeout=30).status_code == 404
    log = site.log()
    assert "request method=GET path=/ical.cgi" in log
    for secret in list(FEED.values()) + list(H.values()):
        assert secret not in log
    assert get(f"{site.url}/ical.cgi").status_code == 404


def test_token_booking_and_close_cgi(site, legacy_db, map_file, jmbd_factory):
    path, facts = legacy_db
    import_legacy(site, "--map", map_file, path)
    r = get(f"{site.url}/token.cgi?room={ROOMS['a']}")
    assert r.status_code == 301 and location(r) == f"/start/{ROOMS['a']}"
    assert get(f"{site.url}/token.cgi").status_code == 404
    # At the meeting's start the imported owner starts it through the old address.
    at_start = jmbd_sharing(jmbd_factory, site, "at-start",
                            at=datetime.fromtimestamp(facts["a_begin"], UTC))
    alice = at_start.session("alice", "alice-password")
    r = alice.get(f"{at_start.url}/token.cgi?room={ROOMS['a']}", allow_redirects=False)
    assert r.status_code == 301
    r = alice.get(at_start.url + location(r), allow_redirects=False)
    room, token = room_redirect(r)
    claims = jwt.decode(token, "test-secret-0123456789", algorithms=["HS256"], audience="jmb",
                        options={"verify_exp": False, "verify_nbf": False, "verify_iat": False})
    assert room == ROOMS["a"] and claims["context"]["user"]["id"] == "alice"
    bob = at_start.session("bob", "bob-password")
    assert bob.get(f"{at_start.url}/start/{ROOMS['a']}", allow_redirects=False).status_code == 403

    r = get(f"{site.url}/booking.cgi")
    assert r.status_code == 301 and location(r) == "/meetings"
    r = get(f"{site.url}/close.cgi")
    assert r.status_code == 301 and location(r) == "/close"
    closed = requests.get(f"{site.url}/close.cgi", timeout=30)
    assert closed.status_code == 200
    assert "Thank you for taking part." in page_text(closed.text)
    alice = site.session("alice", "alice-password")
    r = alice.get(f"{site.url}/close", allow_redirects=False)
    assert r.status_code == 302 and location(r) == "/meetings"
    elsewhere = jmbd_sharing(jmbd_factory, site, "close-url",
                             sections={"server": {"close_url": "https://www.example.org/bye"}})
    r = get(f"{elsewhere.url}/close")
    assert r.status_code == 302 and location(r) == "https://www.example.org/bye"
