/**
 * The hosted setup page: plain HTML with no scripts and no external resources, sent with a strict
 * CSP. The setup token travels in a hidden field; being unguessable and single-use it also serves as
 * the form's CSRF token (a cross-site form cannot know it).
 */
import { cliCommand } from '../../config/cli-command.ts';

import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../users/index.ts';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLE = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1.2rem;padding:.6rem 1.2rem}.error{color:#b42318}.ok{color:#067647}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · Gatekeeper</title><style>${STYLE}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export function setupFormPage(token: string, error?: string): string {
  return layout(
    'Set up Gatekeeper',
    `<p>Create the first administrator. This link works once.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="setup">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<label for="name">Name</label><input id="name" name="name" autocomplete="name" maxlength="200">
<label for="email">Email</label><input id="email" name="email" type="email" required autocomplete="username" maxlength="254">
<label for="password">Password (at least ${MIN_PASSWORD_LENGTH} characters)</label>
<input id="password" name="password" type="password" required minlength="${MIN_PASSWORD_LENGTH}" maxlength="${MAX_PASSWORD_LENGTH}" autocomplete="new-password">
<button type="submit">Create administrator</button></form>`,
  );
}

export function setupDonePage(email: string, cli = cliCommand()): string {
  return layout(
    'Administrator created',
    `<p class="ok">${escapeHtml(email)} now administers this Gatekeeper.</p>
<p>Create an admin API token for automation with <code>${escapeHtml(cli)} admin token create --name NAME --abilities '*'</code>.</p>`,
  );
}

export function setupInvalidPage(): string {
  return layout(
    'Link not valid',
    '<p class="error">This setup link is invalid, expired or already used.</p>',
  );
}
