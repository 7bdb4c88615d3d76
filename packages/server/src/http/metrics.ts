/**
 * Prometheus metrics: request duration by route and status, process metrics, and gauges the
 * composition root registers (DB pool, audit queue depth). One registry per app — never the global
 * one — so several apps in one process (tests) do not collide.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { createServer } from './node-http.ts';
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

type Labels = Readonly<Record<string, string>>;
interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName: string;
}
/** What prom-client's registry reads from a metric (`registerMetric`), as its own metrics give it. */
interface MetricSnapshot {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: MetricValue[];
}

/** One labelled series of a `HotHistogram`: bucket counts, sum and count. */
export class HistogramSeries {
  readonly labels: Labels;
  readonly #bounds: readonly number[];
  /** per bucket (not cumulative); the last slot counts what is above every bound */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(labels: Labels, bounds: readonly number[]) {
    this.labels = labels;
    this.#bounds = bounds;
    this.counts = new Array(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/**
 * A Prometheus histogram for hot paths. prom-client's `Histogram#observe` hashes and validates the
 * labels and allocates on every call — even on a bound child — a visible share of a request that
 * costs tens of microseconds (issue 6 §9, issue 11); here the caller holds its series and an
 * observation is a bucket increment. Registered on the registry as a metric prom-client formats like
 * its own histograms.
 */
export class HotHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #bounds: readonly number[];
  #series: HistogramSeries[] = [];

  constructor(options: { name: string; help: string; buckets: readonly number[]; registry: Registry }) {
    this.name = options.name;
    this.help = options.help;
    this.#bounds = options.buckets;
    options.registry.registerMetric(this as never);
  }

  /** A new series with these labels (the caller keeps it; one per label set). */
  series(labels: Labels): HistogramSeries {
    const series = new HistogramSeries(labels, this.#bounds);
    this.#series.push(series);
    return series;
  }

  get(): MetricSnapshot {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.#series) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ value: cumulative, labels: { ...s.labels, le }, metricName: bucket });
      });
      values.push({ value: s.count, labels: { ...s.labels, le: '+Inf' }, metricName: bucket });
      values.push({ value: s.sum, labels: s.labels, metricName: `${this.name}_sum` });
      values.push({ value: s.count, labels: s.labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const s of this.#series) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}

/** One labelled series of a `HotCounter`. */
export class CounterSeries {
  readonly labels: Labels;
  value = 0;
  constructor(labels: Labels) {
    this.labels = labels;
  }
  inc(): void {
    this.value++;
  }
}

/** A Prometheus counter for hot paths (see `HotHistogram`): the caller holds its series. */
export class HotCounter {
  readonly name: string;
  readonly help: string;
  readonly type = 'counter';
  readonly aggregator = 'sum';
  #series: CounterSeries[] = [];

  constructor(options: { name: string; help: string; registry: Registry }) {
    this.name = options.name;
    this.help = options.help;
    options.registry.registerMetric(this as never);
  }

  series(labels: Labels): CounterSeries {
    const series = new CounterSeries(labels);
    this.#series.push(series);
    return series;
  }

  get(): MetricSnapshot {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.#series.map((s) => ({ value: s.value, labels: s.labels, metricName: this.name })),
    };
  }

  reset(): void {
    for (const s of this.#series) s.value = 0;
  }
}

/**
 * `gatekeeper_http_request_duration_seconds` by method, route pattern and status: a request costs a
 * lookup in nested maps of the series in use (bounded by routes × methods × statuses) and a bucket
 * increment.
 */
class RequestDurations {
  readonly #histogram: HotHistogram;
  // route pattern → method → status → series
  readonly #series = new Map<string, Map<string, Map<number, HistogramSeries>>>();

  constructor(registry: Registry) {
    this.#histogram = new HotHistogram({
      name: 'gatekeeper_http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status code',
      buckets: DURATION_BUCKETS,
      registry,
    });
  }

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
      series = this.#histogram.series({ method, route, status_code: String(status) });
      byStatus.set(status, series);
    }
    series.observe(seconds);
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
  const durations = new RequestDurations(metrics.registry);
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
