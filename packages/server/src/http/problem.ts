/**
 * Maps every error to an RFC 9457 problem+json response exactly once, with a stable `code`.
 * Client mistakes keep their specific code; a dependency outage (PostgreSQL restarting, Redis down,
 * a full disk: `errors/dependency.ts`) is `service_unavailable` 503 with `Retry-After`, logged as a
 * warning without a stack; anything else unexpected becomes `internal_error` with the request id,
 * logged with its stack, and never shows internals to the client.
 */
import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { type ErrorCode, errorDefinition } from '../errors/codes.ts';
import { RETRY_AFTER_SECONDS, unavailableDependency } from '../errors/dependency.ts';
import { detailOf } from '../text/field-errors.ts';
import { fieldErrorsOf } from './validation-messages.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

/** Builds the problem document for an error code. */
export function problemOf(code: ErrorCode, extra: Partial<Problem> = {}): Problem {
  const def = errorDefinition(code);
  return { type: `urn:gatekeeper:error:${code}`, title: def.title, status: def.status, code, ...extra };
}

const fastifyCodeMap: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_TYPE: 'validation_failed',
};

/** The 503 problem of a dependency outage, or undefined when `err` is not one. */
export function outageProblem(err: unknown): Problem | undefined {
  const dependency = unavailableDependency(err);
  if (!dependency) return undefined;
  const what =
    dependency === 'disk' ? 'the disk holding the database is full' : `the ${dependency} is unavailable`;
  return problemOf('service_unavailable', {
    detail: `${what}; nothing was changed, retry shortly`,
    dependency,
    retryAfterSeconds: RETRY_AFTER_SECONDS[dependency],
  });
}

/** The problem document for any error (the mapping `registerProblemHandlers` applies). */
export function classify(err: FastifyError): Problem {
  if (err instanceof AppError) {
    return problemOf(err.code, { ...(err.detail ? { detail: err.detail } : {}), ...err.extensions });
  }
  if (err.validation) {
    const errors = fieldErrorsOf(err.validation as ErrorObject[], err.validationContext ?? 'body');
    return problemOf('validation_failed', {
      detail: detailOf(errors),
      errors: errors.map(({ path, message }) => ({ path, message })),
    });
  }
  const mapped = err.code ? fastifyCodeMap[err.code] : undefined;
  if (mapped) return problemOf(mapped);
  if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/i.test(err.message)))
    return problemOf('invalid_json');
  const outage = outageProblem(err);
  if (outage) return outage;
  const status = err.statusCode ?? 500;
  if (status === 429) return problemOf('rate_limited');
  if (status === 404) return problemOf('not_found');
  if (status >= 400 && status < 500) return { ...problemOf('validation_failed'), status };
  return problemOf('internal_error');
}

/** Sends a problem document. */
export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: Problem): FastifyReply {
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({ ...problem, instance: request.url.split('?')[0], requestId: String(request.id) });
}

/** Installs the error and not-found handlers. */
export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const problem = classify(err);
    if (problem.code === 'service_unavailable') {
      reply.header('retry-after', String(problem.retryAfterSeconds ?? 1));
      request.log.warn(
        { code: problem.code, dependency: problem.dependency, reason: String(err.message).slice(0, 200) },
        'request failed: dependency unavailable',
      );
    } else if (problem.status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, 'request refused');
    return sendProblem(reply, request, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      request,
      problemOf('route_not_found', { detail: `${request.method} ${request.url.split('?')[0]}` }),
    ),
  );
}
