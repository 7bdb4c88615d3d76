/**
 * Optimistic concurrency for updates (RFC 9110 §13.1.1): every mutable resource carries a `version`;
 * responses send it as a strong ETag, and an update with `If-Match` only applies when the version
 * still matches (otherwise 412 precondition_failed). The check happens in the store's guarded UPDATE,
 * never as read-then-compare.
 *
 * `If-Match` is evaluated on every admin write, before its handler runs (`registerConditionalRequests`):
 * longer than {@link IF_MATCH_MAX} characters is 400, non-ASCII is 400 invalid_characters, and on a
 * route whose resource has no ETag (a link, a token, the settings; routes that do have one declare
 * `config.etag`) no entity tag can match, so anything but `*` is 412.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';

/** The longest If-Match accepted (documented in the OpenAPI document). */
export const IF_MATCH_MAX = 32;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's resource has a version: its handler evaluates If-Match with `expectedVersion`. */
    etag?: boolean;
  }
}

export function etagOf(version: number): string {
  return `"${version}"`;
}

/** Sets the ETag header of a versioned resource. */
export function sendEtag(reply: FastifyReply, version: number): void {
  reply.header('etag', etagOf(version));
}

/**
 * The version required by the request's If-Match header: undefined when absent or `*`.
 * Several ETags, weak ETags or garbage never match a version, so they fail with 412.
 */
export function expectedVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^\s*"(\d{1,15})"\s*$/.exec(header);
  if (!m) throw new AppError('precondition_failed', { detail: 'If-Match does not name a current ETag' });
  return Number(m[1]);
}

/** Evaluates If-Match on every unsafe request of the context, before its handler (see the header). */
export function registerConditionalRequests(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const header = request.headers['if-match'];
    if (header === undefined || request.method === 'GET' || request.method === 'HEAD') return;
    if (header.length > IF_MATCH_MAX) {
      throw new AppError('validation_failed', {
        detail: `if-match: must be at most ${IF_MATCH_MAX} characters`,
      });
    }
    if (!/^[\x20-\x7e]*$/.test(header)) {
      throw new AppError('invalid_characters', { detail: 'if-match: must be printable ASCII' });
    }
    if (!request.routeOptions.config.etag && header.trim() !== '*') {
      throw new AppError('precondition_failed', {
        detail: 'this resource has no ETag, so only If-Match: * can match',
      });
    }
  });
}
