/**
 * The `hmac` mode: a request signed with one of the client's live shared secrets, either as RFC 9421
 * HTTP Message Signatures (`Signature-Input` + `Signature`, signatures/rfc9421.ts) or as
 * `Authorization: HMAC …` (signatures/gk-hmac.ts). Both bind the method, authority, raw path and
 * query, a timestamp within the clock window, a nonce (spent by checkNonce) and `Content-Digest`
 * (which must be well formed, and match a body when a proxy forwarded one).
 */
import type { KeyObject } from 'node:crypto';
import type { ClientRecord } from '../../clients/index.ts';
import type { AuthzContext } from '../decision.ts';
import { type Deny, deny } from '../reasons.ts';
import { bodyMatchesDigest, parseContentDigest } from '../signatures/content-digest.ts';
import { gkHmacBase, gkHmacMatches, parseGkHmac } from '../signatures/gk-hmac.ts';
import { authorityOf, hmacMatches, parseSignature } from '../signatures/rfc9421.ts';
import type { ModeCheck } from './mode.ts';
import { headerOf, type StepDeps } from './step.ts';

function isHmacAuthorization(ctx: AuthzContext): boolean {
  const h = ctx.input.headers.authorization;
  return typeof h === 'string' && h.slice(0, 5).toLowerCase() === 'hmac ';
}

async function signer(
  ctx: AuthzContext,
  deps: StepDeps,
  clientId: string,
  matches: (key: KeyObject) => boolean,
): Promise<ClientRecord | Deny> {
  const client = await deps.clientByClientId(ctx.tenant!.id, clientId);
  if (!client) return deny('unknown_key', `no client ${clientId.slice(0, 64)}`);
  if (client.status !== 'active') return deny('client_disabled');
  const keys = await deps.hmacKeys(ctx.tenant!.id, client.id);
  const live = keys.filter((k) => k.expiresAt === null || k.expiresAt > ctx.now);
  if (live.length === 0) return deny('unknown_key', `client ${client.clientId} has no live HMAC secret`);
  if (!live.some((k) => matches(k.key))) return deny('bad_signature');
  return client;
}

function checkDigest(ctx: AuthzContext): Deny | undefined {
  const digests = parseContentDigest(headerOf(ctx, 'content-digest'));
  if (!digests) return deny('bad_content_digest', 'Content-Digest must carry sha-256 or sha-512');
  if (ctx.input.body && ctx.input.body.length > 0 && !bodyMatchesDigest(digests, ctx.input.body))
    return deny('bad_content_digest', 'the forwarded body does not match Content-Digest');
  return undefined;
}

export const hmacMode: ModeCheck = {
  mode: 'hmac',
  presented: (ctx) => isHmacAuthorization(ctx) || ctx.input.headers['signature-input'] !== undefined,
  async verify(ctx, deps) {
    const o = ctx.original!;
    const skew = deps.clockSkewSeconds();
    let clientId: string;
    let nonce: string;
    let matches: (key: KeyObject) => boolean;
    if (ctx.input.headers['signature-input'] !== undefined) {
      const parsed = parseSignature(
        {
          method: o.method,
          host: o.host,
          proto: o.proto,
          rawPath: o.parsed.rawPath,
          rawQuery: o.parsed.rawQuery,
          headers: ctx.input.headers,
        },
        ctx.now,
        skew,
      );
      if ('deny' in parsed) return parsed;
      clientId = parsed.keyid;
      nonce = parsed.nonce;
      matches = (key) => hmacMatches(key, parsed);
    } else {
      const p = parseGkHmac(ctx.input.headers.authorization as string, ctx.now, skew);
      if ('deny' in p) return p;
      const contentDigest = headerOf(ctx, 'content-digest');
      if (contentDigest === undefined) return deny('missing_signed_component', 'Content-Digest is required');
      const base = gkHmacBase({
        method: o.method,
        authority: authorityOf(o.host, o.proto),
        target: o.target,
        timestamp: p.timestamp,
        nonce: p.nonce,
        contentDigest: contentDigest.trim(),
      });
      clientId = p.clientId;
      nonce = p.nonce;
      matches = (key) => gkHmacMatches(key, base, p.signature);
    }
    const digest = checkDigest(ctx);
    if (digest) return digest;
    const client = await signer(ctx, deps, clientId, matches);
    if ('deny' in client) return client;
    ctx.caller = {
      via: 'hmac',
      client: { id: client.id, clientId: client.clientId, name: client.name },
      userId: null,
      roles: [],
      tokenId: null,
      scopes: client.scopes,
    };
    ctx.nonce = { scope: client.id, value: nonce };
    if (ctx.trace) ctx.note(`signed by client ${client.clientId}`);
    return undefined;
  },
  challenge: (realm) => `HMAC realm="${realm}", Signature realm="${realm}"`,
};
