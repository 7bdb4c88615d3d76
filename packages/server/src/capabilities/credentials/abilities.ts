/**
 * The abilities (scopes) a credential can carry on the admin API. `*` grants everything,
 * `<noun>:*` everything on a noun, and `<noun>:write` implies `<noun>:read` (see `hasAbility`).
 */
export const ABILITY_NOUNS = [
  'tenants',
  'users',
  'groups',
  'roles',
  'orgs',
  'tokens',
  'settings',
  'audit',
  'clients',
  'routes',
  'permissions',
  'apitokens',
  'ratelimits',
  'sessions',
  'metrics',
  'oidc',
] as const;

export const ABILITY_PATTERN = `^(\\*|(${ABILITY_NOUNS.join('|')}):(\\*|read|write))$`;
const abilityRegex = new RegExp(ABILITY_PATTERN);

/**
 * The scopes an API token for the gateway carries (personal `pat`, service `svc`): free-form per
 * tenant (`datasets:read`, `reports:*`, `*`), with the same shape and matching rule as role
 * permissions, so a personal token can be bounded by its owner's effective permissions. They never
 * mean anything on the admin API (only `adm` tokens authenticate there).
 */
export const SCOPE_PATTERN = '^(\\*|[a-z][a-z0-9_-]{0,31}:(\\*|[a-z][a-z0-9_-]{0,31}))$';
const scopeRegex = new RegExp(SCOPE_PATTERN);

/** True for a well-formed gateway scope. */
export function isScope(value: string): boolean {
  return typeof value === 'string' && scopeRegex.test(value);
}

/** True for a well-formed ability string. */
export function isAbility(value: string): boolean {
  return abilityRegex.test(value);
}

/** Deduplicated, sorted abilities. */
export function normaliseAbilities(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
