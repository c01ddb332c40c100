"""Each mail in its recipient's language: a logged-in user's own choice
(users.language, set at login and by ?lang=), else the language an invitee
last read their invitation page in, else the organiser's at booking time,
else the server's default."""
import email
import re
from email import policy

import pytest
import requests

from conftest import csrf_of

from test_mail import MEETING_DAY, book

# The intros of an invitation and of an update, in each language.
FRENCH = ("Vous êtes invité à une visioconférence.",
          "Une réunion à laquelle vous êtes invité a été modifiée.", "Votre réunion a été modifiée.")
ENGLISH = ("You are invited to a video meeting.", "A meeting you are invited to has changed.",
           "Your meeting was changed.")


@pytest.fixture
def site(jmbd_factory, smtp):
    d = jmbd_factory("lang", start=False, sections={
        "mail": {"transport": smtp.url, "from": "noreply@example.org",
                 "local_domains": "example.org"}})
    d.add_user("alice", "alice-password", mail="alice@example.org", name="Alice Martin")
    d.add_user("bob", "bob-password", mail="bob@example.org", name="Bob Bernard")
    return d.start(env={"JMB_QUEUE_INTERVAL": "1"})


def text_of(envelope):
    msg = email.message_from_bytes(envelope.content, policy=policy.default)
    return msg["Subject"], msg.get_body(("plain",)).get_content()


def mails_to(smtp, rcpt):
    return [text_of(e) for e in smtp.messages if e.rcpt_tos == [rcpt]]


def language(text):
    intro = text.split("\n", 1)[0]
    return "fr" if intro in FRENCH else "en" if intro in ENGLISH else intro


def test_each_recipient_reads_their_own_language(site, smtp):
    # Bob chose English; Alice books in French (her browser says so).
    site.session("bob", "bob-password").get(site.url + "/meetings?lang=en")
    alice = site.session("alice", "alice-password")
    alice.get(site.url + "/meetings?lang=fr")
    path = book(alice, site.url, moderators="", guests="bob@example.org\nguest@outside.example")
    smtp.wait_for(3)
    assert language(mails_to(smtp, "guest@outside.example")[0][1]) == "fr"  # organiser's
    assert language(mails_to(smtp, "bob@example.org")[0][1]) == "en"  # his own choice
    # The guest reads the invitation page in English: later mails follow.
    link = re.search(r"(http://\S+/r/[A-Za-z0-9_-]+)\n", mails_to(smtp, "guest@outside.example")[0][1])
    requests.get(link.group(1), headers={"Accept-Language": "en"}, timeout=30)
    smtp.messages.clear()
    edit = alice.get(site.url + path + "/edit").text
    r = alice.post(site.url + path, allow_redirects=False, data={
        "csrf": csrf_of(edit), "title": "Nouveau titre", "date": MEETING_DAY, "time": "11:00",
        "timezone": "Europe/Paris", "duration": "60", "moderators": "",
        "guests": "bob@example.org\nguest@outside.example"})
    assert r.status_code == 303
    smtp.wait_for(3)
    assert language(mails_to(smtp, "guest@outside.example")[0][1]) == "en"
    assert language(mails_to(smtp, "bob@example.org")[0][1]) == "en"
    assert language(mails_to(smtp, "alice@example.org")[0][1]) == "fr"  # her choice too
