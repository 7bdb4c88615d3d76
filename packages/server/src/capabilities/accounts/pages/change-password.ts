/** Change password: from the account page (current password asked) or forced at sign-in (it was just verified). */
import { html, type SafeHtml } from './html.ts';
import { alert } from './layout.ts';
import { messages } from './messages.en.ts';

export interface ChangePasswordPageInput {
  action: string;
  csrf: string;
  minLength: number;
  /** Forced at sign-in: `forced` or `expired`; the current password is not asked again. */
  forced?: string;
  error?: string;
  errorField?: 'current' | 'new' | 'confirm';
  backHref?: string;
}

export function changePasswordPage(p: ChangePasswordPageInput): SafeHtml {
  const inv = (f: string) =>
    p.errorField === f ? html` aria-invalid="true" aria-describedby="form-error"` : '';
  return html`<div class="card">
<h1>${messages.changePasswordTitle}</h1>
${p.forced ? html`<p class="lead">${p.forced === 'expired' ? messages.expiredChangeIntro : messages.forcedChangeIntro}</p>` : ''}
${alert(p.error)}
<form method="post" action="${p.action}" novalidate>
<input type="hidden" name="csrf" value="${p.csrf}">
${
  p.forced
    ? ''
    : html`<label for="current">${messages.currentPasswordLabel}</label>
<input id="current" name="current" type="password" autocomplete="current-password" required maxlength="1024"${inv('current')}>`
}
<label for="new">${messages.newPasswordLabel}</label>
<input id="new" name="new" type="password" autocomplete="new-password" required minlength="${p.minLength}" maxlength="1024" aria-describedby="new-hint"${inv('new')}>
<p class="hint" id="new-hint">${messages.passwordRules(p.minLength)}</p>
<label for="confirm">${messages.confirmPasswordLabel}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required maxlength="1024"${inv('confirm')}>
<button class="primary" type="submit">${messages.changePasswordButton}</button>
</form>
${p.backHref ? html`<div class="links"><a href="${p.backHref}">${messages.backToAccount}</a></div>` : ''}
</div>`;
}
