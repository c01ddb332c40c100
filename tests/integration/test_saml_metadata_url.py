"""[auth.saml] idp_metadata_url: jmbd fetches the IdP metadata from a tiny
HTTP server on the loopback started by the test, checks it like a file, keeps
a copy in idp_metadata_cache and logs people in with it; restarts from the
cache (with a warning) when the server is down or answers something that is
not the IdP's metadata (too large, not XML, a DOCTYPE, an HTTP error, a
redirect off http(s)); refuses to start when there is neither; picks up new
signing keys on SIGHUP and from the background refresh."""
import http.server
import os
import re
import shutil
import signal
import threading
import time

import pytest

import saml_fixtures as sf
from conftest import Jmbd
from test_saml import Client

pytestmark = pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 tool not installed")

TEN_MIB = 10 * 1024 * 1024


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("saml-md-pki")
    keys = {name: sf.make_keypair(d, name, cn) for name, cn in
            (("idp", "idp.example.org"), ("idp2", "idp.example.org"), ("sp", "jmb.example.org"))}
    return d, keys


class MetadataServer:
    """Serves answers set by the test (path -> status, headers, body), records
    every request; a body of None hangs up without answering, "hang" never
    answers. Once closed its port refuses connections."""

    def __init__(self):
        self.routes, self.hits = {}, []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):
                outer.hits.append((self.path, dict(self.headers)))
                status, headers, body = outer.routes.get(self.path, (404, {}, b"not found"))
                if body == "hang":
                    time.sleep(30)
                    return
                self.send_response(status)
                for k, v in headers.items():
                    if not k.startswith("_"):
                        self.send_header(k, v)
                if "Content-Length" not in headers and not headers.get("_no_length"):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = self.base + "/idp/metadata"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, body, path="/idp/metadata", status=200, headers=None):
        if body != "hang":
            body = body.encode() if isinstance(body, str) else body
        self.routes[path] = (status, headers or {"Content-Type": "application/samlmetadata+xml"}, body)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def md_server(pki):
    s = MetadataServer()
    s.serve(sf.idp_metadata(pki[1]["idp"][1]))
    yield s
    s.close()


def url_jmbd(tmp_path, pki, url, start=True, name="jmbd", **extra):
    conf = {"sp_entity_id": sf.SP_ENTITY, "idp_metadata_url": url,
            "idp_metadata_cache": str(tmp_path / "cache" / "idp-metadata.xml"),
            "request_secret": "test-request-secret-0123456789", "clock_skew": "60"}
    conf.update(extra)
    (tmp_path / "cache").mkdir(exist_ok=True)
    j = Jmbd(tmp_path / name, plugins="saml", sections={"auth.saml": conf})
    return j.start() if start else j


@pytest.fixture
def started(tmp_path):
    """Every jmbd made by a test, stopped at its end."""
    made = []
    yield made
    for j in made:
        if j.proc is not None and j.proc.poll() is None:
            j.proc.kill()
            j.proc.wait()
            j.logfile.close()


def cache_of(tmp_path):
    return tmp_path / "cache" / "idp-metadata.xml"


def refuses_to_start(j):
    j.start(wait=False)
    assert j.proc.wait(timeout=90) != 0, j.log()
    j.logfile.close()
    return j.log()


def wait_for_log(j, pattern, timeout=20, after=0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.search(pattern, j.log()[after:])
        if m:
            return m
        time.sleep(0.1)
    raise AssertionError(f"{pattern!r} not logged:\n{j.log()[-3000:]}")


def login_works(j, pki, key="idp"):
    c = Client(j, pki)
    c.assert_logged_in(c.post(c.signed(key=key)))


def restart(j):
    j.stop()
    j.start()


# ------------------------------------------------------------------ fetched

def test_fetched_cached_and_logs_in(tmp_path, pki, md_server, started):
    j = url_jmbd(tmp_path, pki, md_server.url)
    started.append(j)
    assert len(md_server.hits) == 1
    path, headers = md_server.hits[0]
    assert path == "/idp/metadata"
    assert headers["User-Agent"].startswith("jmbd/")
    assert "application/samlmetadata+xml" in headers["Accept"]
    # The cache holds exactly what was served, written whole: no temporary file left.
    assert cache_of(tmp_path).read_bytes() == md_server.routes["/idp/metadata"][2]
    assert os.listdir(tmp_path / "cache") == ["idp-metadata.xml"]
    assert re.search(r"event=saml_metadata source=\S*127\.0\.0\.1\S*/idp/metadata idp="
                     + re.escape(sf.IDP_ENTITY), j.log()), j.log()
    assert "saml_metadata_fetch_failed" not in j.log()
    login_works(j, pki)
    c = Client(j, pki)
    c.assert_refused(c.post(c.signed(key="idp2")), "signature")


def test_restart_from_cache_when_the_server_is_down(tmp_path, pki, md_server, started):
    j = url_jmbd(tmp_path, pki, md_server.url)
    started.append(j)
    cached = cache_of(tmp_path).read_bytes()
    j.stop()
    md_server.close()
    j.start()
    log = j.log()
    assert re.search(r"level=warning event=saml_metadata_fetch_failed url=\S+ error=.*"
                     r"note=\"using the cached copy\" cache=\S+idp-metadata\.xml cached_at=20\d\d-",
                     log), log
    assert cache_of(tmp_path).read_bytes() == cached
    login_works(j, pki)


def test_neither_server_nor_cache_refuses_to_start(tmp_path, pki, md_server):
    md_server.close()
    j = url_jmbd(tmp_path, pki, md_server.url, start=False)
    log = refuses_to_start(j)
    assert not cache_of(tmp_path).exists()
    # The message names the line of idp_metadata_url, what failed and the missing cache.
    assert re.search(r"jmb\.conf:\d+: \[auth\.saml\] idp_metadata_url: cannot get the IdP "
                     r"metadata \(http://127\.0\.0\.1:\d+/idp/metadata: .*\), and "
                     r"idp_metadata_cache has no usable copy \(.*idp-metadata\.xml: cannot open",
                     log), log


@pytest.mark.parametrize("length", ["content-length", "no-length"])
def test_oversized_answer_is_refused(tmp_path, pki, md_server, started, length):
    """Refused whether the size is announced (Content-Length) or only found
    while reading; the good cached copy is used and kept."""
    j = url_jmbd(tmp_path, pki, md_server.url)
    started.append(j)
    cached = cache_of(tmp_path).read_bytes()
    good = md_server.routes["/idp/metadata"][2]
    # Well-formed metadata padded with a comment past 10 MiB.
    huge = good.replace(b"</md:EntityDescriptor>",
                        b"<!--" + b"x" * (TEN_MIB + 1) + b"--></md:EntityDescriptor>")
    md_server.serve(huge, headers={"Content-Type": "application/xml", "_no_length": "1"}
                    if length == "no-length" else None)
    restart(j)
    assert re.search(r"event=saml_metadata_fetch_failed .*larger than 10 MiB", j.log()), j.log()
    assert cache_of(tmp_path).read_bytes() == cached
    login_works(j, pki)


BAD_ANSWERS = {
    "html": (200, b"<html><body>Maintenance</body></html>", "no IdP EntityDescriptor"),
    "not-xml": (200, b'{"error": "not xml"}', "not well-formed XML"),
    "truncated": (200, None, "not well-formed XML"),
    "doctype": (200, None, "DOCTYPE"),
    "no-signing-key": (200, None, "no signing certificate"),
    "http-500": (500, b"<oops/>", "HTTP 500"),
    "http-404": (404, b"not found", "HTTP 404"),
}


def bad_body(kind, good):
    status, body, why = BAD_ANSWERS[kind]
    if kind == "truncated":
        body = good[: len(good) // 2]
    elif kind == "doctype":
        body = good.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0"?>\n<!DOCTYPE md:EntityDescriptor '
                            b'[<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    elif kind == "no-signing-key":
        body = re.sub(rb"<md:KeyDescriptor.*?</md:KeyDescriptor>", b"", good, flags=re.S)
    return status, body, why


@pytest.mark.parametrize("kind", list(BAD_ANSWERS))
def test_bad_answer_falls_back_to_the_cache(tmp_path, pki, md_server, started, kind):
    j = url_jmbd(tmp_path, pki, md_server.url)
    started.append(j)
    cached = cache_of(tmp_path).read_bytes()
    status, body, why = bad_body(kind, md_server.routes["/idp/metadata"][2])
    md_server.serve(body, status=status)
    restart(j)
    m = re.search(r"event=saml_metadata_fetch_failed .*", j.log())
    assert m and why in m.group(0), j.log()
    assert cache_of(tmp_path).read_bytes() == cached  # never overwritten by a bad answer
    login_works(j, pki)


def test_bad_answer_without_cache_refuses_to_start(tmp_path, pki, md_server):
    md_server.serve(b"<html><p>unclosed")
    log = refuses_to_start(url_jmbd(tmp_path, pki, md_server.url, start=False))
    assert "idp_metadata_url: cannot get the IdP metadata" in log
    assert "not well-formed XML" in log
    assert not cache_of(tmp_path).exists()


def test_corrupt_cache_is_not_used(tmp_path, pki, md_server):
    md_server.close()
    j = url_jmbd(tmp_path, pki, md_server.url, start=False)
    cache_of(tmp_path).write_text("<md:EntityDescriptor")
    log = refuses_to_start(j)
    assert re.search(r"idp_metadata_cache has no usable copy \(\S+idp-metadata\.xml: IdP metadata: "
                     r"not well-formed XML\)", log), log


def test_wrong_idp_in_answer_falls_back(tmp_path, pki, md_server, started):
    """idp_entity_id picks the IdP: a document without it is not used."""
    j = url_jmbd(tmp_path, pki, md_server.url, idp_entity_id=sf.IDP_ENTITY)
    started.append(j)
    good = md_server.routes["/idp/metadata"][2]
    md_server.serve(good.replace(sf.IDP_ENTITY.encode(), b"https://other.example.org/idp"))
    restart(j)
    assert re.search(r"event=saml_metadata_fetch_failed .*no IdP EntityDescriptor for "
                     + re.escape(sf.IDP_ENTITY), j.log()), j.log()
    login_works(j, pki)


def test_cache_that_cannot_be_written_is_a_warning(tmp_path, pki, md_server, started):
    j = url_jmbd(tmp_path, pki, md_server.url,
                 idp_metadata_cache=str(tmp_path / "no-such-folder" / "md.xml"))
    started.append(j)
    assert re.search(r"level=warning event=saml_metadata_cache error=\"?\S+no-such-folder/md\.xml"
                     r"\.\w+: cannot create", j.log()), j.log()
    login_works(j, pki)


def test_tls_certificate_is_verified(tmp_path, pki, md_server):
    """https to a server whose certificate no CA vouches for: refused before
    any HTTP request is made."""
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(pki[1]["sp"][1]), str(pki[1]["sp"][0]))
    md_server.server.socket = ctx.wrap_socket(md_server.server.socket, server_side=True)
    url = md_server.url.replace("http://", "https://")
    log = refuses_to_start(url_jmbd(tmp_path, pki, url, start=False))
    assert re.search(r"idp_metadata_url: cannot get the IdP metadata \(https://127\.0\.0\.1:\d+/idp/"
                     r"metadata: SSL certificate problem", log), log
    assert md_server.hits == []


# ---------------------------------------------------------------- redirects

def test_redirect_on_the_loopback_is_followed(tmp_path, pki, md_server, started):
    md_server.serve(b"", path="/old", status=302, headers={"Location": "/idp/metadata"})
    j = url_jmbd(tmp_path, pki, md_server.base + "/old")
    started.append(j)
    assert [h[0] for h in md_server.hits] == ["/old", "/idp/metadata"]
    login_works(j, pki)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/md.xml",
                                    "http://example.org/md.xml", "gopher://127.0.0.1/"])
def test_redirect_off_http_is_refused(tmp_path, pki, md_server, target):
    md_server.serve(b"", path="/old", status=301, headers={"Location": target})
    log = refuses_to_start(url_jmbd(tmp_path, pki, md_server.base + "/old", start=False))
    assert f"redirected to {target}" in log, log
    assert [h[0] for h in md_server.hits] == ["/old"]


def test_redirect_loop_is_cut(tmp_path, pki, md_server):
    md_server.serve(b"", path="/loop", status=307, headers={"Location": "/loop"})
    log = refuses_to_start(url_jmbd(tmp_path, pki, md_server.base + "/loop", start=False))
    assert "more than 5 redirects" in log, log
    assert len(md_server.hits) == 6


# ----------------------------------------------------------- configuration

@pytest.mark.parametrize("url", ["http://example.org/md.xml", "file:///etc/passwd",
                                 "ftp://127.0.0.1/md.xml", "http://127.0.0.1@example.org/md.xml",
                                 "http://127.0.0.1.example.org/md.xml", "/etc/jmb/md.xml"])
def test_url_must_be_https(tmp_path, pki, url):
    log = refuses_to_start(url_jmbd(tmp_path, pki, url, start=False))
    assert re.search(r"jmb\.conf:\d+: \[auth\.saml\] idp_metadata_url: (https only|no host \(https only\)|not an absolute URL)",
                     log), log


def test_file_and_url_are_exclusive(tmp_path, pki, md_server):
    md = tmp_path / "md.xml"
    md.write_bytes(md_server.routes["/idp/metadata"][2])
    log = refuses_to_start(url_jmbd(tmp_path, pki, md_server.url, start=False, name="both",
                                    idp_metadata_file=str(md)))
    assert "idp_metadata_url: give idp_metadata_file or idp_metadata_url, not both" in log, log
    log = refuses_to_start(url_jmbd(tmp_path, pki, None, start=False, name="neither"))
    assert "idp_metadata_file: required (or idp_metadata_url)" in log, log
    assert md_server.hits == []


# ---------------------------------------------------------------- refreshes

def test_sighup_fetches_again(tmp_path, pki, md_server, started):
    """A key rollover at the IdP: after SIGHUP the new key is trusted, the old
    one no longer. The refresh thread (refresh 3600 s) must not take SIGHUP."""
    j = url_jmbd(tmp_path, pki, md_server.url, idp_metadata_refresh="3600")
    started.append(j)
    login_works(j, pki, key="idp")
    md_server.serve(sf.idp_metadata(pki[1]["idp2"][1]))
    mark = len(j.log())
    j.proc.send_signal(signal.SIGHUP)
    wait_for_log(j, r"event=reloaded", after=mark)
    assert j.proc.poll() is None
    assert len(md_server.hits) == 2
    assert sf.cert_b64(pki[1]["idp2"][1]).encode() in cache_of(tmp_path).read_bytes()
    login_works(j, pki, key="idp2")
    c = Client(j, pki)
    c.assert_refused(c.post(c.signed(key="idp")), "signature")


def test_background_refresh(tmp_path, pki, md_server, started):
    j = url_jmbd(tmp_path, pki, md_server.url, idp_metadata_refresh="1")
    started.append(j)
    login_works(j, pki, key="idp")
    # A failed refresh keeps the metadata in use.
    md_server.serve(b"garbage")
    wait_for_log(j, r"level=warning event=saml_metadata_refresh_failed .*not well-formed XML.*"
                    r"keeping the metadata in use")
    login_works(j, pki, key="idp")
    # The rolled-over key is picked up without a reload.
    md_server.serve(sf.idp_metadata(pki[1]["idp2"][1]))
    mark = len(j.log())
    wait_for_log(j, r"event=saml_metadata_refreshed source=\S+/idp/metadata", after=mark)
    assert sf.cert_b64(pki[1]["idp2"][1]).encode() in cache_of(tmp_path).read_bytes()
    login_works(j, pki, key="idp2")
    c = Client(j, pki)
    c.assert_refused(c.post(c.signed(key="idp")), "signature")


def test_start_from_cache_then_refresh_when_the_server_is_back(tmp_path, pki, md_server, started):
    j = url_jmbd(tmp_path, pki, md_server.url, idp_metadata_refresh="1")
    started.append(j)
    md_server.serve(b"", status=503)
    restart(j)
    assert "event=saml_metadata_fetch_failed" in j.log()
    md_server.serve(sf.idp_metadata(pki[1]["idp2"][1]))
    wait_for_log(j, r"event=saml_metadata_refreshed")
    login_works(j, pki, key="idp2")


def test_stop_during_a_hanging_refresh_is_prompt(tmp_path, pki, md_server, started):
    j = url_jmbd(tmp_path, pki, md_server.url, idp_metadata_refresh="1")
    started.append(j)
    md_server.serve("hang")
    seen = len(md_server.hits)
    deadline = time.time() + 10
    while len(md_server.hits) <= seen and time.time() < deadline:
        time.sleep(0.05)
    assert len(md_server.hits) > seen  # a refresh is waiting for the answer
    time.sleep(0.3)
    t = time.time()
    j.stop(timeout=20)  # the exit status is not asserted: ASan builds report xmlsec's own leak
    assert time.time() - t < 8, "jmbd waited for the hanging fetch"
    assert "event=stopped" in j.log()
    assert "saml_metadata_refresh_failed" not in j.log()
