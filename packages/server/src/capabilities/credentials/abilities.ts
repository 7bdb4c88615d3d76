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
] as const;

export const ABILITY_PATTERN = `^(\\*|(${ABILITY_NOUNS.join('|')}):(\\*|read|write))$`;
const abilityRegex = new RegExp(ABILITY_PATTERN);

/** True for a well-formed ability string. */
export function isAbility(value: string): boolean {
  return abilityRegex.test(value);
}

/** Deduplicated, sorted abilities. */
export function normaliseAbilities(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
