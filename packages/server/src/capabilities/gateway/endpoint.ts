/**
 * The `/authz` endpoint: `<issuer>/authz` (`/t/<slug>/authz`) decides for that tenant and `/authz`
 * for the root tenant; `…/authz/<original path>` is the Envoy form (its `path_prefix`). Every method
 * is accepted (Envoy sends the original one; gRPC and WebSocket upgrades are requests like others).
 *
 * Registered in its own encapsulated context, and it answers in its route's `onRequest` hook: nothing
 * after that hook runs for /authz — no content-type parsing (no 415), no body limit or JSON errors, no
 * schema validation or input guards (no 400) — and its error handler maps anything unexpected to a
 * 403 `internal_error`, so a client's mistake can never become a status nginx turns into a 500. Only
 * the request hooks it needs: the decision. Request logging is at `warn` (a line per decision would
 * cost more than the decision); decisions are audited and counted instead.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ROOT_TENANT } from '../tenants/service.ts';
import { ADAPTERS } from './adapters/index.ts';
import type { AuthzInput } from './decision.ts';
import type { Decider } from './pipeline.ts';

const MAX_FORWARDED_BODY = 1_048_576;
const AUTHZ_PATH = /^(?:\/t\/([a-z0-9][a-z0-9-]{0,62}))?\/authz(\/[^?]*)?(\?.*)?$/;

/** True for a URL this endpoint owns (for the framework-error handler in app.ts). */
export function isAuthzUrl(url: string | undefined): boolean {
  return typeof url === 'string' && /^(?:\/t\/[^/]+)?\/authz(?:[/?]|$)/.test(url);
}

/** The tenant slug and Envoy target of a raw /authz URL. */
function locate(rawUrl: string): { slug: string; envoyTarget: string | null } | null {
  const m = AUTHZ_PATH.exec(rawUrl);
  if (!m) return null;
  const slug = m[1] ?? ROOT_TENANT;
  if (m[2] === undefined || m[2] === '') return { slug, envoyTarget: null };
  return { slug, envoyTarget: `${m[2]}${m[3] ?? ''}` };
}

async function forwardedBody(request: FastifyRequest): Promise<Buffer | undefined> {
  const length = Number(request.headers['content-length'] ?? 0);
  if (!(length > 0) || length > MAX_FORWARDED_BODY) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORWARDED_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export const authzPlugin: FastifyPluginAsync<{ decider: Decider }> = async (app, { decider }) => {
  app.setErrorHandler((err, request, reply) => {
    request.log.error({ err }, '/authz failed');
    return reply
      .code(403)
      .header('x-authz-reason', 'internal_error')
      .header('cache-control', 'no-store')
      .send('');
  });

  async function answer(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const where = locate(request.raw.url ?? '');
    const input: AuthzInput = {
      tenantSlug: where?.slug ?? '',
      peer: request.raw.socket?.remoteAddress ?? '',
      method: request.raw.method ?? 'GET',
      headers: request.headers,
      rawHeaders: request.raw.rawHeaders,
      envoyTarget: where?.envoyTarget ?? null,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : await forwardedBody(request),
    };
    const decision = await decider.decide(input);
    const adapter = ADAPTERS.find((a) => a.name === decision.adapter);
    const { status, headers } = adapter
      ? adapter.respond(decision)
      : { status: decision.status, headers: decision.headers };
    reply.code(status).headers(headers);
    return reply.send(decision.allow ? '' : `${decision.reason}\n`);
  }

  const route = {
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    logLevel: 'warn' as const,
    schema: { hide: true },
    onRequest: answer,
    handler: answer,
  };
  for (const url of ['/authz', '/authz/*', '/t/:slug/authz', '/t/:slug/authz/*'])
    app.route({ ...route, url });
};
