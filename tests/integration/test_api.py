"""The JSON API v1 contract of issue 2, field by field and status by status:
bearer tokens from `jmbctl api-token create`, list/create/get/patch/delete,
errors as {"error", "fields"} with 400/401/403/404/415/422, PATCH with any
subset of the POST fields, ?archive=1, and cookie-authenticated writes
refused unless they are JSON."""
import concurrent.futures
import json
import re
from datetime import datetime, timedelta

import pytest
import requests

from helpers import (NEXT_YEAR, Page, api, api_token, create_meeting_form, raw_get, rfc3339,
                     stored_meetings)

MEETING_KEYS = {"id", "room", "title", "description", "start", "end", "duration", "timezone",
                "owner", "attendees", "room_options", "live", "recurrence", "next"}
ATTENDEE_KEYS = {"mail", "role", "status", "joins"}


@pytest.fixture
def alice(jmbd):
    return api(jmbd, api_token(jmbd, "alice"))


@pytest.fixture
def bob(jmbd):
    return api(jmbd, api_token(jmbd, "bob"))


def new_meeting(**fields):
    body = {"title": "API meeting", "start": rfc3339(days=3), "duration": 60}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def create(s, d, **fields):
    r = s.post(d.url + "/api/v1/meetings", json=new_meeting(**fields))
    assert r.status_code == 201, r.text
    return r.json()


def assert_meeting_shape(m):
    assert MEETING_KEYS <= set(m) <= MEETING_KEYS, set(m) ^ MEETING_KEYS
    assert isinstance(m["id"], int) and m["id"] > 0
    assert re.fullmatch(r"[a-z0-9]{16,}", m["room"])
    assert isinstance(m["duration"], int)
    assert set(m["owner"]) == {"login", "mail", "name"}
    for a in m["attendees"]:
        assert ATTENDEE_KEYS <= set(a) <= ATTENDEE_KEYS | {"name", "link"}, a
        assert a["role"] in ("moderator", "guest")
        assert a["status"] in ("needs-action", "accepted", "declined")
        assert isinstance(a["joins"], int)
    start, end = datetime.fromisoformat(m["start"]), datetime.fromisoformat(m["end"])
    assert end - start == timedelta(minutes=m["duration"])


def without_links(m):
    """The meeting as anybody but its owner (and jmbctl) sees it."""
    return {**m, "attendees": [{k: v for k, v in a.items() if k != "link"}
                               for a in m["attendees"]]}


def assert_error(r, status, fields=None):
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert isinstance(body["error"], str) and body["error"]
    if fields is None:
        assert set(body) == {"error"}, body
    else:
        assert set(body) == {"error", "fields", "problems"}, body
        assert set(body["fields"]) == set(fields), body["fields"]
        assert all(isinstance(v, str) and v for v in body["fields"].values())
        # problems: each field's messages one by one; fields: them in one text.
        assert set(body["problems"]) == set(fields), body["problems"]
        for field, problems in body["problems"].items():
            assert problems and all(isinstance(p, str) and p for p in problems)
            assert body["fields"][field] == " ".join(problems)
    return body


# -- create and read ---------------------------------------------------------------

def test_create_returns_201_with_the_meeting(jmbd, alice):
    start = rfc3339(days=4, hour=15, minute=30)
    r = alice.post(jmbd.url + "/api/v1/meetings", json={
        "title": "Kick-off", "description": "Agenda:\n1. intro", "start": start, "duration": 120,
        "timezone": "Europe/Paris", "moderators": ["Carol@Example.org"],
        "guests": ["bob@example.org", "dan@example.org"]})
    assert r.status_code == 201, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    m = r.json()
    assert_meeting_shape(m)
    assert r.headers["Location"] == f"/api/v1/meetings/{m['id']}"
    assert (m["title"], m["description"], m["duration"], m["timezone"]) == \
        ("Kick-off", "Agenda:\n1. intro", 120, "Europe/Paris")
    assert m["start"] == start
    assert m["owner"] == {"login": "alice", "mail": "alice@example.org", "name": "Alice"}
    assert [(a["mail"], a["role"], a["status"], a["joins"]) for a in m["attendees"]] == [
        ("carol@example.org", "moderator", "needs-action", 0),
        ("bob@example.org", "guest", "needs-action", 0),
        ("dan@example.org", "guest", "needs-action", 0)]
    assert stored_meetings(jmbd) == [without_links(m)]
    assert alice.get(f"{jmbd.url}/api/v1/meetings/{m['id']}").json() == m


def test_owner_alone_sees_the_personal_links(jmbd, alice, bob):
    m = create(alice, jmbd, moderators=["carol@example.org"], guests=["bob@example.org"])
    links = [a["link"] for a in m["attendees"]]
    assert len(set(links)) == 2
    for link in links:
        assert re.fullmatch(re.escape(jmbd.url) + r"/j/[A-Za-z0-9_-]{22,}", link), link
    listed = alice.get(jmbd.url + "/api/v1/meetings").json()["meetings"]
    assert [a["link"] for a in listed[0]["attendees"]] == links
    seen_by_bob = bob.get(f"{jmbd.url}/api/v1/meetings/{m['id']}").json()
    assert seen_by_bob == without_links(m)
    assert all("link" not in a for a in bob.get(jmbd.url + "/api/v1/meetings")
               .json()["meetings"][0]["attendees"])
    # A kept invitee keeps their link when the meeting changes; a new one gets a new link.
    r = alice.patch(f"{jmbd.url}/api/v1/meetings/{m['id']}",
                    json={"title": "Moved", "guests": ["bob@example.org", "dan@example.org"]})
    after = {a["mail"]: a["link"] for a in r.json()["attendees"]}
    before = {a["mail"]: a["link"] for a in m["attendees"]}
    assert after["bob@example.org"] == before["bob@example.org"]
    assert after["carol@example.org"] == before["carol@example.org"]
    assert after["dan@example.org"] not in before.values()


def test_defaults_for_omitted_fields(jmbd, alice):
    m = create(alice, jmbd, duration=None)
    assert m["duration"] == 90
    assert m["timezone"] == "Europe/Paris"
    assert m["description"] == ""
    assert m["attendees"] == []


def test_start_is_an_instant_shown_in_the_meeting_zone(jmbd, alice):
    y = NEXT_YEAR
    m = create(alice, jmbd, start=f"{y}-06-10T13:00:00Z", timezone="America/New_York")
    assert m["start"] == f"{y}-06-10T09:00:00-04:00"
    assert m["end"] == f"{y}-06-10T10:00:00-04:00"
    m = create(alice, jmbd, start=f"{y}-01-10T08:00:00+09:00", timezone="UTC", duration=30)
    assert m["start"] in (f"{y}-01-09T23:00:00Z", f"{y}-01-09T23:00:00+00:00")


def test_list_has_the_same_meetings_as_the_page(jmbd, alice, bob):
    mine = create(alice, jmbd, title="Mine")
    invited = create(bob, jmbd, title="Bob invites", guests=["alice@example.org"])
    create(bob, jmbd, title="Not for alice")
    r = alice.get(jmbd.url + "/api/v1/meetings")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"meetings", "next"} and body["next"] is None
    for m in body["meetings"]:
        assert_meeting_shape(m)
    assert sorted(m["id"] for m in body["meetings"]) == sorted([mine["id"], invited["id"]])
    page = jmbd.session("alice", "alice-password").get(jmbd.url + "/meetings").text
    assert sorted(re.findall(r'<h2><a href="/meetings/(\d+)">', page)) == \
        sorted(str(m["id"]) for m in body["meetings"])


def test_archive_lists_past_meetings(jmbd, alice):
    past = create(alice, jmbd, title="Soon over", start=rfc3339(days=1), duration=30)
    future = create(alice, jmbd, title="Later", start=rfc3339(days=20))
    jmbd.stop()
    jmbd.start(env={"JMB_TEST_TIME_OFFSET": str(3 * 86400)})
    current = [m["id"] for m in alice.get(jmbd.url + "/api/v1/meetings").json()["meetings"]]
    archive = [m["id"] for m in alice.get(jmbd.url + "/api/v1/meetings?archive=1")
               .json()["meetings"]]
    assert current == [future["id"]]
    assert archive == [past["id"]]


def test_invitee_can_read_but_not_change(jmbd, alice, bob):
    m = create(alice, jmbd, guests=["bob@example.org"])
    r = bob.get(f"{jmbd.url}/api/v1/meetings/{m['id']}")
    assert r.status_code == 200
    assert r.json()["id"] == m["id"]
    assert_error(bob.patch(f"{jmbd.url}/api/v1/meetings/{m['id']}", json={"title": "x"}), 403)
    assert_error(bob.delete(f"{jmbd.url}/api/v1/meetings/{m['id']}"), 403)
    assert stored_meetings(jmbd)[0]["title"] == m["title"]


def test_stranger_learns_nothing(jmbd, alice):
    m = create(alice, jmbd)
    carol = api(jmbd, api_token(jmbd, "carol"))
    assert_error(carol.get(f"{jmbd.url}/api/v1/meetings/{m['id']}"), 404)
    assert_error(carol.patch(f"{jmbd.url}/api/v1/meetings/{m['id']}", json={"title": "x"}), 403)
    assert_error(carol.delete(f"{jmbd.url}/api/v1/meetings/{m['id']}"), 403)
    assert carol.get(jmbd.url + "/api/v1/meetings").json() == {"meetings": [], "next": None}


@pytest.mark.parametrize("mid", ["424242", "0", "-3", "abc", "1.0"])
def test_unknown_meeting_is_404(jmbd, alice, mid):
    for method in ("GET", "PATCH", "DELETE"):
        r = alice.request(method, f"{jmbd.url}/api/v1/meetings/{mid}",
                          json={} if method == "PATCH" else None)
        assert_error(r, 404)


def test_unknown_api_path_and_method(jmbd, alice):
    assert_error(alice.get(jmbd.url + "/api/v1/nothing"), 404)
    assert_error(alice.get(jmbd.url + "/api/v2/meetings"), 404)
    assert_error(alice.put(jmbd.url + "/api/v1/meetings", json={}), 405)


# -- patch and delete --------------------------------------------------------------

@pytest.mark.parametrize("change", [
    {"title": "Renamed"},
    {"description": "Now with a description"},
    {"duration": 150},
    {"start": f"{NEXT_YEAR}-06-01T10:00:00+02:00"},
    {"timezone": "Asia/Tokyo"},
    {"moderators": ["erin@example.org"]},
    {"guests": []},
    {"title": "Both", "guests": ["bob@example.org", "frank@example.org"]},
    {},
], ids=lambda c: "+".join(c) or "empty")
def test_patch_changes_only_what_it_names(jmbd, alice, change):
    m = create(alice, jmbd, description="Original", moderators=["carol@example.org"],
               guests=["bob@example.org"])
    r = alice.patch(f"{jmbd.url}/api/v1/meetings/{m['id']}", json=change)
    assert r.status_code == 200, r.text
    got = r.json()
    assert_meeting_shape(got)
    expected = dict(m)
    for key in ("title", "description", "duration", "timezone"):
        if key in change:
            expected[key] = change[key]
    if "start" in change:
        assert datetime.fromisoformat(got["start"]) == datetime.fromisoformat(change["start"])
    elif "timezone" in change:  # the same instant, shown in the new zone
        assert datetime.fromisoformat(got["start"]) == datetime.fromisoformat(m["start"])
    else:
        assert got["start"] == m["start"]
    for key in ("title", "description", "duration", "timezone", "id", "room", "owner"):
        assert got[key] == expected[key], key
    roles = {"moderator": change.get("moderators"), "guest": change.get("guests")}
    for role, mails in roles.items():
        now = [a["mail"] for a in got["attendees"] if a["role"] == role]
        before = [a["mail"] for a in m["attendees"] if a["role"] == role]
        assert now == (mails if mails is not None else before), role
    assert stored_meetings(jmbd) == [without_links(got)]


def test_invalid_patch_changes_nothing(jmbd, alice):
    m = create(alice, jmbd, guests=["bob@example.org"])
    r = alice.patch(f"{jmbd.url}/api/v1/meetings/{m['id']}",
                    json={"title": "", "duration": 45, "guests": ["alice@example.org"]})
    assert_error(r, 422, {"title", "duration", "guests"})
    assert stored_meetings(jmbd) == [without_links(m)]


def test_422_reports_every_problem_of_every_field(jmbd, alice):
    # Two bad addresses and a wrongly typed field: all are reported at once,
    # with the rule-breaking fields next to the type error.
    r = alice.post(jmbd.url + "/api/v1/meetings", json=new_meeting(
        title="", duration="sixty", guests=["bob@", "alice@example.org", "x@@y"]))
    body = assert_error(r, 422, {"title", "duration", "guests"})
    assert len(body["problems"]["guests"]) == 3, body["problems"]
    assert body["problems"]["duration"] == ["Expected a whole number of minutes."]
    r = alice.post(jmbd.url + "/api/v1/meetings", json=new_meeting(
        title=7, duration=45, start="yesterday"))
    body = assert_error(r, 422, {"title", "duration", "start"})
    assert stored_meetings(jmbd) == []


def test_the_list_comes_in_pages_with_a_stable_cursor(jmbd, alice):
    made = [create(alice, jmbd, title=f"m{i}", start=rfc3339(days=2 + i % 4, hour=9 + i))
            for i in range(7)]
    order = [m["id"] for m in sorted(made, key=lambda m: (m["start"], m["id"]))]
    seen, url, pages = [], jmbd.url + "/api/v1/meetings?limit=3", 0
    while url:
        body = alice.get(url).json()
        seen += [m["id"] for m in body["meetings"]]
        pages += 1
        if pages == 1:
            # A meeting booked meanwhile, before the cursor, neither shifts nor
            # repeats what comes next.
            create(alice, jmbd, title="early", start=rfc3339(days=1, hour=8))
        url = jmbd.url + body["next"] if body["next"] else None
    assert seen == order and pages == 3
    everything = alice.get(jmbd.url + "/api/v1/meetings").json()
    assert len(everything["meetings"]) == 8 and everything["next"] is None
    # A window: meetings that end after `from` and start before `to`.
    window = alice.get(jmbd.url + "/api/v1/meetings", params={
        "from": rfc3339(days=3, hour=0), "to": rfc3339(days=4, hour=0)}).json()
    assert {m["title"] for m in window["meetings"]} == {"m1", "m5"}
    first = alice.get(jmbd.url + "/api/v1/meetings", params={
        "from": rfc3339(days=3, hour=0), "to": rfc3339(days=4, hour=0), "limit": 1}).json()
    assert "from=" in first["next"] and "to=" in first["next"]
    rest = alice.get(jmbd.url + first["next"]).json()
    assert [m["title"] for m in first["meetings"] + rest["meetings"]] == ["m1", "m5"]
    assert rest["next"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=x", "limit=", "cursor=abc",
                                   "cursor=1-0", "cursor=01-2", "from=yesterday",
                                   "to=2027-13-01T00:00:00Z"])
def test_bad_list_parameters_are_400(jmbd, alice, query):
    assert_error(alice.get(f"{jmbd.url}/api/v1/meetings?{query}"), 400)


def test_delete(jmbd, alice):
    m = create(alice, jmbd)
    r = alice.delete(f"{jmbd.url}/api/v1/meetings/{m['id']}")
    assert r.status_code == 204
    assert r.content == b""
    assert stored_meetings(jmbd) == []
    assert_error(alice.get(f"{jmbd.url}/api/v1/meetings/{m['id']}"), 404)
    assert_error(alice.delete(f"{jmbd.url}/api/v1/meetings/{m['id']}"), 404)
    assert_error(alice.patch(f"{jmbd.url}/api/v1/meetings/{m['id']}", json={"title": "x"}), 404)
    assert alice.get(jmbd.url + "/api/v1/meetings").json() == {"meetings": [], "next": None}


def test_concurrent_creates_all_succeed(jmbd, alice):
    """The legacy CGIs refused many requests under 30 concurrent clients."""
    def one(i):
        return alice.post(jmbd.url + "/api/v1/meetings",
                          json=new_meeting(title=f"c{i}", guests=[f"g{i}@example.org"])).status_code

    with concurrent.futures.ThreadPoolExecutor(30) as pool:
        statuses = list(pool.map(one, range(120)))
    assert statuses == [201] * 120
    stored = stored_meetings(jmbd)
    assert len({m["id"] for m in stored}) == len({m["room"] for m in stored}) == 120


# -- errors ------------------------------------------------------------------------

VALIDATION = {
    "empty-title": ({"title": ""}, {"title"}),
    "no-title": ({"title": None}, {"title"}),
    "no-start": ({"start": None}, {"start"}),
    "bad-start": ({"start": "next tuesday"}, {"start"}),
    "date-only-start": ({"start": "2099-01-05"}, {"start"}),
    "past-start": ({"start": "2020-01-05T10:00:00Z"}, {"start"}),
    "short": ({"duration": 20}, {"duration"}),
    "long": ({"duration": 510}, {"duration"}),
    "off-step": ({"duration": 100}, {"duration"}),
    "zone": ({"timezone": "Atlantis/Capital"}, {"timezone"}),
    "3-moderators": ({"moderators": ["a@example.org", "b@example.org", "c@example.org"]},
                     {"moderators"}),
    "51-guests": ({"guests": [f"g{i}@example.org" for i in range(51)]}, {"guests"}),
    "bad-mail": ({"guests": ["not an address"]}, {"guests"}),
    "dup-mail": ({"guests": ["X@example.org", "x@EXAMPLE.org"]}, {"guests"}),
    "dup-across-roles": ({"moderators": ["x@example.org"], "guests": ["X@example.org"]},
                         {"guests"}),
    "owner-invited": ({"moderators": ["Alice@Example.org"]}, {"moderators"}),
    "types": ({"title": 5, "duration": "90", "guests": "bob@example.org",
               "moderators": [1], "description": ["x"]},
              {"title", "duration", "guests", "moderators", "description"}),
    "everything": ({"title": " ", "start": "2020-01-01T00:00:00Z", "duration": 45,
                    "guests": ["alice@example.org"]}, {"title", "start", "duration", "guests"}),
}


@pytest.mark.parametrize("case", VALIDATION.keys())
def test_validation_errors_are_422_with_fields(jmbd, alice, case):
    fields, bad = VALIDATION[case]
    r = alice.post(jmbd.url + "/api/v1/meetings", json=new_meeting(**fields))
    assert_error(r, 422, bad)
    assert stored_meetings(jmbd) == []


def test_error_messages_follow_accept_language(jmbd, alice):
    r = alice.post(jmbd.url + "/api/v1/meetings", json=new_meeting(title=""),
                   headers={"Accept-Language": "fr"})
    body = assert_error(r, 422, {"title"})
    assert body["error"] == "Certains champs ne sont pas valides."
    assert body["fields"]["title"] == "Veuillez donner un titre à la réunion."


@pytest.mark.parametrize("payload", [b"", b"{", b"[]", b'"title"', b"null", b"42",
                                     b'{"title": "a", "title": "b"}', b'{"title": "\xff"}',
                                     b"{'title': 'x'}"],
                         ids=["empty", "truncated", "array", "string", "null", "number",
                              "duplicate-key", "latin1", "single-quotes"])
def test_unreadable_body_is_400(jmbd, alice, payload):
    r = alice.post(jmbd.url + "/api/v1/meetings", data=payload,
                   headers={"Content-Type": "application/json"})
    assert_error(r, 400)
    m = create(alice, jmbd)
    r = alice.patch(f"{jmbd.url}/api/v1/meetings/{m['id']}", data=payload,
                    headers={"Content-Type": "application/json"})
    assert_error(r, 400)
    assert stored_meetings(jmbd) == [without_links(m)]


def test_refusals_before_routing_are_json_too(jmbd, alice):
    """A client of the API parses every error body as JSON, including the
    ones given before the request reaches the router."""
    r = alice.post(jmbd.url + "/api/v1/meetings",
                   json=new_meeting(description="d" * 100000))
    assert_error(r, 413)
    r = alice.get(jmbd.url + "/api/v1/meetings?archive=%ff")
    assert_error(r, 400)
    status, headers, body = raw_get(jmbd, b"/api/v1/meetings/%zz",
                                    alice.headers["Authorization"].encode().join(
                                        [b"Authorization: ", b"\r\n"]))
    assert status == 400
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body) == {"error": "The request could not be read."}
    assert stored_meetings(jmbd) == []


# -- authentication ----------------------------------------------------------------

def test_no_credentials_is_401(jmbd):
    for method, path in (("GET", "/api/v1/meetings"), ("POST", "/api/v1/meetings"),
                         ("GET", "/api/v1/meetings/1"), ("PATCH", "/api/v1/meetings/1"),
                         ("DELETE", "/api/v1/meetings/1")):
        r = requests.request(method, jmbd.url + path, json={}, allow_redirects=False)
        assert_error(r, 401)  # never a redirect to the login form


@pytest.mark.parametrize("header", ["Bearer wrong-token-but-long-enough-0123456789",
                                    "Bearer ", "Bearer a b", "Basic YWxpY2U6eA==",
                                    "Bearer " + "A" * 43])
def test_bad_bearer_token_is_401(jmbd, header):
    r = requests.get(jmbd.url + "/api/v1/meetings", headers={"Authorization": header})
    assert_error(r, 401)


def test_token_is_shown_once_and_stored_hashed(jmbd):
    p = jmbd.jmbctl("api-token", "create", "alice", "--label", "ci")
    token = p.stdout.strip()
    assert len(token) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert "Bearer" in p.stderr
    assert token.encode() not in (jmbd.dir / "jmb.db").read_bytes()
    r = requests.get(jmbd.url + "/api/v1/meetings", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert token not in jmbd.log()


def test_tokens_are_listed_without_their_secret_and_revoked_at_once(jmbd):
    first = api_token(jmbd, "alice", "--label", "calendar sync")
    second = api_token(jmbd, "bob")
    assert api(jmbd, first).get(jmbd.url + "/api/v1/meetings").status_code == 200
    listed = jmbd.jmbctl("api-token", "list").stdout
    assert first not in listed and second not in listed
    lines = listed.splitlines()
    assert lines[0].split()[:3] == ["ID", "LOGIN", "CREATED"]
    rows = {line.split()[1]: line.split() for line in lines[1:]}
    assert rows["alice"][-2:] == ["calendar", "sync"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rows["alice"][3]), "last used"
    assert rows["bob"][3:5] == ["-", "-"], "never used, not revoked"

    p = jmbd.jmbctl("api-token", "revoke", rows["alice"][0])
    assert p.returncode == 0 and "revoked" in p.stderr
    assert_error(api(jmbd, first).get(jmbd.url + "/api/v1/meetings"), 401)
    assert api(jmbd, second).get(jmbd.url + "/api/v1/meetings").status_code == 200
    alice = {l.split()[1]: l.split() for l in jmbd.jmbctl("api-token", "list").stdout.splitlines()[1:]}["alice"]
    assert re.fullmatch(r"\d{4}-.*Z", alice[4]), "revoked at"

    again = jmbd.jmbctl("api-token", "revoke", rows["alice"][0], check=False)
    assert again.returncode == 65 and "no token" in again.stderr  # EX_DATAERR
    for bad in ("0", "-3", "12abc", "99999999999999999999"):
        p = jmbd.jmbctl("api-token", "revoke", bad, check=False)
        assert p.returncode == 2 and "not a token id" in p.stderr, bad
    assert jmbd.jmbctl("api-token", "revoke", "424242", check=False).returncode == 65


def test_token_for_someone_outside_the_users_file(jmbd):
    token = api_token(jmbd, "robot", "--mail", "Robot@Example.org", "--name", "CI robot")
    m = create(api(jmbd, token), jmbd)
    assert m["owner"] == {"login": "robot", "mail": "robot@example.org", "name": "CI robot"}
    p = jmbd.jmbctl("api-token", "create", "ghost", check=False)
    assert p.returncode != 0 and p.stdout == ""


def test_bearer_token_wins_over_a_session_cookie(jmbd, bob):
    s = jmbd.session("alice", "alice-password")
    s.headers["Authorization"] = bob.headers["Authorization"]
    m = create(s, jmbd)
    assert m["owner"]["login"] == "bob"
    s.headers["Authorization"] = "Bearer not-a-valid-token-000000000000"
    assert_error(s.get(jmbd.url + "/api/v1/meetings"), 401)


def test_bearer_writes_need_no_csrf_nor_json_type(jmbd, alice):
    r = alice.post(jmbd.url + "/api/v1/meetings", data=json.dumps(new_meeting()),
                   headers={"Content-Type": "text/plain"})
    assert r.status_code == 201


# -- cookie-authenticated writes ---------------------------------------------------

@pytest.fixture
def browser(jmbd):
    return jmbd.session("alice", "alice-password")


def test_cookie_session_reads_and_writes_json(jmbd, browser):
    assert browser.get(jmbd.url + "/api/v1/meetings").json() == {"meetings": [], "next": None}
    m = create(browser, jmbd)
    r = browser.patch(f"{jmbd.url}/api/v1/meetings/{m['id']}", json={"title": "Patched"})
    assert r.status_code == 200
    assert browser.delete(f"{jmbd.url}/api/v1/meetings/{m['id']}").status_code == 204


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_cookie_writes_without_json_type_are_415(jmbd, browser, content_type):
    m = create(browser, jmbd)
    body = json.dumps(new_meeting(title="Cross-site"))
    headers = {"Content-Type": content_type} if content_type else {}
    for method, path in (("POST", "/api/v1/meetings"), ("PATCH", f"/api/v1/meetings/{m['id']}")):
        req = requests.Request(method, jmbd.url + path, data=body, headers=headers)
        prepared = browser.prepare_request(req)
        if content_type is None:
            prepared.headers.pop("Content-Type", None)
        r = browser.send(prepared)
        assert_error(r, 415)
    r = browser.delete(f"{jmbd.url}/api/v1/meetings/{m['id']}", data=body, headers=headers)
    assert_error(r, 415)
    assert stored_meetings(jmbd) == [without_links(m)]


def test_cookie_delete_from_another_origin_is_refused(jmbd, browser):
    m = create(browser, jmbd)
    r = browser.delete(f"{jmbd.url}/api/v1/meetings/{m['id']}",
                       headers={"Origin": "https://evil.example"})
    # Refused by the Origin check, ahead of the content-type rule.
    assert_error(r, 403)
    assert stored_meetings(jmbd) == [without_links(m)]


def test_json_charset_parameter_is_accepted(jmbd, browser):
    r = browser.post(jmbd.url + "/api/v1/meetings", data=json.dumps(new_meeting()).encode(),
                     headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 201


def test_api_and_form_share_one_store(jmbd, browser, alice):
    mid = create_meeting_form(browser, jmbd, title="From the form")
    got = alice.get(f"{jmbd.url}/api/v1/meetings/{mid}").json()
    assert got["title"] == "From the form"
    m = create(alice, jmbd, title="From the API")
    page = Page(browser.get(f"{jmbd.url}/meetings/{m['id']}").text)
    assert "From the API" in page.headings
