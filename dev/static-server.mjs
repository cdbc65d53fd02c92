// Minimal static file server for the built app (no dependencies).
// Usage: [CSP_REPORTS=1] node dev/static-server.mjs [dir=dist] [port=8080]
// Unknown extension-less paths fall back to index.html so that client-side
// routes such as /callback?code=... load the app.
//
// HTML responses carry the Content-Security-Policy of dev/csp.mjs, computed
// from the served index.html and config.json (and recomputed when either
// changes, so a rebuild is picked up), and COOP same-origin; every response
// carries nosniff and Referrer-Policy: no-referrer.
// JS, CSS and wasm are sent compressed as a production host would: brotli
// (quality 11; 5 above 1 MB) when the browser accepts it, else gzip -9; each
// file is compressed once, kept in memory until it changes and, up to 1 MB,
// on disk by content digest (see DISK_CACHE). Content-hashed files
// are cacheable for a year; index.html and config.json are never stored.
// STATIC_PLAIN=1 (make bench's "careless host" row) sends everything
// uncompressed and `no-store`, as a host without the deployment guide's headers would.
// CSP_REPORTS=1 (the e2e tests) adds `report-uri /__csp-report`, keeps the
// reports POSTed there, and lists them at GET /__csp-reports (a JSON array).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

import { buildPolicy, configuredOrigins, inlineScriptHashes } from './csp.mjs';

const dir = process.argv[2] ?? 'dist';
const root = resolve(dir);
const port = Number(process.argv[3] ?? 8080);
const host = '127.0.0.1';
const cspReports = process.env.CSP_REPORTS === '1' ? [] : null;
const plain = process.env.STATIC_PLAIN === '1';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.wasm', '.svg', '.map']);
// Files the app must never see stale: the shell and its runtime config.
const NO_STORE = new Set(['index.html', 'config.json']);
// A name with a content hash (Trunk's `pixie-<16 hex>_bg.wasm`, esbuild's
// `main-<8 chars>.js`) never changes content, so it may be cached for good:
// the callback page then takes the app's code from the cache, as in production.
const CONTENT_HASHED = /-[0-9A-Za-z]{8,}(_bg)?\.(js|mjs|css|wasm)$/;

// The policy for the HTML being served (hashing exactly the bytes sent, even
// mid-rebuild) and the current config.json; recomputed when either changes.
let cspCache = { key: null, policy: null };
function policyFor(html) {
  const configPath = join(root, 'config.json');
  const { mtimeMs, size, ino } = statSync(configPath);
  const key = `${mtimeMs}/${size}/${ino}\n${html}`;
  if (cspCache.key !== key) {
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    cspCache = {
      key,
      policy: buildPolicy({
        scriptHashes: inlineScriptHashes(html),
        issuerOrigin: new URL(config.issuer).origin,
        connect: configuredOrigins(config),
        reportUri: cspReports ? '/__csp-report' : undefined,
      }),
    };
  }
  return cspCache.policy;
}

/** Collects violation reports (CSP_REPORTS=1 only). True if it handled the request. */
async function handleCspReports(req, res, pathname) {
  if (!cspReports) return false;
  if (pathname === '/__csp-report' && req.method === 'POST') {
    let body = '';
    for await (const chunk of req) {
      body += chunk;
      if (body.length > 65536) {
        res.writeHead(413).end();
        return true;
      }
    }
    try {
      cspReports.push(JSON.parse(body));
    } catch {
      cspReports.push({ unparsable: body });
    }
    console.error(`CSP violation report: ${body}`);
    res.writeHead(204).end();
    return true;
  }
  if (pathname === '/__csp-reports' && req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(cspReports));
    return true;
  }
  return false;
}

// Brotli 11 (what a host precompresses with, and what make bench's sizes are)
// takes about a second per MB here; a debug build's multi-MB wasm (make demo)
// gets quality 5 instead, so a reload after a rebuild does not wait for it.
const BROTLI_MAX_QUALITY_BYTES = 1024 * 1024;
const compressors = {
  br: (body) => promisify(brotliCompress)(body, {
    params: {
      [zlib.BROTLI_PARAM_QUALITY]: body.length <= BROTLI_MAX_QUALITY_BYTES ? 11 : 5,
      [zlib.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  }),
  gzip: (body) => promisify(gzip)(body, { level: 9 }),
};
const compressedCache = new Map(); // `${encoding} ${file}` -> { digest, promise }

// Brotli 11 of a release wasm takes about a second, and the bench and the
// tests restart this server often: compressed copies of files up to 1 MB are
// also kept on disk, by content digest, so each content is compressed once.
const DISK_CACHE = join(tmpdir(), 'pixie-static-compressed');

async function compressWithDiskCache(encoding, body, digest) {
  if (body.length > BROTLI_MAX_QUALITY_BYTES) return compressors[encoding](body);
  const cached = join(DISK_CACHE, `${digest}.${encoding}`);
  try {
    return await readFile(cached);
  } catch {
    const compressed = await compressors[encoding](body);
    try {
      await mkdir(DISK_CACHE, { recursive: true });
      const partial = `${cached}.${process.pid}.tmp`;
      await writeFile(partial, compressed);
      await rename(partial, cached); // whole files only, even with several servers
    } catch (err) {
      console.error(`could not keep ${cached}: ${err.message}`);
    }
    return compressed;
  }
}

/** The encoding to send `file` with ('br', 'gzip' or null) and the bytes to send. */
async function encodeFor(req, file, body) {
  if (!COMPRESSIBLE.has(extname(file).toLowerCase()) || body.length < 1024) return { encoding: null, bytes: body };
  const accepted = String(req.headers['accept-encoding'] ?? '');
  const encoding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : null;
  if (!encoding) return { encoding: null, bytes: body };
  const digest = createHash('sha256').update(body).digest('hex');
  const cacheKey = `${encoding} ${file}`;
  let entry = compressedCache.get(cacheKey);
  if (!entry || entry.digest !== digest) {
    entry = { digest, promise: compressWithDiskCache(encoding, body, digest) };
    compressedCache.set(cacheKey, entry);
  }
  return { encoding, bytes: await entry.promise };
}

async function isFile(path) {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

const server = createServer(async (req, res) => {
  try {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request\n');
      return;
    }
    if (await handleCspReports(req, res, pathname)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (pathname.includes('\0')) {
      res.writeHead(400).end('bad request\n');
      return;
    }
    if (pathname.endsWith('/')) pathname += 'index.html';

    // Resolve inside root and refuse anything that escapes it (../, encoded or not).
    let file = resolve(root, `.${pathname}`);
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden\n');
      return;
    }
    if (!(await isFile(file))) {
      if (extname(pathname) !== '') {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      file = join(root, 'index.html'); // SPA fallback
    }

    const raw = await readFile(file);
    const name = file.slice(file.lastIndexOf(sep) + 1);
    const { encoding, bytes: body } = plain ? { encoding: null, bytes: raw } : await encodeFor(req, file, raw);
    const headers = {
      'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      Vary: 'Accept-Encoding',
    };
    if (encoding) headers['Content-Encoding'] = encoding;
    if (NO_STORE.has(name) || plain) headers['Cache-Control'] = 'no-store';
    else if (CONTENT_HASHED.test(name)) headers['Cache-Control'] = 'public, max-age=31536000, immutable';
    if (extname(file).toLowerCase() === '.html') {
      let policy;
      try {
        policy = policyFor(raw.toString('utf8'));
      } catch (err) {
        // E.g. config.json missing while Trunk swaps in a new build: never serve HTML without a policy.
        console.error(`no Content-Security-Policy for ${root}: ${err.message}`);
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1' })
          .end('The app is being rebuilt or its config.json is missing or invalid; retry in a moment.\n');
        return;
      }
      headers['Content-Security-Policy'] = policy;
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (err) {
    if (err.code !== 'ENOENT') console.error(err);
    if (!res.headersSent) res.writeHead(err.code === 'ENOENT' ? 404 : 500);
    res.end();
  }
});

server.listen(port, host, () => {
  console.log(`static server on http://${host}:${port} serving ${dir}${cspReports ? ' (collecting CSP reports)' : ''}`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
