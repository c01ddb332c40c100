"""Helpers for the tests of joining, invitations, feeds and the legacy import
(test_tokens, test_join, test_invitation, test_feed, test_legacy): booking
through the JSON API, more jmbd processes sharing one store (at another clock,
through JMB_TEST_TIME_OFFSET), fresh PostgreSQL databases, and reading
redirects and feeds."""
import configparser
import itertools
import re
import subprocess
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import requests

from helpers import api, api_token

UTC = timezone.utc
PARIS = ZoneInfo("Europe/Paris")
_db_numbers = itertools.count(1)


# -- booking through the API ------------------------------------------------------

def bearer(d, login):
    """An API session for login (one bearer token per jmbd and login, made once)."""
    tokens = d.__dict__.setdefault("_bearer_tokens", {})
    if login not in tokens:
        tokens[login] = api_token(d, login)
    return api(d, tokens[login])


def slot(hours=48, zone=PARIS):
    """An aware datetime `hours` from now, on a whole minute, in zone."""
    t = datetime.now(UTC) + timedelta(hours=hours)
    return t.replace(second=0, microsecond=0).astimezone(zone)


def book(d, owner="alice", start=None, duration=60, title="Project sync", zone="Europe/Paris",
         moderators=(), guests=(), description="", recurrence=None):
    """Books a meeting through the API as owner; returns the owner's JSON view
    (attendees carry their personal "link" and "joins")."""
    start = start if start is not None else slot(zone=ZoneInfo(zone))
    r = bearer(d, owner).post(d.url + "/api/v1/meetings", json={
        "title": title, "description": description, "start": start.isoformat(),
        "duration": duration, "timezone": zone, "moderators": list(moderators),
        "guests": list(guests), **({"recurrence": recurrence} if recurrence else {})})
    assert r.status_code == 201, r.text
    return r.json()


def view(d, meeting, login="alice"):
    """The meeting as login sees it through the API now."""
    r = bearer(d, login).get(f"{d.url}/api/v1/meetings/{meeting['id']}")
    assert r.status_code == 200, r.text
    return r.json()


def edit(d, meeting, login="alice", **fields):
    r = bearer(d, login).patch(f"{d.url}/api/v1/meetings/{meeting['id']}", json=fields)
    assert r.status_code == 200, r.text
    return r.json()


def delete(d, meeting, login="alice"):
    r = bearer(d, login).delete(f"{d.url}/api/v1/meetings/{meeting['id']}")
    assert r.status_code in (200, 204), r.text


def attendee(meeting, mail):
    [a] = [a for a in meeting["attendees"] if a["mail"] == mail]
    return a


def joins_written(d, meeting, expected, login="alice", settle=False):
    """The meeting as login sees it once its join counters are `expected`
    ({mail: joins}). jmbd writes join counts behind, every second
    (src/jmbd/join-counter.c), so they are polled for; with settle, they are
    read again after one more write round, to show that nothing else came."""
    deadline = time.monotonic() + 10
    while True:
        seen = view(d, meeting, login)
        joins = {a["mail"]: a["joins"] for a in seen["attendees"] if a["mail"] in expected}
        if joins == expected or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert joins == expected, joins
    if settle:
        time.sleep(1.5)
        return joins_written(d, meeting, expected, login)
    return seen


def token_of(meeting, mail):
    """The personal token in an invitee's link."""
    return attendee(meeting, mail)["link"].rsplit("/j/", 1)[1]


def start_of(meeting):
    return datetime.fromisoformat(meeting["start"])


def end_of(meeting):
    return datetime.fromisoformat(meeting["end"])


# -- more jmbd processes on one store ---------------------------------------------

def read_config(d):
    cp = configparser.ConfigParser(interpolation=None)
    cp.optionxform = str
    cp.read(d.config)
    return {s: dict(cp[s]) for s in cp.sections()}


def jmbd_sharing(jmbd_factory, base, name, at=None, sections=None):
    """Another jmbd on base's store, users and settings (plus sections), whose
    clock reads `at` (an aware datetime) when it starts: JMB_TEST_TIME_OFFSET."""
    conf = read_config(base)
    d = jmbd_factory(name, start=False)
    conf["server"]["listen"] = f"127.0.0.1:{d.port}"
    conf["server"]["public_url"] = d.url
    for section, values in (sections or {}).items():
        conf.setdefault(section, {}).update(values)
    d.write_config(conf)
    offset = 0 if at is None else int(round(at.timestamp() - time.time()))
    return d.start(env={"JMB_TEST_TIME_OFFSET": str(offset)})


def jmbd_on_store(request, jmbd_factory, name, **kwargs):
    """An unstarted jmbd on the store request.param names ("sqlite" or
    "postgresql", a fresh database on the session's server)."""
    if request.param == "postgresql":
        kwargs.update(store="postgresql",
                      conninfo=pg_database(request.getfixturevalue("postgres")))
    return jmbd_factory(name, start=False, **kwargs)


def pg_database(postgres):
    """A fresh, empty database on the session's PostgreSQL server; its conninfo."""
    name = f"jmb_links_{int(time.time() * 1000)}_{next(_db_numbers)}"
    postgres.psql(f"CREATE DATABASE {name}", dbname="postgres")
    return postgres.conninfo.replace(f"dbname={postgres.dbname}", f"dbname={name}")


def sqlite_query(path, sql):
    """Rows of a query on an SQLite file, through the sqlite3 tool."""
    r = subprocess.run(["sqlite3", "-readonly", "-separator", "|", str(path), sql],
                       capture_output=True, text=True, timeout=30, check=True)
    return [line.split("|") for line in r.stdout.splitlines()]


# -- reading answers --------------------------------------------------------------

def location(r):
    assert r.status_code in (301, 302, 303, 307), (r.status_code, r.text[:500])
    return r.headers["Location"]


def room_redirect(r, base_url="https://meet.example.org"):
    """(room, jwt or None) of a redirect to the Jitsi server; the URL must be
    exactly <base_url>/<room> or <base_url>/<room>?jwt=<token>."""
    assert r.status_code == 302, (r.status_code, r.text[:500])
    url = r.headers["Location"]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == base_url, url
    assert re.fullmatch(r"/[a-z0-9._-]+", parts.path), url
    assert parts.fragment == "", url
    if parts.query == "":
        return parts.path[1:], None
    query = parse_qs(parts.query, keep_blank_values=True)
    assert list(query) == ["jwt"] and len(query["jwt"]) == 1, url
    assert url == f"{base_url}{parts.path}?jwt={query['jwt'][0]}", url
    return parts.path[1:], query["jwt"][0]


def page_text(html):
    """The visible text of an HTML page, whitespace collapsed."""
    from helpers import Page
    return Page(html).text


def get(url, **kwargs):
    kwargs.setdefault("allow_redirects", False)
    kwargs.setdefault("timeout", 30)
    return requests.get(url, **kwargs)
