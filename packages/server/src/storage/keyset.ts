/**
 * Keyset (cursor) pagination, for services and stores alike: a cursor names the sort it belongs to
 * and the last row's sort value and id, so a page is `WHERE (sort, id) > (value, id)` — stable under
 * inserts and O(log n) at any depth. The HTTP edge (`http/pagination.ts`) turns query strings into
 * `ListOptions` and pages into responses; nothing here knows about HTTP.
 */
import type { SelectQueryBuilder } from 'kysely';
import { AppError } from '../errors/app-error.ts';

export interface Cursor {
  sort: string;
  value: string | number | null;
  id: string;
}

export interface ListOptions<S extends string = string> {
  limit: number;
  sort: S;
  descending: boolean;
  after: Cursor | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.value, cursor.id])).toString('base64url');
}

/** Decodes a cursor of sort key `sort` (e.g. `createdAt:desc`); anything else is `invalid_cursor`. */
export function decodeCursor(text: string, sort: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 3 && parsed[0] === sort && typeof parsed[2] === 'string') {
      const value = parsed[1] as unknown;
      if (
        value === null ||
        typeof value === 'string' ||
        (typeof value === 'number' && Number.isFinite(value))
      ) {
        return { sort, value, id: parsed[2] };
      }
    }
  } catch {
    // fall through
  }
  throw new AppError('invalid_cursor', {
    detail: 'the cursor is malformed or belongs to another sort order',
  });
}

/** Builds a page from `limit + 1` fetched rows. */
export function toPage<Row extends { id: string }, T>(
  rows: Row[],
  options: ListOptions,
  sortValue: (row: Row) => string | number | null,
  map: (row: Row) => T,
): Page<T> {
  const more = rows.length > options.limit;
  const pageRows = more ? rows.slice(0, options.limit) : rows;
  const last = pageRows[pageRows.length - 1];
  const key = `${options.sort}:${options.descending ? 'desc' : 'asc'}`;
  return {
    items: pageRows.map(map),
    nextCursor: more && last ? encodeCursor({ sort: key, value: sortValue(last), id: last.id }) : null,
  };
}

/**
 * The one keyset condition: rows after the cursor in (`column`, `idColumn`) order, ordered that way,
 * `limit + 1` of them (so `toPage` can tell whether there is a next page). Both columns must be
 * covered by an index for the store's filter, which is what keeps every page an index walk.
 *
 * @example
 * return keysetPage(db.selectFrom('groups').selectAll().where('tenant_id', '=', t), 'name_lower', options).execute();
 */
// biome-ignore lint/suspicious/noExplicitAny: generic over every table and column
export function keysetPage<QB extends SelectQueryBuilder<any, any, any>>(
  query: QB,
  column: string,
  options: ListOptions,
  idColumn = 'id',
): QB {
  const dir = options.descending ? 'desc' : 'asc';
  const cmp = options.descending ? '<' : '>';
  // biome-ignore lint/suspicious/noExplicitAny: column names are dynamic here
  let q = query as any;
  const after = options.after;
  if (after) {
    const value = after.value;
    // biome-ignore lint/suspicious/noExplicitAny: Kysely's expression builder for a dynamic column
    q = q.where((eb: any) =>
      eb.or([eb(column, cmp, value), eb.and([eb(column, '=', value), eb(idColumn, cmp, after.id)])]),
    );
  }
  return q
    .orderBy(column, dir)
    .orderBy(idColumn, dir)
    .limit(options.limit + 1) as QB;
}
