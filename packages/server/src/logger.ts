/**
 * Structured JSON logs (pino, Fastify's logger). Secrets are redacted by path before a line is
 * written: credentials in headers, and any field named like a password, token, secret or key.
 * Query strings are logged without the values of sensitive parameters.
 */
import { writeSync } from 'node:fs';
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.secret',
  '*.clientSecret',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.masterKeys',
  '*.databaseUrl',
  '*.redisUrl',
  '*.smtpUrl',
];

const SENSITIVE_QUERY =
  /^(token|code|password|secret|client_secret|access_token|refresh_token|id_token_hint|key)$/i;

/** Removes the values of sensitive query parameters from a URL for logging. */
export function redactUrlQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of [...params.keys()]) if (SENSITIVE_QUERY.test(name)) params.set(name, '[redacted]');
  return `${url.slice(0, q)}?${params.toString()}`;
}

/**
 * pino's ISO timestamp, formatted once per millisecond: under load many lines share one (a `Date`
 * and `toISOString` per line was a visible share of a request's cost).
 */
function isoTimeOncePerMs(): () => string {
  let at = 0;
  let stamp = '';
  return () => {
    const now = Date.now();
    if (now !== at) {
      at = now;
      stamp = `,"time":"${new Date(now).toISOString()}"`;
    }
    return stamp;
  };
}

/** What may wait for a stdout that does not take it (a reader that stopped) before lines are dropped. */
const MAX_PENDING_BYTES = 16 * 1024 * 1024;

/** How long a log line may wait to be written with the lines after it. */
const FLUSH_DELAY_MS = 25;
/** Written at once when this much is waiting. */
const FLUSH_BYTES = 64 * 1024;

/**
 * stdout for the logs, written in batches: the lines of FLUSH_DELAY_MS (or 64 KiB) go out in one
 * write(2) instead of one write per line — a write per request was a tenth of the request path's
 * cost, more where system calls are slow (virtual machines); sonic-boom's buffered mode cost as much
 * in string bookkeeping (issue 6 §9). What is left is written when the process exits (also after an
 * uncaught exception); only a SIGKILL can lose the last FLUSH_DELAY_MS of lines. A stdout that does not take the data (EAGAIN, partial writes) is retried every 10 ms;
 * beyond 16 MiB waiting, lines are dropped and counted rather than the server stall or grow.
 */
export function batchedStdout(fd = 1): DestinationStream & { flush(cb?: (err?: Error) => void): void } {
  let lines: string[] = [];
  let bytes = 0;
  let unwritten: Buffer | undefined;
  let dropped = 0;
  let scheduled = false;
  let broken = false;
  const retryLater = () => {
    scheduled = true;
    setTimeout(flush, 10).unref();
  };
  const flush = () => {
    scheduled = false;
    if (broken) return;
    if (dropped > 0 && !unwritten) {
      lines.push(
        `${JSON.stringify({ level: 40, time: new Date().toISOString(), msg: `${dropped} log lines dropped: stdout did not take them` })}\n`,
      );
      dropped = 0;
    }
    if (lines.length > 0) {
      const joined = Buffer.from(lines.join(''));
      unwritten = unwritten ? Buffer.concat([unwritten, joined]) : joined;
      lines = [];
      bytes = 0;
    }
    while (unwritten) {
      let n: number;
      try {
        n = writeSync(fd, unwritten);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return retryLater();
        broken = true; // EPIPE and the like: nobody reads the log any more
        unwritten = undefined;
        return;
      }
      unwritten = n < unwritten.length ? unwritten.subarray(n) : undefined;
      if (unwritten) return retryLater();
    }
  };
  process.once('exit', flush);
  return {
    write(line: string) {
      if (bytes + (unwritten?.length ?? 0) > MAX_PENDING_BYTES) {
        dropped++;
        return;
      }
      lines.push(line);
      bytes += line.length;
      if (bytes >= FLUSH_BYTES) setImmediate(flush);
      else if (!scheduled) {
        scheduled = true;
        setTimeout(flush, FLUSH_DELAY_MS).unref();
      }
    },
    flush(cb) {
      flush();
      cb?.();
    },
  };
}

/** Creates the process logger (on batched stdout unless a destination is given). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'gatekeeper' },
      timestamp: isoTimeOncePerMs(),
      serializers: {
        req: (req: {
          method: string;
          url: string;
          id: string;
          ip?: string;
          headers?: Record<string, unknown>;
        }) => ({
          id: req.id,
          method: req.method,
          url: redactUrlQuery(req.url),
          ip: req.ip,
          headers: req.headers,
        }),
        err: pino.stdSerializers.err,
      },
    },
    destination ?? batchedStdout(),
  );
}

export interface RequestLine {
  reqId: string;
  method: string;
  route: string;
  status: number;
  ms: number;
}

/**
 * Writes the one info line per completed request (http/request-path.ts) in pino's layout, on the
 * logger's own stream, with its timestamp and bindings: `{"level":30,"time":…,"service":…,"reqId":…,
 * "method":…,"route":…,"status":…,"ms":…,"msg":"request"}`. pino formats any object and redacts, a few
 * µs a line; this line has a fixed shape and no secret (no URL, no header), so it is put together
 * directly — the single largest saving on the request path (issue 6 §9). Returns false, writing
 * nothing, when the logger's level is above info.
 */
export function requestLineWriter(logger: Logger): (line: RequestLine) => boolean {
  const { streamSym, timeSym, chindingsSym } = pino.symbols;
  const l = logger as unknown as Record<symbol, unknown> & Logger;
  const routes = new Map<string, string>();
  return ({ reqId, method, route, status, ms }) => {
    if (logger.levelVal > 30) return false;
    let quotedRoute = routes.get(route);
    if (quotedRoute === undefined) {
      quotedRoute = JSON.stringify(route);
      if (routes.size < 10_000) routes.set(route, quotedRoute);
    }
    const time = (l[timeSym] as () => string)();
    (l[streamSym] as DestinationStream).write(
      `{"level":30${time}${l[chindingsSym] as string},"reqId":${JSON.stringify(reqId)},"method":${JSON.stringify(method)},"route":${quotedRoute},"status":${status},"ms":${ms},"msg":"request"}\n`,
    );
    return true;
  };
}
