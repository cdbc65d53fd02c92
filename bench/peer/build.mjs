// Bundles the peer into dist/ (index.html + main-<hash>.js, minified):
//   node build.mjs   (from bench/peer, or with --prefix)
// The bundle's name carries a content hash, as Trunk's do, so the static
// server lets the browser cache both apps' code the same way.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
const { metafile } = await build({
  entryPoints: [join(here, 'src/main.js')],
  outdir: dist,
  entryNames: '[name]-[hash]',
  metafile: true,
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  legalComments: 'none',
  logLevel: 'warning',
});
const [bundle] = Object.keys(metafile.outputs);
const html = readFileSync(join(here, 'index.html'), 'utf8');
if (!html.includes('src="/main.js"')) throw new Error('index.html must load /main.js');
writeFileSync(join(dist, 'index.html'), html.replace('src="/main.js"', `src="/${basename(bundle)}"`));
// Not loaded by the page: dev/static-server.mjs reads it to build the same
// Content-Security-Policy as for Pixie (connect-src and form-action: the issuer).
writeFileSync(join(dist, 'config.json'), `${JSON.stringify({ issuer: 'http://127.0.0.1:9000' })}\n`);
