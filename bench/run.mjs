// `make bench`: Pixie's release bundle (dist/) against a peer page doing the
// same login with oidc-client-ts (bench/peer/): bundle sizes, then login
// timings in headless Chromium against the local provider. See bench/README.md.
//
//   node bench/run.mjs [--runs N] [--verbose]     (BENCH_RUNS=N works too)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import {
  APP, CHROMIUM, ROOT, acquirePorts, bundleSizes, loginOnce, releasePorts, startProvider, startStatic,
  wasmCustomSections,
} from './measure.mjs';

const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose') || argv.includes('-v');
const at = argv.indexOf('--runs');
const runsArg = at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith('--runs='))?.slice(7);
const RUNS = Number(runsArg ?? process.env.BENCH_RUNS ?? 5);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs / BENCH_RUNS must be a positive integer, not ${runsArg ?? process.env.BENCH_RUNS}`);
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
  console.log(`  budget: wasm + js + css, brotli = ${kb(appBrotli)} of ≤ ${kb(BUDGET)}: margin ${margin < 0 ? '-' : '+'}${kb(Math.abs(margin))} (${margin < 0 ? 'OVER' : 'within'} budget)`);
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

// ------------------------------------------------------------ timings

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s.at(-1) };
};

const results = { Pixie: [], peer: [] };
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

console.log(`\nLogin timings: ${RUNS} runs each, interleaved Pixie, peer, Pixie, … after one warm-up pair;`);
console.log('headless Chromium, a fresh browser context per run, loopback, brotli, content-hashed files cached (dev/static-server.mjs).');
try {
  await acquirePorts();
  provider = await startProvider();
  browser = await chromium.launch(CHROMIUM);
  for (let run = 0; run <= RUNS; run++) { // run 0 is the warm-up
    for (const app of APPS) {
      server = await startStatic(app.dir);
      let r;
      try {
        r = await loginOnce(browser);
      } catch (err) {
        err.message = `${app.name}, run ${run}: ${err.message}`;
        throw err;
      } finally {
        await server.stop();
        server = undefined;
      }
      if (run > 0) results[app.name].push(r);
      if (verbose) {
        console.log(`  ${run ? `run ${run}` : 'warm-up'} ${app.name.padEnd(5)}  a1 ${ms(r.toProvider)}  a2 ${ms(r.fromCallback)}  a ${ms(r.app)}`
          + `  b ${ms(r.signedIn)}  userinfo ${ms(r.userinfo)}  consent→signed-in ${ms(r.fromConsent)}`
          + `  provider redirects ${ms(r.fetchStart)}  c ${r.critical.length}`);
      }
    }
  }
} finally {
  await stopAll();
}

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
];
const cell = (s, digits) => `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}–${s.max.toFixed(digits)}]`;
console.log(`\n  ${'ms: median [min–max]'.padEnd(47)}${'Pixie'.padStart(22)}${'peer'.padStart(22)}${'Pixie/peer'.padStart(12)}`);
for (const [label, pick] of ROWS) {
  const digits = label.startsWith('c') ? 0 : 1;
  const [p, q] = [stats(results.Pixie.map(pick)), stats(results.peer.map(pick))];
  console.log(`  ${label.padEnd(47)}${cell(p, digits).padStart(22)}${cell(q, digits).padStart(22)}${(p.median / q.median).toFixed(2).padStart(12)}`);
}

// The critical path of the median run of each (by a2), relative to the /callback request.
for (const app of APPS) {
  const rs = [...results[app.name]].sort((x, y) => x.fromCallback - y.fromCallback);
  const r = rs[(rs.length - 1) >> 1];
  const short = (url) => { const u = new URL(url); return u.origin === APP ? u.pathname : u.host + u.pathname; };
  console.log(`\n${app.name}: the callback's requests up to app:signed-in (c = ${r.critical.length}; median run;`
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
