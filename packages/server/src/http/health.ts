/**
 * Liveness, readiness and the state of each dependency (docs/deployment.md, "Outages").
 * - `/healthz` answers 200 while the process runs — it never asks a dependency, so an orchestrator
 *   does not restart an instance for an outage a restart cannot fix.
 * - `/readyz` answers 200 when THIS instance can serve: every `required` check passes (the database
 *   answers and, after a write failed for lack of database or disk, commits a probe row again; every
 *   migration is applied). Checks that are not required (Redis: rate limits fall back to in-process
 *   counters and invalidations to the change-feed poll) are reported but never make the fleet unready.
 * - `/healthz?full` runs every check and answers 200 with `status: degraded` when any fails: what
 *   to alert on without taking the instance out of rotation.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';

export interface ReadinessCheck {
  name: string;
  /** Whether a failure makes this instance unready (default true). */
  required?: boolean;
  /** Resolves when healthy (with a short note when it resolves to a string); throws (with the reason) otherwise. */
  check(): Promise<unknown>;
}

const CheckResult = Type.Object({
  name: Type.String(),
  ok: Type.Boolean(),
  required: Type.Boolean(),
  detail: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
});

type Result = { name: string; ok: boolean; required: boolean; detail?: string; error?: string };

/** How long one check may take before it counts as failed (a paused Redis never answers). */
const CHECK_TIMEOUT_MS = 1000;

async function run(check: ReadinessCheck): Promise<Result> {
  const required = check.required ?? true;
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      check.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { name: check.name, ok: true, required, ...(typeof detail === 'string' ? { detail } : {}) };
  } catch (err) {
    return {
      name: check.name,
      ok: false,
      required,
      error: err instanceof Error ? err.message.slice(0, 200) : 'failed',
    };
  } finally {
    clearTimeout(timer);
  }
}

// The health answers are small objects of this file's own making: JSON.stringify writes them, and the
// response schemas stay for the API reference. Compiling a serializer for them on first use was most
// of the first /readyz's time (≈10 ms of 15) — the answer a supervisor waits for at start.
const stringify = () => (data: unknown) => JSON.stringify(data);

export function registerHealth(app: FastifyInstance, checks: readonly ReadinessCheck[]): void {
  app.get(
    '/healthz',
    {
      serializerCompiler: stringify,
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up (`?full`: and the state of every dependency)',
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
            checks: Type.Optional(Type.Array(CheckResult)),
          }),
        },
      },
    },
    async (request) => {
      if ((request.query as Record<string, unknown>).full === undefined) return { status: 'ok' as const };
      const results = await Promise.all(checks.map(run));
      return {
        status: results.every((r) => r.ok) ? ('ok' as const) : ('degraded' as const),
        checks: results,
      };
    },
  );

  app.get(
    '/readyz',
    {
      serializerCompiler: stringify,
      schema: {
        tags: ['health'],
        summary: 'Readiness: this instance can serve (database writable, migrations applied)',
        response: {
          200: Type.Object({ status: Type.Literal('ready'), checks: Type.Array(CheckResult) }),
          503: Type.Object({ status: Type.Literal('unavailable'), checks: Type.Array(CheckResult) }),
        },
      },
    },
    async (request, reply) => {
      const results = await Promise.all(checks.map(run));
      for (const r of results)
        if (!r.ok)
          request.log.warn({ check: r.name, required: r.required, error: r.error }, 'health check failed');
      const ok = results.every((r) => r.ok || !r.required);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', checks: results });
    },
  );
}
