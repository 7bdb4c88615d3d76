/** The password sign-in form. */
import { html, type SafeHtml } from './html.ts';
import { alert } from './layout.ts';
import { messages } from './messages.en.ts';

export interface SignInPageInput {
  tenantName: string;
  action: string;
  csrf: string;
  returnTo: string;
  login?: string;
  error?: string;
  /** Other ways to sign in, under the form (magic link, passkey: the MFA capability). */
  extra?: SafeHtml;
  /** Offer passkeys in the username field's autofill (WebAuthn conditional UI). */
  passkeyAutofill?: boolean;
}

export function signInPage(p: SignInPageInput): SafeHtml {
  const invalid = p.error ? 'true' : 'false';
  return html`<div class="card">
<h1>${messages.signInTitle}</h1>
<p class="lead">${messages.signInIntro(p.tenantName)}</p>
${alert(p.error)}
<form method="post" action="${p.action}" novalidate>
<input type="hidden" name="csrf" value="${p.csrf}">
<input type="hidden" name="return_to" value="${p.returnTo}">
<label for="login">${messages.loginLabel}</label>
<input id="login" name="login" type="text" autocomplete="${p.passkeyAutofill ? 'username webauthn' : 'username'}" autocapitalize="none" spellcheck="false" required maxlength="254" value="${p.login ?? ''}" aria-invalid="${invalid}"${p.error ? html` aria-describedby="form-error"` : ''}${p.login ? '' : html` autofocus`}>
<label for="password">${messages.passwordLabel}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024" aria-invalid="${invalid}"${p.login ? html` autofocus` : ''}>
<button class="primary" type="submit">${messages.signInButton}</button>
</form>
${p.extra ?? ''}
</div>`;
}
