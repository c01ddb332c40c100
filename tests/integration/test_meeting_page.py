"""The meeting page as people meet it: a Join button for everyone who may
join (or when the room opens), no Edit or Delete once a meeting is over, and
error pages for anonymous invitees without a login link they cannot use."""
from datetime import timedelta

from jmb_links import book, delete, end_of, get, jmbd_sharing, page_text, slot, start_of, token_of

FIELDS_FR = "Certains champs ne sont pas valides."


def test_join_button_or_when_it_opens(jmbd):
    soon = book(jmbd, start=slot(hours=0.2), guests=["bob@example.org"])
    later = book(jmbd, start=slot(hours=48), guests=["bob@example.org"])
    alice = jmbd.session("alice", "alice-password")
    page = alice.get(f"{jmbd.url}/meetings/{soon['id']}").text
    assert f'href="/start/{soon["room"]}">Join the meeting</a>' in page
    page = alice.get(f"{jmbd.url}/meetings/{later['id']}").text
    assert f'href="/start/{later["room"]}">Join the meeting</a>' not in page
    opens = (start_of(later) - timedelta(minutes=15)).strftime("%H:%M")
    assert "The room opens on" in page_text(page) and opens in page
    # bob, invited as a guest, joins with his personal link.
    bob = jmbd.session("bob", "bob-password")
    page = bob.get(f"{jmbd.url}/meetings/{soon['id']}").text
    assert f'href="/j/{token_of(soon, "bob@example.org")}">Join the meeting</a>' in page


def test_past_meetings_offer_no_edit_or_delete(jmbd, jmbd_factory):
    m = book(jmbd, start=slot(hours=1), duration=60)
    after = jmbd_sharing(jmbd_factory, jmbd, "after", at=end_of(m) + timedelta(minutes=5))
    alice = after.session("alice", "alice-password")
    page = alice.get(f"{after.url}/meetings/{m['id']}").text
    assert f'/meetings/{m["id"]}/edit' not in page and f'/meetings/{m["id"]}/delete' not in page
    assert "Join the meeting" not in page
    archive = alice.get(f"{after.url}/meetings/archive").text
    assert f'/meetings/{m["id"]}/edit' not in archive
    # Before its end the same page offers both.
    before = jmbd.session("alice", "alice-password").get(f"{jmbd.url}/meetings/{m['id']}").text
    assert f'/meetings/{m["id"]}/edit' in before and f'/meetings/{m["id"]}/delete' in before


def test_anonymous_error_pages_have_no_login_link(jmbd):
    m = book(jmbd, guests=["guest@outside.example"])
    delete(jmbd, m)
    r = get(f"{jmbd.url}/r/{token_of(m, 'guest@outside.example')}")
    assert r.status_code == 410
    assert 'href="/meetings"' not in r.text
    r = get(f"{jmbd.url}/j/{'x' * 32}")
    assert r.status_code == 404 and 'href="/meetings"' not in r.text
    # Someone logged in still gets the way back.
    r = jmbd.session("alice", "alice-password").get(f"{jmbd.url}/meetings/99999")
    assert r.status_code == 404 and 'href="/meetings"' in r.text


def test_language_choice_sticks(jmbd):
    """?lang= (the FR/EN switch) is remembered by the browser for every later
    page and API message; without it Accept-Language decides."""
    m = book(jmbd, guests=["guest@outside.example"])
    s = jmbd.session("alice", "alice-password")
    s.headers["Accept-Language"] = "en"
    assert '<html lang="fr"' in s.get(f"{jmbd.url}/meetings?lang=fr").text
    assert s.cookies.get("jmb_lang") == "fr"
    assert '<html lang="fr"' in s.get(f"{jmbd.url}/meetings/{m['id']}").text
    r = s.post(f"{jmbd.url}/api/v1/meetings", json={"title": ""})
    assert r.status_code == 422 and r.json()["error"] == FIELDS_FR, r.text
    assert '<html lang="en"' in s.get(f"{jmbd.url}/meetings?lang=en").text
    assert '<html lang="en"' in s.get(f"{jmbd.url}/meetings").text
    # An invitee's page follows the same rule; personal links set no cookie.
    guest = jmbd.session()
    r = guest.get(f"{jmbd.url}/r/{token_of(m, 'guest@outside.example')}?lang=fr")
    assert '<html lang="fr"' in r.text and guest.cookies.get("jmb_lang") == "fr"
    r = get(f"{jmbd.url}/j/{token_of(m, 'guest@outside.example')}?lang=fr")
    assert "jmb_lang" not in r.headers.get("Set-Cookie", "")


def test_add_to_my_calendar_gives_the_meeting_as_the_viewer_sees_it(jmbd):
    import icalendar
    m = book(jmbd, start=slot(hours=30), title="Budget: Q3", guests=["bob@example.org"])
    alice = jmbd.session("alice", "alice-password")
    page = alice.get(f"{jmbd.url}/meetings/{m['id']}").text
    assert f'href="/meetings/{m["id"]}.ics">Add to my calendar</a>' in page

    def calendar(session):
        r = session.get(f"{jmbd.url}/meetings/{m['id']}.ics", allow_redirects=False)
        assert r.status_code == 200, r.status_code
        assert r.headers["Content-Type"].startswith("text/calendar")
        assert r.headers["Content-Disposition"] == f'attachment; filename="meeting-{m["id"]}.ics"'
        [event] = icalendar.Calendar.from_ical(r.content).walk("VEVENT")
        return event

    mine = calendar(alice)
    assert str(mine["SUMMARY"]) == "Budget: Q3"
    assert mine.decoded("DTSTART") == start_of(m)
    assert f"/start/{m['room']}" in str(mine["DESCRIPTION"])
    # bob, invited, gets his own personal link, not the organiser's.
    bobs = calendar(jmbd.session("bob", "bob-password"))
    assert str(bobs["UID"]) == str(mine["UID"])
    assert f"/j/{token_of(m, 'bob@example.org')}" in str(bobs["URL"])
    # Someone else learns nothing; nobody logged in is sent to the login.
    carol = jmbd.session("carol", "carol-password")
    assert carol.get(f"{jmbd.url}/meetings/{m['id']}.ics").status_code in (403, 404)
    r = get(f"{jmbd.url}/meetings/{m['id']}.ics")
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]
    assert alice.get(f"{jmbd.url}/meetings/{m['id']}x.ics").status_code == 404
