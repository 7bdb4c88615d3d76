/**
 * Cursor pagination for every list endpoint. A cursor is opaque to clients: base64url JSON of the
 * sort it belongs to and the last row's sort value and id (keyset pagination — stable under inserts,
 * O(log n) per page at any depth). A cursor from another sort or a tampered one is `invalid_cursor`.
 */
import Type, { type TSchema } from 'typebox';
import { AppError } from '../errors/app-error.ts';
import { Int, Str } from './schema-kit.ts';

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

/** Query-string properties shared by list endpoints (`limit`, `cursor`, `sort`). */
export function listQueryProperties<const S extends readonly string[]>(sorts: S) {
  const choices = sorts.flatMap((s) => [s, `-${s}`]);
  return {
    limit: Type.Optional(Int({ min: 1, max: 200, default: 50, description: 'Page size (1–200).' })),
    cursor: Type.Optional(Str({ max: 1024, description: 'Opaque cursor from a previous page.' })),
    sort: Type.Optional(
      Type.Union(
        choices.map((c) => Type.Literal(c)),
        { description: `Sort field; prefix with - for descending. One of: ${choices.join(', ')}` },
      ),
    ),
  };
}

/** Turns validated query values into list options. */
export function toListOptions<S extends string>(
  query: { limit?: number; cursor?: string; sort?: string },
  defaultSort: S,
): ListOptions<S> {
  const raw = query.sort ?? defaultSort;
  const descending = raw.startsWith('-');
  const sort = (descending ? raw.slice(1) : raw) as S;
  const key = `${sort}:${descending ? 'desc' : 'asc'}`;
  return {
    limit: query.limit ?? 50,
    sort,
    descending,
    after: query.cursor ? decodeCursor(query.cursor, key) : undefined,
  };
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

/** Response schema of a page. */
export function PageSchema<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}
