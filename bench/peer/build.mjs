// Bundles the peer into dist/ (index.html + main-<hash>.js, minified), and
// the React reference (src/react.jsx, sizes only) into dist-react/main.js:
//   node build.mjs   (from bench/peer, or with --prefix)
// The peer's bundle name carries a content hash, as Trunk's do, so the static
// server lets the browser cache both apps' code the same way.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const reactDist = join(here, 'dist-react');
for (const dir of [dist, reactDist]) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
}
const options = {
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  legalComments: 'none',
  logLevel: 'warning',
};
const { metafile } = await build({
  ...options,
  entryPoints: [join(here, 'src/main.js')],
  outdir: dist,
  entryNames: '[name]-[hash]',
  metafile: true,
});
await build({
  ...options,
  entryPoints: [join(here, 'src/react.jsx')],
  outfile: join(reactDist, 'main.js'),
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
});
const [bundle] = Object.keys(metafile.outputs);
const html = readFileSync(join(here, 'index.html'), 'utf8');
if (!html.includes('src="/main.js"')) throw new Error('index.html must load /main.js');
writeFileSync(join(dist, 'index.html'), html.replace('src="/main.js"', `src="/${basename(bundle)}"`));
// Not loaded by the page: dev/static-server.mjs reads it to build the same
// Content-Security-Policy as for Pixie (connect-src and form-action: the issuer).
writeFileSync(join(dist, 'config.json'), `${JSON.stringify({ issuer: 'http://127.0.0.1:9000' })}\n`);
