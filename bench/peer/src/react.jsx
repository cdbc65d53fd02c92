// Size reference only (make bench prints its sizes, it is not timed): the
// same login as main.js in the smallest React app, i.e. what issue #6 asks
// Pixie to beat on first-load bytes: React + ReactDOM + oidc-client-ts.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { UserManager } from 'oidc-client-ts';

import { settings } from './settings.js';

const manager = new UserManager(settings);

function App() {
  const [state, setState] = useState(location.pathname === '/callback' ? 'exchanging' : 'signed-out');
  const [profile, setProfile] = useState(null);
  useEffect(() => {
    if (location.pathname === '/callback') {
      manager.signinRedirectCallback().then(
        (user) => { setProfile(user.profile); setState('signed-in'); },
        () => setState('error'),
      );
    }
  }, []);
  return (
    <main>
      <p id="status" data-state={state}>{state}</p>
      {state === 'signed-out' && <button type="button" onClick={() => manager.signinRedirect()}>Log in</button>}
      {profile && <pre id="userinfo">{JSON.stringify(profile, null, 2)}</pre>}
    </main>
  );
}

createRoot(document.body.appendChild(document.createElement('div'))).render(<App />);
