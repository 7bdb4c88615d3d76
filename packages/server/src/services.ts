/**
 * Builds every capability's service over a runtime — the one place that knows how capabilities
 * depend on each other (services call services, never another capability's store). The HTTP app
 * and the CLI both use it, so a CLI command runs exactly the code an API call runs.
 */
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { type AccountsService, createAccountsService } from './capabilities/accounts/index.ts';
import { type ApiTokensService, createApiTokensService } from './capabilities/api-tokens/index.ts';
import {
  type ClientsService,
  createClientStore,
  createClientsService,
} from './capabilities/clients/index.ts';
import { type CredentialsService, createCredentialsService } from './capabilities/credentials/service.ts';
import { createCredentialStore } from './capabilities/credentials/store.ts';
import { type Forwarders, parseForwarders } from './capabilities/gateway/forwarders.ts';
import {
  createDecider,
  createGatewayConfigService,
  createGatewayStore,
  createHmacSecretsService,
  type Decider,
  type GatewayConfigService,
  type HmacSecretsService,
  parseIdentityHeaders,
} from './capabilities/gateway/index.ts';
import { checkReturnUrl } from './capabilities/gateway/return-url.ts';
import {
  createGroupStore,
  createGroupsService,
  createMembershipStore,
  type GroupsService,
} from './capabilities/groups/index.ts';
import {
  createMfaService,
  createMfaSignIn,
  createMfaStore,
  createPasskeysService,
  type MfaService,
  type MfaSignIn,
  type PasskeysService,
} from './capabilities/mfa/index.ts';
import {
  createAccountLookup,
  createOidcService,
  type OidcService,
  publicPart,
} from './capabilities/oidc/index.ts';
import {
  createOrganizationService,
  createOrganizationStore,
  type OrganizationService,
} from './capabilities/organizations/index.ts';
import {
  createAssignmentStore,
  createEffectiveAccess,
  createRoleStore,
  createRolesService,
  type EffectiveAccessService,
  type RolesService,
} from './capabilities/roles/index.ts';
import { type AdminDirectory, createSetupService, type SetupService } from './capabilities/setup/service.ts';
import { createSignInLinksService, type SignInLinksService } from './capabilities/sign-in-links/index.ts';
import { createTenantsService, ROOT_TENANT, type TenantsService } from './capabilities/tenants/service.ts';
import { createTenantStore } from './capabilities/tenants/store.ts';
import { createUsersService, type UsersService } from './capabilities/users/index.ts';
import { createConfiguredPasswordHasher } from './crypto/password.ts';
import { AppError } from './errors/app-error.ts';
import { decodeCursor } from './http/pagination.ts';
import { createMail, type MailOutbox } from './mail/index.ts';
import { createUserMailer, type UserMailer } from './mail/user-mailer.ts';
import type { Runtime } from './runtime.ts';

export interface Services {
  tenants: TenantsService;
  credentials: CredentialsService;
  clients: ClientsService;
  roles: RolesService;
  access: EffectiveAccessService;
  groups: GroupsService;
  organizations: OrganizationService;
  users: UsersService;
  setup: SetupService;
  apiTokens: ApiTokensService;
  /** Sessions, sign-in, password policy and changes, lockout, the hosted pages' services. */
  accounts: AccountsService;
  /** The durable mail outbox (its delivery worker runs in servers). */
  mail: MailOutbox;
  /** Mail to a user (their address, name and the tenant's name filled in), queued in the caller's unit. */
  userMail: UserMailer;
  /** TOTP with backup codes, MFA enforcement, and passkeys. */
  mfa: MfaService;
  passkeys: PasskeysService;
  /** MFA in sign-in: after a first factor, the challenge or enrolment; step-up. */
  mfaSignIn: MfaSignIn;
  /** Magic sign-in links and password-reset links. */
  signInLinks: SignInLinksService;
  gateway: {
    config: GatewayConfigService;
    hmacSecrets: HmacSecretsService;
    decider: Decider;
    /**
     * The URL a browser may be sent back to after signing in to the tenant (its route hosts or this
     * server's), normalized; null for anything else (gateway/return-url.ts).
     */
    checkReturnUrl(tenantId: string, url: string): Promise<string | null>;
  };
  /** OAuth 2 / OIDC per tenant: signing keys, resource servers, trust links, protocol engines. */
  oidc: OidcService;
  /** Subscribes caches to invalidations and makes sure the root tenant and its roles exist. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createServices(rt: Runtime): Services {
  const { database, bus, settings, changes, cacheMetrics } = rt;
  const slugOf = (id: string) => tenants.slugOf(id);

  const assignments = createAssignmentStore(database);
  const access = createEffectiveAccess({ assignments, changes, cacheMetrics });
  const roles = createRolesService({
    store: createRoleStore(database),
    assignments,
    database,
    bus,
    access,
    slugOf,
  });
  const tenants: TenantsService = createTenantsService({
    store: createTenantStore(database),
    database,
    bus,
    changes,
    cacheMetrics,
    publicUrl: () => settings.get('publicUrl'),
    onCreated: (tenantId) => roles.seedBuiltinRoles(tenantId),
  });
  const credentials = createCredentialsService({
    store: createCredentialStore(database),
    database,
    bus,
    changes,
    cacheMetrics,
    slugOf,
    ownerActive: (tenantId, userId) => users.isActive(tenantId, userId),
    onError: (err, what) => rt.logger.warn({ err }, `${what} failed`),
  });
  const clients = createClientsService({
    store: createClientStore(database),
    database,
    bus,
    credentials,
    changes,
    cacheMetrics,
    slugOf,
  });
  const groups = createGroupsService({
    store: createGroupStore(database),
    memberships: createMembershipStore(database),
    database,
    bus,
    access,
    slugOf,
  });
  const organizations = createOrganizationService({
    store: createOrganizationStore(database),
    database,
    bus,
    slugOf,
  });
  const passwords = createConfiguredPasswordHasher(() => ({
    memoryCost: settings.get('argon2MemoryKib'),
    timeCost: settings.get('argon2Iterations'),
    parallelism: settings.get('argon2Parallelism'),
  }));
  const users: UsersService = createUsersService({
    database,
    passwords,
    bus,
    changes,
    cacheMetrics,
    slugOf,
    confusablesRefused: () => settings.get('usernameConfusablesRefused'),
  });
  const setup = createSetupService({
    credentials,
    directory: createAdminDirectory({ tenants, users, roles, access }),
    publicUrl: () => settings.get('publicUrl'),
  });

  const apiTokens = createApiTokensService({ credentials, clients, users, access });
  const gateway = createGateway(rt, {
    tenants,
    clients,
    users,
    roles,
    credentials,
    apiTokens,
    access,
    // late-bound: the accounts and OIDC services are built below (accounts asks the gateway for return URLs)
    session: (tenantId, cookie) => accounts.sessions.authenticate(tenantId, cookie),
    signInPath: (slug, returnTo) => accounts.signInUrl(slug, returnTo),
    oidc: () => oidc,
  });

  const mail = createMail(rt, slugOf);
  const userMail = createUserMailer({
    mail,
    user: (tenantId, userId) => users.get(tenantId, userId),
    async tenant(tenantId) {
      const slug = await slugOf(tenantId);
      return { slug, displayName: (await tenants.get(slug)).displayName };
    },
    publicUrl: () => settings.get('publicUrl'),
  });
  const passkeys = createPasskeysService({
    database,
    state: rt.state,
    bus,
    mailer: userMail,
    slugOf,
    origin: () => settings.get('publicUrl'),
  });
  const mfa = createMfaService({
    store: createMfaStore(database),
    database,
    keyring: rt.keyring,
    state: rt.state,
    bus,
    mailer: userMail,
    slugOf,
    groupsOf: async (tenantId, userId) =>
      (await groups.listUserGroups(tenantId, userId, { transitive: true })).map((g) => g.id),
    passkeys,
  });
  const signInLinks = createSignInLinksService({
    database,
    bus,
    mailer: userMail,
    async findUserByEmail(tenantId, email) {
      const user = await users.getByEmail(tenantId, email).catch(() => null);
      return user && user.status === 'active' ? { id: user.id } : null;
    },
    limiters: {
      // per address: a few links per quarter hour; per IP: enough for a shared office
      perAddress: rt.state.createRateLimiter({ name: 'sign-in-link-address', points: 5, durationSec: 900 }),
      perIp: rt.state.createRateLimiter({ name: 'sign-in-link-ip', points: 30, durationSec: 900 }),
    },
    ttlSeconds: (purpose) =>
      purpose === 'magic' ? settings.get('magicLinkTtlSeconds') : settings.get('passwordResetTtlSeconds'),
    publicUrl: () => settings.get('publicUrl'),
  });

  const accounts = createAccountsService({
    database,
    state: rt.state,
    bus,
    changes,
    cacheMetrics,
    users,
    tenants,
    hasher: passwords,
    csrfKeys: () => rt.keyring.deriveKeys('page-csrf').map((k) => k.key),
    deviceKeys: () => rt.keyring.deriveKeys('sign-in-device').map((k) => k.key),
    mailer: userMail,
    publicUrl: () => settings.get('publicUrl'),
    rateLimits: () => ({
      perIp: settings.get('signInRateLimitPerIp'),
      perTenant: settings.get('signInRateLimitPerTenant'),
    }),
    onError: (err, what) => rt.logger.warn({ err }, `${what} failed`),
  });
  // a browser may return to the gateway's protected hosts after signing in
  accounts.allowReturnTo((tenant, url) => gateway.checkReturnUrl(tenant.id, url));
  // MFA after the password (and every other first factor): the challenge, enrolment or step-up
  const mfaSignIn = createMfaSignIn({ mfa, accounts });
  accounts.setRequireMfa(mfaSignIn.hook);

  const oidc = createOidcService({
    runtime: rt,
    credentials,
    tenants,
    clients,
    accounts: createAccountLookup({ users, groups, access, organizations }),
    signedIn: async (tenantId, cookieHeader) =>
      (await accounts.sessions.authenticate(tenantId, cookieHeader))?.userId ?? null,
    sessionOf: (tenantId, cookieHeader) => accounts.sessions.authenticate(tenantId, cookieHeader),
    async signOut(tenantId, cookieHeader, requestId) {
      const session = await accounts.sessions.authenticate(tenantId, cookieHeader);
      if (session)
        await accounts.sessions.revoke(tenantId, session.id, {
          actor: `user:${session.userId}`,
          requestId,
          reason: 'oidc_logout',
        });
    },
  });

  const startables = [
    tenants,
    credentials,
    access,
    clients,
    gateway.config,
    gateway.hmacSecrets,
    accounts,
    mail,
    oidc,
  ];
  return {
    tenants,
    credentials,
    clients,
    roles,
    access,
    groups,
    organizations,
    users,
    setup,
    apiTokens,
    accounts,
    mail,
    userMail,
    mfa,
    passkeys,
    signInLinks,
    mfaSignIn,
    gateway,
    oidc,
    async start() {
      for (const s of startables) await s.start();
      const root = await tenants.ensureRoot();
      await roles.seedBuiltinRoles(root.id);
    },
    async stop() {
      for (const s of [...startables].reverse()) await s.stop();
    },
  };
}

/** The gateway: its configuration, HMAC secrets and the /authz decider over the other services. */
function createGateway(
  rt: Runtime,
  s: {
    tenants: TenantsService;
    clients: ClientsService;
    users: UsersService;
    roles: RolesService;
    credentials: CredentialsService;
    apiTokens: ApiTokensService;
    access: EffectiveAccessService;
    session(tenantId: string, cookieHeader: string): Promise<{ id: string; userId: string } | null>;
    signInPath(slug: string, returnTo: string): string;
    oidc(): OidcService;
  },
): Services['gateway'] {
  const { database, bus, changes, cacheMetrics, settings, state, keyring } = rt;
  const slugOf = (id: string) => s.tenants.slugOf(id);
  const config = createGatewayConfigService({
    store: createGatewayStore(database),
    database,
    bus,
    changes,
    cacheMetrics,
    slugOf,
    subjects: {
      client: async (tenantId, ref) => (await s.clients.resolve(tenantId, ref)).id,
      async user(tenantId, ref) {
        const found = /^[0-9a-f-]{36}$/.test(ref) ? await s.users.get(tenantId, ref).catch(() => null) : null;
        const user = found ?? (await s.users.findByLogin(tenantId, ref));
        if (!user)
          throw new AppError('not_found', { detail: `no user "${ref.slice(0, 80)}" in this tenant` });
        return user.id;
      },
      role: async (tenantId, name) => (await s.roles.getByName(tenantId, name)).name,
      async token(tenantId, id) {
        const c = await s.credentials.get(id, tenantId);
        if (c.kind !== 'pat' && c.kind !== 'svc')
          throw new AppError('not_found', { detail: 'no such API token' });
        return c.id;
      },
    },
  });
  const hmacSecrets = createHmacSecretsService({
    database,
    keyring,
    bus,
    changes,
    cacheMetrics,
    slugOf,
    checkClient: async (tenantId, ref) => {
      await s.clients.get(tenantId, ref);
    },
  });
  let forwarders: Forwarders | undefined;
  const tokenKeyLookups = new WeakMap<object, JWTVerifyGetKey>();
  let identity: { source: string; map: ReadonlyMap<string, string> } | undefined;
  const decider = createDecider({
    bus,
    registry: rt.metrics.registry,
    state,
    resolveTenant: (slug) => s.tenants.resolve(slug).catch(() => null),
    policy: (tenantId) => config.policy(tenantId),
    forwarders() {
      const source = settings.get('gatewayTrustedForwarders');
      if (forwarders?.source !== source)
        forwarders = parseForwarders(source, (entry) =>
          rt.logger.warn({ entry }, 'gatewayTrustedForwarders: not an address or CIDR range, ignored'),
        );
      return forwarders;
    },
    clockSkewSeconds: () => settings.get('gatewayClockSkewSeconds'),
    auditAllowEvery: () => settings.get('gatewayAuditAllowEvery'),
    identityHeaders() {
      const source = settings.get('gatewayIdentityHeaders');
      if (identity?.source !== source) identity = { source, map: parseIdentityHeaders(source) };
      return identity.map;
    },
    authenticateToken: (tenantId, secret) => s.apiTokens.authenticate(tenantId, secret),
    clientByClientId: (tenantId, clientId) => s.clients.byClientId(tenantId, clientId),
    hmacKeys: (tenantId, client) => hmacSecrets.keysFor(tenantId, client),
    async session(tenantId, cookieHeader) {
      const found = await s.session(tenantId, cookieHeader);
      return found ? { id: found.id, userId: found.userId } : null;
    },
    async userAccess(tenantId, userId) {
      if (!(await s.users.isActive(tenantId, userId))) return null;
      const effective = await s.access.effectiveAccess(tenantId, userId).catch(() => null);
      return effective ? { roles: effective.roles } : null;
    },
    async tokenKeys(tenant) {
      const oidc = s.oidc();
      // the key set is the cache's object: a rotation (on any instance) replaces it, and the lookup with it
      const keySet = await oidc.keys.keySet(tenant.id);
      let keys = tokenKeyLookups.get(keySet);
      if (!keys) {
        keys = createLocalJWKSet({ keys: keySet.keys.map(publicPart) });
        tokenKeyLookups.set(keySet, keys);
      }
      return { issuer: oidc.issuerOf(tenant.slug), keys };
    },
    metadataDocumentClient: (tenant, clientId) =>
      s.oidc().metadataDocumentClient(tenant.id, tenant.slug, clientId),
    resourcePolicy: (tenantId) => s.oidc().resources.policy(tenantId),
    jwtRevoked: (tenantId, jti, grantRef) => s.oidc().jwtRevocations.isRevoked(tenantId, jti, grantRef),
    signInUrl: (slug, returnTo) => `${settings.get('publicUrl')}${s.signInPath(slug, returnTo)}`,
    ownHost: () => new URL(settings.get('publicUrl')).hostname,
    onError: (err) => rt.logger.error({ err }, '/authz step failed'),
  });
  return {
    config,
    hmacSecrets,
    decider,
    async checkReturnUrl(tenantId, url) {
      const policy = await config.policy(tenantId);
      return checkReturnUrl(
        url,
        (host) => policy.servesHost(host),
        new URL(settings.get('publicUrl')).hostname,
      );
    },
  };
}

/**
 * Administrators are users of the root tenant holding the built-in `owner` role (directly or through
 * a group); that role administers every tenant.
 */
function createAdminDirectory(deps: {
  tenants: TenantsService;
  users: UsersService;
  roles: RolesService;
  access: EffectiveAccessService;
}): AdminDirectory {
  const { tenants, users, roles, access } = deps;
  return {
    async hasAdmin() {
      const root = await tenants.resolve(ROOT_TENANT);
      let cursor: string | null = null;
      do {
        const page = await users.list(root.id, {
          limit: 200,
          sort: 'createdAt',
          descending: false,
          after: cursor ? decodeCursor(cursor, 'createdAt:asc') : undefined,
        });
        for (const u of page.items) {
          if (u.status === 'active' && (await access.effectiveAccess(root.id, u.id)).roles.includes('owner'))
            return true;
        }
        cursor = page.nextCursor;
      } while (cursor);
      return false;
    },
    async createAdmin(input, ctx) {
      const root = await tenants.resolve(ROOT_TENANT);
      const existing = await users.findByLogin(root.id, input.email);
      const user =
        existing ??
        (await users.create(
          root.id,
          { username: input.email, email: input.email, ...(input.name ? { name: input.name } : {}) },
          ctx,
        ));
      await users.setPassword(root.id, user.id, input.password, ctx);
      const owner = await roles.getByName(root.id, 'owner');
      await roles.assignToUser(root.id, user.id, owner.id, ctx);
      return { userId: user.id };
    },
  };
}
