/**
 * The `/authz` endpoint: `<issuer>/authz` (`/t/<slug>/authz`) decides for that tenant and `/authz`
 * for the root tenant; `…/authz/<original path>` is the Envoy form (its `path_prefix`). Every method
 * is accepted (Envoy sends the original one; gRPC and WebSocket upgrades are requests like others).
 *
 * One handler on Node's own request and response (`createAuthzHandler`), reached two ways:
 * - on a listening server, before Fastify (app.ts hands it to the HTTP server's request listener,
 *   which passes every other URL on to Fastify): a decision pays for no routing, request and reply
 *   objects, hooks, serializers or request-line logging — that framework work cost as much as the
 *   decision itself (issue 11's decisions/s target);
 * - through Fastify routes that hand their raw request over (`authzPlugin`), which is what
 *   `app.inject()` reaches, and any URL shape the pre-dispatch test does not claim.
 * Either way nothing else runs for /authz — no content-type parsing (no 415), no body limit or JSON
 * errors, no schema validation or input guards (no 400) — and anything unexpected is a 403
 * `internal_error`, so a client's mistake can never become a status nginx turns into a 500. Decisions
 * are audited and counted (pipeline.ts) instead of logged a line each.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { requestIdOf } from '../../http/request-path.ts';
import { ROOT_TENANT } from '../tenants/service.ts';
import { ADAPTERS } from './adapters/index.ts';
import type { AuthzInput } from './decision.ts';
import type { Decider } from './pipeline.ts';

const MAX_FORWARDED_BODY = 1_048_576;
const AUTHZ_PATH = /^(?:\/t\/([a-z0-9][a-z0-9-]{0,62}))?\/authz(\/[^?]*)?(\?.*)?$/;
/** A path with a percent-escape that does not decode (bad hex, invalid UTF-8): the router refuses it too. */
function undecodable(path: string): boolean {
  if (!path.includes('%')) return false;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

/** True for a URL this endpoint owns (the pre-dispatch test, and the framework-error handler). */
export function isAuthzUrl(url: string | undefined): boolean {
  return typeof url === 'string' && /^(?:\/t\/[^/?]+)?\/authz(?:[/?]|$)/.test(url);
}

/** The tenant slug and Envoy target of a raw /authz URL. */
function locate(rawUrl: string): { slug: string; envoyTarget: string | null } | null {
  const m = AUTHZ_PATH.exec(rawUrl);
  if (!m) return null;
  const slug = m[1] ?? ROOT_TENANT;
  if (m[2] === undefined || m[2] === '') return { slug, envoyTarget: null };
  return { slug, envoyTarget: `${m[2]}${m[3] ?? ''}` };
}

async function forwardedBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const length = Number(req.headers['content-length'] ?? 0);
  if (!(length > 0) || length > MAX_FORWARDED_BODY) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORWARDED_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface AuthzHandlerDeps {
  decider: Decider;
  /** Called with anything unexpected (the answer is then a 403 `internal_error`). */
  onError(err: unknown): void;
  /** True once the server is shutting down: answers then close their connection. */
  closing(): boolean;
}

export type AuthzHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Answers one /authz request on Node's request and response. */
export function createAuthzHandler({ decider, onError, closing }: AuthzHandlerDeps): AuthzHandler {
  function refuse(res: ServerResponse, reason: string): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = `${reason}\n`;
    res.writeHead(403, {
      'x-authz-reason': reason,
      'cache-control': 'no-store',
      'content-length': String(body.length),
    });
    res.end(body);
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    if (undecodable(query === -1 ? url : url.slice(0, query))) return refuse(res, 'malformed_target');
    const where = locate(url);
    const method = req.method ?? 'GET';
    const input: AuthzInput = {
      tenantSlug: where?.slug ?? '',
      peer: req.socket?.remoteAddress ?? '',
      method,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      envoyTarget: where?.envoyTarget ?? null,
      body: method === 'GET' || method === 'HEAD' ? undefined : await forwardedBody(req),
    };
    const decision = await decider.decide(input);
    const adapter = ADAPTERS.find((a) => a.name === decision.adapter);
    const { status, headers } = adapter
      ? adapter.respond(decision)
      : { status: decision.status, headers: decision.headers };
    headers['x-request-id'] = requestIdOf(req);
    if (closing()) headers.connection = 'close';
    // (a reason is ASCII; an explicit length keeps the answer one unchunked write)
    const body = decision.allow ? '' : `${decision.reason}\n`;
    headers['content-length'] = String(body.length);
    res.writeHead(status, headers);
    res.end(body);
  }

  return (req, res) => {
    answer(req, res).catch((err: unknown) => {
      onError(err);
      refuse(res, 'internal_error');
    });
  };
}

/**
 * The Fastify routes of /authz (what `app.inject()` and any URL the pre-dispatch did not claim reach):
 * each hands its raw request and response to the handler in its route's `onRequest` hook.
 */
export const authzPlugin: FastifyPluginAsync<{ handler: AuthzHandler }> = async (app, { handler }) => {
  const route = {
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    logLevel: 'warn' as const,
    schema: { hide: true },
    onRequest: (request: { raw: IncomingMessage }, reply: { hijack(): void; raw: ServerResponse }) => {
      reply.hijack();
      handler(request.raw, reply.raw);
      return Promise.resolve();
    },
    handler: () => {},
  };
  for (const url of ['/authz', '/authz/*', '/t/:slug/authz', '/t/:slug/authz/*'])
    app.route({ ...route, url } as never);
};
