"""Series through the booking form, as a browser without JavaScript uses it:
the repeat block becomes the stored RRULE, a refused rule comes back on the
block (aria-invalid, aria-describedby, its message), "Check" says the rule
in words without saving, the list shows a series at its next occurrence with
its rule in words, and editing a series fills the block from its rule."""
import re
from datetime import datetime, timedelta

import pytest

from helpers import ZONE, Page, create_meeting_form, form_csrf, post_meeting_form, stored_meetings

DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


@pytest.fixture
def alice(jmbd):
    return jmbd.session("alice", "alice-password")


def next_weekday(code, days_ahead=3):
    """The date (Europe/Paris) of the first such weekday at least days_ahead from now."""
    d = datetime.now(ZONE).date() + timedelta(days=days_ahead)
    while d.weekday() != DAY_CODES.index(code):
        d += timedelta(days=1)
    return d


def long_date(d):
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def api_meeting(session, jmbd, mid):
    r = session.get(f"{jmbd.url}/api/v1/meetings/{mid}")
    assert r.status_code == 200, r.text[:500]
    return r.json()


def block(html):
    """The repeat block's select tag, its error and its sentence."""
    select = re.search(r'<select id="recurrence"[^>]*>', html).group(0)
    error = re.search(r'<p class="field-error" id="recurrence-error">([^<]*)</p>', html)
    words = re.search(r'id="recurrence-text"[^>]*>.*?<span>([^<]*)</span>\s*</p>', html, re.S)
    return select, error and error.group(1), words and words.group(1)


def test_weekly_series_through_the_form(jmbd, alice):
    start = next_weekday("TU")
    mid = create_meeting_form(alice, jmbd, title="Stand-up", date=start.isoformat(), time="10:00",
                              repeat="weekly", repeat_interval="1", repeat_day=["TU", "TH"],
                              repeat_end="count", repeat_count="6")
    m = api_meeting(alice, jmbd, mid)
    assert m["recurrence"] == "FREQ=WEEKLY;COUNT=6;BYDAY=TU,TH"
    [stored] = stored_meetings(jmbd)
    assert stored["recurrence"] == "FREQ=WEEKLY;COUNT=6;BYDAY=TU,TH"
    words = (f"Every Tuesday and Thursday at 10:00 (Europe/Paris), 6 times, "
             f"from {long_date(start)}")
    # The meeting page and the list say the rule in words.
    page = Page(alice.get(f"{jmbd.url}/meetings/{mid}").text)
    assert words in page.text
    r = alice.get(f"{jmbd.url}/meetings")
    assert f'<p class="rule">{words}</p>' in r.text


def test_weekly_without_a_day_ticked_is_on_the_start_weekday(jmbd, alice):
    start = next_weekday("WE")
    mid = create_meeting_form(alice, jmbd, date=start.isoformat(), time="09:00",
                              repeat="weekly", repeat_interval="2", repeat_end="until",
                              repeat_until=(start + timedelta(days=60)).isoformat())
    rule = api_meeting(alice, jmbd, mid)["recurrence"]
    assert re.fullmatch(r"FREQ=WEEKLY;INTERVAL=2;UNTIL=\d{8}T\d{6}Z;BYDAY=WE", rule), rule


def test_monthly_on_the_nth_and_last_weekday(jmbd, alice):
    start = next_weekday("FR", days_ahead=10)
    nth = (start.day - 1) // 7 + 1
    mid = create_meeting_form(alice, jmbd, date=start.isoformat(), time="15:00",
                              repeat="monthly_nth", repeat_end="count", repeat_count="3")
    assert api_meeting(alice, jmbd, mid)["recurrence"] == f"FREQ=MONTHLY;COUNT=3;BYDAY={nth}FR"
    # "Last" is refused for a Friday that is not its month's last, on the block.
    last = (start + timedelta(days=7)).month != start.month
    r = post_meeting_form(alice, jmbd, date=start.isoformat(), time="15:00",
                          repeat="monthly_last", repeat_end="count", repeat_count="3")
    if last:
        assert r.status_code == 303
    else:
        assert r.status_code == 422
        _, error, _ = block(r.text)
        assert error and "first occurrence" in error


def test_refused_rule_shows_on_the_block(jmbd, alice):
    start = next_weekday("TU")
    # Ticked Wednesday and Thursday: the Tuesday start is not an occurrence.
    r = post_meeting_form(alice, jmbd, date=start.isoformat(), time="10:00",
                          repeat="weekly", repeat_day=["WE", "TH"], repeat_end="count",
                          repeat_count="4")
    assert r.status_code == 422
    select, error, words = block(r.text)
    assert 'aria-invalid="true"' in select
    assert 'aria-describedby="recurrence-error recurrence-text"' in select
    assert error == ("The start must be the first occurrence of the repeat rule (one of its "
                     "days).")
    # What was entered, said back, and kept in the form.
    assert words.startswith("Every Wednesday and Thursday at 10:00 (Europe/Paris), 4 times")
    assert '<a href="#recurrence">' in r.text
    assert re.search(r'<option value="weekly" selected', r.text)
    assert re.search(r'<input type="checkbox" name="repeat_day" value="WE" checked', r.text)
    assert stored_meetings(jmbd) == []
    # A count that is no number is the block's problem too.
    r = post_meeting_form(alice, jmbd, date=start.isoformat(), time="10:00",
                          repeat="daily", repeat_end="count", repeat_count="many")
    assert r.status_code == 422
    assert block(r.text)[1] == "Give the number of occurrences as a whole number."
    r = post_meeting_form(alice, jmbd, date=start.isoformat(), time="10:00",
                          repeat="daily", repeat_end="count", repeat_count="5000")
    assert r.status_code == 422
    assert block(r.text)[1] == "A series has at most 260 occurrences."
    assert stored_meetings(jmbd) == []


def test_check_says_the_rule_without_saving(jmbd, alice):
    start = next_weekday("MO")
    r = post_meeting_form(alice, jmbd, date=start.isoformat(), time="08:30",
                          repeat="daily", repeat_interval="3", repeat_end="count",
                          repeat_count="5", check="1")
    assert r.status_code == 200
    select, error, words = block(r.text)
    assert error is None and 'aria-invalid' not in select
    assert words == (f"Every 3 days at 08:30 (Europe/Paris), 5 times, from {long_date(start)}")
    assert stored_meetings(jmbd) == []
    # In French.
    r = alice.post(f"{jmbd.url}/meetings?lang=fr", data={
        "csrf": form_csrf(alice, jmbd), "title": "Point", "date": start.isoformat(),
        "time": "08:30", "timezone": "Europe/Paris", "duration": "90", "repeat": "weekly",
        "repeat_day": ["MO", "FR"], "repeat_end": "count", "repeat_count": "20", "check": "1"})
    assert block(r.text)[2] == ("Chaque lundi et vendredi à 08:30 (Europe/Paris), 20 fois, "
                                f"à partir du {start.day} "
                                f"{['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'][start.month - 1]} {start.year}")


def test_list_shows_the_next_occurrence(jmbd, alice):
    first = (datetime.now(ZONE) + timedelta(days=2)).replace(hour=10, minute=0, second=0,
                                                           microsecond=0)
    mid = create_meeting_form(alice, jmbd, title="Daily", date=first.strftime("%Y-%m-%d"),
                              time="10:00", duration="30", repeat="daily",
                              repeat_end="count", repeat_count="5")

    def card():
        r = jmbd.session("alice", "alice-password").get(f"{jmbd.url}/meetings")
        found = re.search(r'<article class="meeting">.*?</article>', r.text, re.S)
        assert found and f'href="/meetings/{mid}"' in found.group(0), r.text[:3000]
        return found.group(0)

    def on(day):
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}, 10:00"

    text = card()
    assert on(first) in text
    assert f'<p class="rule">Every day at 10:00 (Europe/Paris), 5 times, from {long_date(first)}' in text
    # Two days and an hour after the first start: the third occurrence is next.
    jmbd.stop()
    offset = int((first + timedelta(days=2, hours=1)).timestamp() - datetime.now(ZONE).timestamp())
    jmbd.start(env={"JMB_TEST_TIME_OFFSET": str(offset)})
    text = card()
    assert on(first + timedelta(days=3)) in text
    assert f"from {long_date(first)}" in text


def test_edit_fills_the_block_from_the_rule(jmbd, alice):
    start = next_weekday("TH")
    mid = create_meeting_form(alice, jmbd, date=start.isoformat(), time="11:00",
                              repeat="weekly", repeat_interval="2", repeat_day=["TU", "TH"],
                              repeat_end="until",
                              repeat_until=(start + timedelta(days=50)).isoformat())
    r = alice.get(f"{jmbd.url}/meetings/{mid}/edit")
    page = Page(r.text)
    assert page.values["repeat"] == "weekly"
    assert page.values["repeat_interval"] == "2"
    assert page.values["repeat_end"] == "until"
    assert page.values["repeat_until"] == (start + timedelta(days=50)).isoformat()
    ticked = re.findall(r'name="repeat_day" value="([A-Z]{2})" checked', r.text)
    assert ticked == ["TU", "TH"]
    assert "Every 2 weeks on Tuesday and Thursday at 11:00 (Europe/Paris)" in block(r.text)[2]
    # Saving the form unchanged keeps the rule; "does not repeat" ends the series.
    data = {k: v for k, v in page.values.items()}
    data["repeat_day"] = ticked
    rule = api_meeting(alice, jmbd, mid)["recurrence"]
    r = alice.post(f"{jmbd.url}/meetings/{mid}", data=data, allow_redirects=False)
    assert r.status_code == 303, r.text[:3000]
    assert api_meeting(alice, jmbd, mid)["recurrence"] == rule
    data["repeat"] = "none"
    r = alice.post(f"{jmbd.url}/meetings/{mid}", data=data, allow_redirects=False)
    assert r.status_code == 303
    assert api_meeting(alice, jmbd, mid)["recurrence"] is None


def test_rule_the_form_cannot_show_is_kept(jmbd, alice):
    """A rule set elsewhere (the API) stays as it is when the form is saved."""
    start = next_weekday("MO")
    # The form carries such a rule as repeat=keep with the rule itself.
    mid = create_meeting_form(alice, jmbd, date=start.isoformat(), time="09:00",
                              repeat="keep", repeat_rule="FREQ=DAILY;COUNT=5;BYDAY=MO,TU")
    rule = api_meeting(alice, jmbd, mid)["recurrence"]
    assert rule == "FREQ=DAILY;COUNT=5;BYDAY=MO,TU"
    r = alice.get(f"{jmbd.url}/meetings/{mid}/edit")
    page = Page(r.text)
    assert page.values["repeat"] == "keep" and page.values["repeat_rule"] == rule
    assert block(r.text)[2] == f"Repeats: {rule}"
    r = alice.post(f"{jmbd.url}/meetings/{mid}", data=page.values, allow_redirects=False)
    assert r.status_code == 303
    assert api_meeting(alice, jmbd, mid)["recurrence"] == rule
