// A small protected resource beside the provider, for the app's "Call API"
// button: GET /api/me with `Authorization: Bearer <access token>`, or, for a
// DPoP-bound token (RFC 9449), `Authorization: DPoP <access token>` and a
// `DPoP` proof header.
//
// The access token is validated by oidc-provider itself (its opaque access
// tokens are only meaningful to the server that issued them): it must exist
// (not revoked, not destroyed), not be expired, and have been issued to the
// expected clients. A DPoP-bound token (one with `jkt`) is accepted only with
// the DPoP scheme and a proof signed by that key, for this method and URL,
// naming this token (`ath`), recent, and never seen before (`jti`). Answers
// (RFC 6750, RFC 9449 §7.1):
//
//   200 {"sub","scope","client_id","message","expires_at","token_type"}
//   401 WWW-Authenticate: Bearer realm="pixie-dev-api"
//         (no credentials at all: no error code, RFC 6750 §3.1)
//   401 WWW-Authenticate: Bearer realm="pixie-dev-api", error="invalid_token", error_description="…"
//         (unknown, revoked, expired or someone else's token; a DPoP-bound token sent as Bearer)
//   401 WWW-Authenticate: DPoP realm="pixie-dev-api", error="invalid_dpop_proof", …
//         (a missing or wrong proof for a DPoP-bound token)
//   401 WWW-Authenticate: DPoP realm="pixie-dev-api", error="use_dpop_nonce" + DPoP-Nonce
//         (nonces required and the proof has none, or a stale one)
//   400 WWW-Authenticate: Bearer realm="pixie-dev-api", error="invalid_request", …
//         (a malformed Authorization header, or the token also in the query/body)
//
// CORS: only the app's origins, with the preflight for the Authorization and
// DPoP headers; WWW-Authenticate and DPoP-Nonce are exposed so the app can read them.
import { createHash, createPublicKey, hkdfSync, verify } from 'node:crypto';

const REALM = 'pixie-dev-api';
// RFC 6750 §2.1 b64token, after the scheme.
const CREDENTIALS = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i;
// How old (or how far ahead) a proof's `iat` may be, in seconds.
const PROOF_WINDOW_SECS = 60;

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/**
 * The provider's DPoP nonces (oidc-provider's ServerChallenge: an HKDF of the
 * shared secret and the minute), so one nonce serves the token endpoint and the API.
 */
function nonces(secret) {
  const at = (step) => {
    const salt = Buffer.alloc(8);
    salt.writeBigInt64BE(BigInt(step));
    return b64url(hkdfSync('sha256', secret, salt, 'DPoP', 32));
  };
  const step = () => Math.floor(Date.now() / 1000 / 60);
  return {
    next: () => at(step() + 1),
    check: (nonce) => [-2, -1, 0, 1, 2].some((d) => at(step() + d) === nonce),
  };
}

/** RFC 7638 thumbprint of an EC P-256 public JWK. */
export function thumbprint(jwk) {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return b64url(createHash('sha256').update(canonical).digest());
}

/**
 * Checks a DPoP proof (RFC 9449 §4.3) for `method` and `url`, bound to
 * `accessToken` (or, `undefined`, to none: then it must have no `ath`), whose
 * `jti` is not in `seen` (it is added). Returns {jkt, nonce, claims} or throws
 * an Error whose message says why. The tests use it too.
 */
export function checkProof(proof, { method, url, accessToken, seen, nowSecs = Math.floor(Date.now() / 1000) }) {
  const parts = String(proof).split('.');
  if (parts.length !== 3) throw new Error('the proof is not a compact JWS');
  let header;
  let claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url'));
  } catch {
    throw new Error('the proof is not JSON');
  }
  if (header.typ !== 'dpop+jwt') throw new Error('typ must be dpop+jwt');
  if (header.alg !== 'ES256') throw new Error('alg must be ES256');
  const { jwk } = header;
  if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || 'd' in jwk) throw new Error('jwk must be a public EC P-256 key');
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
  const signed = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(parts[2], 'base64url'));
  if (!signed) throw new Error('the signature does not verify');
  if (claims.htm !== method) throw new Error(`htm must be ${method}`);
  const expected = new URL(url);
  expected.search = '';
  expected.hash = '';
  if (claims.htu !== expected.href) throw new Error(`htu must be ${expected.href}`);
  if (typeof claims.iat !== 'number' || Math.abs(nowSecs - claims.iat) > PROOF_WINDOW_SECS) throw new Error('iat is not recent');
  if (typeof claims.jti !== 'string' || claims.jti.length < 16) throw new Error('jti is missing or short');
  if (accessToken === undefined) {
    if ('ath' in claims) throw new Error('ath on a request without an access token');
  } else if (claims.ath !== b64url(createHash('sha256').update(accessToken).digest())) {
    throw new Error('ath does not match the access token');
  }
  if (seen.has(claims.jti)) throw new Error('this proof was used before (jti)');
  seen.add(claims.jti);
  return { jkt: thumbprint(jwk), nonce: claims.nonce, claims };
}

/**
 * Mounts the API on `provider` (its Koa app) at `path`.
 * clientIds: the clients whose access tokens are accepted.
 * appOrigins: the origins allowed to call it from a browser.
 * dpop: {nonceSecret, requireNonce}: the provider's nonce secret, and whether proofs need one.
 */
export function installApi(provider, { path = '/api/me', clientIds, appOrigins, dpop }) {
  const seenJti = new Set();
  const nonce = dpop?.nonceSecret ? nonces(dpop.nonceSecret) : null;
  provider.use(async (ctx, next) => {
    if (ctx.path !== path) return next();

    const origin = ctx.get('Origin');
    ctx.vary('Origin');
    if (appOrigins.includes(origin)) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Expose-Headers', 'WWW-Authenticate, DPoP-Nonce');
    }
    ctx.set('Cache-Control', 'no-store');

    if (ctx.method === 'OPTIONS') {
      // Preflight: the app's GET carries an Authorization header (and a DPoP proof).
      if (appOrigins.includes(origin)) {
        ctx.set('Access-Control-Allow-Methods', 'GET');
        ctx.set('Access-Control-Allow-Headers', 'Authorization, DPoP');
        ctx.set('Access-Control-Max-Age', '600');
      }
      ctx.status = 204;
      return;
    }
    if (ctx.method !== 'GET') {
      ctx.set('Allow', 'GET, OPTIONS');
      ctx.status = 405;
      return;
    }

    const fail = (status, error, description, scheme = 'Bearer') => {
      const params = [`realm="${REALM}"`];
      if (error) params.push(`error="${error}"`, `error_description="${description}"`);
      if (scheme === 'DPoP') params.push('algs="ES256"');
      ctx.set('WWW-Authenticate', `${scheme} ${params.join(', ')}`);
      ctx.status = status;
      ctx.body = error ? { error, error_description: description } : { error: 'unauthorized' };
    };

    const header = ctx.get('Authorization');
    if (ctx.querystring && new URLSearchParams(ctx.querystring).has('access_token')) {
      fail(400, 'invalid_request', 'send the access token in the Authorization header only');
      return;
    }
    if (!header || !/^(Bearer|DPoP)(\s|$)/i.test(header)) {
      fail(401); // no credentials: no error code (RFC 6750 §3.1)
      return;
    }
    const match = header.match(CREDENTIALS);
    if (!match) {
      fail(400, 'invalid_request', 'malformed Authorization header');
      return;
    }
    const scheme = match[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    const value = match[2];

    const token = await provider.AccessToken.find(value);
    if (!token || token.isExpired) {
      fail(401, 'invalid_token', 'the access token is unknown, revoked or expired', scheme);
      return;
    }
    if (!clientIds.includes(token.clientId)) {
      fail(401, 'invalid_token', 'the access token was not issued to this API\'s client', scheme);
      return;
    }
    if (token.jkt) {
      // RFC 9449 §7.2: a bound token is never accepted as a bearer token.
      if (scheme !== 'DPoP') {
        fail(401, 'invalid_token', 'this access token is DPoP-bound: send it with the DPoP scheme and a proof', 'DPoP');
        return;
      }
      const proof = ctx.get('DPoP');
      if (!proof) {
        fail(401, 'invalid_dpop_proof', 'a DPoP proof is required', 'DPoP');
        return;
      }
      let checked;
      try {
        checked = checkProof(proof, { method: ctx.method, url: ctx.href, accessToken: value, seen: seenJti });
      } catch (err) {
        fail(401, 'invalid_dpop_proof', err.message, 'DPoP');
        return;
      }
      if (checked.jkt !== token.jkt) {
        fail(401, 'invalid_dpop_proof', 'the proof is not signed by the key the token is bound to', 'DPoP');
        return;
      }
      if (nonce) {
        const fresh = nonce.next();
        if ((dpop.requireNonce && !checked.nonce) || (checked.nonce && !nonce.check(checked.nonce))) {
          ctx.set('DPoP-Nonce', fresh);
          fail(401, 'use_dpop_nonce', 'the proof needs the nonce in DPoP-Nonce', 'DPoP');
          return;
        }
        if (checked.nonce !== fresh) ctx.set('DPoP-Nonce', fresh);
      }
    } else if (scheme !== 'Bearer') {
      fail(401, 'invalid_token', 'this access token is not DPoP-bound: send it as a Bearer token');
      return;
    }

    ctx.status = 200;
    ctx.body = {
      sub: token.accountId,
      scope: token.scope ?? '',
      client_id: token.clientId,
      message: `Hello ${token.accountId} from the protected API`,
      expires_at: token.exp,
      token_type: token.jkt ? 'DPoP' : 'Bearer',
    };
  });
}
