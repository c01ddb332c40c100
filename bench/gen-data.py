#!/usr/bin/python3
"""Fills an empty, migrated jmb store with realistic data for bench/run.sh.

1,000 users, 20,000 meetings over the past and the next three months with 2-10
invitees each (up to 2 moderators, local colleagues and outside addresses), and
one user ("the heavy user") with exactly 500 meetings in their feed window:
200 they organise, 300 they are invited to, 10 of those cancelled recently
(they stay in the feed as STATUS:CANCELLED), plus 100 older ones outside it.

The rows are exactly those jmb itself writes (src/lib/store/store-sqlite.c,
src/lib/store/store-pg.c): a meeting as booked (uid "<token>@<uid domain>", a
20-character [a-z0-9] room, attendees with '' names, 'needs-action', a
32-character base64url token), then edited (sequence + 1, updated_at), answered
(status, responded_at, meetings.updated_at = max(updated_at, responded_at)),
joined (joins) or deleted (deleted_at = updated_at, sequence + 1), and users as
user_touch and feed_token leave them. Inserting straight into the schema is
what makes 20,000 meetings take seconds instead of minutes through the API.

Usage:
  gen-data.py --sqlite DB --out DIR [--uid-domain D] [--seed N]
  gen-data.py --pg-sql FILE --out DIR ...    (COPY statements for psql)
Writes DIR/join-tokens.txt (personal links of meetings not over yet) and
DIR/heavy-user.txt ("login mail name").
"""
import argparse
import json
import os
import random
import secrets
import sqlite3
import sys
import time

USERS = 1000
MEETINGS = 20000
EXTERNAL_ADDRESSES = 4000
DAY = 86400
FEED_PAST_DAYS = 30  # the default [booking] feed_past_days

FIRST = ["Camille", "Élodie", "Louis", "Chloé", "Hugo", "Inès", "Léa", "Lucas", "Manon", "Nathan",
         "Zoé", "Théo", "Jade", "Raphaël", "Anaïs", "Gaël", "Maëlle", "Noé", "Océane", "Jérôme",
         "Sébastien", "Hélène", "François", "Agnès", "Benoît", "Cécile", "Denis", "Émilie",
         "Fabrice", "Géraldine", "Isabelle", "Julien", "Karine", "Laurent", "Mathilde", "Nicolas",
         "Pascale", "Quentin", "Romain", "Sophie", "Thierry", "Valérie", "Xavier", "Yasmine"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
        "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont",
        "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau",
        "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
        "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Dupré"]
PARTNERS = ["univ-lyon1.fr", "cnrs.fr", "inria.fr", "u-bordeaux.fr", "unistra.fr", "gmail.com",
            "ens.fr", "ac-paris.fr", "epfl.ch", "kuleuven.be", "tu-berlin.de", "outlook.com"]
TITLES = ["Réunion d'équipe", "Point hebdomadaire", "Comité de pilotage", "Soutenance de thèse",
          "Jury de master", "Conseil de laboratoire", "Entretien individuel", "Séminaire",
          "Suivi de projet ANR", "Cours à distance", "Réunion de service", "Atelier",
          "Weekly sync", "Project kick-off", "Design review", "Comité de suivi individuel",
          "Groupe de travail", "Visioconférence partenaires", "Formation", "Assemblée générale"]
SUBJECTS = ["budget 2025", "plateforme de calcul", "recrutements", "projet européen",
            "enseignements du S2", "rapport d'activité", "publication", "migration des serveurs",
            "accueil des stagiaires", "site web", "HCERES", "journées scientifiques"]
DESCRIPTIONS = ["", "", "",
                "Ordre du jour :\n1. tour de table\n2. avancement des chantiers en cours\n"
                "3. questions diverses",
                "Merci de relire le document partagé avant la réunion.",
                "Agenda:\n- status of each work package\n- next deliverables\n- AOB",
                "Lien vers les documents : https://cloud.example.org/s/Xk3aQ9\n"
                "Pensez à couper votre micro quand vous ne parlez pas."]
ZONES = ["Europe/Paris"] * 16 + ["UTC", "America/New_York", "Europe/London", "Asia/Tokyo"]
DURATIONS = [30] * 5 + [60] * 8 + [90] * 5 + [120] * 3 + [180, 240, 480]


def ascii_fold(s):
    table = str.maketrans("éèêëàâäîïôöûüùçÉÈÊÀÂÎÔÛÇ", "eeeeaaaiioouuucEEEAAIOUC")
    return s.translate(table).replace("æ", "ae").replace("œ", "oe")


def token():
    return secrets.token_urlsafe(24)  # 32 characters, what jmb_random_token() draws


ROOM_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def room_name():
    return "".join(secrets.choice(ROOM_ALPHABET) for _ in range(20))


class Generator:
    def __init__(self, now, uid_domain, rnd):
        self.now = now
        self.uid_domain = uid_domain
        self.r = rnd
        self.users = []          # (login, mail, name)
        self.externals = []
        self.meetings = []       # row tuples, in the column order of MEETING_COLS
        self.attendees = []      # row tuples, ATTENDEE_COLS
        self.next_meeting_id = 1
        self.next_attendee_id = 1
        self.rooms = set()

    def make_users(self):
        seen_logins, seen_mails = set(), set()
        # The heavy user first: a busy head of department.
        pairs = [("Camille", "Lefèvre")]
        while len(pairs) < USERS:
            pairs.append((self.r.choice(FIRST), self.r.choice(LAST)))
        for first, last in pairs:
            base_login = (ascii_fold(first)[0] + ascii_fold(last)).lower().replace(" ", "")
            base_mail = f"{ascii_fold(first)}.{ascii_fold(last)}".lower().replace(" ", "-")
            login, mail, n = base_login, base_mail, 1
            while login in seen_logins or mail in seen_mails:
                n += 1
                login, mail = f"{base_login}{n}", f"{base_mail}{n}"
            seen_logins.add(login)
            seen_mails.add(mail)
            self.users.append((login, f"{mail}@example.org", f"{first} {last}"))
        for i in range(EXTERNAL_ADDRESSES):
            first, last = ascii_fold(self.r.choice(FIRST)).lower(), ascii_fold(self.r.choice(LAST)).lower()
            self.externals.append(f"{first}.{last}.{i}@{self.r.choice(PARTNERS)}")

    def pick_owner(self):
        """Half the meetings are booked by 150 busy people, the rest by anyone
        (never by the heavy user, whose meetings are made apart)."""
        if self.r.random() < 0.5:
            return self.users[self.r.randint(1, 150)]
        return self.users[self.r.randrange(1, USERS)]

    def add_meeting(self, owner, start, heavy=None, heavy_role=None, deletion="random"):
        """heavy: the heavy user's address, invited as heavy_role.
        deletion: "random" (a few meetings are cancelled), "recent" (cancelled
        within the feed window), "never"."""
        r, now = self.r, self.now
        login, mail, name = owner
        mid = self.next_meeting_id
        self.next_meeting_id += 1
        duration = r.choice(DURATIONS)
        end = start + duration * 60
        # Booked before the start (bookings cannot start in the past), never in the future.
        created = start - r.randint(3600, 30 * DAY)
        if created > now:
            created = now - r.randint(60, 3 * DAY)
        updated, sequence, deleted = created, 0, None
        last_change = min(start, now)
        if r.random() < 0.2 and last_change > created + 60:
            sequence = r.choice([1, 1, 2, 3])
            updated = r.randint(created + 60, last_change)
        room = room_name()
        while room in self.rooms:
            room = room_name()
        self.rooms.add(room)
        title = f"{r.choice(TITLES)} — {r.choice(SUBJECTS)}" if r.random() < 0.6 else r.choice(TITLES)
        # Invitees: moderators first (as the booking form appends them), then guests.
        n = r.randint(2, 10)
        others = []
        while len(others) < n - (heavy is not None):
            if r.random() < 0.65:
                cand = self.users[r.randrange(1, USERS)][1]
            else:
                cand = r.choice(self.externals)
            if cand != mail and cand not in others:
                others.append(cand)
        n_mod = min(r.choice([0, 0, 0, 0, 1, 1, 1, 2, 2]), n)
        moderators, guests = others[:n_mod], others[n_mod:]
        if heavy is not None and heavy_role == "moderator":
            moderators = [heavy] + moderators[:1]
            guests = others[len(moderators) - 1:]
        elif heavy is not None:
            guests.insert(r.randrange(len(guests) + 1), heavy)
        past = end <= now
        for role, group in (("moderator", moderators), ("guest", guests)):
            for a in group:
                x = r.random()
                accepted, declined = (0.6, 0.1) if past else (0.35, 0.05)
                if x < accepted:
                    status = "accepted"
                elif x < accepted + declined:
                    status = "declined"
                else:
                    status = "needs-action"
                responded = None
                if status != "needs-action" and last_change > created:
                    responded = r.randint(created, last_change)
                    updated = max(updated, responded)
                joins = 0
                if past and status == "accepted":
                    joins = r.choice([0, 1, 1, 1, 1, 1, 1, 2, 2, 3])
                self.attendees.append((self.next_attendee_id, mid, a, "", role, status, token(),
                                       joins, responded))
                self.next_attendee_id += 1
        if deletion == "recent" or (deletion == "random" and r.random() < (0.02 if past else 0.03)):
            lo = created + 60
            if deletion == "recent":  # inside the feed window, so the feed shows it cancelled
                lo = max(lo, now - (FEED_PAST_DAYS - 2) * DAY)
            # delete sets deleted_at and updated_at to the same now
            deleted = updated = max(updated, r.randint(lo, max(lo, last_change)))
            sequence += 1
        self.meetings.append((mid, f"{token()}@{self.uid_domain}", room, title,
                              r.choice(DESCRIPTIONS), start, duration, end, r.choice(ZONES),
                              login, mail, name, sequence, created, updated, deleted))

    def start_between(self, lo, hi):
        """A start on a quarter hour during office hours (UTC 06:00-18:00), in [lo, hi]."""
        r = self.r
        while True:
            start = r.randint(lo // DAY, hi // DAY) * DAY + r.randint(6 * 4, 17 * 4) * 900
            if lo <= start <= hi:
                return start

    def make_meetings(self):
        r, now = self.r, self.now
        heavy = self.users[0]
        window_lo = now - (FEED_PAST_DAYS - 1) * DAY   # ends stay in the window during the run
        ahead = now + 90 * DAY
        # The heavy user's 500 feed meetings: 200 organised, 300 invited, 10 cancelled.
        for i in range(500):
            start = self.start_between(window_lo, ahead)
            deletion = "recent" if i % 50 == 7 else "never"
            if i < 200:
                self.add_meeting(heavy, start, deletion=deletion)
            else:
                self.add_meeting(self.pick_owner(), start, heavy[1],
                                 "moderator" if r.random() < 0.2 else "guest", deletion)
        # 100 older meetings of the heavy user, ended before the window (not in the feed).
        for i in range(100):
            start = self.start_between(now - 90 * DAY, now - (FEED_PAST_DAYS + 3) * DAY)
            if i < 60:
                self.add_meeting(heavy, start, deletion="never")
            else:
                self.add_meeting(self.pick_owner(), start, heavy[1], "guest", "never")
        # Everybody else, over the past and the next three months.
        while self.next_meeting_id <= MEETINGS:
            self.add_meeting(self.pick_owner(), self.start_between(now - 90 * DAY, ahead))

    def user_rows(self):
        """Users as user_touch (login) and feed_token (first feed use) leave them."""
        r, now = self.r, self.now
        rows = []
        for i, (login, mail, name) in enumerate(self.users):
            if i == 0:
                continue  # the heavy user's row comes from jmbd itself (GET /api/v1/me/feed)
            created = now - r.randint(30 * DAY, 700 * DAY)
            last_login = r.randint(created, now)
            language = r.choice([None, "fr", "fr", "en"])
            identity = feed = rotated = None
            if r.random() < 0.3:  # a third subscribed their calendar to the feed
                identity = json.dumps({"login": login, "name": name, "mail": mail,
                                       "source": "local", "mails": [mail], "groups": []},
                                      separators=(",", ":"), ensure_ascii=False)
                feed = token()
                if r.random() < 0.05:
                    rotated = r.randint(created, now)
            rows.append((login, mail, name, language, identity, feed, rotated, created,
                         last_login))
        return rows


MEETING_COLS = ("id, uid, room, title, description, start_at, duration, end_at, timezone, "
                "owner_login, owner_mail, owner_name, sequence, created_at, updated_at, deleted_at")
ATTENDEE_COLS = "id, meeting_id, mail, name, role, status, token, joins, responded_at"
USER_COLS = ("login, mail, name, language, identity, feed_token, feed_rotated_at, created_at, "
             "last_login_at")


def write_sqlite(path, g, users):
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    (count,) = db.execute("SELECT count(*) FROM meetings").fetchone()
    if count:
        sys.exit(f"gen-data: {path} holds meetings already: give an empty, migrated store")
    with db:
        # room_key: SQLite's unique twin of room (sql/sqlite/014_shared_rooms.sql).
        db.executemany(f"INSERT INTO meetings ({MEETING_COLS}, room_key) "
                       f"VALUES ({','.join('?' * 17)})", [m + (m[1],) for m in g.meetings])
        # Single meetings: their last occurrence is themselves (012_series).
        db.execute("UPDATE meetings SET last_end_at = end_at")
        db.executemany(f"INSERT INTO attendees ({ATTENDEE_COLS}) VALUES ({','.join('?' * 9)})",
                       g.attendees)
        db.executemany(f"INSERT INTO users ({USER_COLS}) VALUES ({','.join('?' * 9)})", users)
    # No ANALYZE: jmb never runs it, so a real SQLite store has no sqlite_stat1
    # and the planner works without statistics, as it does here.
    db.close()


def copy_value(v):
    if v is None:
        return r"\N"
    s = str(v)
    return (s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def write_pg_sql(path, g, users):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\\set ON_ERROR_STOP on\nBEGIN;\n")
        for table, cols, rows in (("meetings", MEETING_COLS, g.meetings),
                                  ("attendees", ATTENDEE_COLS, g.attendees),
                                  ("users", USER_COLS, users)):
            # COPY writes identity columns as given (like OVERRIDING SYSTEM VALUE).
            f.write(f"COPY {table} ({cols}) FROM stdin;\n")
            for row in rows:
                f.write("\t".join(copy_value(v) for v in row) + "\n")
            f.write("\\.\n")
        for table in ("meetings", "attendees"):
            f.write(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}));\n")
        # Single meetings: their last occurrence is themselves (012_series).
        f.write("UPDATE meetings SET last_end_at = end_at;\n")
        # A real server's autovacuum analyses the tables soon after such a load.
        f.write("COMMIT;\nANALYZE;\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sqlite")
    p.add_argument("--pg-sql")
    p.add_argument("--out", required=True)
    p.add_argument("--uid-domain", default="jmb.example.org")
    p.add_argument("--seed", type=int, default=20250101)
    p.add_argument("--join-tokens", type=int, default=10000)
    a = p.parse_args()
    if (a.sqlite is None) == (a.pg_sql is None):
        p.error("give --sqlite DB or --pg-sql FILE")
    t0 = time.time()
    g = Generator(int(time.time()), a.uid_domain, random.Random(a.seed))
    g.make_users()
    g.make_meetings()
    users = g.user_rows()
    if a.sqlite:
        write_sqlite(a.sqlite, g, users)
    else:
        write_pg_sql(a.pg_sql, g, users)
    # Personal links that answer a redirect for the whole run: meetings not
    # deleted and ending more than a day from now.
    live = {m[0] for m in g.meetings if m[15] is None and m[7] > g.now + DAY}
    tokens = [t[6] for t in g.attendees if t[1] in live]
    g.r.shuffle(tokens)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "join-tokens.txt"), "w") as f:
        f.write("\n".join(tokens[:a.join_tokens]) + "\n")
    with open(os.path.join(a.out, "heavy-user.txt"), "w") as f:
        f.write(" ".join(g.users[0][:2]) + " " + g.users[0][2] + "\n")
    roles = {}
    for t in g.attendees:
        if t[1] in live:
            roles[t[4]] = roles.get(t[4], 0) + 1
    print(f"gen-data: {len(g.users)} users, {len(g.meetings)} meetings, {len(g.attendees)} "
          f"attendees ({', '.join(f'{k} {v}' for k, v in sorted(roles.items()))} in live "
          f"meetings), {min(len(tokens), a.join_tokens)} join tokens, "
          f"{time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
