// End-to-end login tests: the built app (dist/) against the local provider,
// driven in headless Chromium. Run from the repo root: node --test tests/e2e/
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { APP, ISSUER, ROOT, assertDistBuilt, startServers } from './servers.mjs';

const TEST_TIMEOUT = 60_000;
const RESULTS = join(ROOT, 'test-results');

let servers;
let browser;
let discovery;

before(async () => {
  assertDistBuilt();
  servers = await startServers();
  discovery = await (await fetch(`${ISSUER}/.well-known/openid-configuration`)).json();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  await servers?.stop();
});

// The browser's own favicon request may 404; that is not an app error.
const isFavicon404 = (msg) => /\/favicon\.ico$/.test(msg.location()?.url ?? '');

/**
 * Runs `fn(page, net)` in a fresh browser context. Fails on any console error
 * or uncaught page error, and saves a screenshot to test-results/ on failure.
 * `net` records token POSTs, authorization requests and callback navigations.
 */
async function withPage(t, fn, { ignoreConsole = () => false } = {}) {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !isFavicon404(msg) && !ignoreConsole(msg)) {
      errors.push(`console.error: ${msg.text()} (${msg.location()?.url ?? '?'})`);
    }
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));

  const net = { tokenPosts: [], authRequests: [], callbacks: [] };
  const authPath = new URL(discovery.authorization_endpoint);
  page.on('request', (req) => {
    const url = new URL(req.url());
    // Everything must stay on loopback (e.g. no web fonts from the provider pages).
    if (/^(https?|wss?):$/.test(url.protocol) && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
      errors.push(`request leaves loopback: ${req.url()}`);
    }
    if (req.method() === 'POST' && req.url() === discovery.token_endpoint) {
      net.tokenPosts.push({ body: req.postData() ?? '', headers: req.allHeaders().catch((e) => e) });
    }
    // Only the initial /auth request: the provider resumes at /auth/<uid> later.
    if (req.isNavigationRequest() && url.origin === authPath.origin && url.pathname === authPath.pathname) {
      net.authRequests.push(url);
    }
    if (req.isNavigationRequest() && url.origin === APP && url.pathname === '/callback') {
      net.callbacks.push(req.url());
    }
  });

  try {
    await fn(page, net);
    if (errors.length) throw new Error('the page logged errors or left loopback');
  } catch (err) {
    await mkdir(RESULTS, { recursive: true });
    const file = join(RESULTS, `${t.name.replace(/[^a-z0-9]+/gi, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    err.message += `\n  at ${page.url()}\n  screenshot: ${file}`;
    if (errors.length) err.message += `\n  page errors:\n    ${errors.join('\n    ')}`;
    throw err;
  } finally {
    await context.close();
  }
}

const status = (page, state) => page.locator(`#status[data-state="${state}"]`);

/** Signs in at the provider's dev pages; waits for the app unless told not to. */
async function login(page, username, { waitForApp = true } = {}) {
  await page.goto(`${APP}/`);
  await status(page, 'signed-out').waitFor();
  await page.getByRole('button', { name: 'Log in' }).click();

  // devInteractions login page: any username, any password.
  await page.waitForURL((u) => u.origin === ISSUER && u.pathname.startsWith('/interaction/'));
  await page.locator('input[name="login"]').fill(username);
  await page.locator('input[name="password"]').fill('any-password');
  await page.getByRole('button', { name: 'Sign-in' }).click();

  // devInteractions consent page.
  await page.locator('input[name="prompt"][value="consent"]').waitFor({ state: 'attached' });
  await page.getByRole('button', { name: 'Continue' }).click();

  if (!waitForApp) return;
  // Fail fast with the app's error code rather than timing out.
  await status(page, 'signed-in').or(status(page, 'error')).waitFor();
  if (await status(page, 'error').count()) {
    const code = await page.locator('#error').textContent().catch(() => '?');
    throw new Error(`app is in the error state after login: #error=${code?.trim()}\n  page text: ${
      (await page.locator('body').innerText()).replace(/\s+/g, ' ').slice(0, 500)}`);
  }
}

async function waitUntil(check, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

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
  // page.route() only sees the first request of a redirect chain, and the
  // callback is the last hop of: POST consent -> 303 /auth/<uid> -> 303 /callback.
  // So intercept the consent POST, follow its redirects outside the page
  // (route.fetch shares the context's cookies) to learn the callback URL,
  // and abort the navigation so the app never sees the real callback.
  let intercepted;
  const isConsentPost = (u) => u.origin === ISSUER && u.pathname.startsWith('/interaction/');
  const captureCallback = async (route) => {
    const form = new URLSearchParams(route.request().postData() ?? '');
    if (route.request().method() !== 'POST' || form.get('prompt') !== 'consent') return route.continue();
    const res = await route.fetch();
    intercepted = res.url();
    return route.abort();
  };
  await page.route(isConsentPost, captureCallback);
  await login(page, 'alice', { waitForApp: false });
  await waitUntil(() => intercepted, 'the callback URL');
  await page.unroute(isConsentPost, captureCallback);

  const url = new URL(intercepted);
  assert.equal(url.origin + url.pathname, `${APP}/callback`, 'consent redirected to the callback');
  assert.ok(url.searchParams.has('code'), `no code in ${url}`);
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
}));

test('logout returns to the signed-out state', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
  await login(page, 'alice');
  await page.getByRole('button', { name: 'Log out' }).click();

  // With RP-initiated logout the provider asks for confirmation first.
  const signedOut = status(page, 'signed-out');
  const confirm = page.getByRole('button', { name: 'Yes, sign me out' });
  await signedOut.or(confirm).waitFor();
  if (await confirm.isVisible()) {
    await confirm.click();
    await signedOut.waitFor();
  }
  assert.equal(new URL(page.url()).origin, APP);
}));
