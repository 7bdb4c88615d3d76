/**
 * Tenants: hard isolation units, each with its own users, groups, roles, clients, keys and OIDC
 * issuer (`<public URL>/t/<slug>`). The `root` tenant exists from first start and cannot be
 * suspended or deleted; its administrators administer every tenant. Nothing is loaded per tenant at
 * start-up: `resolve` looks a tenant up lazily through the invalidated cache (unknown slugs are cached
 * as unknown, so probes of random slugs stay off the database), and every change commits with its
 * audit event and its invalidation, so every process drops its copy within a second (suspension
 * takes effect everywhere).
 */
import './errors.ts';
import type { TenantRef } from '../../access/principal.ts';
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import { newId } from '../../storage/ids.ts';
import { type ListOptions, type Page, toPage } from '../../storage/keyset.ts';
import { toIso } from '../../storage/time.ts';
import { checkSlug, checkTenantFields } from './rules.ts';
import type { CreateTenantInput, TenantSort, TenantView, UpdateTenantInput } from './schemas.ts';
import type { TenantFilters, TenantRow, TenantStore } from './store.ts';

export const ROOT_TENANT = 'root';
const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 10_000;

export interface TenantsService {
  /** Creates the root tenant if missing (idempotent, safe with several instances starting). */
  ensureRoot(): Promise<TenantView>;
  create(input: CreateTenantInput, ctx: ActionContext): Promise<TenantView>;
  get(slug: string): Promise<TenantView>;
  /** Cached slug → tenant lookup for hot paths; throws not_found. */
  resolve(slug: string): Promise<TenantRef>;
  /** Cached id → slug lookup. */
  slugOf(id: string): Promise<string>;
  list(options: ListOptions<TenantSort>, filters: TenantFilters): Promise<Page<TenantView>>;
  update(
    slug: string,
    input: UpdateTenantInput,
    expected: number | undefined,
    ctx: ActionContext,
  ): Promise<TenantView>;
  delete(slug: string, expected: number | undefined, ctx: ActionContext): Promise<void>;
  count(): Promise<number>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface TenantsDeps {
  store: TenantStore;
  database: Database;
  bus: EventBus;
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
  publicUrl: () => string;
  /** Called after a tenant is created (seeds built-in roles). */
  onCreated?: (tenantId: string) => Promise<void>;
}

export function createTenantsService(deps: TenantsDeps): TenantsService {
  const { store, database, bus } = deps;
  const metrics = deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {};
  // slug → tenant, or null for an unknown slug
  const bySlug = createInvalidatedCache<TenantRef | null>({
    name: 'tenants',
    feed: deps.changes,
    load: async (slug) => {
      const row = await store.bySlug(slug);
      return row ? { id: row.id, slug: row.slug, status: row.status } : null;
    },
    ttlMs: CACHE_TTL_MS,
    maxEntries: CACHE_MAX,
    ...metrics,
  });
  // id → slug (a slug never changes; the entry goes when the tenant is deleted)
  const slugs = createInvalidatedCache<string | null>({
    name: 'tenant-slugs',
    feed: deps.changes,
    load: async (id) => (await store.byId(id))?.slug ?? null,
    // a tenant's slug never changes: one looked up inside a write (every audit event names its
    // tenant by slug) is kept, so writes do not each read the tenant; an unknown id is not kept
    keepFromUnit: (slug) => slug !== null,
    ttlMs: CACHE_TTL_MS * 10,
    maxEntries: CACHE_MAX,
    ...metrics,
  });

  const view = (row: TenantRow): TenantView => ({
    id: row.id,
    slug: row.slug,
    displayName: row.display_name,
    status: row.status,
    domains: row.domains,
    issuer: `${deps.publicUrl()}/t/${row.slug}`,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    version: row.version,
  });

  async function mustGet(slug: string): Promise<TenantRow> {
    checkSlug(slug);
    const row = await store.bySlug(slug);
    if (!row) throw new AppError('not_found', { detail: `no tenant "${slug}"` });
    return row;
  }

  function conflict(err: unknown): never {
    if (database.dialect.isUniqueViolation(err)) {
      throw new AppError('conflict', { detail: 'the slug or one of the domains is already in use' });
    }
    throw err;
  }

  const service: TenantsService = {
    async ensureRoot() {
      const existing = await store.bySlug(ROOT_TENANT);
      if (existing) return view(existing);
      try {
        return await service.create({ slug: ROOT_TENANT, displayName: 'Root' }, { actor: 'system' });
      } catch (err) {
        if (err instanceof AppError && err.code === 'conflict') return view(await mustGet(ROOT_TENANT));
        throw err;
      }
    },
    async create(input, ctx) {
      checkTenantFields({ slug: input.slug, displayName: input.displayName, domains: input.domains });
      const now = Date.now();
      const row = {
        id: newId(now),
        slug: input.slug,
        display_name: input.displayName,
        status: 'active' as const,
        created_at: now,
        updated_at: now,
        version: 1,
      };
      await database
        .write(async () => {
          await store.insert(row, input.domains ?? []);
          await deps.onCreated?.(row.id);
          await bySlug.invalidate(row.slug); // a probe may have cached the slug as unknown
          bus.emit({
            type: 'tenant.created',
            tenant: row.slug,
            actor: ctx.actor,
            target: `tenant:${row.slug}`,
            result: 'success',
            requestId: ctx.requestId ?? null,
            data: { displayName: row.display_name, domains: input.domains ?? [] },
          });
        })
        .catch(conflict);
      return view({ ...row, domains: [...(input.domains ?? [])].sort() });
    },
    async get(slug) {
      return view(await mustGet(slug));
    },
    async resolve(slug) {
      checkSlug(slug);
      const ref = await bySlug.get(slug);
      if (!ref) throw new AppError('not_found', { detail: `no tenant "${slug}"` });
      return ref;
    },
    async slugOf(id) {
      const slug = await slugs.get(id);
      if (!slug) throw new AppError('not_found', { detail: 'no such tenant' });
      return slug;
    },
    async list(options, filters) {
      const rows = await store.list(options, filters);
      return toPage(rows, options, (r) => (options.sort === 'slug' ? r.slug : r.created_at), view);
    },
    async update(slug, input, expected, ctx) {
      checkTenantFields({ displayName: input.displayName, domains: input.domains });
      const current = await mustGet(slug);
      if (slug === ROOT_TENANT && input.status === 'suspended') throw new AppError('tenant_protected');
      const patch: { display_name?: string; status?: 'active' | 'suspended' } = {};
      if (input.displayName !== undefined) patch.display_name = input.displayName;
      if (input.status !== undefined) patch.status = input.status;
      const changed: string[] = [];
      if (patch.display_name !== undefined && patch.display_name !== current.display_name)
        changed.push('displayName');
      if (patch.status !== undefined && patch.status !== current.status) changed.push('status');
      if (
        input.domains !== undefined &&
        [...input.domains].sort().join() !== [...current.domains].sort().join()
      )
        changed.push('domains');
      if (changed.length === 0) {
        // nothing to change (e.g. a retried suspend): idempotent, audited once by the call that changed it
        if (expected !== undefined && expected !== current.version) throw new AppError('precondition_failed');
        return view(current);
      }
      const row = await database
        .write(async () => {
          const updated = await store.update(current.id, patch, input.domains, expected, Date.now());
          if (!updated) throw new AppError('precondition_failed');
          await bySlug.invalidate(slug);
          const statusChanged = input.status !== undefined && input.status !== current.status;
          bus.emit({
            type: statusChanged
              ? `tenant.${input.status === 'suspended' ? 'suspended' : 'activated'}`
              : 'tenant.updated',
            tenant: slug,
            actor: ctx.actor,
            target: `tenant:${slug}`,
            result: 'success',
            requestId: ctx.requestId ?? null,
            data: { changed },
          });
          return updated;
        })
        .catch(conflict);
      return view(row);
    },
    async delete(slug, expected, ctx) {
      checkSlug(slug);
      if (slug === ROOT_TENANT) throw new AppError('tenant_protected');
      const current = await mustGet(slug);
      await database.write(async () => {
        if (!(await store.delete(current.id, expected))) throw new AppError('precondition_failed');
        await slugs.invalidate(current.id);
        await bySlug.invalidate(slug);
        bus.emit({
          type: 'tenant.deleted',
          tenant: slug,
          actor: ctx.actor,
          target: `tenant:${slug}`,
          result: 'success',
          requestId: ctx.requestId ?? null,
        });
      });
    },
    count: () => store.count(),
    async start() {
      bySlug.start();
      slugs.start();
    },
    async stop() {
      bySlug.stop();
      slugs.stop();
    },
  };
  return service;
}
