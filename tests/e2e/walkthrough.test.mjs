// End-to-end tests of the walkthrough (issue 5): the flow's own trace drawn
// as a sequence diagram, a card per step with the real (masked) values, the
// challenge recomputed in the page, the JWT viewer, the attack lab, and the
// layout at desktop and phone widths (screenshots in test-results/).
// Run from the repo root: node --test tests/e2e/walkthrough.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { ROOT } from './servers.mjs';
import {
  APP, TEST_TIMEOUT, discovery, expectedConsole, login, status, useServersAndBrowser, withPage,
} from './helpers.mjs';

useServersAndBrowser();

const RESULTS = join(ROOT, 'test-results');
const CLIENT_ID = 'pixie-demo';

/** The steps of a completed login, in order (api-call, refresh, logout follow as they happen). */
// The dev provider offers DPoP, so a login in memory mode makes its key at the callback.
const LOGIN_STEPS = [
  'verifier', 'challenge', 'authorization-request', 'user-at-provider', 'callback',
  'callback-validation', 'dpop-key', 'token-request', 'token-response', 'id-token-validation', 'userinfo',
];

const base64url = (buf) => Buffer.from(buf).toString('base64url');
const s256 = (verifier) => base64url(createHash('sha256').update(verifier).digest());
/** How the walkthrough shows a masked value: its first 4 characters, then the length. */
const MASKED = /^.{4}…\(\d+ chars\)$/u;
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---------------------------------------------------------------- helpers

const steps = (page) => page.locator('svg.sequence g.flow-step');
/** The slugs of the diagram's steps, in document order. */
const slugs = (page) => steps(page).evaluateAll((gs) => gs.map((g) => g.dataset.step));
const stepCard = (page, slug) => page.locator(`#step-card[data-step="${slug}"]`);

/** The table.values of `scope` whose caption is exactly `caption`. */
const valuesTable = (scope, caption) => scope.locator('table.values')
  .filter({ has: scope.page().locator('caption').filter({ hasText: new RegExp(`^\\s*${escapeRegExp(caption)}\\s*$`) }) });

/** [name, { value, masked }] for each row of a table.values, in order. */
const tableRows = (table) => table.locator('tr[data-name]').evaluateAll((trs) => trs.map((tr) => {
  const code = tr.querySelector('code.value');
  return [tr.dataset.name, { value: code?.textContent ?? null, masked: code?.classList.contains('value--masked') ?? null }];
}));

/** Clicks the (last) step `slug` of the diagram and waits for its card. */
async function openStep(page, slug) {
  await page.locator(`svg.sequence g.flow-step[data-step="${slug}"]`).last().click();
  await stepCard(page, slug).waitFor();
  return stepCard(page, slug);
}

/**
 * A full login that waits for the walkthrough to settle: userinfo loaded and
 * its step drawn (or 5 s gone by, so a missing step fails on the slug list
 * rather than on a timeout). Returns the secrets the page handled, captured
 * from the network: { code, state, verifier, challenge, tokens }.
 */
async function loginAndSettle(page, net) {
  await login(page, 'alice');
  await page.locator('#userinfo[data-state="loaded"]').waitFor();
  await page.locator('g.flow-step[data-step="userinfo"]').waitFor({ timeout: 5_000 }).catch(() => {});

  assert.equal(net.tokenPosts.length, 1, 'token endpoint POSTs');
  assert.equal(net.tokenResponses.length, 1, 'token responses');
  const tokens = await net.tokenResponses[0];
  assert.ok(!(tokens instanceof Error), `token response body: ${tokens}`);
  const form = new URLSearchParams(net.tokenPosts[0].body);
  const callback = new URL(net.callbacks[0]);
  return {
    form,
    code: callback.searchParams.get('code'),
    state: callback.searchParams.get('state'),
    verifier: form.get('code_verifier'),
    challenge: net.authRequests[0].searchParams.get('code_challenge'),
    tokens,
  };
}

/** What must never be readable by the page's script outside memory: raw tokens and the code. */
function secretNeedles({ tokens, code }) {
  const needles = { access_token: [tokens.access_token], refresh_token: [tokens.refresh_token], code: [code] };
  // The ID token, and its payload and signature on their own.
  const parts = tokens.id_token.split('.');
  needles.id_token = [tokens.id_token, parts[1], parts[2]];
  for (const [name, values] of Object.entries(needles)) {
    for (const v of values) assert.ok(typeof v === 'string' && v.length >= 16, `${name} was issued: ${v}`);
  }
  return needles;
}

const sessionStorageOf = (page) => page.evaluate(() => Object.fromEntries(Object.entries(sessionStorage)));

/** All the text of the page: rendered text, text nodes (hidden ones too), attribute values and input values. */
const pageText = (page) => page.evaluate(() => {
  const attrs = [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.value));
  const inputs = [...document.querySelectorAll('input, textarea')].map((el) => el.value);
  return [document.body.innerText, document.documentElement.textContent, ...attrs, ...inputs].join('\n');
});

// ---------------------------------------------------------------- 1. real values

test('the walkthrough shows every step of the login, in order, with the real values', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
  const real = await loginAndSettle(page, net);
  assert.match(real.verifier, /^[A-Za-z0-9_-]{43}$/, 'the code_verifier of the real token POST');
  assert.equal(real.challenge, s256(real.verifier), 'the real authorization request carried S256(verifier)');

  assert.deepEqual(await slugs(page), LOGIN_STEPS, 'the diagram\'s steps after a login');
  const indexes = await steps(page).evaluateAll((gs) => gs.map((g) => g.dataset.stepIndex));
  assert.deepEqual(indexes, LOGIN_STEPS.map((_, i) => String(i)), 'data-step-index of the steps');
  // ARIA: a list of list items; the newest is selected by default and is the
  // one Tab stop (a roving tabindex: the arrow keys move between steps).
  assert.equal(await page.locator('svg.sequence').getAttribute('role'), 'list');
  const roles = await steps(page).evaluateAll((gs) => gs.map((g) => g.getAttribute('role')));
  assert.deepEqual(roles, LOGIN_STEPS.map(() => 'listitem'), 'role of the steps');
  const tabindexes = await steps(page).evaluateAll((gs) => gs.map((g) => g.getAttribute('tabindex')));
  assert.deepEqual(tabindexes, LOGIN_STEPS.map((_, i) => (i === LOGIN_STEPS.length - 1 ? '0' : '-1')), 'tabindex of the steps');
  const active = await page.locator('g.flow-step.flow-step--active').evaluateAll((gs) => gs.map((g) => [g.dataset.step, g.getAttribute('aria-current')]));
  assert.deepEqual(active, [[LOGIN_STEPS.at(-1), 'step']], 'the selected step by default (the newest), with aria-current');
  await stepCard(page, LOGIN_STEPS.at(-1)).waitFor();
  assert.equal(await page.locator('g.flow-step.flow-step--failed').count(), 0, 'failed steps after a good login');

  // Every card has a title, a why sentence and an RFC link; every value a copy button.
  for (const slug of LOGIN_STEPS) {
    const card = await openStep(page, slug);
    assert.ok((await card.locator('.step-card__title').textContent()).trim(), `${slug}: title`);
    assert.ok((await card.locator('.step-card__why').textContent()).trim().length > 20, `${slug}: why sentence`);
    const href = await card.locator('.step-card__meta a').first().getAttribute('href');
    assert.match(href, /^https:\/\/(www\.rfc-editor\.org\/rfc\/rfc\d+|openid\.net\/specs\/)/, `${slug}: RFC link`);
    const rows = await card.locator('tr[data-name]').evaluateAll((trs) => trs.map((tr) => [
      tr.dataset.name, tr.querySelector('button.copy-button')?.getAttribute('aria-label') ?? null,
    ]));
    for (const [name, label] of rows) assert.equal(label, `Copy ${name}`, `${slug}: copy button of ${name}`);
  }

  // 3. The authorization request: the real query, decoded, secrets masked.
  const auth = await openStep(page, 'authorization-request');
  assert.equal((await auth.locator('.http__line').first().textContent()).trim(), `GET ${discovery.authorization_endpoint}`);
  const query = Object.fromEntries(await tableRows(valuesTable(auth, 'Query (decoded)')));
  assert.deepEqual(query.code_challenge, { value: real.challenge, masked: false }, 'code_challenge in the Query table');
  assert.deepEqual(query.code_challenge_method, { value: 'S256', masked: false });
  assert.deepEqual(query.client_id, { value: CLIENT_ID, masked: false });
  assert.deepEqual(query.redirect_uri, { value: `${APP}/callback`, masked: false }, 'redirect_uri, decoded');
  assert.deepEqual(query.response_type, { value: 'code', masked: false });
  for (const name of ['state', 'nonce']) {
    assert.ok(query[name], `${name} in the Query table`);
    assert.equal(query[name].masked, true, `${name} is masked`);
    assert.match(query[name].value, MASKED, `${name}'s masked form`);
  }
  assert.ok(query.state.value.startsWith(real.state.slice(0, 4)), `masked state ${query.state.value} is not the real one's`);

  // The challenge card: the verifier (spent) in full, recomputed in the page.
  const challengeCard = page.locator('#challenge-card');
  assert.equal(await page.locator('#challenge-verifier').inputValue(), real.verifier, '#challenge-verifier');
  assert.equal((await page.locator('#challenge-recomputed').textContent()).trim(), real.challenge, '#challenge-recomputed');
  assert.equal((await page.locator('#challenge-sent').textContent()).trim(), real.challenge, '#challenge-sent');
  await challengeCard.locator('.explain__verdict[data-match="true"]').waitFor();

  // 7. The token request: exactly the real form fields, and no client secret.
  const tokenRequest = await openStep(page, 'token-request');
  assert.equal((await tokenRequest.locator('.http__line').first().textContent()).trim(), `POST ${discovery.token_endpoint}`);
  const formRows = await tableRows(valuesTable(tokenRequest, 'Form body'));
  assert.deepEqual(formRows.map(([name]) => name), ['grant_type', 'code', 'redirect_uri', 'client_id', 'code_verifier'], 'Form body rows');
  assert.deepEqual(formRows.map(([name]) => name), [...real.form.keys()], 'Form body rows = the fields of the real token POST, in order');
  const formValues = Object.fromEntries(formRows);
  assert.deepEqual(formValues.grant_type, { value: 'authorization_code', masked: false });
  assert.deepEqual(formValues.client_id, { value: CLIENT_ID, masked: false });
  assert.deepEqual(formValues.redirect_uri, { value: `${APP}/callback`, masked: false });
  assert.equal(formValues.code.masked, true, 'the code is masked');
  assert.match(formValues.code.value, MASKED);
  assert.equal(await tokenRequest.locator('.http tr[data-name="client_secret"]').count(), 0, 'a client_secret row in the HTTP exchange');
  assert.ok(await tokenRequest.locator('#no-client-secret').isVisible(), '#no-client-secret is visible');
  assert.equal(
    await tokenRequest.locator('tr[data-name*="secret" i] code.value--masked').count(), 0,
    'the card shows a masked client_secret value, as if there were a secret to hide',
  );
  const fullVerifiers = await valuesTable(tokenRequest, 'Values')
    .locator('tr[data-name^="code_verifier"] code.value:not(.value--masked)').allTextContents();
  assert.deepEqual(fullVerifiers, [real.verifier], 'the spent verifier in full in the Values table');

  // 8. The token response: HTTP 200, the tokens masked in the body.
  const tokenResponse = await openStep(page, 'token-response');
  const lines = (await tokenResponse.locator('.http__line').allTextContents()).map((l) => l.trim());
  assert.ok(lines.some((l) => /^HTTP 200\s+application\/json/.test(l)), `response line: ${JSON.stringify(lines)}`);
  const body = JSON.parse(await tokenResponse.locator('.http__body').textContent());
  for (const name of ['access_token', 'refresh_token', 'id_token']) {
    assert.match(body[name], MASKED, `${name} in the response body`);
    assert.ok(real.tokens[name].startsWith(body[name].slice(0, 4)), `${name}: masked form of another value`);
    assert.ok(body[name].endsWith(`(${real.tokens[name].length} chars)`), `${name}: length in the masked form`);
  }
  assert.equal(body.token_type, real.tokens.token_type);
  assert.equal(body.expires_in, real.tokens.expires_in);

  // 9. The ID token validation: numbered checks, all passed, signature verified.
  const idCard = await openStep(page, 'id-token-validation');
  const checks = (await idCard.locator('ul.checks li.check').allTextContents()).map((c) => c.replace(/\s+/g, ' ').trim());
  assert.ok(checks.length >= 5, `checks: ${JSON.stringify(checks)}`);
  assert.ok(checks.some((c) => /^✓.*signature verified/.test(c)), `a ✓ "signature verified" check: ${JSON.stringify(checks)}`);
  for (const c of checks) assert.ok(c.startsWith('✓'), `a check did not pass: ${c}`);

  // The JWT viewer: the ID token verified with its alg and kid; the access token is opaque.
  const header = JSON.parse(Buffer.from(real.tokens.id_token.split('.')[0], 'base64url'));
  const signature = await page.locator('#jwt-id-token .jwt__signature[data-state="verified"]').textContent();
  assert.ok(signature.includes(header.alg) && signature.includes(header.kid), `ID token signature line: ${signature}`);
  assert.match(await page.locator('#jwt-access-token').innerText(), /Opaque/);

  // The real access token (nor any other secret) is nowhere in the page or its storage,
  // whichever card is open.
  const needles = secretNeedles(real);
  const haystacks = [['sessionStorage', JSON.stringify(await sessionStorageOf(page))]];
  for (const slug of LOGIN_STEPS) {
    await openStep(page, slug);
    haystacks.push([`the page with the ${slug} card open`, await pageText(page)]);
  }
  for (const [where, text] of haystacks) {
    for (const [name, values] of Object.entries(needles)) {
      assert.ok(!values.some((v) => text.includes(v)), `${where} shows the real ${name}`);
    }
  }
}));

// ---------------------------------------------------------------- 2. trace hygiene

test('the stored trace holds no token or code, and logout drops it', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
  const real = await loginAndSettle(page, net);
  const trace = (await sessionStorageOf(page))['pixie.trace'];
  assert.ok(trace, 'pixie.trace after login');
  const parsed = JSON.parse(trace);
  assert.ok(Array.isArray(parsed) ? parsed.length >= LOGIN_STEPS.length - 1 : parsed, 'pixie.trace is the trace');
  for (const [name, values] of Object.entries(secretNeedles(real))) {
    assert.ok(!values.some((v) => trace.includes(v)), `pixie.trace holds the real ${name}`);
  }

  // "Reveal raw token" shows the token, hides it again, and never persists it.
  const idToken = page.locator('#jwt-id-token');
  await idToken.getByRole('button', { name: 'Reveal raw token' }).click();
  await idToken.locator('.jwt__raw').waitFor();
  assert.equal((await idToken.locator('.jwt__raw').textContent()).trim(), real.tokens.id_token, 'the revealed ID token');
  const stored = JSON.stringify(await sessionStorageOf(page));
  assert.ok(!stored.includes(real.tokens.id_token.split('.')[2]), 'revealing the ID token stored it in sessionStorage');
  await idToken.locator('button', { hasText: /raw token/ }).click();
  await idToken.locator('.jwt__raw').waitFor({ state: 'detached' });

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await status(page, 'signed-out').waitFor();
  assert.equal(new URL(page.url()).origin, APP);
  assert.ok(!('pixie.trace' in (await sessionStorageOf(page))), 'pixie.trace left after logout');
  assert.equal(await steps(page).count(), 0, 'steps still drawn after logout');
}));

// ---------------------------------------------------------------- 3. keyboard

test('the steps can be walked with the keyboard', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
  await loginAndSettle(page, net);
  const order = await slugs(page);
  const focused = () => page.evaluate(() => document.activeElement?.closest?.('g.flow-step')?.dataset.step ?? null);
  const activeSteps = () => page.locator('g.flow-step.flow-step--active').evaluateAll((gs) => gs.map((g) => g.dataset.step));

  await steps(page).first().focus();
  assert.equal(await focused(), order[0], 'focus on the first step');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  assert.deepEqual(await activeSteps(), [order[3]], 'active step after ArrowDown ×3 from the first');
  assert.equal(await focused(), order[3], 'focused step after ArrowDown ×3');
  assert.equal(await page.locator('g.flow-step[aria-current="step"]').getAttribute('data-step'), order[3], 'aria-current');

  await page.keyboard.press('Enter');
  assert.deepEqual(await activeSteps(), [order[3]], 'active step after Enter');
  assert.equal(await focused(), order[3], 'focused step after Enter');
  await stepCard(page, order[3]).waitFor();
  assert.equal(await page.locator('#step-card').getAttribute('data-step'), order[3], 'the card shown');

  await page.keyboard.press('ArrowUp');
  await page.keyboard.press(' ');
  assert.deepEqual(await activeSteps(), [order[2]], 'active step after ArrowUp, Space');
  assert.equal(await focused(), order[2], 'focused step after ArrowUp, Space');
  await stepCard(page, order[2]).waitFor();
}));

// ---------------------------------------------------------------- 4. challenge card, start over

test('the challenge card recomputes an edited verifier; Start over clears the walkthrough', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
  const real = await loginAndSettle(page, net);
  const input = page.locator('#challenge-verifier');
  const recomputed = page.locator('#challenge-recomputed');
  const verdict = page.locator('#challenge-card .explain__verdict');
  assert.equal(await verdict.getAttribute('data-match'), 'true');

  const edited = `${real.verifier.slice(0, -1)}${real.verifier.endsWith('A') ? 'B' : 'A'}`;
  await input.fill(edited);
  await page.locator('#challenge-card .explain__verdict[data-match="false"]').waitFor();
  assert.equal((await recomputed.textContent()).trim(), s256(edited), 'recomputed challenge of the edited verifier');
  assert.notEqual((await recomputed.textContent()).trim(), real.challenge);
  assert.equal((await page.locator('#challenge-sent').textContent()).trim(), real.challenge, 'the sent challenge stays');

  // Back to the real verifier: equal again.
  await input.fill(real.verifier);
  await page.locator('#challenge-card .explain__verdict[data-match="true"]').waitFor();
  assert.equal((await recomputed.textContent()).trim(), real.challenge);

  await page.locator('#walkthrough').getByRole('button', { name: 'Start over' }).click();
  await status(page, 'signed-out').waitFor();
  await page.locator('#walkthrough').getByText('every step of the PKCE flow appears here').waitFor();
  assert.equal(await steps(page).count(), 0, 'steps drawn after Start over');
  assert.equal(await page.locator('#step-card, #challenge-card').count(), 0, 'cards shown after Start over');
  assert.ok(!('pixie.trace' in (await sessionStorageOf(page))), 'pixie.trace left after Start over');
}));

// ---------------------------------------------------------------- 5. attack lab

/** attack: the lab's slug; code: the #error; tokenPosts: POSTs the attack sends; failed: the step that fails. */
const ATTACKS = [
  { attack: 'replay', code: 'unknown_state', tokenPosts: 0, failed: 'callback-validation' },
  { attack: 'alter-state', code: 'unknown_state', tokenPosts: 0, failed: 'callback-validation' },
  { attack: 'swap-iss', code: 'iss_mismatch', tokenPosts: 0, failed: 'callback-validation' },
  { attack: 'reuse-code', code: 'invalid_grant', tokenPosts: 1, failed: 'token-response' },
];

for (const { attack, code, tokenPosts, failed } of ATTACKS) {
  test(`attack lab: ${attack} is refused with ${code}`, { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
    const real = await loginAndSettle(page, net);
    const postsBefore = net.tokenPosts.length;

    await page.locator(`#attack-lab li.attack[data-attack="${attack}"] button`).click();
    await status(page, 'error').waitFor();
    await page.locator(`#lab-result[data-attack="${attack}"][data-expected="true"]`).waitFor();
    assert.equal((await page.locator('#error').textContent()).trim(), code, '#error');
    assert.equal(new URL(page.url()).origin, APP, 'the forged callback stays on the app');

    // Give a token request that should not happen the time to start.
    if (!tokenPosts) await page.waitForTimeout(300);
    assert.equal(net.tokenPosts.length - postsBefore, tokenPosts, 'token endpoint POSTs sent by the attack');
    if (tokenPosts) {
      const sent = new URLSearchParams(net.tokenPosts.at(-1).body);
      assert.equal(sent.get('code'), real.code, 'the attack redeemed the login\'s code again');
      const errors400 = net.console.filter((m) => m.type === 'error' && m.text.includes('status of 400'));
      assert.equal(errors400.length, 1, 'console errors for the refused token POST');
    }
    assert.ok(!('pixie.lab' in (await sessionStorageOf(page))), 'pixie.lab left on the error screen');
    assert.equal(await page.locator('#attack-lab').count(), 0, 'the lab is offered only after a real sign-in');

    // The attack has a trace of its own: the forged callback, up to the step that refused it.
    const order = await slugs(page);
    assert.equal(order[0], 'callback', `the attack's trace starts with its forged callback: ${order}`);
    assert.equal(order.at(-1), failed, `the last step: ${order}`);
    const failedSteps = await page.locator('g.flow-step.flow-step--failed')
      .evaluateAll((gs) => gs.map((g) => [g.dataset.step, Number(g.dataset.stepIndex)]));
    assert.deepEqual(failedSteps, [[failed, order.length - 1]], `failed steps (of ${order})`);
    // The newest (failed) step is selected, and its card names the check that refused it.
    await stepCard(page, failed).waitFor();
    const refusal = await stepCard(page, failed).locator('li.check.check--failed').allInnerTexts();
    assert.equal(refusal.length, 1, `failed checks on the ${failed} card`);
    assert.match(refusal[0], new RegExp(`refused: ${code}`), 'the failed check names the error code');
  }, { allowConsole: tokenPosts ? [expectedConsole.httpStatus(discovery.token_endpoint, 400)] : [] }));
}

// ---------------------------------------------------------------- 6. layout

/**
 * The layout of the page now: { scrollWidth, innerWidth, pastViewport, spills },
 * the last two naming the first elements past the viewport's right edge and
 * those of the open step card that stick out of the card on the right (not
 * counting what a scrolling frame holds).
 */
const layout = (page) => page.evaluate(() => {
  const name = (el) => {
    const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const caption = el.closest('table')?.caption?.textContent;
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls}${caption ? ` (table "${caption}")` : ''}`;
  };
  const right = (el) => Math.round(el.getBoundingClientRect().right);
  // Inside a frame that scrolls (or clips) sideways, e.g. the diagram's on a phone.
  const inScroller = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const card = document.querySelector('#step-card');
  const edge = card ? card.getBoundingClientRect().right : Infinity;
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    pastViewport: [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !inScroller(el))
      .slice(0, 4).map((el) => `${name(el)} right=${right(el)}`),
    spills: card ? [...card.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > edge + 1 && !inScroller(el))
      .slice(0, 3).map((el) => `${name(el)} right=${right(el)} > card ${Math.round(edge)}`) : [],
  };
});

test('the walkthrough at desktop and phone widths (screenshots)', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page, net) => {
  await mkdir(RESULTS, { recursive: true });
  // Layout problems are collected so that both screenshots are always taken.
  const problems = [];

  await page.setViewportSize({ width: 1280, height: 900 });
  await loginAndSettle(page, net);
  await page.locator('#walkthrough svg.sequence').waitFor();
  await page.screenshot({ path: join(RESULTS, 'walkthrough-desktop.png'), fullPage: true });
  const order = await slugs(page);
  for (const slug of order) {
    await openStep(page, slug);
    for (const spill of (await layout(page)).spills) problems.push(`1280 px, ${slug} card: ${spill}`);
  }
  // Back to the newest step, as a reader would see it after a login.
  await openStep(page, order.at(-1));

  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(RESULTS, 'walkthrough-phone.png'), fullPage: true });
  const check390 = async (what) => {
    const o = await layout(page);
    if (o.scrollWidth > o.innerWidth + 1) {
      problems.push(`390 px, ${what}: horizontal overflow, scrollWidth ${o.scrollWidth} > innerWidth ${o.innerWidth}: ${o.pastViewport.join('; ')}`);
    }
    for (const spill of o.spills) problems.push(`390 px, ${what}: ${spill}`);
  };
  await check390(`${order.at(-1)} card (default)`);
  for (const slug of order) {
    await openStep(page, slug);
    await check390(`${slug} card`);
  }
  assert.deepEqual(problems, [], 'layout problems');
}));
