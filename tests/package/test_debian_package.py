"""The Debian packages' life on this machine, as a sysadmin lives it.

Builds the packages twice from the source tree (dpkg-buildpackage; the second
build carries a higher version), installs the first with apt-get, checks what
the maintainer scripts made, runs jmbd from the installed files as _jmb, books
a meeting, upgrades to the second build and checks that the configuration
(edited by the admin) and the data survived, then purges and checks that
nothing is left.

It changes the machine (packages, the _jmb account, /etc/jmb, /var/lib/jmb),
so it runs only when JMB_TEST_PACKAGES=1 (run-tests.sh --suite package sets
it, as root on Debian), and refuses to start when jmb is already installed.
The tests run in order and depend on each other, like the steps they are.
"""

import json
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
CONF = Path("/etc/jmb/jmb.conf")
SECRET = Path("/etc/jmb/jitsi-secret")
STATE = Path("/var/lib/jmb")
APT_ENV = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
# An upgrade keeps the admin's edited conffile, as an admin answering "keep"
APT_KEEP_CONF = ["-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"]

pytestmark = pytest.mark.skipif(os.environ.get("JMB_TEST_PACKAGES") != "1",
                                reason="changes the machine: set JMB_TEST_PACKAGES=1 (run-tests.sh --suite package)")


def run(*cmd, check=True, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


def installed(package):
    p = run("dpkg-query", "-W", "-f=${Status}", package, check=False)
    return p.returncode == 0 and "install ok installed" in p.stdout


def copy_tree(dest):
    """The working tree as git sees it (tracked and new files, not ignored ones)."""
    files = run("git", "-C", str(TOP), "ls-files", "-z", "--cached", "--others",
                "--exclude-standard").stdout.split("\0")
    for name in filter(None, files):
        src = TOP / name
        if not src.exists() or src.is_dir():
            continue
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / name, follow_symlinks=False)


def build(workdir, version):
    tree = workdir / f"jmb-{version}"
    tree.mkdir()
    copy_tree(tree)
    if version != "0.1.0":
        changelog = tree / "debian" / "changelog"
        entry = (f"jmb ({version}) bookworm; urgency=medium\n\n"
                 "  * A second build of the same tree, for the upgrade test.\n\n"
                 " -- jmb maintainers <jmb-maintainers@example.org>  "
                 f"{time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\n\n")
        changelog.write_text(entry + changelog.read_text())
    env = dict(os.environ, DEB_BUILD_OPTIONS="nocheck parallel=%d" % os.cpu_count())
    p = run("dpkg-buildpackage", "-us", "-uc", "-b", cwd=tree, env=env, check=False)
    assert p.returncode == 0, (p.stdout + p.stderr)[-4000:]
    debs = sorted(workdir.glob(f"jmb*_{version}_*.deb"))
    return [d for d in debs if "dbgsym" not in d.name]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def set_listen(port):
    text = CONF.read_text()
    lines = [f"listen = 127.0.0.1:{port}" if line.startswith("listen =") else line
             for line in text.splitlines()]
    CONF.write_text("\n".join(lines) + "\n")


def http(method, url, body=None, token=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else
                                 json.dumps(body).encode())
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class InstalledJmbd:
    """jmbd from /usr/sbin, as _jmb, on the port the admin set."""

    def __init__(self, port):
        self.url = f"http://127.0.0.1:{port}"
        # setpriv execs jmbd itself (runuser would stay in between and die of
        # the SIGTERM meant for jmbd)
        self.proc = subprocess.Popen(["setpriv", "--reuid=_jmb", "--regid=_jmb", "--init-groups",
                                      "/usr/sbin/jmbd", "--config", str(CONF)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("jmbd exited: " + self.proc.stdout.read())
            try:
                if http("GET", self.url + "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError("jmbd did not answer /healthz within 20 s")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=30)
        assert self.proc.returncode == 0, out
        return out


@pytest.fixture(scope="module")
def debs(tmp_path_factory):
    if installed("jmb"):
        pytest.fail("jmb is installed on this machine already: this test installs and purges it")
    work = tmp_path_factory.mktemp("debs")
    first = build(work, "0.1.0")
    second = build(work, "0.1.0+upgrade1")
    yield {"first": first, "second": second, "dir": work}
    if installed("jmb"):
        run("apt-get", "purge", "-y", "-q", "jmb", "jmb-auth-saml", "jmb-dev", env=APT_ENV,
            check=False)


@pytest.fixture(scope="module")
def state():
    return {}


def test_packages_build_and_pass_lintian(debs):
    names = sorted(d.name.split("_")[0] for d in debs["first"])
    assert names == ["jmb", "jmb-auth-saml", "jmb-dev"]
    p = run("lintian", "--fail-on", "error,warning", *map(str, debs["first"]), check=False)
    assert p.returncode == 0, p.stdout + p.stderr


def test_install_creates_the_account_folders_and_secret(debs):
    run("apt-get", "install", "-y", "-q", *map(str, debs["first"]), env=APT_ENV)
    account = pwd.getpwnam("_jmb")
    assert account.pw_dir == str(STATE) and account.pw_uid < 1000
    st = STATE.stat()
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (account.pw_uid, 0o750)
    for path in (CONF, SECRET, Path("/etc/jmb/users")):
        st = path.stat()
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, account.pw_gid, 0o640), path
    assert len(SECRET.read_text().strip()) >= 32
    conffiles = run("dpkg-query", "-W", "-f=${Conffiles}", "jmb").stdout
    assert str(CONF) in conffiles
    # the unit as installed: the paths of the package, the account it created
    unit = Path("/lib/systemd/system/jmbd.service")
    text = unit.read_text()
    assert "ExecStart=/usr/sbin/jmbd --config /etc/jmb/jmb.conf" in text
    assert "User=_jmb" in text and "Type=notify" in text
    # --man=no: the Documentation= pages are checked as files, not through man(1)
    for page in ("man8/jmbd.8.gz", "man8/jmbctl.8.gz", "man5/jmb.conf.5.gz"):
        assert Path("/usr/share/man", page).exists(), page
    p = run("systemd-analyze", "verify", "--man=no", str(unit), check=False)
    assert p.returncode == 0 and "jmbd.service" not in p.stderr, p.stderr
    # exposure 2.0 at most (systemd-analyze counts it in tenths)
    p = run("systemd-analyze", "security", "--offline=true", "--threshold=20", str(unit),
            check=False)
    assert p.returncode == 0, p.stdout[-2000:]
    assert "Overall exposure level for jmbd.service: 1." in p.stdout, p.stdout[-300:]


def test_check_config_accepts_the_installed_configuration(debs):
    p = run("runuser", "-u", "_jmb", "--", "jmbctl", "--config", str(CONF), "check-config")
    assert p.stdout.strip() == f"{CONF}: configuration is valid"


def test_installed_jmbd_serves_and_books(debs, state):
    state["port"] = free_port()
    set_listen(state["port"])  # the admin's edit, to be kept across the upgrade
    run("jmbctl", "--config", str(CONF), "user", "add", "alice", "--mail", "alice@example.org",
        "--name", "Alice", "--password-stdin", input="a good long password\n")
    token = run("runuser", "-u", "_jmb", "--", "jmbctl", "--config", str(CONF), "api-token",
                "create", "alice").stdout.strip()
    state["token"] = token
    jmbd = InstalledJmbd(state["port"])
    try:
        status, body = http("POST", jmbd.url + "/api/v1/meetings", token=token, body={
            "title": "Packaged", "start": time.strftime("%Y-%m-%dT10:00:00Z",
                                                        time.gmtime(time.time() + 7 * 86400)),
            "duration": 60, "timezone": "Europe/Paris", "guests": ["bob@example.org"]})
        assert status == 201, body
        state["meeting"] = json.loads(body)
    finally:
        jmbd.stop()
    assert (STATE / "jmb.db").stat().st_uid == pwd.getpwnam("_jmb").pw_uid


def test_upgrade_keeps_configuration_secret_and_data(debs, state):
    conf_before, secret_before = CONF.read_text(), SECRET.read_text()
    run("apt-get", "install", "-y", "-q", *APT_KEEP_CONF, *map(str, debs["second"]), env=APT_ENV)
    assert run("dpkg-query", "-W", "-f=${Version}", "jmb").stdout == "0.1.0+upgrade1"
    assert CONF.read_text() == conf_before
    assert SECRET.read_text() == secret_before
    jmbd = InstalledJmbd(state["port"])
    try:
        m = state["meeting"]
        status, body = http("GET", f"{jmbd.url}/api/v1/meetings/{m['id']}", token=state["token"])
        assert status == 200, body
        assert json.loads(body)["title"] == "Packaged"
    finally:
        jmbd.stop()


def test_remove_keeps_data_and_purge_removes_everything(debs):
    run("apt-get", "remove", "-y", "-q", "jmb", "jmb-auth-saml", "jmb-dev", env=APT_ENV)
    assert (STATE / "jmb.db").exists() and CONF.exists()
    run("apt-get", "purge", "-y", "-q", "jmb", env=APT_ENV)
    assert not STATE.exists()
    assert not Path("/etc/jmb").exists()
    assert not Path("/usr/sbin/jmbd").exists()
