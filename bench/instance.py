"""A jmbd process for the benchmarks in bench/ (soak.py, reservations.py):
its configuration, start and stop, and its memory and descriptors."""
import os
import re
import socket
import subprocess
import time

import requests

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(os.environ.get("JMB_BUILDDIR", os.path.join(TOP, "build")))
JMBD = os.path.join(BUILD, "src", "jmbd", "jmbd")
JMBCTL = os.path.join(BUILD, "src", "jmbctl", "jmbctl")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Instance:
    """One jmbd on 127.0.0.1 with the local login plugin, its mails written to
    files; store is the text of its [store] section, jitsi more [jitsi] lines."""

    def __init__(self, work, name, store, secret, jitsi=""):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.dir = os.path.join(work, name)
        os.makedirs(os.path.join(self.dir, "mail"))
        self.config = os.path.join(self.dir, "jmb.conf")
        with open(self.config, "w") as f:
            f.write(f"""[server]
listen = 127.0.0.1:{self.port}
public_url = {self.url}
template_dir = {TOP}/templates
static_dir = {TOP}/templates/static
locale_dir = {BUILD}/po/locale
threads = 8
# Prosody's calls and the soak's clients come from one address, as through
# the reverse proxy of a production set-up: no per-address limit.
max_connections_per_address = 0

[store]
{store}

[auth]
plugins = local
plugin_dir = {BUILD}/plugins/modules

[auth.local]
users_file = {work}/users

[booking]
max_guests = 50

[jitsi]
base_url = https://meet.example.org
domain = meet.example.org
app_id = jmb
app_secret = {secret}
{jitsi}

[mail]
transport = file:{self.dir}/mail
local_domains = example.org
from = jmb@example.org

[metrics]
allow = 127.0.0.1
""")
        self.proc = None

    def jmbctl(self, *args, input=None):
        r = subprocess.run([JMBCTL, "--config", self.config, *args], input=input,
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"jmbctl {' '.join(args)}: exit {r.returncode}: {r.stderr}")
        return r

    def start(self):
        self.log = open(os.path.join(self.dir, "jmbd.log"), "ab")
        self.proc = subprocess.Popen([JMBD, "--config", self.config], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.log.close()

    def sample(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
        fds = len(os.listdir(f"/proc/{self.proc.pid}/fd"))
        return rss, fds




def write_doc_section(doc_path, title, text):
    """Replaces the "## <title>" section of doc_path by text (adds it at the end
    the first time)."""
    with open(doc_path) as f:
        doc = f.read()
    section = f"## {title}\n\n{text}"
    start = doc.find(f"## {title}\n")
    if start < 0:
        doc = doc.rstrip("\n") + "\n\n" + section
    else:
        end = doc.find("\n## ", start + 1)
        doc = doc[:start] + section + (doc[end + 1:] if end >= 0 else "")
    with open(doc_path, "w") as f:
        f.write(doc)
