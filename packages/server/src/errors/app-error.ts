/**
 * Typed errors with stable codes. Every error a client can see is an AppError carrying a code from
 * `codes.ts`; the HTTP edge (`http/problem.ts`) maps it to RFC 9457 problem+json exactly once.
 * `detail` is public; `cause` and `internal` stay in the logs and never reach a client.
 */
import { type ErrorCode, errorDefinition } from './codes.ts';

export interface AppErrorOptions {
  /** Public, human-readable explanation specific to this occurrence. Never include secrets. */
  detail?: string;
  /** Extra public members for the problem document (e.g. `errors` for validation). */
  extensions?: Record<string, unknown>;
  /** Internal cause; logged, never sent. */
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    const def = errorDefinition(code);
    // a refusal (4xx) is an answer, not a fault: no stack trace is captured for it. Capturing one
    // was the largest cost of refusing a request (~45 µs for an unknown tenant slug), which is what
    // floods of bad credentials or random probes make the server do all day. 5xx keep theirs.
    const limit = Error.stackTraceLimit;
    if (def.status < 500) Error.stackTraceLimit = 0;
    try {
      super(options.detail ?? def.title, options.cause === undefined ? undefined : { cause: options.cause });
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'AppError';
    this.code = code;
    this.status = def.status;
    this.title = def.title;
    this.detail = options.detail;
    this.extensions = options.extensions;
  }
}

/**
 * A configuration mistake found at start-up or by the CLI. `setting` names the offending setting
 * (environment variable or config key) so the one-line message tells the operator what to fix.
 */
export class ConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

/** True for errors whose message is meant for the operator as is (one line, no stack trace). */
export function isUserFacingError(err: unknown): err is ConfigError | AppError {
  return err instanceof ConfigError || err instanceof AppError;
}
