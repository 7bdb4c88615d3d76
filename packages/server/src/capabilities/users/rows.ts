/**
 * The shape of a user row as stores return it (every column but the password hash), how a new row
 * is built from checked input, and its API view: ISO timestamps, boolean flags, camelCase names. The
 * hash never leaves the store except for verification, so no view can leak it.
 */
import { newId } from '../../storage/ids.ts';
import type { UsersTable } from '../../storage/tables.ts';
import { toIso, toIsoOrNull } from '../../storage/time.ts';
import { FIELD_OF_COLUMN, toColumns, type UserColumns } from './rules.ts';
import type { CreateUserInput, UserView } from './schemas.ts';

export type UserRow = Omit<UsersTable, 'password_hash'>;

/** Every column but `password_hash`. */
export const USER_COLUMNS = [
  'id',
  'tenant_id',
  'username',
  'username_lower',
  'username_skeleton',
  'email',
  'email_lower',
  'email_verified',
  'name',
  'given_name',
  'family_name',
  'locale',
  'picture',
  'status',
  'created_at',
  'updated_at',
  'last_sign_in_at',
  'version',
] as const satisfies readonly (keyof UserRow)[];

/** The API representation of a user row. */
export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    emailVerified: row.email_verified === 1,
    name: row.name,
    givenName: row.given_name,
    familyName: row.family_name,
    locale: row.locale,
    picture: row.picture,
    status: row.status,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    lastSignInAt: toIsoOrNull(row.last_sign_in_at),
    version: row.version,
  };
}

/** A new, version-1 row from create input (checked by `rules.ts`; throws `validation_failed`). */
export function newUserRow(
  tenantId: string,
  input: CreateUserInput,
  hash: string | null,
  at: number,
): UsersTable {
  const c = toColumns({ ...input, status: input.status ?? 'active' });
  return {
    id: newId(at),
    tenant_id: tenantId,
    username: c.username!,
    username_lower: c.username_lower!,
    username_skeleton: c.username_skeleton!,
    email: c.email ?? null,
    email_lower: c.email_lower ?? null,
    email_verified: c.email_verified ?? 0,
    name: c.name ?? null,
    given_name: c.given_name ?? null,
    family_name: c.family_name ?? null,
    locale: c.locale ?? null,
    picture: c.picture ?? null,
    status: c.status ?? 'active',
    password_hash: hash,
    created_at: at,
    updated_at: at,
    last_sign_in_at: null,
    version: 1,
  };
}

/** Names of the fields a new row sets (for the `user.created` event); never their values. */
export function createdFields(row: UsersTable): string[] {
  const fields = new Set<string>();
  for (const [column, field] of Object.entries(FIELD_OF_COLUMN)) {
    const value = row[column as keyof UserColumns];
    if (value !== null && value !== 0) fields.add(field);
  }
  if (row.password_hash !== null) fields.add('password');
  return [...fields];
}
