"""GET /metrics: Prometheus text format 0.0.4, read by python3-prometheus-client's
parser after a stricter line-by-line check of our own (HELP and TYPE before the
samples of each family, families not split, cumulative buckets ending at +Inf
equal to _count); counters that move by exactly what a test did (requests by
route class and code, a join, feed answers 200 and 304, a refused and an
accepted login, mails sent, deferred and failed, a mail reminder); the access
rules of [metrics] allow: loopback by default, 403 for other peers, 404 when
empty, and a start-up error for a value that is not an address block."""
import re
import time
from datetime import timedelta

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from conftest import csrf_of
from jmb_links import bearer, book, slot
from servers.smtp import SmtpServer

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
SAMPLE = re.compile(rf'^({NAME})(\{{(?:{NAME}="(?:[^"\\\n]|\\[\\"n])*",?)*\}})? (\S+)$')


def strict_check(text):
    """What prometheus_client tolerates but the format does not allow."""
    assert text.endswith("\n")
    typed, helped, closed, current = {}, set(), set(), None
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            assert name not in helped and name not in closed, line
            helped.add(name)
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in ("counter", "gauge", "histogram") and name not in typed, line
            assert name in helped, f"TYPE before HELP: {line}"
            if current is not None:
                closed.add(current)
            typed[name], current = kind, name
        else:
            m = SAMPLE.match(line)
            assert m, f"not a sample line: {line!r}"
            family = re.sub(r"_(bucket|sum|count)$", "", m.group(1)) \
                if typed.get(re.sub(r"_(bucket|sum|count)$", "", m.group(1))) == "histogram" \
                else m.group(1)
            assert family == current, f"sample outside its family: {line}"
            float(m.group(3))


def scrape(d, **kwargs):
    r = requests.get(d.url + "/metrics", timeout=10, **kwargs)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == CONTENT_TYPE
    assert r.headers["Cache-Control"] == "no-store"
    strict_check(r.text)
    samples = {}
    for family in text_string_to_metric_families(r.text):
        if family.type == "histogram":
            check_histograms(family)
        for s in family.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            assert key not in samples, key
            samples[key] = s.value
    return samples


def check_histograms(family):
    by_series = {}
    for s in family.samples:
        labels = {k: v for k, v in s.labels.items() if k != "le"}
        series = by_series.setdefault(tuple(sorted(labels.items())), {"buckets": []})
        if s.name.endswith("_bucket"):
            series["buckets"].append((float(s.labels["le"]), s.value))
        else:
            series[s.name.rsplit("_", 1)[1]] = s.value
    for series in by_series.values():
        les = [le for le, _ in series["buckets"]]
        counts = [n for _, n in series["buckets"]]
        assert les == sorted(les) and les[-1] == float("inf")
        assert counts == sorted(counts), "buckets must be cumulative"
        assert counts[-1] == series["count"] and series["sum"] >= 0


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def delta(before, after, name, **labels):
    return value(after, name, **labels) - value(before, name, **labels)


def requests_of(samples, route, code):
    return value(samples, "jmb_http_requests_total", route=route, code=str(code))


def wait_for(d, predicate, timeout=15):
    deadline = time.time() + timeout
    while True:
        samples = scrape(d)
        if predicate(samples) or time.time() > deadline:
            return samples
        time.sleep(0.2)


def test_counters_move_by_exactly_what_happened(jmbd):
    started = time.time()
    before = scrape(jmbd)
    m = book(jmbd, guests=["guest@outside.example"])
    link = next(a["link"] for a in m["attendees"] if a["mail"] == "guest@outside.example")
    assert requests.get(link, allow_redirects=False).status_code == 302
    feed = bearer(jmbd, "alice").get(jmbd.url + "/api/v1/me/feed").json()["url"]
    first = requests.get(feed)
    assert first.status_code == 200
    assert requests.get(feed, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    s = requests.Session()
    form = s.get(jmbd.url + "/auth/local/login")
    refused = s.post(jmbd.url + "/auth/local/login",
                     data={"csrf": csrf_of(form.text), "login": "alice", "password": "wrong"})
    assert refused.status_code == 401
    jmbd.session("alice", "alice-password")
    after = scrape(jmbd)

    assert delta(before, after, "jmb_joins_total") == 1
    assert requests_of(after, "join", 302) - requests_of(before, "join", 302) == 1
    assert requests_of(after, "feed", 200) - requests_of(before, "feed", 200) == 1
    assert requests_of(after, "feed", 304) - requests_of(before, "feed", 304) == 1
    assert requests_of(after, "api", 201) - requests_of(before, "api", 201) == 1
    assert requests_of(after, "auth", 401) - requests_of(before, "auth", 401) == 1
    # The scrape before (counted once answered); never the scrape being read.
    assert requests_of(after, "system", 200) - requests_of(before, "system", 200) == 1
    assert delta(before, after, "jmb_logins_total", outcome="failure") == 1
    assert delta(before, after, "jmb_logins_total", outcome="success") == 1
    assert value(after, "jmb_store_errors_total") == 0
    assert delta(before, after, "jmb_http_request_duration_seconds_count", route="join") == 1
    assert delta(before, after, "jmb_http_request_duration_seconds_sum", route="join") > 0
    # Tokens in paths never become label values.
    assert {dict(k[1]).get("route") for k in after if k[0] == "jmb_http_requests_total"} <= {
        "join", "start", "invitation", "feed", "api", "auth", "static", "system", "legacy",
        "page"}
    info = [k for k in after if k[0] == "jmb_build_info"]
    assert len(info) == 1 and after[info[0]] == 1 and dict(info[0][1])["version"]
    assert started - 30 <= value(after, "process_start_time_seconds") <= time.time()


def test_mail_outcomes_and_reminders(jmbd_factory):
    with SmtpServer() as smtp:
        d = jmbd_factory(start=False, sections={
            "mail": {"transport": smtp.url, "from": "noreply@example.org"},
            "reminders": {"mail_before": "60", "xmpp_before_end": ""}})
        d.add_user("alice", "alice-password")
        d.start(env={"JMB_QUEUE_INTERVAL": "1"})
        mails = ("jmb_mail_deliveries_total",)
        # Two mails per booking: the guest's invitation and the organiser's copy.
        smtp.reply = "550 5.1.1 mailbox unavailable"
        book(d, guests=["dave@example.org"])
        s = wait_for(d, lambda s: value(s, *mails, outcome="failed") >= 2)
        assert value(s, *mails, outcome="failed") == 2
        smtp.reply = None
        book(d, start=slot(hours=1) + timedelta(minutes=2), guests=["erin@example.org"])
        s = wait_for(d, lambda s: value(s, *mails, outcome="sent") >= 2)
        assert value(s, *mails, outcome="sent") == 2
        smtp.stop()
        book(d, guests=["frank@example.org"])
        s = wait_for(d, lambda s: value(s, *mails, outcome="deferred") >= 2)
        # Deferred mails wait a minute before their next attempt.
        assert value(s, *mails, outcome="deferred") == 2
        assert value(s, "jmb_reminders_sent_total", channel="mail") == 0
        smtp.start()
        # Three minutes later the second meeting's 60-minute reminder is due.
        d.stop()
        d.start(env={"JMB_QUEUE_INTERVAL": "1", "JMB_TEST_TIME_OFFSET": "180"})
        s = wait_for(d, lambda s: value(s, "jmb_reminders_sent_total", channel="mail") >= 1)
        assert value(s, "jmb_reminders_sent_total", channel="mail") == 1
        assert value(s, "jmb_reminders_sent_total", channel="xmpp") == 0


def test_other_peers_are_refused(jmbd_factory):
    d = jmbd_factory(sections={"metrics": {"allow": "10.0.0.0/8, 2001:db8::/32"}})
    r = requests.get(d.url + "/metrics")
    assert r.status_code == 403
    assert "jmb_" not in r.text


def test_empty_allow_turns_the_route_off(jmbd_factory):
    d = jmbd_factory(sections={"metrics": {"allow": ""}})
    r = requests.get(d.url + "/metrics")
    assert r.status_code == 404
    assert "jmb_" not in r.text
    assert r.status_code == requests.get(d.url + "/no-such-page").status_code


def test_loopback_may_read_by_default(jmbd_factory):
    d = jmbd_factory()
    assert value(scrape(d), "jmb_store_errors_total") == 0


def test_a_bad_block_stops_start_up_with_file_and_line(jmbd_factory):
    d = jmbd_factory(start=False, sections={"metrics": {"allow": "127.0.0.1/32, localhost"}})
    checked = d.jmbctl("check-config", check=False)
    assert checked.returncode != 0
    assert re.search(r"jmb\.conf:\d+: \[metrics\] allow: 'localhost' is not an address or CIDR",
                     checked.stdout + checked.stderr)
    d.start(wait=False)
    assert d.proc.wait(timeout=20) != 0
    assert "[metrics] allow" in d.log()
