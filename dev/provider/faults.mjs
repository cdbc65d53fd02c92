// A misbehaving provider, for the end-to-end security tests only. server.mjs
// installs this when PIXIE_PROVIDER_FAULTS=1 (tests/e2e/servers.mjs sets it;
// `make demo` never does). One fault at a time, switched over HTTP:
//
//   PUT    /__faults/<name>   switch <name> on (replaces any other)  -> 204
//   DELETE /__faults          back to a well-behaved provider        -> 204
//
// and test hooks that are not faults:
//
//   POST   /__test/expire-access-tokens   destroy every access token issued so far -> 204
//   GET    /__test/events                 counters of what the provider saw (JSON) -> 200
//   DELETE /__test/events                 reset the counters                       -> 204
//
// Each fault breaks exactly one thing the app must check, and nothing else:
// the JWKS and discovery stay correct, and re-signed ID tokens use the
// provider's real RS256 key and kid, so only the one check can fail.
import { createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';

const WRONG_ISSUER = 'http://127.0.0.1:9999';

// --- JWS helpers ---------------------------------------------------------
const b64json = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unb64json = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

function signRs256(header, claims, privateKey) {
  const input = `${b64json(header)}.${b64json(claims)}`;
  // RSASSA-PKCS1-v1_5 with SHA-256 (Node's default padding for RSA keys) = RS256.
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * ID-token rewrites: (jwt parts, real key) -> new compact JWS.
 * `resign` signs with the provider's real current RS256 key and kid.
 */
const ID_TOKEN_FAULTS = {
  id_token_alg_none: ({ claims }) => `${b64json({ alg: 'none' })}.${b64json(claims)}.`,
  id_token_unknown_key: ({ header, claims }) => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return signRs256({ ...header, alg: 'RS256', kid: `unknown-${randomUUID()}` }, claims, privateKey);
  },
  // Original header and signature over a changed payload.
  id_token_tampered: ({ parts, claims }) => `${parts[0]}.${b64json({ ...claims, sub: 'mallory' })}.${parts[2]}`,
  id_token_wrong_aud: ({ claims, resign }) => resign({ ...claims, aud: 'someone-else' }),
  id_token_expired: ({ claims, resign }) => resign({ ...claims, iat: now() - 7200, exp: now() - 3600 }),
  id_token_iat_future: ({ claims, resign }) => resign({ ...claims, iat: now() + 600, exp: now() + 1200 }),
  id_token_nonce_mismatch: ({ claims, resign }) => resign({ ...claims, nonce: randomUUID() }),
  // Review #13: a critical header extension, another kind of JWT, an extra audience, nbf ahead.
  id_token_crit: ({ claims, resign }) => resign(claims, { crit: ['exp'], exp: now() + 60 }),
  id_token_typ_at_jwt: ({ claims, resign }) => resign(claims, { typ: 'at+jwt' }),
  id_token_extra_aud: ({ claims, resign }) => resign({ ...claims, aud: [claims.aud, 'https://other.example'], azp: claims.aud }),
  id_token_nbf_future: ({ claims, resign }) => resign({ ...claims, nbf: now() + 600 }),
};

// Callback rewrites: (redirect URL, issuer) -> new redirect URL.
const CALLBACK_FAULTS = {
  wrong_iss: (url) => {
    url.searchParams.set('iss', WRONG_ISSUER);
    return url.href;
  },
  missing_iss: (url) => {
    url.searchParams.delete('iss');
    return url.href;
  },
  access_denied: (url, issuer) => {
    const state = encodeURIComponent(url.searchParams.get('state') ?? '');
    return `${url.origin}${url.pathname}?error=access_denied&error_description=The%20user%20said%20no`
      + `&state=${state}&iss=${encodeURIComponent(issuer)}`;
  },
};

// Token endpoint answers that replace the real one (CORS headers kept).
const TOKEN_REPLIES = {
  token_invalid_grant: {
    status: 400,
    type: 'application/json',
    body: { error: 'invalid_grant', error_description: 'grant request is invalid' },
  },
  // A confidential client, or one the provider does not know.
  token_invalid_client: {
    status: 401,
    type: 'application/json',
    body: { error: 'invalid_client', error_description: 'client authentication failed' },
  },
  token_500: { status: 500, type: 'text/html', body: '<h1>Internal Server Error</h1>' },
  token_not_json: { status: 200, type: 'text/html', body: '<!DOCTYPE html><h1>Welcome to the provider</h1>' },
};

// Token endpoint answers that replace the real one for refresh grants only
// (code exchanges are answered by oidc-provider as usual).
const REFRESH_REPLIES = {
  refresh_invalid_grant: {
    status: 400,
    type: 'application/json',
    body: { error: 'invalid_grant', error_description: 'refresh token is invalid' },
  },
};

export const FAULT_NAMES = [
  ...Object.keys(CALLBACK_FAULTS),
  ...Object.keys(ID_TOKEN_FAULTS),
  ...Object.keys(TOKEN_REPLIES),
  ...Object.keys(REFRESH_REPLIES),
  'token_no_cors',
  'token_network_down',
  // Review #14: the token endpoint redirects (307, which keeps the body) to a
  // sink that counts what reaches it, or never answers.
  'token_redirect',
  'token_hang',
  // Review #5: refresh grants are processed at once but answered 1.5 s late
  // (code exchanges as usual).
  'refresh_slow',
];

/** Where `token_redirect` sends the token request; GET /__test/stolen counts what arrived. */
const STOLEN_PATH = '/__test/stolen';

/**
 * Installs the fault middleware in front of oidc-provider's own routes.
 * signingKey: the private JWK (with kid) the provider signs ID tokens with.
 * redirectUris, appOrigins: the client's, to recognise the callback redirect
 * and to set CORS on replaced token responses.
 */
export function installFaults(provider, { signingKey, redirectUris, appOrigins }) {
  const tokenPath = provider.pathFor('token', { mountPath: '' });
  const realKey = createPrivateKey({ key: signingKey, format: 'jwk' });
  let fault = null;
  let stolen = 0;

  const events = installTestHooks(provider);

  provider.use(async (ctx, next) => {
    if (await events.handle(ctx)) return;

    // The switch.
    const name = ctx.path.match(/^\/__faults(?:\/([^/]*))?$/);
    if (name) {
      if (ctx.method === 'DELETE' && !name[1]) {
        fault = null;
      } else if (ctx.method === 'PUT' && FAULT_NAMES.includes(name[1])) {
        fault = name[1];
      } else {
        ctx.status = 404;
        ctx.body = `usage: PUT /__faults/<${FAULT_NAMES.join('|')}>, DELETE /__faults\n`;
        return;
      }
      console.log(`fault: ${fault ?? 'none'}`);
      ctx.status = 204;
      return;
    }

    const atToken = ctx.path === tokenPath;

    // Anything that reaches the sink is a secret resent where it should not go.
    if (ctx.path === STOLEN_PATH) {
      if (ctx.method === 'GET') {
        ctx.body = { requests: stolen };
      } else {
        stolen += 1;
        ctx.status = 400;
      }
      return;
    }
    if (atToken && ctx.method === 'POST' && fault === 'token_redirect') {
      const origin = ctx.get('Origin');
      if (appOrigins.includes(origin)) ctx.set('Access-Control-Allow-Origin', origin);
      ctx.status = 307;
      ctx.set('Location', `${provider.issuer}${STOLEN_PATH}`);
      return;
    }
    // The connection stays open and nothing comes back.
    if (atToken && ctx.method === 'POST' && fault === 'token_hang') {
      ctx.respond = false;
      return;
    }
    // Processed at once (the refresh token rotates), answered 1.5 s later.
    let answerLate = false;
    if (atToken && ctx.method === 'POST' && fault === 'refresh_slow') {
      answerLate = (await readFormBody(ctx)).get('grant_type') === 'refresh_token';
    }

    // The token request's connection dies without an answer.
    if (atToken && fault === 'token_network_down') {
      ctx.respond = false;
      ctx.req.socket.destroy();
      return;
    }

    // A canned answer instead of the real token endpoint (preflights pass);
    // for REFRESH_REPLIES only when the request is a refresh grant.
    let reply = atToken && ctx.method === 'POST' ? TOKEN_REPLIES[fault] : undefined;
    if (atToken && ctx.method === 'POST' && REFRESH_REPLIES[fault]) {
      const form = await readFormBody(ctx);
      if (form.get('grant_type') === 'refresh_token') reply = REFRESH_REPLIES[fault];
    }
    if (reply) {
      const { status, type, body } = reply;
      const origin = ctx.get('Origin');
      if (appOrigins.includes(origin)) ctx.set('Access-Control-Allow-Origin', origin);
      ctx.vary('Origin');
      ctx.set('Cache-Control', 'no-store');
      ctx.status = status;
      ctx.type = type;
      ctx.body = body;
      return;
    }

    await next();
    events.afterRequest(ctx);
    if (answerLate) await new Promise((r) => setTimeout(r, 1500));

    // The real token response, unreadable cross-origin (POST and preflight).
    if (atToken && fault === 'token_no_cors') {
      ctx.remove('Access-Control-Allow-Origin');
    }

    // The real token response with a doctored ID token.
    if (atToken && ID_TOKEN_FAULTS[fault] && typeof ctx.body?.id_token === 'string') {
      const parts = ctx.body.id_token.split('.');
      const header = unb64json(parts[0]);
      const resign = (claims, extraHeader = {}) =>
        signRs256({ ...header, ...extraHeader, alg: 'RS256', kid: signingKey.kid }, claims, realKey);
      ctx.body = {
        ...ctx.body,
        id_token: ID_TOKEN_FAULTS[fault]({ parts, header, claims: unb64json(parts[1]), resign }),
      };
    }

    // The authorization response: the redirect (303) to the app's callback.
    const location = ctx.response.get('Location');
    if (CALLBACK_FAULTS[fault] && ctx.status >= 300 && ctx.status < 400 && location) {
      const url = new URL(location, provider.issuer); // the provider's own redirects are relative
      if (redirectUris.includes(`${url.origin}${url.pathname}`)) {
        ctx.redirect(CALLBACK_FAULTS[fault](url, provider.issuer)); // keeps the 303
      }
    }
  });
}

/**
 * Reads an urlencoded request body ahead of oidc-provider and hands the raw
 * text back to it: its body parser takes `req.body` when the stream has
 * already been read (and logs a one-time "already parsed request body"
 * warning, expected in fault mode).
 */
async function readFormBody(ctx) {
  if (!ctx.is('application/x-www-form-urlencoded')) return new URLSearchParams();
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > 64 * 1024) ctx.throw(413);
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  ctx.req.body = raw;
  return new URLSearchParams(raw);
}

/**
 * The /__test/ hooks: counters of what the provider saw, and a switch that
 * destroys every access token issued so far. Returns { handle(ctx) }, which
 * answers a /__test/ request (true) or counts what passes through (false;
 * the caller carries on with the request, then calls afterRequest(ctx)).
 *
 * Counters (GET /__test/events):
 * - refreshes: successful refresh_token grants.
 * - refreshTokenReuse: refresh_token grants that presented a refresh token
 *   already presented in an earlier refresh grant (a rotated one, whatever
 *   the outcome; oidc-provider answers invalid_grant and revokes the grant).
 * - refreshErrors: refresh_token grants that oidc-provider refused (any
 *   reason, reuse included; canned fault replies are not counted).
 * - revocations: requests to the revocation endpoint (POST).
 * - endSessions: requests to the end-session endpoint (the RP-initiated
 *   logout itself, not the confirmation form's POST).
 * - endSessionsConfirmed: logouts the user confirmed (end_session.success).
 * - grantsRevoked: grants oidc-provider revoked (revocation, reuse, logout).
 * - accessTokensExpired: access tokens destroyed by POST /__test/expire-access-tokens.
 */
function installTestHooks(provider) {
  const tokenPath = provider.pathFor('token', { mountPath: '' });
  const revocationPath = provider.pathFor('revocation', { mountPath: '' });
  // No route when RP-initiated logout is off (PIXIE_END_SESSION).
  let endSessionPath = null;
  try {
    endSessionPath = provider.pathFor('end_session', { mountPath: '' });
  } catch { /* no end_session route */ }
  const zero = () => ({
    refreshes: 0,
    refreshTokenReuse: 0,
    refreshErrors: 0,
    revocations: 0,
    endSessions: 0,
    endSessionsConfirmed: 0,
    grantsRevoked: 0,
    accessTokensExpired: 0,
  });
  let counts = zero();
  const presentedRefreshTokens = new Set(); // kept across resets: history, not a count
  const accessTokens = new Set(); // jti of every access token saved so far

  const isRefresh = (ctx) => ctx.oidc?.params?.grant_type === 'refresh_token';
  provider.on('grant.success', (ctx) => {
    if (isRefresh(ctx)) counts.refreshes += 1;
  });
  provider.on('grant.error', (ctx) => {
    if (isRefresh(ctx)) counts.refreshErrors += 1;
  });
  provider.on('grant.revoked', () => {
    counts.grantsRevoked += 1;
  });
  provider.on('end_session.success', () => {
    counts.endSessionsConfirmed += 1;
  });
  provider.on('access_token.saved', (token) => accessTokens.add(token.jti));
  provider.on('access_token.destroyed', (token) => accessTokens.delete(token.jti));

  return {
    async handle(ctx) {
      if (ctx.path === '/__test/events') {
        if (ctx.method === 'GET') {
          ctx.set('Cache-Control', 'no-store');
          ctx.body = counts;
        } else if (ctx.method === 'DELETE') {
          counts = zero();
          ctx.status = 204;
        } else {
          ctx.status = 405;
        }
        return true;
      }
      if (ctx.path === '/__test/expire-access-tokens') {
        if (ctx.method !== 'POST') {
          ctx.status = 405;
          return true;
        }
        const jtis = [...accessTokens];
        accessTokens.clear();
        await Promise.all(jtis.map((jti) => provider.AccessToken.adapter.destroy(jti)));
        counts.accessTokensExpired += jtis.length;
        console.log(`test: destroyed ${jtis.length} access token(s)`);
        ctx.set('X-Destroyed', String(jtis.length));
        ctx.status = 204;
        return true;
      }

      if (ctx.method === 'POST' && ctx.path === revocationPath) counts.revocations += 1;
      if ((ctx.method === 'GET' || ctx.method === 'POST') && ctx.path === endSessionPath) counts.endSessions += 1;
      return false;
    },

    /**
     * After oidc-provider has answered (it parses the request, so the
     * parameters are known only now). Concurrent requests with the same
     * refresh token are caught too: whichever finishes second finds the
     * token already presented.
     */
    afterRequest(ctx) {
      if (ctx.method !== 'POST' || ctx.path !== tokenPath || !isRefresh(ctx)) return;
      const presented = ctx.oidc.params.refresh_token;
      if (typeof presented !== 'string') return;
      if (presentedRefreshTokens.has(presented)) counts.refreshTokenReuse += 1;
      presentedRefreshTokens.add(presented);
    },
  };
}
