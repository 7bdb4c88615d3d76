/**
 * The organization capability's domain types and the small pure rules shared by its services:
 * row → domain mapping, name validation, the nesting limit, and the event shape every change emits.
 */
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import { createTenantEventEmitter } from '../../events/tenant-events.ts';
import { isId } from '../../storage/ids.ts';
import type { OrgRow } from './store.ts';

/**
 * Most levels a hierarchy may have, the top-level organization included. Deeper creates and moves are
 * refused, so every walk (tree, cycle check) is bounded.
 */
export const MAX_LEVELS = 32;

/** Longest organization or unit name. */
export const MAX_NAME_LENGTH = 200;

export type OrganizationKind = 'organization' | 'unit';

export interface Organization {
  id: string;
  tenantId: string;
  /** null for a top-level organization. */
  parentId: string | null;
  kind: OrganizationKind;
  name: string;
  createdAt: number;
  updatedAt: number;
  version: number;
}

export interface OrganizationTree extends Organization {
  children: OrganizationTree[];
}

export interface Member {
  userId: string;
  /** Role names, sorted case-insensitively. */
  roles: string[];
}

export interface UserMembership {
  orgId: string;
  orgName: string;
  kind: OrganizationKind;
  roles: string[];
}

export function toOrganization(row: OrgRow): Organization {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    parentId: row.parent_id,
    kind: row.kind,
    name: row.name,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    version: Number(row.version),
  };
}

/** Sorts role names case-insensitively by code point (the same order on every database). */
export function sortRoleNames(names: string[]): string[] {
  return names.sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Names: 1–200 characters, no control characters, no leading or trailing whitespace. */
export function checkName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new AppError('validation_failed', {
      detail: `name must be 1–${MAX_NAME_LENGTH} characters without control characters`,
    });
  }
  if (name.trim() !== name) {
    throw new AppError('validation_failed', { detail: 'name must not start or end with whitespace' });
  }
  return name;
}

/** Not found, worded for the thing that is missing (ids of other tenants end here too). */
export function notFound(what: string): AppError {
  return new AppError('not_found', { detail: `${what} not found` });
}

/** Throws not_found for an id that is not a UUID, before any query. */
export function requireId(id: string, what: string): string {
  if (!isId(id)) throw notFound(what);
  return id;
}

/** 412: the organization changed since the caller (or this request) read it. */
export function staleVersion(): AppError {
  return new AppError('precondition_failed', { detail: 'the organization changed since it was read' });
}

/** 412 unless `expected` is absent or equals the current version. */
export function checkVersion(current: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== current) throw staleVersion();
}

export interface EmitDeps {
  bus: EventBus;
  /** Tenant id → slug (the tenants service's cached lookup). */
  slugOf: (tenantId: string) => Promise<string>;
}

/** Emits an `org.*` event for `tenantId` (named by slug) with the caller as actor. */
export async function emitOrgEvent(
  deps: EmitDeps,
  tenantId: string,
  type: string,
  target: string,
  ctx: ActionContext,
  data: Record<string, unknown>,
): Promise<void> {
  await createTenantEventEmitter(deps.bus, deps.slugOf)(tenantId, type, target, ctx, data);
}
