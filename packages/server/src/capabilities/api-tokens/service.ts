/**
 * API tokens for the gateway (issue 11 §1): personal tokens (`gk_pat_…`, owned by a user) and service
 * tokens (`gk_svc_…`, owned by a client) — the one credential mechanism (prefixed, checksummed, shown
 * once, stored as digests, optional expiry, last-used written in batches, revocable everywhere within
 * a second), carrying free-form scopes of the tenant (`datasets:read`). They never authenticate to
 * the admin API, and admin tokens never authenticate here.
 *
 * `authenticate` is the gateway's `api_key` check and runs on the hot path: everything it reads is
 * cached (credential digests, the owner's status, effective access). A personal token is bounded by
 * its owner at use time — its scopes are cut to what the owner's effective permissions cover, and a
 * disabled or deleted owner's tokens stop working; a service token stops with its client.
 */
import { hasAbility } from '../../access/principal.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import type { ListOptions, Page } from '../../storage/keyset.ts';
import type { ClientsService } from '../clients/index.ts';
import type { CredentialRow, CredentialsService, CredentialView } from '../credentials/index.ts';
import type { EffectiveAccessService } from '../roles/index.ts';
import type { UsersService } from '../users/index.ts';

const DAY_MS = 86_400_000;

export type ApiTokenOwner = { type: 'user'; id: string } | { type: 'client'; id: string };

export interface ApiTokenView {
  id: string;
  kind: 'personal' | 'service';
  name: string;
  prefix: string;
  scopes: string[];
  ownerType: 'user' | 'client';
  ownerId: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  createdBy: string;
}

export interface CreateApiTokenInput {
  owner: ApiTokenOwner;
  name: string;
  scopes: readonly string[];
  expiresInDays?: number;
}

/** Who a valid API token speaks for, already bounded by its owner. */
export interface TokenCaller {
  tokenId: string;
  kind: 'pat' | 'svc';
  /** The owning user (personal tokens). */
  userId: string | null;
  /** The owner's effective role names (personal tokens; for role grants). */
  roles: readonly string[];
  /** The owning client (service tokens). */
  client: { id: string; clientId: string; name: string } | null;
  scopes: readonly string[];
}

export type TokenRefusal =
  | 'malformed'
  | 'wrong_kind'
  | 'unknown'
  | 'revoked'
  | 'expired'
  | 'wrong_tenant'
  | 'owner_inactive'
  | 'client_disabled';

export interface ApiTokensService {
  create(
    tenantId: string,
    input: CreateApiTokenInput,
    ctx: ActionContext,
  ): Promise<{ secret: string; token: ApiTokenView }>;
  list(
    tenantId: string,
    options: ListOptions<'createdAt'>,
    owner?: ApiTokenOwner,
  ): Promise<Page<ApiTokenView>>;
  get(tenantId: string, id: string): Promise<ApiTokenView>;
  revoke(tenantId: string, id: string, ctx: ActionContext): Promise<void>;
  /** The gateway's api_key check (see the file header); never throws for a bad token. */
  authenticate(tenantId: string, secret: string): Promise<TokenCaller | TokenRefusal>;
}

export interface ApiTokensDeps {
  credentials: CredentialsService;
  clients: ClientsService;
  users: UsersService;
  access: EffectiveAccessService;
}

/**
 * The token scopes the owner's permissions cover: a scope the owner holds stays; a wildcard scope
 * (`*`, `noun:*`) shrinks to the owner's permissions under it.
 *
 * @example boundScopes(['datasets:*'], ['datasets:read', 'users:read']) // ['datasets:read']
 */
export function boundScopes(token: readonly string[], owner: readonly string[]): string[] {
  const out = new Set<string>();
  for (const t of token) {
    if (hasAbility(owner, t)) out.add(t);
    else for (const p of owner) if (hasAbility([t], p)) out.add(p);
  }
  return [...out].sort();
}

function view(c: CredentialView): ApiTokenView {
  return {
    id: c.id,
    kind: c.kind === 'pat' ? 'personal' : 'service',
    name: c.name,
    prefix: c.prefix,
    scopes: c.abilities,
    ownerType: c.ownerType as 'user' | 'client',
    ownerId: c.ownerId ?? '',
    expiresAt: c.expiresAt,
    lastUsedAt: c.lastUsedAt,
    revokedAt: c.revokedAt,
    createdAt: c.createdAt,
    createdBy: c.createdBy,
  };
}

const KINDS = ['pat', 'svc'] as const;

// cached credential rows → their parsed scopes (rows are shared objects of the credentials cache)
const parsedScopes = new WeakMap<CredentialRow, string[]>();
function scopesOf(row: CredentialRow): string[] {
  let scopes = parsedScopes.get(row);
  if (!scopes) {
    scopes = JSON.parse(row.abilities) as string[];
    parsedScopes.set(row, scopes);
  }
  return scopes;
}

export function createApiTokensService(deps: ApiTokensDeps): ApiTokensService {
  const { credentials, clients, users, access } = deps;

  async function checkOwner(tenantId: string, owner: ApiTokenOwner): Promise<void> {
    if (owner.type === 'user') await users.get(tenantId, owner.id);
    else await clients.get(tenantId, owner.id);
  }

  const service: ApiTokensService = {
    async create(tenantId, input, ctx) {
      await checkOwner(tenantId, input.owner);
      const issued = await credentials.issue(
        {
          kind: input.owner.type === 'user' ? 'pat' : 'svc',
          tenantId,
          ownerType: input.owner.type,
          ownerId: input.owner.id,
          name: input.name,
          abilities: input.scopes,
          expiresAt: input.expiresInDays ? Date.now() + input.expiresInDays * DAY_MS : null,
        },
        ctx,
      );
      return { secret: issued.secret, token: view(issued.credential) };
    },
    async list(tenantId, options, owner) {
      if (owner) {
        await checkOwner(tenantId, owner);
        const items = (await credentials.listOwned(owner.type, owner.id, [...KINDS])).map(view);
        return { items, nextCursor: null };
      }
      const page = await credentials.list(tenantId, [...KINDS], options);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
    async get(tenantId, id) {
      const c = await credentials.get(id, tenantId);
      if (c.kind !== 'pat' && c.kind !== 'svc')
        throw new AppError('not_found', { detail: 'no such API token' });
      return view(c);
    },
    async revoke(tenantId, id, ctx) {
      await service.get(tenantId, id);
      await credentials.revoke(id, tenantId, ctx);
    },
    async authenticate(tenantId, secret) {
      const row: CredentialRow | TokenRefusal = await credentials.check(secret, KINDS);
      if (typeof row === 'string') return row;
      if (row.tenant_id !== tenantId) return 'wrong_tenant';
      const scopes = scopesOf(row);
      if (row.kind === 'pat') {
        const userId = row.owner_id ?? '';
        if (!(await users.isActive(tenantId, userId))) return 'owner_inactive';
        const effective = await access.effectiveAccess(tenantId, userId).catch(() => null);
        if (!effective) return 'owner_inactive';
        return {
          tokenId: row.id,
          kind: 'pat',
          userId,
          roles: effective.roles,
          client: null,
          scopes: boundScopes(scopes, effective.permissions),
        };
      }
      const client = await clients.recordById(tenantId, row.owner_id ?? '');
      if (client?.status !== 'active') return 'client_disabled';
      return {
        tokenId: row.id,
        kind: 'svc',
        userId: null,
        roles: [],
        client: { id: client.id, clientId: client.clientId, name: client.name },
        scopes,
      };
    },
  };
  return service;
}
