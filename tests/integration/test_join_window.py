"""When a personal link opens the room, and text and dates that cannot be
stored. A personal link (/j/<token>) lets its holder in from [booking]
link_opens_before (default 30 minutes) before the start, whatever their role:
before that it answers 403 with the invitation page, which says when the room
opens and offers the meeting as an iCalendar file (/r/<token>.ics). Titles
and descriptions are stored in NFC and refuse the code points that hide or
reorder text; a start more than [booking] max_advance_days ahead is refused,
on create and on edit. jmbd's clock is moved with JMB_TEST_TIME_OFFSET."""
from datetime import timedelta

import icalendar
import pytest

from jmb_links import (bearer, book, get, jmbd_sharing, page_text, room_redirect, slot,
                       start_of, token_of, view)

OPENS = "The meeting room opens on"
EXTERNAL_MODERATOR = "ext.mod@partner.example"
GUEST = "guest@outside.example"


@pytest.fixture
def default_window(jmbd_factory):
    """A jmbd with the default link_opens_before (the suite's base config
    widens it), and alice's meeting in two hours with an external moderator
    and an external guest."""
    d = jmbd_factory("window", start=False, sections={"booking": {"link_opens_before": None}})
    d.add_user("alice", "alice-password")
    d.start()
    m = book(d, start=slot(hours=2), duration=60, moderators=[EXTERNAL_MODERATOR],
             guests=[GUEST])
    return d, m


def test_link_before_its_window_shows_when_the_room_opens(default_window):
    d, m = default_window
    for mail in (EXTERNAL_MODERATOR, GUEST):
        token = token_of(m, mail)
        r = get(f"{d.url}/j/{token}")
        assert r.status_code == 403, (mail, r.status_code)
        assert "Location" not in r.headers  # no token, no room: an external moderator too
        text = page_text(r.text)
        opens = (start_of(m) - timedelta(minutes=30)).strftime("%H:%M")
        assert f"{OPENS}" in text and opens in text, text
        assert f'href="/r/{token}.ics"' in r.text
        assert f'href="/j/{token}"' not in r.text


def test_link_opens_at_its_window(default_window, jmbd_factory):
    base, m = default_window
    early = jmbd_sharing(jmbd_factory, base, "early", at=start_of(m) - timedelta(minutes=31))
    assert get(f"{early.url}/j/{token_of(m, EXTERNAL_MODERATOR)}").status_code == 403
    inside = jmbd_sharing(jmbd_factory, base, "inside", at=start_of(m) - timedelta(minutes=29))
    room, token = room_redirect(get(f"{inside.url}/j/{token_of(m, EXTERNAL_MODERATOR)}"))
    assert room == m["room"] and token is not None
    assert room_redirect(get(f"{inside.url}/j/{token_of(m, GUEST)}"))[0] == m["room"]
    # The invitation page shows the join button from then on.
    r = get(f"{inside.url}/r/{token_of(m, GUEST)}")
    assert f'href="/j/{token_of(m, GUEST)}"' in r.text
    assert OPENS not in page_text(r.text)


def test_add_to_calendar_file(default_window):
    d, m = default_window
    r = get(f"{d.url}/r/{token_of(m, GUEST)}.ics")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in r.headers["Content-Disposition"]
    cal = icalendar.Calendar.from_ical(r.text)
    assert str(cal["METHOD"]) == "PUBLISH"
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 1
    ev = events[0]
    assert str(ev["SUMMARY"]) == "Project sync"
    assert ev["DTSTART"].dt == start_of(m)
    assert "RSVP=TRUE" not in r.text
    assert get(f"{d.url}/r/{'x' * 32}.ics").status_code == 404


# -- hostile text and dates ------------------------------------------------------------

HIDDEN = {
    "U+0085": "\u0085", "U+2028": "\u2028", "U+2029": "\u2029", "U+202E": "\u202e",
    "U+202A": "\u202a", "U+2066": "\u2066", "U+2069": "\u2069", "unassigned U+0378": "\u0378",
}


@pytest.mark.parametrize("name", list(HIDDEN))
def test_hidden_and_reordering_characters_refused(jmbd, name):
    api = bearer(jmbd, "alice")
    start = slot(hours=48).isoformat()
    for field in ("title", "description"):
        body = {"title": "Report", "description": "", "start": start, "duration": 60,
                field: f"invoice{HIDDEN[name]}txt.exe"}
        r = api.post(jmbd.url + "/api/v1/meetings", json=body)
        assert r.status_code == 422, (field, r.text)
        assert field in r.json()["fields"], r.text
    assert api.get(jmbd.url + "/api/v1/meetings").json()["meetings"] == []


def test_text_is_stored_in_nfc(jmbd):
    m = book(jmbd, title="Cafe\u0301 du lundi", description="Re\u0301union\nsuite")
    assert m["title"] == "Caf\u00e9 du lundi"
    assert view(jmbd, m)["description"] == "R\u00e9union\nsuite"


def test_start_too_far_ahead_refused_on_create_and_edit(jmbd):
    api = bearer(jmbd, "alice")
    for start in ("9999-12-31T23:59:59Z", (slot(hours=24 * 731)).isoformat()):
        r = api.post(jmbd.url + "/api/v1/meetings",
                     json={"title": "Far", "start": start, "duration": 60})
        assert r.status_code == 422, r.text
        assert r.json()["fields"]["start"] == \
            "The meeting cannot start more than 730 days from now."
    m = book(jmbd)
    r = api.patch(f"{jmbd.url}/api/v1/meetings/{m['id']}", json={"start": "9999-12-31T23:59:59Z"})
    assert r.status_code == 422
    assert view(jmbd, m)["start"] == m["start"]
    feed = get(api.get(jmbd.url + "/api/v1/me/feed").json()["url"]).text
    assert "00000000T" not in feed and "DTSTART;TZID=Europe/Paris:1" not in feed


def test_cli_refuses_hidden_characters_in_names(jmbd):
    r = jmbd.jmbctl("user", "add", "mallory", "--mail", "mallory@example.org", "--name",
                    "Mallory\u202eexe.pdf", "--password-stdin", input="secret-password\n",
                    check=False)
    assert r.returncode != 0
    assert "invisible direction marks" in r.stderr
