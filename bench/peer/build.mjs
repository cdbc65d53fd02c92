// Bundles the peer into dist/ (index.html + main.js, minified):
//   node build.mjs   (from bench/peer, or with --prefix)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
await build({
  entryPoints: [join(here, 'src/main.js')],
  outfile: join(dist, 'main.js'),
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(here, 'index.html'), join(dist, 'index.html'));
// Not loaded by the page: dev/static-server.mjs reads it to build the same
// Content-Security-Policy as for Pixie (connect-src and form-action: the issuer).
writeFileSync(join(dist, 'config.json'), `${JSON.stringify({ issuer: 'http://127.0.0.1:9000' })}\n`);
