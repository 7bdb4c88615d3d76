/**
 * What a role is made of: permission strings `<noun>:<verb>` (`users:read`), `<noun>:*` or `*`, with
 * the same meaning as admin API abilities (`*` covers everything, `noun:*` every verb of a noun,
 * `noun:write` implies `noun:read`). A role holds at most 200, stored deduplicated and sorted so two
 * equal sets compare equal. Also the built-in roles every tenant gets, which nobody can change.
 */
import { AppError } from '../../errors/app-error.ts';
import { FieldErrors } from '../../text/field-errors.ts';

export const PERMISSION_PATTERN = '^(\\*|[a-z][a-z0-9_-]{0,31}:(\\*|[a-z][a-z0-9_-]{0,31}))$';
export const MAX_PERMISSIONS = 200;
const permissionRegex = new RegExp(PERMISSION_PATTERN);

/**
 * Names of roles and groups: 1–64 (roles) or 1–128 (groups) characters, no control characters, no
 * leading or trailing white space (so `"ops"` and `"ops "` cannot coexist looking identical).
 */
export const NAME_PATTERN = '^[^\\s\\p{Cc}](?:[^\\p{Cc}]*[^\\s\\p{Cc}])?$';
export const NAME_MESSAGE = 'must not start or end with a space or contain control characters';

/** True for a well-formed permission string. */
export function isPermission(value: string): boolean {
  return permissionRegex.test(value);
}

/**
 * Deduplicated, sorted permissions; throws `validation_failed` (400) naming the first bad entry or
 * when more than {@link MAX_PERMISSIONS} remain.
 *
 * @example normalisePermissions(['users:read', 'audit:read', 'users:read']) // ['audit:read', 'users:read']
 */
export function normalisePermissions(values: readonly string[]): string[] {
  const bad = values.find((v) => typeof v !== 'string' || !isPermission(v));
  if (bad !== undefined) {
    throw new AppError('validation_failed', {
      detail: `"${String(bad).slice(0, 80)}" is not a permission (noun:verb, noun:* or *)`,
    });
  }
  const unique = [...new Set(values)].sort();
  if (unique.length > MAX_PERMISSIONS) {
    throw new AppError('validation_failed', {
      detail: `a role holds at most ${MAX_PERMISSIONS} permissions`,
    });
  }
  return unique;
}

/**
 * The name in NFC (so `Café` typed with a combining accent and `Café` precomposed are one name);
 * throws `validation_failed` (`name: …`, the request schemas' wording) unless it is a usable role or
 * group name of at most `max` characters. Compare names with `nameKey` (NFC, lower case).
 */
export function checkName(name: string, max: number, _what?: string): string {
  const errors = new FieldErrors();
  const nfc = typeof name === 'string' ? name.normalize('NFC') : '';
  errors.text('name', nfc, { max, pattern: NAME_PATTERN, message: NAME_MESSAGE });
  errors.throwIfAny();
  return nfc;
}

export interface BuiltinRole {
  readonly name: string;
  readonly description: string;
  readonly permissions: readonly string[];
}

/** Seeded into every tenant (`builtin` = 1); immutable through the API. */
export const BUILTIN_ROLES: readonly BuiltinRole[] = [
  { name: 'owner', description: 'Everything, including tenant administration', permissions: ['*'] },
  {
    name: 'admin',
    description: 'Administers the directory, tokens and settings',
    permissions: ['audit:read', 'groups:*', 'orgs:*', 'roles:*', 'settings:*', 'tokens:*', 'users:*'],
  },
  {
    name: 'writer',
    description: 'Creates and changes users, groups and organizations',
    permissions: ['groups:write', 'orgs:write', 'users:write'],
  },
  {
    name: 'viewer',
    description: 'Reads users, groups, roles and organizations',
    permissions: ['groups:read', 'orgs:read', 'roles:read', 'users:read'],
  },
  { name: 'auditor', description: 'Reads the audit log', permissions: ['audit:read'] },
  { name: 'member', description: 'Belongs, with no administrative permission', permissions: [] },
];
