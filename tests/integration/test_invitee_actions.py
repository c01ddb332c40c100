"""What the meeting page lets people do for one invitee: the organiser sees
and copies each personal link (a read-only field, no JavaScript needed),
sends one invitation again (one mail through the outbox) and removes an
invitee, who is told with a CANCEL; a logged-in invitee answers (maybe too)
on the meeting page itself. Only the organiser acts on others, only while
the meeting is not over."""
import email
import re
from email import policy

import icalendar
import pytest

from conftest import csrf_of
from jmb_links import book, view

GUEST = "guest@outside.example"


@pytest.fixture
def site(jmbd_factory, smtp):
    d = jmbd_factory("actions", start=False, sections={
        "mail": {"transport": smtp.url, "from": "noreply@example.org",
                 "local_domains": "example.org"}})
    d.add_user("alice", "alice-password", mail="alice@example.org", name="Alice Martin")
    d.add_user("bob", "bob-password", mail="bob@example.org", name="Bob Bernard")
    return d.start(env={"JMB_QUEUE_INTERVAL": "1"})


def page(session, d, m):
    return session.get(f"{d.url}/meetings/{m['id']}").text


def attendee_id(d, m, mail):
    html = page(d.session("alice", "alice-password"), d, m)
    found = re.search(rf'/meetings/{m["id"]}/attendees/(\d+)/resend"[^\n]*?'
                      rf'aria-label="Send again: {re.escape(mail)}"', html)
    return found.group(1)


def post(session, d, path, **data):
    html = session.get(f"{d.url}{path.split('/attendees')[0].rsplit('/answer', 1)[0]}").text
    return session.post(f"{d.url}{path}", data={"csrf": csrf_of(html), **data},
                        allow_redirects=False)


def calendar_method(envelope):
    msg = email.message_from_bytes(envelope.content, policy=policy.default)
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_content())["METHOD"]
    return None


def test_the_organiser_sees_and_copies_each_personal_link(site, smtp):
    m = book(site, guests=[GUEST, "bob@example.org"])
    html = page(site.session("alice", "alice-password"), site, m)
    links = {a["mail"]: a["link"] for a in view(site, m)["attendees"]}
    for mail, link in links.items():
        assert re.search(rf'<input type="text" readonly class="link" value="{re.escape(link)}" '
                         rf'aria-label="Personal link of {re.escape(mail)}"', html), mail
    # An invitee sees no one else's link, not even in the page source.
    bobs_page = page(site.session("bob", "bob-password"), site, m)
    assert links[GUEST].rsplit("/j/", 1)[1] not in bobs_page


def test_send_one_invitation_again(site, smtp):
    m = book(site, guests=[GUEST, "bob@example.org"])
    smtp.wait_for(3)
    s = site.session("alice", "alice-password")
    aid = attendee_id(site, m, GUEST)
    r = post(s, site, f"/meetings/{m['id']}/attendees/{aid}/resend")
    assert r.status_code == 303 and r.headers["Location"].endswith("?resent=1")
    again = smtp.wait_for(4)[3]
    assert again.rcpt_tos == [GUEST] and calendar_method(again) == "REQUEST"
    assert "The invitation was sent again." in s.get(site.url + r.headers["Location"]).text
    assert len(smtp.wait_for(5, timeout=2)) == 4  # one mail, to that invitee only
    assert re.search(r"event=mail id=4 kind=invitation to=guest@outside.example outcome=sent",
                     site.log()), site.log()


def test_remove_one_invitee_who_is_told(site, smtp):
    m = book(site, guests=[GUEST, "bob@example.org"])
    smtp.wait_for(3)
    s = site.session("alice", "alice-password")
    aid = attendee_id(site, m, GUEST)
    r = post(s, site, f"/meetings/{m['id']}/attendees/{aid}/remove")
    assert r.status_code == 303 and r.headers["Location"].endswith("?removed=1")
    assert [a["mail"] for a in view(site, m)["attendees"]] == ["bob@example.org"]
    told = [e for e in smtp.wait_for(4) if e.rcpt_tos == [GUEST]][-1]
    assert calendar_method(told) == "CANCEL"
    # Nothing else changed: Bob is not mailed again.
    assert not [e for e in smtp.wait_for(6, timeout=2)[3:] if e.rcpt_tos == ["bob@example.org"]]


def test_only_the_organiser_acts_on_invitees(site, smtp):
    m = book(site, guests=[GUEST, "bob@example.org"])
    aid = attendee_id(site, m, GUEST)
    bob = site.session("bob", "bob-password")
    for action in ("resend", "remove"):
        r = post(bob, site, f"/meetings/{m['id']}/attendees/{aid}/{action}")
        assert r.status_code == 403, action
    alice = site.session("alice", "alice-password")
    r = post(alice, site, f"/meetings/{m['id']}/attendees/999999/resend")
    assert r.status_code == 404
    assert len(view(site, m)["attendees"]) == 2


def test_a_logged_in_invitee_answers_on_the_meeting_page(site, smtp):
    m = book(site, guests=[GUEST, "bob@example.org"])
    bob = site.session("bob", "bob-password")
    html = page(bob, site, m)
    assert f'action="/meetings/{m["id"]}/answer"' in html and 'value="tentative"' in html
    assert "Personal link" not in html and "/attendees/" not in html
    r = post(bob, site, f"/meetings/{m['id']}/answer", answer="tentative")
    assert r.status_code == 303 and r.headers["Location"].endswith("?answered=1")
    assert {a["mail"]: a["status"] for a in view(site, m)["attendees"]}["bob@example.org"] == \
        "tentative"
    html = bob.get(site.url + r.headers["Location"]).text
    assert "Thank you: your answer was recorded." in html
    assert 'value="tentative"' not in html  # the current answer is not offered again
    # The organiser is no invitee of her own meeting.
    alice = site.session("alice", "alice-password")
    assert post(alice, site, f"/meetings/{m['id']}/answer", answer="accepted").status_code == 403
    assert post(bob, site, f"/meetings/{m['id']}/answer", answer="maybe").status_code == 400
