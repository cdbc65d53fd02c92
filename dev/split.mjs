// Trunk's post_build hook (Trunk.toml): splits the module at its split points,
// optimises every part, and names each file after its content.
//
//   node dev/split.mjs <cargo bin name>      (run by Trunk, with its TRUNK_* environment;
//                                            examples/notes runs it too)
//
// Trunk 0.21 cannot split a module, so it builds as usual (with
// data-wasm-opt="0") and this hook takes over after it:
//
// 1. If cargo's own output has split points (functions marked with
//    `wasm_split`: the demo's `split` feature), `wasm-split-cli` cuts it into
//    the main module, one module per split point and shared chunks, plus
//    `__wasm_split.js`, which fetches a part the first time it is called.
//    wasm-bindgen then runs again on the main module, with
//    --keep-lld-exports (the parts need its function table).
// 2. Release builds give the main module's imports and exports short names
//    (see shortenNames), minify the JS (esbuild), then run wasm-opt -Oz on every module (after
//    splitting: before, it would drop the relocations the splitter reads).
// 3. Every file is renamed after its content (immutable caching stays
//    right), and index.html gets new Subresource Integrity hashes, a
//    modulepreload (with its hash) for the loader, and the loader fetches each
//    part with its own integrity hash, so no byte runs unverified.
//
// Without split points this is steps 2 and 3.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { transformSync } from 'esbuild';

const PLACEHOLDER = '__wasm_split_placeholder__';
const WASM_OPT_FLAGS = ['-Oz', '--enable-bulk-memory', '--enable-nontrapping-float-to-int'];

const bin = process.argv[2];
const staging = process.env.TRUNK_STAGING_DIR;
const profile = process.env.TRUNK_PROFILE;
if (!bin || !staging || !profile) {
  console.error('usage: node dev/split.mjs <cargo bin name>, as a Trunk post_build hook (TRUNK_STAGING_DIR and TRUNK_PROFILE unset)');
  process.exit(2);
}
const release = profile === 'release';
const targetDir = process.env.CARGO_TARGET_DIR
  ? resolve(process.env.CARGO_TARGET_DIR)
  : JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { encoding: 'utf8' })).target_directory;
const cargoWasm = join(targetDir, 'wasm32-unknown-unknown', profile, `${bin}.wasm`);

// ----- reading and writing wasm sections -------------------------------------

const readLeb = (bytes, at) => {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
};
const leb = (value) => {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
};
const readName = (bytes, at) => {
  const [length, start] = readLeb(bytes, at);
  return [bytes.subarray(start, start + length).toString('utf8'), start + length];
};
const name = (text) => Buffer.concat([leb(Buffer.byteLength(text)), Buffer.from(text)]);

/** `wasm` without the linker's relocation sections (`reloc.*`, `linking`), which --emit-relocs keeps for the splitter. */
function withoutRelocations(wasm) {
  const kept = [wasm.subarray(0, 8)];
  for (let at = 8; at < wasm.length;) {
    const start = at;
    const id = wasm[at];
    const [size, payload] = readLeb(wasm, at + 1);
    at = payload + size;
    if (id === 0) {
      const [section] = readName(wasm, payload);
      if (section.startsWith('reloc.') || section === 'linking') continue;
    }
    kept.push(wasm.subarray(start, at));
  }
  return Buffer.concat(kept);
}

// ----- the main module's import and export names ---------------------------

/** The end of an import's description (after its module and field names), from its kind. */
function skipImportDescription(bytes, at) {
  const kind = bytes[at++];
  const limits = (p) => {
    const flags = bytes[p++];
    [, p] = readLeb(bytes, p);
    if (flags & 1) [, p] = readLeb(bytes, p);
    return p;
  };
  switch (kind) {
    case 0: return readLeb(bytes, at)[1]; // function: its type
    case 1: return limits(at + 1); // table: its element type, then limits
    case 2: return limits(at); // memory
    case 3: return at + 2; // global: value type, mutability
    case 4: return readLeb(bytes, at + 1)[1]; // tag
    default: throw new Error(`[split] unknown import kind ${kind}`);
  }
}

/**
 * wasm-bindgen names every import and export after the Rust item behind it,
 * with a hash: `__wbg_instanceof_IdbDatabase_3fd78b576d374c8e`, closure
 * shims of 300 characters. Both the module and its JS glue carry each name,
 * and every user downloads them. This gives each a short name in both (only
 * names the glue uses in exactly the expected places; the loader's own
 * exports keep theirs), and drops the exports of ReadableStream sources that
 * Leptos's server-function support brings (wasm-streams), which nothing in a
 * client-side app calls, so wasm-opt can drop their code.
 */
function shortenNames(wasm, js) {
  const out = [wasm.subarray(0, 8)];
  let imports = 0;
  let exports = 0;
  let dropped = 0;
  const glueKey = (field) => `\n        ${field}: function(`;
  for (let at = 8; at < wasm.length;) {
    const id = wasm[at];
    const [size, payload] = readLeb(wasm, at + 1);
    const end = payload + size;
    if (id === 2) { // imports
      let [count, p] = readLeb(wasm, payload);
      const entries = [];
      for (; count > 0; count--) {
        const start = p;
        let module;
        let field;
        [module, p] = readName(wasm, p);
        [field, p] = readName(wasm, p);
        const descriptionAt = p;
        p = skipImportDescription(wasm, p);
        const description = wasm.subarray(descriptionAt, p);
        const occurrences = js.split(field).length - 1;
        if (module.endsWith('_bg.js') && description[0] === 0 && occurrences === 1 && js.includes(glueKey(field))) {
          const short = `i${(imports++).toString(36)}`;
          js = js.replace(glueKey(field), glueKey(short));
          entries.push(Buffer.concat([name(module), name(short), description]));
        } else {
          entries.push(wasm.subarray(start, p));
        }
      }
      const body = Buffer.concat([leb(entries.length), ...entries]);
      out.push(Buffer.from([2]), leb(body.length), body);
    } else if (id === 7) { // exports
      let [count, p] = readLeb(wasm, payload);
      const entries = [];
      for (; count > 0; count--) {
        const start = p;
        let field;
        [field, p] = readName(wasm, p);
        const kind = wasm[p];
        [, p] = readLeb(wasm, p + 1);
        const rest = wasm.subarray(start + name(field).length, p);
        if (/^(__wbg_)?intounderlying(bytesource|sink|source)_/.test(field)) {
          dropped++;
          continue;
        }
        // Only `wasm.<name>` is rewritten (a JS function of the same name is the glue's own,
        // which the minifier renames); a name the glue quotes is left alone.
        const quoted = js.includes(`"${field}"`) || js.includes(`'${field}'`);
        const boundary = new RegExp(`wasm\\.${field}(?![\\w$])`, 'g');
        if (kind === 0 && !field.startsWith('__wasm_split') && !quoted && boundary.test(js)) {
          const short = `x${(exports++).toString(36)}`;
          js = js.replace(boundary, `wasm.${short}`);
          entries.push(Buffer.concat([name(short), rest]));
        } else {
          entries.push(wasm.subarray(start, p));
        }
      }
      const body = Buffer.concat([leb(entries.length), ...entries]);
      out.push(Buffer.from([7]), leb(body.length), body);
    } else {
      out.push(wasm.subarray(at, end));
    }
    at = end;
  }
  // Their classes are no longer exported, so the minifier drops them.
  if (dropped) js = js.replace(/^export class (IntoUnderlying\w+) /gm, 'class $1 ');
  return { wasm: Buffer.concat(out), js, imports, exports, dropped };
}

/** `js` minified (esbuild; an ES module keeps its imports and export names). */
const minify = (js) => transformSync(js, { minify: true, treeShaking: true, format: 'esm', target: 'es2022', legalComments: 'none' }).code;

const say = (message) => console.log(`[split] ${message}`);
const run = (tool, args) => execFileSync(tool, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const digest = (bytes, algorithm = 'sha256') => createHash(algorithm).update(bytes).digest();
const shortHash = (...parts) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex').slice(0, 16);
};
const integrity = (bytes) => `sha384-${digest(bytes, 'sha384').toString('base64')}`;

// Trunk's output: <bin>-<hash>.js and <bin>-<hash>_bg.wasm.
const htmlPath = join(staging, 'index.html');
let html = readFileSync(htmlPath, 'utf8');
const trunkJs = readdirSync(staging).find((f) => f.startsWith(`${bin}-`) && f.endsWith('.js'));
if (!trunkJs) throw new Error(`[split] no ${bin}-<hash>.js in ${staging}: is data-bin="${bin}" right?`);
const trunkBase = trunkJs.slice(0, -3);
const trunkWasm = `${trunkBase}_bg.wasm`;

const cargoBytes = existsSync(cargoWasm) ? readFileSync(cargoWasm) : null;
const split = cargoBytes !== null && cargoBytes.includes(Buffer.from(PLACEHOLDER));
if (cargoBytes === null) say(`${cargoWasm} not found: nothing to split`);

const work = mkdtempSync(join(tmpdir(), 'pixie-split-'));
try {
  // name → bytes of everything this hook writes (the main JS and wasm, the loader, the parts)
  let mainJs = readFileSync(join(staging, trunkJs), 'utf8');
  let mainWasm = join(staging, trunkWasm);
  let loader = null;
  const parts = [];
  if (split) {
    const cut = join(work, 'cut');
    run('wasm-split-cli', [cargoWasm, cut, '--target', 'web', '--out-name', 'main']);
    const bound = join(work, 'bound');
    run('wasm-bindgen', ['--target', 'web', '--keep-lld-exports', '--no-typescript',
      '--out-dir', bound, '--out-name', 'main', join(cut, 'main.wasm')]);
    mainJs = readFileSync(join(bound, 'main.js'), 'utf8');
    mainWasm = join(bound, 'main_bg.wasm');
    loader = readFileSync(join(cut, '__wasm_split.js'), 'utf8');
    for (const file of readdirSync(cut).filter((f) => f !== 'main.wasm' && f.endsWith('.wasm'))) {
      parts.push({ original: file, path: join(cut, file) });
    }
    if (existsSync(join(bound, 'snippets'))) {
      throw new Error('[split] wasm-bindgen wrote snippets/: copying them is not implemented');
    }
  }
  if (release) {
    const shortened = shortenNames(withoutRelocations(readFileSync(mainWasm)), mainJs);
    writeFileSync(mainWasm, shortened.wasm);
    mainJs = minify(shortened.js);
    say(`short names for ${shortened.imports} imports and ${shortened.exports} exports; ${shortened.dropped} unused exports dropped`);
  }
  for (const path of [mainWasm, ...parts.map((p) => p.path)]) {
    writeFileSync(path, withoutRelocations(readFileSync(path)));
    if (release) run('wasm-opt', [...WASM_OPT_FLAGS, path, '-o', path]);
  }

  // The parts are leaves: each is named after its own content.
  for (const part of parts) {
    part.bytes = readFileSync(part.path);
    // split_<function>_<u64>.wasm → <function>-<hash>.wasm; chunk_<n>.wasm → chunk-<n>-<hash>.wasm
    const stem = part.original.replace(/\.wasm$/, '').replace(/^split_/, '').replace(/_\d{6,}$/, '');
    part.name = `${bin}-${stem.replaceAll('_', '-')}-${shortHash(part.bytes)}.wasm`;
    const fetchOf = `fetch(new URL("./${part.original}", import.meta.url))`;
    if (!loader.includes(fetchOf)) throw new Error(`[split] __wasm_split.js does not fetch ${part.original} as expected`);
    loader = loader.replace(fetchOf,
      `fetch(new URL("./${part.name}", import.meta.url), { integrity: "${integrity(part.bytes)}" })`);
  }

  if (release && loader !== null) loader = minify(loader);

  // The main module, its glue and the loader refer to each other: one name for the three.
  const wasmBytes = readFileSync(mainWasm);
  const base = `${bin}-${shortHash(wasmBytes, mainJs, loader ?? '')}`;
  const files = new Map([[`${base}.js`, null], [`${base}_bg.wasm`, wasmBytes]]);
  if (loader !== null) {
    const loaderName = `${bin}-split-${shortHash(wasmBytes, mainJs, loader)}.js`;
    const importOf = /from\s*"\.\/__wasm_split\.js"/g;
    if (!importOf.test(mainJs)) throw new Error('[split] the main glue does not import ./__wasm_split.js');
    mainJs = mainJs.replace(importOf, `from"./${loaderName}"`);
    const initOf = /from\s*"\.\/main\.js"/g;
    if (!initOf.test(loader)) throw new Error('[split] __wasm_split.js does not import ./main.js');
    loader = loader.replace(initOf, `from"./${base}.js"`);
    files.set(loaderName, Buffer.from(loader));
    for (const part of parts) files.set(part.name, part.bytes);
  }
  files.set(`${base}.js`, Buffer.from(mainJs));

  // index.html: Trunk's names and hashes → ours.
  const sriOf = (file) => new RegExp(`(href="[^"]*${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*integrity=")[^"]*(")`);
  html = html.replaceAll(trunkBase, base);
  // (Trunk writes integrity attributes unless told not to; where it did, they must match.)
  for (const file of [`${base}.js`, `${base}_bg.wasm`]) {
    html = html.replace(sriOf(file), `$1${integrity(files.get(file))}$2`);
  }
  if (loader !== null) {
    const loaderName = [...files.keys()].find((f) => f.startsWith(`${bin}-split-`));
    const preload = `<link rel="modulepreload" href="${process.env.TRUNK_PUBLIC_URL ?? '/'}${loaderName}" crossorigin="anonymous" integrity="${integrity(files.get(loaderName))}">`;
    html = html.replace('</head>', `${preload}</head>`);
  }

  rmSync(join(staging, trunkJs));
  rmSync(join(staging, trunkWasm));
  for (const [name, bytes] of files) writeFileSync(join(staging, name), bytes);
  writeFileSync(htmlPath, html);
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  say(`${split ? `split into ${parts.length + 1} modules` : 'no split points'}${release ? ', wasm-opt -Oz' : ''}: `
    + [...files].filter(([n]) => n.endsWith('.wasm')).map(([n, b]) => `${n} ${kb(b.length)}`).join(', '));
} finally {
  rmSync(work, { recursive: true, force: true });
}
