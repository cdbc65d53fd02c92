// Start/stop helpers for the end-to-end tests: the local OpenID provider
// (dev/provider, in fault mode) and the static server for the built app
// (dist/, collecting CSP violation reports).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ISSUER = 'http://127.0.0.1:9000';
export const APP = 'http://127.0.0.1:8080';
// The built app to serve; E2E_DIST overrides it (relative to the repo root).
export const DIST = resolve(ROOT, process.env.E2E_DIST ?? 'dist');

const running = new Set();
// Never leave servers behind, even if the runner exits abruptly.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  releasePorts();
});

// `node --test` runs test files in parallel on machines with more cores, but
// every file needs ports 8080 and 9000 (fixed by the redirect URI and the
// issuer) and a provider whose fault switch nobody else flips. So a file
// holds this lock (a directory, atomic to create) while its servers run.
const PORTS_LOCK = join(tmpdir(), 'pixie-e2e-ports.lock');
let holdingPorts = false;

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

export async function acquirePorts() {
  for (;;) {
    try {
      mkdirSync(PORTS_LOCK);
      writeFileSync(join(PORTS_LOCK, 'pid'), String(process.pid));
      holdingPorts = true;
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    // Left behind by a test process that died?
    let holder = null;
    try {
      holder = Number(readFileSync(join(PORTS_LOCK, 'pid'), 'utf8'));
    } catch { /* being created right now */ }
    if (holder && !isAlive(holder)) rmSync(PORTS_LOCK, { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function releasePorts() {
  if (holdingPorts) rmSync(PORTS_LOCK, { recursive: true, force: true });
  holdingPorts = false;
}

/** Throws a clear error unless the app has been built into dist/. */
export function assertDistBuilt(dist = DIST) {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(
      `${join(dist, 'index.html')} is missing: build the app first (trunk build --release)`,
    );
  }
  return dist;
}

async function answers(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Spawns `node ...args` and resolves once `readyUrl` answers 2xx.
 * Rejects (showing the child's output) if it exits first or times out.
 */
export async function startProcess(name, args, readyUrl, { timeoutMs = 20000, env = {} } = {}) {
  // A server already on the port would make readiness checks pass against
  // the wrong process.
  if (await answers(readyUrl)) {
    throw new Error(`${name}: ${readyUrl} already answers before start; is another server using the port?`);
  }
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  let exited = null;
  const exit = new Promise((res) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    running.delete(child);
    res();
  }));

  const deadline = Date.now() + timeoutMs;
  while (!(await answers(readyUrl))) {
    if (exited) {
      throw new Error(`${name} exited (code ${exited.code}, signal ${exited.signal}) before ${readyUrl} answered.\n--- ${name} output ---\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name}: ${readyUrl} did not answer within ${timeoutMs} ms.\n--- ${name} output ---\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    name,
    child,
    output: () => output,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(killTimer);
    },
  };
}

/**
 * Starts the provider (fault mode on) and the static server on dist/ (CSP
 * reports collected) on `port`, after waiting for any other test file to stop
 * its own; returns { stop() }. `providerEnv` adds environment variables for the
 * provider, e.g. `{ PIXIE_ACCESS_TOKEN_TTL: '8' }` (see dev/provider/README.md).
 */
export async function startServers({ dist = assertDistBuilt(), port = 8080, providerEnv = {} } = {}) {
  if (!existsSync(join(ROOT, 'dev/provider/node_modules/oidc-provider'))) {
    throw new Error('dev/provider dependencies are missing: run `npm ci --prefix dev/provider`');
  }
  await acquirePorts();
  const started = [];
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop()));
    releasePorts();
  };
  try {
    started.push(await startProcess(
      'provider',
      [join(ROOT, 'dev/provider/server.mjs')],
      `${ISSUER}/.well-known/openid-configuration`,
      // Ignore a stray PORT/ISSUER or token lifetime in the environment.
      {
        env: {
          PIXIE_ACCESS_TOKEN_TTL: '',
          PIXIE_ID_TOKEN_TTL: '',
          PIXIE_REFRESH_TOKEN_TTL: '',
          PIXIE_DPOP: '',
          PIXIE_DPOP_NONCE: '',
          PIXIE_PAR: '',
          PIXIE_END_SESSION: '',
          PORT: new URL(ISSUER).port,
          ISSUER,
          // May set ISSUER to one with a path on the same port (a Keycloak-shaped realm).
          ...providerEnv,
          PIXIE_PROVIDER_FAULTS: '1',
        },
      },
    ));
    started.push(await startProcess(
      'static server',
      [join(ROOT, 'dev/static-server.mjs'), dist, String(port)],
      `http://127.0.0.1:${port}/index.html`,
      { env: { CSP_REPORTS: '1' } },
    ));
  } catch (err) {
    await stop();
    throw err;
  }
  return { provider: started[0], app: started[1], stop };
}

async function faultSwitch(method, path) {
  const res = await fetch(`${ISSUER}/__faults${path}`, { method });
  if (res.status !== 204) throw new Error(`${method} /__faults${path}: HTTP ${res.status} ${await res.text()}`);
}

/** Makes the provider misbehave in one way (see dev/provider/faults.mjs). */
export const setFault = (name) => faultSwitch('PUT', `/${name}`);

/** Back to a well-behaved provider. */
export const clearFaults = () => faultSwitch('DELETE', '');

/** The CSP violation reports the static server (on `app`'s origin) has received so far. */
export async function cspReports(app = APP) {
  const res = await fetch(`${app}/__csp-reports`);
  if (!res.ok) throw new Error(`GET /__csp-reports: HTTP ${res.status}`);
  return res.json();
}

async function testHook(method, path, expected) {
  const res = await fetch(`${ISSUER}/__test/${path}`, { method });
  if (res.status !== expected) throw new Error(`${method} /__test/${path}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

/**
 * What the provider saw since the start or the last reset:
 * { refreshes, refreshTokenReuse, refreshErrors, revocations, endSessions,
 *   endSessionsConfirmed, grantsRevoked, accessTokensExpired }
 * (see dev/provider/README.md).
 */
export const testEvents = async () => (await testHook('GET', 'events', 200)).json();

/** Sets every counter of testEvents() back to 0. */
export const resetTestEvents = async () => { await testHook('DELETE', 'events', 204); };

/** Destroys every access token issued so far; resolves to how many. */
export const expireAccessTokens = async () => Number(
  (await testHook('POST', 'expire-access-tokens', 204)).headers.get('x-destroyed'),
);
