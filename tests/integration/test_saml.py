"""The `saml` auth plugin against a real jmbd: signed Responses made at test
time with xmlsec1 are accepted; every attack of issue 6 (unsigned, wrong key,
XSW1-8, comment truncation, replay, wrong Destination/Recipient/Audience/
Issuer/status, expired, not yet valid, unknown InResponseTo, DOCTYPE and
external entities) is refused with a 403 and a log line naming the check."""
import base64
import http.server
import re
import shutil
import threading
import zlib

import pytest
import requests

import saml_fixtures as sf

pytestmark = pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 tool not installed")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("saml-pki")
    keys = {name: sf.make_keypair(d, name, cn) for name, cn in
            (("idp", "idp.example.org"), ("attacker", "idp.example.org"), ("sp", "jmb.example.org"))}
    (d / "idp-metadata.xml").write_text(sf.idp_metadata(keys["idp"][1]))
    return d, keys


def saml_jmbd(jmbd_factory, pki, name="jmbd", **extra):
    d, _keys = pki
    conf = {"sp_entity_id": sf.SP_ENTITY, "idp_metadata_file": str(d / "idp-metadata.xml"),
            "request_secret": "test-request-secret-0123456789",
            "attribute_affiliation": sf.AFFILIATION, "clock_skew": "60"}
    conf.update(extra)
    return jmbd_factory(name=name, plugins="saml", sections={"auth.saml": conf})


@pytest.fixture
def sp(jmbd_factory, pki):
    return saml_jmbd(jmbd_factory, pki)


class Client:
    """What a browser does: is sent to the IdP, comes back with a Response."""

    def __init__(self, jmbd, pki):
        self.jmbd, self.dir, self.keys = jmbd, pki[0], pki[1]
        self.acs = jmbd.url + "/auth/saml/acs"
        self.http = requests.Session()

    def request_id(self, path="/meetings"):
        r = self.http.get(self.jmbd.url + path, allow_redirects=False)
        assert r.status_code == 302, r.text
        assert r.headers["Location"].startswith("https://idp.example.org/sso?SAMLRequest=")
        rid, _raw, query = sf.request_id_from_redirect(r.headers["Location"])
        assert query["RelayState"] == [path]
        return rid

    def signed(self, what="assertion", key="idp", **kw):
        xml = sf.response_xml(kw.pop("in_response_to", None) or self.request_id(), self.acs, **kw)
        k, c = self.keys[key]
        return sf.sign(xml, what, k, c, self.dir)

    def post(self, xml, relay="/meetings"):
        return self.http.post(self.acs, data={"SAMLResponse": sf.post_value(xml), "RelayState": relay},
                              allow_redirects=False)

    def assert_refused(self, r, check):
        assert r.status_code == 403, (r.status_code, r.text[:300])
        assert "refused" in r.text
        assert "jmb_session" not in r.headers.get("Set-Cookie", "")
        assert re.search(rf"event=saml_refused check={check}\b", self.jmbd.log()), self.jmbd.log()[-2000:]
        assert self.http.get(self.jmbd.url + "/meetings", allow_redirects=False).status_code == 302

    def assert_logged_in(self, r, uid="alice", name="Alice Durand", relay="/meetings"):
        assert r.status_code == 303, (r.status_code, r.text[:500], self.jmbd.log()[-1500:])
        assert r.headers["Location"].endswith(relay)
        page = self.http.get(self.jmbd.url + "/meetings", allow_redirects=False)
        assert page.status_code == 200
        assert name in page.text
        assert f'event=saml_login user="{uid}"' in self.jmbd.log() or \
            f"event=saml_login user={uid} " in self.jmbd.log(), self.jmbd.log()[-1500:]


@pytest.fixture
def client(sp, pki):
    return Client(sp, pki)


# ----------------------------------------------------------------- accepted

@pytest.mark.parametrize("what", ["assertion", "response", "both"])
def test_signed_response_logs_in(client, what):
    client.assert_logged_in(client.post(client.signed(what)))


def test_relay_state_is_kept_when_local(client):
    client.assert_logged_in(client.post(client.signed(), relay="/meetings/new"), relay="/meetings/new")


def test_foreign_relay_state_goes_to_meetings(client):
    r = client.post(client.signed(), relay="https://evil.example.net/")
    client.assert_logged_in(r, relay="/meetings")


def test_comment_in_name_id_does_not_truncate_the_uid(client):
    """user@evil.org<!---->.example.org: the signed value is the whole string
    (C14N drops comments); reading only the first text node would log in as
    user@evil.org."""
    uid = "user@evil.org.example.org"
    signed = client.signed(uid=uid, name="Eve")
    tampered = signed.replace(b">user@evil.org.example.org<", b">user@evil.org<!---->.example.org<")
    assert tampered.count(b"<!---->") == 2  # NameID and the uid attribute
    r = client.post(tampered)
    client.assert_logged_in(r, uid=uid, name="Eve")
    assert "user=user@evil.org " not in client.jmbd.log()


# ------------------------------------------------------------------ refused

def test_unsigned_response(client):
    xml = sf.response_xml(client.request_id(), client.acs)
    client.assert_refused(client.post(xml), "signature")


@pytest.mark.parametrize("what", ["assertion", "response"])
def test_wrong_key(client, what):
    client.assert_refused(client.post(client.signed(what, key="attacker")), "signature")


def test_tampered_after_signing(client):
    signed = client.signed()
    client.assert_refused(client.post(signed.replace(b">alice<", b">mallory<")), "signature")


@pytest.mark.parametrize("shape", [1, 2])
def test_xsw_response_wrapping(client, shape):
    client.assert_refused(client.post(sf.xsw(shape, client.signed("response"))), "assertion_count")


@pytest.mark.parametrize("shape", [3, 4, 5, 6, 7, 8])
def test_xsw_assertion_wrapping(client, shape):
    client.assert_refused(client.post(sf.xsw(shape, client.signed("assertion"))), "assertion_count")


def test_signed_response_moved_under_extensions(client):
    """The only assertion sits in a signed Response hidden under Extensions of
    an unsigned one: it is not the Response's own assertion."""
    from lxml import etree
    inner = etree.fromstring(client.signed("response"))
    outer = etree.fromstring(sf.response_xml(inner.get("InResponseTo"), client.acs))
    outer.remove(outer.find(f"{{{sf.SAML}}}Assertion"))
    ext = etree.SubElement(outer, f"{{{sf.SAMLP}}}Extensions")
    outer.find(f"{{{sf.SAML}}}Issuer").addnext(ext)
    ext.append(inner)
    client.assert_refused(client.post(etree.tostring(outer)), "assertion_count")


def test_duplicate_id_is_refused(client):
    """An evil assertion carrying the signed one's ID, the signed one elsewhere."""
    from lxml import etree
    root = etree.fromstring(client.signed("response"))
    ext = etree.SubElement(root, f"{{{sf.SAMLP}}}Extensions")
    ext.append(etree.fromstring(f'<x xmlns="urn:x" ID="{root.get("ID")}"/>'))
    client.assert_refused(client.post(etree.tostring(root)), "duplicate_id")


def test_replayed_response(client):
    signed = client.signed()
    client.assert_logged_in(client.post(signed))
    client.http.cookies.clear()
    client.assert_refused(client.post(signed), "replay")


def test_second_response_to_same_request(client):
    rid = client.request_id()
    client.assert_logged_in(client.post(client.signed(in_response_to=rid)))
    client.http.cookies.clear()
    client.assert_refused(client.post(client.signed(in_response_to=rid)), "replay")


def test_wrong_destination(client):
    xml = client.signed("response", destination="https://other.example.org/acs")
    client.assert_refused(client.post(xml), "destination")


def test_missing_destination(client):
    xml = sf.response_xml(client.request_id(), client.acs).replace(f' Destination="{client.acs}"', "")
    k, c = client.keys["idp"]
    client.assert_refused(client.post(sf.sign(xml, "assertion", k, c, client.dir)), "destination")


def test_wrong_recipient(client):
    client.assert_refused(client.post(client.signed(recipient="https://other.example.org/acs")),
                          "recipient")


def test_wrong_audience(client):
    client.assert_refused(client.post(client.signed(audience="https://other.example.org/sp")),
                          "audience")


def test_wrong_issuer(client):
    client.assert_refused(client.post(client.signed(issuer="https://evil.example.org/idp")), "issuer")


def test_expired(client):
    client.assert_refused(client.post(client.signed(not_before=-900, not_after=-300)),
                          "not_on_or_after")


def test_not_yet_valid(client):
    client.assert_refused(client.post(client.signed(not_before=600, not_after=1200)), "not_before")


def test_within_clock_skew_is_accepted(client):
    client.assert_logged_in(client.post(client.signed(not_before=30, not_after=300)))


def test_status_not_success(client):
    xml = client.signed("response", status="urn:oasis:names:tc:SAML:2.0:status:Responder")
    client.assert_refused(client.post(xml), "status")


def test_unknown_in_response_to(client):
    client.assert_refused(client.post(client.signed(in_response_to="_never-issued")), "in_response_to")


def test_forged_in_response_to(client):
    """A well-formed request ID whose MAC was made with another secret."""
    rid = client.request_id()
    forged = rid[:-5] + ("AAAAA" if not rid.endswith("AAAAA") else "BBBBB")
    client.assert_refused(client.post(client.signed(in_response_to=forged)), "in_response_to")


def test_request_of_another_sp_secret(jmbd_factory, pki):
    """An ID issued by a jmbd with another request_secret is not ours."""
    other = Client(saml_jmbd(jmbd_factory, pki, name="other",
                             request_secret="another-secret-0123456789abcdef"), pki)
    rid = other.request_id()
    sp = Client(saml_jmbd(jmbd_factory, pki, name="sp"), pki)
    sp.assert_refused(sp.post(sp.signed(in_response_to=rid)), "in_response_to")


def test_two_instances_share_request_ids(jmbd_factory, pki):
    """Same request_secret (here once from a file): a login started on one
    instance ends on another."""
    secret = pki[0] / "request-secret"
    secret.write_text("test-request-secret-0123456789\n")
    a = Client(saml_jmbd(jmbd_factory, pki, name="a", request_secret=None,
                         request_secret_file=str(secret)), pki)
    b = Client(saml_jmbd(jmbd_factory, pki, name="b"), pki)
    b.assert_logged_in(b.post(b.signed(in_response_to=a.request_id())))


def test_not_base64_and_not_xml(client):
    r = client.http.post(client.acs, data={"SAMLResponse": "!!!notbase64"}, allow_redirects=False)
    client.assert_refused(r, "binding")
    client.assert_refused(client.post(b"<samlp:Response"), "xml")
    client.assert_refused(client.http.post(client.acs, data={}, allow_redirects=False), "binding")


class Listener:
    """A tiny HTTP server that records every request: the proof that no
    external entity or DTD is ever fetched."""

    def __init__(self):
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"<!ENTITY x 'pwned'>")

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def listener():
    l = Listener()
    yield l
    l.close()


@pytest.mark.parametrize("form", ["system-entity", "external-dtd", "parameter-entity",
                                  "internal-entity", "doctype-after-signing"])
def test_doctype_and_external_entities(client, listener, form):
    signed = client.signed("both").decode()
    body = signed.split("?>", 1)[-1]
    doctypes = {
        "system-entity": f'<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM "{listener.url}/entity">]>',
        "external-dtd": f'<!DOCTYPE samlp:Response SYSTEM "{listener.url}/dtd">',
        "parameter-entity": f'<!DOCTYPE samlp:Response [<!ENTITY % p SYSTEM "{listener.url}/param"> %p;]>',
        "internal-entity": '<!DOCTYPE samlp:Response [<!ENTITY a "alice">]>',
        "doctype-after-signing": "<!DOCTYPE samlp:Response>",
    }
    if form == "system-entity":
        body = body.replace(">alice<", ">&xxe;<", 1)
    if form == "internal-entity":
        body = body.replace(">alice<", ">&a;<", 1)
    xml = '<?xml version="1.0"?>\n' + doctypes[form] + body
    client.assert_refused(client.post(xml), "xml")
    assert listener.hits == []


def test_utf16_is_refused(client):
    xml = client.signed().decode().split("?>", 1)[-1]
    client.assert_refused(client.post(('<?xml version="1.0" encoding="UTF-16"?>' + xml).encode("utf-16")),
                          "xml")


def test_encrypted_assertion_without_sp_key(client):
    xml = sf.encrypt_assertion(client.signed("assertion"), client.keys["sp"][1], client.dir)
    client.assert_refused(client.post(xml), "encrypted_assertion")


@pytest.fixture
def sp_with_key(jmbd_factory, pki):
    d, keys = pki
    return Client(saml_jmbd(jmbd_factory, pki, sp_key_file=str(keys["sp"][0]),
                            sp_cert_file=str(keys["sp"][1])), pki)


def test_encrypted_assertion_is_decrypted(sp_with_key):
    c = sp_with_key
    xml = sf.encrypt_assertion(c.signed("assertion"), c.keys["sp"][1], c.dir)
    assert b"EncryptedAssertion" in xml and b">alice<" not in xml
    c.assert_logged_in(c.post(xml))
    assert "encrypted=yes" in c.jmbd.log()


def test_encrypted_unsigned_assertion_is_refused(sp_with_key):
    c = sp_with_key
    xml = sf.encrypt_assertion(sf.response_xml(c.request_id(), c.acs).encode(), c.keys["sp"][1], c.dir)
    c.assert_refused(c.post(xml), "signature")


def test_encrypted_for_another_key_is_refused(sp_with_key):
    c = sp_with_key
    xml = sf.encrypt_assertion(c.signed("assertion"), c.keys["attacker"][1], c.dir)
    c.assert_refused(c.post(xml), "encrypted_assertion")


# ------------------------------------------------- redirect and metadata

def test_authn_request_redirect(client):
    r = client.http.get(client.jmbd.url + "/meetings/new", allow_redirects=False)
    assert r.status_code == 302
    rid, raw, query = sf.request_id_from_redirect(r.headers["Location"])
    assert query["RelayState"] == ["/meetings/new"]
    assert "Signature" not in query
    assert f'AssertionConsumerServiceURL="{client.acs}"'.encode() in raw
    assert b'Destination="https://idp.example.org/sso"' in raw
    assert f"<saml:Issuer>{sf.SP_ENTITY}</saml:Issuer>".encode() in raw
    assert rid.startswith("_")


def test_login_route_validates_next(client):
    r = client.http.get(client.jmbd.url + "/auth/saml/login", params={"next": "//evil.example.net/"},
                        allow_redirects=False)
    assert r.status_code == 302
    assert sf.request_id_from_redirect(r.headers["Location"])[2]["RelayState"] == ["/meetings"]


def test_signed_authn_request(sp_with_key):
    import subprocess
    c = sp_with_key
    r = c.http.get(c.jmbd.url + "/meetings", allow_redirects=False)
    location = r.headers["Location"]
    query_string = location.split("?", 1)[1]
    signed_part, signature = query_string.rsplit("&Signature=", 1)
    _rid, _raw, query = sf.request_id_from_redirect(location)
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
    from urllib.parse import unquote
    sig = c.dir / "redirect.sig"
    sig.write_bytes(base64.b64decode(unquote(signature)))
    data = c.dir / "redirect.txt"
    data.write_text(signed_part)
    pub = c.dir / "sp.pub"
    subprocess.run(["openssl", "x509", "-in", str(c.keys["sp"][1]), "-pubkey", "-noout", "-out", str(pub)],
                   check=True)
    out = subprocess.run(["openssl", "dgst", "-sha256", "-verify", str(pub), "-signature", str(sig),
                          str(data)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_sp_metadata(client, sp_with_key):
    r = client.http.get(client.jmbd.url + "/auth/saml/metadata")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/samlmetadata+xml")
    assert f'entityID="{sf.SP_ENTITY}"' in r.text
    assert f'Location="{client.acs}"' in r.text
    assert "X509Certificate" not in r.text
    r = sp_with_key.http.get(sp_with_key.jmbd.url + "/auth/saml/metadata")
    assert sf.cert_b64(sp_with_key.keys["sp"][1]) in r.text
    assert 'AuthnRequestsSigned="true"' in r.text


def test_bad_metadata_refuses_to_start(jmbd_factory, pki, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text('<!DOCTYPE x [<!ENTITY a "b">]><x/>')
    from conftest import Jmbd
    j = Jmbd(tmp_path / "badj", plugins="saml", sections={"auth.saml": {
        "sp_entity_id": sf.SP_ENTITY, "idp_metadata_file": str(bad)}})
    j.start(wait=False)
    assert j.proc.wait(timeout=20) != 0
    j.logfile.close()
    assert "IdP metadata" in j.log() and "DOCTYPE" in j.log()


def test_logout_clears_the_session(client):
    client.assert_logged_in(client.post(client.signed()))
    page = client.http.get(client.jmbd.url + "/meetings")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.http.post(client.jmbd.url + "/logout", data={"csrf": csrf}, allow_redirects=False)
    assert r.status_code in (200, 302, 303)
    assert client.http.get(client.jmbd.url + "/meetings", allow_redirects=False).status_code == 302
