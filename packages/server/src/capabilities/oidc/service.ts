/**
 * The oidc capability's services: signing keys, resource servers and trust links, and the per-tenant
 * protocol engines. `handle` serves one protocol request (discovery, JWKS, authorization, token,
 * introspection, revocation, userinfo, logout, device, PAR) for a tenant slug: unknown slugs are
 * answered from the tenants cache (negative entries, no database round trip), a suspended tenant is
 * refused, and everything else is the library's own answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import type Provider from 'oidc-provider';
import { AppError } from '../../errors/app-error.ts';
import { createTenantEventEmitter } from '../../events/tenant-events.ts';
import type { Runtime } from '../../runtime.ts';
import type { ClientsService } from '../clients/service.ts';
import type { CredentialsService } from '../credentials/service.ts';
import type { TenantsService } from '../tenants/service.ts';
import type { AccountLookup } from './account.ts';
import {
  attachSessionLinking,
  createLogoutDeliveries,
  createSessionLinks,
  logoutEndedSessions,
} from './backchannel.ts';
import { type ClaimMapping, installClaimMapping } from './claims.ts';
import { clientMetadataOf } from './client-metadata.ts';
import { createEnrollmentService, type EnrollmentService } from './enrollment.ts';
import { attachProviderEvents } from './events.ts';
import { attachJwtRevocation, createJwtRevocations, type JwtRevocations } from './jwt-revocation.ts';
import { createOutboundFetch } from './outbound-fetch.ts';
import { createPayloadStore, type PayloadStore } from './payload-store.ts';
import { createProviderPool, type ProviderPool } from './provider-pool.ts';
import { createRegistrationService, type RegistrationService } from './registration.ts';
import { createResourcesService, type ResourcesService } from './resources.ts';
import { createSigningKeysService, type SigningAlg, type SigningKeysService } from './signing-keys.ts';

export interface OidcService {
  keys: SigningKeysService;
  enrollment: EnrollmentService;
  resources: ResourcesService;
  /** JWT access tokens revoked at the revocation endpoint (`/authz` refuses them). */
  jwtRevocations: JwtRevocations;
  /** Dynamic client registration (RFC 7591): the tenant's policy and initial access tokens. */
  registration: RegistrationService;
  pool: ProviderPool;
  payloads: PayloadStore;
  /** The issuer of a tenant: `<public URL>/t/<slug>`. */
  issuerOf(slug: string): string;
  /** The Provider of a tenant (built on first use); null for an unknown tenant. */
  providerFor(slug: string): Promise<{ provider: Provider; tenantId: string; status: string } | null>;
  /**
   * A client known only by its Client ID Metadata Document: its https client_id, resolved by the
   * tenant's provider (the document fetched through the outbound fetch and accepted, cached as its
   * Cache-Control says); null when the provider does not accept it. Callers ask only for a client_id
   * with no client record (a disabled record is never looked past).
   */
  metadataDocumentClient(
    tenantId: string,
    slug: string,
    clientId: string,
  ): Promise<{ clientId: string; name: string } | null>;
  /**
   * Back-channel logout for the provider sessions whose Gatekeeper session ended (of one user, a
   * tenant, or everywhere); returns how many logout tokens were delivered. Runs on its own after
   * every `session.revoked` event and every minute.
   */
  logoutEnded(tenantId: string | null, userId: string | null): Promise<number>;
  /** Back-channel logouts waiting for a retry (any instance's; they are rows). */
  pendingLogoutRetries(): Promise<number>;
  /** Serves one protocol request; `path` is the part after `/t/<slug>` (with its query). */
  handle(slug: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface OidcDeps {
  runtime: Runtime;
  credentials: CredentialsService;
  /** The user of the Gatekeeper session a browser's cookies carry for the tenant, or null. */
  signedIn(tenantId: string, cookieHeader: string | undefined): Promise<string | null>;
  /** The Gatekeeper session a browser's cookies carry for the tenant (its id and user), or null. */
  sessionOf(
    tenantId: string,
    cookieHeader: string | undefined,
  ): Promise<{ id: string; userId: string } | null>;
  /** Ends the Gatekeeper session a browser's cookies carry (RP-initiated logout signs out of Gatekeeper). */
  signOut(tenantId: string, cookieHeader: string | undefined, requestId: string | null): Promise<void>;
  tenants: TenantsService;
  clients: ClientsService;
  accounts: AccountLookup;
}

const SWEEP_INTERVAL_MS = 60_000;
const ROTATION_CHECK_MS = 3_600_000;

/**
 * oidc-provider (with Koa) and the modules built on it, loaded when the first tenant's Provider is
 * built — on the first protocol request, not at start-up: a server that serves no OIDC request does
 * not pay their ~250 modules in start-up time and memory (issue 6 §9).
 */
async function loadProtocolEngine() {
  const [{ default: Provider }, configuration, adapter, delegation, registration] = await Promise.all([
    import('oidc-provider'),
    import('./configuration.ts'),
    import('./adapter.ts'),
    import('./delegation.ts'),
    import('./registration-protocol.ts'),
  ]);
  return {
    Provider,
    configurationFor: configuration.configurationFor,
    OIDC_SCOPES: configuration.OIDC_SCOPES,
    createAdapterFactory: adapter.createAdapterFactory,
    registerDelegationGrants: delegation.registerDelegationGrants,
    registration,
  };
}
let engine: ReturnType<typeof loadProtocolEngine> | undefined;
const protocolEngine = () => {
  engine ??= loadProtocolEngine();
  return engine;
};

const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

/** The public half of a private JWK. */
export function publicPart(jwk: JWK): JWK {
  return Object.fromEntries(Object.entries(jwk).filter(([k]) => !PRIVATE_MEMBERS.has(k))) as JWK;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

export function createOidcService(deps: OidcDeps): OidcService {
  const { runtime, tenants, clients, accounts } = deps;
  const { database, settings, keyring, changes, cacheMetrics, bus, logger } = runtime;
  const slugOf = (id: string) => tenants.slugOf(id);
  const emit = createTenantEventEmitter(bus, slugOf);
  const payloads = createPayloadStore(database);
  const sessionLinks = createSessionLinks(database);
  // back-channel logout deliveries and their retries (rows any server runs; backchannel.ts)
  const logoutDeliveries = createLogoutDeliveries({
    database,
    bus,
    providerOf: async (tenantId, slug) => (await pool.get(tenantId, slug)).provider,
    attempts: () => settings.get('oidcBackchannelLogoutAttempts'),
    retryBaseMs: () => settings.get('oidcBackchannelLogoutRetryBaseMs'),
    onError: (err) => logger.warn({ err }, 'retrying a back-channel logout failed'),
  });
  const jwtRevocations = createJwtRevocations({ payloads, changes, cacheMetrics });

  const resources = createResourcesService({
    database,
    changes,
    cacheMetrics,
    emit,
    resolveClient: async (tenantId, ref) => (await clients.resolve(tenantId, ref)).id,
  });
  const keys = createSigningKeysService({
    database,
    keyring,
    changes,
    cacheMetrics,
    emit,
    defaultAlg: () => settings.get('oidcSigningAlgorithm') as SigningAlg,
    leadSeconds: () => settings.get('oidcKeyPublishLeadSeconds'),
    async longestTokenLifetime(tenantId) {
      return Math.max(
        settings.get('oidcAccessTokenTtlSeconds'),
        settings.get('oidcIdTokenTtlSeconds'),
        await resources.longestTokenTtl(tenantId),
        await clients.longestTokenTtl(tenantId),
      );
    },
  });

  const cookieKeys = () => keyring.deriveKeys('oidc-cookies').map((k) => k.key.toString('base64url'));
  const publicUrl = () => settings.get('publicUrl').replace(/\/+$/, '');
  const issuerOf = (slug: string) => `${publicUrl()}/t/${slug}`;

  // start-up settings: one dispatcher for every tenant's provider
  let outboundFetch: ReturnType<typeof createOutboundFetch> | null = null;
  const outbound = () => {
    outboundFetch ??= createOutboundFetch({
      caFile: settings.get('oidcOutboundCaFile'),
      allowPrivateAddresses: settings.get('oidcOutboundAllowPrivateAddresses'),
    });
    return outboundFetch;
  };

  async function build(
    tenantId: string,
    slug: string,
    keySet: Awaited<ReturnType<SigningKeysService['keySet']>>,
  ) {
    const {
      Provider,
      configurationFor,
      OIDC_SCOPES,
      createAdapterFactory,
      registerDelegationGrants,
      registration: registrationProtocol,
    } = await protocolEngine();
    const registrationPolicy = () => registration.policy(tenantId);
    const configuration = configurationFor({
      tenantId,
      slug,
      keySet,
      accounts,
      adapter: createAdapterFactory({
        tenantId,
        store: payloads,
        keyring,
        refreshGraceMs: () => settings.get('oidcRefreshReuseGraceSeconds') * 1000,
        async findClient(clientId) {
          const record = await clients.byClientId(tenantId, clientId);
          return record
            ? clientMetadataOf(record, { alg: keySet.alg, supportedScopes: OIDC_SCOPES })
            : undefined;
        },
        // the grant's JWT access tokens live at most as long as the longest lifetime in effect
        onGrantRevoked: async (grantId) => {
          const longest = Math.max(
            settings.get('oidcAccessTokenTtlSeconds'),
            86_400, // a resource server's own lifetime is at most a day
            await clients.longestTokenTtl(tenantId),
          );
          await jwtRevocations.revokeGrant(tenantId, grantId, longest * 1000);
        },
        registerClient: (clientId, metadata) =>
          registrationProtocol.storeRegisteredClient(clients, tenantId, clientId, metadata),
        unregisterClient: (clientId) =>
          registrationProtocol.removeRegisteredClient(clients, tenantId, clientId),
      }),
      policy: () => resources.policy(tenantId),
      registrationPolicy,
      signedIn: (cookieHeader) => deps.signedIn(tenantId, cookieHeader),
      clientRecord: (clientId) => clients.byClientId(tenantId, clientId),
      cookieKeys: cookieKeys(),
      secureCookies: publicUrl().startsWith('https:'),
      ...(outbound() ? { fetch: outbound() as never } : {}),
      ttl: {
        accessToken: () => settings.get('oidcAccessTokenTtlSeconds'),
        idToken: () => settings.get('oidcIdTokenTtlSeconds'),
        refreshToken: () => settings.get('oidcRefreshTokenTtlSeconds'),
      },
    });
    const provider = new Provider(issuerOf(slug), configuration);
    // forwarded headers are rewritten by the mount from what Fastify trusted (trustProxy)
    provider.proxy = true;
    // client secrets are credentials stored as digests: the clients service verifies them
    provider.Client.prototype.compareClientSecret = function compare(
      this: { clientId: string },
      actual: string,
    ) {
      return clients.verifySecret(tenantId, this.clientId, actual);
    } as never;
    registerDelegationGrants(provider, {
      issuer: issuerOf(slug),
      publicKeys: () => keySet.keys.map(publicPart),
      policy: () => resources.policy(tenantId),
      isActive: (sub) => accounts.isActive(tenantId, sub),
      accessTokenTtl: () => settings.get('oidcAccessTokenTtlSeconds'),
    });
    registrationProtocol.attachRegistrationGate(provider, registrationPolicy);
    installClaimMapping(
      provider as never,
      (client) =>
        (client as { gatekeeper?: { claimMapping?: ClaimMapping | null } }).gatekeeper?.claimMapping,
    );
    attachJwtRevocation(provider, {
      tenantId,
      slug,
      issuer: issuerOf(slug),
      publicKeys: () => keySet.keys.map(publicPart),
      revocations: jwtRevocations,
      bus,
      onError: (err) => logger.error({ err, tenant: slug }, 'recording a JWT revocation failed'),
    });
    attachSessionLinking(provider, {
      links: sessionLinks,
      tenantId,
      sessionOf: (cookieHeader) => deps.sessionOf(tenantId, cookieHeader),
      onError: (err) => logger.warn({ err, tenant: slug }, 'linking the provider session failed'),
    });
    attachProviderEvents(provider, {
      bus,
      slug,
      kid: keySet.kid,
      onClientUsed: (clientId) =>
        clients
          .touch(tenantId, clientId)
          .catch((err) => logger.warn({ err, tenant: slug }, 'recording a client use failed')),
      onServerError: (err) => logger.error({ err, tenant: slug }, 'oidc-provider server_error'),
      // the library's own delivery at RP-initiated logout failed: retried here like ours
      onBackchannelError: (clientId, sub, sid) =>
        logoutDeliveries
          .retry({ tenantId, slug, clientId, sub, sid, gkSessionId: null }, 1)
          .catch((err) => logger.warn({ err, tenant: slug }, 'storing a back-channel logout retry failed')),
      onLogout: (cookieHeader, requestId) =>
        deps
          .signOut(tenantId, cookieHeader, requestId)
          .catch((err) =>
            logger.warn({ err, tenant: slug }, 'ending the Gatekeeper session at logout failed'),
          ),
    });
    return provider;
  }

  const pool = createProviderPool({
    maxEntries: () => settings.get('oidcProviderCacheSize'),
    keySet: (tenantId) => keys.keySet(tenantId),
    build,
  });

  async function tenantOf(slug: string) {
    try {
      return await tenants.resolve(slug);
    } catch (err) {
      if (
        (err as { code?: string }).code === 'not_found' ||
        (err as { code?: string }).code === 'validation_failed'
      )
        return null;
      throw err;
    }
  }

  const registration = createRegistrationService({
    database,
    changes,
    cacheMetrics,
    emit,
    clients,
    issuerOf,
    async saveInitialAccessToken(slug, ttlSeconds) {
      const tenant = await tenantOf(slug);
      if (!tenant) throw new AppError('not_found', { detail: 'no such tenant' });
      const { provider } = await pool.get(tenant.id, slug);
      const { registration: registrationProtocol } = await protocolEngine();
      const token = new provider.InitialAccessToken({
        expiresIn: ttlSeconds,
        policies: [registrationProtocol.REGISTRATION_POLICY],
      } as never);
      return token.save();
    },
  });

  // back-channel logout of the provider sessions whose Gatekeeper session ended (backchannel.ts),
  // one run at a time so that the event path and the periodic reconciliation never send twice
  let logoutChain: Promise<unknown> = Promise.resolve();
  function logoutEnded(tenantId: string | null, userId: string | null): Promise<number> {
    const run = logoutChain.then(async () => {
      const ended = await sessionLinks.ended(tenantId, userId, 500);
      let sent = 0;
      for (const id of new Set(ended.map((l) => l.tenantId))) {
        const slug = await tenants.slugOf(id);
        const { provider } = await pool.get(id, slug);
        sent += await logoutEndedSessions({
          provider,
          links: sessionLinks,
          ended: ended.filter((l) => l.tenantId === id),
          slug,
          deliveries: logoutDeliveries,
        });
      }
      return sent;
    });
    logoutChain = run.catch(() => undefined);
    return run;
  }
  let unsubscribe: (() => void) | undefined;

  let sweeper: NodeJS.Timeout | undefined;
  let rotator: NodeJS.Timeout | undefined;

  return {
    keys,
    enrollment: createEnrollmentService({ database, credentials: deps.credentials, clients }),
    resources,
    jwtRevocations,
    registration,
    pool,
    payloads,
    issuerOf,
    logoutEnded,
    pendingLogoutRetries: () => logoutDeliveries.pending(),
    async metadataDocumentClient(tenantId, slug, clientId) {
      if (!clientId.startsWith('https://')) return null;
      const { provider } = await pool.get(tenantId, slug);
      const client = (await provider.Client.find(clientId).catch(() => undefined)) as
        | { clientIdMetadataDocument?: boolean; clientName?: unknown }
        | undefined;
      if (client?.clientIdMetadataDocument !== true) return null;
      return { clientId, name: typeof client.clientName === 'string' ? client.clientName : clientId };
    },
    async providerFor(slug) {
      const tenant = await tenantOf(slug);
      if (!tenant) return null;
      const { provider } = await pool.get(tenant.id, slug);
      return { provider, tenantId: tenant.id, status: tenant.status };
    },
    async handle(slug, path, req, res) {
      try {
        const tenant = await tenantOf(slug);
        if (!tenant)
          return sendJson(res, 404, { error: 'invalid_request', error_description: 'unknown tenant' });
        if (tenant.status !== 'active')
          return sendJson(res, 403, {
            error: 'access_denied',
            error_description: 'this tenant is suspended',
          });
        const { handler } = await pool.get(tenant.id, slug);
        (req as IncomingMessage & { originalUrl?: string }).originalUrl = `/t/${slug}${path}`;
        req.url = path;
        handler(req, res);
      } catch (err) {
        logger.error({ err, tenant: slug }, 'oidc request failed before the provider');
        if (!res.headersSent)
          sendJson(res, 503, { error: 'temporarily_unavailable', error_description: 'retry shortly' });
      }
    },
    async start() {
      resources.start();
      registration.start();
      jwtRevocations.start();
      keys.start();
      if (runtime.role !== 'server') return;
      logoutDeliveries.start();
      unsubscribe = bus.subscribe((event) => {
        if (event.type !== 'session.revoked' || !event.tenant) return;
        const userId = event.target?.startsWith('user:') ? event.target.slice(5) : null;
        tenantOf(event.tenant)
          .then((tenant) => (tenant ? logoutEnded(tenant.id, userId) : 0))
          .catch((err) => logger.warn({ err }, 'back-channel logout failed'));
      });
      sweeper = setInterval(() => {
        // sessions ended elsewhere (the CLI, another instance that stopped) are caught up here
        logoutEnded(null, null).catch((err) => logger.warn({ err }, 'back-channel logout failed'));
        sessionLinks
          .sweep(Date.now() - 15 * 86_400_000)
          .catch((err) => logger.warn({ err }, 'sweeping session links failed'));
        payloads.sweep(Date.now(), 1000).catch((err) => logger.warn({ err }, 'oidc payload sweep failed'));
        registration
          .sweep(Date.now())
          .catch((err) => logger.warn({ err }, 'sweeping unused registered clients failed'));
      }, SWEEP_INTERVAL_MS);
      sweeper.unref();
      rotator = setInterval(() => {
        keys
          .rotateDue(settings.get('oidcKeyRotationDays'), { actor: 'system' })
          .catch((err) => logger.warn({ err }, 'automatic signing key rotation failed'));
      }, ROTATION_CHECK_MS);
      rotator.unref();
    },
    async stop() {
      unsubscribe?.();
      clearInterval(sweeper);
      clearInterval(rotator);
      await logoutDeliveries.stop();
      keys.stop();
      registration.stop();
      jwtRevocations.stop();
      resources.stop();
      pool.clear();
    },
  };
}
