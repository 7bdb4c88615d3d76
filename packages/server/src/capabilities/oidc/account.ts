/**
 * oidc-provider's `findAccount` over the directory: a user of the tenant who is active, with the
 * claims each scope releases (OIDC Core §5.4 for profile and email; `groups` — transitive group
 * names —, `roles` — effective role names — and `organizations` — the organizations and units the
 * user belongs to, `[{id, name, kind, roles}]` — are Gatekeeper's). A disabled or deleted user is no
 * account: no new tokens, refresh refused, introspection inactive.
 */
import type { Account } from 'oidc-provider';
import type { GroupsService } from '../groups/index.ts';
import type { MembershipService } from '../organizations/index.ts';
import type { EffectiveAccessService } from '../roles/index.ts';
import type { UsersService } from '../users/index.ts';

export interface AccountLookup {
  /** `include`: claims released whatever the scope (a client's claim mapping, claims.ts). */
  find(
    tenantId: string,
    sub: string,
    options?: { include?: readonly string[] },
  ): Promise<Account | undefined>;
  isActive(tenantId: string, sub: string): Promise<boolean>;
  /** The user's effective permissions (what a token for an API may carry for them); none if unknown. */
  permissions(tenantId: string, sub: string): Promise<readonly string[]>;
}

const ID = /^[0-9a-f-]{36}$/;

export function createAccountLookup(deps: {
  users: UsersService;
  groups: GroupsService;
  access: EffectiveAccessService;
  organizations: Pick<MembershipService, 'listUserMemberships'>;
}): AccountLookup {
  const { users, groups, access, organizations } = deps;
  return {
    async find(tenantId, sub, options = {}) {
      if (!ID.test(sub)) return undefined;
      const user = await users.get(tenantId, sub).catch(() => null);
      if (user?.status !== 'active') return undefined;
      return {
        accountId: user.id,
        async claims(_use, scope) {
          const scopes = new Set([...scope.split(' '), ...(options.include ?? [])]);
          const claims: Record<string, unknown> = { sub: user.id };
          if (scopes.has('profile')) {
            Object.assign(claims, {
              preferred_username: user.username,
              name: user.name ?? undefined,
              given_name: user.givenName ?? undefined,
              family_name: user.familyName ?? undefined,
              locale: user.locale ?? undefined,
              picture: user.picture ?? undefined,
              updated_at: Math.floor(Date.parse(user.updatedAt) / 1000),
            });
          }
          if (scopes.has('email') && user.email) {
            claims.email = user.email;
            claims.email_verified = user.emailVerified;
          }
          if (scopes.has('groups'))
            claims.groups = (await groups.listUserGroups(tenantId, user.id, { transitive: true })).map(
              (g) => g.name,
            );
          if (scopes.has('roles')) claims.roles = (await access.effectiveAccess(tenantId, user.id)).roles;
          if (scopes.has('organizations'))
            claims.organizations = (await organizations.listUserMemberships(tenantId, user.id)).map((m) => ({
              id: m.orgId,
              name: m.orgName,
              kind: m.kind,
              roles: m.roles,
            }));
          return claims as { sub: string };
        },
      };
    },
    isActive: (tenantId, sub) => (ID.test(sub) ? users.isActive(tenantId, sub) : Promise.resolve(false)),
    async permissions(tenantId, sub) {
      if (!ID.test(sub)) return [];
      return (await access.effectiveAccess(tenantId, sub).catch(() => null))?.permissions ?? [];
    },
  };
}
