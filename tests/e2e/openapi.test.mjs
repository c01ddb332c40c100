// The OpenAPI 3.1 description of the JSON API (templates/static/openapi.json,
// served at /api/v1/openapi.json) is kept true:
//   - it is a valid OpenAPI 3.1 document (@readme/openapi-parser);
//   - every /api/v1 route of src/jmbd/routes.c is in it, and nothing else;
//   - a real jmbd is driven through every operation until it has answered
//     every documented status (the few that need a broken store or a
//     directory are named below), each answer's status is one the document
//     lists for that operation, and each JSON body matches the documented
//     schema (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { validate } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { BUILD, Jmbd, REPO } from './harness.mjs';

const DOC_PATH = path.join(REPO, 'templates', 'static', 'openapi.json');
const doc = JSON.parse(fs.readFileSync(DOC_PATH, 'utf8'));
// Statuses a healthy test server cannot give: the store or the directory down.
const UNREACHABLE = new Set(['503']);

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'api', components: doc.components });

/** Inline schemas refer to the document's components: point them at 'api'. */
function anchored(schema) {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"api#/components/'));
}

function responseOf(op, status) {
  let r = op.responses[status];
  if (r && r.$ref) r = doc.components.responses[r.$ref.split('/').pop()];
  return r;
}

let jmbd, alice, bob, session;
const seen = new Map(); // "METHOD /path" -> Set of statuses answered

function templateOf(url) {
  const p = new URL(url, 'http://x').pathname;
  return p.replace(/^\/api\/v1\/meetings\/[^/]+/, '/api/v1/meetings/{id}')
    .replace(/\/occurrences\/[^/]+(\/split)?$/, '/occurrences/{recurrence_id}$1');
}

/** One request, checked against the document: status listed, body valid. */
async function call(method, url, { token, body, headers = {}, raw } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined && !raw) h['Content-Type'] ??= 'application/json';
  const r = await fetch(jmbd.url + url, {
    method, headers: h, redirect: 'manual',
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const key = `${method} ${templateOf(url)}`;
  const op = doc.paths[templateOf(url)]?.[method.toLowerCase()];
  assert.ok(op, `${key} is not in the OpenAPI document`);
  const status = String(r.status);
  const documented = responseOf(op, status);
  assert.ok(documented, `${key} answered ${status}, which the document does not list`);
  if (!seen.has(key)) seen.set(key, new Set());
  seen.get(key).add(status);
  const text = await r.text();
  const media = documented.content && Object.keys(documented.content)[0];
  if (media === 'application/json') {
    assert.match(r.headers.get('content-type'), /^application\/json/, `${key} ${status}`);
    const json = JSON.parse(text);
    const check = ajv.compile(anchored(documented.content[media].schema));
    assert.ok(check(json), `${key} ${status}: ${ajv.errorsText(check.errors)}\n${text}`);
    return { status: r.status, json, headers: r.headers };
  }
  return { status: r.status, text, headers: r.headers };
}

/** A browser session of alice (cookies and CSRF handled by hand). */
async function logIn(login, password) {
  const page = await fetch(`${jmbd.url}/auth/local/login`);
  const cookies = page.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = (await page.text()).match(/name="csrf" value="([^"]+)"/)[1];
  const r = await fetch(`${jmbd.url}/auth/local/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookies.join('; ') },
    body: new URLSearchParams({ csrf, login, password }),
  });
  assert.equal(r.status, 303, 'login');
  return [...cookies, ...r.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
}

before(async () => {
  jmbd = new Jmbd('jmb-openapi-');
  await jmbd.configure({
    auth: { plugins: 'local', plugin_dir: path.join(BUILD, 'plugins', 'modules') },
    'auth.local': { users_file: path.join(jmbd.workdir, 'users') },
  });
  for (const u of ['alice', 'bob'])
    jmbd.jmbctl(['user', 'add', u, '--mail', `${u}@example.org`, '--name', u, '--password-stdin'],
      `${u}-Secret-42\n`);
  await jmbd.start();
  alice = jmbd.jmbctl(['api-token', 'create', 'alice']).trim().split(/\s+/).pop();
  bob = jmbd.jmbctl(['api-token', 'create', 'bob']).trim().split(/\s+/).pop();
  session = await logIn('alice', 'alice-Secret-42');
});

after(async () => {
  if (jmbd) { await jmbd.stop(); jmbd.removeFolder(); }
});

test('the document is valid OpenAPI 3.1', async () => {
  const result = await validate(structuredClone(doc));
  assert.ok(result.valid, JSON.stringify(result.errors, null, 1));
  assert.equal(doc.openapi, '3.1.0');
});

test('it documents every route of /api/v1, and only those', () => {
  const routes = fs.readFileSync(path.join(REPO, 'src', 'jmbd', 'routes.c'), 'utf8');
  const served = new Set([...routes.matchAll(/\{"(GET|POST|PATCH|DELETE|PUT)", "(\/api\/v1\/[^"]*)"/g)]
    .map(([, m, p]) => `${m} ${p.replace('{}', '{id}').replace('{}', '{recurrence_id}')}`));
  const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.keys(ops).filter((k) => k !== 'parameters').map((m) => `${m.toUpperCase()} ${p}`)));
  assert.deepEqual([...documented].sort(), [...served].sort());
});

test('the server serves it at /api/v1/openapi.json', async () => {
  const r = await call('GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, doc);
});

test('every operation answers as documented, every documented status included', async () => {
  const start = new Date(Date.now() + 3 * 86_400_000);
  start.setUTCMinutes(0, 0, 0);
  const meeting = { title: 'Contract', start: start.toISOString(), duration: 60,
    timezone: 'Europe/Paris', guests: ['bob@example.org'], moderators: ['carol@example.net'] };
  const crossSite = { Cookie: session, Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };
  const big = JSON.stringify({ title: 'x'.repeat(200_000) });

  // Lists.
  await call('GET', '/api/v1/meetings');
  await call('POST', '/api/v1/meetings', { body: meeting });
  await call('GET', '/api/v1/meetings?limit=0', { token: alice });
  // Create.
  const made = await call('POST', '/api/v1/meetings', { token: alice, body: meeting });
  assert.equal(made.status, 201);
  const id = made.json.id;
  await call('POST', '/api/v1/meetings', { token: alice, raw: '{"title":', headers: { 'Content-Type': 'application/json' } });
  await call('POST', '/api/v1/meetings', { token: alice, body: { ...meeting, title: '', guests: ['x@'] } });
  await call('POST', '/api/v1/meetings', { token: alice, raw: big, headers: { 'Content-Type': 'application/json' } });
  await call('POST', '/api/v1/meetings', { raw: 'title=x', headers: { Cookie: session, 'Content-Type': 'text/plain' } });
  await call('POST', '/api/v1/meetings', { body: meeting, headers: crossSite });
  const page = await call('GET', '/api/v1/meetings?limit=1', { token: alice });
  assert.equal(page.json.meetings.length, 1);
  // One meeting.
  await call('GET', `/api/v1/meetings/${id}`, { token: bob });
  await call('GET', `/api/v1/meetings/${id}`);
  await call('GET', '/api/v1/meetings/999999', { token: alice });
  await call('PATCH', `/api/v1/meetings/${id}`, { token: alice, body: { title: 'Contract 2', room_options: { lobby: true } } });
  await call('PATCH', `/api/v1/meetings/${id}`, { token: alice, body: { duration: 'long' } });
  await call('PATCH', `/api/v1/meetings/${id}`, { token: alice, raw: '[1,', headers: { 'Content-Type': 'application/json' } });
  await call('PATCH', `/api/v1/meetings/${id}`, { token: bob, body: { title: 'mine' } });
  await call('PATCH', '/api/v1/meetings/999999', { token: alice, body: { title: 'x' } });
  await call('PATCH', `/api/v1/meetings/${id}`, { token: alice, raw: big, headers: { 'Content-Type': 'application/json' } });
  await call('PATCH', `/api/v1/meetings/${id}`, { raw: 'x', headers: { Cookie: session, 'Content-Type': 'text/plain' } });
  await call('PATCH', `/api/v1/meetings/${id}`);
  // Attendance, feed, directory.
  await call('GET', `/api/v1/meetings/${id}/attendance`, { token: alice });
  await call('GET', `/api/v1/meetings/${id}/attendance`, { token: bob });
  await call('GET', '/api/v1/meetings/999999/attendance', { token: alice });
  await call('GET', `/api/v1/meetings/${id}/attendance`);
  await call('GET', '/api/v1/me/feed', { token: alice });
  await call('GET', '/api/v1/me/feed');
  await call('POST', '/api/v1/me/feed/rotate', { token: alice });
  await call('POST', '/api/v1/me/feed/rotate');
  await call('POST', '/api/v1/me/feed/rotate', { headers: crossSite });
  await call('POST', '/api/v1/me/feed/rotate', { raw: 'x', headers: { Cookie: session, 'Content-Type': 'text/plain' } });
  await call('GET', '/api/v1/directory?q=bo', { token: alice });
  await call('GET', '/api/v1/directory?q=b', { token: alice });
  await call('GET', '/api/v1/directory?q=bo');
  // A series and its occurrences.
  const series = await call('POST', '/api/v1/meetings',
    { token: alice, body: { ...meeting, recurrence: 'FREQ=DAILY;COUNT=3' } });
  assert.equal(series.status, 201);
  const occurrences = `/api/v1/meetings/${series.json.id}/occurrences`;
  const first = `${occurrences}/${start.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}`;
  const listed = await call('GET', occurrences, { token: alice });
  assert.equal(listed.json.occurrences.length, 3);
  await call('GET', `${occurrences}?from=yesterday`, { token: alice });
  await call('GET', occurrences);
  await call('GET', '/api/v1/meetings/999999/occurrences', { token: alice });
  const moved = await call('PATCH', first, { token: alice, body: { title: 'Moved', duration: 90 } });
  assert.equal(moved.status, 200);
  await call('PATCH', first, { token: alice, raw: '[1,', headers: { 'Content-Type': 'application/json' } });
  await call('PATCH', first, { body: { title: 'x' } });
  await call('PATCH', first, { token: bob, body: { title: 'x' } });
  await call('PATCH', `${occurrences}/20200101T000000Z`, { token: alice, body: { title: 'x' } });
  await call('PATCH', `/api/v1/meetings/${id}/occurrences/20200101T000000Z`, { token: alice, body: { title: 'x' } });
  await call('PATCH', first, { raw: 'x', headers: { Cookie: session, 'Content-Type': 'text/plain' } });
  await call('PATCH', first, { token: alice, body: { duration: 7 } });
  await call('DELETE', first, { token: bob });
  await call('DELETE', first);
  await call('DELETE', `${occurrences}/20200101T000000Z`, { token: alice });
  await call('DELETE', `/api/v1/meetings/${id}/occurrences/20200101T000000Z`, { token: alice });
  assert.equal((await call('DELETE', first, { token: alice })).status, 204);
  // This and the following occurrences.
  const second = `${occurrences}/${new Date(start.getTime() + 86_400_000).toISOString()
    .replace(/[-:]/g, '').replace(/\.\d+/, '')}/split`;
  await call('POST', second, { token: alice, raw: '[1,', headers: { 'Content-Type': 'application/json' } });
  await call('POST', second, { body: {} });
  await call('POST', second, { token: bob, body: {} });
  await call('POST', `${occurrences}/20200101T000000Z/split`, { token: alice, body: {} });
  await call('POST', `${first}/split`, { token: alice, body: {} });
  await call('POST', second, { raw: 'x', headers: { Cookie: session, 'Content-Type': 'text/plain' } });
  await call('POST', second, { token: alice, body: { duration: 7 } });
  const split = await call('POST', second, { token: alice, body: { title: 'Continued' } });
  assert.equal(split.status, 201);
  assert.equal(split.json.room, series.json.room);
  // Delete last.
  await call('DELETE', `/api/v1/meetings/${id}`, { token: bob });
  await call('DELETE', `/api/v1/meetings/${id}`, { headers: crossSite });
  await call('DELETE', `/api/v1/meetings/${id}`);
  await call('DELETE', `/api/v1/meetings/${id}`, { token: alice });
  await call('DELETE', `/api/v1/meetings/${id}`, { token: alice });

  // Every documented status was answered at least once.
  const missing = [];
  for (const [p, ops] of Object.entries(doc.paths))
    for (const [m, op] of Object.entries(ops)) {
      if (m === 'parameters') continue;
      for (const status of Object.keys(op.responses))
        if (!UNREACHABLE.has(status) && !seen.get(`${m.toUpperCase()} ${p}`)?.has(status))
          missing.push(`${m.toUpperCase()} ${p} ${status}`);
    }
  assert.deepEqual(missing, []);
});
