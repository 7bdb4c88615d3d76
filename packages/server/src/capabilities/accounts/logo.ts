/**
 * A tenant's uploaded logo: checked and cleaned (logo-image.ts), stored in the database, described
 * by an invalidated cache (every hosted page asks for it: no SQL in steady state), and served under
 * an immutable URL named by its SHA-256, `/t/<slug>/logo/<digest>.<ext>`. An upload or a removal
 * commits with its audit event and the cache invalidation, so every instance shows the new logo
 * within a second. The uploaded logo wins over `branding.logoUrl`; removing it brings the URL back.
 */
import { createHash } from 'node:crypto';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import { toIso } from '../../storage/time.ts';
import { checkLogo, type LogoType } from './logo-image.ts';
import type { TenantServiceDeps } from './settings.ts';
import type { LogoMeta } from './store.ts';

export interface LogoInfo {
  contentType: LogoType;
  /** SHA-256 of the stored bytes, hex. */
  digest: string;
  size: number;
  width: number;
  height: number;
  updatedAt: string;
  /** The served file name, `<first 32 hex of the digest>.<ext>`. */
  file: string;
}

export interface LogosService {
  /** The tenant's uploaded logo (cached), or null. */
  info(tenantId: string): Promise<LogoInfo | null>;
  /** The bytes of the logo served as `file`, or null when it is not the current one. */
  image(tenantId: string, file: string): Promise<{ contentType: LogoType; bytes: Buffer } | null>;
  /** Checks, cleans and stores an upload (`logo_invalid`, `logo_type_refused`, `payload_too_large`). */
  put(tenantId: string, declaredType: string, bytes: Buffer, ctx: ActionContext): Promise<LogoInfo>;
  /** Removes it; false when there was none. */
  remove(tenantId: string, ctx: ActionContext): Promise<boolean>;
  start(): void;
  stop(): void;
}

const EXTENSIONS: Record<LogoType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};
const FILE = /^([0-9a-f]{32})\.(png|jpg|webp)$/;

function toInfo(row: LogoMeta): LogoInfo {
  const contentType = row.content_type as LogoType;
  return {
    contentType,
    digest: row.digest,
    size: Number(row.size),
    width: Number(row.width),
    height: Number(row.height),
    updatedAt: toIso(Number(row.updated_at)),
    file: `${row.digest.slice(0, 32)}.${EXTENSIONS[contentType]}`,
  };
}

export function createLogosService(deps: TenantServiceDeps): LogosService {
  const { store, database } = deps;
  const now = deps.now ?? Date.now;
  const cache = createInvalidatedCache<LogoInfo | null>({
    name: 'branding-logos',
    feed: deps.changes,
    load: async (tenantId) => {
      const row = await store.logoMeta(tenantId);
      return row ? toInfo(row) : null;
    },
    ttlMs: 60_000,
    maxEntries: 10_000,
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
  });
  const emit = async (tenantId: string, type: string, ctx: ActionContext, data: Record<string, unknown>) =>
    deps.bus.emit({
      type,
      tenant: await deps.slugOf(tenantId),
      actor: ctx.actor,
      target: null,
      result: 'success',
      requestId: ctx.requestId ?? null,
      data,
    });

  return {
    info: (tenantId) => cache.get(tenantId),
    async image(tenantId, file) {
      const m = FILE.exec(file);
      const info = m ? await cache.get(tenantId) : null;
      if (!info || info.file !== file) return null;
      const row = await store.logoData(tenantId, info.digest);
      return row
        ? { contentType: row.content_type as LogoType, bytes: Buffer.from(row.data, 'base64') }
        : null;
    },
    async put(tenantId, declaredType, bytes, ctx) {
      const logo = checkLogo(declaredType, bytes);
      const row = {
        tenant_id: tenantId,
        content_type: logo.contentType,
        data: logo.bytes.toString('base64'),
        digest: createHash('sha256').update(logo.bytes).digest('hex'),
        size: logo.bytes.length,
        width: logo.width,
        height: logo.height,
        updated_at: now(),
      };
      await database.write(async () => {
        await store.putLogo(row);
        await cache.invalidate(tenantId);
        await emit(tenantId, 'branding.logo_set', ctx, {
          contentType: row.content_type,
          size: row.size,
          width: row.width,
          height: row.height,
          digest: row.digest,
        });
      });
      return toInfo(row);
    },
    async remove(tenantId, ctx) {
      return database.write(async () => {
        const removed = await store.deleteLogo(tenantId);
        if (removed) {
          await cache.invalidate(tenantId);
          await emit(tenantId, 'branding.logo_removed', ctx, {});
        }
        return removed;
      });
    },
    start: () => cache.start(),
    stop: () => cache.stop(),
  };
}
