// End-to-end test of the `saml` auth plugin: Chromium (Debian's, driven by
// playwright-core) opens a protected jmbd page, is sent to a live test IdP
// started here (express + auth0's `samlp`, a real SAML 2.0 IdP library, with
// its own throw-away signing certificate made by openssl), signs in there, is
// posted back to jmbd's ACS and lands on /meetings logged in.
//
//   cd tests/e2e && npm install && JMB_BUILDDIR=/path/to/build node --test saml.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { BUILD, CHROMIUM, HERE, JMBD, Jmbd, assertAccessible, freePort } from './harness.mjs';

const require = createRequire(import.meta.url);
const SHOTS = path.join(HERE, 'screenshots');
const IDP_ENTITY = 'https://idp.e2e.example.org/idp';
const SP_ENTITY = 'https://jmb.e2e.example.org/sp';
const OID = {
  uid: 'urn:oid:0.9.2342.19200300.100.1.1',
  mail: 'urn:oid:0.9.2342.19200300.100.1.3',
  name: 'urn:oid:2.16.840.1.113730.3.1.241',
};
const USERS = {
  alice: { uid: 'alice', mail: 'alice@example.org', name: 'Alice Durand' },
};

const missing = [JMBD, CHROMIUM, path.join(BUILD, 'plugins', 'modules', 'auth_saml.so')]
  .filter((f) => !fs.existsSync(f));
let samlp, express;
try {
  samlp = require('samlp');
  express = require('express');
} catch {
  missing.push('npm packages samlp and express (npm install)');
}

let jmbd, jmbdURL, idpServer, idpURL, browser, idpHits = 0;

function pemBody(pem) {
  return pem.split('\n').filter((l) => l && !l.includes('CERTIFICATE')).join('');
}

/** The test IdP: GET /sso shows a sign-in form that carries the AuthnRequest
 * along; POST /sso answers it with samlp (signed Response and Assertion,
 * auto-posted to the ACS by the page samlp renders). */
function startIdP(port, key, cert, acsURL) {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.get('/sso', (req, res) => {
    idpHits += 1;
    const field = (name) => String(req.query[name] || '').replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
    res.type('html').send(`<!doctype html><title>Test IdP</title><h1>Test IdP sign-in</h1>
<form method="post" action="/sso">
<input type="hidden" name="SAMLRequest" value="${field('SAMLRequest')}">
<input type="hidden" name="RelayState" value="${field('RelayState')}">
<label>User <input name="user" autocomplete="off"></label>
<button type="submit">Sign in</button></form>`);
  });
  app.post('/sso', (req, res, next) => {
    const user = USERS[req.body.user];
    if (!user) return res.status(401).send('unknown user');
    req.user = user;
    samlp.auth({
      issuer: IDP_ENTITY,
      cert,
      key,
      signResponse: true,
      destination: acsURL,
      recipient: acsURL,
      lifetimeInSeconds: 300,
      nameIdentifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      // Only our registered ACS: never the URL an AuthnRequest names.
      getPostURL: (audience, dom, request, callback) =>
        callback(null, audience === SP_ENTITY ? acsURL : null),
      profileMapper: (u) => ({
        getClaims: () => ({ [OID.uid]: u.uid, [OID.mail]: u.mail, [OID.name]: u.name }),
        getNameIdentifier: () => ({ nameIdentifier: u.uid }),
      }),
    })(req, res, next);
  });
  return new Promise((resolve) => {
    const server = app.listen(port, '127.0.0.1', () => resolve(server));
  });
}

before(async () => {
  if (missing.length > 0) return;
  jmbd = new Jmbd('jmb-e2e-saml-');
  const { workdir } = jmbd;
  fs.mkdirSync(SHOTS, { recursive: true });
  const keyFile = path.join(workdir, 'idp.key'), certFile = path.join(workdir, 'idp.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', '/CN=idp.e2e.example.org', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  const key = fs.readFileSync(keyFile, 'utf8'), cert = fs.readFileSync(certFile, 'utf8');
  const idpPort = await freePort();
  idpURL = `http://127.0.0.1:${idpPort}`;
  const metadata = path.join(workdir, 'idp-metadata.xml');
  fs.writeFileSync(metadata, `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${IDP_ENTITY}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${pemBody(cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${idpURL}/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`);
  await jmbd.configure({
    auth: { plugins: 'saml', plugin_dir: path.join(BUILD, 'plugins', 'modules') },
    'auth.saml': { sp_entity_id: SP_ENTITY, idp_metadata_file: metadata,
      request_secret: 'e2e-saml-request-secret-0123456789' },
  });
  jmbdURL = jmbd.url;
  idpServer = await startIdP(idpPort, key, cert, `${jmbdURL}/auth/saml/acs`);
  await jmbd.start();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  idpServer?.close();
  await jmbd?.stop();
  jmbd?.removeFolder();
});

test('Chromium logs in through the live test IdP and lands on /meetings', async (t) => {
  if (missing.length > 0) return t.skip(`missing: ${missing.join(', ')}`);
  const page = await (await browser.newContext()).newPage();
  try {
    await page.goto(`${jmbdURL}/meetings`);
    assert.ok(page.url().startsWith(`${idpURL}/sso?SAMLRequest=`), page.url());
    assert.equal(idpHits, 1);
    await page.getByLabel('User').fill('alice');
    await Promise.all([
      page.waitForURL(`${jmbdURL}/meetings`),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    await page.screenshot({ path: path.join(SHOTS, 'saml-01-logged-in.png'), fullPage: true });
    await assertAccessible(page, 'meetings after a SAML login', path.join(SHOTS, 'saml-01-logged-in-dark.png'));
    assert.match(await page.textContent('body'), /Alice Durand/);
    const log = jmbd.log();
    assert.match(log, /event=saml_login user=alice response_signed=yes assertion_signed=yes/);
    // The session is jmbd's own: the next page needs no IdP round trip.
    await page.goto(`${jmbdURL}/meetings/new`);
    assert.equal(page.url(), `${jmbdURL}/meetings/new`);
    assert.equal(idpHits, 1);
  } catch (e) {
    await page.screenshot({ path: path.join(SHOTS, 'saml-FAIL.png'), fullPage: true }).catch(() => {});
    t.diagnostic(jmbd.log().split('\n').slice(-15).join('\n'));
    throw e;
  }
});

test('a Response replayed by the browser is refused', async (t) => {
  if (missing.length > 0) return t.skip(`missing: ${missing.join(', ')}`);
  const context = await browser.newContext();
  const page = await context.newPage();
  // Capture the auto-posted SAMLResponse, let it through once, then post it again.
  let posted;
  await page.route(`${jmbdURL}/auth/saml/acs`, async (route) => {
    posted = route.request().postData();
    await route.continue();
  });
  await page.goto(`${jmbdURL}/meetings`);
  await page.getByLabel('User').fill('alice');
  await Promise.all([page.waitForURL(`${jmbdURL}/meetings`),
    page.getByRole('button', { name: 'Sign in' }).click()]);
  assert.ok(posted && posted.includes('SAMLResponse='));
  const again = await fetch(`${jmbdURL}/auth/saml/acs`, {
    method: 'POST', body: posted, redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(again.status, 403);
  assert.match(jmbd.log(), /event=saml_refused check=replay/);
  await context.close();
});
