// What the e2e tests share: paths into the repository and the build tree
// ($JMB_BUILDDIR, default ./build), a jmbd on a free loopback port with a
// throw-away config, headless Chromium profiles, and the step runner that
// stops a scenario at its first failure.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const BUILD = path.resolve(process.env.JMB_BUILDDIR || path.join(REPO, 'build'));
export const JMBD = path.join(BUILD, 'src', 'jmbd', 'jmbd');
export const JMBCTL = path.join(BUILD, 'src', 'jmbctl', 'jmbctl');
export const CHROMIUM = process.env.JMB_CHROMIUM || '/usr/bin/chromium';
export const ZONE = 'Europe/Paris'; // [server] timezone of the test configs

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- jmbd

/** One jmbd from the build tree in its own throw-away folder. */
export class Jmbd {
  constructor(prefix) {
    this.workdir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.logPath = path.join(this.workdir, 'jmbd.log');
    this.config = path.join(this.workdir, 'jmb.conf');
    this.proc = null;
  }

  /** Picks a free port and writes jmb.conf: SQLite in the folder, fixed
   * Jitsi settings, and `sections` ({auth: {...}, ldap: {...}}) over them. */
  async configure(sections) {
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    const conf = {
      server: {
        listen: `127.0.0.1:${this.port}`,
        public_url: this.url,
        default_language: 'en',
        timezone: ZONE,
        template_dir: path.join(REPO, 'templates'),
        static_dir: path.join(REPO, 'templates', 'static'),
        locale_dir: path.join(BUILD, 'po', 'locale'),
        threads: '4',
      },
      store: { driver: 'sqlite', path: path.join(this.workdir, 'jmb.db') },
      jitsi: {
        base_url: 'https://meet.example.org',
        domain: 'meet.example.org',
        app_id: 'jmb',
        app_secret: 'e2e-test-secret-0123456789',
      },
    };
    for (const [section, values] of Object.entries(sections))
      conf[section] = { ...conf[section], ...values };
    fs.writeFileSync(this.config, Object.entries(conf)
      .map(([section, values]) =>
        [`[${section}]`, ...Object.entries(values).map(([k, v]) => `${k} = ${v}`), ''].join('\n'))
      .join('\n'));
  }

  jmbctl(args, input) {
    return execFileSync(JMBCTL, ['--config', this.config, ...args], {
      input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000,
    });
  }

  /** Starts jmbd and waits until /healthz answers. */
  async start(timeoutMs = 20_000) {
    const logFd = fs.openSync(this.logPath, 'a');
    this.proc = spawn(JMBD, ['--config', this.config], { stdio: ['ignore', logFd, logFd] });
    fs.closeSync(logFd);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running())
        throw new Error(`jmbd exited (${this.proc.exitCode ?? this.proc.signalCode}):\n${this.log()}`);
      try {
        const r = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (r.status === 200) return;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`jmbd did not become ready:\n${this.log()}`);
  }

  running() {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  log() {
    try { return fs.readFileSync(this.logPath, 'utf8'); } catch { return ''; }
  }

  killNow() {
    if (this.running()) this.proc.kill('SIGKILL');
  }

  async stop() {
    if (!this.running()) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.killNow(), 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** Synchronous, for exit and signal handlers. */
  removeFolder() {
    if (!process.env.JMB_E2E_KEEP) fs.rmSync(this.workdir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- Chromium

/** Browser options of the phone the layout tests use (390×844). */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Headless Chromium, one fresh profile per context. */
export class Browsers {
  constructor(defaults) {
    this.defaults = defaults; // baseURL, viewport...
    this.contexts = [];
    this.profiles = [];
  }

  async launch(options = {}) {
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jmb-e2e-chromium-'));
    this.profiles.push(userDataDir);
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      locale: 'en-GB',
      timezoneId: ZONE,
      ...this.defaults,
      ...options,
    });
    this.contexts.push(context);
    context.setDefaultTimeout(15_000);
    return context;
  }

  async close(context) {
    const i = this.contexts.indexOf(context);
    if (i >= 0) this.contexts.splice(i, 1);
    await context.close();
  }

  async closeAll() {
    for (const c of this.contexts.splice(0)) await c.close().catch(() => {});
  }

  /** Synchronous, for exit and signal handlers. */
  removeProfiles() {
    for (const d of this.profiles.splice(0)) fs.rmSync(d, { recursive: true, force: true, maxRetries: 3 });
  }
}

// ---------------------------------------------------------------- test plumbing


const AXE_SOURCE = fs.readFileSync(path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** axe-core's violations of any impact on the page as it is now, one line
 * each. Injected through the debugging protocol, which jmbd's
 * Content-Security-Policy does not govern. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => (await window.axe.run(document, {
    resultTypes: ['violations'],
  })).violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`));
  return violations;
}

/** Asserts that axe finds nothing on the page in the light and in the dark
 * colour scheme, and screenshots the dark one as file-dark.png when given. */
export async function assertAccessible(page, name, darkFile) {
  const found = [];
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const v of await axeViolations(page)) found.push(`${scheme}: ${v}`);
    if (scheme === 'dark' && darkFile) await page.screenshot({ path: darkFile, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(found, [], `axe on ${name} (${page.url()})`);
}

/** A screenshot function numbering its shots in dir (emptied of old ones);
 * whole pages unless options say otherwise. Every shot of a jmb page is also
 * an accessibility check in both colour schemes (options.axe = false for a
 * page that is not jmb's, such as a test IdP). */
export function screenshots(dir) {
  let shotNo = 0;
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.png')) fs.rmSync(path.join(dir, f));
  return async (page, name, { axe = true, ...options } = {}) => {
    shotNo += 1;
    const file = path.join(dir, `${String(shotNo).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true, ...options });
    if (axe) await assertAccessible(page, name, file.replace(/\.png$/, '-dark.png'));
    return file;
  };
}

/** What every scenario file sets up alike: its jmbd, Chromium profiles, the
 * step runner, and clean-up after the tests and on exit. `others` stops what
 * else the file started: {stop() (async), killNow() (synchronous)}. */
export class Suite {
  constructor({ shotsDir, viewport, waitingFor = 'jmbd', others = {} }) {
    this.jmbd = null;
    this.ready = false;
    this.shotsDir = shotsDir;
    this.waitingFor = waitingFor;
    this.browsers = new Browsers({ viewport });
    const cleanupNow = () => {
      this.jmbd?.killNow();
      others.killNow?.();
      this.browsers.removeProfiles();
      this.jmbd?.removeFolder();
    };
    process.once('exit', cleanupNow);
    for (const sig of ['SIGINT', 'SIGTERM'])
      process.once(sig, () => { cleanupNow(); process.exit(128 + os.constants.signals[sig]); });
    after(async () => {
      try {
        await this.browsers.closeAll();
      } finally {
        await this.jmbd?.stop();
        await others.stop?.();
        cleanupNow();
      }
    });
  }

  /** The jmbd of this file, in a fresh folder named with prefix; configure it, then start(). */
  newJmbd(prefix) {
    this.jmbd = new Jmbd(prefix);
    return this.jmbd;
  }

  /** Starts the jmbd; browsers launched from now on open its pages. */
  async start() {
    await this.jmbd.start();
    this.browsers.defaults.baseURL = this.jmbd.url;
    this.ready = true;
  }

  /** Runs the steps of a describe() block in order. The first step runs
   * `init` (starting the browser) so that a failure there counts as a failed
   * test, not a cancelled one. After a failing step the rest are skipped,
   * the failing page is saved as FAIL-<step>.png and jmbd's last lines shown. */
  steps(init, getPage) {
    let failed = false, initialised = false;
    return (name, fn) => it(name, async (t) => {
      if (!this.ready) return t.skip(`${this.waitingFor} did not start`);
      if (failed) return t.skip('an earlier step failed');
      try {
        if (!initialised) {
          initialised = true;
          await init();
        }
        await fn();
      } catch (e) {
        failed = true;
        const page = getPage();
        if (page && !page.isClosed())
          await page.screenshot({ path: path.join(this.shotsDir, `FAIL-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
        t.diagnostic('jmbd log (last lines):');
        for (const line of this.jmbd.log().trimEnd().split('\n').slice(-15)) t.diagnostic(line);
        throw e;
      }
    });
  }
}

// ---------------------------------------------------------------- pages

/** Local calendar date and clock time of `date` in `zone`: {date: 'YYYY-MM-DD', time: 'HH:MM'}. */
export function localParts(date, zone) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date).map(({ type, value }) => [type, value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

/** Clicks and waits for the resulting navigation; returns its main response. */
export async function clickAndWait(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation(), locator.click()]);
  return response;
}

/** Logs in through the login form /meetings leads to (at loginPath when given). */
export async function logIn(page, user, loginPath) {
  await page.goto('/meetings');
  if (loginPath) assert.equal(new URL(page.url()).pathname, loginPath);
  await page.getByLabel('User name', { exact: true }).fill(user.login);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await clickAndWait(page, page.locator('main').getByRole('button', { name: 'Log in', exact: true }));
  assert.equal(new URL(page.url()).pathname, '/meetings');
}

/** The attendee table as [[mail, role, answer, joins], ...]. */
export async function attendeeRows(page) {
  return page.locator('table.attendees tr.attendee').evaluateAll((rows) =>
    rows.map((tr) => [...tr.cells].map((td) => td.textContent.trim())));
}
