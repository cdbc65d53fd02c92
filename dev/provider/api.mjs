// A small protected resource beside the provider, for the app's "Call API"
// button: GET /api/me with `Authorization: Bearer <access token>`.
//
// The access token is validated by oidc-provider itself (its opaque access
// tokens are only meaningful to the server that issued them): it must exist
// (not revoked, not destroyed), not be expired, and have been issued to the
// expected clients. Answers (RFC 6750):
//
//   200 {"sub","scope","client_id","message","expires_at"}
//   401 WWW-Authenticate: Bearer realm="pixie-dev-api"
//         (no Bearer credentials at all: no error code, RFC 6750 §3.1)
//   401 WWW-Authenticate: Bearer realm="pixie-dev-api", error="invalid_token", error_description="…"
//         (unknown, revoked, expired or someone else's token)
//   400 WWW-Authenticate: Bearer realm="pixie-dev-api", error="invalid_request", …
//         (a malformed Authorization header, or the token also in the query/body)
//
// CORS: only the app's origins, with the preflight for the Authorization
// header; WWW-Authenticate is exposed so the app can read it.

const REALM = 'pixie-dev-api';
// RFC 6750 §2.1 b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/;

/**
 * Mounts the API on `provider` (its Koa app) at `path`.
 * clientIds: the clients whose access tokens are accepted.
 * appOrigins: the origins allowed to call it from a browser.
 */
export function installApi(provider, { path = '/api/me', clientIds, appOrigins }) {
  provider.use(async (ctx, next) => {
    if (ctx.path !== path) return next();

    const origin = ctx.get('Origin');
    ctx.vary('Origin');
    if (appOrigins.includes(origin)) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Expose-Headers', 'WWW-Authenticate');
    }
    ctx.set('Cache-Control', 'no-store');

    if (ctx.method === 'OPTIONS') {
      // Preflight: the app's GET carries an Authorization header.
      if (appOrigins.includes(origin)) {
        ctx.set('Access-Control-Allow-Methods', 'GET');
        ctx.set('Access-Control-Allow-Headers', 'Authorization');
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

    const fail = (status, error, description) => {
      const params = [`realm="${REALM}"`];
      if (error) params.push(`error="${error}"`, `error_description="${description}"`);
      ctx.set('WWW-Authenticate', `Bearer ${params.join(', ')}`);
      ctx.status = status;
      ctx.body = error ? { error, error_description: description } : { error: 'unauthorized' };
    };

    const header = ctx.get('Authorization');
    if (ctx.querystring && new URLSearchParams(ctx.querystring).has('access_token')) {
      fail(400, 'invalid_request', 'send the access token in the Authorization header only');
      return;
    }
    if (!header || !/^Bearer(\s|$)/i.test(header)) {
      fail(401); // no Bearer credentials: no error code (RFC 6750 §3.1)
      return;
    }
    const match = header.match(BEARER);
    if (!match) {
      fail(400, 'invalid_request', 'malformed Authorization header');
      return;
    }

    const token = await provider.AccessToken.find(match[1]);
    if (!token || token.isExpired) {
      fail(401, 'invalid_token', 'the access token is unknown, revoked or expired');
      return;
    }
    if (!clientIds.includes(token.clientId)) {
      fail(401, 'invalid_token', 'the access token was not issued to this API\'s client');
      return;
    }

    ctx.status = 200;
    ctx.body = {
      sub: token.accountId,
      scope: token.scope ?? '',
      client_id: token.clientId,
      message: `Hello ${token.accountId} from the protected API`,
      expires_at: token.exp,
    };
  });
}
