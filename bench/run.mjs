// `make bench`: Pixie's release bundle (dist/) against a peer page doing the
// same login with oidc-client-ts (bench/peer/): bundle sizes, then login
// timings in headless Chromium against the local provider. See bench/README.md.
//
//   node bench/run.mjs [--runs N] [--verbose] [--profiles loopback,slow4g,slow4gCpu,slow4gPlain] [--no-dpop]
//   (BENCH_RUNS=N works too)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import {
  APP, CHROMIUM, PROFILES, ROOT, acquirePorts, bundleSizes, loginOnce, releasePorts, startProvider, startStatic,
  wasmCustomSections,
} from './measure.mjs';

const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose') || argv.includes('-v');
const at = argv.indexOf('--runs');
const runsArg = at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith('--runs='))?.slice(7);
const RUNS = Number(runsArg ?? process.env.BENCH_RUNS ?? 5);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs / BENCH_RUNS must be a positive integer, not ${runsArg ?? process.env.BENCH_RUNS}`);
const profilesArg = argv.find((a) => a.startsWith('--profiles='))?.slice(11)
  ?? (argv.includes('--profiles') ? argv[argv.indexOf('--profiles') + 1] : undefined);
const PROFILE_KEYS = (profilesArg ?? 'loopback,slow4g,slow4gCpu,slow4gPlain').split(',');
for (const key of PROFILE_KEYS) if (!PROFILES[key]) throw new Error(`--profiles: no profile ${key}; there are ${Object.keys(PROFILES).join(', ')}`);
const WITH_DPOP = !argv.includes('--no-dpop');
const BUDGET = 60 * 1024; // whole-app first load: wasm + js + css, brotli

const DIST = join(ROOT, 'dist');
const LEAN_DIST = join(ROOT, 'dist-lean');
const PEER = join(ROOT, 'bench/peer');
const PEER_DIST = join(PEER, 'dist');
const APPS = [{ name: 'Pixie', dir: DIST }, { name: 'peer', dir: PEER_DIST }];

// ------------------------------------------------------------ preparation

if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/index.html is missing: run `make build` first');
if (!existsSync(CHROMIUM.executablePath)) throw new Error(`${CHROMIUM.executablePath} is missing: run \`make setup-browser\``);
if (!existsSync(join(ROOT, 'dev/provider/node_modules/oidc-provider'))) throw new Error('the provider is not installed: run `make setup`');
const installed = join(PEER, 'node_modules/.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(join(PEER, 'package-lock.json')).mtimeMs) {
  execFileSync('npm', ['ci', '--prefix', PEER, '--no-audit', '--no-fund'], { stdio: 'inherit' });
}
execFileSync(process.execPath, [join(PEER, 'build.mjs')], { stdio: 'inherit' });
const version = (pkg) => JSON.parse(readFileSync(join(PEER, 'node_modules', pkg, 'package.json'), 'utf8')).version;

// ------------------------------------------------------------ formatting

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const num = (n) => n.toLocaleString('en-US');
const pad = (s, n) => String(s).padStart(n);
const ms = (n) => n.toFixed(1);

function sizeTable(title, sizes, kinds) {
  console.log(`\n${title}`);
  console.log(`  ${''.padEnd(40)}${pad('raw', 10)}${pad('gzip -9', 10)}${pad('brotli 11', 11)}`);
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const kind of kinds) {
    const s = sizes[kind];
    for (const k in total) total[k] += s[k];
    const files = sizes.files[kind].join(' ');
    console.log(`  ${`${kind.padEnd(5)} ${files}`.slice(0, 40).padEnd(40)}${pad(num(s.raw), 10)}${pad(num(s.gzip), 10)}${pad(num(s.brotli), 11)}`);
  }
  console.log(`  ${`first load (${kinds.join(' + ')})`.padEnd(40)}${pad(num(total.raw), 10)}${pad(num(total.gzip), 10)}${pad(num(total.brotli), 11)}`);
  // A module cut into parts: what is fetched once Log in works (dev/split.mjs).
  if (sizes.files.parts?.length) {
    const p = sizes.parts;
    console.log(`  ${`parts, after Log in works (${sizes.files.parts.length} files)`.padEnd(40)}${pad(num(p.raw), 10)}${pad(num(p.gzip), 10)}${pad(num(p.brotli), 11)}`);
    for (const file of sizes.files.parts) console.log(`    ${file}`);
  }
}

// ------------------------------------------------------------ sizes

const pixieSizes = await bundleSizes(DIST);
const peerSizes = await bundleSizes(PEER_DIST);
console.log('Bundle sizes in bytes (gzip level 9 and brotli quality 11 with node:zlib; 1 KB = 1024 bytes)');
sizeTable('Pixie bundle (dist/)', pixieSizes, ['wasm', 'js', 'css', 'html']);
for (const file of pixieSizes.files.wasm) {
  if (wasmCustomSections(readFileSync(join(DIST, file))).includes('name')) {
    console.log(`  WARNING: ${file} has a name section, so wasm-opt has not run: not a release build (make build)`);
  }
}
const budgetLine = (sizes) => {
  const appBrotli = sizes.wasm.brotli + sizes.js.brotli + sizes.css.brotli;
  const margin = BUDGET - appBrotli;
  console.log(`  budget: first load, wasm + js + css, brotli = ${kb(appBrotli)} of ≤ ${kb(BUDGET)}: margin ${margin < 0 ? '-' : '+'}${kb(Math.abs(margin))} (${margin < 0 ? 'OVER' : 'within'} budget)`);
  const goal = 73 * 1024; // issue #14: smaller than React + ReactDOM + oidc-client-ts
  console.log(`  goal: whole first load (with index.html) under ${kb(goal)} brotli: ${kb(appBrotli + sizes.html.brotli)} (${appBrotli + sizes.html.brotli < goal ? 'met' : `${kb(appBrotli + sizes.html.brotli - goal)} over`})`);
};
budgetLine(pixieSizes);
// The same app built without the walkthrough (cargo --no-default-features), for
// apps that embed only the login. Sizes only; the timings are the whole app's.
if (existsSync(join(LEAN_DIST, 'index.html'))) {
  const leanSizes = await bundleSizes(LEAN_DIST);
  sizeTable('Pixie without the walkthrough (dist-lean/, make build-lean)', leanSizes, ['wasm', 'js', 'css', 'html']);
  budgetLine(leanSizes);
} else {
  console.log('\n(dist-lean/ is not built, so the login-only sizes are left out: make build-lean)');
}
sizeTable(`Peer bundle (bench/peer/dist/: oidc-client-ts ${version('oidc-client-ts')}, esbuild ${version('esbuild')} --minify)`,
  peerSizes, ['js', 'html']);
// What issue #6 asks Pixie to beat on bytes: the same login as the smallest
// React app (bench/peer/src/react.jsx). Sizes only; it is not timed.
sizeTable(`For reference: React ${version('react')} + ReactDOM + oidc-client-ts (bench/peer/dist-react/, sizes only)`,
  await bundleSizes(join(PEER, 'dist-react')), ['js']);
// The Rust peers: the smallest app on each of the other Leptos OIDC crates
// (bench/rust-peers/, built by `make bench-rust-peers` with Pixie's release
// profile and size flags). Sizes only.
for (const [dir, crate] of [['keycloak', 'leptos-keycloak-auth'], ['leptos_oidc', 'leptos_oidc']]) {
  const dist = join(ROOT, 'bench/rust-peers', dir, 'dist');
  if (!existsSync(join(dist, 'index.html'))) {
    console.log(`\n(bench/rust-peers/${dir}/dist/ is not built, so ${crate} is left out: make bench-rust-peers)`);
    continue;
  }
  const lock = readFileSync(join(ROOT, 'bench/rust-peers', dir, 'Cargo.lock'), 'utf8');
  const locked = lock.match(new RegExp(`name = "${crate}"\\nversion = "([^"]+)"`))?.[1] ?? '?';
  sizeTable(`Rust peer: ${crate} ${locked} (bench/rust-peers/${dir}/dist/, sizes only)`, await bundleSizes(dist), ['wasm', 'js', 'css', 'html']);
}

// ------------------------------------------------------------ timings

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s.at(-1) };
};

let provider;
let server;
let browser;
const stopAll = async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
  await provider?.stop();
  releasePorts();
};
process.on('SIGINT', () => stopAll().finally(() => process.exit(130)));
process.on('SIGTERM', () => stopAll().finally(() => process.exit(143)));

const ROWS = [
  ['r  first visit: navigationStart → app:ready', (r) => r.ready],
  ['a  Log in → signed-in, provider time excluded', (r) => r.app],
  ['     a1 click → navigation to the provider', (r) => r.toProvider],
  ['     a2 /callback request → app:signed-in', (r) => r.fromCallback],
  ['b  callback navigationStart → app:signed-in', (r) => r.signedIn],
  ['     of which provider redirects (fetchStart)', (r) => r.fetchStart],
  ['   /callback request → app:userinfo', (r) => r.userinfo],
  ['   consent click → app:signed-in (w/ provider)', (r) => r.fromConsent],
  ['c  requests up to app:signed-in (count)', (r) => r.critical.length],
  ['   KB over the wire, first visit (same-origin)', (r) => r.firstVisitBytes / 1024],
  ['     of which before app:ready', (r) => r.readyBytes / 1024],
  ['   KB over the wire, callback up to signed-in', (r) => r.callbackBytes / 1024],
];
const cell = (s, digits) => `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}–${s.max.toFixed(digits)}]`;

/** Pixie and the peer, interleaved, under `profile`: the whole table, then the median callbacks. */
async function timeLogins(profile) {
  const results = { Pixie: [], peer: [] };
  console.log(`\nLogin timings, ${profile.name}: ${RUNS} runs each, interleaved Pixie, peer, Pixie, … after one warm-up pair;`);
  console.log('headless Chromium, a fresh browser context per run, brotli, content-hashed files cached (dev/static-server.mjs).');
  try {
    await acquirePorts();
    // The comparison is like for like: bearer tokens, parameters in the URL
    // (oidc-client-ts uses neither DPoP nor PAR). DPoP and PAR are timed below.
    provider = await startProvider({ PIXIE_DPOP: 'off', PIXIE_PAR: 'off' });
    browser = await chromium.launch(CHROMIUM);
    for (let run = 0; run <= RUNS; run++) { // run 0 is the warm-up
      for (const app of APPS) {
        server = await startStatic(app.dir, { plain: profile.plain });
        let r;
        try {
          r = await loginOnce(browser, { profile });
        } catch (err) {
          err.message = `${app.name}, ${profile.name}, run ${run}: ${err.message}`;
          throw err;
        } finally {
          await server.stop();
          server = undefined;
        }
        if (run > 0) results[app.name].push(r);
        if (verbose) {
          console.log(`  ${run ? `run ${run}` : 'warm-up'} ${app.name.padEnd(5)}  r ${ms(r.ready)}  a1 ${ms(r.toProvider)}  a2 ${ms(r.fromCallback)}  a ${ms(r.app)}`
            + `  b ${ms(r.signedIn)}  userinfo ${ms(r.userinfo)}  consent→signed-in ${ms(r.fromConsent)}`
            + `  provider redirects ${ms(r.fetchStart)}  c ${r.critical.length}`);
        }
      }
    }
  } finally {
    await stopAll();
    browser = undefined;
    provider = undefined;
  }

  console.log(`\n  ${'ms: median [min–max]'.padEnd(47)}${'Pixie'.padStart(24)}${'peer'.padStart(24)}${'Pixie/peer'.padStart(12)}`);
  for (const [label, pick] of ROWS) {
    const digits = label.startsWith('c') ? 0 : 1;
    const [p, q] = [stats(results.Pixie.map(pick)), stats(results.peer.map(pick))];
    console.log(`  ${label.padEnd(47)}${cell(p, digits).padStart(24)}${cell(q, digits).padStart(24)}${(p.median / q.median).toFixed(2).padStart(12)}`);
  }

  // The critical path of the median run of each (by a2), relative to the /callback request.
  for (const app of APPS) {
    const rs = [...results[app.name]].sort((x, y) => x.fromCallback - y.fromCallback);
    const r = rs[(rs.length - 1) >> 1];
    const short = (url) => { const u = new URL(url); return u.origin === APP ? u.pathname : u.host + u.pathname; };
    console.log(`\n${app.name}, ${profile.name}: the callback's requests up to app:signed-in (c = ${r.critical.length}; median run;`
      + ` ms from the /callback request${verbose ? '; the rest after it' : ''})`);
    for (const q of verbose ? r.requests : r.critical) {
      const after = q.end > r.signedIn ? '  (done after app:signed-in)' : '';
      const preflight = q.type === 'preflight'; // its time is inside the next request's
      const when = preflight ? '' : `${pad(ms(Math.max(0, q.start - r.fetchStart)), 7)} → ${pad(ms(q.end - r.fetchStart), 6)}`;
      const size = preflight ? 'OPTIONS' : q.body ? `${num(q.body)} B` : 'cross-origin';
      console.log(`  ${when.padEnd(16)}  ${q.type.padEnd(10)} ${short(q.url).padEnd(48)} ${pad(size, 12)}${after}`);
    }
    console.log(`  ${pad(ms(r.fromCallback), 7)}    app:signed-in; app:userinfo at ${ms(r.userinfo)}`);
  }
}

for (const key of PROFILE_KEYS) await timeLogins(PROFILES[key]);

// ------------------------------------------------------------ DPoP and PAR

// Pixie alone, against the provider with DPoP and PAR switched on or off,
// and config.json asking for them: what a proof (and its preflight), a nonce
// challenge, a key kept in IndexedDB and a pushed request cost.
const SCENARIOS = [
  { name: 'bearer (no DPoP, no PAR)', env: { PIXIE_DPOP: 'off', PIXIE_PAR: 'off' } },
  { name: 'DPoP, memory mode (key made at the callback)', env: { PIXIE_PAR: 'off' } },
  { name: 'DPoP, sessionStorage mode (key in IndexedDB, dpop_jkt)', env: { PIXIE_PAR: 'off' }, config: { token_storage: 'session' } },
  { name: 'DPoP with a nonce required', env: { PIXIE_DPOP_NONCE: '1', PIXIE_PAR: 'off' } },
  { name: 'PAR, no DPoP ("par": "auto")', env: { PIXIE_DPOP: 'off' }, config: { par: 'auto' } },
  { name: 'DPoP + PAR, sessionStorage mode', env: {}, config: { token_storage: 'session', par: 'auto' } },
];
const scenarioResults = [];
const copies = [];
if (WITH_DPOP) try {
  await acquirePorts();
  browser = await chromium.launch(CHROMIUM);
  for (const scenario of SCENARIOS) {
    // A copy of dist/ with the scenario's config.json: routing config.json in
    // Playwright instead would turn off the browser's caches, the preflight cache too.
    let dir = DIST;
    if (scenario.config) {
      dir = mkdtempSync(join(tmpdir(), 'pixie-bench-'));
      cpSync(DIST, dir, { recursive: true });
      const config = JSON.parse(readFileSync(join(DIST, 'config.json'), 'utf8'));
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, ...scenario.config }));
      copies.push(dir);
    }
    server = await startStatic(dir);
    provider = await startProvider(scenario.env);
    const runs = [];
    for (let run = 0; run <= RUNS; run++) {
      let r;
      try {
        r = await loginOnce(browser, { refresh: true });
      } catch (err) {
        err.message = `${scenario.name}, run ${run}: ${err.message}`;
        throw err;
      }
      if (run > 0) runs.push(r);
    }
    await provider.stop();
    await server.stop();
    provider = undefined;
    server = undefined;
    scenarioResults.push({ scenario, runs });
  }
} finally {
  await stopAll();
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
}

if (WITH_DPOP) {
console.log(`\nDPoP and PAR: Pixie alone, ${RUNS} runs each after a warm-up (ms: median [min–max]; c and preflights: median count)`);
console.log(`  ${''.padEnd(56)}${'a1 click→provider'.padStart(22)}${'a2 /callback→signed-in'.padStart(24)}${'c'.padStart(4)}${'preflights'.padStart(11)}${'refresh'.padStart(22)}${'(posts, preflights)'.padStart(20)}`);
for (const { scenario, runs } of scenarioResults) {
  const med = (pick) => stats(runs.map(pick)).median;
  const refreshPosts = med((r) => r.refreshed.posts);
  const refreshPreflights = med((r) => r.refreshed.preflights);
  console.log(`  ${scenario.name.padEnd(56)}${cell(stats(runs.map((r) => r.toProvider)), 1).padStart(22)}`
    + `${cell(stats(runs.map((r) => r.fromCallback)), 1).padStart(24)}${pad(med((r) => r.critical.length), 4)}`
    + `${pad(med((r) => r.callbackPreflights.length), 11)}${cell(stats(runs.map((r) => r.refreshed.ms)), 1).padStart(22)}`
    + `${`(${refreshPosts}, ${refreshPreflights})`.padStart(20)}`);
}
console.log('  a2 counts the callback from its request to app:signed-in; "preflights" are those the callback page sent');
console.log('  (the DPoP header makes the token request non-simple); the refresh runs after the login, so the');
console.log('  token endpoint\'s preflight is already cached (the provider allows 3600 s) and a refresh is one POST.');
}
