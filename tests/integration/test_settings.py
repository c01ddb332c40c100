"""A user's own display time zone (/me/settings): the list, the meeting page
and the week view show times in it, the meeting form suggests it first, the
meeting keeps its own zone, and other users are not affected."""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from conftest import csrf_of
from jmb_links import book

PARIS = ZoneInfo("Europe/Paris")


def save_zone(s, d, zone):
    page = s.get(d.url + "/me/settings").text
    return s.post(d.url + "/me/settings", data={"csrf": csrf_of(page), "timezone": zone},
                  allow_redirects=False)


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_times_are_shown_in_the_users_zone(jmbd):
    m = book(jmbd, start=datetime(2027, 3, 9, 15, 0, tzinfo=PARIS), duration=60,
             title="Transatlantic", guests=["bob@example.org"])
    alice = jmbd.session("alice", "alice-password")
    r = save_zone(alice, jmbd, "America/New_York")
    assert r.status_code == 303 and r.headers["Location"] == "/me/settings?saved=1"
    settings = alice.get(jmbd.url + r.headers["Location"]).text
    assert "Your settings were saved." in settings
    assert re.search(r'<optgroup label="Suggested"><option value="America/New_York" selected>',
                     settings)
    page = text(alice.get(f"{jmbd.url}/meetings/{m['id']}").text)
    # 15:00 in Paris is 09:00 in New York (no DST in either on 9 March 2027).
    assert "Tuesday 9 March 2027, 09:00 – 10:00" in page
    assert "Tuesday 9 March 2027, 15:00 (Europe/Paris)" in page  # the meeting's own zone
    assert "09:00 – 10:00" in text(alice.get(jmbd.url + "/meetings").text)
    week = alice.get(jmbd.url + "/calendar", params={"week": "2027-W10"}).text
    assert "Times in America/New_York" in text(week) and "09:00–10:00" in week
    form = alice.get(jmbd.url + "/meetings/new").text
    assert re.search(r'<select id="timezone"[^>]*>\s*<optgroup label="Suggested"><option '
                     r'value="America/New_York" selected>', form)
    # Bob keeps the server's zone.
    bob = jmbd.session("bob", "bob-password")
    assert "Tuesday 9 March 2027, 15:00 – 16:00" in text(
        bob.get(f"{jmbd.url}/meetings/{m['id']}").text)
    # The meeting itself did not move.
    assert alice.get(f"{jmbd.url}/api/v1/meetings/{m['id']}").json()["start"] == \
        "2027-03-09T15:00:00+01:00"
    # Back to the server's zone.
    assert save_zone(alice, jmbd, "Europe/Paris").status_code == 303
    assert "15:00 – 16:00" in text(alice.get(f"{jmbd.url}/meetings/{m['id']}").text)


def test_an_unknown_zone_is_refused(jmbd):
    alice = jmbd.session("alice", "alice-password")
    for zone in ("Mars/Olympus", "", "../etc/passwd", "Europe/Paris\n"):
        r = save_zone(alice, jmbd, zone)
        assert r.status_code == 422 and "Unknown time zone." in r.text, zone
