/**
 * Who is asking, for every authorization decision (ARCHITECTURE.md §6: one principal model): the
 * admin API guard, `/authz` and token issuance build a `Principal` and ask the same questions of it.
 * Abilities are free-form `noun:verb` scopes; `hasAbility` is their one matching rule.
 */

export interface Principal {
  credentialId: string;
  /** Audit actor string, e.g. `credential:<id>`. */
  actor: string;
  /** null: all tenants (root administration). */
  tenantId: string | null;
  tenantSlug: string | null;
  abilities: readonly string[];
}

/** A resolved tenant, as hot paths need it. */
export interface TenantRef {
  id: string;
  slug: string;
  status: 'active' | 'suspended';
}

/**
 * True when `granted` covers `needed`: `*` covers everything, `users:*` covers `users:…`, and
 * `X:write` implies `X:read`.
 *
 * @example hasAbility(['users:write'], 'users:read') // true
 */
export function hasAbility(granted: readonly string[], needed: string): boolean {
  const [noun] = needed.split(':');
  for (const g of granted) {
    if (g === '*' || g === needed || g === `${noun}:*`) return true;
    if (needed.endsWith(':read') && g === `${noun}:write`) return true;
  }
  return false;
}
