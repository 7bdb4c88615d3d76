/**
 * Runtime settings: the highest-precedence configuration source. Only settings marked `runtime` in
 * the schema may be stored; every value is validated with the same rules as start-up configuration.
 * A change is written to the database, then announced on the shared-state channel so every instance
 * reloads within a moment — no restart. Secret values are stored encrypted and never shown.
 */

import { type ConfigSource, displayValue, type LoadedConfig, parseSettingValue } from '../../config/load.ts';
import type { Config, ConfigKey } from '../../config/schema.ts';
import { isConfigKey, runtimeKeys, settingMeta } from '../../config/schema.ts';
import type { Keyring } from '../../crypto/fernet.ts';
import { AppError, ConfigError } from '../../errors/app-error.ts';
import type { EventBus } from '../../events/event-bus.ts';
import type { SharedState } from '../../state/state.ts';
import type { SettingsTable } from '../../storage/tables.ts';
import type { SettingsStore } from './store.ts';

export const SETTINGS_CHANNEL = 'settings.changed';

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
  state: SharedState;
  bus: EventBus;
}

function toAppError(err: unknown): never {
  if (err instanceof ConfigError) throw new AppError('invalid_setting_value', { detail: err.message });
  throw err;
}

export function createSettingsService(deps: SettingsDeps): SettingsService {
  const { base, store, keyring, state, bus } = deps;
  let stored = new Map<ConfigKey, unknown>();
  let current: Config = base.config;
  const listeners = new Set<(c: Config) => void>();
  let unsubscribe: (() => Promise<void>) | undefined;

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
      }
      if (rows.length === 0) return;
      await store.putMany(rows);
      await service.reload();
      await state.publish(SETTINGS_CHANNEL, JSON.stringify(Object.keys(changed)));
      bus.emit({
        type: 'settings.changed',
        tenant: null,
        actor,
        target: null,
        result: 'success',
        data: { changed },
      });
    },
    async unset(key, actor) {
      const k = checkRuntimeKey(key);
      const removed = await store.delete(k);
      if (removed) {
        await service.reload();
        await state.publish(SETTINGS_CHANNEL, JSON.stringify([k]));
        bus.emit({
          type: 'settings.unset',
          tenant: null,
          actor,
          target: null,
          result: 'success',
          data: { key: k },
        });
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
      unsubscribe = await state.subscribe(SETTINGS_CHANNEL, () => {
        service.reload().catch(() => {});
      });
    },
    async stop() {
      await unsubscribe?.();
      unsubscribe = undefined;
    },
  };
  return service;
}
