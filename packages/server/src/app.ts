/**
 * The composition root: given a runtime (infrastructure, see runtime.ts) it builds the Fastify app
 * and registers every capability, top to bottom, with its prefix and guards visible here.
 * It never listens — `main.ts` does, and tests use `app.inject()`.
 */
import type { ServerOptions } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { accountsAdminPlugin, accountsPlugin, pageAssetsPlugin } from './capabilities/accounts/index.ts';
import { apiTokensAccountPlugin, apiTokensPlugin } from './capabilities/api-tokens/index.ts';
import { auditPlugin, createAuditSearch } from './capabilities/audit/index.ts';
import { clientsPlugin } from './capabilities/clients/index.ts';
import { credentialsPlugin } from './capabilities/credentials/index.ts';
import { authzPlugin, createAuthzHandler, gatewayPlugin, isAuthzUrl } from './capabilities/gateway/index.ts';
import { groupsPlugin } from './capabilities/groups/index.ts';
import { mfaAdminPlugin, mfaPlugin } from './capabilities/mfa/index.ts';
import { oidcAdminPlugin, oidcMount, oidcPagesPlugin } from './capabilities/oidc/index.ts';
import { organizationsPlugin } from './capabilities/organizations/index.ts';
import { rolesPlugin } from './capabilities/roles/index.ts';
import { settingsPlugin } from './capabilities/settings/index.ts';
import { setupPlugin } from './capabilities/setup/index.ts';
import { signInLinksPlugin } from './capabilities/sign-in-links/index.ts';
import { tenantsPlugin } from './capabilities/tenants/index.ts';
import { usersPlugin } from './capabilities/users/index.ts';
import { cliCommand } from './config/cli-command.ts';
import { isEmbedded } from './config/load.ts';
import { registerAdminGuard } from './http/admin-guard.ts';
import { createDenialAggregator } from './http/denial-aggregator.ts';
import { dependencyChecks } from './http/dependency-checks.ts';
import { registerConditionalRequests } from './http/etag.ts';
import { registerHealth } from './http/health.ts';
import { closeIdleConnections } from './http/idle-connections.ts';
import { answerFrameworkError, registerRouteGuards, requestTargetError } from './http/input-guards.ts';
import { registerJsonBody } from './http/json-body.ts';
import { buildLazySerializer, buildLazyValidator } from './http/lazy-compilers.ts';
import { registerMetrics } from './http/metrics.ts';
import { createServer } from './http/node-http.ts';
import { registerOpenApi } from './http/openapi.ts';
import { registerProblemHandlers } from './http/problem.ts';
import { lazyChildLogger, RequestLineLogController, requestIdOf } from './http/request-path.ts';
import { assertStrictSchema } from './http/schema-kit.ts';
import type { Runtime } from './runtime.ts';
import type { Services } from './services.ts';
import { migrations } from './storage/migrations/index.ts';
import { migrationStatus } from './storage/migrator.ts';
import { VERSION } from './version.ts';

export type App = FastifyInstance;

export async function buildApp(runtime: Runtime, services: Services): Promise<App> {
  const { settings, database, state, audit, logger } = runtime;
  const config = settings.current();

  const requestLines = new RequestLineLogController(logger);
  // /authz is answered on Node's request before Fastify sees it (capabilities/gateway/endpoint.ts)
  let closing = false;
  const authz = createAuthzHandler({
    decider: services.gateway.decider,
    onError: (err) => logger.error({ err }, '/authz failed'),
    closing: () => closing,
  });
  const app = Fastify({
    // Fastify's own HTTP/1.1 server (lib/server.js), with /authz taken off the top
    serverFactory: (handler, options) => {
      const server = createServer((options as { http: ServerOptions }).http, (req, res) =>
        isAuthzUrl(req.url) ? authz(req, res) : handler(req, res),
      );
      server.keepAliveTimeout = config.httpKeepAliveTimeoutMs;
      server.requestTimeout = config.httpRequestTimeoutMs;
      return server;
    },
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // the request id, the per-request logger and the one log line per request: http/request-path.ts
    requestIdHeader: false,
    genReqId: requestIdOf,
    childLoggerFactory: lazyChildLogger,
    logController: requestLines,
    routerOptions: { maxParamLength: 512 },
    // a URL the router cannot decode: /authz must still answer 401/403 only (see gateway/endpoint.ts);
    // anywhere else it is a problem document like every other error
    frameworkErrors: (err, request, reply) => {
      if (isAuthzUrl(request.raw.url))
        return (reply as unknown as FastifyReply)
          .code(403)
          .header('x-authz-reason', 'malformed_target')
          .header('cache-control', 'no-store')
          .send('malformed_target\n');
      return answerFrameworkError(err, request as never, reply as never);
    },
    // slow clients are cut off (headers, whole request, idle keep-alive, no traffic at all); Node checks
    // the header and request deadlines every connectionsCheckingInterval, so that follows the shortest
    requestTimeout: config.httpRequestTimeoutMs,
    keepAliveTimeout: config.httpKeepAliveTimeoutMs,
    http: {
      headersTimeout: Math.min(config.httpHeadersTimeoutMs, config.httpRequestTimeoutMs),
      connectionsCheckingInterval: Math.min(1000, Math.max(25, Math.floor(config.httpHeadersTimeoutMs / 4))),
    },
    // see http/validation.ts and http/lazy-compilers.ts; Fastify's declared types are narrower than
    // what it passes at runtime
    schemaController: {
      compilersFactory: {
        buildValidator: buildLazyValidator as never,
        buildSerializer: buildLazySerializer as never,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // a connection without traffic for httpIdleTimeoutMs is closed (not Fastify's connectionTimeout,
  // which re-arms a socket timer on every read and write)
  closeIdleConnections(app.server, config.httpIdleTimeoutMs);

  // infrastructure hooks
  settings.onChange((c) => {
    logger.level = c.logLevel;
  });
  app.addHook('onRoute', (route) => {
    const s = route.schema as Record<string, unknown> | undefined;
    for (const part of ['body', 'querystring', 'params', 'headers'] as const) {
      if (s?.[part]) assertStrictSchema(s[part], `${route.method} ${route.url} ${part}`);
    }
  });
  // the one root onRequest hook (http/request-path.ts): the OAuth/OIDC protocol engines first, so
  // nothing of ours touches their answers; then the request id and the request-target guard
  const mountOidc = oidcMount({ oidc: services.oidc, publicUrl: () => settings.get('publicUrl') });
  app.addHook('onRequest', (request, reply, done) => {
    if (mountOidc(request, reply)) return;
    reply.header('x-request-id', request.id);
    done(requestTargetError(request.url, isAuthzUrl));
  });
  registerProblemHandlers(app);
  registerRouteGuards(app);

  const { metrics } = runtime;
  metrics.gauge('gatekeeper_audit_queue_depth', 'Refusal events held in memory for the audit log', () =>
    audit.queueDepth(),
  );
  metrics.gauge('gatekeeper_audit_outbox_depth', 'Audit events committed but not chained yet', () =>
    audit.outboxDepth().catch(() => Number.NaN),
  );
  metrics.gauge('gatekeeper_mail_outbox_pending', 'Mail messages queued and not sent yet', () =>
    services.mail.count('pending').catch(() => Number.NaN),
  );
  metrics.gauge('gatekeeper_mail_outbox_dead', 'Mail messages that ran out of delivery attempts', () =>
    services.mail.count('dead').catch(() => Number.NaN),
  );
  metrics.gauge(
    'gatekeeper_db_pool_connections',
    'Database pool connections by state',
    () => {
      const s = database.poolStats();
      return { total: s.total, idle: s.idle, waiting: s.waiting };
    },
    'state',
  );
  metrics.gauge(
    'gatekeeper_database_writes_failing',
    'Whether this instance cannot write (database or disk)',
    () => (database.writeHealth().ok ? 0 : 1),
  );
  const authenticateAdmin = (secret: string) => services.credentials.authenticateAdmin(secret);
  const countRequest = registerMetrics(app, metrics, {
    access: {
      mode: () => settings.get('metricsAccess'),
      authenticate: authenticateAdmin,
      ability: 'metrics:read',
    },
    listen: config.metricsListen,
  });
  requestLines.whenCompleted(countRequest);
  await registerOpenApi(app, config.publicUrl, VERSION, {
    mode: () => settings.get('apiDocsAccess'),
    authenticate: authenticateAdmin,
  });

  registerHealth(app, [
    ...dependencyChecks(database, state),
    {
      name: 'migrations',
      check: async () => {
        const s = await migrationStatus(database, migrations);
        if (s.pending.length > 0) throw new Error(`pending: ${s.pending.join(', ')}`);
      },
    },
  ]);

  // hosted pages
  const cli = cliCommand({
    dataDir: config.dataDir,
    embedded: isEmbedded(config),
    configFile: runtime.loaded.file,
  });
  await app.register(setupPlugin, { setup: services.setup, state, cliCommand: cli });
  await app.register(pageAssetsPlugin);
  await app.register(accountsPlugin, {
    prefix: '/t/:slug',
    accounts: services.accounts,
    tenants: services.tenants,
    users: services.users,
  });
  const pageDeps = { accounts: services.accounts, tenants: services.tenants, users: services.users };
  await app.register(mfaPlugin, {
    prefix: '/t/:slug',
    ...pageDeps,
    mfa: services.mfa,
    passkeys: services.passkeys,
    signIn: services.mfaSignIn,
    // passkey ceremonies hold a challenge for five minutes each: 60 a minute per address
    ceremonyLimiter: state.createRateLimiter({ name: 'passkey-ceremonies', points: 60, durationSec: 60 }),
  });
  await app.register(apiTokensAccountPlugin, {
    prefix: '/t/:slug',
    ...pageDeps,
    apiTokens: services.apiTokens,
  });
  await app.register(signInLinksPlugin, {
    prefix: '/t/:slug',
    ...pageDeps,
    links: services.signInLinks,
    mfaSignIn: services.mfaSignIn,
    ttlMinutes: (purpose) =>
      Math.round(settings.get(purpose === 'magic' ? 'magicLinkTtlSeconds' : 'passwordResetTtlSeconds') / 60),
  });
  await app.register(oidcPagesPlugin, {
    prefix: '/t/:slug',
    bus: runtime.bus,
    oidc: services.oidc,
    accounts: services.accounts,
    tenants: services.tenants,
    users: services.users,
  });

  // the /authz decision endpoint, in its own context (no body parsing, input guards or problem handler)
  await app.register(authzPlugin, { handler: authz });
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });

  // 20 failed admin authentications per address per minute, then 429 for five minutes
  const authFailureLimiter = state.createRateLimiter({
    name: 'admin-auth-failures',
    points: 20,
    durationSec: 60,
    blockDurationSec: 300,
  });

  // refused admin requests: one audit event per address and reason per window, with a count
  const denials = createDenialAggregator({
    windowMs: () => settings.get('adminDenialAuditWindowSeconds') * 1000,
    emit: (d) =>
      runtime.bus.emit({
        type: 'admin.access_denied',
        tenant: d.tenant,
        actor: d.actor ?? `ip:${d.ip}`,
        target: `${d.method} ${d.route}`,
        result: 'denied',
        requestId: d.requestId,
        data: { code: d.code, ip: d.ip, count: d.count, firstAt: d.firstAt, lastAt: d.lastAt },
      }),
  });
  app.decorate('flushDeniedRequests', async () => denials.flush());
  app.addHook('onClose', async () => {
    denials.flush();
    denials.stop();
  });

  // capabilities: the admin REST API, every route behind the admin guard
  await app.register(
    async (admin) => {
      registerJsonBody(admin);
      registerAdminGuard(admin, {
        authenticate: (secret) => services.credentials.authenticateAdmin(secret),
        resolveTenant: (slug) => services.tenants.resolve(slug),
        authFailures: authFailureLimiter,
        onDenied: (d) => denials.record(d),
      });
      registerConditionalRequests(admin);
      await admin.register(tenantsPlugin, { tenants: services.tenants });
      await admin.register(credentialsPlugin, { credentials: services.credentials });
      await admin.register(settingsPlugin, { settings: runtime.settings });
      await admin.register(auditPlugin, { auditSearch: createAuditSearch(database) });
      const tenantScoped = { prefix: '/tenants/:tenant' };
      await admin.register(rolesPlugin, { ...tenantScoped, roles: services.roles, access: services.access });
      await admin.register(groupsPlugin, { ...tenantScoped, groups: services.groups });
      await admin.register(organizationsPlugin, { ...tenantScoped, organizations: services.organizations });
      await admin.register(usersPlugin, {
        ...tenantScoped,
        users: services.users,
        groups: services.groups,
        importBodyLimit: () => runtime.settings.get('importBodyLimitBytes'),
        refreshStatistics: (tables) => database.refreshStatistics(tables),
      });
      await admin.register(clientsPlugin, { ...tenantScoped, clients: services.clients });
      await admin.register(oidcAdminPlugin, { ...tenantScoped, oidc: services.oidc });
      await admin.register(accountsAdminPlugin, {
        ...tenantScoped,
        accounts: services.accounts,
        users: services.users,
      });
      await admin.register(mfaAdminPlugin, {
        ...tenantScoped,
        mfa: services.mfa,
        passkeys: services.passkeys,
        users: services.users,
        groups: services.groups,
      });
      await admin.register(apiTokensPlugin, {
        prefix: '/tenants/:tenant/api-tokens',
        apiTokens: services.apiTokens,
      });
      await admin.register(gatewayPlugin, {
        ...tenantScoped,
        ...services.gateway,
        clients: services.clients,
      });
    },
    { prefix: '/api/v1' },
  );

  await app.ready();
  return app;
}
