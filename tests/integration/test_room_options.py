"""Per-meeting room options: a lobby, a participant limit and recording
turned off, set in the form and the API (room_options), shown on the meeting
page, given to Prosody in the reservation answer (lobby, max_occupants) and
to every token of the meeting (context.features.recording "false")."""
import jwt
import pytest
import requests

from conftest import csrf_of
from helpers import future_slot
from jmb_links import bearer, book, get, room_redirect, slot, token_of, view
from test_reservations import TOKEN, reserve

DEFAULTS = {"lobby": False, "max_participants": None, "recording": True}


def claims_of(token):
    return jwt.decode(token, "test-secret-0123456789", algorithms=["HS256"], audience="jmb",
                      options={"verify_exp": False, "verify_nbf": False, "verify_iat": False})


@pytest.fixture
def site(jmbd_factory):
    d = jmbd_factory("options", start=False, sections={"jitsi": {"prosody_token": TOKEN}})
    d.add_user("alice", "alice-password")
    return d.start()


def create(d, **options):
    r = bearer(d, "alice").post(d.url + "/api/v1/meetings", json={
        "title": "Council", "start": slot(hours=0.25).isoformat(), "duration": 60,
        "moderators": ["ext.mod@partner.example"], "room_options": options})
    return r


def test_api_defaults_set_and_patch(site):
    m = book(site)
    assert m["room_options"] == DEFAULTS
    r = create(site, lobby=True, max_participants=12, recording=False)
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["room_options"] == {"lobby": True, "max_participants": 12, "recording": False}
    # PATCH changes only the members it names.
    r = bearer(site, "alice").patch(f"{site.url}/api/v1/meetings/{m['id']}",
                                    json={"room_options": {"max_participants": None}})
    assert r.status_code == 200, r.text
    assert r.json()["room_options"] == {"lobby": True, "max_participants": None,
                                        "recording": False}
    r = bearer(site, "alice").patch(f"{site.url}/api/v1/meetings/{m['id']}",
                                    json={"title": "Renamed"})
    assert view(site, m)["room_options"]["lobby"] is True


@pytest.mark.parametrize("options, field", [
    ({"max_participants": 1}, "max_participants"),
    ({"max_participants": 501}, "max_participants"),
    ({"max_participants": -5}, "max_participants"),
    ({"max_participants": 10 ** 15}, "max_participants"),
    ({"max_participants": "12"}, "room_options"),
    ({"lobby": "yes"}, "room_options"),
    ({"recording": 0}, "room_options"),
    ({"colour": "blue"}, "room_options"),
])
def test_api_refuses_bad_options(site, options, field):
    r = create(site, **options)
    assert r.status_code == 422, r.text
    assert field in r.json()["fields"], r.text
    r = bearer(site, "alice").post(site.url + "/api/v1/meetings", json={
        "title": "x", "start": slot(hours=1).isoformat(), "room_options": [1]})
    assert r.status_code == 422 and "room_options" in r.json()["fields"]


def test_form_sets_and_shows_options(site):
    s = site.session("alice", "alice-password")
    page = s.get(site.url + "/meetings/new")
    assert 'name="lobby"' in page.text and 'name="recording_off"' in page.text
    date, time_ = future_slot()
    data = {"csrf": csrf_of(page.text), "title": "Board", "date": date, "time": time_,
            "timezone": "Europe/Paris", "duration": "60", "moderators": "", "guests": "",
            "lobby": "1", "max_participants": "1"}
    r = s.post(site.url + "/meetings", data=data, allow_redirects=False)
    assert r.status_code == 422
    assert "The participant limit must be between 2 and 500" in r.text
    assert 'name="lobby" value="1" checked' in r.text  # what was ticked stays ticked
    data.update(max_participants="30", recording_off="1")
    r = s.post(site.url + "/meetings", data=data, allow_redirects=False)
    assert r.status_code == 303, r.text
    page = s.get(site.url + r.headers["Location"]).text
    assert "Lobby · At most 30 participants · No recording" in page
    # Editing keeps them; unticking the lobby removes it.
    edit_url = r.headers["Location"].split("?")[0] + "/edit"
    edit = s.get(site.url + edit_url).text
    assert 'value="30"' in edit and 'name="lobby" value="1" checked' in edit
    data.update(csrf=csrf_of(edit))
    del data["lobby"]
    r = s.post(site.url + r.headers["Location"].split("?")[0], data=data, allow_redirects=False)
    assert r.status_code == 303, r.text
    assert "At most 30 participants · No recording" in s.get(site.url + r.headers["Location"]).text


def test_reservation_carries_lobby_and_limit(site):
    plain = book(site, start=slot(hours=0.25))
    assert set(reserve(site, plain["room"]).json()) == {"id", "name", "mail_owner",
                                                        "start_time", "duration"}
    m = create(site, lobby=True, max_participants=8).json()
    body = reserve(site, m["room"]).json()
    assert body["max_occupants"] == 8 and body["lobby"] is True
    again = requests.get(f"{site.url}/jitsi/reservations/conference/{body['id']}",
                         headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert again.json() == body


def test_recording_off_in_every_token(site):
    m = create(site, recording=False).json()
    _, token = room_redirect(get(f"{site.url}/j/{token_of(m, 'ext.mod@partner.example')}"))
    assert claims_of(token)["context"]["features"] == {"recording": "false"}
    s = site.session("alice", "alice-password")
    _, token = room_redirect(s.get(f"{site.url}/start/{m['room']}", allow_redirects=False))
    assert claims_of(token)["context"]["features"] == {"recording": "false"}
    # Meetings that allow recording carry no features claim: the deployment decides.
    other = create(site).json()
    _, token = room_redirect(s.get(f"{site.url}/start/{other['room']}", allow_redirects=False))
    assert "features" not in claims_of(token)["context"]
