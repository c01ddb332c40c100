// End-to-end test of the invite autocomplete (templates/static/jmb-autocomplete.js):
// a throw-away OpenLDAP slapd loaded with the integration fixture directory
// (tests/integration/servers/slapd.py, run with /usr/bin/python3), a real jmbd
// from the build tree with [ldap] pointing at it and the `ldap-bind` login,
// and Debian's Chromium driven by playwright-core. Suggestions come from the
// real GET /api/v1/directory; keyboard and mouse picks end up in the saved
// meeting; 503 and 401 answers show nothing; with JavaScript off the form
// takes typed addresses as before. Screenshots go to screenshots/autocomplete/.
//
//   cd tests/e2e && npm install && JMB_BUILDDIR=/path/to/build node --test autocomplete.test.mjs
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import {
  BUILD, CHROMIUM, HERE, JMBD, PHONE, REPO, Suite, ZONE, attendeeRows, clickAndWait, localParts,
  logIn as logInAt, screenshots,
} from './harness.mjs';

const LDAP_BIND = path.join(BUILD, 'plugins', 'modules', 'auth_ldap_bind.so');
const PYTHON = process.env.JMB_PYTHON || '/usr/bin/python3';
const SLAPD = process.env.JMB_SLAPD || '/usr/sbin/slapd';
const SHOTS = path.join(HERE, 'screenshots', 'autocomplete');
// A user of tests/integration/servers/slapd-fixture.ldif who may book.
const ALICE = { login: 'alice', password: 'alice-password', mail: 'alice@example.org', name: 'Alice Martin' };

// ---------------------------------------------------------------- slapd

// Runs SlapdServer (the integration tests' throw-away slapd) until its stdin
// closes; prints its settings as one JSON line, then answers "stop"/"start"
// lines with "ok" so that a test can take the directory away.
const SLAPD_DRIVER = `
import json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from servers.slapd import SlapdServer
fixture = (Path(sys.argv[1]) / "servers" / "slapd-fixture.ldif").read_text()
with SlapdServer(fixture) as s:
    print(json.dumps({"uri": s.uri, "base": s.base, "bind_dn": s.service_dn,
                      "bind_password": s.service_password}), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "stop":
            s.stop()
        elif cmd == "start":
            s.start()
        print("ok", flush=True)
`;

let slapd, slapdLines, slapdInfo;

async function startSlapd() {
  slapd = spawn(PYTHON, ['-c', SLAPD_DRIVER, path.join(REPO, 'tests', 'integration')],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  slapd.stderr.on('data', (b) => { stderr += b; });
  slapdLines = readline.createInterface({ input: slapd.stdout })[Symbol.asyncIterator]();
  const timer = setTimeout(() => slapd.kill('SIGTERM'), 60_000);
  const first = await slapdLines.next();
  clearTimeout(timer);
  if (first.done) throw new Error(`slapd did not start:\n${stderr}`);
  slapdInfo = JSON.parse(first.value);
}

async function slapdCommand(cmd) {
  slapd.stdin.write(`${cmd}\n`);
  const r = await slapdLines.next();
  assert.equal(r.value, 'ok', `slapd ${cmd}`);
}

async function stopSlapd() {
  if (!slapd || slapd.exitCode !== null || slapd.signalCode !== null) return;
  const exited = new Promise((resolve) => slapd.once('exit', resolve));
  slapd.stdin.end(); // the driver leaves its with-block: slapd stopped, folder removed
  const timer = setTimeout(() => slapd.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------- jmbd and pages

const suite = new Suite({
  shotsDir: SHOTS, viewport: { width: 1000, height: 1100 }, waitingFor: 'slapd or jmbd',
  others: {
    stop: stopSlapd,
    killNow: () => { if (slapd && slapd.exitCode === null && slapd.signalCode === null) slapd.kill('SIGTERM'); },
  },
});
const { browsers } = suite;
let shot;

const tomorrow = () => localParts(new Date(Date.now() + 86_400_000), ZONE).date;

/** Records what the page complains about: script errors, CSP refusals, failed loads. */
function watchProblems(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  return problems;
}

const logIn = (page, user) => logInAt(page, user, '/auth/ldap-bind/login');

/** The state of a field's suggestions, as assistive technology sees it. */
async function comboState(field) {
  return field.evaluate((el) => {
    const list = document.getElementById(el.getAttribute('aria-controls'));
    const active = el.getAttribute('aria-activedescendant');
    const status = document.getElementById(`${el.id}-status`);
    return {
      role: el.getAttribute('role'),
      // A textarea may not be a combobox, so nothing carries aria-expanded:
      // the list is open when it is shown (and the live region says so).
      expanded: String(!!list && !list.hidden),
      listVisible: !!list && !list.hidden && list.getBoundingClientRect().height > 0,
      listRole: list && list.getAttribute('role'),
      options: list ? [...list.querySelectorAll('[role=option]')].map((o) => o.textContent.replace(/\s+/g, ' ').trim()) : [],
      selected: list ? [...list.querySelectorAll('[role=option][aria-selected=true]')].map((o) => o.id) : [],
      active: active && document.getElementById(active) ? document.getElementById(active).textContent.replace(/\s+/g, ' ').trim() : null,
      activeId: active,
      status: status ? status.textContent : null,
    };
  });
}

const steps = (init, getPage) => suite.steps(init, getPage);

// ---------------------------------------------------------------- setup

test('slapd and jmbd (with [ldap] and ldap-bind) start', async () => {
  for (const f of [JMBD, LDAP_BIND, CHROMIUM, PYTHON, SLAPD])
    assert.ok(fs.existsSync(f), `${f} is missing (build jmb; apt-get install chromium slapd ldap-utils)`);
  shot = screenshots(SHOTS);
  await startSlapd();
  const jmbd = suite.newJmbd('jmb-e2e-ac-');
  await jmbd.configure({
    auth: { plugins: 'ldap-bind', plugin_dir: path.join(BUILD, 'plugins', 'modules') },
    'auth.ldap-bind': { failure_time: '0' },
    // retry_after = 0: no hold-down, so that suggestions come back as soon as slapd does.
    ldap: { ...slapdInfo, timeout: '2', retry_after: '0' },
  });
  await suite.start();
});

// ---------------------------------------------------------------- scenarios

describe('invite autocomplete with JavaScript', () => {
  let context, page, problems, guests, moderators;

  const step = steps(async () => {
    context = await browsers.launch();
    page = await context.newPage();
    problems = watchProblems(page);
  }, () => page);
  after(async () => { if (context) await browsers.close(context); });

  step('the invite fields get suggestions, the others do not', async () => {
    await logIn(page, ALICE);
    await page.goto('/meetings/new');
    guests = page.getByLabel(/^Guests/);
    moderators = page.getByLabel(/^Moderators/);
    const script = await page.request.get('/static/jmb-autocomplete.js');
    assert.equal(script.status(), 200);
    assert.match(script.headers()['content-type'], /^text\/javascript/);
    for (const field of [guests, moderators]) {
      const s = await comboState(field);
      assert.equal(s.role, null, 'a textarea keeps its textbox role');
      assert.equal(s.expanded, 'false');
      assert.equal(await field.getAttribute('aria-haspopup'), 'listbox');
      assert.equal(s.listRole, 'listbox');
      assert.equal(s.listVisible, false);
      assert.equal(await field.getAttribute('aria-autocomplete'), 'list');
    }
    assert.equal(await page.getByLabel('Description (optional)').getAttribute('aria-autocomplete'), null);
    // What follows the field is unchanged (e.g. "#guests + .field-error" still
    // finds its error message): the listbox and the live region go before it.
    assert.equal(await guests.evaluate((el) => el.nextElementSibling.className), 'repeat');
    assert.deepEqual(await guests.evaluate((el) => [el.previousElementSibling.getAttribute('role'),
      el.previousElementSibling.previousElementSibling.getAttribute('role')]), ['listbox', 'status']);
    assert.equal(await page.getByRole('textbox', { name: /^Guests/ }).count(), 1);
  });

  step('two letters bring suggestions with name, address and kind', async () => {
    await page.getByLabel('Title', { exact: true }).fill('Autocomplete review');
    await page.getByLabel('Date', { exact: true }).fill(tomorrow());
    await page.getByLabel('Start time', { exact: true }).fill('10:00');
    await guests.click();
    await guests.pressSequentially('c');
    await page.waitForTimeout(500);
    assert.equal((await comboState(guests)).expanded, 'false', 'one letter asks nothing');
    const asked = page.waitForRequest((r) => r.url().includes('/api/v1/directory?q=ch'));
    await guests.pressSequentially('hl');
    const req = await asked;
    assert.equal(new URL(req.url()).searchParams.get('q'), 'chl');
    assert.equal(req.method(), 'GET');
    await page.getByRole('option', { name: /Chloé Lefèvre/ }).waitFor();
    const s = await comboState(guests);
    assert.equal(s.expanded, 'true');
    assert.equal(s.listVisible, true);
    assert.deepEqual(s.options, ['Chloé Lefèvre chloe@example.org Person']);
    assert.equal(s.active, null, 'nothing is highlighted before Down or Up');
    assert.equal(s.status, '1 suggestion');
    // The list is right under the field, as wide as it.
    const f = await guests.boundingBox();
    const l = await page.getByRole('listbox').boundingBox();
    assert.ok(Math.abs(l.x - f.x) < 1 && Math.abs(l.width - f.width) < 1, 'as wide as the field');
    assert.ok(l.y >= f.y + f.height && l.y <= f.y + f.height + 10, 'just under the field');
    await shot(page, 'suggestions-one');
  });

  step('Down highlights, Enter puts the address in place of the line and a new line', async () => {
    await guests.press('ArrowDown');
    let s = await comboState(guests);
    assert.equal(s.active, 'Chloé Lefèvre chloe@example.org Person');
    assert.deepEqual(s.selected, [s.activeId]);
    assert.equal(await page.getByRole('option', { name: /Chloé/ }).getAttribute('aria-selected'), 'true');
    await shot(page, 'suggestion-highlighted');
    await guests.press('Enter');
    assert.equal(await guests.inputValue(), 'chloe@example.org\n');
    s = await comboState(guests);
    assert.equal(s.expanded, 'false');
    assert.equal(s.listVisible, false);
    assert.equal(s.activeId, null);
    assert.equal(await guests.evaluate((el) => [el.selectionStart, el.selectionEnd]).then(String),
      String(['chloe@example.org\n'.length, 'chloe@example.org\n'.length]), 'the caret is on the new line');
  });

  step('people, groups and external contacts; Up wraps to the last, Tab picks', async () => {
    await guests.pressSequentially('example.net');
    await page.getByRole('option', { name: /Zoë Partner/ }).waitFor();
    let s = await comboState(guests);
    assert.ok(s.options.some((o) => o === 'Zoë Partner zoe@partner.example.net External contact'), s.options.join('|'));
    await guests.fill('chloe@example.org\n');
    await guests.evaluate((el) => el.setSelectionRange(el.value.length, el.value.length));
    await guests.pressSequentially('lists.example');
    await page.getByRole('option', { name: /team@lists\.example\.org/ }).waitFor();
    s = await comboState(guests);
    assert.ok(s.options.length >= 2);
    assert.ok(s.options.every((o) => o.endsWith(' Group')), s.options.join('|'));
    assert.equal(s.status, `${s.options.length} suggestions`);
    await shot(page, 'suggestions-groups');
    await guests.press('Escape');
    s = await comboState(guests);
    assert.equal(s.expanded, 'false', 'Escape closes');
    assert.equal(await guests.inputValue(), 'chloe@example.org\nlists.example', 'Escape keeps the text');
    // Replace the line with a search for the external contact; Up from
    // nothing highlighted goes to the last option.
    for (let i = 0; i < 'lists.example'.length; i++) await guests.press('Backspace');
    await guests.pressSequentially('zoë');
    await page.getByRole('option', { name: /Zoë Partner/ }).waitFor();
    await shot(page, 'suggestions-external');
    await guests.press('ArrowUp');
    s = await comboState(guests);
    assert.equal(s.active, 'Zoë Partner zoe@partner.example.net External contact');
    await guests.press('Tab');
    assert.equal(await guests.inputValue(), 'chloe@example.org\nzoe@partner.example.net\n');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'guests', 'Tab picked, the focus stayed');
  });

  step('a mouse click picks; Enter and Tab keep their meaning while nothing is highlighted', async () => {
    await guests.pressSequentially('étienne');
    const option = page.getByRole('option', { name: /Ève Étienne/ });
    await option.waitFor();
    await option.hover();
    await shot(page, 'suggestion-hover');
    await option.click();
    assert.equal(await guests.inputValue(), 'chloe@example.org\nzoe@partner.example.net\neve@example.org\n');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'guests');
    // A full address typed by hand: Enter is a new line even with suggestions open.
    await guests.pressSequentially('frank@example.org');
    await page.getByRole('option', { name: /Frank Fournier/ }).waitFor();
    await guests.press('Enter');
    assert.equal(await guests.inputValue(),
      'chloe@example.org\nzoe@partner.example.net\neve@example.org\nfrank@example.org\n');
    assert.equal((await comboState(guests)).expanded, 'false');
    // An address nobody has: no suggestions, no error.
    await guests.pressSequentially('erin@elsewhere.example.com');
    await page.waitForResponse((r) => r.url().includes('/api/v1/directory?q=erin%40elsewhere'));
    await page.waitForTimeout(100);
    assert.equal((await comboState(guests)).expanded, 'false');
    // Tab leaves the field when nothing is highlighted.
    await moderators.click();
    await moderators.pressSequentially('bob');
    await page.getByRole('option', { name: /Bob Bernard/ }).waitFor();
    await moderators.press('Tab');
    assert.notEqual(await page.evaluate(() => document.activeElement.id), 'moderators');
    assert.equal(await moderators.inputValue(), 'bob', 'Tab with nothing highlighted changes nothing');
    assert.equal((await comboState(moderators)).expanded, 'false', 'leaving the field closes the list');
    await moderators.fill('');
  });

  step('near the bottom of the window the list opens above the field', async () => {
    await page.setViewportSize({ width: 1000, height: 700 });
    try {
      await guests.scrollIntoViewIfNeeded();
      await guests.press('Enter');
      await guests.pressSequentially('zed');
      await page.getByRole('option', { name: /zed08@example\.org/ }).waitFor();
      const f = await guests.boundingBox();
      const l = await page.getByRole('listbox').boundingBox();
      assert.ok(l.y + l.height <= f.y, `above the field (${l.y}+${l.height} <= ${f.y})`);
      assert.ok(l.y >= 0, 'within the window');
      await shot(page, 'suggestions-above', { fullPage: false });
      await guests.press('Escape');
      for (let i = 0; i < 4; i++) await guests.press('Backspace');
    } finally {
      await page.setViewportSize({ width: 1000, height: 1100 });
    }
  });

  step('saving: the meeting has the picked addresses', async () => {
    await shot(page, 'form-filled');
    const r = await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    assert.equal(r.status(), 200, await page.locator('main').innerText());
    assert.match(new URL(page.url()).pathname, /^\/meetings\/\d+$/);
    const rows = await attendeeRows(page);
    assert.deepEqual(rows.filter((r) => r[1] === 'Guest').map((r) => r[0]).sort(), [
      'chloe@example.org', 'erin@elsewhere.example.com', 'eve@example.org', 'frank@example.org',
      'zoe@partner.example.net',
    ]);
    await shot(page, 'meeting-saved');
    assert.deepEqual(problems, [], 'no script error, no CSP refusal');
  });

  step('in French, the words come from the page', async () => {
    await page.goto('/meetings/new?lang=fr');
    const field = page.getByLabel(/^Invités/);
    await field.click();
    await field.pressSequentially('chl');
    await page.getByRole('option', { name: /Chloé Lefèvre/ }).waitFor();
    let s = await comboState(field);
    assert.deepEqual(s.options, ['Chloé Lefèvre chloe@example.org Personne']);
    assert.equal(s.status, '1 suggestion');
    assert.equal(await page.getByRole('listbox').getAttribute('aria-label'), "Suggestions de l'annuaire");
    await field.fill('');
    await field.pressSequentially('zed');
    await page.getByRole('option', { name: /zed08@example\.org/ }).waitFor();
    s = await comboState(field);
    assert.equal(s.options.length, 8, 'the first eight of the twenty the directory gave');
    assert.equal(s.status, '8 suggestions');
    for (let i = 0; i < 3; i++) await field.press('ArrowUp');
    s = await comboState(field);
    assert.match(s.active, /zed06@example\.org/);
    const visible = await page.evaluate((id) => {
      const o = document.getElementById(id).getBoundingClientRect();
      const l = document.getElementById(id).parentElement.getBoundingClientRect();
      return o.top >= l.top - 1 && o.bottom <= l.bottom + 1;
    }, s.activeId);
    assert.ok(visible, 'the highlighted option is scrolled into view');
    await shot(page, 'suggestions-many-fr');
    await field.press('Escape');
    await field.fill('');
    assert.deepEqual(problems, []);
  });

  step('503 (directory down) and 401 (session gone): no suggestions, nothing breaks', async () => {
    await page.goto('/meetings/new?lang=en'); // the French step's choice sticks otherwise
    await slapdCommand('stop');
    try {
      await guests.click();
      const answer = page.waitForResponse((r) => r.url().includes('/api/v1/directory?q=chl'), { timeout: 10_000 });
      await guests.pressSequentially('chl');
      assert.equal((await answer).status(), 503);
      await page.waitForTimeout(100);
      const s = await comboState(guests);
      assert.equal(s.expanded, 'false');
      assert.equal(s.options.length, 0);
      assert.equal(await guests.inputValue(), 'chl');
      await shot(page, 'directory-down');
    } finally {
      await slapdCommand('start');
    }
    // The directory is back: suggestions again.
    await guests.press('Backspace');
    await guests.pressSequentially('l');
    await page.getByRole('option', { name: /Chloé Lefèvre/ }).waitFor();
    await guests.press('Escape');
    await guests.fill('');
    // The session ends in another tab: 401, silently.
    await context.clearCookies();
    await guests.click();
    const answer = page.waitForResponse((r) => r.url().includes('/api/v1/directory?q=bo'));
    await guests.pressSequentially('bo');
    assert.equal((await answer).status(), 401);
    await page.waitForTimeout(100);
    assert.equal((await comboState(guests)).expanded, 'false');
    // Console messages about the failed requests themselves are Chromium's
    // network log, not script errors.
    assert.deepEqual(problems.filter((p) => !/Failed to load resource: the server responded with a status of (401|503)/.test(p)), []);
  });
});

describe('the invite fields on a phone (390×844)', () => {
  let context, page;

  const step = steps(async () => {
    context = await browsers.launch(PHONE);
    page = await context.newPage();
  }, () => page);
  after(async () => { if (context) await browsers.close(context); });

  step('the list fits the screen and a tap picks', async () => {
    await logIn(page, ALICE);
    await page.goto('/meetings/new');
    const guests = page.getByLabel(/^Guests/);
    await guests.tap();
    await guests.pressSequentially('lists.example');
    await page.getByRole('option', { name: /team@lists\.example\.org/ }).waitFor();
    const box = await page.getByRole('listbox').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390.5, `listbox within the screen (${box.x}, ${box.width})`);
    assert.equal(await page.evaluate(() => document.scrollingElement.scrollWidth <= window.innerWidth), true);
    await page.getByRole('listbox').scrollIntoViewIfNeeded();
    await shot(page, 'phone-suggestions');
    await page.getByRole('option', { name: /team@lists\.example\.org/ }).tap();
    assert.equal(await guests.inputValue(), 'team@lists.example.org\n');
  });
});

describe('the form without JavaScript', () => {
  let context, page;

  const step = steps(async () => {
    context = await browsers.launch({ javaScriptEnabled: false });
    page = await context.newPage();
  }, () => page);
  after(async () => { if (context) await browsers.close(context); });

  step('plain textareas take typed addresses and the meeting is saved', async () => {
    await logIn(page, ALICE);
    await page.goto('/meetings/new');
    const guests = page.getByLabel(/^Guests/);
    assert.equal(await guests.getAttribute('aria-autocomplete'), null, 'no suggestions without the script');
    assert.equal(await page.locator('[role=listbox]').count(), 0);
    await page.getByLabel('Title', { exact: true }).fill('Typed by hand');
    await page.getByLabel('Date', { exact: true }).fill(tomorrow());
    await page.getByLabel('Start time', { exact: true }).fill('15:00');
    await guests.fill('chl');
    await page.waitForTimeout(400);
    assert.equal(await page.locator('[role=option]').count(), 0);
    await guests.fill('chloe@example.org\nguest@elsewhere.example.com');
    await page.getByLabel(/^Moderators/).fill('bob@example.org');
    // axe needs script to run: these pages are checked with it in the suites above.
    await shot(page, 'nojs-form', { axe: false });
    const r = await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    assert.equal(r.status(), 200, await page.locator('main').innerText());
    const rows = await attendeeRows(page);
    assert.deepEqual(rows.map((r) => [r[0], r[1]]).sort(), [
      ['bob@example.org', 'Moderator'],
      ['chloe@example.org', 'Guest'],
      ['guest@elsewhere.example.com', 'Guest'],
    ]);
    await shot(page, 'nojs-meeting-saved', { axe: false });
  });
});
