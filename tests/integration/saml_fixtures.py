"""SAML test fixtures made at test time: throw-away keys and certificates
(openssl), IdP metadata, Responses built as XML text and signed (or
encrypted) with Debian's xmlsec1 tool, and the signature-wrapping shapes."""
import base64
import copy
import re
import subprocess
import uuid
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from lxml import etree

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
NS = {"samlp": SAMLP, "saml": SAML, "ds": DS, "xenc": XENC}
IDP_ENTITY = "https://idp.example.org/idp"
SP_ENTITY = "https://jmb.example.org/sp"
UID = "urn:oid:0.9.2342.19200300.100.1.1"
MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
NAME = "urn:oid:2.16.840.1.113730.3.1.241"
AFFILIATION = "urn:oid:1.3.6.1.4.1.5923.1.1.1.9"


def make_keypair(folder, name, cn):
    key, cert = Path(folder) / f"{name}.key", Path(folder) / f"{name}.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={cn}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return key, cert


def cert_b64(cert):
    text = Path(cert).read_text()
    return "".join(line for line in text.splitlines() if "CERTIFICATE" not in line)


def idp_metadata(cert, sso_url="https://idp.example.org/sso"):
    return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="{DS}" entityID="{IDP_ENTITY}">
  <md:IDPSSODescriptor protocolSupportEnumeration="{SAMLP}">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>
      <ds:X509Certificate>{cert_b64(cert)}</ds:X509Certificate>
    </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="{sso_url}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""


def ts(delta_seconds=0):
    t = datetime.now(timezone.utc) + timedelta(seconds=delta_seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id():
    return "_" + uuid.uuid4().hex


def response_xml(in_response_to, acs, uid="alice", mail="alice@example.org", name="Alice Durand",
                 destination=None, recipient=None, audience=SP_ENTITY, issuer=IDP_ENTITY,
                 not_before=-60, not_after=300, status="urn:oasis:names:tc:SAML:2.0:status:Success",
                 response_id=None, assertion_id=None, name_id=None):
    """A Response with one Assertion, as text (nothing signed yet)."""
    destination = acs if destination is None else destination
    recipient = acs if recipient is None else recipient
    name_id = uid if name_id is None else name_id
    response_id = response_id or new_id()
    assertion_id = assertion_id or new_id()
    return f"""<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{response_id}" Version="2.0" IssueInstant="{ts()}" Destination="{destination}" InResponseTo="{in_response_to}"><saml:Issuer>{issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="{status}"/></samlp:Status><saml:Assertion ID="{assertion_id}" Version="2.0" IssueInstant="{ts()}"><saml:Issuer>{issuer}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{name_id}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{ts(not_after)}" Recipient="{recipient}" InResponseTo="{in_response_to}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{ts(not_before)}" NotOnOrAfter="{ts(not_after)}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{ts()}" SessionIndex="{assertion_id}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="{UID}"><saml:AttributeValue>{uid}</saml:AttributeValue></saml:Attribute><saml:Attribute Name="{MAIL}"><saml:AttributeValue>{mail}</saml:AttributeValue></saml:Attribute><saml:Attribute Name="{NAME}"><saml:AttributeValue>{name}</saml:AttributeValue></saml:Attribute><saml:Attribute Name="{AFFILIATION}"><saml:AttributeValue>staff</saml:AttributeValue><saml:AttributeValue>member</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>"""


SIGNATURE_TEMPLATE = f"""<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#{{id}}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>"""


def _xmlsec_sign(xml, key, cert, workdir):
    src = Path(workdir) / f"in-{uuid.uuid4().hex}.xml"
    src.write_bytes(xml)
    out = subprocess.run(
        ["xmlsec1", "--sign", "--privkey-pem", f"{key},{cert}",
         "--id-attr:ID", f"{SAML}:Assertion", "--id-attr:ID", f"{SAMLP}:Response", str(src)],
        check=True, capture_output=True)
    return out.stdout


def sign(xml, what, key, cert, workdir):
    """Signs the Assertion, the Response, or both (assertion first), with the
    signature placed after the element's Issuer, as the schema wants."""
    if isinstance(xml, str):
        xml = xml.encode()
    order = {"assertion": ["Assertion"], "response": ["Response"],
             "both": ["Assertion", "Response"]}[what]
    for name in order:
        root = etree.fromstring(xml)
        el = root if name == "Response" else root.find(f"{{{SAML}}}Assertion")
        template = etree.fromstring(SIGNATURE_TEMPLATE.replace("{id}", el.get("ID")))
        el.find(f"{{{SAML}}}Issuer").addnext(template)
        xml = _xmlsec_sign(etree.tostring(root), key, cert, workdir)
    return xml


ENCRYPTION_TEMPLATE = f"""<xenc:EncryptedData xmlns:xenc="{XENC}" Type="http://www.w3.org/2001/04/xmlenc#Element"><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/><ds:KeyInfo xmlns:ds="{DS}"><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/><xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo><xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>"""


def encrypt_assertion(xml, sp_cert, workdir):
    """Replaces the Assertion by an EncryptedAssertion for sp_cert (xmlsec1 --encrypt)."""
    d = Path(workdir)
    data, tmpl = d / f"data-{uuid.uuid4().hex}.xml", d / f"tmpl-{uuid.uuid4().hex}.xml"
    data.write_bytes(xml)
    tmpl.write_text(ENCRYPTION_TEMPLATE)
    out = subprocess.run(
        ["xmlsec1", "--encrypt", "--pubkey-cert-pem", str(sp_cert), "--session-key", "aes-256",
         "--xml-data", str(data), "--node-name", f"{SAML}:Assertion", str(tmpl)],
        check=True, capture_output=True).stdout
    root = etree.fromstring(out)
    enc = root.find(f"{{{XENC}}}EncryptedData")
    wrapper = etree.Element(f"{{{SAML}}}EncryptedAssertion", nsmap={"saml": SAML})
    enc.addprevious(wrapper)
    wrapper.append(enc)
    return etree.tostring(root)


def post_value(xml):
    if isinstance(xml, str):
        xml = xml.encode()
    return base64.b64encode(xml).decode()


def request_id_from_redirect(location):
    """The ID of the AuthnRequest carried by an HTTP-Redirect binding URL."""
    query = parse_qs(urlparse(location).query)
    raw = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)
    return re.search(rb' ID="([^"]+)"', raw).group(1).decode(), raw, query


# ------------------------------------------------------------ wrapping (XSW)

def _parse(xml):
    return etree.fromstring(xml)


def _evil_assertion(signed_assertion, uid="mallory"):
    evil = copy.deepcopy(signed_assertion)
    for sig in evil.findall(f"{{{DS}}}Signature"):
        evil.remove(sig)
    evil.set("ID", new_id())
    for v in evil.iter(f"{{{SAML}}}AttributeValue"):
        if v.getparent().get("Name") == UID:
            v.text = uid
    evil.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID").text = uid
    return evil


def xsw(shape, signed):
    """Signature-wrapping shapes (Somorovsky et al., XSW1-XSW8) built from a
    validly signed Response (shapes 1, 2) or Assertion (3-8)."""
    root = _parse(signed)
    assertion = root.find(f"{{{SAML}}}Assertion")
    if shape in (1, 2):
        # A new unsigned Response with an evil assertion; the signed original
        # rides inside the copied Signature (1) or beside it (2).
        evil = copy.deepcopy(root)
        evil.set("ID", new_id())
        evil.find(f"{{{SAML}}}Assertion").set("ID", new_id())
        sig = evil.find(f"{{{DS}}}Signature")
        for v in evil.iter(f"{{{SAML}}}AttributeValue"):
            if v.getparent().get("Name") == UID:
                v.text = "mallory"
        original = copy.deepcopy(root)
        if shape == 1:
            obj = etree.SubElement(sig, f"{{{DS}}}Object")
            obj.append(original)
        else:
            sig.addnext(original)
        return etree.tostring(evil)
    sig = assertion.find(f"{{{DS}}}Signature")
    evil = _evil_assertion(assertion)
    if shape == 3:    # evil assertion before the signed one
        assertion.addprevious(evil)
    elif shape == 4:  # evil assertion wraps the signed one
        assertion.addprevious(evil)
        evil.append(assertion)
    elif shape == 5:  # evil assertion takes the signature, original appended after
        evil.find(f"{{{SAML}}}Issuer").addnext(copy.deepcopy(sig))
        assertion.addprevious(evil)
        root.remove(assertion)
        root.append(assertion)
    elif shape == 6:  # evil assertion's copied signature holds the original in Object
        evil_sig = copy.deepcopy(sig)
        evil.find(f"{{{SAML}}}Issuer").addnext(evil_sig)
        assertion.addprevious(evil)
        root.remove(assertion)
        etree.SubElement(evil_sig, f"{{{DS}}}Object").append(assertion)
    elif shape == 7:  # signed assertion moved under Extensions
        ext = etree.Element(f"{{{SAMLP}}}Extensions")
        root.find(f"{{{SAML}}}Issuer").addnext(ext)
        assertion.addprevious(evil)
        ext.append(assertion)
    elif shape == 8:  # original, unsigned-looking, inside Object of the evil signature
        evil_sig = copy.deepcopy(sig)
        evil.find(f"{{{SAML}}}Issuer").addnext(evil_sig)
        assertion.addprevious(evil)
        root.remove(assertion)
        assertion.remove(sig)
        obj = etree.SubElement(evil_sig, f"{{{DS}}}Object")
        obj.append(assertion)
    return etree.tostring(root)
