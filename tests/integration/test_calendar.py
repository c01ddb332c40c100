"""The week view (/calendar?week=YYYY-Www): the requester's meetings of one
ISO week on a half-hour grid in the server's zone, each on its day and rows,
overlapping ones in lanes side by side, invited ones too, and weeks given
wrong refused with a message."""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jmb_links import book

PARIS = ZoneInfo("Europe/Paris")


def week_page(d, login, week):
    r = d.session(login, f"{login}-password").get(f"{d.url}/calendar", params={"week": week})
    assert r.status_code == 200, r.text
    return r.text


def items(html):
    """{title: (day heading, time text, classes)}"""
    out = {}
    for day, body in re.findall(r'<section class="day">\s*<h2>([^<]+)</h2>(.*?)</section>', html,
                                re.S):
        for classes, time, title in re.findall(
                r'<li class="([^"]+)"><a href="/meetings/\d+"><time>([^<]+)</time> '
                r'<span>([^<]+)</span>', body):
            out[title] = (day, time, classes)
    return out


def test_a_week_on_the_grid(jmbd):
    # ISO week 2027-W10: Monday 8 March to Sunday 14 March 2027.
    at = lambda day, h, m=0: datetime(2027, 3, day, h, m, tzinfo=PARIS)
    book(jmbd, start=at(8, 9), duration=60, title="Monday nine")
    book(jmbd, start=at(10, 14), duration=90, title="Wednesday A")
    book(jmbd, start=at(10, 14, 30), duration=60, title="Wednesday B")
    book(jmbd, start=at(14, 21), duration=30, title="Sunday late")
    book(jmbd, start=at(15, 9), duration=60, title="Next Monday")
    book(jmbd, owner="bob", start=at(12, 10), duration=60, title="Bob invites",
         guests=["alice@example.org"])
    html = week_page(jmbd, "alice", "2027-W10")
    assert "Week of Monday 8 March" in html
    found = items(html)
    assert set(found) == {"Monday nine", "Wednesday A", "Wednesday B", "Sunday late",
                          "Bob invites"}
    assert found["Monday nine"][0] == "Monday 8 March"
    assert found["Monday nine"][1] == "09:00–10:00"
    assert found["Bob invites"][0] == "Friday 12 March"
    # The grid starts at 08:00: 09:00 is row 3, two rows high.
    assert found["Monday nine"][2] == "row-3 span-2 lane-1"
    # Overlapping meetings take two lanes; the day's grid has two.
    assert found["Wednesday A"][2] == "row-13 span-3 lane-1"
    assert found["Wednesday B"][2] == "row-14 span-2 lane-2"
    assert re.search(r"<h2>Wednesday 10 March</h2>\s*<ol class=\"slots rows-\d+ lanes-2\">", html)
    # A late meeting makes the grid longer (08:00 to 21:30).
    assert '<ol class="hours rows-27"' in html
    assert 'href="/calendar?week=2027-W09"' in html and 'href="/calendar?week=2027-W11"' in html


def test_weeks_across_the_year_and_dst(jmbd):
    # 2026-W53 exists (2026 is a long ISO year) and starts on Monday 28 December.
    assert "Week of Monday 28 December" in week_page(jmbd, "alice", "2026-W53")
    # The week of the spring change: the grid stays in wall-clock time.
    book(jmbd, start=datetime(2027, 3, 29, 10, tzinfo=PARIS), duration=60, title="After DST")
    found = items(week_page(jmbd, "alice", "2027-W13"))
    assert found["After DST"][1] == "10:00–11:00"


@pytest.mark.parametrize("week", ["2027-W54", "2027-W00", "2027-W5", "27-W05", "2027W05",
                                  "2027-W05x", "2027-W53", "1969-W01"])
def test_a_wrong_week_is_400(jmbd, week):
    s = jmbd.session("alice", "alice-password")
    r = s.get(f"{jmbd.url}/calendar", params={"week": week})
    assert r.status_code == 400 and "2027-W05" in r.text


def test_the_week_view_needs_a_login(jmbd):
    import requests
    r = requests.get(f"{jmbd.url}/calendar", allow_redirects=False, timeout=30)
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]
