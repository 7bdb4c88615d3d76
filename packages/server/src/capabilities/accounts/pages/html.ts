/**
 * The `html` tagged template: every interpolated value is escaped unless it is `raw()` (or the result
 * of another `html` template), so a page cannot forget to escape a user's name. Arrays are joined,
 * `null`/`undefined`/`false` render as nothing. The shape follows hono's `helper/html`.
 *
 * @example
 * html`<p>Hello ${user.name}</p>`          // "<p>Hello &lt;b&gt;</p>" for the name "<b>"
 * html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`
 */

/** Markup that is already safe (escaped or trusted); `html` inserts it as it is. */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** Marks trusted markup (never user input) so `html` does not escape it. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}
