"""Received mail in the shapes real programs send, for the mail-in tests and
the fuzz seeds: iTIP REPLYs as Outlook/Exchange, Thunderbird, Apple Mail and
Gmail write them, delivery status notifications as Postfix and Exchange write
them, automatic replies and a person's reply.

The shapes follow RFC 5546 (iTIP: a REPLY has METHOD:REPLY and one ATTENDEE
with its PARTSTAT), RFC 6047 (iMIP: the method parameter of text/calendar)
and RFC 3464 (multipart/report; report-type=delivery-status), and what each
program is known to do differently:
- Outlook/Exchange: multipart/alternative of text/plain, text/html and
  text/calendar in base64 with `method=REPLY`, a VTIMEZONE with a Windows
  zone name, X-MICROSOFT-CDO-* and X-MS-OLK-* properties, `MAILTO:` in upper
  case, no RSVP parameter, subject "Accepted: ...", Thread-Topic/Thread-Index;
- Thunderbird (Lightning): multipart/mixed with a text part and an inline
  text/calendar part, RSVP, ROLE and CUTYPE parameters, lines folded at 75
  octets, X-MOZ-* properties; optionally also as an application/ics attachment;
- Apple Mail/Calendar: the method only inside the calendar (no method
  parameter), a `name=iCal-....ics` part in quoted-printable, X-APPLE-*;
- Gmail: multipart/mixed > multipart/alternative with a 7bit text/calendar
  part plus the same calendar as a base64 application/ics attachment
  "invite.ics", X-NUM-GUESTS and a DKIM-Signature header.
Every message uses CRLF line ends. A `charset` other than UTF-8 encodes the
text parts (and Outlook's calendar part) in that charset."""
import base64
import quopri
import sys
from pathlib import Path

CRLF = "\r\n"


def fold(line):
    """RFC 5545 3.1: lines of at most 75 octets, never inside a UTF-8 character."""
    data = line.encode("utf-8")
    out, first = [], True
    while data:
        room = 75 if first else 74
        cut = min(room, len(data))
        while cut < len(data) and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        out.append((b"" if first else b" ") + data[:cut])
        data, first = data[cut:], False
    return b"\r\n".join(out).decode("utf-8")


def b64(data):
    text = base64.b64encode(data).decode()
    return CRLF.join(text[i:i + 76] for i in range(0, len(text), 76))


def q_word(text, charset="utf-8"):
    """RFC 2047 Q encoding of a header text."""
    out = []
    for byte in text.encode(charset):
        c = chr(byte)
        out.append("_" if c == " " else c if c.isalnum() and byte < 128 else "=%02X" % byte)
    return f"=?{charset.upper()}?Q?{''.join(out)}?="


def headers(pairs):
    return "".join(f"{k}: {v}{CRLF}" for k, v in pairs)


def calendar(prodid, method_line, event_lines, vtimezone=""):
    lines = ["BEGIN:VCALENDAR", f"PRODID:{prodid}", "VERSION:2.0"]
    if method_line:
        lines.append("METHOD:REPLY")
    text = CRLF.join(fold(l) for l in lines) + CRLF + vtimezone
    text += CRLF.join(fold(l) for l in ["BEGIN:VEVENT", *event_lines, "END:VEVENT",
                                           "END:VCALENDAR"]) + CRLF
    return text


WINDOWS_PARIS = CRLF.join([
    "BEGIN:VTIMEZONE", "TZID:Romance Standard Time", "BEGIN:STANDARD",
    "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD", "BEGIN:DAYLIGHT",
    "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT", "END:VTIMEZONE"]) + CRLF

VERB = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"}


def paris_local(utc_basic):
    """20270105T090000Z -> the Paris wall time of that moment, basic form."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo
    t = datetime.strptime(utc_basic, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    return t.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y%m%dT%H%M%S")


def reply(client, *, to, attendee, attendee_name="Ana Invitee", organizer_name="Olga Organiser",
          uid, sequence=0, partstat="ACCEPTED", dtstart="20270105T090000Z",
          dtend="20270105T100000Z", recurrence_id=None, summary="Projet Alpha", comment=None,
          message_id=None, date="Mon, 04 Jan 2027 10:00:00 +0100", charset="utf-8",
          attachment=False):
    """An iTIP REPLY as client ("outlook", "thunderbird", "apple", "gmail") sends it."""
    build = {"outlook": _outlook, "thunderbird": _thunderbird, "apple": _apple,
             "gmail": _gmail}[client]
    mid = message_id or f"<{client}-{uid.split('@')[0][:12]}-{partstat.lower()}@example.net>"
    extra = [f"RECURRENCE-ID:{recurrence_id}"] if recurrence_id else []
    if comment:
        extra.append(f"COMMENT:{comment}")
    return build(to=to, attendee=attendee, name=attendee_name, org=organizer_name, uid=uid,
                 seq=sequence, partstat=partstat, start=dtstart, end=dtend, extra=extra,
                 summary=summary, mid=mid, date=date, charset=charset,
                 attachment=attachment).encode("utf-8", "surrogateescape")


def _encode(text, charset):
    """text in charset, as str of the raw bytes (latin-1 round trip)."""
    return text.encode(charset).decode("latin-1")


def _outlook(*, to, attendee, name, org, uid, seq, partstat, start, end, extra, summary, mid,
             date, charset, attachment):
    cal = calendar("Microsoft Exchange Server 2010", True, [
        f"ORGANIZER;CN={org}:MAILTO:{to}",
        f"ATTENDEE;PARTSTAT={partstat};CN={name}:MAILTO:{attendee.upper()}",
        f"DESCRIPTION;LANGUAGE=fr-FR:\\n", f"UID:{uid}", f"SUMMARY;LANGUAGE=fr-FR:{VERB[partstat]}: {summary}",
        f"DTSTART;TZID=Romance Standard Time:{paris_local(start)}",
        f"DTEND;TZID=Romance Standard Time:{paris_local(end)}", "CLASS:PUBLIC",
        "PRIORITY:5", "DTSTAMP:20270104T090000Z", "TRANSP:OPAQUE", "STATUS:CONFIRMED",
        f"SEQUENCE:{seq}", "LOCATION;LANGUAGE=fr-FR:", *extra,
        "X-MICROSOFT-CDO-APPT-SEQUENCE:" + str(seq), "X-MICROSOFT-CDO-OWNERAPPTID:-1093765371",
        "X-MICROSOFT-CDO-BUSYSTATUS:BUSY", "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY",
        "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE", "X-MICROSOFT-CDO-IMPORTANCE:1",
        "X-MICROSOFT-CDO-INSTTYPE:0", "X-MICROSOFT-DONOTFORWARDMEETING:FALSE",
        "X-MICROSOFT-DISALLOW-COUNTER:FALSE", "X-MS-OLK-CONFTYPE:0"], WINDOWS_PARIS)
    b = "_000_DB9PR02MB7194A1B2C3D4E5F6DB9PR02MB7194eurp_"
    subject = f"{VERB[partstat]}: {summary}"
    body = f"{name} a répondu : {VERB[partstat]}."
    return (headers([
        ("From", f"{name} <{attendee}>"), ("To", f"{org} <{to}>"), ("Subject", subject),
        ("Thread-Topic", summary), ("Thread-Index", "AQHZ4f8kq2x3k1m2n3o4p5q6r7s8t9u0vw=="),
        ("Date", date), ("Message-ID", mid), ("Accept-Language", "fr-FR, en-US"),
        ("Content-Language", "fr-FR"), ("X-MS-Has-Attach", ""),
        ("X-MS-TNEF-Correlator", ""), ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative;{CRLF}\tboundary="{b}"')]) + CRLF
        + f"--{b}{CRLF}Content-Type: text/plain; charset=\"{charset}\"{CRLF}"
        f"Content-Transfer-Encoding: base64{CRLF}{CRLF}"
        + b64(body.encode(charset)) + CRLF + CRLF
        + f"--{b}{CRLF}Content-Type: text/html; charset=\"{charset}\"{CRLF}"
        f"Content-Transfer-Encoding: base64{CRLF}{CRLF}"
        + b64(f"<html><body><p>{body}</p></body></html>".encode(charset)) + CRLF + CRLF
        + f"--{b}{CRLF}Content-Type: text/calendar; charset=\"{charset}\"; method=REPLY{CRLF}"
        f"Content-Transfer-Encoding: base64{CRLF}{CRLF}"
        + b64(cal.encode(charset)) + CRLF + CRLF + f"--{b}--{CRLF}").encode(
            "latin-1", "replace").decode("latin-1")


def _thunderbird(*, to, attendee, name, org, uid, seq, partstat, start, end, extra, summary,
                 mid, date, charset, attachment):
    cal = calendar("-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN", True, [
        "CREATED:20270103T101010Z", "LAST-MODIFIED:20270104T090000Z",
        "DTSTAMP:20270104T090000Z", f"UID:{uid}", f"SUMMARY:{summary}",
        f"ORGANIZER;CN={org}:mailto:{to}",
        f'ATTENDEE;RSVP=TRUE;CN="{name}";PARTSTAT={partstat};ROLE=REQ-PARTICIPANT;CUTYPE=INDIVIDUAL:mailto:{attendee}',
        f"DTSTART:{start}", f"DTEND:{end}", f"SEQUENCE:{seq}", *extra,
        "X-MOZ-RECEIVED-SEQUENCE:" + str(seq), "X-MOZ-RECEIVED-DTSTAMP:20270104T090000Z",
        "X-MOZ-GENERATION:1"])
    b = "------------ZnHh1mKp0Q3Y2XaTcB7wLd5e"
    text = f"{name} a accepté votre invitation." if partstat == "ACCEPTED" else \
        f"{name} a répondu à votre invitation : {partstat}."
    verb = {"ACCEPTED": "Accepté", "DECLINED": "Refusé", "TENTATIVE": "Provisoire"}[partstat]
    subject = q_word(f"{verb} : {summary}")
    calpart = (f"--{b}{CRLF}Content-Type: text/calendar; charset=UTF-8; method=REPLY{CRLF}"
               f"Content-Transfer-Encoding: 8bit{CRLF}{CRLF}" + _encode(cal, "utf-8") + CRLF)
    if attachment:
        calpart += (f"--{b}{CRLF}Content-Type: application/ics; name=\"invite.ics\"{CRLF}"
                    f"Content-Disposition: attachment; filename=\"invite.ics\"{CRLF}"
                    f"Content-Transfer-Encoding: base64{CRLF}{CRLF}" + b64(cal.encode()) + CRLF)
    return (headers([
        ("Message-ID", mid), ("Date", date), ("MIME-Version", "1.0"),
        ("User-Agent", "Mozilla Thunderbird"), ("Content-Language", "fr"),
        ("To", f"{org} <{to}>"), ("From", f"{name} <{attendee}>"), ("Subject", subject),
        ("Content-Type", f'multipart/mixed; boundary="{b}"')]) + CRLF
        + f"This is a multi-part message in MIME format.{CRLF}"
        + f"--{b}{CRLF}Content-Type: text/plain; charset={charset}; format=flowed{CRLF}"
        f"Content-Transfer-Encoding: 8bit{CRLF}{CRLF}" + _encode(text, charset) + CRLF + CRLF
        + calpart + f"--{b}--{CRLF}")


def _apple(*, to, attendee, name, org, uid, seq, partstat, start, end, extra, summary, mid,
           date, charset, attachment):
    cal = calendar("-//Apple Inc.//macOS 14.2//EN", True, [
        f"ATTENDEE;CN=\"{name}\";CUTYPE=INDIVIDUAL;EMAIL=\"{attendee}\";PARTSTAT={partstat}:mailto:{attendee}",
        f"DTEND;TZID=Europe/Paris:{paris_local(end)}", "TRANSP:OPAQUE",
        f"ORGANIZER;CN=\"{org}\":mailto:{to}", f"UID:{uid}", "DTSTAMP:20270104T090000Z",
        f"SEQUENCE:{seq}", f"SUMMARY:{summary}", f"DTSTART;TZID=Europe/Paris:{paris_local(start)}",
        "CREATED:20270104T085900Z", *extra, "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC"],
        CRLF.join(["BEGIN:VTIMEZONE", "TZID:Europe/Paris", "BEGIN:STANDARD",
                   "DTSTART:19961027T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
                   "TZNAME:CET", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD",
                   "BEGIN:DAYLIGHT", "DTSTART:19810329T020000",
                   "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "TZNAME:CEST",
                   "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "END:DAYLIGHT",
                   "END:VTIMEZONE"]) + CRLF)
    outer, inner = "Apple-Mail=_8C1F7E9A-3B2D-4C6E-9F10-1A2B3C4D5E6F", \
        "Apple-Mail=_0D9E8F7A-6B5C-4D3E-2F1A-0B9C8D7E6F5A"
    # Hard line breaks are the message's CRLFs, not encoded CRs.
    qp = quopri.encodestring(cal.replace(CRLF, "\n").encode("utf-8")).decode("ascii")
    qp = qp.replace("\n", CRLF)
    return (headers([
        ("From", f"{name} <{attendee}>"), ("Content-Type", f'multipart/mixed;{CRLF}\tboundary="{outer}"'),
        ("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3774.300.61.1.2\\))"),
        ("Subject", q_word(f"Invitation {VERB[partstat].lower()} : {summary}")),
        ("Date", date), ("To", f"{org} <{to}>"), ("Message-Id", mid)]) + CRLF
        + f"--{outer}{CRLF}Content-Type: multipart/alternative;{CRLF}\tboundary=\"{inner}\"{CRLF}{CRLF}"
        + f"--{inner}{CRLF}Content-Transfer-Encoding: 7bit{CRLF}Content-Type: text/plain;{CRLF}"
        f"\tcharset=us-ascii{CRLF}{CRLF}{CRLF}--{inner}--{CRLF}{CRLF}"
        + f"--{outer}{CRLF}Content-Disposition: attachment;{CRLF}\tfilename=iCal-20270104-090000.ics"
        f"{CRLF}Content-Type: text/calendar;{CRLF}\tx-unix-mode=0644;{CRLF}"
        f"\tname=\"iCal-20270104-090000.ics\"{CRLF}Content-Transfer-Encoding: quoted-printable"
        f"{CRLF}{CRLF}" + qp + CRLF + f"--{outer}--{CRLF}")


def _gmail(*, to, attendee, name, org, uid, seq, partstat, start, end, extra, summary, mid,
           date, charset, attachment):
    cal = calendar("-//Google Inc//Google Calendar 70.9054//EN", True, [
        f"DTSTART:{start}", f"DTEND:{end}", "DTSTAMP:20270104T090000Z",
        f"ORGANIZER;CN={org}:mailto:{to}", f"UID:{uid}",
        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};CN={name};X-NUM-GUESTS=0:mailto:{attendee}",
        "CREATED:20270103T101010Z", "LAST-MODIFIED:20270104T090000Z", "LOCATION:",
        f"SEQUENCE:{seq}", "STATUS:CONFIRMED", f"SUMMARY:{summary}", "TRANSP:OPAQUE", *extra])
    outer, inner = "000000000000a1b2c3060d9e0f11", "000000000000a1b2c0060d9e0f0f"
    verb = VERB[partstat]
    text = f"{name} has {verb.lower()} this invitation.\r\n\r\n{summary}\r\n"
    return (headers([
        ("DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/relaxed; d=gmail.com; s=20230601;"
                           f"{CRLF} h=to:subject:message-id:date:from:reply-to:mime-version;"
                           f"{CRLF} bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;"
                           f"{CRLF} b=Zm9vYmFyZm9vYmFyZm9vYmFy"),
        ("MIME-Version", "1.0"), ("Reply-To", f"{name} <{attendee}>"),
        ("Sender", "Google Calendar <calendar-notification@google.com>"),
        ("Message-ID", mid), ("Date", date),
        ("Subject", f"{verb}: {summary} @ Tue 5 Jan 2027 10:00 - 11:00 (CET) ({org})"),
        ("From", f"{name} <{attendee}>"), ("To", to),
        ("Content-Type", f'multipart/mixed; boundary="{outer}"')]) + CRLF
        + f"--{outer}{CRLF}Content-Type: multipart/alternative; boundary=\"{inner}\"{CRLF}{CRLF}"
        + f"--{inner}{CRLF}Content-Type: text/plain; charset=\"UTF-8\"; format=flowed; delsp=yes"
        f"{CRLF}Content-Transfer-Encoding: base64{CRLF}{CRLF}" + b64(text.encode()) + CRLF
        + f"--{inner}{CRLF}Content-Type: text/html; charset=\"UTF-8\"{CRLF}"
        f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}<span>{text}</span>{CRLF}"
        + f"--{inner}{CRLF}Content-Type: text/calendar; charset=\"UTF-8\"; method=REPLY{CRLF}"
        f"Content-Transfer-Encoding: 7bit{CRLF}{CRLF}" + cal + CRLF + f"--{inner}--{CRLF}"
        + f"--{outer}{CRLF}Content-Type: application/ics; name=\"invite.ics\"{CRLF}"
        f"Content-Disposition: attachment; filename=\"invite.ics\"{CRLF}"
        f"Content-Transfer-Encoding: base64{CRLF}{CRLF}" + b64(cal.encode()) + CRLF
        + f"--{outer}--{CRLF}")


def dsn(mta, *, to, failed_recipient,
        diagnostic="550 5.1.1 <x@example.net>: Recipient address rejected: User unknown",
        original_message_id="<invitation-1@booking.example.org>", action="failed"):
    """A delivery status notification as mta ("postfix", "exchange") sends it back to the
    envelope sender of the failed mail (to), with an empty envelope sender of its own."""
    status = "5.1.1" if action == "failed" else "4.4.1"
    if mta == "postfix":
        b = "7B9C64A0E2.1736000000/mx.example.net"
        human = (f"This is the mail system at host mx.example.net.{CRLF}{CRLF}"
                 f"I'm sorry to have to inform you that your message could not{CRLF}"
                 f"be delivered to one or more recipients.{CRLF}{CRLF}"
                 f"<{failed_recipient}>: host mx.example.net[192.0.2.25] said: {diagnostic}{CRLF}")
        if action == "delayed":
            human = f"This is the mail system at host mx.example.net.{CRLF}{CRLF}####### THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #######{CRLF}"
        return (headers([
            ("Return-Path", "<>"), ("Date", "Mon,  4 Jan 2027 10:00:05 +0100 (CET)"),
            ("From", "MAILER-DAEMON@mx.example.net (Mail Delivery System)"),
            ("Subject", "Undelivered Mail Returned to Sender" if action == "failed"
             else "Delayed Mail (still being retried)"),
            ("To", to), ("Auto-Submitted", "auto-replied"), ("MIME-Version", "1.0"),
            ("Content-Type", f'multipart/report; report-type=delivery-status;{CRLF}\tboundary="{b}"'),
            ("Content-Transfer-Encoding", "8bit"),
            ("Message-Id", "<20270104090005.7B9C64A0E2@mx.example.net>")]) + CRLF
            + f"This is a MIME-encapsulated message.{CRLF}{CRLF}"
            + f"--{b}{CRLF}Content-Description: Notification{CRLF}"
            f"Content-Type: text/plain; charset=us-ascii{CRLF}{CRLF}" + human + CRLF
            + f"--{b}{CRLF}Content-Description: Delivery report{CRLF}"
            f"Content-Type: message/delivery-status{CRLF}{CRLF}"
            f"Reporting-MTA: dns; mx.example.net{CRLF}X-Postfix-Queue-ID: 7B9C64A0E2{CRLF}"
            f"X-Postfix-Sender: rfc822; {to}{CRLF}"
            f"Arrival-Date: Mon,  4 Jan 2027 10:00:04 +0100 (CET){CRLF}{CRLF}"
            f"Final-Recipient: rfc822; {failed_recipient}{CRLF}"
            f"Original-Recipient: rfc822;{failed_recipient}{CRLF}Action: {action}{CRLF}"
            f"Status: {status}{CRLF}Remote-MTA: dns; mx.example.net{CRLF}"
            f"Diagnostic-Code: smtp; {diagnostic}{CRLF}{CRLF}"
            + f"--{b}{CRLF}Content-Description: Undelivered Message Headers{CRLF}"
            f"Content-Type: text/rfc822-headers{CRLF}{CRLF}"
            f"Return-Path: <{to}>{CRLF}From: Visio <noreply@booking.example.org>{CRLF}"
            f"To: {failed_recipient}{CRLF}Subject: Invitation : Projet Alpha{CRLF}"
            f"Message-ID: {original_message_id}{CRLF}{CRLF}--{b}--{CRLF}").encode()
    b = "_a1b2c3d4-e5f6-4789-abcd-ef0123456789_"
    html = (f"<html><body><p><b><font color=\"#000066\">Your message to {failed_recipient} "
            f"couldn't be delivered.</font></b></p><p>{diagnostic}</p></body></html>")
    return (headers([
        ("From", "Microsoft Outlook <postmaster@partner.example>"), ("To", f"<{to}>"),
        ("Date", "Mon, 4 Jan 2027 09:00:05 +0000"), ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/report; report-type=delivery-status;{CRLF}\tboundary="{b}"'),
        ("X-MS-Exchange-Message-Is-Ndr", ""), ("Content-Language", "en-US"),
        ("Message-ID", "<ea6b2ab0-5d3c-4d7c-9a3e-8f1e2d3c4b5a@DB9PR02MB7194.eurprd02.prod.outlook.com>"),
        ("In-Reply-To", original_message_id), ("References", original_message_id),
        ("Subject", "Undeliverable: Invitation : Projet Alpha"),
        ("Auto-Submitted", "auto-replied"),
        ("X-MS-Exchange-Organization-SCL", "-1")]) + CRLF
        + f"--{b}{CRLF}Content-Type: multipart/alternative; boundary=\"{b}alt\"{CRLF}{CRLF}"
        + f"--{b}alt{CRLF}Content-Type: text/plain; charset=\"us-ascii\"{CRLF}"
        f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}"
        f"Your message to {failed_recipient} couldn't be delivered.{CRLF}{CRLF}"
        + f"--{b}alt{CRLF}Content-Type: text/html; charset=\"us-ascii\"{CRLF}"
        f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}"
        + quopri.encodestring(html.encode()).decode().replace("\n", CRLF) + CRLF
        + f"--{b}alt--{CRLF}{CRLF}"
        + f"--{b}{CRLF}Content-Type: message/delivery-status{CRLF}{CRLF}"
        f"Reporting-MTA: dns;DB9PR02MB7194.eurprd02.prod.outlook.com{CRLF}"
        f"Received-From-MTA: dns;DB9PR02MB7194.eurprd02.prod.outlook.com{CRLF}"
        f"Arrival-Date: Mon, 4 Jan 2027 09:00:04 +0000{CRLF}{CRLF}"
        f"Final-Recipient: rfc822;{failed_recipient}{CRLF}Action: {action}{CRLF}"
        f"Status: {status}{CRLF}Diagnostic-Code: smtp;{diagnostic}{CRLF}"
        f"X-Display-Name: {failed_recipient}{CRLF}{CRLF}"
        + f"--{b}{CRLF}Content-Type: message/rfc822{CRLF}{CRLF}"
        f"From: Visio <noreply@booking.example.org>{CRLF}To: {failed_recipient}{CRLF}"
        f"Subject: Invitation : Projet Alpha{CRLF}Message-ID: {original_message_id}{CRLF}"
        f"MIME-Version: 1.0{CRLF}Content-Type: text/calendar; charset=utf-8; method=REQUEST{CRLF}{CRLF}"
        f"BEGIN:VCALENDAR{CRLF}METHOD:REQUEST{CRLF}BEGIN:VEVENT{CRLF}UID:x@y{CRLF}"
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{failed_recipient}{CRLF}END:VEVENT{CRLF}"
        f"END:VCALENDAR{CRLF}{CRLF}--{b}--{CRLF}").encode()


def auto_reply(kind, *, to, subject="Projet Alpha"):
    """An automatic answer: "auto-submitted", "x-autoreply", "precedence" or "vacation"."""
    marks = {"auto-submitted": [("Auto-Submitted", "auto-replied")],
             "x-autoreply": [("X-Autoreply", "yes")],
             "precedence": [("Precedence", "bulk")],
             "vacation": [("X-Auto-Response-Suppress", "All"),
                          ("Auto-Submitted", "auto-generated")]}[kind]
    title = f"Automatic reply: {subject}" if kind == "vacation" else f"Re: {subject}"
    return (headers([("From", "Ana Invitee <guest@outside.example>"), ("To", to),
                     ("Subject", title), ("Date", "Mon, 4 Jan 2027 10:00:00 +0100"),
                     ("Message-ID", f"<auto-{kind}@outside.example>"), *marks,
                     ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=utf-8")])
            + CRLF + f"I am away until 11 January.{CRLF}").encode()


def human_reply(*, to, sender="Ana Invitee <ana@example.net>",
                text="Je serai en retard de 10 minutes.", charset="utf-8",
                message_id="<human-1@example.net>"):
    """A person's answer to an invitation, written by hand."""
    body = text.replace("\n", CRLF).encode(charset)
    return (headers([("From", sender), ("To", to), ("Subject", "Re: Invitation : Projet Alpha"),
                     ("Date", "Mon, 4 Jan 2027 10:00:00 +0100"), ("Message-ID", message_id),
                     ("In-Reply-To", "<invitation-1@booking.example.org>"),
                     ("References", "<invitation-1@booking.example.org>"),
                     ("MIME-Version", "1.0"),
                     ("Content-Type", f"text/plain; charset={charset}; format=flowed"),
                     ("Content-Transfer-Encoding", "8bit")]) + CRLF).encode() + body + b"\r\n"


def oversized(*, to, size):
    """A well-formed message of about size bytes (a base64 attachment)."""
    return (headers([("From", "a@example.net"), ("To", to), ("Subject", "big"),
                     ("MIME-Version", "1.0"),
                     ("Content-Type", "application/octet-stream"),
                     ("Content-Transfer-Encoding", "base64")]) + CRLF
            + b64(b"\0" * (size * 3 // 4))).encode()


def write_seeds(folder):
    """One fuzz seed per shape, with fixed example values."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rsvp = "rsvp+abcdefghijklmnopqrstuvwxyz234567@booking.example.org"
    common = dict(to=rsvp, attendee="ana@example.net", uid="k3j4h5g6@booking.example.org",
                  sequence=2)
    seeds = {f"reply-{c}.eml": reply(c, partstat=p, **common) for c, p in
             [("outlook", "ACCEPTED"), ("thunderbird", "DECLINED"), ("apple", "TENTATIVE"),
              ("gmail", "ACCEPTED")]}
    seeds["reply-outlook-latin1.eml"] = reply("outlook", charset="windows-1252",
                                              attendee_name="José Müller", **common)
    seeds["reply-thunderbird-attachment.eml"] = reply("thunderbird", attachment=True,
                                                      recurrence_id="20270105T090000Z", **common)
    seeds["dsn-postfix.eml"] = dsn("postfix", to=rsvp, failed_recipient="ana@example.net")
    seeds["dsn-postfix-delayed.eml"] = dsn("postfix", to=rsvp, failed_recipient="ana@example.net",
                                           action="delayed")
    seeds["dsn-exchange.eml"] = dsn("exchange", to=rsvp, failed_recipient="ana@example.net")
    for kind in ("auto-submitted", "vacation"):
        seeds[f"auto-{kind}.eml"] = auto_reply(kind, to=rsvp)
    seeds["human.eml"] = human_reply(to=rsvp)
    seeds["human-latin1.eml"] = human_reply(to=rsvp, text="Très bien, à mardi.",
                                            charset="iso-8859-1")
    for name, data in seeds.items():
        (folder / name).write_bytes(data)
    return sorted(seeds)


if __name__ == "__main__":
    print("\n".join(write_seeds(sys.argv[1] if len(sys.argv) > 1 else
                                Path(__file__).resolve().parents[1] / "fuzz" / "corpus" / "mail-in")))
