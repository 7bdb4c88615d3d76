/**
 * Liveness and readiness. `/healthz` answers while the process runs; `/readyz` answers 200 only when
 * the database answers, Redis answers (when configured) and every migration is applied — the signal
 * a load balancer or orchestrator uses before sending traffic.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const CheckResult = Type.Object({
  name: Type.String(),
  ok: Type.Boolean(),
  error: Type.Optional(Type.String()),
});

export function registerHealth(app: FastifyInstance, checks: readonly ReadinessCheck[]): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: database, shared state and migrations are ready',
        response: {
          200: Type.Object({ status: Type.Literal('ready'), checks: Type.Array(CheckResult) }),
          503: Type.Object({ status: Type.Literal('unavailable'), checks: Type.Array(CheckResult) }),
        },
      },
    },
    async (request, reply) => {
      const results = await Promise.all(
        checks.map(async (c) => {
          try {
            await c.check();
            return { name: c.name, ok: true };
          } catch (err) {
            request.log.warn({ check: c.name, err }, 'readiness check failed');
            return {
              name: c.name,
              ok: false,
              error: err instanceof Error ? err.message.slice(0, 200) : 'failed',
            };
          }
        }),
      );
      const ok = results.every((r) => r.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', checks: results });
    },
  );
}
