"""Jitsi tokens checked by an independent JWT implementation (python3-jwt):
HS256 signed with [jitsi] app_secret, RS256 with a throw-away RSA key and its
`kid`; every claim of doc/architecture.md, The Jitsi contract (iss = app_id,
aud = audience, sub = domain or
tenant, room, nbf = now − token_skew, exp = now + lifetime: owners and internal
moderators 15 min, external moderators 30 min, or as configured; context.user
id, name, email, moderator, affiliation); expiry and not-before as python3-jwt
reads them; guests get no token (guest_tokens = none) or a member token
(guest_tokens = member); the redirect is exactly <base_url>/<room>?jwt=<token>;
no token ever reaches jmbd's log, and token redirects are never cached nor
leaked through Referer."""
import re
import subprocess
import time
from datetime import datetime, timedelta

import jwt
import pytest

from jmb_links import UTC, book, get, jmbd_sharing, room_redirect, slot, token_of

SECRET = "test-secret-0123456789"
JITSI = {"base_url": "https://meet.example.org/", "domain": "meet.example.org",
         "app_id": "jmb-app", "audience": "chat", "token_skew": "30"}
USER_KEYS = {"id", "name", "email", "moderator", "affiliation"}


@pytest.fixture
def make(jmbd_factory):
    """A jmbd with users alice, bob and carol and [jitsi] = JITSI + overrides."""
    def make(name="jmbd", **jitsi):
        d = jmbd_factory(name, start=False, sections={"jitsi": {**JITSI, **jitsi}})
        for user in ("alice", "bob", "carol"):
            d.add_user(user, f"{user}-password")
        return d.start()
    return make


def decode_hs256(token, secret=SECRET, audience="chat", issuer="jmb-app"):
    return jwt.decode(token, secret, algorithms=["HS256"], audience=audience, issuer=issuer,
                      options={"require": ["exp", "nbf", "iss", "aud", "sub"]})


def soon_meeting(d, **kwargs):
    """A meeting starting in about ten minutes: its owner may start it now."""
    return book(d, start=slot(hours=10 / 60), **kwargs)


def timed(fn):
    """(result, integer clock before, integer clock after) around fn()."""
    before = int(time.time())
    result = fn()
    return result, before, int(time.time()) + 1


def check_times(claims, before, after, lifetime, skew=30):
    """nbf = now − skew and exp = now + lifetime, for one `now` within [before, after]."""
    now = claims["nbf"] + skew
    assert before <= now <= after, (claims, before, after)
    assert claims["exp"] == now + lifetime, claims
    if "iat" in claims:
        assert claims["iat"] == now, claims


def test_owner_token_hs256_every_claim(make):
    d = make()
    m = soon_meeting(d)
    alice = d.session("alice", "alice-password")
    r, before, after = timed(lambda: alice.get(f"{d.url}/start/{m['room']}",
                                               allow_redirects=False))
    room, token = room_redirect(r)
    assert room == m["room"]
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "HS256", "typ": "JWT"}
    claims = decode_hs256(token)
    assert set(claims) - {"iat"} == {"iss", "aud", "sub", "room", "nbf", "exp", "context"}
    assert claims["iss"] == "jmb-app"
    assert claims["aud"] == "chat"
    assert claims["sub"] == "meet.example.org"
    assert claims["room"] == m["room"]
    check_times(claims, before, after, 15 * 60)
    assert claims["context"] == {"user": {
        "id": "alice", "name": "Alice", "email": "alice@example.org", "moderator": True,
        "affiliation": "owner"}}


def test_signature_is_checked_by_the_verifier(make):
    """The verifier is not a rubber stamp: a wrong secret or a changed claim fails."""
    d = make()
    alice = d.session("alice", "alice-password")
    _, token = room_redirect(alice.get(d.url + "/start/alice", allow_redirects=False))
    with pytest.raises(jwt.InvalidSignatureError):
        decode_hs256(token, secret="another-secret-0123456789")
    signature = token.split(".")[2]
    forged = jwt.encode({**decode_hs256(token), "room": "elsewhere"}, "x", algorithm="HS256")
    with pytest.raises(jwt.InvalidSignatureError):
        decode_hs256(".".join(forged.split(".")[:2] + [signature]))
    with pytest.raises(jwt.InvalidAudienceError):
        decode_hs256(token, audience="jitsi")
    with pytest.raises(jwt.InvalidIssuerError):
        decode_hs256(token, issuer="someone-else")


def test_internal_moderator_token(make):
    d = make()
    m = soon_meeting(d, moderators=["carol@example.org"])
    carol = d.session("carol", "carol-password")
    r, before, after = timed(lambda: carol.get(f"{d.url}/start/{m['room']}",
                                               allow_redirects=False))
    room, token = room_redirect(r)
    claims = decode_hs256(token)
    assert room == claims["room"] == m["room"]
    check_times(claims, before, after, 15 * 60)
    assert claims["context"]["user"] == {
        "id": "carol", "name": "Carol", "email": "carol@example.org", "moderator": True,
        "affiliation": "owner"}


def test_external_moderator_token_from_the_stored_address(make):
    d = make()
    m = book(d, moderators=["Ext.Mod@Partner.example"], guests=["bob@example.org"])
    link = f"{d.url}/j/{token_of(m, 'ext.mod@partner.example')}"
    r, before, after = timed(lambda: get(link))
    room, token = room_redirect(r)
    claims = decode_hs256(token)
    assert room == claims["room"] == m["room"]
    assert claims["sub"] == "meet.example.org"
    check_times(claims, before, after, 30 * 60)
    user = claims["context"]["user"]
    assert set(user) == USER_KEYS
    assert user["email"] == user["id"] == "ext.mod@partner.example"
    assert user["name"] == "ext.mod@partner.example"  # no name stored: the address
    assert user["moderator"] is True and user["affiliation"] == "owner"


def test_configured_lifetimes_and_tenant(make):
    d = make(owner_token_lifetime="600", external_token_lifetime="1200", token_skew="5",
             tenant="acme")
    m = book(d, moderators=["ext@partner.example"])
    alice = d.session("alice", "alice-password")
    r, before, after = timed(lambda: alice.get(d.url + "/start/alice", allow_redirects=False))
    claims = decode_hs256(room_redirect(r)[1])
    check_times(claims, before, after, 600, skew=5)
    assert claims["sub"] == "acme"
    r, before, after = timed(lambda: get(f"{d.url}/j/{token_of(m, 'ext@partner.example')}"))
    claims = decode_hs256(room_redirect(r)[1])
    check_times(claims, before, after, 1200, skew=5)
    assert claims["sub"] == "acme"


def test_guests_get_no_token_by_default(make):
    d = make()
    m = book(d, guests=["bob@example.org", "guest@outside.example"])
    for mail in ("bob@example.org", "guest@outside.example"):
        r = get(f"{d.url}/j/{token_of(m, mail)}")
        assert room_redirect(r) == (m["room"], None)
        assert r.headers["Location"] == f"https://meet.example.org/{m['room']}"


def test_guests_get_a_member_token_when_configured(make):
    d = make(guest_tokens="member")
    m = book(d, guests=["guest@outside.example"])
    r, before, after = timed(lambda: get(f"{d.url}/j/{token_of(m, 'guest@outside.example')}"))
    room, token = room_redirect(r)
    claims = decode_hs256(token)
    assert room == claims["room"] == m["room"]
    assert claims["nbf"] + 30 in range(before, after + 1)
    assert 60 <= claims["exp"] - claims["nbf"] - 30 <= 30 * 60
    assert claims["context"]["user"] == {
        "id": "guest@outside.example", "name": "guest@outside.example",
        "email": "guest@outside.example", "moderator": False, "affiliation": "member"}


@pytest.fixture
def rsa_keys(tmp_path):
    """(private key file, public key PEM, another key's public PEM), made now by openssl."""
    out = []
    for name in ("jitsi", "other"):
        key = tmp_path / f"{name}.pem"
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:2048", "-out", str(key)], check=True,
                       capture_output=True, timeout=60)
        pub = subprocess.run(["openssl", "pkey", "-in", str(key), "-pubout"], check=True,
                             capture_output=True, text=True, timeout=60).stdout
        out.append((key, pub))
    return out[0][0], out[0][1], out[1][1]


def test_rs256_with_kid(make, rsa_keys):
    key_file, public, other_public = rsa_keys
    d = make(app_secret=None, private_key_file=str(key_file), key_id="jmb-2026-11")
    m = book(d, moderators=["ext@partner.example"])
    alice = d.session("alice", "alice-password")
    tokens = []
    r, before, after = timed(lambda: alice.get(d.url + "/start/alice", allow_redirects=False))
    tokens.append((room_redirect(r), before, after, 15 * 60, "alice"))
    r, before, after = timed(lambda: get(f"{d.url}/j/{token_of(m, 'ext@partner.example')}"))
    tokens.append((room_redirect(r), before, after, 30 * 60, m["room"]))
    for (room, token), before, after, lifetime, expected_room in tokens:
        assert room == expected_room
        assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT",
                                                    "kid": "jmb-2026-11"}
        claims = jwt.decode(token, public, algorithms=["RS256"], audience="chat",
                            issuer="jmb-app")
        assert claims["room"] == expected_room and claims["sub"] == "meet.example.org"
        check_times(claims, before, after, lifetime)
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, other_public, algorithms=["RS256"], audience="chat")
        with pytest.raises(jwt.InvalidAlgorithmError):
            jwt.decode(token, SECRET, algorithms=["HS256"], audience="chat")


def test_expiry_and_not_before_as_a_verifier_reads_them(make, jmbd_factory):
    """Tokens minted by a jmbd whose clock is 20 min behind have expired (owner
    lifetime 15 min); 5 min ahead they are not valid yet (skew 30 s). Prosody
    checks exp and nbf only, so iat is left out of this check."""
    d = make()
    now = datetime.now(UTC)
    for name, at, error in (("late", now - timedelta(minutes=20), jwt.ExpiredSignatureError),
                            ("early", now + timedelta(minutes=5), jwt.ImmatureSignatureError)):
        other = jmbd_sharing(jmbd_factory, d, name, at=at)
        alice = other.session("alice", "alice-password")
        _, token = room_redirect(alice.get(other.url + "/start/alice", allow_redirects=False))
        with pytest.raises(error):
            jwt.decode(token, SECRET, algorithms=["HS256"], audience="chat",
                       options={"verify_iat": False})
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="chat",
                            options={"verify_exp": False, "verify_nbf": False,
                                     "verify_iat": False})
        assert abs(claims["nbf"] + 30 - at.timestamp()) < 5
        assert claims["exp"] - claims["nbf"] == 15 * 60 + 30


def test_room_names_are_lowercase(make):
    d = make()
    alice = d.session("alice", "alice-password")
    room, token = room_redirect(alice.get(d.url + "/start/ALICE", allow_redirects=False))
    assert room == "alice" and decode_hs256(token)["room"] == "alice"


def test_token_redirects_are_private_and_tokens_never_logged(make):
    d = make(guest_tokens="member")
    m = soon_meeting(d, moderators=["ext@partner.example", "carol@example.org"],
                     guests=["guest@outside.example"])
    alice = d.session("alice", "alice-password")
    carol = d.session("carol", "carol-password")
    answers = [alice.get(f"{d.url}/start/{m['room']}", allow_redirects=False),
               alice.get(d.url + "/start/alice", allow_redirects=False),
               carol.get(f"{d.url}/start/{m['room']}", allow_redirects=False),
               get(f"{d.url}/j/{token_of(m, 'ext@partner.example')}"),
               get(f"{d.url}/j/{token_of(m, 'guest@outside.example')}")]
    jwts = [room_redirect(r)[1] for r in answers]
    assert all(jwts) and len(set(jwts)) == len(jwts)
    for r in answers:
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "no-store" in r.headers["Cache-Control"]
    log = d.log()
    # the log is written, and it is the right one: each join on its request's line
    assert re.search(r'event="?request"? .*path="?/j/<token>"? status="?302"? .*'
                     rf'room="?{m["room"]}"? as="?moderator"?', log), log
    secrets = jwts + [sig for t in jwts for sig in t.split(".")]
    secrets += [token_of(m, a["mail"]) for a in m["attendees"]]
    for secret in secrets:
        assert secret not in log
    assert "eyJ" not in log  # no base64url JSON (JWT header or claims) at all
