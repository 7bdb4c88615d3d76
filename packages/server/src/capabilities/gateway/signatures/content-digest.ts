/**
 * `Content-Digest` (RFC 9530): the body's digest as a structured dictionary, e.g.
 * `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:`. `/authz` never sees the body (nginx and
 * Traefik do not send it), so it checks the header's shape and that the signature covers it; the
 * upstream compares the body with it (packages/client `verifyContentDigest`). When a proxy does
 * forward the body (Envoy `with_request_body`, Traefik `forwardBody`), `/authz` compares it too.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseDictionary } from 'structured-headers';

const LENGTHS: Record<string, number> = { 'sha-256': 32, 'sha-512': 64 };
/** The one-digest header every signer sends, read without the general structured-field parser. */
const ONE_DIGEST = /^(sha-256|sha-512)=:((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?):$/;

/** The supported digests a Content-Digest header carries, or null when it is malformed or has none. */
export function parseContentDigest(value: string | undefined): Map<string, Buffer> | null {
  if (value === undefined || value.length === 0 || value.length > 1024) return null;
  const one = ONE_DIGEST.exec(value);
  if (one) {
    const bytes = Buffer.from(one[2]!, 'base64');
    return bytes.length === LENGTHS[one[1]!] ? new Map([[one[1]!, bytes]]) : null;
  }
  let dict: ReturnType<typeof parseDictionary>;
  try {
    dict = parseDictionary(value);
  } catch {
    return null;
  }
  const out = new Map<string, Buffer>();
  for (const [alg, member] of dict) {
    const item = member[0];
    if (Array.isArray(item) || !(item instanceof ArrayBuffer)) return null;
    const bytes = Buffer.from(item);
    const expected = LENGTHS[alg];
    if (expected === undefined) continue;
    if (bytes.length !== expected) return null;
    out.set(alg, bytes);
  }
  return out.size > 0 ? out : null;
}

/** True when `body` matches every supported digest of the header. */
export function bodyMatchesDigest(digests: ReadonlyMap<string, Buffer>, body: Buffer): boolean {
  for (const [alg, expected] of digests) {
    const actual = createHash(alg === 'sha-256' ? 'sha256' : 'sha512')
      .update(body)
      .digest();
    if (!timingSafeEqual(actual, expected)) return false;
  }
  return true;
}
