"""A throw-away OpenLDAP slapd on 127.0.0.1 for integration tests.

Standard library only. The cn=config is built with slapadd from one LDIF
(core, cosine, inetorgperson, nis, a small test schema with eduPerson and
mailAlternateAddress, and ldap-schema/jmb.ldif), the data with slapadd too;
slapd then runs in the foreground on a free port (ldap:// with StartTLS from a
test CA made with openssl). As root it keeps running as root (slapd allows
it: nothing here is ever reachable from outside the loopback). stop(),
start(), pause() and resume() let tests take the directory away mid-test.

    with SlapdServer(data_ldif) as ldap:
        ldap.uri, ldap.base, ldap.ca_file, ...
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")
HERE = Path(__file__).resolve().parent

BASE = "dc=example,dc=org"
ADMIN_DN = f"cn=admin,{BASE}"
ADMIN_PASSWORD = "admin-secret"
SERVICE_DN = f"cn=jmb,ou=services,{BASE}"
SERVICE_PASSWORD = "service-secret"


def find_slapd():
    for candidate in (os.environ.get("JMB_SLAPD"), "/usr/sbin/slapd", shutil.which("slapd")):
        if candidate and os.path.exists(candidate):
            return candidate
    raise RuntimeError("slapd not found: apt-get install slapd ldap-utils")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_test_ca(folder):
    """A CA and a server certificate for 127.0.0.1/localhost; returns their paths."""
    folder = Path(folder)
    ca_key, ca_crt = folder / "ca.key", folder / "ca.crt"
    key, csr, crt = folder / "server.key", folder / "server.csr", folder / "server.crt"
    ext = folder / "server.ext"
    run = lambda *a: subprocess.run(a, check=True, capture_output=True, timeout=60)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=jmb test CA", "-keyout", str(ca_key), "-out", str(ca_crt))
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", str(key), "-out", str(csr))
    ext.write_text("subjectAltName = IP:127.0.0.1, DNS:localhost\n"
                   "extendedKeyUsage = serverAuth\n")
    run("openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
        "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(crt))
    os.chmod(key, 0o644)
    return ca_crt, crt, key


def config_ldif(tmp, port_dir, cert, key, ca):
    schemas = [SCHEMA_DIR / f"{n}.ldif" for n in ("core", "cosine", "inetorgperson", "nis")]
    schemas += [HERE / "slapd-test-schema.ldif", REPO / "ldap-schema" / "jmb.ldif"]
    parts = [f"""dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {tmp}/slapd.pid
olcTLSCACertificateFile: {ca}
olcTLSCertificateFile: {cert}
olcTLSCertificateKeyFile: {key}

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: {MODULE_DIR}
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema
"""]
    for path in schemas:
        text = Path(path).read_text()
        parts.append("\n".join(l for l in text.splitlines() if not l.startswith("#")).strip() + "\n")
    parts.append(f"""dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend
olcSizeLimit: 500

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcAccess: {{0}}to * by * none

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcSuffix: {BASE}
olcRootDN: {ADMIN_DN}
olcRootPW: {ADMIN_PASSWORD}
olcDbDirectory: {port_dir}
olcDbMaxSize: 104857600
olcDbIndex: objectClass eq
olcDbIndex: uid,mail,member,uniqueMember,memberUid eq
olcAccess: {{0}}to attrs=userPassword by self write by anonymous auth by * none
olcAccess: {{1}}to * by dn.exact="{SERVICE_DN}" read by self read by * none
""")
    return "\n".join(parts)


class SlapdServer:
    """Context manager: a slapd with the given data (LDIF text, entries below BASE)."""

    def __init__(self, data_ldif, start_timeout=30):
        self.data_ldif = data_ldif
        self.start_timeout = start_timeout
        self.slapd = find_slapd()
        self.tmp = None
        self.proc = None
        self.port = None
        self.base = BASE
        self.service_dn = SERVICE_DN
        self.service_password = SERVICE_PASSWORD
        self.admin_dn = ADMIN_DN
        self.admin_password = ADMIN_PASSWORD

    @property
    def uri(self):
        return f"ldap://127.0.0.1:{self.port}"

    def __enter__(self):
        try:
            self.setup()
            self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(self, *exc):
        self.cleanup()
        return False

    def setup(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="jmb-slapd-"))
        os.chmod(self.tmp, 0o755)
        (self.tmp / "config").mkdir()
        (self.tmp / "data").mkdir()
        self.ca_file, cert, key = make_test_ca(self.tmp)
        config = self.tmp / "config.ldif"
        config.write_text(config_ldif(self.tmp, self.tmp / "data", cert, key, self.ca_file))
        self._run("/usr/sbin/slapadd", "-n0", "-F", str(self.tmp / "config"), "-l", str(config))
        data = self.tmp / "data.ldif"
        data.write_text(self.data_ldif)
        self._run("/usr/sbin/slapadd", "-F", str(self.tmp / "config"), "-b", BASE, "-l",
                  str(data))
        self.port = free_port()

    def _run(self, *args):
        r = subprocess.run(args, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")
        return r

    def start(self):
        self.log = open(self.tmp / "slapd.log", "ab")
        self.proc = subprocess.Popen(
            [self.slapd, "-d", "0", "-F", str(self.tmp / "config"), "-h", self.uri + "/"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + self.start_timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("slapd exited:\n" + (self.tmp / "slapd.log").read_text())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("slapd did not start listening")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.resume()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def pause(self):
        """Freezes slapd: connections are accepted by the kernel, never answered."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)

    def ldapmodify(self, ldif):
        r = subprocess.run(["ldapmodify", "-x", "-H", self.uri, "-D", ADMIN_DN, "-w",
                            ADMIN_PASSWORD], input=ldif, capture_output=True, text=True,
                           timeout=30)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)

    def cleanup(self):
        self.stop()
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
