/**
 * The field rules of a tenant — one definition for the request schemas (`schemas.ts` builds them
 * from these) and for the service, which checks every input whatever its source (API, CLI, import),
 * with the same messages (`text/field-errors.ts`). A slug appears in issuer URLs (`/t/<slug>`) and in
 * every admin path, so it is refused before any lookup when malformed.
 */
import { FieldErrors, type TextRule } from '../../text/field-errors.ts';

/** Lower-case letters, digits and single hyphens, starting and ending with a letter or digit. */
export const SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,62}$';
const DOMAIN_PATTERN = '^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$';

export const SLUG_RULE = {
  min: 1,
  max: 63,
  pattern: SLUG_PATTERN,
  message:
    'must be lower-case letters, digits and single hyphens, starting and ending with a letter or digit',
  description: 'URL-safe tenant identifier',
} as const satisfies TextRule;

export const DOMAIN_RULE = {
  min: 4,
  max: 253,
  pattern: DOMAIN_PATTERN,
  message: 'must be a lower-case domain name such as login.example.com',
  description: 'Custom domain (lower case)',
} as const satisfies TextRule;

export const DISPLAY_NAME_RULE = {
  min: 1,
  max: 200,
  pattern: '^[^\\p{Cc}]*$',
  message: 'must not contain control characters',
} as const satisfies TextRule;

export const MAX_DOMAINS = 20;

/** Throws `validation_failed` naming every broken field of a tenant's input. */
export function checkTenantFields(input: {
  slug?: string;
  displayName?: string;
  domains?: readonly string[] | undefined;
}): void {
  const errors = new FieldErrors();
  if (input.slug !== undefined) errors.text('slug', input.slug, SLUG_RULE);
  if (input.displayName !== undefined) errors.text('displayName', input.displayName, DISPLAY_NAME_RULE);
  if (input.domains !== undefined) {
    if (input.domains.length > MAX_DOMAINS) errors.add('domains', `must have at most ${MAX_DOMAINS} items`);
    input.domains.forEach((d, i) => {
      errors.text(`domains/${i}`, d, DOMAIN_RULE);
    });
    if (new Set(input.domains).size !== input.domains.length)
      errors.add('domains', 'must not repeat an item');
  }
  errors.throwIfAny();
}

/** Throws `validation_failed` unless `slug` is well-formed (before any lookup). */
export function checkSlug(slug: string): void {
  const errors = new FieldErrors();
  errors.text('tenant', slug, SLUG_RULE);
  errors.throwIfAny();
}
