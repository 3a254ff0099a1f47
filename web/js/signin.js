// Signing in: the editor's token is checked once against the API, then kept in sessionStorage
// (this tab only). The API has no "who am I" route, so the role is known only when a write
// answers 403; the forms say so.

import { ApiError, getJson, session } from './api.js';
import { byId } from './dom.js';

/** @param {{ onChange: () => Promise<void> | void }} hooks */
export function mountSignIn(hooks) {
  const form = byId('signin-form', HTMLFormElement);
  const fields = byId('signin-fields', HTMLElement);
  const input = byId('token-input', HTMLInputElement);
  const status = byId('signin-status', HTMLElement);
  const signOutButton = byId('signout', HTMLButtonElement);

  const show = () => {
    const signedIn = Boolean(session.token);
    fields.hidden = signedIn;
    signOutButton.hidden = !signedIn;
    if (signedIn) status.textContent = 'Signed in for this tab. Writes need the editor role; the ledger will say if your token lacks it.';
  };

  /** @param {string} [message] */
  const signOut = (message) => {
    session.token = null;
    show();
    status.textContent = message ?? 'Signed out.';
    void hooks.onChange();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      status.textContent = 'Enter your token first.';
      input.focus();
      return;
    }
    status.textContent = 'Checking the token…';
    try {
      await getJson('/sources', { limit: 1 }, token);
    } catch (error) {
      // 401: the token is unknown. Anything else (e.g. a network hiccup) is not the token's fault.
      if (error instanceof ApiError && error.status === 401) {
        status.textContent = 'That token was not accepted.';
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
    }
    input.value = '';
    input.removeAttribute('aria-invalid');
    session.token = token;
    show();
    signOutButton.focus();
    await hooks.onChange();
  });
  signOutButton.addEventListener('click', () => {
    signOut();
    input.focus();
  });

  show();
  return { signOut };
}
