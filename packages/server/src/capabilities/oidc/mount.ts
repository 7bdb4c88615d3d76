/**
 * Mounts the per-tenant protocol engines at `<public URL>/t/<slug>/…` beside the Fastify routes, in a
 * root `onRequest` hook before every other hook: a protocol request is handed to
 * oidc-provider as the raw Node request, so no Gatekeeper body parser, input guard, schema check or
 * problem handler ever sees or re-wraps its spec-conformant OAuth errors. Only the library's own
 * endpoints are claimed; `/t/<slug>/authz*` (gateway), `/t/<slug>/sign-in`, `/t/<slug>/account*` and
 * `/t/<slug>/interaction/*` stay Fastify routes.
 *
 * Behind a TLS-terminating proxy: endpoint URLs are built from the configured public URL, and the
 * client address is the one Fastify derived (`trustProxy`), so forwarded headers sent by anyone else
 * are never believed. RFC 8414 §3.1 path-inserted metadata URLs (`/.well-known/oauth-authorization-
 * server/t/<slug>`) are served too, as MCP clients probe them first.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OidcService } from './service.ts';

/** First path segments of oidc-provider's routes (lib/helpers/defaults.js `routes`). */
const PROVIDER_SEGMENTS = new Set([
  '.well-known',
  'auth',
  'token',
  'jwks',
  'me',
  'session',
  'device',
  'request',
  'reg',
]);
const TENANT_PATH = /^\/t\/([a-z0-9][a-z0-9-]{0,62})(\/[^?]*)(\?.*)?$/;
const INSERTED_METADATA =
  /^\/\.well-known\/(openid-configuration|oauth-authorization-server)\/t\/([a-z0-9][a-z0-9-]{0,62})\/?(\?.*)?$/;

/** The tenant slug and provider path of a URL the provider serves, or null. */
export function matchProviderUrl(url: string | undefined): { slug: string; path: string } | null {
  if (!url) return null;
  const inserted = INSERTED_METADATA.exec(url);
  if (inserted) return { slug: inserted[2]!, path: `/.well-known/${inserted[1]}${inserted[3] ?? ''}` };
  const m = TENANT_PATH.exec(url);
  if (!m) return null;
  const segment = m[2]!.split('/')[1] ?? '';
  if (!PROVIDER_SEGMENTS.has(segment)) return null;
  if (
    segment === '.well-known' &&
    !/^\/\.well-known\/(openid-configuration|oauth-authorization-server)$/.test(m[2]!)
  )
    return null;
  return { slug: m[1]!, path: `${m[2]}${m[3] ?? ''}` };
}

/**
 * The mount, run first in the composition root's single root `onRequest` hook: hands a protocol
 * request to its tenant's Provider and returns true (the reply is hijacked: no later hook runs), or
 * returns false for every other request.
 */
export function oidcMount(deps: {
  oidc: OidcService;
  publicUrl(): string;
}): (request: FastifyRequest, reply: FastifyReply) => boolean {
  // the public URL is a setting that may change at runtime: parsed again only when it does
  let parsed = { from: '', proto: '', host: '' };
  const publicOrigin = () => {
    const current = deps.publicUrl();
    if (current !== parsed.from) {
      const url = new URL(current);
      parsed = { from: current, proto: url.protocol.slice(0, -1), host: url.host };
    }
    return parsed;
  };
  return (request, reply) => {
    const target = matchProviderUrl(request.raw.url);
    if (!target) return false;
    reply.hijack();
    const pub = publicOrigin();
    const headers = request.raw.headers;
    headers['x-forwarded-proto'] = pub.proto;
    headers['x-forwarded-host'] = pub.host;
    headers['x-forwarded-for'] = request.ip;
    headers['x-request-id'] = request.id;
    reply.raw.setHeader('x-request-id', request.id);
    void deps.oidc.handle(target.slug, target.path, request.raw, reply.raw);
    return true;
  };
}
