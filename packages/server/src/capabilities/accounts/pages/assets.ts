/**
 * Static files of the hosted pages (the stylesheet; the MFA pages add their WebAuthn script), held
 * in memory and served same-origin under a content-hashed name, so the CSP can name `'self'` and
 * never needs `'unsafe-inline'`, and a browser may cache them forever.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

export interface Asset {
  /** The URL path, `/assets/<name>.<hash>.<ext>`. */
  readonly url: string;
  /** `sha256-…` for a CSP source list or a `integrity` attribute. */
  readonly integrity: string;
  readonly contentType: string;
  readonly body: Buffer;
}

const assets = new Map<string, Asset>();

/**
 * Registers a file and returns its URL and hash (idempotent per content).
 *
 * @example
 * const script = registerAsset('webauthn.js', 'text/javascript', source);
 * html`<script src="${script.url}" integrity="${script.integrity}"></script>`
 */
export function registerAsset(name: string, contentType: string, content: string | Buffer): Asset {
  const body = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  const digest = createHash('sha256').update(body);
  const hex = digest.copy().digest('hex').slice(0, 16);
  const dot = name.lastIndexOf('.');
  const file = dot > 0 ? `${name.slice(0, dot)}.${hex}${name.slice(dot)}` : `${name}.${hex}`;
  const asset: Asset = {
    url: `/assets/${file}`,
    integrity: `sha256-${digest.digest('base64')}`,
    contentType,
    body,
  };
  assets.set(file, asset);
  return asset;
}

export const stylesheet = registerAsset(
  'accounts.css',
  'text/css; charset=utf-8',
  readFileSync(new URL('../assets/style.css', import.meta.url)),
);

/** `GET /assets/:file` — immutable, no cookies needed. */
export function registerAssetRoutes(app: FastifyInstance): void {
  app.get('/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const asset = assets.get((request.params as { file: string }).file);
    if (!asset) return reply.code(404).type('text/plain').send('not found\n');
    return reply
      .type(asset.contentType)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(asset.body);
  });
}
