"""The invitation page /r/<token>: a GET shows the meeting's title, the
organiser, the time in the meeting's own zone, the invitee's role and current
answer, and never changes anything however often it is fetched (mail scanners
follow links; the legacy /invitation.cgi?accept&id= link only leads there).
The answer is a POST with the page's CSRF token: accepted or declined shows at
once on the invitation page, in the owner's meeting page (attendee table and
counts), in the owner's list and in the API; a POST without a valid CSRF token
is 403, an unknown answer 400, and nothing changes then. The page speaks
English and French."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from conftest import csrf_of
from helpers import assert_security_headers
from jmb_links import (attendee, book, delete, end_of, get, jmbd_sharing, location,
                       page_text, token_of, view)

NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = {"en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
            "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]}
MONTHS = {"en": ["January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"],
          "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre"]}
TEXTS = {"en": {"role": "Your role", "guest": "Guest", "moderator": "Moderator",
                "pending": "You have not answered yet.", "accept": "Accept", "decline": "Decline",
                "accepted": "You accepted this invitation.",
                "declined": "You declined this invitation.",
                "thanks": "Thank you: your answer was recorded.", "organiser": "Organiser",
                "opens": "The meeting room opens on", "calendar": "Add to my calendar"},
         "fr": {"role": "Votre rôle", "guest": "Invité", "moderator": "Modérateur",
                "pending": "Vous n'avez pas encore répondu.", "accept": "Accepter",
                "decline": "Décliner", "accepted": "Vous avez accepté cette invitation.",
                "declined": "Vous avez décliné cette invitation.",
                "thanks": "Merci : votre réponse a été enregistrée.",
                "opens": "La salle de réunion ouvre le", "calendar": "Ajouter à mon agenda",
                "organiser": "Organisateur"}}


def late_evening_in_new_york():
    """23:30 in New York about five weeks ahead: already the next day in Paris."""
    day = (datetime.now(NEW_YORK) + timedelta(days=35)).date()
    return datetime(day.year, day.month, day.day, 23, 30, tzinfo=NEW_YORK)


def long_date(t, lang):
    return f"{WEEKDAYS[lang][t.weekday()]} {t.day} {MONTHS[lang][t.month - 1]} {t.year}"


@pytest.fixture
def meeting(jmbd):
    """alice's meeting at 23:30 New York time, bob as guest, carol as moderator."""
    m = book(jmbd, title="Budget <review> & \"plans\"", start=late_evening_in_new_york(),
             zone="America/New_York", duration=60, guests=["bob@example.org"],
             moderators=["carol@example.org"], description="Bring the figures.")
    return m


def answer_form(d, token, session=None, **headers):
    """(session, page, csrf) of the invitation page as a browser gets it."""
    s = session or requests.Session()
    r = s.get(f"{d.url}/r/{token}", headers=headers)
    assert r.status_code == 200, r.status_code
    return s, r, csrf_of(r.text)


def post_answer(d, token, answer, session=None, csrf=None, follow=False):
    s, _, page_csrf = answer_form(d, token, session)
    data = {"csrf": page_csrf if csrf is None else csrf}
    if answer is not None:
        data["answer"] = answer
    return s.post(f"{d.url}/r/{token}", data=data, allow_redirects=follow)


def status(d, m, mail):
    return attendee(view(d, m), mail)["status"]


def owner_table(d, m):
    """{mail: (role label, answer label, joins)} and the summary line of the
    owner's meeting page."""
    import re
    alice = d.session("alice", "alice-password")
    html = alice.get(f"{d.url}/meetings/{m['id']}").text
    rows = re.findall(r'<tr class="attendee">\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td><span class="([a-z-]+)">'
                      r'([^<]+)</span></td>\s*<td class="num">(\d+)</td>', html)
    summary = re.search(r'<p class="summary">(.*?)</p>', html, re.S).group(1)
    return ({mail: (role, cls, label, int(joins)) for mail, role, cls, label, joins in rows},
            " ".join(re.sub(r"<[^>]+>", "", summary).split()))


def owner_list_counts(d):
    alice = d.session("alice", "alice-password")
    return page_text(alice.get(d.url + "/meetings").text).replace(" ,", ",")


# -- the page -----------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "fr"])
def test_page_shows_the_meeting_in_its_own_zone(jmbd, meeting, lang):
    t = TEXTS[lang]
    start = late_evening_in_new_york()
    for mail, role in (("bob@example.org", "guest"), ("carol@example.org", "moderator")):
        r = get(f"{jmbd.url}/r/{token_of(meeting, mail)}", params={"lang": lang})
        assert r.status_code == 200
        assert_security_headers(r)
        assert f'<html lang="{lang}"' in r.text
        text = page_text(r.text)
        assert 'Budget <review> & "plans"' in text
        assert "Budget &lt;review&gt; &amp;" in r.text  # escaped, not markup
        assert f"{t['organiser']} Alice alice@example.org" in text
        assert f"{long_date(start, lang)}, 23:30 – 00:30 (America/New_York)" in text
        assert f"{t['role']} {t[role]}" in text
        assert t["pending"] in text
        assert "Bring the figures." in text
        assert t["thanks"] not in text
        assert f'<button type="submit" name="answer" value="accepted">{t["accept"]}</button>' in r.text
        assert f'value="declined" class="danger">{t["decline"]}</button>' in r.text
        assert f'action="/r/{token_of(meeting, mail)}"' in r.text
        # (The suite's links open at any time: test_join_window.py tests the window.)
        assert f'href="/j/{token_of(meeting, mail)}"' in r.text
        assert t["opens"] not in text
        assert f'<a href="/r/{token_of(meeting, mail)}.ics">{t["calendar"]}</a>' in r.text


def test_french_from_accept_language(jmbd, meeting):
    r = get(f"{jmbd.url}/r/{token_of(meeting, 'bob@example.org')}",
            headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr"' in r.text and TEXTS["fr"]["pending"] in page_text(r.text)


def test_answers_and_changes_are_logged_with_the_meeting_and_attendee(jmbd, meeting):
    token = token_of(meeting, "bob@example.org")
    assert post_answer(jmbd, token, "accepted").status_code == 303
    shown = jmbd.jmbctl("meetings", "show", str(meeting["id"])).stdout
    bob = re.search(r"attendee=(\d+)\s+guest\s+accepted\s+joins=0\s+bob@example\.org", shown)
    assert bob, shown
    log = jmbd.log()
    assert (f"event=invitation_answered meeting={meeting['id']} attendee={bob.group(1)} "
            f"room={meeting['room']} answer=accepted") in log
    assert f"event=meeting_created meeting={meeting['id']} user=alice " in log
    answered = [l for l in log.splitlines() if "event=invitation_answered" in l]
    assert not [l for l in answered if "@" in l], "the invitee by id, not by address"


def test_get_never_changes_the_answer(jmbd, meeting):
    token = token_of(meeting, "bob@example.org")
    for _ in range(15):
        assert get(f"{jmbd.url}/r/{token}").status_code == 200
    for query in ({"answer": "accepted"}, {"answer": "declined"}, {"accept": ""},
                  {"answered": "1"}):
        assert get(f"{jmbd.url}/r/{token}", params=query).status_code == 200
    requests.head(f"{jmbd.url}/r/{token}", timeout=30)
    for legacy in ("accept", "decline"):
        r = get(f"{jmbd.url}/invitation.cgi?{legacy}&id={token}")
        assert r.status_code == 301 and location(r) == f"/r/{token}"
        assert requests.get(f"{jmbd.url}/invitation.cgi?{legacy}&id={token}").status_code == 200
    assert status(jmbd, meeting, "bob@example.org") == "needs-action"
    rows, summary = owner_table(jmbd, meeting)
    assert rows["bob@example.org"][1:3] == ("needs-action", "No answer yet")
    assert summary == "0 accepted, 0 declined, 2 without answer"


# -- answering ---------------------------------------------------------------------

def test_accept_then_decline_shows_everywhere_at_once(jmbd, meeting):
    token = token_of(meeting, "bob@example.org")
    s = requests.Session()
    r = post_answer(jmbd, token, "accepted", session=s)
    assert r.status_code == 303 and location(r) == f"/r/{token}?answered=1"
    page = s.get(jmbd.url + location(r))
    text = page_text(page.text)
    assert "Thank you: your answer was recorded." in text
    assert "You accepted this invitation." in text
    assert 'value="accepted"' not in page.text and 'value="declined"' in page.text
    assert status(jmbd, meeting, "bob@example.org") == "accepted"
    assert status(jmbd, meeting, "carol@example.org") == "needs-action"
    rows, summary = owner_table(jmbd, meeting)
    assert rows["bob@example.org"] == ("Guest", "accepted", "Accepted", 0)
    assert rows["carol@example.org"] == ("Moderator", "needs-action", "No answer yet", 0)
    assert summary == "1 accepted, 0 declined, 1 without answer"
    assert "2 invited, 1 accepted, 0 declined" in owner_list_counts(jmbd)
    # bob's own list shows his answer.
    bob = jmbd.session("bob", "bob-password")
    assert "Accepted" in page_text(bob.get(jmbd.url + "/meetings").text)

    r = post_answer(jmbd, token, "declined", session=s, follow=True)
    assert r.status_code == 200 and "You declined this invitation." in page_text(r.text)
    assert status(jmbd, meeting, "bob@example.org") == "declined"
    rows, summary = owner_table(jmbd, meeting)
    assert rows["bob@example.org"] == ("Guest", "declined", "Declined", 0)
    assert summary == "0 accepted, 1 declined, 1 without answer"
    assert "2 invited, 0 accepted, 1 declined" in owner_list_counts(jmbd)

    post_answer(jmbd, token_of(meeting, "carol@example.org"), "accepted")
    assert {a["mail"]: a["status"] for a in view(jmbd, meeting)["attendees"]} == {
        "bob@example.org": "declined", "carol@example.org": "accepted"}
    assert "2 invited, 1 accepted, 1 declined" in owner_list_counts(jmbd)


def test_post_without_valid_csrf_is_403(jmbd, meeting):
    token = token_of(meeting, "bob@example.org")
    r = requests.post(f"{jmbd.url}/r/{token}", data={"answer": "accepted"},
                      allow_redirects=False)
    assert r.status_code == 403
    r = post_answer(jmbd, token, "accepted", csrf="")
    assert r.status_code == 403
    r = post_answer(jmbd, token, "accepted", csrf="A" * 43)
    assert r.status_code == 403
    # A token from another browser's page does not match this browser's cookie.
    _, _, other_csrf = answer_form(jmbd, token)
    r = post_answer(jmbd, token, "accepted", csrf=other_csrf)
    assert r.status_code == 403
    # Someone else's page token with no cookie at all.
    r = requests.post(f"{jmbd.url}/r/{token}", data={"answer": "accepted", "csrf": other_csrf},
                      allow_redirects=False)
    assert r.status_code == 403
    assert status(jmbd, meeting, "bob@example.org") == "needs-action"


@pytest.mark.parametrize("answer", [None, "", "maybe", "needs-action", "TENTATIVE", "ACCEPTED",
                                    "accepted ", "1"])
def test_unknown_answer_is_400(jmbd, meeting, answer):
    token = token_of(meeting, "bob@example.org")
    r = post_answer(jmbd, token, answer)
    assert r.status_code == 400, (answer, r.status_code)
    assert "Location" not in r.headers
    assert status(jmbd, meeting, "bob@example.org") == "needs-action"


def test_unknown_and_cancelled_invitations(jmbd, meeting):
    token = token_of(meeting, "bob@example.org")
    s, _, csrf = answer_form(jmbd, token)
    bad = "B" * 32
    assert get(f"{jmbd.url}/r/{bad}").status_code == 404
    r = s.post(f"{jmbd.url}/r/{bad}", data={"answer": "accepted", "csrf": csrf},
               allow_redirects=False)
    assert r.status_code == 404
    delete(jmbd, meeting)
    assert get(f"{jmbd.url}/r/{token}").status_code == 410
    r = s.post(f"{jmbd.url}/r/{token}", data={"answer": "accepted", "csrf": csrf},
               allow_redirects=False)
    assert r.status_code == 410


def test_finished_meeting_shows_over_and_refuses_answers(jmbd, meeting, jmbd_factory):
    token = token_of(meeting, "bob@example.org")
    late = jmbd_sharing(jmbd_factory, jmbd, "late", at=end_of(meeting) + timedelta(minutes=1))
    s = requests.Session()
    r = s.get(f"{late.url}/r/{token}")
    assert r.status_code == 200
    assert "This meeting is over." in page_text(r.text)
    assert 'name="answer"' not in r.text and f'href="/j/{token}"' not in r.text
    # Take a CSRF token from a live page of the same browser, then answer too late.
    _, _, csrf = answer_form(jmbd, token, session=s)
    r = s.post(f"{late.url}/r/{token}", data={"answer": "accepted", "csrf": csrf},
               allow_redirects=False)
    assert r.status_code == 410
    assert status(jmbd, meeting, "bob@example.org") == "needs-action"
