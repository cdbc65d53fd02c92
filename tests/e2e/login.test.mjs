// End-to-end login tests: the built app (dist/) against the local provider,
// driven in headless Chromium. Run from the repo root: node --test tests/e2e/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';

import {
  APP, ISSUER, TEST_TIMEOUT, waitUntil, assertNoTokensKept, assertOnlyMarkersInLocalStorage, atProviderLogin, clientStorage, expectSignedIn, expectedConsole, login,
  loginCapturingCallback, overrideConfig, signInAtProvider, startLogin, status, useServersAndBrowser, withPage,
} from './helpers.mjs';

useServersAndBrowser();

// Whether the build is cut into parts (make build and make build-lean are; E2E_SPLIT=0 says it is not).
const E2E_SPLIT = process.env.E2E_SPLIT !== '0';

// sessionStorage keys the app may keep once signed in (all `pixie.`-prefixed
// and documented in README.md). Tokens live in memory only (the default
// token_storage); `pixie.resume` ("1") only lets a reload resume the session.
const DOCUMENTED_SIGNED_IN_KEYS = ['pixie.provider', 'pixie.resume', 'pixie.trace'];

const base64url = (buf) => Buffer.from(buf).toString('base64url');

test('full login with PKCE as a public client', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
  await login(page, 'alice');

  // Exactly one token request: a public client's code exchange, no secret.
  assert.equal(net.tokenPosts.length, 1, 'token endpoint POSTs');
  const [post] = net.tokenPosts;
  const form = new URLSearchParams(post.body);
  assert.deepEqual(
    [...form.keys()].sort(),
    ['client_id', 'code', 'code_verifier', 'grant_type', 'redirect_uri'],
  );
  assert.equal(form.get('grant_type'), 'authorization_code');
  assert.equal(form.get('client_id'), 'pixie-demo');
  assert.equal(form.get('redirect_uri'), `${APP}/callback`);
  const verifier = form.get('code_verifier');
  assert.match(verifier, /^[A-Za-z0-9_-]{43}$/);
  const headers = await post.headers;
  assert.ok(!(headers instanceof Error), `token request headers: ${headers}`);
  assert.equal(headers.authorization, undefined, 'token request must carry no Authorization header');

  // The authorization request carried the S256 challenge of that verifier.
  assert.equal(net.authRequests.length, 1, 'authorization requests');
  const auth = net.authRequests[0].searchParams;
  assert.equal(auth.get('response_type'), 'code');
  assert.equal(auth.get('code_challenge_method'), 'S256');
  assert.equal(auth.get('code_challenge'), base64url(createHash('sha256').update(verifier).digest()));

  // The pending login record is gone and the URL no longer carries the response.
  const keys = await page.evaluate(() => Object.keys(sessionStorage));
  assert.deepEqual(keys.filter((k) => k.startsWith('pixie.pending.')), []);
  const url = new URL(page.url());
  for (const p of ['code', 'state', 'iss']) assert.ok(!url.searchParams.has(p), `${p} still in ${url}`);

  assert.equal((await page.locator('#sub').textContent()).trim(), 'alice');
  const userinfo = page.locator('#userinfo[data-state="loaded"]');
  await userinfo.waitFor();
  assert.equal(JSON.parse(await userinfo.textContent()).sub, 'alice');

  const marks = await page.evaluate(() => ['app:signed-in', 'app:userinfo']
    .map((name) => performance.getEntriesByName(name).length));
  assert.ok(marks[0] >= 1, 'performance mark app:signed-in');
  assert.ok(marks[1] >= 1, 'performance mark app:userinfo');

  // Tokens live in memory only: nothing in web storage or cookies.
  const stored = await clientStorage(page);
  assertOnlyMarkersInLocalStorage(stored.local);
  assert.equal(stored.documentCookie, '', 'document.cookie on the app origin');
  assert.deepEqual(stored.scriptCookies, [], 'script-visible cookies for the app origin');
  assert.deepEqual(
    Object.keys(stored.session).filter((k) => !DOCUMENTED_SIGNED_IN_KEYS.includes(k)),
    [],
    'undocumented sessionStorage keys after sign-in',
  );

  // No secret, nor the payload or signature of a JWT, in any console message.
  assert.equal(net.tokenResponses.length, 1, 'token responses');
  const tokens = await net.tokenResponses[0];
  assert.ok(!(tokens instanceof Error), `token response body: ${tokens}`);
  const secrets = {
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    id_token: tokens.id_token,
    code: new URL(net.callbacks[0]).searchParams.get('code'),
    code_verifier: verifier,
  };
  for (const [name, value] of Object.entries(secrets)) {
    assert.ok(typeof value === 'string' && value.length >= 16, `${name} was issued: ${value}`);
    const parts = value.split('.');
    const needles = parts.length === 3 ? [value, parts[1], parts[2]] : [value];
    for (const msg of net.console) {
      assert.ok(!needles.some((n) => msg.text.includes(n)), `console.${msg.type} shows the ${name}: ${msg.text}`);
    }
  }
}));

// make test-e2e-lean runs this file on the build without the walkthrough
// (E2E_WALKTHROUGH=absent): the login is the same, the walkthrough and its
// stored trace are gone.
test('the walkthrough is there exactly when the build has it', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
  const built = process.env.E2E_WALKTHROUGH !== 'absent';
  await login(page, 'alice');
  await page.locator('#userinfo[data-state="loaded"]').waitFor();
  assert.equal(await page.locator('#walkthrough').count(), built ? 1 : 0, '#walkthrough');
  if (built) await page.locator('g.flow-step[data-step]').first().waitFor();
  const stored = await clientStorage(page);
  assert.equal('pixie.trace' in stored.session, built, 'pixie.trace in sessionStorage');
}));

test('replaying the callback URL is rejected without a token request', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
  await login(page, 'alice');
  assert.equal(net.callbacks.length, 1, 'callback navigations');
  const callback = new URL(net.callbacks[0]);
  for (const p of ['code', 'state', 'iss']) assert.ok(callback.searchParams.has(p), `callback lacks ${p}`);

  await page.goto(callback.href);
  await status(page, 'error').waitFor();
  assert.equal((await page.locator('#error').textContent()).trim(), 'unknown_state');
  assert.match(await page.locator('body').innerText(), /already used or has expired/);
  assert.equal(net.tokenPosts.length, 1, 'token endpoint POSTs over the whole test');
}));

test('a callback with a tampered state is rejected without a token request', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
  const url = await loginCapturingCallback(page, 'alice');
  const state = url.searchParams.get('state');
  let forged;
  do {
    forged = randomBytes(48).toString('base64url').slice(0, Math.max(state.length, 16));
  } while (forged === state);
  url.searchParams.set('state', forged);

  await page.goto(url.href);
  await status(page, 'error').waitFor();
  assert.equal((await page.locator('#error').textContent()).trim(), 'unknown_state');
  assert.equal(net.tokenPosts.length, 0, 'token endpoint POSTs');
  assert.equal(await page.locator('#sub').count(), 0, '#sub is shown');
  // The genuine login's record may stay (until it expires); no other key may.
  await assertNoTokensKept(page, forged);
}));

test('two tabs log in at the same time, each with its own pending login', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (first, firstNet, { newPage }) => {
  const { page: second, net: secondNet } = await newPage();
  // Both logins are pending at once, then complete in the opposite order.
  await startLogin(first);
  await startLogin(second);
  await signInAtProvider(second, 'bob');
  await expectSignedIn(second);
  await signInAtProvider(first, 'alice');
  await expectSignedIn(first);

  for (const [page, net, user] of [[first, firstNet, 'alice'], [second, secondNet, 'bob']]) {
    assert.equal((await page.locator('#sub').textContent()).trim(), user, `#sub in ${user}'s tab`);
    assert.equal(net.authRequests.length, 1, `authorization requests in ${user}'s tab`);
    assert.equal(net.tokenPosts.length, 1, `token endpoint POSTs in ${user}'s tab`);
    const keys = await page.evaluate(() => Object.keys(sessionStorage));
    assert.deepEqual(keys.filter((k) => k.startsWith('pixie.pending.')), [], `pending records left in ${user}'s tab`);
  }
  assert.notEqual(
    firstNet.authRequests[0].searchParams.get('state'),
    secondNet.authRequests[0].searchParams.get('state'),
    'the two logins share a state',
  );
}));

test('the start page marks app:ready once Log in works', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
  await page.goto(`${APP}/`);
  await page.waitForFunction(() => performance.getEntriesByName('app:ready').length > 0);
  // Once marked, the page is drawn and the button enabled (the provider has loaded).
  assert.equal(await status(page, 'signed-out').count(), 1, 'signed-out status at app:ready');
  assert.equal(await page.getByRole('button', { name: 'Log in' }).isEnabled(), true, 'Log in enabled at app:ready');
  assert.ok(
    await page.evaluate(() => performance.getEntriesByName('app:ready')[0].startTime
      >= performance.getEntriesByName('app:start')[0].startTime),
    'app:ready after app:start',
  );
}));

test('Log in works once config.json is read; a click before discovery waits for it', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
  // Discovery is held back until the test lets it go.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let discoveryAnswered = false;
  await page.route(`${ISSUER}/.well-known/openid-configuration`, async (route) => {
    await held;
    await route.continue();
    discoveryAnswered = true;
  });
  await page.goto(`${APP}/`);
  await page.waitForFunction(() => performance.getEntriesByName('app:ready').length > 0);
  assert.equal(discoveryAnswered, false, 'app:ready came before discovery');
  const button = page.getByRole('button', { name: 'Log in' });
  assert.equal(await button.isEnabled(), true, 'Log in enabled before discovery');
  await button.click();
  await status(page, 'redirecting').waitFor();
  await page.waitForTimeout(200);
  assert.equal(net.authRequests.length, 0, 'no navigation before discovery');
  release();
  await atProviderLogin(page);
  assert.equal(net.authRequests.length, 1, 'one navigation to the authorization endpoint');
  await signInAtProvider(page, 'alice');
  await expectSignedIn(page);
  assert.equal(net.tokenPosts.length, 1, 'token endpoint POSTs');
}));

test('a first visit loads the main module first; the parts come once Log in works', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
  const wasm = [];
  page.on('request', (req) => { if (req.url().endsWith('.wasm')) wasm.push(req.url()); });
  await page.goto(`${APP}/`);
  await page.waitForFunction(() => performance.getEntriesByName('app:ready').length > 0);
  const parts = () => wasm.filter((url) => !url.endsWith('_bg.wasm'));
  if (!E2E_SPLIT) {
    await page.waitForTimeout(500);
    assert.deepEqual(parts(), [], 'a build without split points has one module');
    return;
  }
  // Prefetched, so the callback finds it in the cache.
  await waitUntil(() => parts().some((url) => /-pixie-signed-in-[0-9a-f]{16}\.wasm$/.test(url)), 'the signed-in part is prefetched');
  // The login path (the module, config.json, discovery) never shares the network with a part.
  await page.waitForFunction((urls) => urls.every((url) => performance.getEntriesByName(url).length > 0), parts());
  const order = await page.evaluate((urls) => {
    const discovery = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/.well-known/openid-configuration'));
    return urls.map((url) => ({ url, after: performance.getEntriesByName(url)[0].startTime >= discovery.responseEnd }));
  }, parts());
  for (const { url, after } of order) assert.equal(after, true, `${url} was requested before discovery had arrived`);
}));

test('a double click on Log in starts one login and one token request', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
  await page.goto(`${APP}/`);
  await status(page, 'signed-out').waitFor();
  await page.getByRole('button', { name: 'Log in' }).dblclick();
  await atProviderLogin(page);
  // Give a second navigation, if any, the time to start.
  await page.waitForTimeout(500);
  assert.equal(net.authRequests.length, 1, 'navigations to the authorization endpoint');

  await signInAtProvider(page, 'alice');
  await expectSignedIn(page);
  assert.equal(net.tokenPosts.length, 1, 'token endpoint POSTs');
  const keys = await page.evaluate(() => Object.keys(sessionStorage));
  assert.deepEqual(keys.filter((k) => k.startsWith('pixie.pending.')), [], 'pending records left (a second login?)');
}));

test('logout returns to the signed-out state', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
  await login(page, 'alice');
  await page.getByRole('button', { name: 'Log out' }).click();

  // RP-initiated logout: the provider asks for confirmation first, then
  // returns to the app (tests/e2e/session.test.mjs checks the parameters).
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await status(page, 'signed-out').waitFor();
  await page.locator('#notice[data-kind="signed-out-at-provider"]').waitFor();
  assert.equal(new URL(page.url()).origin, APP);
  await assertNoTokensKept(page, 'none');
}));

test('an invalid config.json gives an error that names the bad field', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
  // Plain http off loopback: an issuer a public client must not send codes to.
  await overrideConfig(page.context(), { issuer: 'http://id.example' });
  await page.goto(`${APP}/`);
  await status(page, 'error').waitFor();
  assert.equal(await page.locator('#error').textContent(), 'config_invalid');
  assert.match(await page.locator('#error-message').textContent(), /config\.json field `issuer`: must be an https:\/\/ URL/);
  assert.equal(await page.getByRole('button', { name: 'Log in' }).count(), 0, 'no Log in button on a broken config');
}));

test('a missing config.json gives an error with the HTTP status', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
  await page.route(`${APP}/config.json`, (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(`${APP}/`);
  await status(page, 'error').waitFor();
  assert.equal(await page.locator('#error').textContent(), 'config_unavailable');
  assert.match(await page.locator('#error-message').textContent(), /HTTP 404/);
}, { allowConsole: [expectedConsole.httpStatus(`${APP}/config.json`, 404)] }));
