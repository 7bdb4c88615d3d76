/**
 * What every request pays for, kept cheap (issue 6 §9): `/healthz` must do ≥ 0.9 of a bare Fastify
 * server, so the per-request work is only
 * - a request id (a valid incoming `X-Request-Id` is kept, else a random UUID), echoed on the answer;
 * - a per-request logger that is a pino child only once something logs through it — creating the
 *   child serializes (and redacts) its bindings, a third of the hook cost when every request did it;
 * - one structured JSON line per request when it completes (method, route pattern, status, duration,
 *   request id), written from Fastify's `LogController` straight onto the root logger's stream
 *   (logger.ts `requestLineWriter`), instead of Fastify's two lines carrying every header; the
 *   request-duration metrics are counted from the same call (http/metrics.ts);
 * - one root `onRequest` hook (app.ts) for the OIDC mount, the request id header and the target
 *   guard: each hook Fastify runs per request costs more than what these three do;
 * - no socket timer re-armed on every read and write: idle connections are swept instead
 *   (http/idle-connections.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type FastifyBaseLogger, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';
import { type RequestLine, requestLineWriter } from '../logger.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a well-formed incoming `X-Request-Id` (proxies set one), else a random UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
type Level = keyof typeof LEVELS;

/**
 * A request's logger: writes through a child of `parent` (with the request id bound), created on the
 * first line actually written at an enabled level. The level is the parent's at the moment of the call,
 * so `config set logLevel` reaches requests in flight.
 */
class LazyRequestLogger {
  readonly #parent: Logger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  /** A route's own level (`logLevel`), fixed; else the parent's, read at each call. */
  readonly #routeLevel: number | undefined;
  #child: Logger | undefined;

  constructor(parent: Logger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
    this.#routeLevel = options.level ? (LEVELS[options.level as Level] ?? 0) : undefined;
  }

  #logger(): Logger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  #write(level: Level, args: unknown[]): void {
    if (this.#child === undefined && (this.#routeLevel ?? this.#parent.levelVal) > LEVELS[level]) return;
    (this.#logger()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return this.#child?.level ?? this.#parent.level;
  }
  set level(level: string) {
    this.#logger().level = level;
  }
  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.#parent).isLevelEnabled(level);
  }
  bindings(): Bindings {
    return this.#child ? this.#child.bindings() : { ...this.#parent.bindings(), ...this.#bindings };
  }
  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.#logger().child(bindings, options);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  silent(): void {}
}

/** `Fastify({ childLoggerFactory })`: the per-request logger, a pino child only when used. */
export function lazyChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyRequestLogger(
    logger as unknown as Logger,
    bindings,
    options,
  ) as unknown as FastifyBaseLogger;
}

/**
 * `Fastify({ logController })`: one line per completed request, written by the root logger (no
 * per-request child). The route is the pattern (`/api/v1/tenants/:tenant/users`), never the raw URL:
 * no query secrets in the log and bounded cardinality for whoever aggregates it.
 */
export class RequestLineLogController extends LogController {
  readonly #logger: Logger;
  readonly #writeLine: (line: RequestLine) => boolean;
  #completed: ((request: FastifyRequest, reply: FastifyReply) => void) | undefined;

  constructor(logger: Logger) {
    super({ requestIdLogLabel: 'reqId' });
    this.#logger = logger;
    this.#writeLine = requestLineWriter(logger);
  }

  override incomingRequest(): void {}

  /**
   * What else runs for each completed request (the request-duration metrics): Fastify calls the log
   * controller for every request anyway, so this costs no `onResponse` hook of its own.
   */
  whenCompleted(fn: (request: FastifyRequest, reply: FastifyReply) => void): void {
    this.#completed = fn;
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    this.#completed?.(request, reply);
    const line = {
      reqId: request.id,
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    // the answer could not be written out (a stream error): an error line, through pino with the error
    if (error) this.#logger.error({ ...line, err: error }, 'request');
    // a route logging above info (`/authz`: a line per decision would cost more than the decision,
    // which is audited and counted instead) writes none
    else if (!request.routeOptions.logLevel || LEVELS[request.routeOptions.logLevel as Level] <= LEVELS.info)
      this.#writeLine(line);
  }
}
