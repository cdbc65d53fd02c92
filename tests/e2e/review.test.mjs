// End-to-end tests for the security review's findings that need the browser
// (issue "Fail closed, round two"); the pure halves are in
// crates/pixie-core/tests/protocol/review.rs, and the ID-token faults (#13) in
// attacks.test.mjs. Each test failed on the code before its fix.
// Run from the repo root: node --test tests/e2e/review.test.mjs
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DIST, clearFaults, resetTestEvents, setFault, testEvents } from './servers.mjs';
import {
  APP, ISSUER, TEST_TIMEOUT, clientStorage, discovery, expectSignedIn, login, overrideConfig, signInAtProvider,
  startLogin, status, useServersAndBrowser, waitUntil, withPage,
} from './helpers.mjs';

const CLIENT_ID = 'pixie-demo';
const button = (page, name) => page.getByRole('button', { name, exact: true });
const notice = (page, kind) => page.locator(`#notice[data-kind="${kind}"]`);

/** Every message any tab posts on the app's channel, recorded in the page. */
async function recordChannel(page) {
  await page.addInitScript(() => {
    window.__channel = [];
    new BroadcastChannel('pixie').onmessage = (event) => window.__channel.push(String(event.data));
  });
}

/** A copy of `page`'s sessionStorage, as the browser keeps it for a closed tab. */
const snapshot = (page) => page.evaluate(() => JSON.stringify(Object.entries(sessionStorage)));

/** A tab brought back with `saved` sessionStorage (Ctrl+Shift+T, or a discarded tab reloaded). */
async function reopen(context, saved) {
  const page = await context.newPage();
  await page.addInitScript((entries) => {
    if (sessionStorage.length === 0) for (const [k, v] of JSON.parse(entries)) sessionStorage.setItem(k, v);
  }, saved);
  return page;
}

async function openTabFrom(page) {
  const popup = page.waitForEvent('popup');
  await page.evaluate(() => { window.open('/', '_blank'); });
  return popup;
}

describe('with default token lifetimes', () => {
  useServersAndBrowser();
  beforeEach(async () => { await clearFaults(); await resetTestEvents(); });
  afterEach(clearFaults);

  test('#1: in memory mode no token goes on the tab channel', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    await recordChannel(page);
    await login(page, 'alice');
    await button(page, 'Refresh tokens').click();
    await waitUntil(() => net.tokenResponses.length >= 2, 'the refresh');
    await page.waitForFunction(() => Number(document.querySelector('#refresh-count')?.textContent) >= 1);
    const tokens = await Promise.all(net.tokenResponses);
    const secrets = tokens.flatMap((body) => [body.access_token, body.refresh_token, body.id_token]).filter(Boolean);
    const seen = await page.evaluate(() => window.__channel);
    for (const message of seen) {
      for (const secret of secrets) assert.ok(!message.includes(secret), `a token went on the channel: ${message.slice(0, 80)}`);
    }
  }));

  test('#2: a reopened tab does not replay its rotated refresh token', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (a, netA, { netOf }) => {
    await overrideConfig(a.context(), { token_storage: 'session' });
    await login(a, 'alice');
    const b = await openTabFrom(a);
    await expectSignedIn(b);
    const saved = await snapshot(b);
    await b.close();

    // Tab A refreshes: the refresh token in tab B's saved copy is rotated away.
    await button(a, 'Refresh tokens').click();
    await a.waitForFunction(() => document.querySelector('#refresh-count')?.textContent.trim() === '1');

    const c = await reopen(a.context(), saved);
    const netC = netOf(c);
    await c.goto(`${APP}/`);
    await expectSignedIn(c);
    // It took the newest record from tab A instead of refreshing with its own:
    // its next refresh sends the refresh token tab A's refresh returned.
    const newest = (await netA.tokenResponses[1]).refresh_token;
    await button(c, 'Refresh tokens').click();
    await waitUntil(() => netC.tokenPosts.length >= 1, 'the reopened tab\'s refresh');
    assert.equal(new URLSearchParams(netC.tokenPosts[0].body).get('refresh_token'), newest, 'the refresh token the reopened tab sent');
    await c.waitForFunction(() => document.querySelector('#refresh-status')?.dataset.state === 'idle');
    const events = await testEvents();
    assert.equal(events.refreshTokenReuse, 0, `a rotated refresh token was replayed: ${JSON.stringify(events)}`);
    assert.equal(events.grantsRevoked, 0, 'the provider revoked the grant');
    assert.equal(netC.tokenPosts.length, 1, 'token POSTs from the reopened tab (only the refresh it was asked for)');
    await status(a, 'signed-in').waitFor();
  }));

  test('#2: a tab reopened after a logout elsewhere comes back signed out', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (a, netA, { netOf }) => {
    await overrideConfig(a.context(), { token_storage: 'session' });
    await login(a, 'alice');
    const b = await openTabFrom(a);
    await expectSignedIn(b);
    const saved = await snapshot(b);
    await b.close();

    await button(a, 'Log out').click();
    await button(a, 'Yes, sign me out').click();
    await status(a, 'signed-out').waitFor();

    const c = await reopen(a.context(), saved);
    const netC = netOf(c);
    await c.goto(`${APP}/`);
    await notice(c, 'signed-out-elsewhere').waitFor();
    await status(c, 'signed-out').waitFor();
    assert.equal(await c.locator('#sub').count(), 0, 'the reopened tab shows a user');
    assert.equal(netC.tokenPosts.length, 0, 'token requests from the reopened tab');
    assert.ok(!('pixie.session' in (await clientStorage(c)).session), 'the stale record is dropped');
  }));

  test('#2: a stale copy with no live tab to catch up from does not refresh', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (a, netA, { netOf }) => {
    await overrideConfig(a.context(), { token_storage: 'session' });
    await login(a, 'alice');
    const b = await openTabFrom(a);
    await expectSignedIn(b);
    const saved = await snapshot(b);
    await b.close();
    await button(a, 'Refresh tokens').click();
    await a.waitForFunction(() => document.querySelector('#refresh-count')?.textContent.trim() === '1');
    // The tab with the newest tokens goes too (its page is left for another site).
    await a.goto('about:blank');

    const c = await reopen(a.context(), saved);
    const netC = netOf(c);
    await c.goto(`${APP}/`);
    await notice(c, 'session-moved-on').waitFor();
    await status(c, 'signed-out').waitFor();
    assert.equal(netC.tokenPosts.length, 0, 'the stale refresh token was not sent');
    assert.equal((await testEvents()).refreshTokenReuse, 0, 'refresh-token reuse');
  }));

  test('#4: an issuer with user@ in its authority is refused, naming the field', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    await overrideConfig(page.context(), { issuer: 'http://localhost:1@evil.example/' });
    await page.goto(`${APP}/`);
    await status(page, 'error').waitFor();
    assert.equal(await page.locator('#error').textContent(), 'config_invalid');
    assert.match(await page.locator('#error-message').textContent(), /field `issuer`/);
  }));

  test('#5: a refresh that lands after logout does not bring the session back, and its token is revoked', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    // No end-session endpoint, so the logout is local and the page stays to watch.
    await page.route(`${ISSUER}/.well-known/openid-configuration`, async (route) => {
      const response = await route.fetch();
      const document = await response.json();
      delete document.end_session_endpoint;
      await route.fulfill({ response, json: document });
    });
    await login(page, 'alice');
    await setFault('refresh_slow');
    await button(page, 'Refresh tokens').click();
    await waitUntil(() => net.tokenPosts.length >= 2, 'the refresh request');
    await button(page, 'Log out').click();
    await notice(page, 'signed-out-locally').waitFor();
    // The refresh answers 1.5 s late, after the logout.
    await waitUntil(() => net.tokenResponses.length >= 2, 'the late refresh response', 5_000);
    const late = await net.tokenResponses[1];
    await page.waitForTimeout(700);
    await status(page, 'signed-out').waitFor({ timeout: 1_000 });
    assert.equal(await page.locator('#sub').count(), 0, 'the late refresh signed the tab back in');
    // The new refresh token is revoked too (after the old one, at the logout).
    const deadline = Date.now() + 5_000;
    while ((await testEvents()).revocations < 2 && Date.now() < deadline) await page.waitForTimeout(100);
    t.diagnostic(`provider: ${JSON.stringify(await testEvents())}`);
    const reuse = await fetch(discovery.token_endpoint, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: late.refresh_token, client_id: CLIENT_ID }),
    });
    assert.equal(reuse.status, 400, 'the refresh token that arrived after logout still works');
  }));

  test('#8: acr_values are enforced: a login without the asked-for acr is refused', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    await overrideConfig(page.context(), { acr_values: 'urn:example:gold' });
    await login(page, 'alice', { waitForApp: false });
    await status(page, 'error').waitFor();
    assert.equal(await page.locator('#error').textContent(), 'id_token_acr_not_satisfied');
    assert.equal(net.authRequests[0].searchParams.get('acr_values'), 'urn:example:gold', 'acr_values sent');
    assert.equal(await page.locator('#sub').count(), 0);
  }));

  test('#8: max_age is sent, and a fresh sign-in satisfies it', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    await overrideConfig(page.context(), { max_age: 300 });
    await login(page, 'alice');
    assert.equal(net.authRequests[0].searchParams.get('max_age'), '300');
  }));

  test('#9: the default scope asks for no offline_access', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    await overrideConfig(page.context(), { scope: null });
    await startLogin(page);
    assert.equal(net.authRequests[0].searchParams.get('scope'), 'openid profile email');
  }));

  test('#11: a stored session for another provider is not restored', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    await overrideConfig(page.context(), { token_storage: 'session' });
    await login(page, 'alice');
    await page.evaluate(() => {
      const record = JSON.parse(sessionStorage.getItem('pixie.session'));
      record.issuer = 'http://127.0.0.1:9999';
      sessionStorage.setItem('pixie.session', JSON.stringify(record));
    });
    await page.reload();
    await status(page, 'signed-out').waitFor();
    assert.equal(await page.locator('#sub').count(), 0);
    assert.equal(net.tokenPosts.length, 1, 'token POSTs (only the login)');
  }));

  test('#12: a changed config.json takes effect at the next page load', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    await page.goto(`${APP}/`);
    await page.locator('#client-id', { hasText: CLIENT_ID }).waitFor();
    assert.ok('pixie.provider' in (await clientStorage(page)).session, 'the tab cached the provider');
    await overrideConfig(page.context(), { client_id: 'pixie-redeployed' });
    await page.reload();
    await page.locator('#client-id', { hasText: 'pixie-redeployed' }).waitFor({ timeout: 5_000 });
  }));

  test('#14: a token endpoint that redirects gets no second copy of the code', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    await setFault('token_redirect');
    await login(page, 'alice', { waitForApp: false });
    await status(page, 'error').waitFor();
    assert.equal(await page.locator('#error').textContent(), 'network_error');
    const stolen = await (await fetch(`${ISSUER}/__test/stolen`)).json();
    assert.equal(stolen.requests, 0, 'the code and verifier were resent to the redirect target');
  }, { allowConsole: [(msg) => msg.text().startsWith('Failed to load resource') && msg.location()?.url?.startsWith(ISSUER)] }));

  test('#14: a token endpoint that never answers gives up with a clear error', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    await overrideConfig(page.context(), { request_timeout_secs: 2 });
    await setFault('token_hang');
    await login(page, 'alice', { waitForApp: false });
    await status(page, 'error').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#error').textContent(), 'network_error');
    assert.match(await page.locator('#error-message').textContent(), /no answer within 2 s/);
  }, { allowConsole: [(msg) => msg.text().includes('ERR_ABORTED') || msg.text().includes('aborted')] }));

  test('#15: a resume after a reload does not switch to another user', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net, { newPage }) => {
    await login(page, 'alice');
    // Someone else signs in at the provider, in another tab of the same browser.
    await page.context().clearCookies();
    const { page: other } = await newPage();
    await startLogin(other);
    await signInAtProvider(other, 'mallory');
    await expectSignedIn(other);

    await page.reload();
    // The provider either refuses the hinted user (login_required) or signs in
    // mallory, whom Pixie refuses; either way this tab is not mallory's.
    await notice(page, 'someone-else-at-provider').or(notice(page, 'resume-failed')).waitFor();
    t.diagnostic(`notice: ${await page.locator('#notice').getAttribute('data-kind')}`);
    await status(page, 'signed-out').waitFor();
    assert.equal(await page.locator('#sub').count(), 0, 'the tab signed in as someone else');
    const resume = net.authRequests.at(-1).searchParams;
    assert.equal(resume.get('prompt'), 'none');
    assert.equal(resume.get('login_hint'), 'alice', 'the previous user as a hint');
  }));

  test('info: a state in the query with no logout under way says nothing', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    await page.goto(`${APP}/?state=from-somewhere`);
    await status(page, 'signed-out').waitFor();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    assert.equal(await page.locator('#notice').count(), 0, 'a notice about a logout nobody started');
  }));

  test('info: the built index.html carries a script-src with its loader\'s hash', { timeout: TEST_TIMEOUT }, () => {
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/)?.[1] ?? '';
    assert.match(meta, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*'/, `meta CSP: ${meta}`);
  });
});

describe('with 30-day access tokens (#3)', () => {
  useServersAndBrowser({ providerEnv: { PIXIE_ACCESS_TOKEN_TTL: String(30 * 86_400) } });

  test('#3: a 30-day access token signs in, loads userinfo, and refreshes without holding the lock', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    await login(page, 'alice');
    assert.equal((await net.tokenResponses[0]).expires_in, 30 * 86_400, 'the provider issued 30-day access tokens');
    await page.locator('#userinfo[data-state="loaded"]').waitFor();
    for (const count of ['1', '2']) {
      await button(page, 'Refresh tokens').click();
      await page.waitForFunction((n) => document.querySelector('#refresh-count')?.textContent.trim() === n, count, { timeout: 5_000 });
    }
    await status(page, 'signed-in').waitFor();
  }));
});

describe('with 1-second access tokens (#6)', () => {
  useServersAndBrowser({ providerEnv: { PIXIE_ACCESS_TOKEN_TTL: '1' } });

  test('#6: a 1-second access token does not make the page refresh in a loop', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    await login(page, 'alice');
    const start = Date.now();
    await page.waitForTimeout(12_000);
    const refreshes = net.tokenPosts.slice(1).filter((post) => post.at >= start - 1_000).length;
    t.diagnostic(`${refreshes} refreshes in 12 s`);
    assert.ok(refreshes >= 1, 'it still refreshes');
    assert.ok(refreshes <= 5, `${refreshes} refreshes in 12 s (at most 4 a minute, and none sooner than 2 s apart)`);
    await status(page, 'signed-in').waitFor();
  }));
});

