/**
 * One oidc-provider Provider per tenant (its maintainer's advice: an issuer is not dynamic), created
 * on first use and kept in a bounded LRU (`oidcProviderCacheSize`). An entry is rebuilt when what it
 * was built from changed: the tenant's key set (a rotation invalidates it on every instance within a
 * second, and a pending key starting to sign or a retired one leaving JWKS changes it by itself).
 * The key-set cache reloading an unchanged set (its entries expire) keeps the Provider: a rebuild
 * would cost its build time and its imported keys every minute for nothing.
 * Clients are read through the clients service on every request, so they need no rebuild.
 */
import type Provider from 'oidc-provider';
import type { KeySet } from './signing-keys.ts';

export interface PooledProvider {
  provider: Provider;
  /** The Node request handler of the provider (its Koa app). */
  handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
  keySet: KeySet;
}

export interface ProviderPool {
  get(tenantId: string, slug: string): Promise<PooledProvider>;
  /** Providers held now. */
  readonly size: number;
  clear(): void;
}

export function createProviderPool(deps: {
  maxEntries(): number;
  keySet(tenantId: string): Promise<KeySet>;
  build(tenantId: string, slug: string, keySet: KeySet): Provider | Promise<Provider>;
  now?: () => number;
}): ProviderPool {
  const now = deps.now ?? Date.now;
  const entries = new Map<string, PooledProvider>();
  const building = new Map<string, Promise<PooledProvider>>();

  /** The same keys in the same order: the key-set cache reloaded (its TTL), nothing changed. */
  const sameKeys = (a: KeySet, b: KeySet) =>
    a === b ||
    (a.alg === b.alg &&
      a.nextChangeAt === b.nextChangeAt &&
      a.keys.length === b.keys.length &&
      a.keys.every((k, i) => k.kid === b.keys[i]!.kid));

  function fresh(entry: PooledProvider, keySet: KeySet): boolean {
    if (!sameKeys(entry.keySet, keySet)) return false;
    return entry.keySet.nextChangeAt === null || entry.keySet.nextChangeAt > now();
  }

  async function build(tenantId: string, slug: string): Promise<PooledProvider> {
    const keySet = await deps.keySet(tenantId);
    const provider = await deps.build(tenantId, slug, keySet);
    const entry: PooledProvider = { provider, handler: provider.callback(), keySet };
    entries.delete(tenantId);
    entries.set(tenantId, entry);
    while (entries.size > deps.maxEntries()) {
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
    }
    return entry;
  }

  return {
    async get(tenantId, slug) {
      const keySet = await deps.keySet(tenantId);
      const entry = entries.get(tenantId);
      if (entry && fresh(entry, keySet)) {
        entries.delete(tenantId); // LRU: most recently used last
        entries.set(tenantId, entry);
        return entry;
      }
      const pending = building.get(tenantId);
      if (pending) return pending;
      const p = build(tenantId, slug).finally(() => building.delete(tenantId));
      building.set(tenantId, p);
      return p;
    },
    get size() {
      return entries.size;
    },
    clear: () => entries.clear(),
  };
}
