/**
 * The `Location` of a resource a POST created: the request's path plus the new resource's path
 * segments, each percent-encoded. It is built after the change committed, so it must not be able to
 * fail: `encodeURIComponent` throws on a lone surrogate, so segments are made well-formed first (the
 * input guards already refuse such strings; this keeps the promise even if one slipped through), and
 * the request path is taken as sent (ASCII on the wire).
 */
import type { FastifyRequest } from 'fastify';

export function locationOf(request: FastifyRequest, ...segments: string[]): string {
  const base = request.url.split('?')[0]!.replace(/\/+$/, '');
  return [base, ...segments.map((s) => encodeURIComponent(String(s).toWellFormed()))].join('/');
}
