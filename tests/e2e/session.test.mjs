// End-to-end tests of the whole session (issue 4): refresh with rotation,
// tabs sharing a session, logout everywhere, resume after reload, revocation
// and RP-initiated logout, and the protected API. The provider's test hooks
// (counters, expiring access tokens, faults) are in dev/provider/faults.mjs.
// Run from the repo root: node --test tests/e2e/session.test.mjs
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { clearFaults, expireAccessTokens, resetTestEvents, setFault, testEvents } from './servers.mjs';
import {
  APP, ISSUER, TEST_TIMEOUT, assertNoTokensKept, clientStorage, discovery, expectSignedIn, expectedConsole, login,
  overrideConfig, status, useServersAndBrowser, waitUntil, withPage,
} from './helpers.mjs';

const API = `${ISSUER}/api/me`;
const CLIENT_ID = 'pixie-demo';

// ---------------------------------------------------------------- helpers

const button = (page, name) => page.getByRole('button', { name, exact: true });
const refreshCount = async (page) => Number((await page.locator('#refresh-count').textContent()).trim());
/** Without waiting: { status, refresh, count, notice } of the page now (null where absent). */
const snapshot = (page) => page.evaluate(() => ({
  status: document.querySelector('#status')?.dataset.state ?? null,
  refresh: document.querySelector('#refresh-status')?.dataset.state ?? null,
  count: document.querySelector('#refresh-count') ? Number(document.querySelector('#refresh-count').textContent.trim()) : null,
  notice: document.querySelector('#notice')?.dataset.kind ?? null,
}));
const refreshState = async (page) => (await snapshot(page)).refresh;
const notice = (page, kind) => page.locator(`#notice[data-kind="${kind}"]`);
const marks = (page, name) => page.evaluate((n) => performance.getEntriesByName(n).length, name);

/** Polls an async `check` until it returns a truthy value (which it returns). */
async function eventually(check, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The form of token-endpoint POST `i`, checked to be a refresh grant with exactly its three fields. */
function refreshForm(net, i) {
  const post = net.tokenPosts[i];
  assert.ok(post, `token POST #${i} was not sent (${net.tokenPosts.length} in all)`);
  const form = new URLSearchParams(post.body);
  assert.deepEqual([...form.keys()].sort(), ['client_id', 'grant_type', 'refresh_token'], `fields of token POST #${i}: ${post.body.replace(/refresh_token=[^&]*/, 'refresh_token=…')}`);
  assert.equal(form.get('grant_type'), 'refresh_token', `grant_type of token POST #${i}`);
  assert.equal(form.get('client_id'), CLIENT_ID, `client_id of token POST #${i}`);
  return form;
}

/** The parsed body of token response `i` (fails if it was not JSON). */
async function tokenResponse(net, i) {
  await waitUntil(() => net.tokenResponses.length > i, `token response #${i}`);
  const body = await net.tokenResponses[i];
  assert.ok(!(body instanceof Error), `token response #${i} body: ${body}`);
  return body;
}

/** The latest tokens the page received from the token endpoint. */
const latestTokens = (net) => tokenResponse(net, net.tokenResponses.length - 1);

/**
 * Opens the app in a new tab from `page` with window.open (so the new tab
 * starts with a copy of its sessionStorage, as a browser does); returns the tab.
 */
async function openTabFrom(page) {
  const popup = page.waitForEvent('popup');
  await page.evaluate(() => { window.open('/', '_blank'); });
  return popup;
}

/** Clicks the named button in every page at the same instant (one shared clock). */
async function clickTogether(pages, name) {
  const at = (await pages[0].evaluate(() => Date.now())) + 400;
  const armed = await Promise.all(pages.map((p) => p.evaluate(([label, when]) => {
    const target = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === label);
    if (!target) return `no button "${label}"`;
    setTimeout(() => target.click(), Math.max(0, when - Date.now()));
    return Date.now() < when ? 'armed' : 'late';
  }, [name, at])));
  assert.deepEqual(armed, pages.map(() => 'armed'), 'both clicks were scheduled in time');
  await new Promise((r) => setTimeout(r, 450));
}

/** Records the app's calls to the protected API: { auth, status } per GET, in order. */
function recordApiCalls(page) {
  const calls = [];
  page.on('request', (req) => {
    if (req.method() === 'GET' && req.url() === API) {
      const call = { auth: req.headers().authorization, status: null, failed: null };
      calls.push(call);
      req.response().then((res) => { call.status = res?.status() ?? null; }, () => {});
    }
  });
  page.on('requestfailed', (req) => {
    const call = calls.findLast((c) => c.status === null && req.url() === API);
    if (call) call.failed = req.failure()?.errorText ?? 'failed';
  });
  return calls;
}

/**
 * Clicks Call API and waits for a new answer: { state, status, text, body },
 * `body` being the text parsed as JSON (the contract: the text is the
 * response body, pretty-printed), or null if it is not JSON.
 */
async function callApi(page, calls, expectedGets) {
  const before = calls.length;
  await button(page, 'Call API').click();
  await waitUntil(
    () => calls.length >= before + expectedGets && calls.slice(before).every((c) => c.status !== null || c.failed),
    `${expectedGets} API GET(s) with answers (seen ${calls.length - before})`,
  );
  const response = page.locator('#api-response[data-state="loaded"], #api-response[data-state="error"]');
  await response.waitFor();
  const text = (await response.textContent()).trim();
  let body = null;
  try { body = JSON.parse(text); } catch { /* not the bare JSON body */ }
  return {
    state: await response.getAttribute('data-state'),
    status: Number(await response.getAttribute('data-status')),
    text,
    body,
  };
}

// ------------------------------------------------- short-lived access tokens

describe('with 8-second access tokens', () => {
  useServersAndBrowser({ providerEnv: { PIXIE_ACCESS_TOKEN_TTL: '8' } });
  beforeEach(resetTestEvents);

  test('tokens are refreshed before they expire, with rotation, and no click', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    await login(page, 'alice');
    const first = await tokenResponse(net, 0);
    assert.equal(first.expires_in, 8, 'the provider issued 8-second access tokens');

    // Two refreshes on their own: at 2/3 of 8 s (the 60 s margin is longer than the life).
    await waitUntil(() => net.tokenPosts.length >= 3, 'two automatic refreshes', 25_000);
    const [second, third] = [await tokenResponse(net, 1), await tokenResponse(net, 2)];

    // Each refresh sends exactly grant_type, refresh_token, client_id, and the
    // refresh token the previous response returned (rotation).
    assert.equal(refreshForm(net, 1).get('refresh_token'), first.refresh_token, 'the 1st refresh uses the login\'s refresh token');
    assert.equal(refreshForm(net, 2).get('refresh_token'), second.refresh_token, 'the 2nd refresh uses the refresh token the 1st returned');
    assert.notEqual(second.refresh_token, first.refresh_token, 'the provider rotated the refresh token');
    assert.notEqual(third.refresh_token, second.refresh_token, 'the provider rotated the refresh token again');
    for (const i of [1, 2]) {
      const headers = await net.tokenPosts[i].headers;
      assert.ok(!(headers instanceof Error), `refresh #${i} headers: ${headers}`);
      assert.equal(headers.authorization, undefined, `refresh #${i} carries an Authorization header`);
    }

    // Before expiry, but not before 2/3 of the token's life (5.33 s after it arrived).
    for (const i of [1, 2]) {
      const gap = net.tokenPosts[i].at - net.tokenPosts[i - 1].at;
      assert.ok(gap >= 5_000 && gap < 8_000, `refresh #${i} came ${gap} ms after the previous token request (expected 5.3–8 s)`);
    }

    // Still signed in, and the UI counted them.
    await status(page, 'signed-in').waitFor();
    assert.equal((await page.locator('#sub').textContent()).trim(), 'alice');
    await eventually(async () => (await refreshState(page)) === 'idle', '#refresh-status idle');
    const posts = net.tokenPosts.length;
    assert.equal(await refreshCount(page), posts - 1, '#refresh-count (every refresh POST so far succeeded)');
    assert.ok((await marks(page, 'app:refreshed')) >= 2, 'performance mark app:refreshed after each refresh');

    const events = await testEvents();
    assert.equal(events.refreshTokenReuse, 0, 'refresh-token reuse seen by the provider');
    assert.ok(events.refreshes >= 2, `provider refreshes: ${events.refreshes}`);
  }));
});

// ---------------------------------------------------- default token lifetimes

describe('with default token lifetimes', () => {
  useServersAndBrowser();
  beforeEach(async () => {
    await clearFaults();
    await resetTestEvents();
  });
  afterEach(clearFaults);

  test('two tabs sharing a session refresh at the same moment and both stay signed in', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (a, netA, { netOf }) => {
    await overrideConfig(a.context(), { token_storage: 'session' });
    await login(a, 'alice');
    assert.ok('pixie.session' in (await clientStorage(a)).session, 'token_storage=session keeps pixie.session');

    const b = await openTabFrom(a);
    const netB = netOf(b);
    await expectSignedIn(b);
    assert.equal((await b.locator('#sub').textContent()).trim(), 'alice', '#sub in tab B');
    assert.equal(netB.authRequests.length + netB.tokenPosts.length, 0, 'tab B started from the shared session, without a login or token request');
    assert.equal(await refreshCount(a), 0, '#refresh-count in tab A before the clicks');
    assert.equal(await refreshCount(b), 0, '#refresh-count in tab B before the clicks');
    const visibility = await Promise.all([a, b].map((p) => p.evaluate(() => document.visibilityState)));
    await resetTestEvents();

    await clickTogether([a, b], 'Refresh tokens');
    const [countA, countB] = await eventually(async () => {
      const now = await Promise.all([a, b].map(snapshot));
      if (now.some((s) => s.status !== 'signed-in')) {
        throw new Error(`a tab left the session after the simultaneous refresh: tab A ${JSON.stringify(now[0])}, tab B ${JSON.stringify(now[1])}; provider ${JSON.stringify(await testEvents())}`);
      }
      if (now.some((s) => s.refresh !== 'idle')) return null;
      return now[0].count >= 1 && now[0].count === now[1].count ? [now[0].count, now[1].count] : null;
    }, 'both tabs idle with the same refresh count ≥ 1');

    const events = await testEvents();
    const refreshPosts = [...netA.tokenPosts.slice(1), ...netB.tokenPosts];
    const detail = `events ${JSON.stringify(events)}, refresh POSTs: tab A ${netA.tokenPosts.length - 1}, tab B ${netB.tokenPosts.length}, visibility ${visibility}`;
    t.diagnostic(detail);
    assert.equal(events.refreshTokenReuse, 0, `the provider saw a refresh token reused; ${detail}`);
    assert.equal(events.refreshErrors, 0, `refused refreshes; ${detail}`);
    // One tab refreshes under the lock; the other adopts its tokens (so 1).
    assert.equal(events.refreshes, 1, `refreshes at the provider (one tab should adopt the other's tokens); ${detail}`);
    assert.equal(refreshPosts.length, events.refreshes, `refresh POSTs sent by the tabs; ${detail}`);
    assert.equal(countA, events.refreshes, `#refresh-count in tab A; ${detail}`);
    assert.equal(countB, events.refreshes, `#refresh-count in tab B; ${detail}`);
    for (const [page, tab] of [[a, 'A'], [b, 'B']]) {
      await status(page, 'signed-in').waitFor();
      assert.ok((await marks(page, 'app:refreshed')) >= 1, `performance mark app:refreshed in tab ${tab}`);
    }

    // The session is alive in both tabs: tab B holds the newest refresh token.
    await button(b, 'Refresh tokens').click();
    await eventually(async () => (await refreshCount(b)) === countB + 1 && (await refreshCount(a)) === countA + 1, 'the next refresh, from tab B, counted in both tabs');
    const lastPost = netB.tokenPosts.at(-1) ?? netA.tokenPosts.at(-1);
    const issued = [...netA.tokenResponses, ...netB.tokenResponses];
    const bodies = await Promise.all(issued);
    const newest = bodies.filter((body) => !(body instanceof Error)).map((body) => body.refresh_token);
    assert.ok(newest.includes(new URLSearchParams(lastPost.body).get('refresh_token')), 'the last refresh used a refresh token the provider issued');
    const after = await testEvents();
    assert.equal(after.refreshTokenReuse, 0, `refresh-token reuse after the next refresh; ${JSON.stringify(after)}`);
    assert.equal(after.refreshes, events.refreshes + 1, `refreshes after the next refresh; ${JSON.stringify(after)}`);
    await Promise.all([a, b].map((page) => status(page, 'signed-in').waitFor()));
  }));

  test('logout in one tab signs out the other tabs within a second', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (a, netA, { newPage }) => {
    await overrideConfig(a.context(), { token_storage: 'session' });
    await login(a, 'alice');
    // Tab B shares tab A's session; tab C signed in on its own (the
    // provider's session cookie answers at once, with no login form).
    const b = await openTabFrom(a);
    await expectSignedIn(b);
    const { page: c } = await newPage();
    await c.goto(`${APP}/`);
    await status(c, 'signed-out').waitFor();
    await button(c, 'Log in').click();
    await expectSignedIn(c);

    const started = Date.now();
    await button(a, 'Log out').click();
    const elsewhere = await Promise.all([b, c].map(async (page) => {
      await notice(page, 'signed-out-elsewhere').waitFor({ timeout: 5_000 });
      return Date.now() - started;
    }));
    for (const [page, tab, ms] of [[b, 'B', elsewhere[0]], [c, 'C', elsewhere[1]]]) {
      assert.ok(ms <= 1_000, `tab ${tab} showed signed-out-elsewhere after ${ms} ms`);
      await status(page, 'signed-out').waitFor({ timeout: 1_000 });
      assert.equal(await page.locator('#sub').count(), 0, `#sub still shown in tab ${tab}`);
      const { session } = await clientStorage(page);
      for (const key of ['pixie.session', 'pixie.resume']) assert.ok(!(key in session), `${key} left in tab ${tab}`);
    }
    // Tab A is on its way through the provider's logout.
    await button(a, 'Yes, sign me out').waitFor();
    assert.equal((await testEvents()).revocations, 1, 'revocation requests');
  }));

  test('a reload while signed in resumes the session with no login form', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    await login(page, 'alice');
    const hint = JSON.parse((await clientStorage(page)).session['pixie.resume']);
    assert.deepEqual(Object.keys(hint).sort(), ['signed_in_at_ms', 'sub'], 'sessionStorage pixie.resume');
    assert.equal(hint.sub, 'alice', 'the resume is for the user signed in');
    assert.equal(await page.locator('#resume-status').getAttribute('data-state'), 'on', '#resume-status');

    const interactions = [];
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (req.isNavigationRequest() && url.origin === ISSUER && url.pathname.startsWith('/interaction/')) interactions.push(req.url());
    });
    const [authBefore, postsBefore] = [net.authRequests.length, net.tokenPosts.length];

    await page.reload({ waitUntil: 'commit' });
    await status(page, 'signed-in').or(status(page, 'error')).or(page.locator('#notice')).waitFor();
    await expectSignedIn(page);

    assert.deepEqual(interactions, [], 'navigations to the provider\'s login/consent pages after the reload');
    assert.equal(net.authRequests.length, authBefore + 1, 'authorization requests after the reload');
    const auth = net.authRequests.at(-1).searchParams;
    assert.equal(auth.get('prompt'), 'none', 'the resume is a prompt=none request');
    assert.equal(auth.get('code_challenge_method'), 'S256');
    assert.equal(net.tokenPosts.length, postsBefore + 1, 'token POSTs after the reload (one code exchange)');
    assert.equal(new URLSearchParams(net.tokenPosts.at(-1).body).get('grant_type'), 'authorization_code');
    assert.equal((await page.locator('#sub').textContent()).trim(), 'alice');
    assert.equal(await page.locator('#notice').count(), 0, 'a notice is shown after a successful resume');
    assert.equal(await page.locator('#resume-status').getAttribute('data-state'), 'on', '#resume-status after the resume');
    const url = new URL(page.url());
    for (const p of ['code', 'state', 'iss']) assert.ok(!url.searchParams.has(p), `${p} still in ${url}`);
  }));

  test('invalid_grant on refresh ends the session with a clear message', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    await login(page, 'alice');
    await setFault('refresh_invalid_grant');
    await button(page, 'Refresh tokens').click();

    await notice(page, 'session-ended').waitFor();
    await status(page, 'signed-out').waitFor();
    assert.equal(await page.locator('#sub').count(), 0, '#sub is shown');
    assert.equal(net.tokenPosts.length, 2, 'token POSTs (the login, then one refresh)');
    refreshForm(net, 1);
    // Not retried: invalid_grant is final.
    await page.waitForTimeout(1_500);
    assert.equal(net.tokenPosts.length, 2, 'token POSTs 1.5 s later (invalid_grant must not be retried)');
    // Nothing left: no tokens, no resume marker.
    await assertNoTokensKept(page, 'none');
    assert.ok(!('pixie.resume' in (await clientStorage(page)).session), 'pixie.resume left');
  }, { allowConsole: [expectedConsole.httpStatus(`${ISSUER}/token`, 400)] }));

  test('logout revokes the refresh token and ends the session at the provider, with exact parameters', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    await login(page, 'alice');
    const tokens = await latestTokens(net);

    const sequence = [];
    const revocations = [];
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (req.method() === 'POST' && req.url() === discovery.revocation_endpoint) {
        const entry = { body: req.postData() ?? '', headers: req.allHeaders(), status: req.response().then((r) => r?.status()) };
        revocations.push(entry);
        sequence.push('revocation');
      } else if (req.isNavigationRequest() && url.origin + url.pathname === discovery.end_session_endpoint) {
        sequence.push({ endSession: req.url() });
      } else if (req.isNavigationRequest() && url.origin === APP) {
        sequence.push({ app: req.url() });
      }
    });

    await button(page, 'Log out').click();
    await button(page, 'Yes, sign me out').waitFor();

    // RFC 7009 revocation of the refresh token, then the end-session request.
    assert.equal(revocations.length, 1, 'revocation requests');
    const form = new URLSearchParams(revocations[0].body);
    assert.deepEqual([...form.keys()].sort(), ['client_id', 'token', 'token_type_hint'], 'revocation fields');
    assert.equal(form.get('token'), tokens.refresh_token, 'the revoked token is the current refresh token');
    assert.equal(form.get('token_type_hint'), 'refresh_token');
    assert.equal(form.get('client_id'), CLIENT_ID);
    assert.equal((await revocations[0].headers).authorization, undefined, 'revocation carries an Authorization header');
    assert.equal(await revocations[0].status, 200, 'revocation response status');

    const endSessions = sequence.filter((s) => s.endSession);
    assert.equal(endSessions.length, 1, `end-session navigations: ${JSON.stringify(sequence)}`);
    assert.equal(sequence[0], 'revocation', `revocation first, then end session: ${JSON.stringify(sequence)}`);
    const endSession = new URL(endSessions[0].endSession);
    assert.deepEqual(
      [...endSession.searchParams.keys()].sort(),
      ['client_id', 'post_logout_redirect_uri', 'state'],
      'end-session parameters',
    );
    // Review #10: the ID token never goes in a URL (history, access logs).
    assert.ok(!endSession.href.includes(tokens.id_token.split('.')[1]), 'the ID token is in the end-session URL');
    assert.equal(endSession.searchParams.get('client_id'), CLIENT_ID);
    assert.ok(endSession.search.includes('post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2F'), `post_logout_redirect_uri, encoded: ${endSession.search}`);
    const state = endSession.searchParams.get('state');
    assert.match(state, /^[A-Za-z0-9_-]{43}$/, 'state (32 random bytes, base64url)');

    // The provider's confirmation page, then back to the app with our state.
    await button(page, 'Yes, sign me out').click();
    await notice(page, 'signed-out-at-provider').waitFor();
    await status(page, 'signed-out').waitFor();
    const back = sequence.filter((s) => s.app).map((s) => new URL(s.app));
    assert.equal(back.length, 1, `navigations back to the app: ${JSON.stringify(sequence)}`);
    assert.equal(back[0].origin + back[0].pathname, `${APP}/`, 'post_logout_redirect_uri');
    assert.equal(back[0].searchParams.get('state'), state, 'the provider returned our state');
    assert.ok(!new URL(page.url()).searchParams.has('state'), `state left in the address bar: ${page.url()}`);
    await assertNoTokensKept(page, 'none');
    assert.ok(!('pixie.logout-state' in (await clientStorage(page)).session), 'pixie.logout-state left');

    const events = await testEvents();
    assert.deepEqual(
      [events.revocations, events.endSessions, events.endSessionsConfirmed],
      [1, 1, 1],
      `[revocations, endSessions, endSessionsConfirmed]: ${JSON.stringify(events)}`,
    );
    // The refresh token is dead at the provider.
    const reuse = await fetch(discovery.token_endpoint, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: CLIENT_ID }),
    });
    assert.equal(reuse.status, 400, 'the revoked refresh token still works');
  }));

  test('the API call succeeds, and recovers from a dead access token with one refresh', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    const config = await (await fetch(`${APP}/config.json`)).json();
    assert.equal(config.api_url, API, 'the built config.json names the dev API (dev/config.json api_url)');
    const calls = recordApiCalls(page);
    await login(page, 'alice');
    const tokens = await latestTokens(net);

    const first = await callApi(page, calls, 1);
    assert.deepEqual([first.state, first.status], ['loaded', 200], `#api-response: ${JSON.stringify(first)}`);
    assert.ok(first.body, `the text of #api-response is not the response body as JSON: ${JSON.stringify(first.text)}`);
    assert.equal(first.body.sub, 'alice', 'API sub');
    assert.equal(first.body.client_id, CLIENT_ID, 'API client_id');
    assert.equal(first.body.message, 'Hello alice from the protected API');
    assert.equal(calls.length, 1, 'API GETs');
    // The dev provider offers DPoP, so the token is bound and goes with the DPoP scheme (RFC 9449 §7.1).
    assert.equal(tokens.token_type, 'DPoP', 'token_type');
    assert.equal(calls[0].auth, `DPoP ${tokens.access_token}`, 'Authorization of the API call');
    assert.equal(net.tokenPosts.length, 1, 'token POSTs (only the login)');

    // The provider forgets every access token: the next call gets a 401,
    // refreshes once, and retries once with the new access token.
    assert.ok((await expireAccessTokens()) >= 1, 'access tokens destroyed');
    await resetTestEvents();
    const second = await callApi(page, calls, 2);
    assert.deepEqual([second.state, second.status], ['loaded', 200], `#api-response after the 401: ${JSON.stringify(second)}`);
    assert.equal(second.body?.sub, 'alice', `API sub after the refresh: ${JSON.stringify(second.text)}`);
    await page.waitForTimeout(500); // room for any extra request
    assert.deepEqual(calls.slice(1).map((c) => c.status), [401, 200], 'API GETs after the tokens died: 401 then 200');
    assert.equal(net.tokenPosts.length, 2, 'token POSTs: the login and exactly one refresh');
    refreshForm(net, 1);
    const refreshed = await tokenResponse(net, 1);
    assert.equal(calls[1].auth, `DPoP ${tokens.access_token}`, 'the first try used the old access token');
    assert.equal(calls[2].auth, `DPoP ${refreshed.access_token}`, 'the retry used the refreshed access token');
    assert.equal(await refreshCount(page), 1, '#refresh-count');
    const events = await testEvents();
    assert.equal(events.refreshes, 1, `provider refreshes: ${JSON.stringify(events)}`);
    assert.equal(events.refreshTokenReuse, 0, `refresh-token reuse: ${JSON.stringify(events)}`);
    await status(page, 'signed-in').waitFor();
  }, { allowConsole: [expectedConsole.httpStatus(API, 401)] }));
});
