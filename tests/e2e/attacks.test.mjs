// End-to-end security tests: a provider (or an attacker in its place) that
// misbehaves in exactly one way per test, and the app must refuse the login
// with a specific error code, keep no token, and leave no pending record.
// The provider's fault switch is dev/provider/faults.mjs.
// Run from the repo root: node --test tests/e2e/
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';

import { clearFaults, setFault } from './servers.mjs';
import {
  TEST_TIMEOUT, assertNoTokensKept, discovery, expectedConsole, login, loginCapturingCallback, outcome,
  useServersAndBrowser, withPage,
} from './helpers.mjs';

useServersAndBrowser();
beforeEach(clearFaults);
afterEach(clearFaults);

const token = () => discovery.token_endpoint;

/**
 * fault: the provider fault (dev/provider/faults.mjs); code: the expected #error;
 * tokenPosts: how many token requests the app may send (0 when it must stop
 * at the callback); jwksFetches: exactly how many JWKS requests (default: at
 * most one); text: what the page must say; console: the console errors
 * Chromium logs for this failure, and only those.
 */
const CASES = [
  // The authorization response (RFC 9207 mix-up defence, provider errors).
  { fault: 'wrong_iss', code: 'iss_mismatch', tokenPosts: 0 },
  { fault: 'missing_iss', code: 'missing_iss', tokenPosts: 0 },
  { fault: 'access_denied', code: 'access_denied', tokenPosts: 0, text: /The user said no/ },

  // The ID token (OIDC Core 3.1.3.7, signature against the JWKS).
  { fault: 'id_token_alg_none', code: 'id_token_alg_not_allowed' },
  { fault: 'id_token_unknown_key', code: 'id_token_unknown_key', jwksFetches: 2 },
  { fault: 'id_token_tampered', code: 'id_token_bad_signature' },
  { fault: 'id_token_wrong_aud', code: 'id_token_aud_mismatch' },
  { fault: 'id_token_expired', code: 'id_token_expired' },
  { fault: 'id_token_iat_future', code: 'id_token_iat_in_future' },
  { fault: 'id_token_nonce_mismatch', code: 'id_token_nonce_mismatch' },
  // Review #13 (JOSE and OIDC Core step 3).
  { fault: 'id_token_crit', code: 'id_token_crit_unsupported' },
  { fault: 'id_token_typ_at_jwt', code: 'id_token_typ_invalid' },
  { fault: 'id_token_extra_aud', code: 'id_token_aud_untrusted' },
  { fault: 'id_token_nbf_future', code: 'id_token_nbf_in_future' },

  // The token endpoint itself.
  {
    fault: 'token_invalid_grant',
    code: 'invalid_grant',
    console: () => [expectedConsole.httpStatus(token(), 400)],
  },
  {
    fault: 'token_500',
    code: 'token_http_error',
    console: () => [expectedConsole.httpStatus(token(), 500)],
  },
  { fault: 'token_not_json', code: 'token_response_not_json' },
  {
    fault: 'token_no_cors',
    code: 'network_error',
    console: () => [expectedConsole.corsBlocked(token()), expectedConsole.netError(token(), 'ERR_FAILED')],
  },
  {
    fault: 'token_network_down',
    code: 'network_error',
    console: () => [expectedConsole.netError(token(), 'ERR_EMPTY_RESPONSE')],
  },
];

/** The app is in the error state with `code`, shows no user, and keeps nothing. */
async function assertRefused(page, net, state, code) {
  const result = await outcome(page);
  assert.equal(result.state, 'error', `the app accepted the login (expected ${code}); page text: ${result.text.slice(0, 300)}`);
  assert.equal(result.error, code, `#error; page text: ${result.text.slice(0, 300)}`);
  assert.equal(await page.locator('#sub').count(), 0, '#sub is shown');
  await assertNoTokensKept(page, state);
  return result;
}

for (const { fault, code, tokenPosts = 1, jwksFetches, text, console: expectConsole = () => [] } of CASES) {
  test(`${fault} is refused with ${code}`, { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    await setFault(fault);
    await login(page, 'alice', { waitForApp: false });
    assert.equal(net.authRequests.length, 1, 'authorization requests');
    const state = net.authRequests[0].searchParams.get('state');

    const result = await assertRefused(page, net, state, code);
    if (text) assert.match(result.text, text);
    assert.equal(net.tokenPosts.length, tokenPosts, 'token endpoint POSTs');
    if (jwksFetches === undefined) {
      assert.ok(net.jwksFetches.length <= 1, `JWKS fetched ${net.jwksFetches.length} times, expected at most once`);
    } else {
      assert.equal(net.jwksFetches.length, jwksFetches, 'JWKS fetches');
    }
  }, { allowConsole: expectConsole() }));
}

test('a replayed code is refused with invalid_grant', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
  // A complete login, whose code the app has redeemed.
  await login(page, 'alice');
  assert.equal(net.callbacks.length, 1, 'callback navigations');
  const oldCode = new URL(net.callbacks[0]).searchParams.get('code');

  // A second login (the provider asks again once its session is gone), whose
  // genuine response is held back: the old code goes in with the new state and iss.
  await page.context().clearCookies();
  const callback = await loginCapturingCallback(page, 'alice');
  const state = callback.searchParams.get('state');
  assert.notEqual(callback.searchParams.get('code'), oldCode, 'the provider issued the same code twice');
  callback.searchParams.set('code', oldCode);

  await page.goto(callback.href);
  await assertRefused(page, net, state, 'invalid_grant');
  assert.equal(net.tokenPosts.length, 2, 'token endpoint POSTs (the first login, then the replay)');
  assert.equal(new URLSearchParams(net.tokenPosts[1].body).get('code'), oldCode, 'the replay sent the old code');
}, { allowConsole: [expectedConsole.httpStatus(token(), 400)] }));
