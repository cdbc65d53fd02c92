// Start/stop helpers for the end-to-end tests: the local OpenID provider
// (dev/provider) and the static server for the built app (dist/).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
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
});

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

/** Starts the provider and the static server on dist/; returns { stop() }. */
export async function startServers({ dist = assertDistBuilt() } = {}) {
  if (!existsSync(join(ROOT, 'dev/provider/node_modules/oidc-provider'))) {
    throw new Error('dev/provider dependencies are missing: run `npm ci --prefix dev/provider`');
  }
  const started = [];
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
  try {
    started.push(await startProcess(
      'provider',
      [join(ROOT, 'dev/provider/server.mjs')],
      `${ISSUER}/.well-known/openid-configuration`,
      { env: { PORT: new URL(ISSUER).port, ISSUER } }, // ignore a stray PORT/ISSUER in the environment
    ));
    started.push(await startProcess(
      'static server',
      [join(ROOT, 'dev/static-server.mjs'), dist, '8080'],
      `${APP}/index.html`,
    ));
  } catch (err) {
    await stop();
    throw err;
  }
  return { provider: started[0], app: started[1], stop };
}
