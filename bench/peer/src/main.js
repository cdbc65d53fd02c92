// The peer for `make bench`: Pixie's login (Authorization Code + PKCE, public
// client) done with oidc-client-ts, against the same provider and client.
import { UserManager } from 'oidc-client-ts';

import { settings } from './settings.js';

const manager = new UserManager(settings);

const status = document.getElementById('status');
const setState = (state, text) => {
  status.dataset.state = state;
  status.textContent = text;
};

if (location.pathname === '/callback') {
  setState('exchanging', 'Signing in…');
  manager.signinRedirectCallback().then((user) => {
    // With loadUserInfo, the promise resolves only after the userinfo request:
    // both marks come after it (Pixie marks app:signed-in before its userinfo).
    // As in Pixie, each mark follows the change it names on the page.
    setState('signed-in', `Signed in as ${user.profile.sub}`);
    performance.mark('app:signed-in');
    document.getElementById('userinfo').textContent = JSON.stringify(user.profile, null, 2);
    performance.mark('app:userinfo');
  }, (err) => setState('error', String(err)));
} else {
  document.getElementById('login').addEventListener('click', () => {
    setState('redirecting', 'Redirecting…');
    manager.signinRedirect().catch((err) => setState('error', String(err)));
  });
  performance.mark('app:ready'); // Log in works from here
}
