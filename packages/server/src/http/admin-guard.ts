/**
 * The guard in front of the admin REST API (`/api/v1/…`). Runs on `onRequest`, before the body is
 * parsed, so an anonymous caller learns nothing from validation errors. In order:
 * 1. a bearer credential is required (401 unauthenticated / invalid_token);
 * 2. a route under `/tenants/:tenant` needs a principal scoped to that tenant or to all tenants —
 *    another tenant's slug is 403 before any lookup, so existence does not leak;
 * 3. a suspended tenant refuses tenant-scoped credentials (root administrators can still reactivate it);
 * 4. the route's declared ability (`config.ability`) must be granted — every admin route must declare
 *    one, checked at registration, so a forgotten guard fails start-up rather than opening a hole.
 * Every refusal is reported through `onDenied` (the composition root audits it, aggregated per
 * address and reason: `denial-aggregator.ts`), and every failed authentication, whatever its shape,
 * counts against the address: past the limit the answer is 429 before any lookup.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasAbility, type Principal, type TenantRef } from '../access/principal.ts';
import { AppError } from '../errors/app-error.ts';
import { unavailableDependency } from '../errors/dependency.ts';
import type { ActionContext } from '../events/event-bus.ts';

export type { Principal, TenantRef } from '../access/principal.ts';

export interface AdminDenial {
  /** `unauthenticated`, `invalid_token`, `rate_limited`, `forbidden`, `tenant_suspended`, `not_found`. */
  code: string;
  ip: string;
  method: string;
  route: string;
  requestId: string;
  /** The acting credential when it was valid but lacked access. */
  actor: string | null;
  tenant: string | null;
}

export interface AdminGuardDeps {
  /** Records a refused request (never with the presented secret); aggregated by the caller. */
  onDenied?(denial: AdminDenial): void;
  /** Failed authentications allowed per client address before 429 (rate-limiter-flexible backed). */
  authFailures?: { consume(key: string): Promise<{ allowed: boolean; retryAfterMs: number }> };
  /** Verifies a presented secret; throws AppError('invalid_token') when it is not valid. */
  authenticate(secret: string): Promise<Principal>;
  /** Resolves a tenant slug; throws `validation_failed` when malformed, `not_found` when unknown. */
  resolveTenant(slug: string): Promise<TenantRef>;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    tenant: TenantRef | undefined;
  }
  interface FastifyInstance {
    /** Writes the open windows of aggregated admin denials to the audit log now (tests, shutdown). */
    flushDeniedRequests(): Promise<void>;
  }
  interface FastifyContextConfig {
    /** Ability an admin route requires, e.g. `users:write`. */
    ability?: string;
  }
}

export { hasAbility } from '../access/principal.ts';

/** The principal of an authenticated admin request (throws if the guard did not run). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthenticated');
  return request.principal;
}

/** The audit context of an authenticated admin request: the acting credential and the request id. */
export function actionContextOf(request: FastifyRequest): ActionContext {
  return { actor: principalOf(request).actor, requestId: String(request.id) };
}

/** The tenant of a `/tenants/:tenant/…` request. */
export function tenantOf(request: FastifyRequest): TenantRef {
  if (!request.tenant) throw new AppError('not_found');
  return request.tenant;
}

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header)
    throw new AppError('unauthenticated', { detail: 'send Authorization: Bearer <admin API token>' });
  const m = /^Bearer\s+(\S{1,512})$/i.exec(header);
  if (!m) throw new AppError('invalid_token', { detail: 'the Authorization header is not a bearer token' });
  return m[1]!;
}

/** A refusal of the credential itself (any shape of it), as opposed to a failure to check it. */
function isFailedAuthentication(err: unknown): err is AppError {
  return err instanceof AppError && err.status === 401;
}

/** Installs the guard on an (encapsulated) admin API plugin instance. */
export function registerAdminGuard(app: FastifyInstance, deps: AdminGuardDeps): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('tenant', undefined);
  app.addHook('onRoute', (route) => {
    if (!route.config?.ability)
      throw new Error(`admin route ${route.method} ${route.url} declares no ability`);
  });
  app.addHook('onError', async (request, _reply, err) => {
    if (!(err instanceof AppError)) return;
    if (![401, 403, 404].includes(err.status) && err.code !== 'rate_limited') return;
    if (err.status === 404 && request.principal) return; // a lookup miss, not a refusal
    deps.onDenied?.({
      code: err.code,
      ip: request.ip,
      method: request.method,
      route: request.routeOptions.url ?? request.url.split('?')[0]!,
      requestId: String(request.id),
      actor: request.principal?.actor ?? null,
      tenant: (request.params as { tenant?: string }).tenant ?? null,
    });
  });

  /**
   * The principal of the presented credential. Every failed authentication — no header, an empty,
   * Basic or over-long one, an unknown or revoked token — is counted against the address before it
   * is answered (and so before it is audited); once the address is blocked the answer is 429. A
   * failure to check the credential (database or Redis down) is not counted: it is not the client's.
   * A refused request does not keep its connection, so an anonymous slow upload ends with its 401.
   */
  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    try {
      return await deps.authenticate(bearer(request));
    } catch (err) {
      // an outage (the credential could not be looked up) is a 503, not a failed authentication
      if (unavailableDependency(err) || !isFailedAuthentication(err)) throw err;
      reply.header('connection', 'close');
      reply.header(
        'www-authenticate',
        err.code === 'unauthenticated'
          ? 'Bearer realm="gatekeeper"'
          : 'Bearer realm="gatekeeper", error="invalid_token"',
      );
      const limit = await deps.authFailures?.consume(request.ip);
      if (limit && !limit.allowed) {
        reply.header('retry-after', String(Math.ceil(limit.retryAfterMs / 1000)));
        throw new AppError('rate_limited', { detail: 'too many failed authentications from this address' });
      }
      throw err;
    }
  }

  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const principal = await authenticate(request, reply);
    request.principal = principal;
    const slug = (request.params as { tenant?: string }).tenant;
    if (slug !== undefined) {
      if (principal.tenantSlug !== null && principal.tenantSlug !== slug) {
        throw new AppError('forbidden', { detail: 'the credential is scoped to another tenant' });
      }
      // refuses a malformed slug (400) before any lookup
      const tenant = await deps.resolveTenant(slug);
      if (principal.tenantId !== null && tenant.status === 'suspended')
        throw new AppError('tenant_suspended');
      request.tenant = tenant;
    } else if (principal.tenantId !== null) {
      throw new AppError('forbidden', { detail: 'this endpoint needs a credential valid for all tenants' });
    }
    const ability = request.routeOptions.config.ability!;
    if (!hasAbility(principal.abilities, ability)) {
      throw new AppError('forbidden', { detail: `the credential lacks the ability ${ability}` });
    }
  });
}
