/**
 * Export of a tenant's users as flat rows, for CSV / XLSX writers. Pages through the service's keyset
 * `list` (never loading every user at once), so exporting 100,000 users uses the memory of one page
 * and the order is stable (by username) even while users are being added.
 */
import { decodeCursor } from '../../storage/keyset.ts';
import type { UsersService } from './service.ts';

/** Columns of an export, in order. */
export const USER_EXPORT_COLUMNS = [
  'id',
  'username',
  'email',
  'fullname',
  'status',
  'emailVerified',
  'createdAt',
  'lastSignInAt',
] as const;

export type UserExportRow = Record<(typeof USER_EXPORT_COLUMNS)[number], string | null>;

const PAGE = 500;

/**
 * Yields every user of the tenant as an export row.
 *
 * @example
 * for await (const row of exportUsers(users, tenant.id)) console.log(row.username);
 */
export async function* exportUsers(
  users: UsersService,
  tenantId: string,
  options: { pageSize?: number } = {},
): AsyncGenerator<UserExportRow> {
  const limit = options.pageSize ?? PAGE;
  let after: Parameters<UsersService['list']>[1]['after'];
  let cursor: string | null = null;
  do {
    const page = await users.list(tenantId, { limit, sort: 'username', descending: false, after });
    for (const u of page.items) {
      yield {
        id: u.id,
        username: u.username,
        email: u.email,
        fullname: u.name,
        status: u.status,
        emailVerified: u.emailVerified ? 'true' : 'false',
        createdAt: u.createdAt,
        lastSignInAt: u.lastSignInAt,
      };
    }
    cursor = page.nextCursor;
    after = cursor === null ? undefined : decodeCursor(cursor, 'username:asc');
  } while (cursor !== null);
}
