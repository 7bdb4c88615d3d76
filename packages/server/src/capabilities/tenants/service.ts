/**
 * Tenants: hard isolation units, each with its own users, groups, roles, clients, keys and OIDC
 * issuer (`<public URL>/t/<slug>`). The `root` tenant exists from first start and cannot be
 * suspended or deleted; its administrators administer every tenant. Nothing is loaded per tenant at
 * start-up: `resolve` looks a tenant up lazily and caches it, and every change is announced on the
 * shared state so all instances drop their cached copy at once (suspension takes effect everywhere).
 */
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import type { TenantRef } from '../../http/admin-guard.ts';
import { type ListOptions, type Page, toPage } from '../../http/pagination.ts';
import type { SharedState } from '../../state/state.ts';
import type { Database } from '../../storage/database.ts';
import { newId } from '../../storage/ids.ts';
import { toIso } from '../../storage/time.ts';
import type { CreateTenantInput, TenantSort, TenantView, UpdateTenantInput } from './schemas.ts';
import type { TenantFilters, TenantRow, TenantStore } from './store.ts';

export const ROOT_TENANT = 'root';
export const TENANTS_CHANNEL = 'tenants.changed';
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
  state: SharedState;
  publicUrl: () => string;
  /** Called after a tenant is created (seeds built-in roles). */
  onCreated?: (tenantId: string) => Promise<void>;
}

export function createTenantsService(deps: TenantsDeps): TenantsService {
  const { store, database, bus, state } = deps;
  const cache = new Map<string, { ref: TenantRef; expires: number }>();
  const slugs = new Map<string, string>();
  let unsubscribe: (() => Promise<void>) | undefined;

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
    const row = await store.bySlug(slug);
    if (!row) throw new AppError('not_found', { detail: `no tenant "${slug}"` });
    return row;
  }

  async function invalidate(slug: string): Promise<void> {
    cache.delete(slug);
    await state.publish(TENANTS_CHANNEL, slug);
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
      await store.insert(row, input.domains ?? []).catch(conflict);
      await deps.onCreated?.(row.id);
      bus.emit({
        type: 'tenant.created',
        tenant: row.slug,
        actor: ctx.actor,
        target: `tenant:${row.slug}`,
        result: 'success',
        requestId: ctx.requestId ?? null,
        data: { displayName: row.display_name, domains: input.domains ?? [] },
      });
      return view({ ...row, domains: [...(input.domains ?? [])].sort() });
    },
    async get(slug) {
      return view(await mustGet(slug));
    },
    async resolve(slug) {
      const hit = cache.get(slug);
      if (hit && hit.expires > Date.now()) return hit.ref;
      const row = await mustGet(slug);
      const ref: TenantRef = { id: row.id, slug: row.slug, status: row.status };
      if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
      cache.set(slug, { ref, expires: Date.now() + CACHE_TTL_MS });
      return ref;
    },
    async slugOf(id) {
      const known = slugs.get(id);
      if (known) return known;
      const row = await store.byId(id);
      if (!row) throw new AppError('not_found', { detail: 'no such tenant' });
      if (slugs.size >= CACHE_MAX) slugs.delete(slugs.keys().next().value as string);
      slugs.set(id, row.slug);
      return row.slug;
    },
    async list(options, filters) {
      const rows = await store.list(options, filters);
      return toPage(rows, options, (r) => (options.sort === 'slug' ? r.slug : r.created_at), view);
    },
    async update(slug, input, expected, ctx) {
      const current = await mustGet(slug);
      if (slug === ROOT_TENANT && input.status === 'suspended') throw new AppError('tenant_protected');
      const patch: { display_name?: string; status?: 'active' | 'suspended' } = {};
      if (input.displayName !== undefined) patch.display_name = input.displayName;
      if (input.status !== undefined) patch.status = input.status;
      const row = await store.update(current.id, patch, input.domains, expected, Date.now()).catch(conflict);
      if (!row) throw new AppError('precondition_failed');
      await invalidate(slug);
      const suspended = input.status !== undefined && input.status !== current.status;
      bus.emit({
        type: suspended
          ? `tenant.${input.status === 'suspended' ? 'suspended' : 'activated'}`
          : 'tenant.updated',
        tenant: slug,
        actor: ctx.actor,
        target: `tenant:${slug}`,
        result: 'success',
        requestId: ctx.requestId ?? null,
        data: { changed: Object.keys(input) },
      });
      return view(row);
    },
    async delete(slug, expected, ctx) {
      if (slug === ROOT_TENANT) throw new AppError('tenant_protected');
      const current = await mustGet(slug);
      if (!(await store.delete(current.id, expected))) throw new AppError('precondition_failed');
      slugs.delete(current.id);
      await invalidate(slug);
      bus.emit({
        type: 'tenant.deleted',
        tenant: slug,
        actor: ctx.actor,
        target: `tenant:${slug}`,
        result: 'success',
        requestId: ctx.requestId ?? null,
      });
    },
    count: () => store.count(),
    async start() {
      unsubscribe = await state.subscribe(TENANTS_CHANNEL, (slug) => cache.delete(slug));
    },
    async stop() {
      await unsubscribe?.();
    },
  };
  return service;
}
