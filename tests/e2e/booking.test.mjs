// End-to-end test of the booking UI: a real jmbd from the build tree
// ($JMB_BUILDDIR, default ./build) on a throw-away SQLite store with the
// `local` auth plugin, driven through Debian's Chromium by playwright-core.
// Screenshots of every step go to tests/e2e/screenshots/.
//
//   cd tests/e2e && npm install && JMB_BUILDDIR=/path/to/build node --test .
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  BUILD, CHROMIUM, HERE, JMBCTL, JMBD, PHONE, Suite, ZONE, attendeeRows, clickAndWait, localParts,
  logIn, screenshots,
} from './harness.mjs';

const SHOTS = path.join(HERE, 'screenshots');

const ALICE = { login: 'alice', password: 'alice-Secret-42', mail: 'alice@example.org', name: 'Alice Durand' };
const BOB = { login: 'bob', password: 'bob-Secret-42', mail: 'bob@example.org', name: 'Bob Martin' };

const suite = new Suite({ shotsDir: SHOTS, viewport: { width: 1280, height: 900 } });
const { browsers } = suite;
let jmbd, bobToken, shot;

function addUser(u) {
  jmbd.jmbctl(['user', 'add', u.login, '--mail', u.mail, '--name', u.name, '--password-stdin'],
    `${u.password}\n`);
}

// ---------------------------------------------------------------- helpers

/** Tomorrow at `hhmm` (local time of `zone`). */
function tomorrowAt(zone, hhmm) {
  return { date: localParts(new Date(Date.now() + 86_400_000), zone).date, time: hhmm };
}

/** Fails when the page scrolls sideways or a form control sticks out of the viewport. */
async function assertFitsWidth(page, what) {
  const r = await page.evaluate(() => {
    const vw = window.innerWidth;
    const out = [];
    for (const el of document.querySelectorAll('main input:not([type=hidden]), main select, main textarea, main button, main .button, main table, main h1, main h2')) {
      const b = el.getBoundingClientRect();
      if (b.width > 0 && (b.left < -0.5 || b.right > vw + 0.5))
        out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} [${Math.round(b.left)}, ${Math.round(b.right)}]`);
    }
    return { scrollWidth: document.scrollingElement.scrollWidth, innerWidth: vw, out };
  });
  // A phone widens its layout viewport (zooming out) when content is too wide.
  assert.equal(r.innerWidth, page.viewportSize().width, `${what}: the page was zoomed out to fit`);
  assert.ok(r.scrollWidth <= r.innerWidth,
    `${what}: horizontal scroll (scrollWidth ${r.scrollWidth} > innerWidth ${r.innerWidth})`);
  assert.deepEqual(r.out, [], `${what}: elements outside the viewport`);
}

/** Fills the meeting form. Fields left undefined keep their value. */
async function fillMeeting(page, m) {
  if (m.title !== undefined) await page.getByLabel('Title', { exact: true }).fill(m.title);
  if (m.description !== undefined) await page.getByLabel('Description (optional)', { exact: true }).fill(m.description);
  if (m.date !== undefined) await page.getByLabel('Date', { exact: true }).fill(m.date);
  if (m.time !== undefined) await page.getByLabel('Start time', { exact: true }).fill(m.time);
  if (m.duration !== undefined) await page.getByLabel('Duration', { exact: true }).selectOption(String(m.duration));
  if (m.timezone !== undefined) await page.getByLabel('Time zone', { exact: true }).selectOption(m.timezone);
  if (m.moderators !== undefined) await page.getByLabel(/^Moderators/).fill(m.moderators.join('\n'));
  if (m.guests !== undefined) await page.getByLabel(/^Guests/).fill(m.guests.join('\n'));
}

const steps = (init, getPage) => suite.steps(init, getPage);

// ---------------------------------------------------------------- setup

// A test rather than a before() hook: when setup fails, node --test counts a
// failure (a failing hook only cancels the tests, and "# fail 0" would follow).
test('jmbd starts from the build tree with a throw-away config', async () => {
  for (const f of [JMBD, JMBCTL])
    assert.ok(fs.existsSync(f), `${f} is missing: build jmb first (JMB_BUILDDIR=${BUILD})`);
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  shot = screenshots(SHOTS);

  jmbd = suite.newJmbd('jmb-e2e-');
  await jmbd.configure({
    auth: { plugins: 'local', plugin_dir: path.join(BUILD, 'plugins', 'modules') },
    'auth.local': { users_file: path.join(jmbd.workdir, 'users') },
  });
  jmbd.jmbctl(['check-config']);
  addUser(ALICE);
  addUser(BOB);
  bobToken = jmbd.jmbctl(['api-token', 'create', BOB.login]).trim();
  await suite.start();
});

// ---------------------------------------------------------------- scenarios

describe('booking a meeting in the browser (desktop)', () => {
  let context, page, meetingPath;
  const when = tomorrowAt('Europe/London', '10:00'); // 11:00 in Paris, all year round
  const meeting = {
    title: 'Project kick-off',
    description: 'Agenda:\n1. Introductions\n2. Planning',
    ...when,
    duration: 90,
    timezone: 'Europe/London',
    moderators: ['carol@example.org', 'Dave.Moderator@Example.net'],
    guests: ['erin@example.org', 'frank@example.com', 'grace@example.org'],
  };

  const step = steps(async () => {
    context = await browsers.launch();
    page = await context.newPage();
  }, () => page);
  after(async () => { if (context) await browsers.close(context); });

  step('an anonymous visit goes to the login form; a wrong password is refused', async () => {
    await page.goto('/');
    assert.equal(new URL(page.url()).pathname, '/auth/local/login');
    await assert.doesNotReject(page.getByRole('heading', { name: 'Log in', exact: true }).waitFor());
    await shot(page, 'login');
    await page.getByLabel('User name', { exact: true }).fill(ALICE.login);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    const r = await clickAndWait(page, page.locator('main').getByRole('button', { name: 'Log in', exact: true }));
    assert.equal(r.status(), 401);
    assert.equal(await page.getByRole('alert').innerText(), 'Wrong user name or password.');
    assert.equal(await page.getByLabel('User name', { exact: true }).inputValue(), ALICE.login, 'the login is kept');
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'the password is not sent back');
    await shot(page, 'login-wrong-password');
  });

  step('logging in lands on the empty meeting list', async () => {
    await page.getByLabel('Password', { exact: true }).fill(ALICE.password);
    await clickAndWait(page, page.locator('main').getByRole('button', { name: 'Log in', exact: true }));
    assert.equal(new URL(page.url()).pathname, '/meetings');
    assert.equal(await page.locator('h1').innerText(), 'My meetings');
    assert.equal(await page.locator('header .user').innerText(), ALICE.name);
    assert.equal(await page.locator('main p.empty').innerText(), 'You have no upcoming meetings.');
    await shot(page, 'meetings-empty');
  });

  step('creating a meeting with moderators and guests', async () => {
    await clickAndWait(page, page.locator('main').getByRole('link', { name: 'New meeting', exact: true }));
    assert.equal(new URL(page.url()).pathname, '/meetings/new');
    assert.equal(await page.locator('h1').innerText(), 'New meeting');
    // The form proposes a start and the configured zone and default duration.
    assert.match(await page.getByLabel('Date', { exact: true }).inputValue(), /^\d{4}-\d\d-\d\d$/);
    assert.match(await page.getByLabel('Start time', { exact: true }).inputValue(), /^\d\d:00$/);
    assert.equal(await page.getByLabel('Time zone', { exact: true }).inputValue(), ZONE);
    assert.equal(await page.getByLabel('Duration', { exact: true }).inputValue(), '90');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'title', 'the form starts on its first field');
    await shot(page, 'new-meeting-blank');
    await fillMeeting(page, meeting);
    await shot(page, 'new-meeting-filled');
    const r = await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    assert.equal(r.status(), 200);
    const url = new URL(page.url());
    assert.match(url.pathname, /^\/meetings\/\d+$/);
    assert.equal(url.search, '?saved=1');
    meetingPath = url.pathname;
  });

  step('the meeting page shows the facts and the attendee table', async () => {
    assert.equal(await page.getByRole('status').innerText(), 'The meeting was saved.');
    assert.equal(await page.locator('h1').innerText(), meeting.title);
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, /11:00 – 12:30 \(1 h 30\)/, 'start and end in the viewer zone (Paris)');
    assert.match(facts, /10:00 \(Europe\/London\)/, 'start in the meeting zone');
    assert.match(facts, new RegExp(`${ALICE.name}\\s+${ALICE.mail}`));
    assert.match(facts, /Organiser/);
    assert.match(await page.locator('dl.facts code').innerText(), /^[a-z0-9]{16,}$/, 'room name');
    // Browsers send textarea line breaks as CRLF, and jmbd stores them as sent.
    assert.equal((await page.locator('.description p').innerText()).replace(/\r\n/g, '\n'),
      meeting.description);
    assert.equal(await page.locator('p.summary').innerText(), '0 accepted, 0 declined, 5 without answer');
    assert.deepEqual(await page.locator('table.attendees thead th').allInnerTexts(),
      ['E-mail', 'Role', 'Answer', 'Joins']);
    const rows = await attendeeRows(page);
    assert.deepEqual(rows.map((r) => [r[0].toLowerCase(), r[1], r[2], r[3]]).sort(), [
      ['carol@example.org', 'Moderator', 'No answer yet', '0'],
      ['dave.moderator@example.net', 'Moderator', 'No answer yet', '0'],
      ['erin@example.org', 'Guest', 'No answer yet', '0'],
      ['frank@example.com', 'Guest', 'No answer yet', '0'],
      ['grace@example.org', 'Guest', 'No answer yet', '0'],
    ]);
    await shot(page, 'meeting-created');
  });

  step('the meeting is on the list', async () => {
    await clickAndWait(page, page.locator('header nav').getByRole('link', { name: 'My meetings', exact: true }));
    const items = page.locator('ul.meetings > li');
    assert.equal(await items.count(), 1);
    const item = items.first();
    assert.equal(await item.getByRole('heading').innerText(), meeting.title);
    assert.match(await item.locator('.when').innerText(), /11:00 – 12:30 \(1 h 30\)/);
    assert.match(await item.locator('.local-when').innerText(), /10:00 \(Europe\/London\)/);
    assert.match(await item.locator('.meta').innerText(), /Organiser · 5 invited, 0 accepted, 0 declined/);
    assert.equal(await item.locator('.soon').count(), 0, 'tomorrow is not "starting soon"');
    await shot(page, 'meetings-one');
    await clickAndWait(page, item.getByRole('heading').getByRole('link'));
    assert.equal(new URL(page.url()).pathname, meetingPath);
  });

  step('editing the title and an invitee', async () => {
    await clickAndWait(page, page.locator('main').getByRole('link', { name: 'Edit', exact: true }));
    assert.equal(new URL(page.url()).pathname, `${meetingPath}/edit`);
    assert.equal(await page.locator('h1').innerText(), 'Edit the meeting');
    // The form holds what is stored.
    assert.equal(await page.getByLabel('Title', { exact: true }).inputValue(), meeting.title);
    assert.equal(await page.getByLabel('Description (optional)', { exact: true }).inputValue(), meeting.description);
    assert.equal(await page.getByLabel('Date', { exact: true }).inputValue(), meeting.date);
    assert.equal(await page.getByLabel('Start time', { exact: true }).inputValue(), meeting.time);
    assert.equal(await page.getByLabel('Duration', { exact: true }).inputValue(), String(meeting.duration));
    assert.equal(await page.getByLabel('Time zone', { exact: true }).inputValue(), meeting.timezone);
    assert.equal((await page.getByLabel(/^Moderators/).inputValue()).toLowerCase(),
      meeting.moderators.join('\n').toLowerCase());
    assert.equal(await page.getByLabel(/^Guests/).inputValue(), meeting.guests.join('\n'));
    meeting.title = 'Project kick-off (moved)';
    meeting.guests = ['erin@example.org', 'frank@example.com', 'heidi@example.org'];
    await fillMeeting(page, { title: meeting.title, guests: meeting.guests });
    await shot(page, 'edit-meeting');
    await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    assert.equal(new URL(page.url()).pathname, meetingPath);
    assert.equal(await page.getByRole('status').innerText(), 'The meeting was saved.');
    assert.equal(await page.locator('h1').innerText(), meeting.title);
    const mails = (await attendeeRows(page)).map((r) => r[0].toLowerCase());
    assert.ok(mails.includes('heidi@example.org'), 'the new guest is invited');
    assert.ok(!mails.includes('grace@example.org'), 'the removed guest is gone');
    assert.equal(mails.length, 5);
    await shot(page, 'meeting-edited');
  });

  step('invalid input comes back with a message next to the field and the input kept', async () => {
    await clickAndWait(page, page.locator('main').getByRole('link', { name: 'Edit', exact: true }));
    const badGuests = ['erin@example.org', 'not-an-address', 'ERIN@example.org'];
    await fillMeeting(page, { title: '', guests: badGuests, duration: 120 });
    const r = await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    assert.equal(r.status(), 422);
    assert.equal(new URL(page.url()).pathname, meetingPath, 'the form posts to the meeting');
    // The summary at the top and one message right after each wrong field.
    const summary = page.locator('main .alert.error');
    assert.match(await summary.innerText(), /Please correct the following:/);
    assert.equal(await page.locator('#title + .field-error').innerText(), 'Please give the meeting a title.');
    const guestError = await page.locator('#guests + .field-error').innerText();
    assert.match(guestError, /'not-an-address' is not a valid e-mail address\./);
    assert.equal(await page.locator('#moderators + .field-error').count(), 0);
    assert.equal(await page.locator('#date + .field-error').count(), 0);
    // Assistive technology: the wrong fields say so and name their message,
    // the summary has the focus and links to each field.
    for (const id of ['title', 'guests']) {
      const field = page.locator(`#${id}`);
      assert.equal(await field.getAttribute('aria-invalid'), 'true', id);
      assert.equal(await field.getAttribute('aria-describedby'), `${id}-error`, id);
      assert.equal(await page.locator(`#${id}-error`).innerText(),
        await page.locator(`#${id} + .field-error`).innerText());
    }
    assert.equal(await page.locator('#date').getAttribute('aria-invalid'), null);
    assert.equal(await page.locator('#date').getAttribute('aria-describedby'), null);
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('alert')), true,
      'the focus is on the error summary');
    // Every problem is listed: the guests have two (a bad address, one given twice).
    assert.deepEqual(await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
      ['#title', '#guests', '#guests']);
    // Everything typed comes back.
    assert.equal(await page.getByLabel('Title', { exact: true }).inputValue(), '');
    assert.equal(await page.getByLabel(/^Guests/).inputValue(), badGuests.join('\n'));
    assert.equal(await page.getByLabel('Duration', { exact: true }).inputValue(), '120');
    assert.equal(await page.getByLabel('Description (optional)', { exact: true }).inputValue(), meeting.description);
    assert.equal(await page.getByLabel('Time zone', { exact: true }).inputValue(), meeting.timezone);
    assert.equal(await page.locator('h1').innerText(), 'Edit the meeting');
    await shot(page, 'edit-invalid');
    // Nothing was stored.
    await page.goto(meetingPath);
    assert.equal(await page.locator('h1').innerText(), meeting.title);
    assert.ok((await attendeeRows(page)).some((row) => row[0] === 'heidi@example.org'));
    assert.match(await page.locator('dl.facts').innerText(), /\(1 h 30\)/);
  });

  step('deleting through the confirmation page empties the list', async () => {
    await clickAndWait(page, page.locator('main').getByRole('link', { name: 'Delete', exact: true }));
    assert.equal(new URL(page.url()).pathname, `${meetingPath}/delete`);
    assert.equal(await page.locator('h1').innerText(), 'Delete this meeting?');
    assert.equal(await page.locator('main strong').innerText(), meeting.title);
    assert.match(await page.locator('main').innerText(), /Invitees: 5/);
    await shot(page, 'delete-confirm');
    await clickAndWait(page, page.getByRole('button', { name: 'Delete the meeting', exact: true }));
    assert.equal(new URL(page.url()).pathname, '/meetings');
    assert.equal(await page.locator('ul.meetings > li').count(), 0);
    assert.equal(await page.locator('main p.empty').innerText(), 'You have no upcoming meetings.');
    await shot(page, 'meetings-empty-again');
    const r = await page.goto(meetingPath);
    assert.equal(r.status(), 404);
    assert.equal(await page.locator('main .message').innerText(), 'This meeting does not exist or was deleted.');
    await shot(page, 'deleted-meeting-404');
  });

  step('the UI switches between French and English', async () => {
    await page.goto('/meetings');
    await clickAndWait(page, page.locator('header .lang').getByRole('link', { name: 'FR', exact: true }));
    assert.equal(new URL(page.url()).search, '?lang=fr');
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    assert.equal(await page.title(), 'Visioconférences');
    assert.equal(await page.locator('h1').innerText(), 'Mes réunions');
    assert.deepEqual(await page.locator('header nav a').allInnerTexts(), ['Mes réunions', 'Semaine', 'Archives', 'Nouvelle réunion']);
    assert.equal(await page.locator('header button').innerText(), 'Se déconnecter');
    assert.equal(await page.locator('main p.empty').innerText(), "Vous n'avez aucune réunion à venir.");
    await shot(page, 'meetings-fr');
    await page.goto('/meetings/new?lang=fr');
    assert.equal(await page.locator('h1').innerText(), 'Nouvelle réunion');
    for (const label of ['Titre', 'Date', 'Heure de début', 'Durée', 'Fuseau horaire'])
      assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, `label ${label}`);
    assert.equal(await page.getByRole('button').filter({ hasText: 'Enregistrer' }).count(), 1);
    await shot(page, 'new-meeting-fr');
    await clickAndWait(page, page.locator('header .lang').getByRole('link', { name: 'EN', exact: true }));
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.locator('h1').innerText(), 'New meeting');
    assert.equal(await page.getByLabel('Start time', { exact: true }).count(), 1);
    await page.goto('/meetings?lang=en');
    assert.equal(await page.locator('h1').innerText(), 'My meetings');
    assert.equal(await page.locator('header button').innerText(), 'Log out');
  });

  step('logging out', async () => {
    await clickAndWait(page, page.locator('header').getByRole('button', { name: 'Log out', exact: true }));
    assert.equal(await page.locator('h1').innerText(), 'You are logged out');
    assert.equal(await page.locator('header .user').count(), 0);
    await shot(page, 'logged-out');
    await clickAndWait(page, page.getByRole('link', { name: 'Log in again', exact: true }));
    assert.equal(new URL(page.url()).pathname, '/auth/local/login');
    const r = await page.goto('/meetings/new');
    assert.equal(new URL(page.url()).pathname, '/auth/local/login', 'the session is gone');
    assert.equal(r.status(), 200);
  });
});

/** Creates a meeting through the JSON API as Bob (bearer token from jmbctl). */
async function apiCreateAsBob(body) {
  const r = await fetch(`${jmbd.url}/api/v1/meetings`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bobToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await r.json();
  assert.equal(r.status, 201, JSON.stringify(json));
  return json;
}

/** The next 5-minute mark at least 2 minutes from now, in `zone`. */
function startingSoon(zone) {
  const t = new Date(Date.now() + 2 * 60_000);
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(Math.ceil(t.getUTCMinutes() / 5) * 5);
  return localParts(t, zone);
}

describe('the meeting list at a glance (desktop)', () => {
  let context, page, bobMeeting;

  const step = steps(async () => {
    context = await browsers.launch();
    page = await context.newPage();
  }, () => page);
  after(async () => { if (context) await browsers.close(context); });

  step('meetings I organise and meetings I am invited to, soon ones highlighted', async () => {
    const start = new Date(Date.now() + 2 * 86_400_000);
    start.setUTCHours(8, 0, 0, 0);
    bobMeeting = await apiCreateAsBob({
      title: 'Budget review <b>&amp; "quotes"</b>',
      description: 'Bring the figures.',
      start: start.toISOString(),
      duration: 60,
      moderators: [],
      guests: [ALICE.mail, 'ivan@example.org'],
    });
    await logIn(page, ALICE);
    await page.goto('/meetings/new');
    await fillMeeting(page, {
      title: 'Daily stand-up', ...startingSoon(ZONE), duration: 30, timezone: ZONE,
      moderators: [], guests: ['erin@example.org'],
    });
    await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    assert.match(new URL(page.url()).pathname, /^\/meetings\/\d+$/, await page.locator('main').innerText());
    await page.goto('/meetings/new');
    await fillMeeting(page, {
      title: 'Quarterly planning with the New York office and the partner universities',
      ...tomorrowAt('America/New_York', '09:30'), duration: 120, timezone: 'America/New_York',
      moderators: ['carol@example.org'], guests: ['judy@example.org', 'mallory@example.com'],
    });
    await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    assert.match(new URL(page.url()).pathname, /^\/meetings\/\d+$/, await page.locator('main').innerText());

    await page.goto('/meetings');
    const items = page.locator('ul.meetings > li');
    const mine = ['Daily stand-up', 'Quarterly planning', 'Budget review'];
    const titles = (await items.locator('h2').allInnerTexts())
      .filter((t) => mine.some((m) => t.startsWith(m)));
    assert.deepEqual(titles, [
      'Daily stand-up',
      'Quarterly planning with the New York office and the partner universities',
      'Budget review <b>&amp; "quotes"</b>',
    ], 'sorted by start, titles shown literally');
    const item = (title) => items.filter({ has: page.getByRole('heading', { name: title }) });
    const soon = item('Daily stand-up');
    const later = item(/^Quarterly planning/);
    const invited = item(/^Budget review/);
    assert.equal(await soon.locator('.badge.soon').innerText(), 'Starting soon');
    assert.equal(await later.locator('.badge.soon').count(), 0);
    assert.equal(await invited.locator('.badge.soon').count(), 0);
    const bg = (loc) => loc.locator('article').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(await bg(soon), await bg(later), 'the soon meeting stands out');
    assert.match(await invited.locator('.meta').innerText(), /^Guest · No answer yet$/);
    assert.equal(await invited.getByRole('link', { name: /^(Edit|Delete)$/ }).count(), 0,
      'no edit/delete for invitees');
    assert.match(await later.locator('.local-when').innerText(), /09:30 \(America\/New_York\)/);
    await shot(page, 'meetings-several');
    await page.goto('/meetings?lang=fr');
    assert.equal(await page.locator('.badge.soon').innerText(), 'Commence bientôt');
    await shot(page, 'meetings-several-fr');
    // The choice sticks (a cookie) until the visitor picks another language.
    await page.goto('/meetings');
    assert.equal(await page.locator('.badge.soon').innerText(), 'Commence bientôt');
    await page.goto('/meetings?lang=en');
    assert.equal(await page.locator('.badge.soon').innerText(), 'Starting soon');
  });

  step('an invitee sees the meeting but may not change it', async () => {
    await page.goto(`/meetings/${bobMeeting.id}`);
    assert.equal(await page.locator('h1').innerText(), bobMeeting.title);
    assert.equal(await page.locator('main').getByRole('link', { name: /^(Edit|Delete)$/ }).count(), 0);
    assert.equal(await page.locator('table.attendees').count(), 0, 'only the organiser sees the attendees');
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, /Guest/);
    assert.match(facts, /No answer yet/);
    assert.match(facts, new RegExp(BOB.name));
    await shot(page, 'meeting-as-guest');
    const r = await page.goto(`/meetings/${bobMeeting.id}/edit`);
    assert.equal(r.status(), 403);
    assert.equal(await page.locator('main .message').innerText(), 'Only the organiser of this meeting may change it.');
    await shot(page, 'edit-forbidden');
  });

  step('the week view: meetings on a time grid, week by week, by keyboard', async () => {
    await clickAndWait(page, page.locator('header nav').getByRole('link', { name: 'Week', exact: true }));
    assert.match(await page.locator('h1').innerText(), /^Week of Monday \d+ \w+$/);
    assert.equal(await page.locator('.week-grid section.day').count(), 7);
    // Bob's meeting (in two days) lands on its day, in its hour's rows.
    if (await page.locator('.week-grid a', { hasText: 'Budget review' }).count() === 0)
      await clickAndWait(page, page.getByRole('link', { name: 'Next week', exact: true }));
    const item = page.locator('.week-grid li', { hasText: 'Budget review' });
    assert.match(await item.innerText(), /^09:00–10:00/);
    assert.match(await item.getAttribute('class'), /row-\d+ span-2 lane-1/);
    // Tab goes from the week links to the meetings, in time order.
    await page.getByRole('link', { name: 'Next week', exact: true }).focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.closest('.week-grid') !== null), true);
    await shot(page, 'week');
    await clickAndWait(page, item.getByRole('link'));
    assert.match(new URL(page.url()).pathname, /^\/meetings\/\d+$/);
    await page.goto('/calendar?week=2027-W53');
    assert.equal(await page.locator('main').innerText().then((t) => /2027-W05/.test(t)), true);
  });

  step('the settings page: times in another zone', async () => {
    await clickAndWait(page, page.locator('header .who').getByRole('link', { name: ALICE.name, exact: true }));
    assert.equal(await page.locator('h1').innerText(), 'Settings');
    await page.getByLabel('Show times in', { exact: true }).selectOption('America/New_York');
    await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    assert.equal(await page.getByRole('status').innerText(), 'Your settings were saved.');
    await shot(page, 'settings');
    await page.goto('/calendar');
    assert.match(await page.locator('.zone').innerText(), /America\/New_York/);
    await page.goto('/me/settings');
    await page.getByLabel('Show times in', { exact: true }).selectOption(ZONE);
    await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
  });

  step('the archive page', async () => {
    await clickAndWait(page, page.locator('header nav').getByRole('link', { name: 'Archive', exact: true }));
    assert.equal(await page.locator('h1').innerText(), 'Past meetings');
    assert.equal(await page.locator('main p.empty').innerText(), 'No past meetings.');
    assert.equal(await page.locator('main p.hint').innerText(), 'Meetings that ended in the last 365 days.');
    await shot(page, 'archive-empty');
    await page.goto('/meetings/archive?lang=fr');
    assert.equal(await page.locator('h1').innerText(), 'Réunions passées');
    assert.equal(await page.locator('main p.hint').innerText(), 'Réunions terminées au cours des 365 derniers jours.');
  });
});

describe('a weekly series (desktop)', () => {
  let context, page, series;

  const step = steps(async () => {
    context = await browsers.launch();
    page = await context.newPage();
  }, () => page);
  after(async () => { if (context) await browsers.close(context); });

  step('its page lists the occurrences, each with its own move and cancel', async () => {
    const aliceToken = jmbd.jmbctl(['api-token', 'create', ALICE.login]).trim();
    const start = new Date(Date.now() + 3 * 86_400_000);
    start.setUTCHours(9, 0, 0, 0);
    const r = await fetch(`${jmbd.url}/api/v1/meetings`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${aliceToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'Weekly seminar', start: start.toISOString(), duration: 60,
        timezone: ZONE, guests: ['ivan@example.org'], recurrence: 'FREQ=WEEKLY;COUNT=12' }),
    });
    series = await r.json();
    assert.equal(r.status, 201, JSON.stringify(series));
    await logIn(page, ALICE);
    await page.goto(`/meetings/${series.id}`);
    assert.match(await page.locator('dl.facts').innerText(), /Repeats\nEvery \w+day at \d\d:00 \(Europe\/Paris\), 12 times/);
    const items = page.locator('#occurrences li');
    assert.equal(await items.count(), 10);
    await items.nth(0).locator('summary').click();
    await shot(page, 'series-meeting');
    const second = items.nth(1);
    await second.locator('summary').click();
    await clickAndWait(page, second.getByRole('button', { name: /^Cancel / }));
    assert.match(await page.locator('#occurrences li').nth(1).innerText(), /Cancelled/);
    await clickAndWait(page, page.getByRole('link', { name: 'Later occurrences', exact: true }));
    assert.equal(await page.locator('#occurrences li').count(), 2);
  });

  step('an invitee answers for the series or for one occurrence', async () => {
    const token = series.attendees[0].link.split('/j/')[1];
    await page.goto(`/r/${token}`);
    const list = page.locator('.occurrence-list li');
    assert.equal(await list.count(), 12);
    await clickAndWait(page, list.nth(2).getByRole('button', { name: /^Decline for / }));
    assert.match(await page.locator('.occurrence-list li').nth(2).innerText(), /Declined/);
    await shot(page, 'series-invitation');
  });
});

describe('on a phone (390×844)', () => {
  let context, page, meetingPath;
  const long = 'firstname.middlename.lastname-department@research-laboratory.example-university.org';

  const step = steps(async () => {
    context = await browsers.launch(PHONE);
    page = await context.newPage();
  }, () => page);
  after(async () => { if (context) await browsers.close(context); });

  step('log in and see the list without horizontal scrolling', async () => {
    await page.goto('/meetings');
    await assertFitsWidth(page, 'login');
    await shot(page, 'phone-login');
    await logIn(page, ALICE);
    await assertFitsWidth(page, 'list');
    await shot(page, 'phone-meetings');
  });

  step('the form is usable: fill it, get errors back, save', async () => {
    await clickAndWait(page, page.locator('main').getByRole('link', { name: 'New meeting', exact: true }));
    await assertFitsWidth(page, 'new meeting form');
    await shot(page, 'phone-new-meeting');
    await fillMeeting(page, {
      title: 'Thesis defence rehearsal', ...tomorrowAt(ZONE, '14:00'), duration: 150,
      timezone: 'Indian/Reunion', moderators: [long], guests: ['erin@example.org', 'bad address@', long],
    });
    for (const field of ['Title', 'Date', 'Start time', 'Duration', 'Time zone']) {
      const b = await page.getByLabel(field, { exact: true }).boundingBox();
      assert.ok(b.width >= 100 && b.height >= 30, `${field} is big enough to use (${b.width}×${b.height})`);
    }
    let r = await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    assert.equal(r.status(), 422);
    assert.ok(await page.locator('#guests + .field-error').isVisible());
    await assertFitsWidth(page, 'form with errors');
    await shot(page, 'phone-form-errors');
    await fillMeeting(page, { guests: ['erin@example.org'] });
    r = await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    assert.equal(r.status(), 200);
    meetingPath = new URL(page.url()).pathname;
    assert.match(meetingPath, /^\/meetings\/\d+$/);
  });

  step('the meeting page, the list and the delete confirmation fit', async () => {
    assert.equal(await page.locator('table.attendees tr.attendee').count(), 2);
    await assertFitsWidth(page, 'meeting page');
    await shot(page, 'phone-meeting');
    await page.goto('/meetings');
    assert.ok(await page.locator('ul.meetings h2', { hasText: 'Thesis defence rehearsal' }).isVisible());
    await assertFitsWidth(page, 'list with meetings');
    await shot(page, 'phone-meetings-several');
    await page.goto(`${meetingPath}/delete`);
    await assertFitsWidth(page, 'delete confirmation');
    await shot(page, 'phone-delete-confirm');
    await clickAndWait(page, page.getByRole('button', { name: 'Delete the meeting', exact: true }));
    assert.equal(await page.locator('ul.meetings h2', { hasText: 'Thesis defence rehearsal' }).count(), 0);
    await page.goto('/meetings/new?lang=fr');
    await assertFitsWidth(page, 'French form');
    await shot(page, 'phone-new-meeting-fr');
  });

  step('the week view reads as a list of days', async () => {
    await page.goto('/calendar');
    await assertFitsWidth(page, 'week view');
    await shot(page, 'phone-week');
  });
});
