/**
 * Organizations and org units inside a tenant: the rules of the hierarchy.
 * - A top-level organization has no parent; a unit sits under an organization or another unit of the
 *   same tenant. Sibling names are unique case-insensitively (the store's index answers 409).
 * - At most MAX_LEVELS levels: deeper creates and moves are refused with 400.
 * - Only units move; a move under the unit itself or one of its descendants is 409 org_unit_cycle.
 *   Creates under a parent, moves and deletes run in one transaction under the tenant's `orgs:` lock,
 *   so two concurrent moves cannot together build a cycle the checks would each have allowed.
 * - Renames, moves and deletes honour an expected version (If-Match): 412 when it is stale.
 * - Deleting removes every unit below and every membership (foreign-key cascade).
 * Memberships are in `membership-service.ts`; this file composes both into one service.
 */
import './errors.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import { newId } from '../../storage/ids.ts';
import { type ListOptions, type Page, toPage } from '../../storage/keyset.ts';
import { inUnits } from '../../storage/unit-of-work.ts';
import { createMembershipService, type MembershipService } from './membership-service.ts';
import {
  checkName,
  checkVersion,
  emitOrgEvent,
  MAX_LEVELS,
  notFound,
  type Organization,
  type OrganizationKind,
  type OrganizationTree,
  requireId,
  staleVersion,
  toOrganization,
} from './model.ts';
import type { OrganizationSort, OrganizationStore, OrgRow } from './store.ts';

export interface OrganizationFilter {
  /** null: top-level organizations; an id: the direct children of that organization or unit. */
  parentId?: string | null;
  kind?: OrganizationKind;
}

export interface OrganizationService extends MembershipService {
  /** Creates a top-level organization, or a unit when `parentId` is given. */
  create(
    tenantId: string,
    input: { name: string; parentId?: string | null },
    ctx: ActionContext,
  ): Promise<Organization>;
  get(tenantId: string, orgId: string): Promise<Organization>;
  list(
    tenantId: string,
    filter: OrganizationFilter,
    options: ListOptions<OrganizationSort>,
  ): Promise<Page<Organization>>;
  rename(
    tenantId: string,
    orgId: string,
    name: string,
    ctx: ActionContext,
    expectedVersion?: number,
  ): Promise<Organization>;
  /** Moves a unit under another organization or unit of the same tenant. */
  move(
    tenantId: string,
    orgId: string,
    parentId: string,
    ctx: ActionContext,
    expectedVersion?: number,
  ): Promise<Organization>;
  /** Deletes an organization or unit with every unit below it and all their memberships. */
  delete(tenantId: string, orgId: string, ctx: ActionContext, expectedVersion?: number): Promise<void>;
  /** The organization or unit with its descendants nested under `children`, sorted by name. */
  tree(tenantId: string, orgId: string): Promise<OrganizationTree>;
}

export interface OrganizationServiceDeps {
  store: OrganizationStore;
  /** Every change runs as a unit of work on it (with its audit event). */
  database: Database;
  bus: EventBus;
  /** Tenant id → slug for events (the tenants service's cached lookup). */
  slugOf: (tenantId: string) => Promise<string>;
  /** Clock (epoch ms); tests pin it. */
  now?: () => number;
}

/** The lock that serialises structural changes of one tenant's hierarchy. */
export function orgLockName(tenantId: string): string {
  return `orgs:${tenantId}`;
}

function tooDeep(): AppError {
  return new AppError('validation_failed', {
    detail: `organizations nest at most ${MAX_LEVELS} levels deep`,
  });
}

function checkCursor(options: ListOptions<OrganizationSort>): void {
  const value = options.after?.value;
  if (value === undefined) return;
  if (typeof value !== (options.sort === 'name' ? 'string' : 'number')) {
    throw new AppError('invalid_cursor', { detail: 'the cursor does not belong to this sort order' });
  }
}

/** Nests subtree rows (ordered by level, then name) under their parents. */
function nest(rows: readonly (OrgRow & { level: number })[]): OrganizationTree | undefined {
  const nodes = new Map<string, OrganizationTree>();
  let root: OrganizationTree | undefined;
  for (const row of rows) {
    const node: OrganizationTree = { ...toOrganization(row), children: [] };
    nodes.set(node.id, node);
    if (row.level === 0) root = node;
    else if (row.parent_id) nodes.get(row.parent_id)?.children.push(node);
  }
  return root;
}

/**
 * Creates the organization service.
 *
 * @example
 * const organizations = createOrganizationService({ store: createOrganizationStore(database), bus });
 * const acme = await organizations.create(tenantId, { name: 'Acme' }, { actor: 'cli' });
 * const sales = await organizations.create(tenantId, { name: 'Sales', parentId: acme.id }, { actor: 'cli' });
 */
export function createOrganizationService(deps: OrganizationServiceDeps): OrganizationService {
  const { store } = deps;
  const now = deps.now ?? Date.now;

  async function getRow(tenantId: string, orgId: string): Promise<OrgRow> {
    const row = await store.find(tenantId, requireId(orgId, 'organization'));
    if (!row) throw notFound('organization');
    return row;
  }

  async function insert(tenantId: string, name: string, parentIdOrEmpty: string | null | undefined) {
    const parentId = parentIdOrEmpty || null;
    const ts = now();
    const row: OrgRow = {
      id: newId(ts),
      tenant_id: tenantId,
      parent_id: parentId,
      kind: parentId ? 'unit' : 'organization',
      name,
      name_lower: name.toLowerCase(),
      parent_key: parentId ?? '',
      created_at: ts,
      updated_at: ts,
      version: 1,
    };
    if (!parentId) {
      await store.insert(row);
      return row;
    }
    requireId(parentId, 'parent organization');
    return store.transact(orgLockName(tenantId), async (tx) => {
      const chain = await tx.ancestry(tenantId, parentId, MAX_LEVELS + 1);
      if (chain.length === 0) throw notFound('parent organization');
      if (chain.length + 1 > MAX_LEVELS) throw tooDeep();
      await tx.insert(row);
      return row;
    });
  }

  const service: OrganizationService = {
    ...createMembershipService({ store, bus: deps.bus, slugOf: deps.slugOf, now, getRow }),

    async create(tenantId, input, ctx) {
      const row = await insert(tenantId, checkName(input.name), input.parentId);
      const org = toOrganization(row);
      await emitOrgEvent(deps, tenantId, 'org.created', `org:${org.id}`, ctx, {
        name: org.name,
        kind: org.kind,
        parentId: org.parentId,
      });
      return org;
    },

    async get(tenantId, orgId) {
      return toOrganization(await getRow(tenantId, orgId));
    },

    async list(tenantId, filter, options) {
      checkCursor(options);
      const rows = await store.list(tenantId, filter, options);
      return toPage(
        rows,
        options,
        (r) => (options.sort === 'name' ? r.name_lower : r.created_at),
        toOrganization,
      );
    },

    async rename(tenantId, orgId, name, ctx, expectedVersion) {
      checkName(name);
      const current = await getRow(tenantId, orgId);
      checkVersion(current.version, expectedVersion);
      if (current.name === name) return toOrganization(current);
      const updated = await store.update(tenantId, current.id, current.version, {
        name,
        name_lower: name.toLowerCase(),
        updated_at: now(),
      });
      // The row changed between the read and the guarded update: same answer as a stale If-Match.
      if (!updated) throw staleVersion();
      const org = toOrganization(updated);
      await emitOrgEvent(deps, tenantId, 'org.updated', `org:${org.id}`, ctx, {
        changed: { name: org.name },
        previous: { name: current.name },
      });
      return org;
    },

    async move(tenantId, orgId, parentId, ctx, expectedVersion) {
      requireId(orgId, 'organization');
      requireId(parentId, 'parent organization');
      const result = await store.transact(orgLockName(tenantId), async (tx) => {
        const current = await tx.find(tenantId, orgId);
        if (!current) throw notFound('organization');
        checkVersion(current.version, expectedVersion);
        if (current.kind === 'organization') {
          throw new AppError('validation_failed', {
            detail: 'a top-level organization cannot be moved; only org units move',
          });
        }
        if (parentId === current.id) {
          throw new AppError('org_unit_cycle', { detail: 'a unit cannot be moved under itself' });
        }
        const chain = await tx.ancestry(tenantId, parentId, MAX_LEVELS + 1);
        if (chain.length === 0) throw notFound('parent organization');
        if (chain.includes(current.id)) {
          throw new AppError('org_unit_cycle', { detail: 'a unit cannot be moved under its own descendant' });
        }
        if (current.parent_id === parentId) return { row: current, from: null };
        const levels = await tx.subtree(tenantId, current.id, MAX_LEVELS);
        const height = Math.max(0, ...levels.map((r) => r.level));
        if (chain.length + 1 + height > MAX_LEVELS) throw tooDeep();
        const updated = await tx.update(tenantId, current.id, current.version, {
          parent_id: parentId,
          parent_key: parentId,
          updated_at: now(),
        });
        if (!updated) throw staleVersion();
        return { row: updated, from: current.parent_id };
      });
      const org = toOrganization(result.row);
      if (result.from !== null) {
        await emitOrgEvent(deps, tenantId, 'org.moved', `org:${org.id}`, ctx, {
          from: result.from,
          to: org.parentId,
        });
      }
      return org;
    },

    async delete(tenantId, orgId, ctx, expectedVersion) {
      requireId(orgId, 'organization');
      const deleted = await store.transact(orgLockName(tenantId), async (tx) => {
        const current = await tx.find(tenantId, orgId);
        if (!current) throw notFound('organization');
        checkVersion(current.version, expectedVersion);
        const subtree = await tx.subtree(tenantId, current.id, MAX_LEVELS);
        if (!(await tx.delete(tenantId, current.id, current.version))) throw staleVersion();
        return { row: current, units: subtree.length - 1 };
      });
      await emitOrgEvent(deps, tenantId, 'org.deleted', `org:${deleted.row.id}`, ctx, {
        name: deleted.row.name,
        kind: deleted.row.kind,
        parentId: deleted.row.parent_id,
        unitsDeleted: deleted.units,
      });
    },

    async tree(tenantId, orgId) {
      requireId(orgId, 'organization');
      const root = nest(await store.subtree(tenantId, orgId, MAX_LEVELS));
      if (!root) throw notFound('organization');
      return root;
    },
  };
  return inUnits(deps.database, service, ['create', 'rename', 'move', 'delete', 'addMember', 'removeMember']);
}
