/**
 * Structured JSON logs (pino, Fastify's logger). Secrets are redacted by path before a line is
 * written: credentials in headers, and any field named like a password, token, secret or key.
 * Query strings are logged without the values of sensitive parameters.
 */
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

/** Creates the process logger. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'gatekeeper' },
      timestamp: pino.stdTimeFunctions.isoTime,
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
    destination,
  );
}
