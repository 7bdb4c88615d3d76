/**
 * Optimistic concurrency for updates (RFC 9110 §13.1.1): every mutable resource carries a `version`;
 * responses send it as a strong ETag, and an update with `If-Match` only applies when the version
 * still matches (otherwise 412 precondition_failed). The check happens in the store's guarded UPDATE,
 * never as read-then-compare.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';

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
