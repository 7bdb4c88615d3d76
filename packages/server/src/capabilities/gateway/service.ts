/**
 * The rules of a tenant's gateway configuration: routes (ties refused at creation, naming the route
 * they tie with), permissions on routes (a client, a user or a role), and rate limits. Every change
 * commits with its audit event and drops the tenant's compiled policy on every instance (the
 * invalidated cache), so the hot path reads no SQL in steady state and sees a change within a second.
 */
import './errors.ts';
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import { createTenantEventEmitter } from '../../events/tenant-events.ts';
import type { Database } from '../../storage/database.ts';
import { isId, newId } from '../../storage/ids.ts';
import { type ListOptions, type Page, toPage } from '../../storage/keyset.ts';
import { toIso } from '../../storage/time.ts';
import { inUnits } from '../../storage/unit-of-work.ts';
import { compilePolicy, type TenantPolicy } from './policy/compile.ts';
import type {
  AuthMode,
  LimitSubjectType,
  LimitView,
  PermissionView,
  RouteView,
  SubjectType,
} from './policy/model.ts';
import { parseHostPattern, parsePathPattern } from './policy/patterns.ts';
import {
  checkAudience,
  checkAuth,
  checkDescription,
  checkJwtAudience,
  checkLimit,
  checkMethods,
  checkScopes,
  type LimitNumbers,
} from './rules.ts';
import type { GatewayStore, LimitRow, PermissionRow, RouteRow } from './store.ts';

export interface RouteInput {
  host: string;
  path: string;
  auth: Record<string, string[]>;
  audience?: string | null;
  description?: string | null;
}

export interface GrantInput {
  routeId: string;
  subjectType: SubjectType;
  /** Client (id, client_id or name), user (id, username or email) or role name. */
  subject: string;
  methods: readonly string[];
  scopes?: readonly string[];
}

export interface LimitInput extends LimitNumbers {
  subjectType: LimitSubjectType;
  /** Client (id, client_id or name) or token id; ignored for `any`. */
  subject?: string;
  routeId?: string | null;
}

/** What the service needs from other capabilities to name subjects. */
export interface SubjectResolver {
  client(tenantId: string, ref: string): Promise<string>;
  user(tenantId: string, ref: string): Promise<string>;
  role(tenantId: string, name: string): Promise<string>;
  token(tenantId: string, id: string): Promise<string>;
}

export interface GatewayConfigService {
  createRoute(tenantId: string, input: RouteInput, ctx: ActionContext): Promise<RouteView>;
  getRoute(tenantId: string, id: string): Promise<RouteView>;
  listRoutes(tenantId: string, options: ListOptions<'createdAt'>): Promise<Page<RouteView>>;
  updateRoute(
    tenantId: string,
    id: string,
    input: Partial<RouteInput>,
    expected: number | undefined,
    ctx: ActionContext,
  ): Promise<RouteView>;
  deleteRoute(tenantId: string, id: string, expected: number | undefined, ctx: ActionContext): Promise<void>;

  grant(tenantId: string, input: GrantInput, ctx: ActionContext): Promise<PermissionView>;
  listPermissions(
    tenantId: string,
    filter: { routeId?: string; subjectType?: SubjectType; subject?: string },
    options: ListOptions<'createdAt'>,
  ): Promise<Page<PermissionView>>;
  revokePermission(tenantId: string, id: string, ctx: ActionContext): Promise<void>;

  setLimit(tenantId: string, input: LimitInput, ctx: ActionContext): Promise<LimitView>;
  listLimits(tenantId: string): Promise<LimitView[]>;
  deleteLimit(tenantId: string, id: string, ctx: ActionContext): Promise<void>;

  /** The tenant's compiled policy (cached; what /authz reads). */
  policy(tenantId: string): Promise<TenantPolicy>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface GatewayConfigDeps {
  store: GatewayStore;
  database: Database;
  bus: EventBus;
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
  subjects: SubjectResolver;
  slugOf(tenantId: string): Promise<string>;
}

export function toRouteView(r: RouteRow): RouteView {
  return {
    id: r.id,
    host: r.host,
    path: r.path,
    auth: JSON.parse(r.methods) as Record<string, AuthMode[]>,
    audience: r.audience,
    description: r.description,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
    version: r.version,
  };
}

function toPermissionView(p: PermissionRow): PermissionView {
  return {
    id: p.id,
    routeId: p.route_id,
    subjectType: p.subject_type,
    subject: p.subject,
    methods: JSON.parse(p.methods) as string[],
    scopes: JSON.parse(p.scopes) as string[],
    createdAt: toIso(p.created_at),
    updatedAt: toIso(p.updated_at),
    version: p.version,
  };
}

function toLimitView(l: LimitRow): LimitView {
  return {
    id: l.id,
    subjectType: l.subject_type,
    subject: l.subject,
    routeId: l.route_key === '*' ? null : l.route_key,
    quota: l.quota,
    quotaWindowSeconds: l.quota_window_seconds,
    burst: l.burst,
    burstWindowSeconds: l.burst_window_seconds,
    createdAt: toIso(l.created_at),
    updatedAt: toIso(l.updated_at),
    version: l.version,
  };
}

export function createGatewayConfigService(deps: GatewayConfigDeps): GatewayConfigService {
  const { store, database, subjects } = deps;
  const emit = createTenantEventEmitter(deps.bus, deps.slugOf);
  const policies = createInvalidatedCache<TenantPolicy>({
    name: 'gateway-policy',
    feed: deps.changes,
    load: async (tenantId) => compilePolicy(tenantId, await store.loadTenant(tenantId)),
    ttlMs: 60_000,
    maxEntries: 10_000,
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
  });

  async function mustRoute(tenantId: string, id: string): Promise<RouteRow> {
    const row = isId(id) ? await store.routeById(tenantId, id) : undefined;
    if (!row) throw new AppError('not_found', { detail: 'no such route in this tenant' });
    return row;
  }

  async function refuseTie(tenantId: string, host: string, pathKey: string, self?: string): Promise<void> {
    const other = await store.routeByPattern(tenantId, host, pathKey);
    if (other && other.id !== self)
      throw new AppError('route_conflict', {
        detail: `route ${other.id} (${other.host} ${other.path}) has the same host and path pattern; change or delete it first`,
      });
  }

  function tieOnInsert(err: unknown): never {
    if (database.dialect.isUniqueViolation(err))
      throw new AppError('route_conflict', { detail: 'another route has the same host and path pattern' });
    throw err;
  }

  const service: GatewayConfigService = {
    async createRoute(tenantId, input, ctx) {
      const host = parseHostPattern(input.host);
      const path = parsePathPattern(input.path);
      const auth = checkAuth(input.auth);
      checkJwtAudience(auth, checkAudience(input.audience));
      const now = Date.now();
      const row: RouteRow = {
        id: newId(now),
        tenant_id: tenantId,
        host: host.text,
        path: path.text,
        path_key: path.key,
        methods: JSON.stringify(auth),
        audience: checkAudience(input.audience),
        description: checkDescription(input.description),
        created_at: now,
        updated_at: now,
        version: 1,
      };
      await refuseTie(tenantId, row.host, row.path_key);
      await store.insertRoute(row).catch(tieOnInsert);
      await policies.invalidate(tenantId);
      await emit(tenantId, 'gateway.route_created', `route:${row.id}`, ctx, {
        host: row.host,
        path: row.path,
        auth,
      });
      return toRouteView(row);
    },
    getRoute: async (tenantId, id) => toRouteView(await mustRoute(tenantId, id)),
    async listRoutes(tenantId, options) {
      const rows = await store.listRoutes(tenantId, options);
      return toPage(rows, options, (r) => r.created_at, toRouteView);
    },
    async updateRoute(tenantId, id, input, expected, ctx) {
      const current = await mustRoute(tenantId, id);
      const patch: Partial<RouteRow> = { updated_at: Date.now() };
      if (input.host !== undefined) patch.host = parseHostPattern(input.host).text;
      if (input.path !== undefined) {
        const path = parsePathPattern(input.path);
        patch.path = path.text;
        patch.path_key = path.key;
      }
      if (input.auth !== undefined) patch.methods = JSON.stringify(checkAuth(input.auth));
      if (input.audience !== undefined) patch.audience = checkAudience(input.audience);
      if (input.description !== undefined) patch.description = checkDescription(input.description);
      checkJwtAudience(
        JSON.parse(patch.methods ?? current.methods) as Record<string, string[]>,
        patch.audience !== undefined ? patch.audience : current.audience,
      );
      await refuseTie(tenantId, patch.host ?? current.host, patch.path_key ?? current.path_key, id);
      const row = await store.updateRoute(tenantId, id, patch, expected).catch(tieOnInsert);
      if (!row) throw new AppError('precondition_failed');
      await policies.invalidate(tenantId);
      await emit(tenantId, 'gateway.route_updated', `route:${id}`, ctx, {
        changed: Object.keys(patch)
          .filter((k) => k !== 'updated_at')
          .sort(),
      });
      return toRouteView(row);
    },
    async deleteRoute(tenantId, id, expected, ctx) {
      await mustRoute(tenantId, id);
      const row = await store.deleteRoute(tenantId, id, expected);
      if (!row) throw new AppError('precondition_failed');
      await policies.invalidate(tenantId);
      await emit(tenantId, 'gateway.route_deleted', `route:${id}`, ctx, { host: row.host, path: row.path });
    },

    async grant(tenantId, input, ctx) {
      await mustRoute(tenantId, input.routeId);
      const subject =
        input.subjectType === 'client'
          ? await subjects.client(tenantId, input.subject)
          : input.subjectType === 'user'
            ? await subjects.user(tenantId, input.subject)
            : await subjects.role(tenantId, input.subject);
      const now = Date.now();
      const row = await store.upsertPermission({
        id: newId(now),
        tenant_id: tenantId,
        route_id: input.routeId,
        subject_type: input.subjectType,
        subject,
        methods: JSON.stringify(checkMethods(input.methods)),
        scopes: JSON.stringify(checkScopes(input.scopes ?? [])),
        created_at: now,
        updated_at: now,
        version: 1,
      });
      await policies.invalidate(tenantId);
      const view = toPermissionView(row);
      await emit(tenantId, 'gateway.permission_granted', `permission:${row.id}`, ctx, {
        routeId: view.routeId,
        subject: `${view.subjectType}:${view.subject}`,
        methods: view.methods,
        scopes: view.scopes,
      });
      return view;
    },
    async listPermissions(tenantId, filter, options) {
      const rows = await store.listPermissions(tenantId, filter, options);
      return toPage(rows, options, (r) => r.created_at, toPermissionView);
    },
    async revokePermission(tenantId, id, ctx) {
      const row = isId(id) ? await store.deletePermission(tenantId, id) : undefined;
      if (!row) throw new AppError('not_found', { detail: 'no such permission in this tenant' });
      await policies.invalidate(tenantId);
      await emit(tenantId, 'gateway.permission_revoked', `permission:${id}`, ctx, {
        routeId: row.route_id,
        subject: `${row.subject_type}:${row.subject}`,
      });
    },

    async setLimit(tenantId, input, ctx) {
      const numbers = checkLimit(input);
      if (input.routeId) await mustRoute(tenantId, input.routeId);
      const subject =
        input.subjectType === 'any'
          ? ''
          : input.subjectType === 'client'
            ? await subjects.client(tenantId, input.subject ?? '')
            : await subjects.token(tenantId, input.subject ?? '');
      const now = Date.now();
      const row = await store.upsertLimit({
        id: newId(now),
        tenant_id: tenantId,
        subject_type: input.subjectType,
        subject,
        route_key: input.routeId ?? '*',
        quota: numbers.quota,
        quota_window_seconds: numbers.quotaWindowSeconds,
        burst: numbers.burst,
        burst_window_seconds: numbers.burstWindowSeconds,
        created_at: now,
        updated_at: now,
        version: 1,
      });
      await policies.invalidate(tenantId);
      const view = toLimitView(row);
      await emit(tenantId, 'gateway.limit_set', `limit:${row.id}`, ctx, { ...view });
      return view;
    },
    listLimits: async (tenantId) => (await store.listLimits(tenantId)).map(toLimitView),
    async deleteLimit(tenantId, id, ctx) {
      const row = isId(id) ? await store.deleteLimit(tenantId, id) : undefined;
      if (!row) throw new AppError('not_found', { detail: 'no such limit in this tenant' });
      await policies.invalidate(tenantId);
      await emit(tenantId, 'gateway.limit_deleted', `limit:${id}`, ctx, {});
    },

    policy: (tenantId) => policies.get(tenantId),
    async start() {
      policies.start();
    },
    async stop() {
      policies.stop();
    },
  };
  return inUnits(database, service, [
    'createRoute',
    'updateRoute',
    'deleteRoute',
    'grant',
    'revokePermission',
    'setLimit',
    'deleteLimit',
  ]);
}
