/** A page with a heading, a message and optionally a link or a one-button form (signed out, errors, sign-out confirm). */
import { html, type SafeHtml } from './html.ts';
import { alert } from './layout.ts';

export interface MessagePageInput {
  title: string;
  message: string;
  error?: boolean;
  link?: { href: string; text: string };
  form?: { action: string; csrf: string; button: string };
}

export function messagePage(p: MessagePageInput): SafeHtml {
  return html`<div class="card">
<h1>${p.title}</h1>
${p.error ? alert(p.message) : html`<p>${p.message}</p>`}
${
  p.form
    ? html`<form method="post" action="${p.form.action}"><input type="hidden" name="csrf" value="${p.form.csrf}"><button class="primary" type="submit">${p.form.button}</button></form>`
    : ''
}
${p.link ? html`<div class="links"><a href="${p.link.href}">${p.link.text}</a></div>` : ''}
</div>`;
}
