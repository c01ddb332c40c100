"""The booking UI through its HTML forms, as a browser without JavaScript uses
it: create, edit and delete with the page's CSRF token; every validation rule
answers 422 with the typed input kept and one message per field, and stores
nothing; only the owner may edit or delete (403), unknown meetings are 404;
invitees see the meeting in their list with their role; the UI speaks French
or English (Accept-Language, ?lang=, default_language)."""
import re
from datetime import datetime, timedelta

import pytest
import requests

from helpers import (ZONE, Page, create_meeting_form, form_csrf, future_slot, meeting_fields,
                     post_meeting_form, stored_meetings)


@pytest.fixture
def alice(jmbd):
    return jmbd.session("alice", "alice-password")


def slot_iso(date, time, zone=ZONE):
    return datetime.strptime(f"{date} {time}", "%Y-%m-%d %H:%M").replace(tzinfo=zone).isoformat()


def meeting_items(html):
    """(role class, title) of each meeting in a list page."""
    return re.findall(r'<li class="([a-z]+)">\s*<article class="meeting">.*?'
                      r'<h2><a href="/meetings/\d+">([^<]*)</a>', html, re.S)


# -- create, show, edit, delete --------------------------------------------------

def test_create_through_the_form(jmbd, alice):
    date, time = future_slot(days=10, hour=9, minute=30)
    mid = create_meeting_form(alice, jmbd, title="  Budget review  ", description="Line 1\nLine 2",
                              date=date, time=time, duration="120",
                              moderators="Carol@Example.org", guests="bob@example.org\n\nDan@Example.ORG")
    [m] = stored_meetings(jmbd)
    assert m["id"] == mid
    assert m["title"] == "Budget review"
    assert m["description"] == "Line 1\nLine 2"
    assert m["start"] == slot_iso(date, time)
    assert m["duration"] == 120
    assert m["timezone"] == "Europe/Paris"
    assert m["owner"] == {"login": "alice", "mail": "alice@example.org", "name": "Alice"}
    assert sorted((a["mail"], a["role"], a["status"]) for a in m["attendees"]) == [
        ("bob@example.org", "guest", "needs-action"),
        ("carol@example.org", "moderator", "needs-action"),
        ("dan@example.org", "guest", "needs-action")]
    assert re.fullmatch(r"[a-z0-9]{16,}", m["room"])

    r = alice.get(f"{jmbd.url}/meetings/{mid}?saved=1")
    assert r.status_code == 200
    page = Page(r.text)
    assert "The meeting was saved." in page.alerts
    assert "Budget review" in page.headings
    assert "Organiser" in page.text
    assert m["room"] in page.text
    # The owner's attendee table: address, role, answer, joins.
    rows = re.findall(r"<tr class=\"attendee\">\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td><span[^>]*>([^<]+)"
                      r"</span></td>\s*<td[^>]*>(\d+)</td>", r.text)
    assert sorted(rows) == [("bob@example.org", "Guest", "No answer yet", "0"),
                            ("carol@example.org", "Moderator", "No answer yet", "0"),
                            ("dan@example.org", "Guest", "No answer yet", "0")]
    assert "2 h" in page.text


def test_new_form_offers_defaults(jmbd, alice):
    r = alice.get(jmbd.url + "/meetings/new")
    assert r.status_code == 200
    page = Page(r.text)
    assert page.values["duration"] == "90"
    assert page.values["timezone"] == "Europe/Paris"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", page.values["date"])
    options = re.findall(r'<option value="(\d+)"', r.text)
    assert options == [str(v) for v in range(30, 481, 30)]
    # Every control has a label.
    for control in ("title", "description", "date", "time", "duration", "timezone",
                    "moderators", "guests"):
        assert f'<label for="{control}"' in r.text


def test_room_names_are_unique_and_random(jmbd, alice):
    for i in range(5):
        create_meeting_form(alice, jmbd, title=f"m{i}")
    rooms = [m["room"] for m in stored_meetings(jmbd)]
    assert len(set(rooms)) == 5
    assert all(re.fullmatch(r"[a-z0-9]{16,}", r) for r in rooms)


def test_other_time_zone_is_shown_in_both(jmbd, alice):
    date, _ = future_slot(days=12)
    mid = create_meeting_form(alice, jmbd, date=date, time="09:00", timezone="America/New_York")
    [m] = stored_meetings(jmbd)
    assert m["timezone"] == "America/New_York"
    start = datetime.fromisoformat(m["start"])
    assert start.strftime("%H:%M") == "09:00"
    paris = start.astimezone(ZONE).strftime("%H:%M")
    text = Page(alice.get(f"{jmbd.url}/meetings/{mid}").text).text
    assert paris in text and "America/New_York" in text and "09:00" in text


def test_edit_through_the_form(jmbd, alice):
    date, time = future_slot(days=5)
    mid = create_meeting_form(alice, jmbd, title="Before", date=date, time=time,
                              moderators="carol@example.org", guests="bob@example.org")
    r = alice.get(f"{jmbd.url}/meetings/{mid}/edit")
    assert r.status_code == 200
    page = Page(r.text)
    assert page.values["title"] == "Before"
    assert (page.values["date"], page.values["time"]) == (date, time)
    assert page.values["duration"] == "90"
    assert page.values["moderators"].strip() == "carol@example.org"
    assert page.values["guests"].strip() == "bob@example.org"
    assert f'action="/meetings/{mid}"' in r.text

    new_date, new_time = future_slot(days=6, hour=16)
    r = post_meeting_form(alice, jmbd, path=f"/meetings/{mid}", csrf=page.values["csrf"],
                          title="After", date=new_date, time=new_time, duration="30",
                          moderators="", guests="bob@example.org\ndan@example.org")
    assert r.status_code == 303
    assert r.headers["Location"] == f"/meetings/{mid}?saved=1"
    [m] = stored_meetings(jmbd)
    assert (m["id"], m["title"], m["duration"]) == (mid, "After", 30)
    assert m["start"] == slot_iso(new_date, new_time)
    assert sorted((a["mail"], a["role"]) for a in m["attendees"]) == [
        ("bob@example.org", "guest"), ("dan@example.org", "guest")]


def test_delete_through_the_form(jmbd, alice):
    mid = create_meeting_form(alice, jmbd, title="Doomed", guests="bob@example.org")
    r = alice.get(f"{jmbd.url}/meetings/{mid}/delete")
    assert r.status_code == 200
    page = Page(r.text)
    assert "Doomed" in page.text
    assert stored_meetings(jmbd) != []  # asking is not deleting
    r = alice.post(f"{jmbd.url}/meetings/{mid}/delete", data={"csrf": page.values["csrf"]},
                   allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == "/meetings?deleted=1"
    assert stored_meetings(jmbd) == []
    [gone] = stored_meetings(jmbd, deleted=True)
    assert gone["id"] == mid
    for path in (f"/meetings/{mid}", f"/meetings/{mid}/edit", f"/meetings/{mid}/delete"):
        assert alice.get(jmbd.url + path).status_code == 404
    r = alice.post(f"{jmbd.url}/meetings/{mid}/delete", data={"csrf": page.values["csrf"]})
    assert r.status_code == 404
    assert "Doomed" not in [t for _, t in meeting_items(alice.get(jmbd.url + "/meetings").text)]
    bob = jmbd.session("bob", "bob-password")
    assert meeting_items(bob.get(jmbd.url + "/meetings").text) == []


# -- validation ------------------------------------------------------------------

def yesterday():
    return (datetime.now(ZONE) - timedelta(days=1)).strftime("%Y-%m-%d")


def an_hour_ago():
    t = datetime.now(ZONE) - timedelta(hours=1)
    return t.strftime("%Y-%m-%d"), t.strftime("%H:%M")


INVALID = {
    "empty-title": ({"title": ""}, "title", "Please give the meeting a title."),
    "blank-title": ({"title": "   \t "}, "title", "Please give the meeting a title."),
    "missing-title": ({"title": None}, "title", "Please give the meeting a title."),
    "long-title": ({"title": "x" * 201}, "title", "The title is too long (at most 200 characters)."),
    "control-in-title": ({"title": "a\x07b"}, "title", "control characters"),
    "long-description": ({"description": "d" * 4001}, "description", "too long"),
    "start-yesterday": ({"date": yesterday()}, "date", "The meeting cannot start in the past."),
    "start-an-hour-ago": (dict(zip(("date", "time"), an_hour_ago())), "date",
                          "The meeting cannot start in the past."),
    "bad-date": ({"date": "2031-02-30"}, "date", "Please give a valid date (YYYY-MM-DD)."),
    "garbage-date": ({"date": "tomorrow"}, "date", "Please give a valid date (YYYY-MM-DD)."),
    "bad-time": ({"time": "25:00"}, "time", "Please give a valid time (HH:MM)."),
    "bad-zone": ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Unknown time zone."),
    "duration-zero": ({"duration": "0"}, "duration", "between 30 and 480 minutes"),
    "duration-short": ({"duration": "29"}, "duration", "between 30 and 480 minutes"),
    "duration-long": ({"duration": "481"}, "duration", "between 30 and 480 minutes"),
    "duration-over-max-on-step": ({"duration": "510"}, "duration", "between 30 and 480 minutes"),
    "duration-off-step": ({"duration": "45"}, "duration", "in steps of 30 minutes"),
    "duration-negative": ({"duration": "-30"}, "duration", "between 30 and 480 minutes"),
    "duration-text": ({"duration": "ninety"}, "duration", "The duration must be a number of minutes."),
    "duration-fraction": ({"duration": "90.0"}, "duration", "The duration must be a number of minutes."),
    "duration-empty": ({"duration": ""}, "duration", "Please choose a duration."),
    "three-moderators": ({"moderators": "m1@example.org\nm2@example.org\nm3@example.org"},
                         "moderators", "At most 2 moderators may be invited."),
    "51-guests": ({"guests": "\n".join(f"g{i}@example.org" for i in range(51))}, "guests",
                  "At most 50 guests may be invited."),
    "malformed-guest": ({"guests": "bob@example.org\nnot-an-address"}, "guests",
                        "'not-an-address' is not a valid e-mail address."),
    "guest-without-domain-dot": ({"guests": "bob@localhost"}, "guests", "is not a valid e-mail address."),
    "guest-two-ats": ({"guests": "bob@@example.org"}, "guests", "is not a valid e-mail address."),
    "guest-double-dot": ({"guests": "bob..b@example.org"}, "guests", "is not a valid e-mail address."),
    "malformed-moderator": ({"moderators": "carol@"}, "moderators", "'carol@' is not a valid e-mail address."),
    "duplicate-guest-case": ({"guests": "Bob@Example.org\nbob@example.ORG"}, "guests",
                             "bob@example.org is listed more than once."),
    "duplicate-moderator": ({"moderators": "carol@example.org, CAROL@example.org"}, "moderators",
                            "carol@example.org is listed more than once."),
    "moderator-also-guest": ({"moderators": "carol@example.org", "guests": "Carol@Example.org"},
                             "guests", "carol@example.org is listed more than once."),
    "owner-as-guest": ({"guests": "ALICE@example.org"}, "guests",
                       "You organise this meeting: do not invite yourself (alice@example.org)."),
    "owner-as-moderator": ({"moderators": "alice@example.org"}, "moderators",
                           "do not invite yourself"),
}


@pytest.mark.parametrize("case", INVALID.keys())
def test_invalid_form_comes_back_with_input_and_message(jmbd, alice, case):
    overrides, field, message = INVALID[case]
    typed = meeting_fields(title="Kept title", description="Kept <description>",
                           moderators="carol@example.org", guests="bob@example.org")
    typed.update(overrides)
    r = post_meeting_form(alice, jmbd, **{k: typed.get(k) for k in typed})
    assert r.status_code == 422, r.text[:500]
    page = Page(r.text)
    assert list(page.field_errors) == [field], page.field_errors
    assert message in page.field_errors[field]
    assert any(message in a for a in page.alerts)  # the summary at the top too
    for name in ("title", "description", "date", "time", "moderators", "guests", "timezone"):
        if name in typed and typed[name] is not None:
            # HTML cannot carry control characters: those are the one loss.
            kept = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", typed[name])
            assert page.values[name] == kept, name
    if field != "duration":
        assert page.values["duration"] == typed["duration"]
    assert "New meeting" in page.headings
    assert stored_meetings(jmbd) == []


def test_every_bad_field_gets_its_own_message(jmbd, alice):
    r = post_meeting_form(alice, jmbd, title="", date=yesterday(), duration="45",
                          moderators="a@example.org b@example.org c@example.org",
                          guests="nope")
    assert r.status_code == 422
    errors = Page(r.text).field_errors
    assert set(errors) == {"title", "date", "duration", "moderators", "guests"}
    assert len(set(errors.values())) == 5
    assert stored_meetings(jmbd) == []


def test_limits_are_inclusive(jmbd, alice):
    create_meeting_form(alice, jmbd, duration="30",
                        moderators="m1@example.org m2@example.org",
                        guests="\n".join(f"g{i}@example.org" for i in range(50)))
    create_meeting_form(alice, jmbd, duration="480", title="x" * 200)
    stored = sorted(stored_meetings(jmbd), key=lambda m: m["duration"])
    assert [m["duration"] for m in stored] == [30, 480]
    assert len(stored[0]["attendees"]) == 52


def test_booking_limits_follow_the_config(jmbd_factory):
    d = jmbd_factory(start=False, sections={"booking": {
        "min_duration": "15", "max_duration": "60", "step_duration": "15",
        "default_duration": "45", "max_moderators": "1", "max_guests": "2"}})
    d.add_user("alice", "alice-password")
    d.start()
    s = d.session("alice", "alice-password")
    page = Page(s.get(d.url + "/meetings/new").text)
    assert page.values["duration"] == "45"
    assert re.findall(r'<option value="(\d+)"', s.get(d.url + "/meetings/new").text) == \
        ["15", "30", "45", "60"]
    create_meeting_form(s, d, duration="15", moderators="m@example.org",
                        guests="g1@example.org g2@example.org")
    for overrides, field in (({"duration": "75"}, "duration"), ({"duration": "20"}, "duration"),
                             ({"moderators": "m1@example.org m2@example.org"}, "moderators"),
                             ({"guests": "a@example.org b@example.org c@example.org"}, "guests")):
        r = post_meeting_form(s, d, **{"duration": "45", **overrides})
        assert r.status_code == 422
        assert list(Page(r.text).field_errors) == [field]
    assert len(stored_meetings(d)) == 1


def test_invalid_edit_keeps_the_stored_meeting(jmbd, alice):
    mid = create_meeting_form(alice, jmbd, title="Original", guests="bob@example.org")
    before = stored_meetings(jmbd)
    r = post_meeting_form(alice, jmbd, path=f"/meetings/{mid}", title="Changed",
                          guests="bob@example.org alice@example.org", duration="45")
    assert r.status_code == 422
    page = Page(r.text)
    assert set(page.field_errors) == {"guests", "duration"}
    assert page.values["title"] == "Changed"
    assert "Edit the meeting" in page.headings
    assert stored_meetings(jmbd) == before


def test_started_meeting_keeps_its_start_when_edited(jmbd, alice):
    """"Start in the past" is about moving a meeting there, not about editing
    one that has begun."""
    date, time = future_slot(days=1, hour=10)
    mid = create_meeting_form(alice, jmbd, title="Running", date=date, time=time, duration="480")
    jmbd.stop()
    started = datetime.strptime(f"{date} {time}", "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)
    offset = int(started.timestamp() - datetime.now(ZONE).timestamp()) + 3600
    jmbd.start(env={"JMB_TEST_TIME_OFFSET": str(offset)})
    alice = jmbd.session("alice", "alice-password")
    r = post_meeting_form(alice, jmbd, path=f"/meetings/{mid}", title="Running late",
                          date=date, time=time, duration="480")
    assert r.status_code == 303, Page(r.text).field_errors
    r = post_meeting_form(alice, jmbd, path=f"/meetings/{mid}", title="Running late",
                          date=date, time="09:00", duration="480")
    assert r.status_code == 422
    assert Page(r.text).field_errors == {"date": "The meeting cannot start in the past."}
    [m] = stored_meetings(jmbd)
    assert (m["title"], m["start"]) == ("Running late", slot_iso(date, time))


# -- who may do what ---------------------------------------------------------------

def test_only_the_owner_may_edit_or_delete(jmbd, alice):
    mid = create_meeting_form(alice, jmbd, title="Alice's", guests="bob@example.org")
    before = stored_meetings(jmbd)
    for login in ("bob", "carol"):  # an invitee, and a stranger
        s = jmbd.session(login, f"{login}-password")
        csrf = form_csrf(s, jmbd)
        assert s.get(f"{jmbd.url}/meetings/{mid}/edit").status_code == 403
        assert s.get(f"{jmbd.url}/meetings/{mid}/delete").status_code == 403
        r = post_meeting_form(s, jmbd, path=f"/meetings/{mid}", csrf=csrf, title="Hijacked")
        assert r.status_code == 403
        assert "Only the organiser of this meeting may change it." in Page(r.text).text
        r = s.post(f"{jmbd.url}/meetings/{mid}/delete", data={"csrf": csrf}, allow_redirects=False)
        assert r.status_code == 403
    assert stored_meetings(jmbd) == before


def test_strangers_cannot_see_a_meeting(jmbd, alice):
    mid = create_meeting_form(alice, jmbd, title="Private", guests="bob@example.org")
    carol = jmbd.session("carol", "carol-password")
    r = carol.get(f"{jmbd.url}/meetings/{mid}")
    assert r.status_code == 404
    assert "Private" not in r.text
    assert meeting_items(carol.get(jmbd.url + "/meetings").text) == []


@pytest.mark.parametrize("mid", ["999", "0", "-1", "abc", "1e3", "99999999999999999999999", "1x"])
def test_unknown_meeting_is_404(jmbd, alice, mid):
    csrf = form_csrf(alice, jmbd)
    for path in (f"/meetings/{mid}", f"/meetings/{mid}/edit", f"/meetings/{mid}/delete"):
        r = alice.get(jmbd.url + path)
        assert r.status_code == 404, path
        assert "This meeting does not exist or was deleted." in Page(r.text).text
    r = post_meeting_form(alice, jmbd, path=f"/meetings/{mid}", csrf=csrf)
    assert r.status_code == 404
    r = alice.post(f"{jmbd.url}/meetings/{mid}/delete", data={"csrf": csrf})
    assert r.status_code == 404
    assert stored_meetings(jmbd) == []


def test_invitees_see_the_meeting_with_their_role(jmbd, alice):
    mid = create_meeting_form(alice, jmbd, title="Team", moderators="Carol@EXAMPLE.org",
                              guests="bob@example.org")
    assert meeting_items(alice.get(jmbd.url + "/meetings").text) == [("owner", "Team")]
    for login, role, label in (("bob", "guest", "Guest"), ("carol", "moderator", "Moderator")):
        s = jmbd.session(login, f"{login}-password")
        r = s.get(jmbd.url + "/meetings")
        assert meeting_items(r.text) == [(role, "Team")]
        assert label in Page(r.text).text
        r = s.get(f"{jmbd.url}/meetings/{mid}")
        assert r.status_code == 200
        page = Page(r.text)
        assert label in page.text
        assert "No answer yet" in page.text
        assert "Alice" in page.text
        # Invitees get neither the attendee table nor the owner's buttons.
        assert "Invitees" not in page.headings
        assert f"/meetings/{mid}/edit" not in page.links


def test_owner_list_counts_invitees(jmbd, alice):
    create_meeting_form(alice, jmbd, title="Counted", moderators="carol@example.org",
                        guests="bob@example.org dan@example.org")
    text = re.sub(r"\s+,", ",", Page(alice.get(jmbd.url + "/meetings").text).text)
    assert "3 invited, 0 accepted, 0 declined" in text
    assert "Organiser" in text


def test_list_is_sorted_and_past_meetings_move_to_the_archive(jmbd, alice):
    for days, title in ((9, "Later"), (2, "Sooner"), (5, "Middle")):
        date, time = future_slot(days=days)
        create_meeting_form(alice, jmbd, title=title, date=date, time=time, duration="60")
    titles = [t for _, t in meeting_items(alice.get(jmbd.url + "/meetings").text)]
    assert titles == ["Sooner", "Middle", "Later"]
    jmbd.stop()
    jmbd.start(env={"JMB_TEST_TIME_OFFSET": str(4 * 86400)})
    alice = jmbd.session("alice", "alice-password")
    titles = [t for _, t in meeting_items(alice.get(jmbd.url + "/meetings").text)]
    assert titles == ["Middle", "Later"]
    archive = Page(alice.get(jmbd.url + "/meetings/archive").text).text
    assert "Sooner" in archive and "Later" not in archive


def test_meetings_about_to_start_are_highlighted(jmbd, alice):
    """Owner 15 minutes before the start, invitees 5 minutes before."""
    date, time = future_slot(days=2, hour=10)
    create_meeting_form(alice, jmbd, title="Soon", date=date, time=time, duration="60",
                        guests="bob@example.org")
    start = datetime.strptime(f"{date} {time}", "%Y-%m-%d %H:%M").replace(tzinfo=ZONE).timestamp()

    def badges_at(seconds_before_start):
        jmbd.stop()
        offset = int(start - seconds_before_start - datetime.now(ZONE).timestamp())
        jmbd.start(env={"JMB_TEST_TIME_OFFSET": str(offset)})
        return ["Starting soon" in jmbd.session(u, f"{u}-password").get(jmbd.url + "/meetings").text
                for u in ("alice", "bob")]

    assert badges_at(20 * 60) == [False, False]
    assert badges_at(10 * 60) == [True, False]
    assert badges_at(3 * 60) == [True, True]
    assert badges_at(-30 * 60) == [True, True]  # under way


# -- languages ---------------------------------------------------------------------

def test_french_with_accept_language(jmbd, alice):
    r = alice.get(jmbd.url + "/meetings", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    page = Page(r.text)
    assert page.lang == "fr"
    assert r.headers["Content-Language"] == "fr"
    assert "Mes réunions" in page.headings
    assert "Nouvelle réunion" in page.text


def test_english_with_accept_language(jmbd_factory):
    d = jmbd_factory(start=False, sections={"server": {"default_language": "fr"}})
    d.add_user("alice", "alice-password")
    d.start()
    s = d.session("alice", "alice-password")
    r = s.get(d.url + "/meetings", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert Page(r.text).lang == "en"
    assert "My meetings" in Page(r.text).headings
    r = s.get(d.url + "/meetings")  # no preference: the configured default
    assert Page(r.text).lang == "fr"
    assert "Mes réunions" in Page(r.text).headings
    # A language jmb does not speak falls back to the default; one it speaks is taken.
    r = s.get(d.url + "/meetings", headers={"Accept-Language": "pt, ja;q=0.5"})
    assert Page(r.text).lang == "fr"
    r = s.get(d.url + "/meetings", headers={"Accept-Language": "pt, de;q=0.5"})
    assert Page(r.text).lang == "de"
    assert "Meine Besprechungen" in Page(r.text).headings


def test_lang_parameter_overrides_accept_language(jmbd, alice):
    r = alice.get(jmbd.url + "/meetings?lang=en", headers={"Accept-Language": "fr"})
    assert Page(r.text).lang == "en"
    r = alice.get(jmbd.url + "/meetings?lang=fr", headers={"Accept-Language": "en"})
    assert Page(r.text).lang == "fr"
    assert r.headers["Content-Language"] == "fr"
    r = alice.get(jmbd.url + "/meetings?lang=xx", headers={"Accept-Language": "fr"})
    assert Page(r.text).lang == "fr"


def test_validation_messages_in_french(jmbd, alice):
    alice.headers["Accept-Language"] = "fr"
    r = post_meeting_form(alice, jmbd, title="", guests="alice@example.org")
    assert r.status_code == 422
    errors = Page(r.text).field_errors
    assert errors["title"] == "Veuillez donner un titre à la réunion."
    assert "alice@example.org" in errors["guests"]
    assert "Nouvelle réunion" in Page(r.text).headings
    assert stored_meetings(jmbd) == []


def test_login_form_in_french(jmbd):
    r = requests.get(jmbd.url + "/auth/local/login", headers={"Accept-Language": "fr"})
    assert "Se connecter" in Page(r.text).headings
    r = requests.get(jmbd.url + "/auth/local/login?lang=fr")
    assert "Se connecter" in Page(r.text).headings


def test_the_form_offers_every_iana_zone_grouped_by_region(jmbd):
    s = jmbd.session("alice", "alice-password")
    # A meeting of hers in New York makes that zone a suggestion.
    r = s.post(jmbd.url + "/api/v1/meetings", json={
        "title": "NY", "start": "2027-03-02T09:00:00-05:00", "duration": 60,
        "timezone": "America/New_York"})
    assert r.status_code == 201, r.text
    page = s.get(jmbd.url + "/meetings/new").text
    html = re.search(r'<select id="timezone".*?</select>', page, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', html, re.S)
    labels = [label for label, _ in groups]
    assert labels == ["Suggested", "Africa", "Americas", "Antarctica", "Arctic", "Asia",
                      "Atlantic Ocean", "Australia", "Europe", "Indian Ocean", "Pacific Ocean",
                      "Other"]
    suggested = re.findall(r'<option value="([^"]+)"( selected)?>', groups[0][1])
    assert suggested == [("Europe/Paris", " selected"), ("America/New_York", "")]
    values = set(re.findall(r'<option value="([^"]+)"', html))
    assert len(values) > 350
    for zone in ("America/Argentina/Buenos_Aires", "Pacific/Noumea", "Asia/Kolkata",
                 "Antarctica/Troll", "UTC", "Indian/Reunion"):
        assert zone in values, zone
    assert '<option value="America/Argentina/Buenos_Aires">Argentina / Buenos Aires</option>' \
        in html
    # Every zone offered is one the server accepts.
    zones = sorted(values)
    for zone in zones[::25]:
        r = s.post(jmbd.url + "/api/v1/meetings", json={
            "title": zone, "start": "2027-03-02T09:00:00Z", "duration": 60, "timezone": zone})
        assert r.status_code == 201, (zone, r.text)
