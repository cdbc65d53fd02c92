// End-to-end tests of the provider presets and diagnostics (issue "Real
// providers"): the dev provider plays a Keycloak-shaped realm (an issuer with
// a path) and an Auth0-shaped tenant (a trailing-slash issuer, no
// end_session_endpoint, /v2/logout instead), and breaks its token endpoint the
// ways real ones are misconfigured; `pixie check` reads the same provider.
// Run from the repo root: node --test tests/e2e/providers.test.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  APP, ISSUER, TEST_TIMEOUT, discovery, expectSignedIn, expectedConsole, outcome, overrideConfig, signInAtProvider,
  status, useServersAndBrowser, withPage,
} from './helpers.mjs';
import { ROOT, clearFaults, setFault } from './servers.mjs';

const PIXIE = join(ROOT, 'target/debug/pixie');

/** Logs in with the provider's `fault` on and returns the error's code and message. */
async function loginRefused(t, fault, { config, allowConsole }) {
  await setFault(fault);
  try {
    let refused;
    await withPage(t, async (page) => {
      if (config) await overrideConfig(page.context(), config);
      await loginThrough(page, 'bob');
      const result = await outcome(page);
      assert.equal(result.state, 'error', `signed in despite ${fault}`);
      refused = { code: result.error, message: await page.locator('#error-message').textContent() };
    }, { allowConsole: allowConsole() });
    return refused;
  } finally {
    await clearFaults();
  }
}

/** Opens the app, presses Log in and signs in at the provider, whatever its issuer's path. */
async function loginThrough(page, username) {
  await page.goto(`${APP}/`);
  await status(page, 'signed-out').waitFor();
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => u.origin === ISSUER && u.pathname.includes('/interaction/'));
  await signInAtProvider(page, username);
}

describe('a Keycloak-shaped realm: an issuer with a path', () => {
  const realm = `${ISSUER}/realms/pixie`;
  useServersAndBrowser({ providerEnv: { ISSUER: realm } });

  test('the keycloak preset logs in and out through /realms/pixie', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    assert.equal(discovery.issuer, realm);
    assert.ok(discovery.token_endpoint.startsWith(`${realm}/`), discovery.token_endpoint);
    assert.equal(discovery.authorization_response_iss_parameter_supported, true);
    await overrideConfig(page.context(), { provider: 'keycloak', issuer: realm });
    const discoveryRequests = [];
    page.on('request', (req) => { if (req.url().includes('/.well-known/openid-configuration')) discoveryRequests.push(req.url()); });
    await loginThrough(page, 'kim');
    await expectSignedIn(page);
    assert.deepEqual(discoveryRequests, [`${realm}/.well-known/openid-configuration`]);
    assert.equal((await page.locator('#sub').textContent()).trim(), 'kim');

    // RP-initiated logout under the realm's path, confirmed with our state.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/realms/pixie/'));
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await status(page, 'signed-out').waitFor();
    await page.locator('#notice[data-kind="signed-out-at-provider"]').waitFor();
  }));

  test('a Keycloak issuer without /realms/ is refused before any request to the provider', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    const toProvider = [];
    page.on('request', (req) => { if (req.url().startsWith(ISSUER)) toProvider.push(req.url()); });
    await overrideConfig(page.context(), { provider: 'keycloak', issuer: ISSUER });
    await page.goto(`${APP}/`);
    await status(page, 'error').waitFor();
    assert.equal(await page.locator('#error').textContent(), 'config_invalid');
    assert.match(await page.locator('#error-message').textContent(), /https:\/\/host\/realms\/<realm>/);
    assert.deepEqual(toProvider, [], 'nothing was sent to the provider');
  }));
});

describe('an Auth0-shaped tenant: trailing-slash issuer, no end_session_endpoint', () => {
  const tenant = `${ISSUER}/`;
  useServersAndBrowser({ providerEnv: { ISSUER: tenant, PIXIE_END_SESSION: 'auth0' } });

  test('the auth0 preset logs out through /v2/logout, which ends the provider session', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    assert.equal(discovery.issuer, tenant);
    assert.equal(discovery.end_session_endpoint, undefined);
    await overrideConfig(page.context(), { provider: 'auth0', issuer: tenant });
    await loginThrough(page, 'ada');
    await expectSignedIn(page);

    const logout = page.waitForRequest((req) => req.url().startsWith(`${ISSUER}/v2/logout`));
    await page.getByRole('button', { name: 'Log out' }).click();
    const url = new URL((await logout).url());
    assert.deepEqual(Object.fromEntries(url.searchParams), { client_id: 'pixie-demo', returnTo: `${APP}/` });
    await status(page, 'signed-out').waitFor();
    assert.equal(new URL(page.url()).origin, APP);

    // The provider's session is gone: the next login asks for credentials again.
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.origin === ISSUER && u.pathname.startsWith('/interaction/'));
    await page.locator('input[name="login"]').waitFor();
  }));

  test('without the preset, the same tenant only signs out of the app', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    await overrideConfig(page.context(), { issuer: tenant });
    await loginThrough(page, 'ada');
    await expectSignedIn(page);
    await page.getByRole('button', { name: 'Log out' }).click();
    await status(page, 'signed-out').waitFor();
    await page.locator('#notice[data-kind="signed-out-locally"]').waitFor();
  }));

  test('an Auth0 issuer without its trailing slash is refused with the one to set', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    await overrideConfig(page.context(), { provider: 'auth0', issuer: ISSUER });
    await page.goto(`${APP}/`);
    await status(page, 'error').waitFor();
    assert.match(await page.locator('#error-message').textContent(), new RegExp(`set it to "${ISSUER}/"`));
  }));
});

describe('diagnostics against a misconfigured token endpoint', () => {
  useServersAndBrowser();

  test('a token endpoint without CORS names the origin and the preset\'s setting', { timeout: TEST_TIMEOUT }, async (t) => {
    const { code, message } = await loginRefused(t, 'token_no_cors', {
      config: { provider: 'okta' },
      allowConsole: () => [expectedConsole.corsBlocked(discovery.token_endpoint), expectedConsole.netError(discovery.token_endpoint, 'ERR_FAILED')],
    });
    assert.equal(code, 'network_error', 'the code stays stable');
    assert.match(message, new RegExp(`this app's origin \\(${APP.replace(/[.:/]/g, '\\$&')}\\)`));
    assert.match(message, /Trusted Origins, with CORS checked/);
  });

  test('invalid_client says the client is not public, keeping the provider\'s code', { timeout: TEST_TIMEOUT }, async (t) => {
    const { code, message } = await loginRefused(t, 'token_invalid_client', {
      allowConsole: () => [expectedConsole.httpStatus(discovery.token_endpoint, 401)],
    });
    assert.equal(code, 'invalid_client');
    assert.match(message, /does not take `pixie-demo` as a public client/);
    assert.match(message, /token_endpoint_auth_method none/);
  });

  test('invalid_grant on the code names the redirect URI that was sent', { timeout: TEST_TIMEOUT }, async (t) => {
    const { code, message } = await loginRefused(t, 'token_invalid_grant', {
      allowConsole: () => [expectedConsole.httpStatus(discovery.token_endpoint, 400)],
    });
    assert.equal(code, 'invalid_grant');
    assert.match(message, new RegExp(`redirect_uri ${APP}/callback`));
  });

  test('pixie check passes the dev provider, and names each failure of a misconfigured one', { timeout: TEST_TIMEOUT }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pixie-check-'));
    const run = (config) => {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify(config));
      const result = spawnSync(PIXIE, ['check', file, '--origin', APP], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(result.error, undefined, `could not run ${PIXIE} (make test builds it)`);
      return { code: result.status, out: result.stdout, lines: result.stdout.split('\n').filter((l) => /^[✓✗!] /.test(l)) };
    };
    try {
      const good = run({ issuer: ISSUER, client_id: 'pixie-demo' });
      assert.equal(good.code, 0, good.out);
      assert.deepEqual(good.lines.filter((l) => !l.startsWith('✓')), [], good.out);
      for (const expected of ['discovery: ', 'issuer is exactly', 'token endpoint: answers', 'login request accepted', 'keys: ', 'RFC 9207', 'DPoP: ES256', 'logout: end_session_endpoint', 'CSP connect-src must allow: http://127.0.0.1:9000']) {
        assert.ok(good.lines.some((l) => l.includes(expected)), `no ✓ line with "${expected}":\n${good.out}`);
      }

      // An unregistered redirect URI, and a token endpoint that answers no CORS.
      await setFault('token_no_cors');
      const bad = run({ issuer: ISSUER, client_id: 'pixie-demo', redirect_uri: `${APP}/wrong-callback`, dpop: 'off' });
      assert.equal(bad.code, 1, bad.out);
      const failed = bad.lines.filter((l) => l.startsWith('✗'));
      assert.equal(failed.length, 2, bad.out);
      assert.match(failed.join('\n'), /token endpoint: a browser on http:\/\/127\.0\.0\.1:8080 cannot read its answers/);
      assert.match(failed.join('\n'), /login request refused \(HTTP 400\)/);
      assert.match(bad.out, new RegExp(`${APP}/wrong-callback is listed exactly in`));
      await clearFaults();

      // A public client the provider does not know, and an issuer that is not the provider's.
      const unknown = run({ issuer: ISSUER, client_id: 'nobody' });
      assert.equal(unknown.code, 1, unknown.out);
      assert.match(unknown.out, /✗ token endpoint: refuses nobody \(invalid_client\)/);
      const wrongIssuer = run({ issuer: `${ISSUER}/`, client_id: 'pixie-demo' });
      assert.equal(wrongIssuer.code, 1, wrongIssuer.out);
      assert.match(wrongIssuer.out, /✗ discovery: .* is not usable\n\s+→ The discovery document names issuer http:\/\/127\.0\.0\.1:9000, but config\.json says http:\/\/127\.0\.0\.1:9000\//);
      const google = run({ provider: 'google', issuer: 'https://accounts.google.com', client_id: 'x' });
      assert.equal(google.code, 1);
      assert.match(google.out, /backend for frontend/);
    } finally {
      await clearFaults();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
