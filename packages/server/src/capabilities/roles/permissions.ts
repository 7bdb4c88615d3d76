/**
 * What a role is made of: permission strings `<noun>:<verb>` (`users:read`), `<noun>:*` or `*`, with
 * the same meaning as admin API abilities (`*` covers everything, `noun:*` every verb of a noun,
 * `noun:write` implies `noun:read`). A role holds at most 200, stored deduplicated and sorted so two
 * equal sets compare equal. Also the built-in roles every tenant gets, which nobody can change.
 */
import { AppError } from '../../errors/app-error.ts';

export const PERMISSION_PATTERN = '^(\\*|[a-z][a-z0-9_-]{0,31}:(\\*|[a-z][a-z0-9_-]{0,31}))$';
export const MAX_PERMISSIONS = 200;
const permissionRegex = new RegExp(PERMISSION_PATTERN);

/**
 * Names of roles and groups: 1–64 (roles) or 1–128 (groups) characters, no control characters, no
 * leading or trailing white space (so `"ops"` and `"ops "` cannot coexist looking identical).
 */
export const NAME_PATTERN = '^[^\\s\\p{Cc}](?:[^\\p{Cc}]*[^\\s\\p{Cc}])?$';
const nameRegex = new RegExp(NAME_PATTERN, 'u');

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

/** Throws `validation_failed` unless `name` is a usable role or group name of at most `max` characters. */
export function checkName(name: string, max: number, what: string): string {
  if (typeof name !== 'string' || name.length > max || !nameRegex.test(name)) {
    throw new AppError('validation_failed', {
      detail: `the ${what} name must be 1–${max} characters, without control characters or surrounding spaces`,
    });
  }
  return name;
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
