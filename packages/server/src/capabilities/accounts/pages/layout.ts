/**
 * The page shell every hosted page renders into: document head (our stylesheet, the tenant accent
 * colour in the one nonce'd style element), the tenant brand, a skip link, the page's main content
 * and a footer. Everything interpolated is escaped by `html`.
 */

import { stylesheet } from './assets.ts';
import { html, raw, type SafeHtml } from './html.ts';
import { messages } from './messages.en.ts';

export interface Brand {
  /** Name shown above the card (tenant display name or branding override). */
  name: string;
  logoUrl: string | null;
  /** Validated `#rrggbb`. */
  accent: string;
}

export interface LayoutInput {
  title: string;
  brand: Brand;
  nonce: string;
  body: SafeHtml;
  /** A wider main column (the account page). */
  wide?: boolean;
  /** Extra markup in <head> (the MFA pages' script tag). */
  head?: SafeHtml;
}

const ACCENT = /^#[0-9a-fA-F]{6}$/;

export function layout(input: LayoutInput): string {
  const { brand } = input;
  const accent = ACCENT.test(brand.accent) ? brand.accent : '#3358d4';
  const initial = [...brand.name.trim()][0]?.toUpperCase() ?? 'G';
  const logo = brand.logoUrl
    ? html`<img src="${brand.logoUrl}" alt="">`
    : html`<span class="mark" aria-hidden="true">${initial}</span>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${input.title} · ${brand.name}</title>
<link rel="stylesheet" href="${stylesheet.url}" integrity="${stylesheet.integrity}">
<style nonce="${input.nonce}">:root{--accent:${raw(accent)}}</style>
${input.head ?? ''}
</head>
<body>
<a class="skip" href="#content">${messages.skipToContent}</a>
<main id="content" class="${input.wide ? 'wide' : ''}">
<div class="brand">${logo}<span>${brand.name}</span></div>
${input.body}
</main>
<footer>${messages.poweredBy}</footer>
</body>
</html>
`.value;
}

/** An error shown as a message inside `role=alert`, or nothing. */
export function alert(message: string | undefined, kind: 'error' | 'ok' = 'error'): SafeHtml {
  if (!message) return html``;
  return kind === 'error'
    ? html`<div class="alert error" role="alert" id="form-error">${message}</div>`
    : html`<div class="alert ok" role="status">${message}</div>`;
}
