// Minimal static file server for the built app (no dependencies).
// Usage: node dev/static-server.mjs [dir=dist] [port=8080]
// Unknown extension-less paths fall back to index.html so that client-side
// routes such as /callback?code=... load the app.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

const dir = process.argv[2] ?? 'dist';
const root = resolve(dir);
const port = Number(process.argv[3] ?? 8080);
const host = '127.0.0.1';

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
// Files the app must never see stale: the shell and its runtime config.
const NO_STORE = new Set(['index.html', 'config.json']);

async function isFile(path) {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

const server = createServer(async (req, res) => {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request\n');
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

    const body = await readFile(file);
    const name = file.slice(file.lastIndexOf(sep) + 1);
    const headers = {
      'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'X-Content-Type-Options': 'nosniff',
    };
    if (NO_STORE.has(name)) headers['Cache-Control'] = 'no-store';
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (err) {
    if (err.code !== 'ENOENT') console.error(err);
    if (!res.headersSent) res.writeHead(err.code === 'ENOENT' ? 404 : 500);
    res.end();
  }
});

server.listen(port, host, () => {
  console.log(`static server on http://${host}:${port} serving ${dir}`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
