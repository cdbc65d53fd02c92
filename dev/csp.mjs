// The Content-Security-Policy for a built Pixie bundle (dist/).
//
//   node dev/csp.mjs [dist=dist] [config=<dist>/config.json] [--connect <origin>]... [--discover]
//
// prints the header line `Content-Security-Policy: ...` to put in front of
// index.html (and every other HTML response) at the web server. The policy:
//
// - script-src: the bundle's own files, WebAssembly compilation, and the
//   sha256 of each inline <script> in index.html (Trunk's module loader).
//   The hash changes with every build, so compute the policy per build.
// - connect-src: the app itself (config.json, the .wasm), the provider and,
//   if config.json has an `api_url`, that API's origin. The provider is
//   assumed to serve discovery, token, userinfo and JWKS from the issuer's
//   origin. If it does not, add the other origins with
//   --connect, or pass --discover to read them from the running provider's
//   discovery document.
// - form-action: the issuer's origin (the app has no forms of its own).
//
// dev/static-server.mjs sends it; see there for the other security headers.
//
//   node dev/csp.mjs --meta [dist=dist]
//
// writes the parts of the policy that do not depend on the deployment, a
// script-src with the loader's hash among them, into the <meta> policy of
// <dist>/index.html, for hosts that cannot send headers (make build does it).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The sha256 source expression of every inline <script> in `html`, computed as
 * browsers do: over the element's text, after the HTML parser's newline
 * normalisation (CRLF and CR become LF), encoded as UTF-8.
 */
export function inlineScriptHashes(html) {
  const hashes = [];
  // Comments are matched (and skipped) so a commented-out <script> is not counted.
  const tokens = /<!--[\s\S]*?-->|<script\b((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/script[\s/>]/gi;
  for (const [token, attributes, text] of html.matchAll(tokens)) {
    if (token.startsWith('<!--') || /\ssrc\s*=/i.test(` ${attributes}`)) continue;
    const normalised = text.replace(/\r\n?/g, '\n');
    hashes.push(`'sha256-${createHash('sha256').update(normalised, 'utf8').digest('base64')}'`);
  }
  return [...new Set(hashes)];
}

/** The policy from its parts; `reportUri` adds a report-uri directive. */
export function buildPolicy({ scriptHashes, issuerOrigin, connect = [], reportUri }) {
  const connectSrc = [...new Set(["'self'", issuerOrigin, ...connect])];
  const directives = [
    "default-src 'none'",
    ["script-src 'self' 'wasm-unsafe-eval'", ...scriptHashes].join(' '),
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connectSrc.join(' ')}`,
    `form-action ${issuerOrigin}`,
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ];
  if (reportUri) directives.push(`report-uri ${reportUri}`);
  return directives.join('; ');
}

/**
 * The policy (header value, without the name) for the bundle in `distDir`
 * whose runtime configuration is `configPath`. Options: `connect`, extra
 * origins for connect-src; `reportUri`, where browsers POST violation reports.
 */
export function contentSecurityPolicy(distDir, configPath = join(distDir, 'config.json'), options = {}) {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  const { issuer } = config;
  if (typeof issuer !== 'string') throw new Error(`${configPath} has no issuer`);
  const connect = [...(options.connect ?? []), ...configuredOrigins(config)].map((o) => new URL(o).origin);
  return buildPolicy({ scriptHashes: inlineScriptHashes(html), issuerOrigin: new URL(issuer).origin, ...options, connect });
}

/** Origins config.json names besides the issuer's: the API the app calls (`api_url`). */
export function configuredOrigins(config) {
  return typeof config.api_url === 'string' ? [new URL(config.api_url).origin] : [];
}

/**
 * The origins of the endpoints the app fetches, from the provider's discovery
 * document (a network request: the provider must be running).
 */
export async function discoveredOrigins(issuer) {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const metadata = await res.json();
  return ['token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'revocation_endpoint']
    .filter((field) => typeof metadata[field] === 'string')
    .map((field) => new URL(metadata[field]).origin);
}

/**
 * The <meta> policy of `html` with a `script-src` for its inline scripts
 * (replacing any script-src it had): the same in every deployment.
 */
export function withMetaScriptSrc(html) {
  const meta = /(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")/;
  const found = html.match(meta);
  if (!found) throw new Error('index.html has no <meta http-equiv="Content-Security-Policy">');
  const directives = found[2].split(';').map((d) => d.trim()).filter((d) => d && !d.startsWith('script-src'));
  const scriptSrc = ["script-src 'self' 'wasm-unsafe-eval'", ...inlineScriptHashes(html)].join(' ');
  return html.replace(meta, `$1${[scriptSrc, ...directives].join('; ')}$3`);
}

async function main(argv) {
  const positional = [];
  const connect = [];
  let discover = false;
  let meta = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--connect' && argv[i + 1]) connect.push(argv[++i]);
    else if (argv[i] === '--discover') discover = true;
    else if (argv[i] === '--meta') meta = true;
    else if (argv[i].startsWith('-')) throw new Error(`unknown option ${argv[i]}`);
    else positional.push(argv[i]);
  }
  const [dist = 'dist', config = join(dist, 'config.json')] = positional;
  if (meta) {
    const file = join(dist, 'index.html');
    writeFileSync(file, withMetaScriptSrc(readFileSync(file, 'utf8')));
    return;
  }
  if (discover) connect.push(...(await discoveredOrigins(JSON.parse(readFileSync(config, 'utf8')).issuer)));
  console.log(`Content-Security-Policy: ${contentSecurityPolicy(dist, config, { connect })}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`csp: ${err.message}`);
    process.exit(1);
  });
}
