/**
 * Signing requests for Gatekeeper's gateway (the `hmac` auth mode) with a client's HMAC secret
 * (`gk_hms_…`; its UTF-8 bytes are the key), and the upstream's check of a body against its digest.
 *
 * - RFC 9421 HTTP Message Signatures (default): `hmac-sha256` over `@method`, `@authority`, `@path`,
 *   `@query` and `content-digest`, with `created`, `keyid` (the client_id) and `nonce` — built with the
 *   `http-message-signatures` library.
 * - `Authorization: HMAC client_id="…",timestamp="…",nonce="…",signature="…"`: hex HMAC-SHA256 of
 *   `GK-HMAC-SHA256\nMETHOD\nauthority\nraw target\ntimestamp\nnonce\nContent-Digest`.
 *
 * Both add `Content-Digest` (RFC 9530, sha-256) of the body (empty when there is none): `/authz`
 * never sees the body, so the upstream compares it with `verifyContentDigest`.
 *
 * @example
 * const headers = await signRequest(
 *   { method: 'POST', url: 'https://api.example.com/v1/items?x=1', body: JSON.stringify(item) },
 *   { keyId: clientId, secret: process.env.GK_HMAC_SECRET! },
 * );
 * await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { httpbis } from 'http-message-signatures';
import { parseDictionary } from 'structured-headers';

export interface SignableRequest {
  method: string;
  /** Absolute URL, e.g. `https://api.example.com/v1/items?x=1`. */
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | null;
}

export interface HmacKey {
  /** The client_id (RFC 9421 `keyid`). */
  keyId: string;
  /** The client's HMAC secret (text: its UTF-8 bytes are the key) or the raw key bytes. */
  secret: string | Uint8Array;
}

export interface SignOptions {
  /** `rfc9421` (default) or `hmac` (the Authorization: HMAC scheme). */
  scheme?: 'rfc9421' | 'hmac';
  /** Signing time (default now). */
  now?: Date;
  /** Default: 24 random bytes, base64url. */
  nonce?: string;
}

export const SIGNED_COMPONENTS = ['@method', '@authority', '@path', '@query', 'content-digest'];

const keyBytes = (secret: string | Uint8Array) =>
  typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
const bodyBytes = (body: SignableRequest['body']) =>
  body === undefined || body === null
    ? Buffer.alloc(0)
    : typeof body === 'string'
      ? Buffer.from(body)
      : Buffer.from(body);

/** `sha-256=:…:` of a body (RFC 9530). */
export function contentDigest(body: SignableRequest['body']): string {
  return `sha-256=:${createHash('sha256').update(bodyBytes(body)).digest('base64')}:`;
}

/**
 * True when `body` matches every sha-256 / sha-512 digest of a `Content-Digest` header (and it has at
 * least one). What an upstream behind the gateway runs before trusting a signed request's body.
 *
 * @example if (!verifyContentDigest(req.headers['content-digest'], rawBody)) return res.writeHead(400).end();
 */
export function verifyContentDigest(header: string | undefined, body: SignableRequest['body']): boolean {
  if (!header || header.length > 1024) return false;
  let dict: ReturnType<typeof parseDictionary>;
  try {
    dict = parseDictionary(header);
  } catch {
    return false;
  }
  const bytes = bodyBytes(body);
  let checked = 0;
  for (const [alg, member] of dict) {
    const value = member[0];
    if (alg !== 'sha-256' && alg !== 'sha-512') continue;
    if (Array.isArray(value) || !(value instanceof ArrayBuffer)) return false;
    const expected = Buffer.from(value);
    const actual = createHash(alg === 'sha-256' ? 'sha256' : 'sha512')
      .update(bytes)
      .digest();
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return false;
    checked++;
  }
  return checked > 0;
}

/**
 * RFC 9421 signature over chosen components (the profile `signRequest` uses, or any other — the
 * RFC's own test vectors go through here). Returns the `Signature-Input` and `Signature` headers.
 */
export async function signRfc9421(
  req: SignableRequest,
  key: HmacKey,
  options: { fields: string[]; created: Date | null; nonce?: string; label?: string },
): Promise<{ 'signature-input': string; signature: string }> {
  const k = keyBytes(key.secret);
  const params = ['created', 'keyid', ...(options.nonce ? ['nonce'] : [])];
  const signed = await httpbis.signMessage(
    {
      key: { id: key.keyId, sign: async (data: Buffer) => createHmac('sha256', k).update(data).digest() },
      name: options.label ?? 'sig',
      fields: options.fields,
      params,
      paramValues: { created: options.created, ...(options.nonce ? { nonce: options.nonce } : {}) },
    },
    { method: req.method, url: req.url, headers: { ...(req.headers ?? {}) } },
  );
  const h = signed.headers as Record<string, string>;
  return {
    'signature-input': h['Signature-Input'] ?? h['signature-input']!,
    signature: h.Signature ?? h.signature!,
  };
}

/** The headers that sign `req` for the gateway (see the file header). */
export async function signRequest(
  req: SignableRequest,
  key: HmacKey,
  options: SignOptions = {},
): Promise<Record<string, string>> {
  const now = options.now ?? new Date();
  const nonce = options.nonce ?? randomBytes(24).toString('base64url');
  const digest = contentDigest(req.body);
  if (options.scheme === 'hmac') {
    const url = new URL(req.url);
    const target = req.url.slice(req.url.indexOf(url.host) + url.host.length) || '/';
    const timestamp = Math.floor(now.getTime() / 1000);
    const base = [
      'GK-HMAC-SHA256',
      req.method.toUpperCase(),
      url.host.toLowerCase(),
      target,
      String(timestamp),
      nonce,
      digest,
    ].join('\n');
    const signature = createHmac('sha256', keyBytes(key.secret)).update(base, 'utf8').digest('hex');
    return {
      'content-digest': digest,
      authorization: `HMAC client_id="${key.keyId}",timestamp="${timestamp}",nonce="${nonce}",signature="${signature}"`,
    };
  }
  const signed = await signRfc9421(
    { ...req, headers: { ...(req.headers ?? {}), 'content-digest': digest } },
    key,
    { fields: SIGNED_COMPONENTS, created: now, nonce },
  );
  return { 'content-digest': digest, ...signed };
}
