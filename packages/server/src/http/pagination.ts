/**
 * Cursor pagination at the HTTP edge: the `limit`/`cursor`/`sort` query properties every list
 * endpoint shares, their translation into `ListOptions`, and the page response schema. A cursor is
 * opaque to clients (see `storage/keyset.ts`); one from another sort or a tampered one is
 * `invalid_cursor`.
 */
import Type, { type TSchema } from 'typebox';
import { decodeCursor, type ListOptions } from '../storage/keyset.ts';
import { Int, Str } from './schema-kit.ts';

export {
  type Cursor,
  decodeCursor,
  encodeCursor,
  type ListOptions,
  type Page,
  toPage,
} from '../storage/keyset.ts';

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

/** Response schema of a page. */
export function PageSchema<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}
