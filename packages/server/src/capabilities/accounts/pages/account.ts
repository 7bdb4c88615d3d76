/** The account page: profile, password, and the signed-in browsers with a sign-out for each other one. */
import type { UserView } from '../../users/index.ts';
import type { SessionView } from '../schemas.ts';
import { describeAgent, formatWhen } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { alert } from './layout.ts';
import { messages } from './messages.en.ts';

export interface AccountPageInput {
  base: string;
  user: UserView;
  currentSessionId: string;
  sessions: readonly SessionView[];
  passwordChangedAt: string | null;
  /** One token per form (the revoke forms and sign-out). */
  csrf: (form: string) => string;
  notice?: { kind: 'ok' | 'error'; message: string };
  /** Extra account sections other capabilities add (MFA, passkeys). */
  sections?: readonly SafeHtml[];
}

export function accountPage(p: AccountPageInput): SafeHtml {
  const { user } = p;
  const field = (v: string | null | undefined) =>
    v ? v : html`<span class="hint">${messages.notSet}</span>`;
  const sessions = p.sessions.map((s) => {
    const agent = describeAgent(s.userAgent);
    const current = s.id === p.currentSessionId;
    return html`<li>
<div><div class="session-agent">${agent}${current ? html`<span class="badge">${messages.sessionThisOne}</span>` : ''}</div>
<div class="session-meta">${messages.sessionSignedIn(formatWhen(s.createdAt))}, ${messages.sessionLastSeen(formatWhen(s.lastSeenAt))}${s.ip ? html`, ${messages.sessionFrom(s.ip)}` : ''}</div></div>
${
  current
    ? ''
    : html`<form class="inline" method="post" action="${p.base}/account/sessions/revoke">
<input type="hidden" name="csrf" value="${p.csrf('revoke-session')}">
<input type="hidden" name="session" value="${s.id}">
<button class="secondary small" type="submit" aria-label="${messages.sessionRevokeLabel(agent)}">${messages.sessionRevoke}</button>
</form>`
}
</li>`;
  });
  return html`<div class="card">
<div class="header"><h1>${messages.accountTitle}</h1>
<form class="inline" method="post" action="${p.base}/sign-out">
<input type="hidden" name="csrf" value="${p.csrf('sign-out')}">
<button class="secondary small" type="submit">${messages.signOutButton}</button>
</form></div>
${p.notice ? alert(p.notice.message, p.notice.kind) : ''}
<h2>${messages.profileHeading}</h2>
<dl class="profile">
<dt>${messages.profileName}</dt><dd>${field(user.name)}</dd>
<dt>${messages.profileUsername}</dt><dd>${user.username}</dd>
<dt>${messages.profileEmail}</dt><dd>${field(user.email)}</dd>
</dl>
</div>
<div class="card">
<h2>${messages.passwordHeading}</h2>
<p>${p.passwordChangedAt ? messages.passwordChangedAt(formatWhen(p.passwordChangedAt)) : messages.passwordNeverChanged}</p>
<a class="button secondary" href="${p.base}/change-password">${messages.changePasswordLink}</a>
</div>
${p.sections ?? ''}
<div class="card">
<h2>${messages.sessionsHeading}</h2>
<p class="hint">${messages.sessionsIntro}</p>
<ul class="sessions">${sessions}</ul>
</div>`;
}
