"""[policy]: what each person's Jitsi token grants, end to end through jmbd:
features by role and login (groups are unit-tested in tests/unit/test-policy.c,
and come from the directory or SAML), lobby_bypass only for invitees coming
through their link, recording off per meeting winning over the policy, no
features claim without a policy, and a config error for a misspelt entry."""
import jwt
import pytest

from jmb_links import bearer, get, room_redirect, slot, token_of

POLICY = {"recording": "owner, login:carol", "transcription": "anyone",
          "livestreaming": "login:carol", "lobby_bypass": "moderators"}


def claims_of(token):
    return jwt.decode(token, "test-secret-0123456789", algorithms=["HS256"], audience="jmb",
                      options={"verify_exp": False, "verify_nbf": False, "verify_iat": False})


@pytest.fixture
def site(jmbd_factory):
    d = jmbd_factory("policy", start=False, sections={
        "policy": POLICY, "jitsi": {"guest_tokens": "member"}})
    for user in ("alice", "carol"):
        d.add_user(user, f"{user}-password")
    return d.start()


def book(d, **options):
    r = bearer(d, "alice").post(d.url + "/api/v1/meetings", json={
        "title": "Seminar", "start": slot(hours=0.2).isoformat(), "duration": 60,
        "moderators": ["ext.mod@partner.example"], "guests": ["guest@outside.example"],
        "room_options": options})
    assert r.status_code == 201, r.text
    return r.json()


def token_via_start(d, login, room):
    s = d.session(login, f"{login}-password")
    return claims_of(room_redirect(s.get(f"{d.url}/start/{room}", allow_redirects=False))[1])


def token_via_link(d, m, mail):
    return claims_of(room_redirect(get(f"{d.url}/j/{token_of(m, mail)}"))[1])


def test_features_follow_the_policy(site):
    m = book(site)
    owner = token_via_start(site, "alice", m["room"])["context"]
    assert owner["features"] == {"recording": "true", "transcription": "true",
                                 "livestreaming": "false"}
    assert "lobby_bypass" not in owner["user"]  # /start/ is not a personal link
    moderator = token_via_link(site, m, "ext.mod@partner.example")["context"]
    assert moderator["features"] == {"recording": "false", "transcription": "true",
                                     "livestreaming": "false"}
    assert moderator["user"]["lobby_bypass"] is True
    guest = token_via_link(site, m, "guest@outside.example")["context"]
    assert guest["features"]["transcription"] == "true"
    assert "lobby_bypass" not in guest["user"]
    # carol's private room: she is its owner, and named for livestreaming.
    carol = token_via_start(site, "carol", "carol")["context"]
    assert carol["features"] == {"recording": "true", "transcription": "true",
                                 "livestreaming": "true"}


def test_meeting_without_recording_wins(site):
    m = book(site, recording=False)
    assert token_via_start(site, "alice", m["room"])["context"]["features"]["recording"] == "false"


@pytest.mark.parametrize("entry", ["grup:staff", "everyone", "group:"])
def test_misspelt_entries_stop_the_configuration(jmbd_factory, entry):
    d = jmbd_factory("bad", start=False, sections={"policy": {"recording": entry}})
    r = d.jmbctl("check-config", check=False)
    assert r.returncode == 78, r.stdout + r.stderr
    assert f"[policy] '{entry}' is not anyone, owner, moderators, guests" in r.stderr
