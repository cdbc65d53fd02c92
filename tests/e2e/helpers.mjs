// Shared by the end-to-end test files: servers and browser per file, an
// instrumented page per test, the login steps, and storage checks.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { APP, ISSUER, ROOT, assertDistBuilt, cspReports, startServers } from './servers.mjs';

export { APP, ISSUER };
export const TEST_TIMEOUT = 60_000;
const RESULTS = join(ROOT, 'test-results');

/** The provider's discovery document; set once the servers run. */
export let discovery;
let servers;
let browser;

/**
 * Call once at the top of a test file (or of a describe() block): starts the
 * servers and Chromium before its tests, and stops them after. The file fails
 * if the static server received any CSP violation report, even one no test
 * noticed. `providerEnv`: extra environment for the provider, e.g.
 * `{ PIXIE_ACCESS_TOKEN_TTL: '8' }`.
 */
export function useServersAndBrowser({ providerEnv, dist, port = 8080 } = {}) {
  before(async () => {
    assertDistBuilt(dist);
    servers = await startServers({ providerEnv, dist: dist ?? assertDistBuilt(), port });
    // The issuer may have a path (providerEnv.ISSUER, a Keycloak-shaped realm).
    const issuer = (providerEnv?.ISSUER ?? ISSUER).replace(/\/$/, '');
    discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
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
    const reports = servers ? await cspReports(`http://127.0.0.1:${port}`) : [];
    await servers?.stop();
    assert.deepEqual(reports, [], 'CSP violation reports received during this file');
  });
}

// The browser's own favicon request may 404; that is not an app error.
const isFavicon404 = (msg) => /\/favicon\.ico$/.test(msg.location()?.url ?? '');

/**
 * Console errors a test expects, matched narrowly: each is a predicate on a
 * console message. Chromium logs every failed or non-2xx fetch by itself.
 */
export const expectedConsole = {
  /** `Failed to load resource: the server responded with a status of <status> (...)` for `url`. */
  httpStatus: (url, status) => (msg) => msg.location()?.url === url
    && msg.text().startsWith(`Failed to load resource: the server responded with a status of ${status} (`),
  /** `Failed to load resource: net::<error>` for `url`. */
  netError: (url, error) => (msg) => msg.location()?.url === url
    && msg.text() === `Failed to load resource: net::${error}`,
  /** Chromium's CORS refusal of a fetch to `url` from the app. */
  corsBlocked: (url) => (msg) => msg.text().startsWith(
    `Access to fetch at '${url}' from origin '${APP}' has been blocked by CORS policy: `,
  ),
};

/**
 * Instruments `page`: console errors, page errors, requests that leave
 * loopback and CSP reports go into `errors` (unless `allowConsole` matches);
 * the returned `net` records what the page did.
 */
function instrument(page, errors, allowConsole) {
  const net = {
    tokenPosts: [],      // { body, headers, at (Date.now() when sent) }
    tokenResponses: [],  // promises of the parsed JSON body (or the error)
    authRequests: [],    // URL of each navigation to the authorization endpoint
    callbacks: [],       // href of each navigation to the app's /callback
    jwksFetches: [],     // href of each request for the JWKS
    console: [],         // every console message: { type, text }
  };
  const authPath = new URL(discovery.authorization_endpoint);
  page.on('console', (msg) => {
    net.console.push({ type: msg.type(), text: msg.text() });
    if (msg.type() === 'error' && !isFavicon404(msg) && !allowConsole.some((allowed) => allowed(msg))) {
      errors.push(`console.error: ${msg.text()} (${msg.location()?.url ?? '?'})`);
    }
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('request', (req) => {
    const url = new URL(req.url());
    // Everything must stay on loopback (e.g. no web fonts from the provider pages).
    if (/^(https?|wss?):$/.test(url.protocol) && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
      errors.push(`request leaves loopback: ${req.url()}`);
    }
    if (req.method() === 'POST' && url.pathname === '/__csp-report') {
      errors.push(`CSP violation report: ${req.postData()}`);
    }
    if (req.method() === 'POST' && req.url() === discovery.token_endpoint) {
      net.tokenPosts.push({ body: req.postData() ?? '', headers: req.allHeaders().catch((e) => e), at: Date.now() });
    }
    // Any query (a cache-buster on a refetch) still counts.
    if (req.method() === 'GET' && url.origin + url.pathname === discovery.jwks_uri) net.jwksFetches.push(req.url());
    // Only the initial /auth request: the provider resumes at /auth/<uid> later.
    if (req.isNavigationRequest() && url.origin === authPath.origin && url.pathname === authPath.pathname) {
      net.authRequests.push(url);
    }
    if (req.isNavigationRequest() && url.origin === APP && url.pathname === '/callback') {
      net.callbacks.push(req.url());
    }
  });
  page.on('response', (res) => {
    if (res.request().method() === 'POST' && res.url() === discovery.token_endpoint) {
      net.tokenResponses.push(res.json().catch((e) => e));
    }
  });
  return net;
}

/**
 * Runs `fn(page, net, { newPage, netOf })` in a fresh browser context;
 * `newPage()` opens another instrumented tab in the same context
 * ({ page, net }). Tabs the page opens itself (window.open) are instrumented
 * too, from their first request: `netOf(popup)` is theirs. Fails on any
 * console error (except those `allowConsole` predicates match, see
 * `expectedConsole`), uncaught page error, CSP report or request leaving
 * loopback, and saves a screenshot to test-results/ on failure.
 */
export async function withPage(t, fn, { allowConsole = [] } = {}) {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  const errors = [];
  const nets = new Map();
  const netOf = (page) => {
    if (!nets.has(page)) nets.set(page, instrument(page, errors, allowConsole));
    return nets.get(page);
  };
  context.on('page', netOf);
  const newPage = async () => {
    const page = await context.newPage();
    return { page, net: netOf(page) };
  };
  const { page, net } = await newPage();

  try {
    await fn(page, net, { newPage, netOf });
    if (errors.length) throw new Error('the page logged errors, was refused by its CSP or left loopback');
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

export const status = (page, state) => page.locator(`#status[data-state="${state}"]`);

/** Opens the app and presses Log in; resolves at the provider's login page. */
export async function startLogin(page) {
  await page.goto(`${APP}/`);
  await status(page, 'signed-out').waitFor();
  await page.getByRole('button', { name: 'Log in' }).click();
  await atProviderLogin(page);
}

export const atProviderLogin = (page) => page.waitForURL((u) => u.origin === ISSUER && u.pathname.startsWith('/interaction/'));

/** Signs in and consents at the provider's dev pages (any password works). */
export async function signInAtProvider(page, username) {
  await page.locator('input[name="login"]').fill(username);
  await page.locator('input[name="password"]').fill('any-password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.locator('input[name="prompt"][value="consent"]').waitFor({ state: 'attached' });
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** Waits until the app is signed in or in error; returns { state, error, text }. */
export async function outcome(page) {
  await status(page, 'signed-in').or(status(page, 'error')).waitFor();
  const state = await page.locator('#status').getAttribute('data-state');
  const error = state === 'error' ? (await page.locator('#error').textContent().catch(() => '?'))?.trim() : null;
  const text = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
  return { state, error, text };
}

/** Fails fast with the app's error code rather than timing out. */
export async function expectSignedIn(page) {
  const result = await outcome(page);
  if (result.state !== 'signed-in') {
    throw new Error(`app is in the error state after login: #error=${result.error}\n  page text: ${result.text.slice(0, 500)}`);
  }
}

/** Signs in at the provider's dev pages; waits for the app unless told not to. */
export async function login(page, username, { waitForApp = true } = {}) {
  await startLogin(page);
  await signInAtProvider(page, username);
  if (waitForApp) await expectSignedIn(page);
}

export async function waitUntil(check, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Logs in but keeps the authorization response from the app: returns the
 * callback URL the provider redirected to, and leaves the page at the
 * provider. The login's pending record stays in the app's sessionStorage.
 */
export async function loginCapturingCallback(page, username) {
  // page.route() only sees the first request of a redirect chain, and the
  // callback is the last hop of: POST consent -> 303 /auth/<uid> -> 303 /callback.
  // So intercept the consent POST, follow its redirects outside the page
  // (route.fetch shares the context's cookies) to learn the callback URL,
  // and abort the navigation so the app never sees the real callback.
  let intercepted;
  const isConsentPost = (u) => u.origin === ISSUER && u.pathname.startsWith('/interaction/');
  const capture = async (route) => {
    const form = new URLSearchParams(route.request().postData() ?? '');
    if (route.request().method() !== 'POST' || form.get('prompt') !== 'consent') return route.continue();
    const res = await route.fetch();
    intercepted = res.url();
    return route.abort();
  };
  await page.route(isConsentPost, capture);
  await login(page, username, { waitForApp: false });
  await waitUntil(() => intercepted, 'the callback URL');
  await page.unroute(isConsentPost, capture);

  const url = new URL(intercepted);
  assert.equal(url.origin + url.pathname, `${APP}/callback`, 'consent redirected to the callback');
  assert.ok(url.searchParams.has('code'), `no code in ${url}`);
  return url;
}

/** What the app keeps on the client: web storage and script-visible cookies. */
export async function clientStorage(page) {
  const { local, session, documentCookie } = await page.evaluate(() => ({
    local: Object.fromEntries(Object.entries(localStorage)),
    session: Object.fromEntries(Object.entries(sessionStorage)),
    documentCookie: document.cookie,
  }));
  // Cookies ignore ports, so the provider's cookies (all HttpOnly) also apply
  // to the app's host. Anything the app itself set would be script-visible.
  const scriptCookies = (await page.context().cookies(APP)).filter((c) => !c.httpOnly).map((c) => c.name);
  return { local, session, documentCookie, scriptCookies };
}

/**
 * localStorage holds only Pixie's non-secret markers (README, "What is kept"):
 * the logout tombstone (a time) and sessions' generation markers.
 */
export function assertOnlyMarkersInLocalStorage(local) {
  for (const [key, value] of Object.entries(local)) {
    if (key === 'pixie.logged-out-at') {
      assert.match(value, /^\d+$/, `${key} is a time`);
    } else if (key.startsWith('pixie.generation.')) {
      assert.deepEqual(Object.keys(JSON.parse(value)).sort(), ['at_ms', 'ended', 'generation'], `${key}: ${value}`);
    } else {
      assert.fail(`undocumented localStorage key ${key}`);
    }
  }
}

/**
 * After a refused login: nothing but other logins' pending records (and the
 * provider cache) is kept,
 * and this login's (`state`) is gone too.
 */
export async function assertNoTokensKept(page, state) {
  const { local, session, documentCookie, scriptCookies } = await clientStorage(page);
  assertOnlyMarkersInLocalStorage(local);
  assert.equal(documentCookie, '', 'document.cookie on the app origin');
  assert.deepEqual(scriptCookies, [], 'script-visible cookies for the app origin');
  // pixie.provider holds config.json and the discovery document, pixie.trace
  // the walkthrough's masked trace: no secrets in either.
  const allowed = ['pixie.provider', 'pixie.trace'];
  const other = Object.keys(session).filter((k) => !k.startsWith('pixie.pending.') && !allowed.includes(k));
  assert.deepEqual(other, [], 'sessionStorage keys other than pending logins, the provider cache and the trace');
  assert.ok(!(`pixie.pending.${state}` in session), `the pending record of this login (state ${state}) is left`);
}

/**
 * Serves the app's config.json with `fields` added (or replaced) to every tab
 * of `context` (a BrowserContext, so tabs opened later get it too), e.g.
 * `{ token_storage: 'session' }`. The rest is the built bundle's own.
 */
export async function overrideConfig(context, fields) {
  await context.route((url) => url.origin === APP && url.pathname === '/config.json', async (route) => {
    const response = await route.fetch();
    const config = { ...(await response.json()), ...fields };
    await route.fulfill({ response, json: config });
  });
}
