/**
 * oidc-provider's storage adapter for one tenant (the method contract of node-oidc-provider
 * `example/my_adapter.js`): every model but `Client` lives in oidc_payloads; `Client` reads through
 * the clients service (its cache), so a client edited or disabled through the admin API or the CLI is
 * what the next request sees on every instance.
 *
 * Ids are bearer secrets (an opaque access token's value is its id): rows are keyed by SHA-256 of the
 * id and the stored payload carries no `jti`. Sessions and device codes are also found by uid / user
 * code, and the provider then needs their id back, so theirs is kept Fernet-sealed in the payload
 * (`_sealed`), as is the device flow's user code (looked up by digest).
 *
 * Refresh tokens: rotation consumes the old one; presenting it again is reuse and the library revokes
 * the whole grant (RFC 9700 §4.14.2) — except within the grace window (`refreshGraceMs`), where the
 * second of two concurrent refreshes is refused with invalid_grant and the family survives.
 *
 * `consume` is atomic: a second consumption of one code is refused with the library's own
 * `invalid_grant` (the provider's replay check alone is read-then-write).
 *
 * Lookups of one id under several models in the same tick share one query: introspection and
 * revocation look a presented token up as AccessToken, ClientCredentials and RefreshToken at once.
 */
import { errors } from 'oidc-provider';
import type { Keyring } from '../../crypto/fernet.ts';
import { currentUnit } from '../../storage/unit-of-work.ts';
import { type PayloadStore, payloadDigest } from './payload-store.ts';

/** What oidc-provider hands an adapter and expects back. */
export type AdapterPayload = Record<string, unknown> & {
  jti?: string;
  grantId?: string;
  uid?: string;
  userCode?: string;
  consumed?: number;
};

export interface OidcAdapter {
  upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

const SEALED_MODELS = new Set(['Session', 'DeviceCode']);

/** The key of an id's row in oidc_payloads (and the public handle of an initial access token). */
const digest = payloadDigest;

export interface AdapterDeps {
  tenantId: string;
  store: PayloadStore;
  keyring: Keyring;
  /**
   * Called once each time the library revokes a grant's tokens (with the AccessToken model's call):
   * the grant's JWT access tokens are not rows, so they are revoked by grant (jwt-revocation.ts).
   */
  onGrantRevoked?(grantId: string): Promise<void>;
  /** The Client model's lookup: client metadata by client_id, or undefined. */
  findClient(clientId: string): Promise<AdapterPayload | undefined>;
  /**
   * The Client model's upsert: a client registered at `/reg` (RFC 7591) or updated there (RFC 7592);
   * absent, the model is read-only.
   */
  registerClient?(clientId: string, metadata: AdapterPayload): Promise<void>;
  /** The Client model's destroy: a registered client deleting itself (RFC 7592). */
  unregisterClient?(clientId: string): Promise<void>;
  /**
   * A refresh token rotated less than this long ago is handed back as not consumed: the provider then
   * fails to consume it again (invalid_grant) instead of treating it as reuse and revoking the grant.
   */
  refreshGraceMs(): number;
  now?: () => number;
}

/** The factory oidc-provider's `adapter` setting takes: one adapter per model name. */
export function createAdapterFactory(deps: AdapterDeps): (model: string) => OidcAdapter {
  const { tenantId, store, keyring } = deps;
  const now = deps.now ?? Date.now;

  function revive(model: string, row: Awaited<ReturnType<PayloadStore['find']>>, id?: string) {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= now()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload & { _sealed?: string };
    const { _sealed, ...rest } = payload;
    const restored: AdapterPayload = { ...rest };
    if (_sealed) Object.assign(restored, JSON.parse(keyring.decryptString(_sealed)));
    if (id !== undefined) restored.jti = id;
    const graced =
      model === 'RefreshToken' && row.consumed_at !== null && now() - row.consumed_at < deps.refreshGraceMs();
    if (row.consumed_at !== null && !graced) restored.consumed = Math.floor(row.consumed_at / 1000);
    return restored;
  }

  type Row = Awaited<ReturnType<PayloadStore['find']>>;
  // id → the lookup being gathered this tick: the models asked for and the one query answering them
  const gathering = new Map<string, { models: Set<string>; rows: Promise<Map<string, Row>> }>();

  function findRow(model: string, id: string): Promise<Row> {
    // inside a unit of work the read must see the unit's writes: its own query, never shared
    if (currentUnit()) return store.find(tenantId, model, digest(id));
    let batch = gathering.get(id);
    if (!batch) {
      const models = new Set<string>();
      const rows = Promise.resolve().then(async () => {
        gathering.delete(id);
        const found = await store.findMany(tenantId, [...models], digest(id));
        return new Map(found.map((r) => [r.model, r]));
      });
      batch = { models, rows };
      gathering.set(id, batch);
    }
    batch.models.add(model);
    return batch.rows.then((byModel) => byModel.get(model));
  }

  return (model) => {
    if (model === 'Client') {
      return {
        find: (id) => deps.findClient(id),
        // clients are managed through the admin API and CLI, or registered at /reg (registration-protocol.ts)
        async upsert(id, payload) {
          if (!deps.registerClient)
            throw new errors.InvalidRequest('clients are registered through the administration API');
          await deps.registerClient(id, payload);
        },
        async destroy(id) {
          await deps.unregisterClient?.(id);
        },
        findByUid: async () => undefined,
        findByUserCode: async () => undefined,
        async consume() {},
        async revokeByGrantId() {},
      };
    }
    return {
      async upsert(id, payload, expiresIn) {
        const { jti, userCode, ...rest } = payload;
        const stored: Record<string, unknown> = { ...rest };
        if (SEALED_MODELS.has(model))
          stored._sealed = keyring.encrypt(
            JSON.stringify({ jti: jti ?? id, ...(userCode ? { userCode } : {}) }),
          );
        await store.upsert({
          tenant_id: tenantId,
          model,
          id_digest: digest(id),
          payload: JSON.stringify(stored),
          grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
          uid: typeof payload.uid === 'string' ? payload.uid : null,
          user_code: typeof userCode === 'string' ? digest(userCode) : null,
          expires_at: expiresIn > 0 ? now() + expiresIn * 1000 : null,
          consumed_at: null,
        });
      },
      async find(id) {
        if (typeof id !== 'string' || id.length === 0 || id.length > 4096) return undefined;
        return revive(model, await findRow(model, id), id);
      },
      async findByUid(uid) {
        return revive(model, await store.findBy(tenantId, model, 'uid', uid));
      },
      async findByUserCode(userCode) {
        return revive(model, await store.findBy(tenantId, model, 'user_code', digest(userCode)));
      },
      async consume(id) {
        const first = await store.consume(tenantId, model, digest(id), now());
        if (!first) throw new errors.InvalidGrant('grant request is invalid');
      },
      async destroy(id) {
        await store.destroy(tenantId, model, digest(id));
      },
      async revokeByGrantId(grantId) {
        await Promise.all([
          store.revokeByGrantId(tenantId, grantId),
          model === 'AccessToken' ? deps.onGrantRevoked?.(grantId) : undefined,
        ]);
      },
    };
  };
}
