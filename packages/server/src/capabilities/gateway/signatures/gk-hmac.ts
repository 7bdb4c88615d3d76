/**
 * The seeds' `Authorization: HMAC client_id="…",timestamp="…",nonce="…",signature="…"` scheme,
 * hardened: the HMAC-SHA256 (lowercase hex) covers a version line, the method, the host, the raw
 * request target (path and query exactly as sent), the timestamp, the nonce and the `Content-Digest`
 * header (RFC 9530; required, so the body is bound too — the upstream checks it), one per line:
 *
 *     GK-HMAC-SHA256\nPOST\napi.example.com\n/v1/items?x=1\n1700000000\n<nonce>\nsha-256=:…:
 *
 * The host is the `@authority` of RFC 9421 (lowercase, default port dropped).
 */
import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';
import { type Deny, deny } from '../reasons.ts';

export const GK_HMAC_VERSION = 'GK-HMAC-SHA256';
const PARAM = /^\s*([a-z_]{1,16})\s*=\s*(?:"([^"\\]{0,512})"|([^\s,"]{0,512}))\s*$/;
const NONCE = /^[A-Za-z0-9._~+/=-]{16,128}$/;

export interface GkHmacParams {
  clientId: string;
  timestamp: number;
  nonce: string;
  signature: Buffer;
}

/** Parses the parameters after `HMAC `; refuses unknown, repeated or missing ones. */
export function parseGkHmac(authorization: string, nowMs: number, skewSeconds: number): GkHmacParams | Deny {
  if (authorization.length > 2048) return deny('malformed_authorization', 'Authorization too large');
  const rest = authorization.slice(authorization.indexOf(' ') + 1);
  const values = new Map<string, string>();
  for (const part of rest.split(',')) {
    const m = PARAM.exec(part);
    if (!m) return deny('malformed_authorization', 'HMAC parameters are key="value" pairs');
    const key = m[1]!;
    if (values.has(key)) return deny('malformed_authorization', `${key} is given twice`);
    if (!['client_id', 'timestamp', 'nonce', 'signature'].includes(key))
      return deny('malformed_authorization', `unknown parameter ${key}`);
    values.set(key, m[2] ?? m[3] ?? '');
  }
  const clientId = values.get('client_id') ?? '';
  const ts = values.get('timestamp') ?? '';
  const nonce = values.get('nonce') ?? '';
  const signature = values.get('signature') ?? '';
  if (clientId.length === 0 || clientId.length > 255)
    return deny('malformed_authorization', 'client_id is required');
  if (!/^\d{1,12}$/.test(ts)) return deny('malformed_authorization', 'timestamp: epoch seconds');
  if (!NONCE.test(nonce)) return deny('malformed_nonce', 'nonce: 16 to 128 URL-safe characters');
  if (!/^[0-9a-f]{64}$/.test(signature))
    return deny('malformed_authorization', 'signature: 64 lowercase hex digits');
  const timestamp = Number(ts);
  if (Math.abs(nowMs / 1000 - timestamp) > skewSeconds)
    return deny(
      'clock_skew',
      `timestamp is ${Math.round(nowMs / 1000 - timestamp)} s from this server's clock`,
    );
  return { clientId, timestamp, nonce, signature: Buffer.from(signature, 'hex') };
}

/** The string the scheme signs (see the file header). */
export function gkHmacBase(p: {
  method: string;
  authority: string;
  target: string;
  timestamp: number;
  nonce: string;
  contentDigest: string;
}): string {
  return [
    GK_HMAC_VERSION,
    p.method,
    p.authority,
    p.target,
    String(p.timestamp),
    p.nonce,
    p.contentDigest,
  ].join('\n');
}

/** True when `key` produced `signature` over `base` (constant time). */
export function gkHmacMatches(key: KeyObject | Buffer, base: string, signature: Buffer): boolean {
  const mac = createHmac('sha256', key).update(base, 'utf8').digest();
  return mac.length === signature.length && timingSafeEqual(mac, signature);
}
