// Local OpenID provider for developing and testing Pixie. Not for production:
// everything (sessions, grants, tokens, keys) lives in memory and is lost on exit.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

import { installApi } from './api.mjs';
import { installLegacyLogout, underIssuerPath } from './quirks.mjs';

const PORT = Number(process.env.PORT ?? 9000);
const ISSUER = process.env.ISSUER ?? `http://127.0.0.1:${PORT}`;

// The only origins the browser apps are served from (see dev/static-server.mjs):
// the demo (and the README's app) on 8080, examples/notes on 8081.
const APP_ORIGINS = ['http://127.0.0.1:8080', 'http://localhost:8080', 'http://127.0.0.1:8081'];

// Fresh signing keys on every start; the app fetches them from jwks_uri.
function signingKey(alg, type, options) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: `${alg.toLowerCase()}-${randomUUID()}` };
}

// Generated before the configuration so that the fault mode (faults.mjs) can
// re-sign ID tokens with the real key.
const signingKeys = [
  // First RS256 key stays the default id_token signing key.
  signingKey('RS256', 'rsa', { modulusLength: 2048 }),
  signingKey('ES256', 'ec', { namedCurve: 'P-256' }),
];
const DEMO_ORIGINS = APP_ORIGINS.filter((o) => o.endsWith(':8080'));
const NOTES_ORIGIN = 'http://127.0.0.1:8081';
const demoRedirectUris = DEMO_ORIGINS.map((o) => `${o}/callback`);
// examples/notes handles its callback at another path, as any app may.
const notesRedirectUris = [`${NOTES_ORIGIN}/auth/callback`];
const redirectUris = [...demoRedirectUris, ...notesRedirectUris];
const CLIENT_IDS = ['pixie-demo', 'pixie-notes'];

// Token lifetimes in seconds, for tests that need tokens to expire soon
// (tests/e2e/servers.mjs passes them). Unset: oidc-provider's defaults
// (access and ID tokens 1 hour, refresh tokens 14 days).
function ttlFromEnv(name) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(raw)) {
    throw new Error(`${name} must be a positive whole number of seconds, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}
// DPoP (RFC 9449) and PAR (RFC 9126): oidc-provider offers both by default.
// PIXIE_DPOP=off hides DPoP, =required makes every client's tokens DPoP-bound
// (a token request without a proof is refused); PIXIE_DPOP_NONCE=1 makes every
// proof carry a server nonce (the first one is answered `use_dpop_nonce`).
// PIXIE_PAR=off hides PAR, =required refuses authorization requests not pushed.
function switchFromEnv(name, values) {
  const raw = process.env[name] ?? '';
  if (raw === '') return values[0];
  if (!values.includes(raw)) {
    throw new Error(`${name} must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw;
}
const dpopMode = switchFromEnv('PIXIE_DPOP', ['on', 'off', 'required']);
const dpopNonce = switchFromEnv('PIXIE_DPOP_NONCE', ['0', '1']) === '1';
const parMode = switchFromEnv('PIXIE_PAR', ['on', 'off', 'required']);
// Quirks of real providers (quirks.mjs). PIXIE_END_SESSION=off: no logout at
// the provider; =auth0: no end_session_endpoint, Auth0's GET /v2/logout instead.
// An ISSUER with a path (Keycloak's /realms/<realm>) is served under it.
const endSessionMode = switchFromEnv('PIXIE_END_SESSION', ['on', 'off', 'auth0']);
// Shared with the API (api.mjs), which accepts the provider's nonces.
const dpopNonceSecret = Buffer.from(randomBytes(32));

const accessTokenTtl = ttlFromEnv('PIXIE_ACCESS_TOKEN_TTL');
const idTokenTtl = ttlFromEnv('PIXIE_ID_TOKEN_TTL');
const refreshTokenTtl = ttlFromEnv('PIXIE_REFRESH_TOKEN_TTL');
const ttl = {};
if (accessTokenTtl) ttl.AccessToken = accessTokenTtl;
if (idTokenTtl) ttl.IdToken = idTokenTtl;
if (refreshTokenTtl) {
  // Like oidc-provider's default for public browser clients: a rotated
  // refresh token keeps what was left of the one it replaces, so the
  // lifetime counts from the code exchange and refreshing cannot extend it.
  // (Must be a regular function, not an arrow or async one.)
  ttl.RefreshToken = function RefreshTokenTTL(ctx, token, client) {
    const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
    if (rotated && client.clientAuthMethod === 'none' && !token.isSenderConstrained()) {
      return rotated.remainingTTL;
    }
    return refreshTokenTtl;
  };
}

const senderConstraints = {
  ...(dpopMode === 'required' ? { dpop_bound_access_tokens: true } : {}),
  ...(parMode === 'required' ? { require_pushed_authorization_requests: true } : {}),
};

const configuration = {
  clients: [
    {
      client_id: 'pixie-demo',
      // Public client: a browser app cannot keep a secret, so PKCE protects the code instead.
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: demoRedirectUris,
      post_logout_redirect_uris: DEMO_ORIGINS.map((o) => `${o}/`),
      ...senderConstraints,
    },
    {
      client_id: 'pixie-notes',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: notesRedirectUris,
      post_logout_redirect_uris: [`${NOTES_ORIGIN}/`],
      ...senderConstraints,
    },
  ],

  // The app calls token/userinfo/revocation with fetch(); discovery and jwks
  // are always CORS-open in oidc-provider.
  clientBasedCORS: (ctx, origin) => APP_ORIGINS.includes(origin),

  responseTypes: ['code'], // authorization code flow only, no implicit/hybrid
  pkce: { required: () => true }, // only S256 is accepted (default pkce.methods)

  // Dev login: any username signs in and becomes the subject.
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          name: id.charAt(0).toUpperCase() + id.slice(1),
          email: `${id}@example.test`,
          email_verified: true,
        };
      },
    };
  },
  claims: {
    openid: ['sub'],
    profile: ['name'],
    email: ['email', 'email_verified'],
  },

  // oidc-provider drops `offline_access` from the request unless prompt=consent
  // is sent, and then issues no refresh token. Issue one for every code
  // exchange by a client allowed the refresh_token grant instead.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true, // every refresh returns a new refresh token
  ttl,

  jwks: { keys: signingKeys },

  features: {
    devInteractions: { enabled: true }, // built-in login + consent pages
    userinfo: { enabled: true },
    revocation: { enabled: true },
    rpInitiatedLogout: { enabled: endSessionMode === 'on' },
    dPoP: {
      enabled: dpopMode !== 'off',
      // With a secret, nonces are offered (and `DPoP-Nonce` exposed through CORS).
      nonceSecret: dpopNonceSecret,
      requireNonce: () => dpopNonce,
    },
    pushedAuthorizationRequests: {
      enabled: parMode !== 'off',
      requirePushedAuthorizationRequests: parMode === 'required',
    },
  },
  enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256'], dPoPSigningAlgValues: ['ES256'] },

  cookies: { keys: [randomUUID()] },
};

// Read before oidc-provider takes the configuration (quirks.mjs needs them).
const logoutUrls = Object.fromEntries(configuration.clients.map((c) => [c.client_id, c.post_logout_redirect_uris]));
const provider = new Provider(ISSUER, configuration);

// The built-in HTML pages @import Google Fonts; strip that so the browser
// never leaves loopback (tests and offline use).
provider.use(async (ctx, next) => {
  await next();
  if (typeof ctx.body === 'string' && ctx.response.is('html')) {
    ctx.body = ctx.body
      .replace(/@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);?/g, '')
      .replace(/<link[^>]*fonts\.(googleapis|gstatic)\.com[^>]*>/g, '');
  }
});

// Tests only: a switchable misbehaving provider and test hooks (see faults.mjs).
// Installed first, so that its faults also reach the API below.
if (process.env.PIXIE_PROVIDER_FAULTS === '1') {
  const { installFaults } = await import('./faults.mjs');
  installFaults(provider, { signingKey: signingKeys[0], redirectUris, appOrigins: APP_ORIGINS });
  console.log('fault mode on: PUT /__faults/<name>, DELETE /__faults; /__test/events, POST /__test/expire-access-tokens');
}

if (endSessionMode === 'auth0') {
  installLegacyLogout(provider, { path: '/v2/logout', logoutUrls });
}

// The protected resource the app's "Call API" button calls (see api.mjs).
installApi(provider, {
  path: '/api/me',
  clientIds: CLIENT_IDS,
  appOrigins: APP_ORIGINS,
  dpop: { nonceSecret: dpopNonceSecret, requireNonce: dpopNonce },
});

const server = createServer(underIssuerPath(ISSUER, provider.callback())).listen(PORT, '127.0.0.1', () => {
  console.log(`provider listening on ${ISSUER}; protected API at ${ISSUER.replace(/\/$/, '')}/api/me`);
  const lifetimes = Object.entries({ access: accessTokenTtl, id: idTokenTtl, refresh: refreshTokenTtl })
    .filter(([, v]) => v).map(([k, v]) => `${k} ${v} s`);
  if (lifetimes.length) console.log(`token lifetimes: ${lifetimes.join(', ')}`);
  console.log(`DPoP ${dpopMode}${dpopNonce ? ' (nonce required)' : ''}; PAR ${parMode}; end session ${endSessionMode}`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
