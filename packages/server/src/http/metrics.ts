/**
 * Prometheus metrics: request duration by route and status, process metrics, and gauges the
 * composition root registers (DB pool, audit queue depth). One registry per app — never the global
 * one — so several apps in one process (tests) do not collide.
 */
import { createServer } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type OperatorAccessDeps, operatorAccessHook } from './operator-access.ts';

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

/**
 * Times every request and serves `GET /metrics`. The histogram's child for each method × route ×
 * status is looked up once and kept, so a request costs one bucket increment — not prom-client's
 * label hashing (issue 6 §9).
 */
export interface MetricsServing {
  /** Who may read `/metrics` on the main port. */
  access: OperatorAccessDeps;
  /** Serve `/metrics` on this `host:port` instead of the main port ('' : the main port). */
  listen: string;
}

export function registerMetrics(app: FastifyInstance, metrics: Metrics, serve: MetricsServing): void {
  const histogram = new Histogram({
    name: 'gatekeeper_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics.registry],
  });
  type Timer = { observe(seconds: number): void };
  // route pattern → method → status → child; bounded by the routes × methods × statuses in use
  const children = new Map<string, Map<string, Map<number, Timer>>>();
  const timerOf = (method: string, route: string, status: number): Timer => {
    let byMethod = children.get(route);
    if (!byMethod) {
      byMethod = new Map();
      children.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (!byStatus) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let timer = byStatus.get(status);
    if (!timer) {
      timer = histogram.labels(method, route, String(status));
      byStatus.set(status, timer);
    }
    return timer;
  };
  app.addHook('onResponse', (request, reply, done) => {
    // the route pattern, never the raw URL: bounded label cardinality
    timerOf(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode).observe(
      reply.elapsedTime / 1000,
    );
    done();
  });
  if (serve.listen) {
    serveMetricsApart(app, metrics, serve.listen);
    return;
  }
  app.get(
    '/metrics',
    { schema: { hide: true }, onRequest: operatorAccessHook(serve.access) },
    async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
}

/**
 * `/metrics` on its own address (`metricsListen`), opened with the app (a taken port fails start-up
 * like the main port does) and closed with it. Only `GET /metrics` answers there.
 */
function serveMetricsApart(app: FastifyInstance, metrics: Metrics, address: string): void {
  const cut = address.lastIndexOf(':');
  const host = address.slice(0, cut).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(cut + 1));
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  app.addHook('onReady', async () => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new Error(`metricsListen ${address}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)),
      );
      server.listen(port, host, () => resolve());
    });
    app.log.info({ address: server.address() }, 'metrics listening');
  });
  app.addHook('onClose', async () => {
    if (server.listening) await new Promise((r) => server.close(r));
  });
}
