/**
 * Runtime settings: the highest-precedence configuration source. Only settings marked `runtime` in
 * the schema may be stored; every value is validated with the same rules as start-up configuration.
 * A change, its audit event and its announcement on the change feed commit together; every process
 * (other instances, a server when the CLI changed it) reloads within a second — no restart. Secret
 * values are stored encrypted and never shown.
 */
import './errors.ts';

import type { ChangeFeed } from '../../cache/change-feed.ts';
import { type ConfigSource, displayValue, type LoadedConfig, parseSettingValue } from '../../config/load.ts';
import type { Config, ConfigKey } from '../../config/schema.ts';
import { isConfigKey, runtimeKeys, settingMeta } from '../../config/schema.ts';
import type { Keyring } from '../../crypto/fernet.ts';
import { AppError, ConfigError } from '../../errors/app-error.ts';
import type { EventBus } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import type { SettingsTable } from '../../storage/tables.ts';
import type { SettingsStore } from './store.ts';

/** The change-feed channel on which stored settings change (key: the changed keys, JSON). */
export const SETTINGS_CHANNEL = 'settings';

export interface SettingView {
  key: ConfigKey;
  value: string;
  source: ConfigSource;
  runtime: boolean;
  secret: boolean;
}

export interface SettingsService {
  /** The effective configuration (a new frozen object after each change). */
  current(): Config;
  get<K extends ConfigKey>(key: K): Config[K];
  list(): SettingView[];
  /** Validates and stores runtime settings atomically; throws AppError on a bad key or value. */
  set(values: Record<string, unknown>, actor: string): Promise<void>;
  /** Removes a stored runtime value, falling back to env/file/default. */
  unset(key: string, actor: string): Promise<boolean>;
  /** Re-reads stored values (called on invalidation). */
  reload(): Promise<void>;
  onChange(listener: (config: Config) => void): () => void;
  /** Subscribes to invalidations from other instances. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SettingsDeps {
  base: LoadedConfig;
  store: SettingsStore;
  keyring: Keyring;
  database: Database;
  changes: ChangeFeed;
  bus: EventBus;
}

function toAppError(err: unknown): never {
  if (err instanceof ConfigError) throw new AppError('invalid_setting_value', { detail: err.message });
  throw err;
}

export function createSettingsService(deps: SettingsDeps): SettingsService {
  const { base, store, keyring, changes, database, bus } = deps;
  let stored = new Map<ConfigKey, unknown>();
  let current: Config = base.config;
  const listeners = new Set<(c: Config) => void>();
  let unsubscribe: (() => void) | undefined;

  function recompute(): void {
    current = Object.freeze({ ...base.config, ...Object.fromEntries(stored) }) as Config;
    for (const l of listeners) l(current);
  }

  function decode(row: SettingsTable): unknown {
    const json = row.encrypted ? keyring.decryptString(row.value) : row.value;
    return JSON.parse(json) as unknown;
  }

  function checkRuntimeKey(key: string): ConfigKey {
    if (!isConfigKey(key))
      throw new AppError('unknown_setting', { detail: `no setting named "${key.slice(0, 80)}"` });
    if (!settingMeta(key).runtime) {
      throw new AppError('setting_not_runtime', {
        detail: `${key} is read at start-up; set it in the environment or config file`,
      });
    }
    return key;
  }

  const service: SettingsService = {
    current: () => current,
    get: (key) => current[key],
    list: () =>
      (Object.keys(base.config) as ConfigKey[]).map((key) => ({
        key,
        value: displayValue(key, current[key]),
        source: stored.has(key) ? 'database' : base.sources[key],
        runtime: runtimeKeys.includes(key),
        secret: settingMeta(key).secret === true,
      })),
    async set(values, actor) {
      const now = Date.now();
      const rows: SettingsTable[] = [];
      const changed: Record<string, unknown> = {};
      const parsed = new Map<ConfigKey, unknown>();
      for (const [rawKey, raw] of Object.entries(values)) {
        const key = checkRuntimeKey(rawKey);
        let value: unknown;
        try {
          value = parseSettingValue(key, raw, key);
        } catch (err) {
          toAppError(err);
        }
        const json = JSON.stringify(value);
        const secret = settingMeta(key).secret === true;
        rows.push({
          key,
          value: secret ? keyring.encrypt(json) : json,
          encrypted: secret ? 1 : 0,
          updated_at: now,
          updated_by: actor,
        });
        changed[key] = secret ? '[secret]' : value;
        parsed.set(key, value);
      }
      if (rows.length === 0) return;
      await database.write(async () => {
        await store.putMany(rows);
        await changes.announce(SETTINGS_CHANNEL, JSON.stringify(Object.keys(changed)));
        bus.emit({
          type: 'settings.changed',
          tenant: null,
          actor,
          target: null,
          result: 'success',
          data: { changed },
        });
      });
      // apply what was committed without reading it back (nothing that can fail after the commit)
      for (const [key, value] of parsed) stored.set(key, value);
      recompute();
    },
    async unset(key, actor) {
      const k = checkRuntimeKey(key);
      const removed = await database.write(async () => {
        if (!(await store.delete(k))) return false;
        await changes.announce(SETTINGS_CHANNEL, JSON.stringify([k]));
        bus.emit({
          type: 'settings.unset',
          tenant: null,
          actor,
          target: null,
          result: 'success',
          data: { key: k },
        });
        return true;
      });
      if (removed) {
        stored.delete(k);
        recompute();
      }
      return removed;
    },
    async reload() {
      const next = new Map<ConfigKey, unknown>();
      for (const row of await store.list()) {
        // a row for a setting this build no longer treats as runtime is ignored, not fatal
        if (isConfigKey(row.key) && settingMeta(row.key).runtime) next.set(row.key, decode(row));
      }
      stored = next;
      recompute();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      await service.reload();
      unsubscribe ??= changes.subscribe(SETTINGS_CHANNEL, () => {
        service.reload().catch(() => {});
      });
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
  return service;
}
