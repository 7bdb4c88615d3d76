/**
 * Service enrollment (the seeds' cluster bootstrap): an operator issues a one-time enrollment token
 * (`gatekeeper clients enroll-token`, a credential of kind `enr`: stored as a digest, expiring); a
 * new service exchanges it exactly once at `POST /t/<slug>/enroll` (Authorization: Bearer) for its
 * own confidential client and secret. The consume is one guarded statement, in the same unit of work
 * as the client's creation (a failed creation leaves the token unused); a second exchange is refused
 * with 401 and audited.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import type { ClientsService } from '../clients/service.ts';
import type { CredentialsService } from '../credentials/service.ts';
import type { TenantsService } from '../tenants/service.ts';

const MAX_TTL_SECONDS = 30 * 86_400;

export interface EnrollmentService {
  issue(
    tenantId: string,
    input: { name: string; ttlSeconds?: number; scopes?: string[] },
    ctx: ActionContext,
  ): Promise<{ token: string; expiresAt: string | null }>;
  exchange(
    tenantId: string,
    token: string,
    ctx: ActionContext,
  ): Promise<{ client_id: string; client_secret: string; id: string }>;
}

export function createEnrollmentService(deps: {
  database: Database;
  credentials: CredentialsService;
  clients: ClientsService;
}): EnrollmentService {
  const { database, credentials, clients } = deps;
  return {
    async issue(tenantId, input, ctx) {
      const ttl = input.ttlSeconds ?? 3600;
      if (!Number.isSafeInteger(ttl) || ttl < 60 || ttl > MAX_TTL_SECONDS)
        throw new AppError('validation_failed', {
          detail: `ttl: 60 seconds to ${MAX_TTL_SECONDS / 86_400} days`,
        });
      const name = input.name.normalize('NFC').trim();
      if (name.length === 0 || name.length > 128)
        throw new AppError('validation_failed', { detail: 'name: 1 to 128 characters' });
      const issued = await credentials.issue(
        {
          kind: 'enr',
          tenantId,
          ownerType: 'system',
          ownerId: null,
          name,
          abilities: input.scopes ?? [],
          expiresAt: Date.now() + ttl * 1000,
        },
        ctx,
      );
      return { token: issued.secret, expiresAt: issued.credential.expiresAt };
    },
    exchange: (tenantId, token, ctx) =>
      database.write(async () => {
        const row = await credentials.consume(token, 'enr', ctx);
        if (row.tenant_id !== tenantId)
          throw new AppError('invalid_token', { detail: 'the link is invalid, expired or already used' });
        const scopes = JSON.parse(row.abilities) as string[];
        const { client, clientSecret } = await clients.create(
          tenantId,
          { name: row.name, grantTypes: ['client_credentials'] as never, scopes },
          { actor: `token:${row.id}`, requestId: ctx.requestId ?? null },
        );
        return { client_id: client.clientId, client_secret: clientSecret!, id: client.id };
      }),
  };
}

/** `POST /t/:slug/enroll` with `Authorization: Bearer <enrollment token>`. */
export function registerEnrollmentRoute(
  app: FastifyInstance,
  deps: { enrollment: EnrollmentService; tenants: TenantsService; bus: EventBus },
): void {
  app.post('/enroll', { schema: { hide: true } }, async (request, reply) => {
    const { slug } = request.params as { slug: string };
    const tenant = await deps.tenants.resolve(slug);
    if (tenant.status !== 'active') throw new AppError('forbidden', { detail: 'this tenant is suspended' });
    const m = /^Bearer ([A-Za-z0-9_-]{1,256})$/.exec(request.headers.authorization ?? '');
    try {
      if (!m)
        throw new AppError('invalid_token', {
          detail: 'Authorization: Bearer <enrollment token> is required',
        });
      const created = await deps.enrollment.exchange(tenant.id, m[1]!, {
        actor: 'anonymous',
        requestId: request.id,
      });
      return reply.code(201).header('cache-control', 'no-store').send(created);
    } catch (err) {
      if (err instanceof AppError && err.code === 'invalid_token')
        deps.bus.emit({
          type: 'oidc.enrollment_refused',
          tenant: slug,
          actor: `ip:${request.ip}`,
          target: null,
          result: 'denied',
          requestId: request.id,
          data: { reason: err.detail ?? 'invalid_token' },
        });
      throw err;
    }
  });
}
