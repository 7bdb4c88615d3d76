/**
 * The MFA pages and account sections, rendered into the accounts page shell: the challenge (code or
 * passkey), the enrolment (QR code as inline SVG, the key as text), the backup codes (shown once),
 * the two account cards (two-step verification; passkeys with add, rename, delete) and the extra
 * sign-in options. Every value is escaped by `html`; the QR SVG is generated from our own URI.
 * The passkey script is a same-origin asset (the library bundle, then ours).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { alert, html, raw, registerAsset, type SafeHtml } from '../../accounts/index.ts';
import type { PasskeyView } from '../passkeys.ts';
import type { MfaStatus } from '../service.ts';
import { mfaMessages as m } from './messages.en.ts';

const require = createRequire(import.meta.url);
const library = registerAsset(
  'simplewebauthn-browser.js',
  'text/javascript; charset=utf-8',
  // the package exports only its ESM entry; the UMD bundle sits beside it in dist/
  readFileSync(
    new URL('../dist/bundle/index.umd.min.js', pathToFileURL(require.resolve('@simplewebauthn/browser'))),
  ),
);
const script = registerAsset(
  'webauthn.js',
  'text/javascript; charset=utf-8',
  readFileSync(new URL('../assets/webauthn.js', import.meta.url)),
);

const stylesheet = registerAsset(
  'mfa.css',
  'text/css; charset=utf-8',
  readFileSync(new URL('../assets/mfa.css', import.meta.url)),
);

/** The stylesheet of the MFA pages. */
export const mfaHead: SafeHtml = html`<link rel="stylesheet" href="${stylesheet.url}" integrity="${stylesheet.integrity}">`;

/** The stylesheet and script tags of a page with a passkey form (policy: `script-src 'self'`). */
export const passkeyHead: SafeHtml = html`${mfaHead}
<script src="${library.url}" integrity="${library.integrity}" defer></script>
<script src="${script.url}" integrity="${script.integrity}" defer></script>`;

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) +
  ' UTC';

const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;

/** A form that runs a passkey ceremony (webauthn.js), then posts `ceremony` and `response`. */
function passkeyForm(p: {
  action: string;
  options: string;
  kind: 'register' | 'authenticate';
  csrf: string;
  button: string;
  autofill?: boolean;
  fields?: SafeHtml;
  buttonClass?: string;
}): SafeHtml {
  return html`<form method="post" action="${p.action}" data-passkey="${p.kind}" data-options="${p.options}"${p.autofill ? html` data-autofill="true"` : ''}>
${hidden('csrf', p.csrf)}${hidden('ceremony', '')}${hidden('response', '')}
${p.fields ?? ''}
<div class="alert error" role="alert" data-error="${m.passkeyFailed}" hidden></div>
<p class="hint" data-unsupported hidden>${m.passkeysUnsupported}</p>
<button class="${p.buttonClass ?? 'secondary'}" type="submit">${p.button}</button>
</form>`;
}

export function challengePage(p: {
  base: string;
  csrf: (form: string) => string;
  error?: string;
  totp: boolean;
  passkeys: boolean;
}): SafeHtml {
  return html`<div class="card">
<h1>${m.challengeTitle}</h1>
${p.totp ? html`<p class="lead">${m.challengeIntro}</p>` : ''}
${alert(p.error)}
${
  p.totp
    ? html`<form method="post" action="${p.base}/mfa" novalidate>
${hidden('csrf', p.csrf('mfa'))}
<label for="code">${m.codeLabel}</label>
<input id="code" name="code" type="text" inputmode="text" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required maxlength="64" aria-describedby="code-hint${p.error ? ' form-error' : ''}" aria-invalid="${p.error ? 'true' : 'false'}" autofocus>
<p class="hint" id="code-hint">${m.codeHint}</p>
<button class="primary" type="submit">${m.verifyButton}</button>
</form>`
    : ''
}
${
  p.passkeys
    ? html`${p.totp ? html`<p class="divider"><span>${m.orDivider}</span></p>` : ''}
${passkeyForm({ action: `${p.base}/mfa/passkey`, options: `${p.base}/mfa/passkey-options`, kind: 'authenticate', csrf: p.csrf('mfa-passkey'), button: m.passkeyButton, buttonClass: p.totp ? 'secondary' : 'primary' })}`
    : ''
}
<div class="links"><a href="${p.base}/sign-in?prompt=login">${m.cancelSignIn}</a></div>
</div>`;
}

export function enrolPage(p: {
  base: string;
  csrf: (form: string) => string;
  qrSvg: string;
  secret: string;
  error?: string;
  required: boolean;
  graceEndsAt?: number | null;
  backHref?: string;
}): SafeHtml {
  const grouped = p.secret.replace(/(.{4})/g, '$1 ').trim();
  return html`<div class="card">
<h1>${m.enrolTitle}</h1>
${p.required ? html`<p class="lead">${m.enrolRequired}${p.graceEndsAt ? html` ${m.enrolGrace(when(new Date(p.graceEndsAt).toISOString()))}` : ''}</p>` : ''}
<p>${m.enrolIntro}</p>
${alert(p.error)}
<figure class="qr" role="img" aria-label="${m.qrLabel}">${raw(p.qrSvg)}</figure>
<p class="secret-label">${m.secretLabel}</p>
<p><code class="secret">${grouped}</code></p>
<p class="hint">${m.secretHint}</p>
<form method="post" action="${p.base}/mfa/enrol" novalidate>
${hidden('csrf', p.csrf('mfa-enrol'))}
<label for="code">${m.codeLabel}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required maxlength="6" aria-invalid="${p.error ? 'true' : 'false'}"${p.error ? html` aria-describedby="form-error"` : ''} autofocus>
<button class="primary" type="submit">${m.confirmButton}</button>
</form>
${
  p.graceEndsAt
    ? html`<form method="post" action="${p.base}/mfa/enrol/skip">${hidden('csrf', p.csrf('mfa-skip'))}<button class="secondary" type="submit">${m.skipButton}</button></form>`
    : ''
}
${p.backHref ? html`<div class="links"><a href="${p.backHref}">${m.backToAccount}</a></div>` : ''}
</div>`;
}

export function backupCodesPage(p: {
  codes: readonly string[];
  continueForm?: { action: string; csrf: string };
  backHref?: string;
}): SafeHtml {
  return html`<div class="card">
<h1>${m.codesTitle}</h1>
<p>${m.codesIntro}</p>
<ul class="codes" aria-label="${m.codesListLabel}">${p.codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
${
  p.continueForm
    ? html`<form method="post" action="${p.continueForm.action}">${hidden('csrf', p.continueForm.csrf)}<button class="primary" type="submit">${m.continueButton}</button></form>`
    : ''
}
${p.backHref ? html`<a class="button primary" href="${p.backHref}">${m.backToAccount}</a>` : ''}
</div>`;
}

export function accountSections(p: {
  base: string;
  csrf: (form: string) => string;
  status: MfaStatus;
  passkeys: readonly PasskeyView[];
}): SafeHtml[] {
  const s = p.status;
  const mfa = html`<div class="card" id="mfa">
<h2>${m.sectionTitle}</h2>
${s.required && !s.totp && s.passkeys === 0 ? html`<p class="alert error" role="status">${s.graceEndsAt ? m.sectionGrace(when(s.graceEndsAt)) : m.sectionRequired}</p>` : ''}
${
  s.totp
    ? html`<p>${m.sectionOn(when(s.totpConfirmedAt ?? new Date().toISOString()))} ${m.codesLeft(s.backupCodesLeft)}</p>
<div class="actions">
<form class="inline" method="post" action="${p.base}/account/mfa/backup-codes">${hidden('csrf', p.csrf('mfa-renew-codes'))}<button class="secondary small" type="submit">${m.renewCodesButton}</button></form>
<form class="inline" method="post" action="${p.base}/account/mfa/remove">${hidden('csrf', p.csrf('mfa-remove'))}<button class="secondary small danger" type="submit">${m.removeButton}</button></form>
</div>`
    : html`<p>${m.sectionOff}</p><a class="button secondary" href="${p.base}/mfa/enrol">${m.setUpButton}</a>`
}
</div>`;
  const list = p.passkeys.map(
    (k) => html`<li>
<div><div class="session-agent">${k.name}${k.backedUp ? html`<span class="badge">${m.passkeySynced}</span>` : ''}</div>
<div class="session-meta">${m.passkeyAdded(when(k.createdAt))}${k.lastUsedAt ? html`, ${m.passkeyUsed(when(k.lastUsedAt))}` : ''}</div></div>
<div class="actions">
<form class="inline rename" method="post" action="${p.base}/account/passkeys/rename">${hidden('csrf', p.csrf('passkey-rename'))}${hidden('id', k.id)}
<label class="visually-hidden" for="rename-${k.id}">${m.renameLabel(k.name)}</label>
<input id="rename-${k.id}" name="name" type="text" required maxlength="64" value="${k.name}">
<button class="secondary small" type="submit">${m.renameButton}</button></form>
<form class="inline" method="post" action="${p.base}/account/passkeys/delete">${hidden('csrf', p.csrf('passkey-delete'))}${hidden('id', k.id)}<button class="secondary small danger" type="submit" aria-label="${m.deleteLabel(k.name)}">${m.deleteButton}</button></form>
</div>
</li>`,
  );
  const passkeys = html`<div class="card" id="passkeys">
<h2>${m.passkeysTitle}</h2>
<p class="hint">${m.passkeysIntro}</p>
${list.length > 0 ? html`<ul class="sessions">${list}</ul>` : html`<p>${m.passkeysNone}</p>`}
${passkeyForm({
  action: `${p.base}/account/passkeys`,
  options: `${p.base}/account/passkeys/options`,
  kind: 'register',
  csrf: p.csrf('passkey-register'),
  button: m.addPasskeyButton,
  fields: html`<label for="passkey-name">${m.passkeyNameLabel}</label><input id="passkey-name" name="name" type="text" required maxlength="64" value="${m.passkeyNameDefault}">`,
})}
</div>`;
  return [mfa, passkeys];
}

/** Under the password form: a passkey button (and autofill), the magic link and forgot-password links. */
export function signInExtras(p: { base: string; csrf: string; returnTo: string }): SafeHtml {
  const q = p.returnTo ? `?return_to=${encodeURIComponent(p.returnTo)}` : '';
  return html`<p class="divider"><span>${m.orDivider}</span></p>
${passkeyForm({
  action: `${p.base}/passkeys/sign-in`,
  options: `${p.base}/passkeys/sign-in-options`,
  kind: 'authenticate',
  csrf: p.csrf,
  button: m.signInWithPasskey,
  autofill: true,
  fields: hidden('return_to', p.returnTo),
})}
<div class="links"><a href="${p.base}/magic-link${q}">${m.magicLinkOption}</a><a href="${p.base}/forgot-password">${m.forgotOption}</a></div>`;
}
