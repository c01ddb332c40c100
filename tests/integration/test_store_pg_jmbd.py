"""jmbd on `driver = postgresql` against a real PostgreSQL server (each test on
a fresh database): the create/list/edit/delete flow through the form and the
API, validation storing nothing, metacharacters stored exactly, and several
jmbd instances sharing one database (sessions, CSRF tokens, API tokens)."""
import concurrent.futures
import re
import time

import pytest
import requests

from servers.postgres import free_port
from helpers import (HOSTILE_TEXTS, Page, api, api_token, create_meeting_form, form_csrf,
                     meeting_fields, post_meeting_form, rfc3339, stored_meetings)


@pytest.fixture
def conninfo(postgres):
    return postgres.create_database()


def pg_jmbd(jmbd_factory, conninfo, name="jmbd", users=("alice", "bob", "carol")):
    d = jmbd_factory(name=name, start=False, store="postgresql", conninfo=conninfo)
    for user in users:
        d.add_user(user, f"{user}-password")
    return d.start()


@pytest.fixture
def jmbd(jmbd_factory, conninfo):
    """Overrides conftest's SQLite jmbd: the same users, on PostgreSQL."""
    return pg_jmbd(jmbd_factory, conninfo)


def test_it_really_runs_on_postgresql(jmbd, postgres, conninfo):
    assert "store=postgresql" in jmbd.log()
    dbname = conninfo.split("dbname=")[1].split()[0]
    tables = postgres.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
                           dbname=dbname).split()
    assert "meetings" in tables and "sessions" in tables
    assert requests.get(jmbd.url + "/healthz").text == "ok\n"


def test_form_flow(jmbd):
    alice = jmbd.session("alice", "alice-password")
    mid = create_meeting_form(alice, jmbd, title="On PG", moderators="Carol@Example.org",
                              guests="bob@example.org")
    [m] = stored_meetings(jmbd)
    assert (m["id"], m["title"], m["owner"]["login"]) == (mid, "On PG", "alice")
    assert sorted((a["mail"], a["role"]) for a in m["attendees"]) == [
        ("bob@example.org", "guest"), ("carol@example.org", "moderator")]

    bob = jmbd.session("bob", "bob-password")
    text = Page(bob.get(jmbd.url + "/meetings").text).text
    assert "On PG" in text and "Guest" in text
    assert bob.get(f"{jmbd.url}/meetings/{mid}/edit").status_code == 403

    csrf = Page(alice.get(f"{jmbd.url}/meetings/{mid}/edit").text).values["csrf"]
    r = post_meeting_form(alice, jmbd, path=f"/meetings/{mid}", csrf=csrf, title="Edited on PG",
                          guests="bob@example.org dan@example.org", duration="60")
    assert r.status_code == 303
    [m] = stored_meetings(jmbd)
    assert (m["title"], m["duration"], len(m["attendees"])) == ("Edited on PG", 60, 2)

    r = alice.post(f"{jmbd.url}/meetings/{mid}/delete", data={"csrf": csrf},
                   allow_redirects=False)
    assert r.status_code == 303
    assert stored_meetings(jmbd) == []
    assert alice.get(f"{jmbd.url}/meetings/{mid}").status_code == 404
    assert "On PG" not in bob.get(jmbd.url + "/meetings").text


def test_api_flow(jmbd):
    alice = api(jmbd, api_token(jmbd, "alice"))
    r = alice.post(jmbd.url + "/api/v1/meetings",
                   json={"title": "API on PG", "start": rfc3339(days=2), "duration": 30,
                         "guests": ["bob@example.org"]})
    assert r.status_code == 201
    m = r.json()
    assert alice.get(jmbd.url + "/api/v1/meetings").json()["meetings"] == [m]
    r = alice.patch(f"{jmbd.url}/api/v1/meetings/{m['id']}", json={"duration": 90})
    assert r.status_code == 200 and r.json()["duration"] == 90
    assert r.json()["attendees"][0]["link"] == m["attendees"][0]["link"]
    bob = api(jmbd, api_token(jmbd, "bob"))
    assert bob.patch(f"{jmbd.url}/api/v1/meetings/{m['id']}", json={"title": "x"}).status_code == 403
    assert alice.delete(f"{jmbd.url}/api/v1/meetings/{m['id']}").status_code == 204
    assert alice.get(f"{jmbd.url}/api/v1/meetings/{m['id']}").status_code == 404
    assert stored_meetings(jmbd) == []


def test_validation_stores_nothing(jmbd):
    alice = jmbd.session("alice", "alice-password")
    r = post_meeting_form(alice, jmbd, title="", guests="bob@example.org BOB@example.org")
    assert r.status_code == 422
    assert set(Page(r.text).field_errors) == {"title", "guests"}
    r = api(jmbd, api_token(jmbd, "alice")).post(
        jmbd.url + "/api/v1/meetings",
        json={"title": "x", "start": rfc3339(), "guests": ["alice@example.org"]})
    assert r.status_code == 422
    assert stored_meetings(jmbd) == []


def test_metacharacters_are_stored_exactly(jmbd):
    alice = jmbd.session("alice", "alice-password")
    for value in HOSTILE_TEXTS:
        create_meeting_form(alice, jmbd, title=value, description=value)
    stored = stored_meetings(jmbd)
    assert sorted(m["title"] for m in stored) == sorted(HOSTILE_TEXTS)
    assert all(m["title"] == m["description"] for m in stored)
    page = alice.get(jmbd.url + "/meetings").text
    assert "<script>alert" not in page


def test_data_survives_a_restart(jmbd):
    alice = jmbd.session("alice", "alice-password")
    mid = create_meeting_form(alice, jmbd, title="Durable")
    cookie = alice.cookies["jmb_session"]
    jmbd.stop()
    jmbd.start()
    again = requests.Session()
    again.cookies.set("jmb_session", cookie)
    r = again.get(f"{jmbd.url}/meetings/{mid}")
    assert r.status_code == 200
    assert "Durable" in Page(r.text).headings


def test_instances_share_sessions_and_csrf(jmbd_factory, conninfo):
    """Behind a load balancer a browser may reach any instance: its session,
    its CSRF token and logout must hold on all of them."""
    a = pg_jmbd(jmbd_factory, conninfo, name="a")
    b = pg_jmbd(jmbd_factory, conninfo, name="b", users=())
    b.config.write_text(b.config.read_text().replace(str(b.dir / "users"), str(a.dir / "users")))
    s = a.session("alice", "alice-password")
    csrf = form_csrf(s, a)
    # The same cookies sent to instance b.
    jar = {c.name: c.value for c in s.cookies}
    r = requests.get(b.url + "/meetings", cookies=jar, allow_redirects=False)
    assert r.status_code == 200
    assert "Alice" in Page(r.text).text
    r = requests.post(b.url + "/meetings", cookies=jar, allow_redirects=False,
                      data={**meeting_fields(title="Via b"), "csrf": csrf})
    assert r.status_code == 303, Page(r.text).field_errors or r.text[:300]
    mid = int(r.headers["Location"].split("/")[2].split("?")[0])
    assert s.get(f"{a.url}/meetings/{mid}").status_code == 200
    r = requests.post(b.url + "/logout", cookies=jar, data={"csrf": csrf})
    assert r.status_code == 200
    assert s.get(a.url + "/meetings", allow_redirects=False).status_code == 302


def test_api_token_works_on_every_instance(jmbd_factory, conninfo):
    a = pg_jmbd(jmbd_factory, conninfo, name="a")
    b = pg_jmbd(jmbd_factory, conninfo, name="b", users=())
    token = api_token(a, "alice")
    m = api(b, token).post(b.url + "/api/v1/meetings",
                           json={"title": "t", "start": rfc3339()}).json()
    assert api(a, token).get(f"{a.url}/api/v1/meetings/{m['id']}").json()["title"] == "t"


def test_concurrent_creates_on_two_instances(jmbd_factory, conninfo):
    a = pg_jmbd(jmbd_factory, conninfo, name="a")
    b = pg_jmbd(jmbd_factory, conninfo, name="b", users=())
    token = api_token(a, "alice")

    def create(i):
        d = (a, b)[i % 2]
        r = api(d, token).post(d.url + "/api/v1/meetings",
                               json={"title": f"m{i}", "start": rfc3339(days=1 + i % 5),
                                     "guests": [f"g{i}@example.org", "shared@example.org"]})
        return r.status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(create, range(40)))
    assert statuses == [201] * 40
    stored = stored_meetings(a)
    assert len(stored) == 40
    assert len({m["id"] for m in stored}) == 40
    assert len({m["room"] for m in stored}) == 40
    assert sorted(m["title"] for m in stored) == sorted(f"m{i}" for i in range(40))


def test_feed_etag_follows_writes_made_on_another_instance(jmbd_factory, conninfo):
    """A calendar polls one instance while the organiser edits on another: the
    feed's version lives in the database (003_feed_changes triggers), so the
    old ETag stops answering 304 at once; joins, which no feed shows, keep it."""
    a = pg_jmbd(jmbd_factory, conninfo, name="a")
    b = pg_jmbd(jmbd_factory, conninfo, name="b", users=())
    token = api_token(a, "alice")
    m = api(a, token).post(a.url + "/api/v1/meetings",
                           json={"title": "Polled", "start": rfc3339(days=3),
                                 "guests": ["guest@outside.example"]}).json()
    url = api(a, token).get(a.url + "/api/v1/me/feed").json()["url"]
    first = requests.get(url, timeout=30)
    assert first.status_code == 200 and "SUMMARY:Polled" in first.text
    etag = first.headers["ETag"]
    assert requests.get(url, headers={"If-None-Match": etag}, timeout=30).status_code == 304

    # A join through instance b, written behind: the ETag still holds.
    link = m["attendees"][0]["link"].replace(a.url, b.url)
    assert requests.get(link, allow_redirects=False, timeout=30).status_code == 302
    deadline = time.monotonic() + 10
    while api(b, token).get(f"{b.url}/api/v1/meetings/{m['id']}").json()[
            "attendees"][0]["joins"] != 1:
        assert time.monotonic() < deadline, "the join was never written"
        time.sleep(0.05)
    assert requests.get(url, headers={"If-None-Match": etag}, timeout=30).status_code == 304

    # An edit through instance b: instance a answers the new feed.
    r = api(b, token).patch(f"{b.url}/api/v1/meetings/{m['id']}", json={"title": "Moved"})
    assert r.status_code == 200, r.text
    after = requests.get(url, headers={"If-None-Match": etag}, timeout=30)
    assert after.status_code == 200
    assert "SUMMARY:Moved" in after.text.replace("\r\n ", "")
    assert after.headers["ETag"] != etag
    assert requests.get(url, headers={"If-None-Match": after.headers["ETag"]},
                        timeout=30).status_code == 304


def test_jmbctl_ends_sessions_and_revokes_tokens_on_postgresql(jmbd):
    alice = jmbd.session("alice", "alice-password")
    bob = jmbd.session("bob", "bob-password")
    p = jmbd.jmbctl("user", "passwd", "alice", "--password-stdin", input="fresh-secret\n")
    assert "1 session of alice ended" in p.stdout
    assert alice.get(jmbd.url + "/meetings", allow_redirects=False).status_code != 200
    assert bob.get(jmbd.url + "/meetings", allow_redirects=False).status_code == 200

    token = api_token(jmbd, "carol", "--label", "pg token")
    assert api(jmbd, token).get(jmbd.url + "/api/v1/meetings").status_code == 200
    [row] = [l.split() for l in jmbd.jmbctl("api-token", "list").stdout.splitlines()[1:]]
    assert row[1] == "carol" and row[-2:] == ["pg", "token"]
    jmbd.jmbctl("api-token", "revoke", row[0])
    assert api(jmbd, token).get(jmbd.url + "/api/v1/meetings").status_code == 401


def test_check_config_connect_reaches_postgresql(jmbd, postgres):
    r = jmbd.jmbctl("check-config", "--connect")
    assert re.search(r"^store: postgresql answers, schema version (\d+) of \1$", r.stdout, re.M), r.stdout
    jmbd.stop()
    jmbd.config.write_text(re.sub(r"port=\d+", f"port={free_port()}", jmbd.config.read_text()))
    r = jmbd.jmbctl("check-config", "--connect", check=False)
    assert r.returncode == 69 and r.stderr.startswith("store: "), r.stderr  # EX_UNAVAILABLE
