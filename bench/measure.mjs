// Helpers for bench/run.mjs: bundle sizes, the servers, one timed login.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

import { acquirePorts, releasePorts, startProcess } from '../tests/e2e/servers.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ISSUER = 'http://127.0.0.1:9000';
export const APP = 'http://127.0.0.1:8080';

// ---------------------------------------------------------------- sizes

const gz = promisify(gzip);
const br = promisify(brotliCompress);

/** { raw, gzip, brotli } in bytes: gzip -9 and brotli quality 11 (node:zlib). */
export async function compressedSizes(buf) {
  const [g, b] = await Promise.all([
    gz(buf, { level: 9 }),
    br(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }),
  ]);
  return { raw: buf.length, gzip: g.length, brotli: b.length };
}

const KINDS = { wasm: /\.wasm$/, js: /\.m?js$/, css: /\.css$/, html: /^index\.html$/ };

/**
 * Sizes per kind of the files in `dir` (several files of a kind are added up),
 * plus `files`. A module cut into parts (dev/split.mjs) has one `.wasm` that
 * index.html loads, counted as `wasm`, and parts fetched later, counted as
 * `parts` (the first load leaves them out).
 */
export async function bundleSizes(dir) {
  const names = readdirSync(dir);
  const html = names.includes('index.html') ? readFileSync(join(dir, 'index.html'), 'utf8') : '';
  const kindOf = (name) => {
    if (KINDS.wasm.test(name)) return html.includes(name) ? 'wasm' : 'parts';
    return Object.keys(KINDS).find((kind) => KINDS[kind].test(name));
  };
  const out = { files: {} };
  for (const kind of [...Object.keys(KINDS), 'parts']) {
    const sum = { raw: 0, gzip: 0, brotli: 0 };
    out.files[kind] = names.filter((n) => kindOf(n) === kind);
    for (const name of out.files[kind]) {
      const s = await compressedSizes(readFileSync(join(dir, name)));
      for (const k in sum) sum[k] += s[k];
    }
    out[kind] = sum;
  }
  return out;
}

// ---------------------------------------------------------------- servers

// The same port lock and process handling as the e2e tests, which also use
// ports 8080 and 9000.
export { acquirePorts, releasePorts };

const startServer = (name, args, readyUrl, env) => startProcess(name, args, readyUrl, { env });

/** The local provider; `env`: its switches, e.g. `{ PIXIE_DPOP: 'off' }` (dev/provider/README.md). */
export const startProvider = (env = {}) => startServer(
  'provider', ['dev/provider/server.mjs'], `${ISSUER}/.well-known/openid-configuration`,
  { PORT: '9000', ISSUER, PIXIE_PROVIDER_FAULTS: '', PIXIE_DPOP: '', PIXIE_DPOP_NONCE: '', PIXIE_PAR: '', ...env },
);

/** dev/static-server.mjs on `dir` at 8080 (SPA fallback, no compression). */
/** `plain`: uncompressed and `no-store`, as a host without the README's headers. */
export const startStatic = (dir, { plain = false } = {}) => startServer('static server', ['dev/static-server.mjs', dir, '8080'],
  `${APP}/index.html`, { CSP_REPORTS: '', STATIC_PLAIN: plain ? '1' : '' });

// ---------------------------------------------------------------- one login

export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

// In the page: the epoch time (ms, sub-ms precision) of the next click, taken
// in the capture phase before any handler of the page runs.
function recordNextClick(name) {
  addEventListener('click', () => window.__benchTime(name, performance.timeOrigin + performance.now()),
    { capture: true, once: true });
}

/**
 * One login in a fresh browser context against the app served at APP.
 * Returns the timings (ms) and the callback page's requests. `config`:
 * fields to serve in config.json over the built one's; `refresh`: also press
 * Refresh tokens once signed in, and time it (Pixie only).
 */
/**
 * Network and CPU profiles, applied the same way to both apps through the
 * DevTools protocol on the page's session. Slow 4G is Lighthouse's: 150 ms
 * round trip, 1.6 Mbit/s down, 750 kbit/s up.
 */
export const PROFILES = {
  loopback: { name: 'loopback' },
  slow4g: { name: 'slow 4G (150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up)', network: { latency: 150, down: 1.6e6, up: 750e3 } },
  slow4gCpu: { name: 'slow 4G and CPU 4× slower', network: { latency: 150, down: 1.6e6, up: 750e3 }, cpu: 4 },
  slow4gPlain: {
    name: 'slow 4G, served uncompressed with no-store (no deployment headers)',
    network: { latency: 150, down: 1.6e6, up: 750e3 },
    plain: true,
  },
};

async function applyProfile(cdp, profile) {
  if (profile.network) {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: profile.network.latency,
      downloadThroughput: profile.network.down / 8, // bytes per second
      uploadThroughput: profile.network.up / 8,
    });
  }
  if (profile.cpu) await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
}

export async function loginOnce(browser, { config, refresh = false, profile = PROFILES.loopback } = {}) {
  const context = await browser.newContext();
  context.setDefaultTimeout(20_000);
  if (config) {
    await context.route(`${APP}/config.json`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...(await response.json()), ...config } });
    });
  }
  const times = {};
  await context.exposeBinding('__benchTime', (_source, name, t) => { times[name] = t; });
  const page = await context.newPage();
  // Resource Timing does not show CORS preflights; the DevTools protocol does.
  // Those the callback page sends (the navigation to it resets the list):
  let preflights = [];
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await applyProfile(cdp, profile);
  cdp.on('Network.requestWillBeSent', (e) => {
    if (e.type === 'Document' && e.request.url.startsWith(`${APP}/callback`)) preflights = [];
    else if (e.initiator?.type === 'preflight') preflights.push(e.request.url);
  });
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  try {
    await page.goto(`${APP}/`);
    await page.locator('#status[data-state="signed-out"]').waitFor();
    await page.waitForFunction(() => performance.getEntriesByName('app:ready').length > 0);
    // First visit (empty cache): navigation start → Log in usable.
    const ready = await page.evaluate(() => performance.getEntriesByName('app:ready')[0].startTime);
    await page.waitForLoadState('networkidle'); // what the app loads at start is done
    // Bytes over the wire on the first visit (cross-origin answers without
    // Timing-Allow-Origin count 0, as for both apps' discovery).
    const firstVisitBytes = await page.evaluate(() => [...performance.getEntriesByType('navigation'),
      ...performance.getEntriesByType('resource')].reduce((sum, e) => sum + e.transferSize, 0));
    // Of which before Log in was usable (a module cut into parts fetches them after).
    const readyBytes = await page.evaluate((at) => [...performance.getEntriesByType('navigation'),
      ...performance.getEntriesByType('resource')].filter((e) => e.responseEnd <= at)
      .reduce((sum, e) => sum + e.transferSize, 0), ready);
    await page.evaluate(recordNextClick, 'login');
    await page.getByRole('button', { name: 'Log in' }).click();

    await page.waitForURL((u) => u.origin === ISSUER && u.pathname.startsWith('/interaction/'));
    const providerStart = await page.evaluate(() => performance.timeOrigin);
    await page.fill('input[name="login"]', 'alice');
    await page.fill('input[name="password"]', 'bench');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    const cont = page.getByRole('button', { name: 'Continue' });
    await cont.waitFor();
    await page.evaluate(recordNextClick, 'consent');
    await cont.click();

    await page.locator('#status[data-state="signed-in"]').waitFor();
    await page.waitForFunction(() => performance.getEntriesByName('app:userinfo').length > 0);
    const cb = await page.evaluate(() => {
      const [nav] = performance.getEntriesByType('navigation');
      const mark = (n) => performance.getEntriesByName(n)[0].startTime;
      return {
        url: location.href,
        timeOrigin: performance.timeOrigin,
        fetchStart: nav.fetchStart,
        signedIn: mark('app:signed-in'),
        userinfo: mark('app:userinfo'),
        // The document itself, then everything it fetched, in start order.
        requests: [nav, ...performance.getEntriesByType('resource')].map((e) => ({
          url: e.name, type: e.initiatorType, start: e.startTime, end: e.responseEnd,
          bytes: e.transferSize, body: e.encodedBodySize,
        })),
      };
    });
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    if (times.login === undefined || times.consent === undefined) throw new Error('a click was not recorded');
    const callbackPreflights = [...preflights];

    // A refresh, once the callback's preflight (if any) is in the browser's cache.
    let refreshed = null;
    if (refresh) {
      const before = preflights.length;
      const tokenRequests = [];
      const onRequest = (req) => { if (req.method() === 'POST' && req.url().startsWith(`${ISSUER}/token`)) tokenRequests.push(req.url()); };
      page.on('request', onRequest);
      await page.evaluate(recordNextClick, 'refresh');
      await page.getByRole('button', { name: 'Refresh tokens' }).click();
      await page.waitForFunction(() => performance.getEntriesByName('app:refreshed').length > 0);
      const at = await page.evaluate(() => performance.timeOrigin + performance.getEntriesByName('app:refreshed')[0].startTime);
      page.off('request', onRequest);
      refreshed = { ms: at - times.refresh, posts: tokenRequests.length, preflights: preflights.length - before };
    }

    // Each preflight goes just before the request it clears, and counts as done with it.
    const requests = cb.requests.flatMap((r) => (preflights.includes(r.url)
      ? [{ ...r, type: 'preflight', bytes: 0, body: 0 }, r] : [r]));
    const toProvider = providerStart - times.login;
    const fromCallback = cb.signedIn - cb.fetchStart;
    return {
      ready,                                         // r: first visit, navigation start → app:ready
      firstVisitBytes,                               // bytes transferred by the first visit (same-origin)
      readyBytes,                                    // … of which before app:ready
      callbackBytes: requests.filter((r) => r.end <= cb.signedIn).reduce((sum, r) => sum + (r.bytes ?? 0), 0),
      toProvider,                                    // a1: Log in click → navigation to the provider starts
      fromCallback,                                  // a2: /callback request starts → app:signed-in
      app: toProvider + fromCallback,                // a: the app's share of the login
      fromConsent: cb.timeOrigin + cb.signedIn - times.consent, // consent click → app:signed-in
      signedIn: cb.signedIn,                         // b: callback navigationStart → app:signed-in
      userinfo: cb.userinfo - cb.fetchStart,         // /callback request starts → app:userinfo
      fetchStart: cb.fetchStart,                     // redirect hops at the provider before /callback
      // c: what app:signed-in can have waited for, i.e. done by then; a request
      // started before the mark but still running (Pixie's userinfo) is not.
      critical: requests.filter((r) => r.end <= cb.signedIn),
      requests,
      callbackPreflights,                            // CORS preflights the callback page sent by app:userinfo
      refreshed,                                     // { ms, posts, preflights } of one Refresh tokens, if asked
    };
  } finally {
    await context.close();
  }
}

/** The names of the custom sections of a .wasm file (`name` is gone once wasm-opt has run). */
export function wasmCustomSections(buf) {
  const names = [];
  let i = 8; // magic + version
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = buf[i++];
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
    }
  };
  while (i < buf.length) {
    const id = buf[i++];
    const size = leb();
    const end = i + size;
    if (id === 0) {
      const length = leb();
      names.push(buf.toString('utf8', i, i + length));
    }
    i = end;
  }
  return names;
}
