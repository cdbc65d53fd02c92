// End-to-end tests of examples/notes, the second app built on the pixie
// library: a public page, /notes behind <RequireAuth>, a call to the dev
// provider's protected API through the authorized fetch, and logout. Its
// callback is at /auth/callback, on 127.0.0.1:8081.
// Run from the repo root (after `make build-notes`): node --test tests/e2e/notes.test.mjs
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { ROOT, clearFaults, setFault, testEvents } from './servers.mjs';
import { ISSUER, TEST_TIMEOUT, atProviderLogin, expectedConsole, signInAtProvider, useServersAndBrowser, withPage } from './helpers.mjs';

const NOTES = 'http://127.0.0.1:8081';
useServersAndBrowser({ dist: join(ROOT, 'examples/notes/dist'), port: 8081 });
afterEach(clearFaults);

const authRequestsOf = (page) => {
  const seen = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (req.isNavigationRequest() && url.origin === ISSUER && url.pathname === '/auth') seen.push(url);
  });
  return seen;
};

test('the home page is public, /notes signs in, calls the API, and logout signs out', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
  const authRequests = authRequestsOf(page);
  const apiCalls = [];
  page.on('request', (req) => { if (req.url() === `${ISSUER}/api/me`) apiCalls.push(req.headers().authorization); });

  await page.goto(`${NOTES}/`);
  await page.locator('#home').waitFor();
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  assert.equal(authRequests.length, 0, 'the public page starts no login');

  // The guard sends the browser to the provider once, and brings it back to /notes.
  await page.getByRole('link', { name: 'My notes' }).click();
  await atProviderLogin(page);
  assert.equal(authRequests.length, 1, 'authorization requests');
  const auth = authRequests[0].searchParams;
  assert.equal(auth.get('client_id'), 'pixie-notes');
  assert.equal(auth.get('redirect_uri'), `${NOTES}/auth/callback`, 'the configured callback path');
  await signInAtProvider(page, 'carol');

  const answer = page.locator('#api-answer[data-state="ok"]');
  await answer.waitFor();
  const url = new URL(page.url());
  assert.equal(url.pathname, '/notes', 'back on the protected page');
  assert.equal(url.search, '', 'no code or state left in the address bar');
  const body = JSON.parse(await answer.textContent());
  assert.equal(body.sub, 'carol', 'the API saw the signed-in user');
  assert.equal(body.client_id, 'pixie-notes');
  assert.equal(apiCalls.length, 1, 'API calls');
  // The dev provider offers DPoP, so the library binds the token without the app doing anything.
  assert.match(apiCalls[0], /^DPoP [A-Za-z0-9_-]+$/, 'the API call carried the access token');
  assert.equal(body.token_type, 'DPoP', 'the API checked the DPoP proof');
  assert.equal((await page.locator('#who').textContent()).trim(), 'carol');

  // The app keeps its keys under its own prefix.
  const keys = await page.evaluate(() => Object.keys(sessionStorage));
  assert.ok(keys.length > 0 && keys.every((k) => k.startsWith('notes.')), `sessionStorage keys: ${keys}`);

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.locator('#notice[data-kind="signed-out-at-provider"]').waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  const events = await testEvents();
  assert.equal(events.revocations, 1, 'the refresh token was revoked');
  assert.equal(events.endSessionsConfirmed, 1, 'the provider confirmed the logout');
}));

test('the guard shows the provider\'s refusal instead of redirecting again', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
  const authRequests = authRequestsOf(page);
  await setFault('access_denied');
  await page.goto(`${NOTES}/notes`);
  await atProviderLogin(page);
  await signInAtProvider(page, 'carol');
  const alert = page.locator('[role="alert"][data-code="access_denied"]');
  await alert.waitFor();
  await page.waitForTimeout(1_000); // room for a second redirect, if the guard looped
  assert.equal(authRequests.length, 1, 'authorization requests: exactly one');
  assert.equal(new URL(page.url()).pathname, '/notes', 'the error is shown on the page that asked');
  // Try again starts over from a clean page.
  await clearFaults();
  await alert.getByRole('button', { name: 'Try again' }).click();
  await page.locator('#home').waitFor();
}));

test('coming back from the provider without signing in does not loop', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
  const authRequests = authRequestsOf(page);
  await page.goto(`${NOTES}/notes`);
  await atProviderLogin(page);
  // The person gives up at the provider and goes back.
  await page.goBack();
  await page.locator('[data-kind="login-not-completed"]').waitFor();
  await page.waitForTimeout(1_000);
  assert.equal(authRequests.length, 1, 'authorization requests: the guard started one, and no second');
  // A click on Log in is a real, new login.
  await page.locator('[data-kind="login-not-completed"]').getByRole('button', { name: 'Log in' }).click();
  await atProviderLogin(page);
  assert.equal(authRequests.length, 2);
}));

test('a provider that cannot be reached shows an error on the protected page', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
  await page.route(`${ISSUER}/.well-known/openid-configuration`, (route) => route.abort('connectionrefused'));
  const authRequests = authRequestsOf(page);
  await page.goto(`${NOTES}/notes`);
  await page.locator('[role="alert"][data-code="network_error"]').waitFor();
  assert.equal(authRequests.length, 0, 'no redirect without a provider');
}, { allowConsole: [expectedConsole.netError(`${ISSUER}/.well-known/openid-configuration`, 'ERR_CONNECTION_REFUSED')] }));
