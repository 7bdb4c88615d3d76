/**
 * Prometheus metrics: request duration by route and status, process metrics, and gauges the
 * composition root registers (DB pool, audit queue depth). One registry per app — never the global
 * one — so several apps in one process (tests) do not collide.
 */
import { createServer } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
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
 * Times every request and serves `GET /metrics`. Durations are counted by `RequestDurations` below,
 * fed by the composition root from the one place every completed request already passes (the log
 * controller, http/request-path.ts) — no `onResponse` hook per request.
 */
export interface MetricsServing {
  /** Who may read `/metrics` on the main port. */
  access: OperatorAccessDeps;
  /** Serve `/metrics` on this `host:port` instead of the main port ('' : the main port). */
  listen: string;
}

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** One method × route × status series of the request-duration histogram. */
interface Series {
  readonly labels: { method: string; route: string; status_code: string };
  /** per bucket (not cumulative); the last slot counts what is above every bound */
  readonly counts: number[];
  sum: number;
  count: number;
}

/**
 * `gatekeeper_http_request_duration_seconds`, a Prometheus histogram by method, route pattern and
 * status. prom-client's `Histogram#observe` hashes the labels, validates them and allocates a closure
 * on every call — a visible share of `/healthz` (issue 6 §9); here a request costs a lookup in
 * nested maps of the series in use (bounded by routes × methods × statuses) and a bucket increment.
 * It is registered on the app's registry as a metric prom-client formats like its own histograms.
 */
export class RequestDurations {
  readonly name = 'gatekeeper_http_request_duration_seconds';
  readonly help = 'HTTP request duration by method, route and status code';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  // route pattern → method → status → series
  #series = new Map<string, Map<string, Map<number, Series>>>();

  observe(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.#series.get(route);
    if (!byMethod) {
      byMethod = new Map();
      this.#series.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (!byStatus) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let series = byStatus.get(status);
    if (!series) {
      series = {
        labels: { method, route, status_code: String(status) },
        counts: new Array(DURATION_BUCKETS.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      byStatus.set(status, series);
    }
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
    series.counts[i]!++;
    series.sum += seconds;
    series.count++;
  }

  /** prom-client's metric interface: the values as its histograms give them. */
  get(): {
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: { value: number; labels: Record<string, string | number>; metricName: string }[];
  } {
    const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    for (const byMethod of this.#series.values())
      for (const byStatus of byMethod.values())
        for (const s of byStatus.values()) {
          let cumulative = 0;
          DURATION_BUCKETS.forEach((le, i) => {
            cumulative += s.counts[i]!;
            values.push({
              value: cumulative,
              labels: { ...s.labels, le },
              metricName: `${this.name}_bucket`,
            });
          });
          values.push({
            value: s.count,
            labels: { ...s.labels, le: '+Inf' },
            metricName: `${this.name}_bucket`,
          });
          values.push({ value: s.sum, labels: s.labels, metricName: `${this.name}_sum` });
          values.push({ value: s.count, labels: s.labels, metricName: `${this.name}_count` });
        }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.#series = new Map();
  }
}

/**
 * Registers the request-duration histogram and `GET /metrics`; returns what to call for each
 * completed request (the composition root passes it to the log controller).
 */
export function registerMetrics(
  app: FastifyInstance,
  metrics: Metrics,
  serve: MetricsServing,
): (request: FastifyRequest, reply: FastifyReply) => void {
  const durations = new RequestDurations();
  metrics.registry.registerMetric(durations as never);
  const completed = (request: FastifyRequest, reply: FastifyReply) =>
    // the route pattern, never the raw URL: bounded label cardinality
    durations.observe(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  if (serve.listen) serveMetricsApart(app, metrics, serve.listen);
  else
    app.get(
      '/metrics',
      { schema: { hide: true }, onRequest: operatorAccessHook(serve.access) },
      async (_request, reply) => {
        reply.type(metrics.registry.contentType);
        return metrics.registry.metrics();
      },
    );
  return completed;
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
