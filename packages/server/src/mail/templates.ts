/**
 * The built-in mail templates (magic link, password reset, new sign-in alert, MFA changed), each in
 * plain text and HTML, and the one renderer. A template is text with `{{name}}` placeholders; in the
 * HTML body every value is HTML-escaped, in the subject line breaks are removed (no header
 * injection). A tenant overrides a template by storing its own subject / text / HTML (mail_templates,
 * `gatekeeper mail templates set`); placeholders it does not use are simply left out.
 */

export const TEMPLATE_NAMES = ['magic-link', 'password-reset', 'sign-in-alert', 'mfa-changed'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface MailTemplate {
  subject: string;
  text: string;
  html: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** The placeholders each template is given (documented in docs/sign-in.md). */
export const TEMPLATE_VARIABLES: Record<TemplateName, readonly string[]> = {
  'magic-link': ['tenantName', 'userName', 'link', 'expiresInMinutes'],
  'password-reset': ['tenantName', 'userName', 'link', 'expiresInMinutes'],
  'sign-in-alert': ['tenantName', 'userName', 'time', 'ip', 'userAgent', 'method', 'accountUrl'],
  'mfa-changed': ['tenantName', 'userName', 'change', 'time', 'accountUrl'],
};

const layout = (body: string) =>
  `<!doctype html><html><body style="margin:0;padding:24px;background:#f4f5f7;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2328">` +
  `<div style="max-width:520px;margin:0 auto;background:#fff;border-radius:8px;padding:32px">${body}` +
  `<p style="color:#6e7781;font-size:12px;margin-top:32px">{{tenantName}}</p></div></body></html>`;

const button = (label: string) =>
  `<p style="margin:24px 0"><a href="{{link}}" style="display:inline-block;background:#2563eb;color:#fff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600">${label}</a></p>` +
  `<p style="font-size:13px;color:#57606a">Or paste this address into your browser:<br><span style="word-break:break-all">{{link}}</span></p>`;

export const BUILT_IN_TEMPLATES: Record<TemplateName, MailTemplate> = {
  'magic-link': {
    subject: 'Your sign-in link for {{tenantName}}',
    text: 'Hello {{userName}},\n\nUse this link to sign in to {{tenantName}}:\n\n{{link}}\n\nIt works once and expires in {{expiresInMinutes}} minutes. If you did not ask for it, ignore this message.\n',
    html: layout(
      `<h1 style="font-size:20px">Sign in to {{tenantName}}</h1><p>Hello {{userName}}, use this link to sign in.</p>${button('Sign in')}` +
        `<p>It works once and expires in {{expiresInMinutes}} minutes. If you did not ask for it, ignore this message.</p>`,
    ),
  },
  'password-reset': {
    subject: 'Reset your {{tenantName}} password',
    text: 'Hello {{userName}},\n\nSomeone asked to reset the password of your {{tenantName}} account. To choose a new one, open:\n\n{{link}}\n\nThe link works once and expires in {{expiresInMinutes}} minutes. If it was not you, ignore this message: your password stays as it is.\n',
    html: layout(
      `<h1 style="font-size:20px">Reset your password</h1><p>Hello {{userName}}, someone asked to reset the password of your {{tenantName}} account.</p>${button('Choose a new password')}` +
        `<p>The link works once and expires in {{expiresInMinutes}} minutes. If it was not you, ignore this message: your password stays as it is.</p>`,
    ),
  },
  'sign-in-alert': {
    subject: 'New sign-in to your {{tenantName}} account',
    text: 'Hello {{userName}},\n\nYour {{tenantName}} account was signed in to on {{time}} ({{method}}) from {{ip}}, {{userAgent}}.\n\nIf this was not you, sign out that session and change your password: {{accountUrl}}\n',
    html: layout(
      `<h1 style="font-size:20px">New sign-in</h1><p>Hello {{userName}}, your {{tenantName}} account was signed in to on {{time}} ({{method}}) from {{ip}}, {{userAgent}}.</p>` +
        `<p>If this was not you, <a href="{{accountUrl}}">sign out that session and change your password</a>.</p>`,
    ),
  },
  'mfa-changed': {
    subject: 'Two-step verification changed on your {{tenantName}} account',
    text: 'Hello {{userName}},\n\n{{change}} on {{time}}.\n\nIf this was not you, review your account now: {{accountUrl}}\n',
    html: layout(
      `<h1 style="font-size:20px">Two-step verification changed</h1><p>Hello {{userName}}, {{change}} on {{time}}.</p>` +
        `<p>If this was not you, <a href="{{accountUrl}}">review your account now</a>.</p>`,
    ),
  },
};

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** True for a known template name (type guard). */
export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}

/**
 * Fills a template's placeholders with `vars` (missing ones become empty).
 *
 * @example
 * renderTemplate(BUILT_IN_TEMPLATES['magic-link'], { link: 'https://…', tenantName: 'Acme' }).subject;
 * // 'Your sign-in link for Acme'
 */
export function renderTemplate(template: MailTemplate, vars: Readonly<Record<string, string>>): RenderedMail {
  const fill = (text: string, encode: (v: string) => string) =>
    text.replace(PLACEHOLDER, (_m, name: string) => encode(Object.hasOwn(vars, name) ? vars[name]! : ''));
  return {
    subject: fill(template.subject, (v) => v.replace(/[\r\n]+/g, ' '))
      .trim()
      .slice(0, 998),
    text: fill(template.text, (v) => v),
    html: fill(template.html, escapeHtml),
  };
}
