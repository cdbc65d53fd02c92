// End-to-end tests of DPoP (RFC 9449) and PAR (RFC 9126) against the real
// provider (issue "Sender-constrained tokens"): the provider is started with
// the switches of dev/provider/server.mjs, and every proof the browser sends
// is verified here with the public key it names.
// Run from the repo root: node --test tests/e2e/dpop.test.mjs
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkProof } from '../../dev/provider/api.mjs';
import {
  APP, ISSUER, TEST_TIMEOUT, discovery, expectSignedIn, expectedConsole, outcome, overrideConfig, signInAtProvider, startLogin,
  status, useServersAndBrowser, waitUntil, withPage,
} from './helpers.mjs';

const API = `${ISSUER}/api/me`;
/** Chromium logs a `use_dpop_nonce` 400 (token or PAR endpoint) as a failed load. */
const nonceChallenge = () => (msg) => [discovery.token_endpoint, discovery.pushed_authorization_request_endpoint]
  .some((url) => expectedConsole.httpStatus(url, 400)(msg));
const button = (page, name) => page.getByRole('button', { name, exact: true });

/**
 * Every request the page sends to the provider's origin (token, userinfo,
 * revocation, PAR, the API), with its headers and body, and its answer.
 */
function recordProviderCalls(page) {
  const calls = [];
  page.on('request', async (req) => {
    const url = new URL(req.url());
    if (url.origin !== ISSUER || req.isNavigationRequest() || req.method() === 'OPTIONS') return;
    if (url.pathname.startsWith('/.well-known/') || url.pathname === new URL(discovery.jwks_uri).pathname) return;
    const call = { method: req.method(), url: req.url(), body: req.postData() ?? '', headers: null, status: null, responseHeaders: null, responseBody: null };
    calls.push(call);
    call.headers = await req.allHeaders();
    const res = await req.response().catch(() => null);
    if (res) {
      call.status = res.status();
      call.responseHeaders = await res.allHeaders();
      call.responseBody = await res.text().catch(() => null);
    }
  });
  return calls;
}

const answered = (calls) => calls.every((c) => c.status !== null && c.headers !== null);
const callsTo = (calls, endpoint) => calls.filter((c) => c.url.split('?')[0] === endpoint);

/** Verifies every proof in `calls` as a server would; returns the claims, in order. */
function verifyProofs(calls, accessTokenOf) {
  const seen = new Set();
  return calls.map((call) => {
    const proof = call.headers.dpop;
    assert.ok(proof, `${call.method} ${call.url} carried no DPoP proof`);
    const accessToken = accessTokenOf(call);
    const checked = checkProof(proof, { method: call.method, url: call.url, accessToken, seen });
    return { ...checked, call };
  });
}

/** The DPoP key records in the app's IndexedDB, as the page sees them. */
const storedKeys = (page) => page.evaluate(async () => {
  const names = (await indexedDB.databases()).map((d) => d.name);
  if (!names.includes('pixie.dpop')) return { exists: false, keys: [] };
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open('pixie.dpop');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const records = await new Promise((resolve, reject) => {
    const all = db.transaction('keys').objectStore('keys').getAll();
    all.onsuccess = () => resolve(all.result);
    all.onerror = () => reject(all.error);
  });
  const keys = [];
  for (const record of records) {
    const { privateKey, publicKey } = record;
    const exportJwk = await crypto.subtle.exportKey('jwk', privateKey).then(() => 'exported', (e) => e.name);
    const exportPkcs8 = await crypto.subtle.exportKey('pkcs8', privateKey).then(() => 'exported', (e) => e.name);
    keys.push({
      isCryptoKey: privateKey instanceof CryptoKey,
      extractable: privateKey.extractable,
      type: privateKey.type,
      algorithm: privateKey.algorithm,
      usages: privateKey.usages,
      exportJwk,
      exportPkcs8,
      publicJwk: await crypto.subtle.exportKey('jwk', publicKey),
      members: Object.keys(record).sort(),
    });
  }
  db.close();
  return { exists: true, keys };
});

async function thumbprintOf(jwk) {
  const { thumbprint } = await import('../../dev/provider/api.mjs');
  return thumbprint(jwk);
}

describe('DPoP and PAR required, with server nonces', () => {
  useServersAndBrowser({ providerEnv: { PIXIE_DPOP: 'required', PIXIE_DPOP_NONCE: '1', PIXIE_PAR: 'required' } });

  test('sign in, call the API, refresh and log out, every request with a proof that verifies', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    assert.deepEqual(discovery.dpop_signing_alg_values_supported, ['ES256']);
    assert.equal(discovery.require_pushed_authorization_requests, true);
    await overrideConfig(page.context(), { token_storage: 'session', dpop: 'required' });
    const calls = recordProviderCalls(page);
    await startLogin(page);

    // PAR: the one navigation to the authorization endpoint carries only client_id and request_uri.
    assert.equal(net.authRequests.length, 1, 'navigations to the authorization endpoint');
    const authorize = net.authRequests[0];
    assert.deepEqual([...authorize.searchParams.keys()].sort(), ['client_id', 'request_uri'], `the authorization URL: ${authorize}`);
    assert.equal(authorize.searchParams.get('client_id'), 'pixie-demo');
    const pushes = callsTo(calls, discovery.pushed_authorization_request_endpoint);
    await waitUntil(() => answered(pushes), 'the PAR answers');
    // The push meets the nonce challenge first: one retry, with the nonce.
    // (The page has left by now, so the bodies may be gone: the statuses and headers tell.)
    assert.equal(pushes.length, 2, 'PAR POSTs: the challenge and the retry');
    assert.equal(pushes[0].status, 400, 'the first push is challenged');
    const parNonce = pushes[0].responseHeaders['dpop-nonce'];
    assert.ok(parNonce, 'with a DPoP-Nonce');
    const pushed = pushes.at(-1);
    assert.equal(pushed.status, 201, 'PAR answer');
    assert.match(authorize.searchParams.get('request_uri'), /^urn:ietf:params:oauth:request_uri:/);
    const parForm = new URLSearchParams(pushed.body);
    for (const name of ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'dpop_jkt']) {
      assert.ok(parForm.has(name), `the pushed request has ${name}: ${[...parForm.keys()]}`);
    }
    assert.ok(!parForm.has('client_secret'), 'a public client sends no secret');

    await signInAtProvider(page, 'alice');
    await expectSignedIn(page);
    await page.locator('#userinfo[data-state="loaded"]').waitFor();

    // The key, in IndexedDB, which the page can sign with but never read.
    const keys = await storedKeys(page);
    assert.equal(keys.keys.length, 1, `one key per issuer and client: ${JSON.stringify(keys)}`);
    const [key] = keys.keys;
    assert.equal(key.isCryptoKey, true, 'stored as a CryptoKey');
    assert.equal(key.extractable, false, 'extractable');
    assert.equal(key.type, 'private');
    assert.deepEqual(key.algorithm, { name: 'ECDSA', namedCurve: 'P-256' });
    assert.deepEqual(key.usages, ['sign']);
    assert.equal(key.exportJwk, 'InvalidAccessError', 'exportKey(jwk) on the private key');
    assert.equal(key.exportPkcs8, 'InvalidAccessError', 'exportKey(pkcs8) on the private key');
    assert.deepEqual(key.members, ['privateKey', 'publicKey'], 'nothing but the two CryptoKeys');
    const jkt = await thumbprintOf(key.publicJwk);
    assert.equal(parForm.get('dpop_jkt'), jkt, 'the code is bound to the stored key (dpop_jkt)');

    // The code exchange: one use_dpop_nonce challenge, then exactly one retry with the nonce.
    const tokenCalls = callsTo(calls, discovery.token_endpoint);
    await waitUntil(() => answered(tokenCalls) && tokenCalls.length >= 2, 'the token requests');
    assert.equal(tokenCalls.length, 2, 'token POSTs for the login: the challenge and the retry');
    assert.equal(tokenCalls[0].status, 400);
    assert.equal(JSON.parse(tokenCalls[0].responseBody).error, 'use_dpop_nonce');
    const nonce = tokenCalls[0].responseHeaders['dpop-nonce'];
    assert.ok(nonce, 'the challenge carried DPoP-Nonce (exposed through CORS)');
    assert.equal(tokenCalls[1].status, 200, `the retry: ${tokenCalls[1].responseBody}`);
    const tokens = JSON.parse(tokenCalls[1].responseBody);
    assert.equal(tokens.token_type, 'DPoP', 'token_type of the token response');

    // Call the API: `Authorization: DPoP`, and a proof with ath.
    await button(page, 'Call API').click();
    await page.locator('#api-response[data-state="loaded"]').waitFor();
    const apiBody = JSON.parse((await page.locator('#api-response').textContent()).trim());
    assert.equal(apiBody.sub, 'alice');
    assert.equal(apiBody.token_type, 'DPoP', 'the API checked the proof');

    // Refresh: with a proof from the same key.
    await button(page, 'Refresh tokens').click();
    await page.waitForFunction(() => document.querySelector('#refresh-count')?.textContent.trim() === '1');
    await waitUntil(() => answered(calls), 'every answer');
    const refreshed = callsTo(calls, discovery.token_endpoint).at(-1);
    assert.equal(new URLSearchParams(refreshed.body).get('grant_type'), 'refresh_token');
    assert.equal(refreshed.status, 200, `the refresh: ${refreshed.responseBody}`);
    const newTokens = JSON.parse(refreshed.responseBody);
    assert.equal(newTokens.token_type, 'DPoP');

    // Log out: the refresh token is revoked with a proof, and the key is gone.
    await button(page, 'Log out').click();
    await button(page, 'Yes, sign me out').waitFor();
    await waitUntil(() => answered(calls), 'every answer');
    const revocations = callsTo(calls, discovery.revocation_endpoint);
    assert.equal(revocations.length, 1, 'one revocation');
    assert.equal(revocations[0].status, 200);
    await button(page, 'Yes, sign me out').click();
    await page.waitForURL((u) => u.origin === APP);
    await status(page, 'signed-out').waitFor();
    assert.deepEqual((await storedKeys(page)).keys, [], 'no key left after logout');

    // Every request to the provider's origin carried a proof that verifies
    // with the key the code was bound to, with its own jti.
    const accessTokenOf = (call) => {
      const auth = call.headers.authorization;
      return auth?.startsWith('DPoP ') ? auth.slice(5) : undefined;
    };
    const relevant = calls.filter((c) => c.method !== 'GET' || c.url.startsWith(API) || c.url.split('?')[0] === discovery.userinfo_endpoint);
    const proofs = verifyProofs(relevant, accessTokenOf);
    const kinds = proofs.map(({ call }) => `${call.method} ${call.url.split('?')[0]}`);
    for (const endpoint of [discovery.pushed_authorization_request_endpoint, discovery.token_endpoint, discovery.userinfo_endpoint, API, discovery.revocation_endpoint]) {
      assert.ok(kinds.some((k) => k.endsWith(` ${endpoint}`)), `a proof for ${endpoint}: ${kinds.join(', ')}`);
    }
    for (const { jkt: signer, call } of proofs) assert.equal(signer, jkt, `${call.method} ${call.url}: signed by the bound key`);
    assert.equal(new Set(proofs.map((p) => p.claims.jti)).size, proofs.length, 'every jti is unique');
    const resourceProofs = proofs.filter(({ call }) => call.method === 'GET');
    assert.ok(resourceProofs.length >= 2, 'userinfo and the API');
    for (const { claims, call } of resourceProofs) {
      assert.equal(claims.htm, 'GET');
      assert.ok(claims.ath, `${call.url}: ath`);
    }
    for (const { claims, call } of proofs.filter(({ call }) => call.method === 'POST')) {
      assert.equal(claims.htm, 'POST');
      assert.equal(claims.htu, call.url.split('?')[0]);
      assert.ok(!('ath' in claims), `${call.url}: no ath without an access token`);
    }
    assert.equal(proofs.find(({ call }) => call === tokenCalls[1]).claims.nonce, nonce, 'the retry carried the nonce');
    assert.ok(!('nonce' in proofs.find(({ call }) => call === tokenCalls[0]).claims), 'the first try had none to send');
    assert.equal(proofs.find(({ call }) => call === pushed).claims.nonce, parNonce, 'the push was retried with its nonce');
  }, { allowConsole: [nonceChallenge()] }));

  test('the walkthrough shows the key, the push and every proof, decoded, with their RFC sections', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    if (process.env.E2E_WALKTHROUGH === 'absent') return t.skip('this build has no walkthrough');
    await overrideConfig(page.context(), { token_storage: 'session' });
    await startLogin(page);
    await signInAtProvider(page, 'erin');
    await expectSignedIn(page);
    await page.locator('#userinfo[data-state="loaded"]').waitFor();
    await page.locator('g.flow-step[data-step="userinfo"]').waitFor();
    const slugs = await page.locator('svg.sequence g.flow-step').evaluateAll((gs) => gs.map((g) => g.dataset.step));
    assert.deepEqual(slugs.slice(0, 5), ['verifier', 'challenge', 'dpop-key', 'pushed-authorization-request', 'authorization-request'], `the steps: ${slugs}`);

    const open = async (slug) => {
      await page.locator(`svg.sequence g.flow-step[data-step="${slug}"]`).last().click();
      const card = page.locator(`#step-card[data-step="${slug}"]`);
      await card.waitFor();
      return card;
    };
    const rows = (card, caption) => card.locator('table.values')
      .filter({ has: page.locator('caption', { hasText: caption }) })
      .locator('tr[data-name]')
      .evaluateAll((trs) => Object.fromEntries(trs.map((tr) => {
        const code = tr.querySelector('code.value');
        return [tr.dataset.name, { value: code?.textContent ?? null, masked: code?.classList.contains('value--masked') ?? null }];
      })));

    const keyCard = await open('dpop-key');
    assert.match(await keyCard.locator('.step-card__meta a').first().getAttribute('href'), /rfc9449/);
    const keyValues = await rows(keyCard, 'Values');
    const jwk = JSON.parse(keyValues['public key (JWK)'].value);
    assert.deepEqual(Object.keys(jwk).sort(), ['crv', 'kty', 'x', 'y'], 'only the public members');
    assert.equal(keyValues['dpop_jkt (RFC 7638 thumbprint)'].value, await thumbprintOf(jwk));
    assert.match(keyValues['private key'].value, /extractable: false/);

    const pushCard = await open('pushed-authorization-request');
    assert.match(await pushCard.locator('.step-card__meta a').first().getAttribute('href'), /rfc9126/);
    assert.equal((await pushCard.locator('.http__line').first().textContent()).trim(), `POST ${discovery.pushed_authorization_request_endpoint}`);
    const pushForm = await rows(pushCard, 'Form body');
    assert.equal(pushForm.dpop_jkt.value, keyValues['dpop_jkt (RFC 7638 thumbprint)'].value);
    const authCard = await open('authorization-request');
    const query = await rows(authCard, 'Query (decoded)');
    assert.deepEqual(Object.keys(query).sort(), ['client_id', 'request_uri']);

    for (const slug of ['pushed-authorization-request', 'token-request', 'userinfo']) {
      const card = await open(slug);
      const values = await rows(card, 'Values');
      const header = JSON.parse(values['DPoP proof header'].value);
      const claims = JSON.parse(values['DPoP proof claims'].value);
      assert.equal(header.typ, 'dpop+jwt', `${slug}: typ`);
      assert.equal(header.alg, 'ES256', `${slug}: alg`);
      assert.deepEqual(header.jwk, jwk, `${slug}: the public key`);
      assert.ok(claims.jti && claims.iat && claims.htm && claims.htu, `${slug}: claims ${JSON.stringify(claims)}`);
      assert.equal('ath' in claims, slug === 'userinfo', `${slug}: ath only with an access token`);
      const headers = await rows(card, 'Headers');
      const proofHeader = Object.entries(headers).find(([name]) => name.toLowerCase() === 'dpop');
      assert.ok(proofHeader && proofHeader[1].masked, `${slug}: the proof itself is masked`);
    }
    const trace = await page.evaluate(() => sessionStorage.getItem('pixie.trace') ?? '');
    assert.ok(!/"d"\s*:/.test(trace), 'no private key member in the stored trace');
  }, { allowConsole: [nonceChallenge()] }));

  test('a DPoP-bound access token is refused as a plain bearer token, and a proof cannot be replayed', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    await overrideConfig(page.context(), { token_storage: 'session' });
    const calls = recordProviderCalls(page);
    await startLogin(page);
    await signInAtProvider(page, 'bob');
    await expectSignedIn(page);
    await button(page, 'Call API').click();
    await page.locator('#api-response[data-state="loaded"]').waitFor();
    await waitUntil(() => answered(calls), 'every answer');
    const apiCall = calls.filter((c) => c.url === API && c.status === 200).at(-1);
    const token = apiCall.headers.authorization.replace(/^DPoP /, '');

    const asBearer = await fetch(API, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(asBearer.status, 401, 'the stolen token as a bearer token');
    assert.match(asBearer.headers.get('www-authenticate'), /error="invalid_token"/);
    const withoutProof = await fetch(API, { headers: { Authorization: `DPoP ${token}` } });
    assert.equal(withoutProof.status, 401, 'the DPoP scheme without a proof');
    const replayed = await fetch(API, { headers: { Authorization: `DPoP ${token}`, DPoP: apiCall.headers.dpop } });
    assert.equal(replayed.status, 401, 'the page\'s own proof, replayed');
    assert.match(await replayed.text(), /used before/, 'refused for its jti');
  }, { allowConsole: [nonceChallenge()] }));

  test('in memory mode the key lives in memory only, made at the callback', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    const calls = recordProviderCalls(page);
    await startLogin(page);
    await signInAtProvider(page, 'carol');
    await expectSignedIn(page);
    await waitUntil(() => answered(calls), 'every answer');
    const pushed = callsTo(calls, discovery.pushed_authorization_request_endpoint).at(-1);
    assert.ok(!new URLSearchParams(pushed.body).has('dpop_jkt'), 'no key yet, so no dpop_jkt');
    assert.equal(pushed.headers.dpop, undefined, 'and no proof on the push');
    const tokens = JSON.parse(callsTo(calls, discovery.token_endpoint).at(-1).responseBody);
    assert.equal(tokens.token_type, 'DPoP');
    assert.deepEqual(await storedKeys(page), { exists: false, keys: [] }, 'IndexedDB never held a key');
    assert.equal(net.authRequests.length, 1);
  }, { allowConsole: [nonceChallenge()] }));
});

describe('DPoP and PAR offered, not required', () => {
  useServersAndBrowser();

  test('a PAR error from the provider is shown with its code and description', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    await overrideConfig(page.context(), { par: 'required', redirect_uri: `${APP}/not-registered` });
    await page.goto(`${APP}/`);
    await status(page, 'signed-out').waitFor();
    await button(page, 'Log in').click();
    const result = await outcome(page);
    assert.equal(result.state, 'error', result.text.slice(0, 300));
    assert.equal(new URL(page.url()).origin, APP, 'the browser never left for the provider');
    assert.equal(result.error, 'invalid_request', 'the provider\'s code, in #error');
    assert.match(await page.locator('#error-message').textContent(), /pushed authorization request/i);
    assert.match(result.text, /redirect_uri/, 'and its description');
  }, { allowConsole: [(msg) => msg.text().startsWith('Failed to load resource: the server responded with a status of 400')] }));
});

describe('neither DPoP nor PAR advertised', () => {
  useServersAndBrowser({ providerEnv: { PIXIE_DPOP: 'off', PIXIE_PAR: 'off' } });

  test('the login is what it was: bearer tokens, parameters in the URL, no key', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    assert.equal(discovery.dpop_signing_alg_values_supported, undefined);
    assert.equal(discovery.pushed_authorization_request_endpoint, undefined);
    const calls = recordProviderCalls(page);
    await startLogin(page);
    const authorize = net.authRequests[0];
    for (const name of ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method']) {
      assert.ok(authorize.searchParams.has(name), `${name} in the authorization URL`);
    }
    assert.ok(!authorize.searchParams.has('dpop_jkt'));
    await signInAtProvider(page, 'dave');
    await expectSignedIn(page);
    await button(page, 'Call API').click();
    await page.locator('#api-response[data-state="loaded"]').waitFor();
    await waitUntil(() => answered(calls), 'every answer');
    assert.ok(calls.every((c) => c.headers.dpop === undefined), 'no request carried a proof');
    const tokenCalls = callsTo(calls, discovery.token_endpoint);
    assert.equal(tokenCalls.length, 1, 'one token request');
    assert.equal(JSON.parse(tokenCalls[0].responseBody).token_type, 'Bearer');
    assert.match(calls.find((c) => c.url === API).headers.authorization, /^Bearer /);
    assert.deepEqual(await storedKeys(page), { exists: false, keys: [] });
  }));

  test('"dpop": "required" against this provider says what to change', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
    await overrideConfig(page.context(), { dpop: 'required' });
    await page.goto(`${APP}/`);
    await status(page, 'signed-out').waitFor();
    await button(page, 'Log in').click();
    const result = await outcome(page);
    assert.equal(result.state, 'error');
    assert.equal(result.error, 'dpop_unsupported');
    assert.match(result.text, /dpop_signing_alg_values_supported/);
    assert.equal(new URL(page.url()).origin, APP, 'no redirect');
  }));
});
