/**
 * Export of a tenant's users as flat rows, for CSV / XLSX writers. The columns are what an import
 * reads (`username,email,fullname,groups`, groups separated by ";") followed by read-only columns an
 * import ignores, so an export imports as it is into another tenant. Pages through the service's
 * keyset `list` (never loading every user at once), so exporting 100,000 users uses the memory of
 * one page and the order is stable (by username) even while users are being added; a page's groups
 * come in one query through the `groupsOf` callback (the groups capability's service).
 */
import { decodeCursor } from '../../storage/keyset.ts';
import type { UsersService } from './service.ts';

/** Columns of an export, in order. */
export const USER_EXPORT_COLUMNS = [
  'username',
  'email',
  'fullname',
  'groups',
  'id',
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
  options: {
    pageSize?: number;
    /** The direct groups of a page of users: user id → group names. Without it `groups` is empty. */
    groupsOf?: (tenantId: string, userIds: string[]) => Promise<Map<string, string[]>>;
  } = {},
): AsyncGenerator<UserExportRow> {
  const limit = options.pageSize ?? PAGE;
  let after: Parameters<UsersService['list']>[1]['after'];
  let cursor: string | null = null;
  do {
    const page = await users.list(tenantId, { limit, sort: 'username', descending: false, after });
    const groups = options.groupsOf
      ? await options.groupsOf(
          tenantId,
          page.items.map((u) => u.id),
        )
      : new Map<string, string[]>();
    for (const u of page.items) {
      yield {
        username: u.username,
        email: u.email,
        fullname: u.name,
        groups: (groups.get(u.id) ?? []).join(';'),
        id: u.id,
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
