/**
 * The audit log over the admin API (`audit:read`): `/audit` for all-tenant credentials (every
 * tenant, or one with `?tenant=`) and `/tenants/{tenant}/audit` for a tenant's own credentials.
 * Newest first, cursor-paged by sequence number; each entry carries its chain hashes so a client can
 * check the links it reads.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AppError } from '../../errors/app-error.ts';
import { Int, Obj, Str } from '../../http/schema-kit.ts';
import { toIso } from '../../storage/time.ts';
import { Slug, TenantParams } from '../tenants/index.ts';
import type { AuditEntry } from './chain.ts';
import type { AuditSearch } from './search.ts';

const EntrySchema = Type.Object(
  {
    seq: Type.Integer(),
    time: Type.String({ format: 'date-time' }),
    tenant: Type.Union([Type.String(), Type.Null()]),
    actor: Type.String(),
    action: Type.String(),
    target: Type.Union([Type.String(), Type.Null()]),
    result: Type.String(),
    requestId: Type.Union([Type.String(), Type.Null()]),
    data: Type.Record(Type.String(), Type.Unknown()),
    prevHash: Type.String(),
    entryHash: Type.String(),
  },
  { $id: 'AuditEntry' },
);
const Page = Type.Object({
  items: Type.Array(EntrySchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

const filters = {
  limit: Type.Optional(Int({ min: 1, max: 500, default: 100 })),
  cursor: Type.Optional(
    Str({ max: 20, pattern: '^[0-9]{1,16}$', description: 'Sequence number to continue below' }),
  ),
  action: Type.Optional(
    Str({ max: 100, pattern: '^[a-z0-9_.]+$', description: 'Action prefix, e.g. user.' }),
  ),
  from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
  to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
};
const RootQuery = Obj({ ...filters, tenant: Type.Optional(Slug) });
const TenantQuery = Obj(filters);

type Query = {
  limit?: number;
  cursor?: string;
  action?: string;
  from?: string;
  to?: string;
  tenant?: string;
};

const view = (e: AuditEntry) => ({ ...e, time: toIso(e.ts), ts: undefined });

export function registerAuditRoutes(app: FastifyInstance, deps: { auditSearch: AuditSearch }): void {
  async function list(request: FastifyRequest, tenant: string | undefined) {
    const q = request.query as Query;
    const limit = q.limit ?? 100;
    const from = q.from ? Date.parse(q.from) : undefined;
    const to = q.to ? Date.parse(q.to) : undefined;
    if ((from !== undefined && Number.isNaN(from)) || (to !== undefined && Number.isNaN(to))) {
      throw new AppError('validation_failed', { detail: 'from / to must be ISO-8601 date-times' });
    }
    const rows = await deps.auditSearch.list({
      ...(tenant !== undefined ? { tenant } : {}),
      ...(q.cursor ? { beforeSeq: Number(q.cursor) } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      limit,
    });
    const more = rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map(view);
    return { items, nextCursor: more ? String(items[items.length - 1]!.seq) : null };
  }

  app.get(
    '/audit',
    {
      config: { ability: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Read the audit log of every tenant, newest first',
        querystring: RootQuery,
        response: { 200: Page },
      },
    },
    (request) => list(request, (request.query as Query).tenant),
  );

  app.get(
    '/tenants/:tenant/audit',
    {
      config: { ability: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: "Read a tenant's audit log, newest first",
        params: TenantParams,
        querystring: TenantQuery,
        response: { 200: Page },
      },
    },
    (request) => list(request, request.tenant!.slug),
  );
}
