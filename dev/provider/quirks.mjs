// Real providers' quirks, played by the dev provider so the end-to-end tests
// can log in through each preset's code path (server.mjs switches them on):
//
// - an issuer with a path, as Keycloak's `https://host/realms/<realm>`
//   (ISSUER=http://127.0.0.1:9000/realms/pixie): served under that path;
// - a tenant without RP-initiated logout, as Auth0's: no
//   end_session_endpoint in discovery, and Auth0's own
//   `GET /v2/logout?client_id=…&returnTo=…` instead (PIXIE_END_SESSION=auth0).

/**
 * Auth0's legacy logout: ends the provider session and sends the browser to
 * `returnTo`, which must be one of `logoutUrls[client_id]` (Auth0's "Allowed
 * Logout URLs"). No `state` is echoed, as at Auth0.
 */
export function installLegacyLogout(provider, { path = '/v2/logout', logoutUrls = {} } = {}) {
  provider.use(async (ctx, next) => {
    if (ctx.path !== path || ctx.method !== 'GET') return next();
    const clientId = typeof ctx.query.client_id === 'string' ? ctx.query.client_id : '';
    const returnTo = typeof ctx.query.returnTo === 'string' ? ctx.query.returnTo : undefined;
    // With RP-initiated logout off, oidc-provider drops post_logout_redirect_uris,
    // so the allowed logout URLs come from the server's client list.
    const allowed = Object.hasOwn(logoutUrls, clientId) ? logoutUrls[clientId] : undefined;
    if (!allowed) {
      ctx.status = 400;
      ctx.body = `unknown client_id ${JSON.stringify(clientId)}`;
      return;
    }
    if (returnTo !== undefined && !allowed.includes(returnTo)) {
      ctx.status = 400;
      ctx.body = `returnTo ${returnTo} is not one of the client's Allowed Logout URLs`;
      return;
    }
    const session = await provider.Session.get(ctx);
    await session.destroy();
    ctx.redirect(returnTo ?? '/');
  });
}

/**
 * A request handler that serves `callback` (oidc-provider's) under the
 * issuer's path: `/realms/pixie/auth` reaches it as `/auth`, with
 * `originalUrl` kept so the URLs it writes keep the path. Requests outside
 * the path (the test hooks, readiness checks) pass as they are.
 */
export function underIssuerPath(issuer, callback) {
  const prefix = new URL(issuer).pathname.replace(/\/$/, '');
  if (prefix === '') return callback;
  return (req, res) => {
    if (req.url === prefix || req.url.startsWith(`${prefix}/`) || req.url.startsWith(`${prefix}?`)) {
      req.originalUrl = req.url;
      req.url = req.url.slice(prefix.length) || '/';
      if (!req.url.startsWith('/')) req.url = `/${req.url}`;
    }
    return callback(req, res);
  };
}
