"""The `ldap-bind` auth plugin against a real slapd: the entry is found with the
service account and user_filter, then the password is checked by binding as
it; an empty password never reaches a bind; a wrong password and an unknown
user get the same answer after the same time; filter syntax in the login finds
nobody; a directory that is down or frozen answers 503 "directory unavailable",
never "wrong password"; StartTLS with a test CA; fail-over between URIs."""
import time
from pathlib import Path

import pytest
import requests

from conftest import csrf_of
from helpers import NEXT_YEAR, Page
from ldap_setup import INJECTIONS, ldap_jmbd, ldap_login, ldap_section, logged_in
from servers.slapd import SlapdServer, free_port

FIXTURE = (Path(__file__).parent / "servers" / "slapd-fixture.ldif").read_text()
WRONG = "Wrong user name or password."
DOWN = "The directory is unavailable"


@pytest.fixture
def ldapd(jmbd_factory, slapd):
    return ldap_jmbd(jmbd_factory, slapd)


@pytest.fixture
def own_slapd():
    """A directory of this test's own, to stop or freeze."""
    with SlapdServer(FIXTURE) as server:
        yield server


def test_login_with_directory_password(ldapd):
    s = logged_in(ldapd, "chloe")
    r = s.get(ldapd.url + "/meetings")
    assert r.status_code == 200
    assert "Chloé Lefèvre" in Page(r.text).text
    assert "login user=chloe via=ldap-bind" in ldapd.log().replace('"', "")


def test_identity_from_the_entry(ldapd):
    """Name, every address (primary first, lower-case) and groups come from the entry."""
    s = logged_in(ldapd, "alice")
    r = s.post(ldapd.url + "/api/v1/meetings",
               json={"title": "Mine", "start": f"{NEXT_YEAR}-06-01T10:00:00Z", "duration": 60,
                     "guests": ["Alice.Martin@example.org"]})
    # The identity holds the secondary addresses: inviting oneself is refused.
    assert r.status_code == 422, r.text
    assert "yourself" in r.json()["fields"]["guests"]
    r = s.post(ldapd.url + "/api/v1/meetings",
               json={"title": "Mine", "start": f"{NEXT_YEAR}-06-01T10:00:00Z", "duration": 60})
    assert r.status_code == 201, r.text
    assert r.json()["owner"] == {"login": "alice", "mail": "alice@example.org",
                                 "name": "Alice Martin"}


def test_wrong_password_and_unknown_user_look_the_same(ldapd):
    answers = []
    for login, password in [("alice", "not-her-password"), ("nobody", "whatever"),
                            ("alice", "alice-password ")]:
        started = time.monotonic()
        _, r = ldap_login(ldapd, login, password)
        answers.append((r.status_code, Page(r.text).alerts, time.monotonic() - started))
    assert {a[0] for a in answers} == {401}
    assert all(a[1] == [WRONG] for a in answers)
    times = [a[2] for a in answers]
    # failure_time pads every refusal to the same 400 ms.
    assert min(times) >= 0.39
    assert max(times) - min(times) < 0.2, times


def test_empty_password_is_refused_before_any_bind(ldapd, slapd):
    # An empty password would be an "unauthenticated bind", which slapd may accept.
    for password in ("", None):
        s = requests.Session()
        r = s.get(ldapd.url + "/auth/ldap-bind/login")
        data = {"csrf": csrf_of(r.text), "login": "alice"}
        if password is not None:
            data["password"] = password
        r = s.post(ldapd.url + "/auth/ldap-bind/login", data=data, allow_redirects=False)
        assert r.status_code == 401
        assert Page(r.text).alerts == [WRONG]
        assert s.get(ldapd.url + "/meetings", allow_redirects=False).status_code == 302


def test_login_needs_the_form_csrf(ldapd):
    r = requests.post(ldapd.url + "/auth/ldap-bind/login",
                      data={"login": "alice", "password": "alice-password"},
                      allow_redirects=False)
    assert r.status_code == 403


@pytest.mark.parametrize("login", INJECTIONS)
def test_filter_syntax_in_the_login_finds_nobody(ldapd, login):
    _, r = ldap_login(ldapd, login, "alice-password")
    assert r.status_code == 401, r.text
    assert Page(r.text).alerts == [WRONG]


def test_a_login_with_filter_characters_is_found_exactly(ldapd):
    """uid=star* exists: escaping finds it, and "star" alone or "st*" do not."""
    s = logged_in(ldapd, "star*", "star-password")
    assert "Star Login" in Page(s.get(ldapd.url + "/meetings").text).text
    for other in ("star", "st*", "star\\2a"):
        _, r = ldap_login(ldapd, other, "star-password")
        assert r.status_code == 401


def test_the_login_is_the_entrys_own(ldapd):
    """LDAP matching ignores case and outer spaces; the session keeps the entry's uid."""
    s = logged_in(ldapd, " ALICE ", "alice-password")
    r = s.post(ldapd.url + "/api/v1/meetings",
               json={"title": "Canonical", "start": f"{NEXT_YEAR}-06-01T10:00:00Z", "duration": 60})
    assert r.json()["owner"]["login"] == "alice"


def test_nul_and_non_utf8_logins_are_refused(ldapd):
    s = requests.Session()
    csrf = csrf_of(s.get(ldapd.url + "/auth/ldap-bind/login").text)
    for body in (f"csrf={csrf}&login=alice%00&password=alice-password",
                 f"csrf={csrf}&login=al%FFice&password=alice-password",
                 f"csrf={csrf}&login=alice&password=alice-password%00x"):
        r = s.post(ldapd.url + "/auth/ldap-bind/login", data=body.encode(),
                   headers={"Content-Type": "application/x-www-form-urlencoded"},
                   allow_redirects=False)
        assert r.status_code in (400, 401), r.text
    assert s.get(ldapd.url + "/meetings", allow_redirects=False).status_code == 302


def test_anonymous_pages_challenge_to_the_form(ldapd):
    r = requests.get(ldapd.url + "/meetings/new", allow_redirects=False)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/auth/ldap-bind/login?next=")


def test_directory_down_is_not_a_wrong_password(jmbd_factory, own_slapd):
    # retry_after = 0: no hold-down, the directory is asked again at once.
    d = ldap_jmbd(jmbd_factory, own_slapd, ldap={"timeout": "1", "retry_after": "0"})
    s = logged_in(d, "bob")
    own_slapd.stop()
    _, r = ldap_login(d, "alice", "alice-password")
    assert r.status_code == 503
    assert DOWN in Page(r.text).text
    # A session opened earlier keeps working without the directory.
    assert s.get(d.url + "/meetings").status_code == 200
    own_slapd.start()
    # Reconnects: pooled connections to the old process are dead.
    assert logged_in(d, "alice")


def test_frozen_directory_answers_503_after_timeout(jmbd_factory, own_slapd):
    # retry_after = 0: no hold-down, the directory is asked again at once.
    d = ldap_jmbd(jmbd_factory, own_slapd, ldap={"timeout": "1", "retry_after": "0"})
    logged_in(d, "bob")  # leaves a pooled connection
    own_slapd.pause()
    try:
        started = time.monotonic()
        _, r = ldap_login(d, "alice", "alice-password")
        elapsed = time.monotonic() - started
    finally:
        own_slapd.resume()
    assert r.status_code == 503
    assert DOWN in Page(r.text).text
    assert elapsed < 6, elapsed
    assert logged_in(d, "alice")


def test_fail_over_to_the_next_uri(jmbd_factory, slapd):
    dead = f"ldap://127.0.0.1:{free_port()}"
    d = ldap_jmbd(jmbd_factory, slapd, ldap={"uri": f"{dead}, {slapd.uri}"})
    assert logged_in(d, "alice")


def test_starttls_with_the_test_ca(jmbd_factory, slapd):
    d = ldap_jmbd(jmbd_factory, slapd, ldap={"starttls": "yes", "ca_file": str(slapd.ca_file)})
    assert logged_in(d, "alice")


def test_starttls_refuses_an_unknown_ca(jmbd_factory, slapd, tmp_path):
    from servers.slapd import make_test_ca
    other_ca, _, _ = make_test_ca(tmp_path)
    d = ldap_jmbd(jmbd_factory, slapd, ldap={"starttls": "yes", "ca_file": str(other_ca)})
    _, r = ldap_login(d, "alice", "alice-password")
    assert r.status_code == 503
    assert "StartTLS" in d.log()


def test_ldap_bind_needs_an_ldap_section(jmbd_factory):
    d = jmbd_factory(plugins="ldap-bind", start=False)
    r = d.jmbctl("check-config", check=False)
    assert r.returncode != 0
    assert "ldap-bind needs [ldap] uri" in r.stdout + r.stderr


@pytest.mark.parametrize("case", ["missing", "folder", "not-a-certificate"])
def test_a_ca_file_that_cannot_work_stops_start_up(jmbd_factory, slapd, tmp_path, case):
    """libldap would go on with its own default CAs: jmbd and jmbctl refuse."""
    ca_file = {"missing": tmp_path / "no-such-ca.pem", "folder": tmp_path,
               "not-a-certificate": tmp_path / "ca.pem"}[case]
    if case == "not-a-certificate":
        ca_file.write_text("this is not a certificate\n")
    d = ldap_section(slapd, starttls="yes", ca_file=str(ca_file))
    d = jmbd_factory(plugins="ldap-bind", start=False, sections={"ldap": d})
    r = d.jmbctl("check-config", check=False)
    assert r.returncode != 0
    assert f"[ldap] ca_file: {ca_file}" in r.stderr, r.stderr
    d.start(wait=False)
    assert d.proc.wait(timeout=20) == 78  # EX_CONFIG
    assert f"[ldap] ca_file: {ca_file}" in d.log()


def test_check_config_connect_reaches_the_directory(jmbd_factory, slapd):
    good = jmbd_factory(plugins="ldap-bind", start=False, sections={"ldap": ldap_section(slapd)})
    r = good.jmbctl("check-config", "--connect")
    assert f"directory: {slapd.uri} answers" in r.stdout
    assert "configuration is valid" in good.jmbctl("check-config").stdout, "no --connect: no server"

    wrong = ldap_section(slapd, bind_password="not-the-password")
    d = jmbd_factory(name="wrong", plugins="ldap-bind", start=False, sections={"ldap": wrong})
    assert d.jmbctl("check-config").returncode == 0, "without --connect the password is not tried"
    r = d.jmbctl("check-config", "--connect", check=False)
    assert r.returncode == 69 and r.stderr.startswith("directory: "), r.stderr  # EX_UNAVAILABLE

