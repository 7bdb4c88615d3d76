/**
 * Prometheus metrics: request duration by route and status, process metrics, and gauges the
 * composition root registers (DB pool, audit queue depth). One registry per app — never the global
 * one — so several apps in one process (tests) do not collide.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  /** Registers a gauge whose value is read at scrape time. */
  gauge(
    name: string,
    help: string,
    read: () => number | Record<string, number> | Promise<number>,
    label?: string,
  ): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gatekeeper_' });
  return {
    registry,
    gauge(name, help, read, label) {
      new Gauge({
        name,
        help,
        registers: [registry],
        labelNames: label ? [label] : [],
        async collect() {
          const v = await read();
          if (typeof v === 'number') this.set(v);
          else for (const [k, n] of Object.entries(v)) this.set({ [label ?? 'kind']: k }, n);
        },
      });
    },
  };
}

/** Times every request and serves `GET /metrics`. */
export function registerMetrics(app: FastifyInstance, metrics: Metrics, serve: boolean): void {
  const histogram = new Histogram({
    name: 'gatekeeper_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics.registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // the route pattern, never the raw URL: bounded label cardinality
    const route = request.routeOptions.url ?? 'unmatched';
    histogram.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  if (!serve) return;
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
