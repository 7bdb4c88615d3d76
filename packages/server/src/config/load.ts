/**
 * Builds the effective configuration from defaults, the config file and the environment, validates
 * it once and freezes it. Pure: reads, never writes (bad configuration must stop start-up before
 * anything is created). Every mistake is a `ConfigError` whose one-line message names the setting.
 * Runtime settings stored in the database are layered on later by the settings service.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Value from 'typebox/value';
import { ConfigError } from '../errors/app-error.ts';
import {
  type Config,
  type ConfigKey,
  configKeys,
  envNameOf,
  isConfigKey,
  settingMeta,
  settingSchemas,
} from './schema.ts';

export type ConfigSource = 'default' | 'file' | 'env' | 'database';

export interface LoadedConfig {
  readonly config: Config;
  readonly sources: Readonly<Record<ConfigKey, ConfigSource>>;
  /** Path of the config file read, if any. */
  readonly file: string | undefined;
}

/** Environment variables that are not settings but are allowed to share the prefix. */
const RESERVED_ENV = new Set(['GATEKEEPER_CONFIG', 'GATEKEEPER_DEBUG']);
const RESERVED_ENV_PREFIXES = ['GATEKEEPER_TEST_'];

const envToKey = new Map(configKeys.map((k) => [envNameOf(k), k]));

function schemaType(key: ConfigKey): string {
  const s = settingSchemas[key];
  return typeof s.type === 'string' ? s.type : 'string';
}

/** Converts a raw (string or JSON) value to the setting's type and validates it. */
export function parseSettingValue(key: ConfigKey, raw: unknown, settingName: string): Config[ConfigKey] {
  let value = raw;
  if (typeof raw === 'string') {
    const type = schemaType(key);
    if (type === 'integer' || type === 'number') {
      if (!/^-?\d+$/.test(raw.trim()))
        throw new ConfigError(settingName, `expected an integer, got "${shorten(raw)}"`);
      value = Number(raw.trim());
    } else if (type === 'boolean') {
      const v = raw.trim().toLowerCase();
      if (!['true', 'false', '1', '0', 'yes', 'no'].includes(v)) {
        throw new ConfigError(settingName, `expected true or false, got "${shorten(raw)}"`);
      }
      value = ['true', '1', 'yes'].includes(v);
    }
  }
  const schema = settingSchemas[key];
  if (!Value.Check(schema, value)) {
    const first = Value.Errors(schema, value)[0];
    const shown = settingMeta(key).secret ? '(hidden)' : JSON.stringify(value);
    const choices = Array.isArray(schema.anyOf)
      ? (schema.anyOf as { const?: unknown }[]).map((x) => x.const)
      : null;
    const why = choices ? `must be one of ${choices.join(', ')}` : first ? first.message : 'invalid value';
    throw new ConfigError(settingName, `${why}: ${shorten(String(shown))}`);
  }
  if (key === 'publicUrl') return normalisePublicUrl(value as string, settingName);
  if (typeof value === 'string' && value.includes('\0'))
    throw new ConfigError(settingName, 'contains a NUL byte');
  return value as Config[ConfigKey];
}

function normalisePublicUrl(value: string, settingName: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(settingName, `not a URL: "${shorten(value)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(settingName, 'must be http: or https:');
  if (url.search || url.hash || url.username)
    throw new ConfigError(settingName, 'must not contain a query, fragment or credentials');
  return url.toString().replace(/\/$/, '');
}

function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      'GATEKEEPER_CONFIG',
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('GATEKEEPER_CONFIG', `${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('GATEKEEPER_CONFIG', `${path} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Loads configuration. `configFile` (from `--config`) wins over GATEKEEPER_CONFIG.
 * Unknown keys in the file and unknown GATEKEEPER_* variables are errors, not silently ignored.
 */
export function loadConfig(options: { env?: NodeJS.ProcessEnv; configFile?: string } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const values: Record<string, unknown> = {};
  const sources = {} as Record<ConfigKey, ConfigSource>;
  for (const key of configKeys) {
    values[key] = settingSchemas[key].default;
    sources[key] = 'default';
  }

  const fileArg = options.configFile ?? env.GATEKEEPER_CONFIG;
  const file = fileArg ? resolve(fileArg) : undefined;
  if (file) {
    for (const [key, raw] of Object.entries(readConfigFile(file))) {
      if (!isConfigKey(key)) throw new ConfigError(`${key} (in ${file})`, 'unknown setting');
      values[key] = parseSettingValue(key, raw, `${key} (in ${file})`);
      sources[key] = 'file';
    }
  }

  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('GATEKEEPER_') || raw === undefined) continue;
    if (RESERVED_ENV.has(name) || RESERVED_ENV_PREFIXES.some((p) => name.startsWith(p))) continue;
    const key = envToKey.get(name);
    if (!key) throw new ConfigError(name, 'unknown setting (see docs/configuration.md)');
    values[key] = parseSettingValue(key, raw, name);
    sources[key] = 'env';
  }

  return { config: Object.freeze(values) as Config, sources: Object.freeze(sources), file };
}

/** The database URL in effect: the configured one, or the embedded SQLite file in dataDir. */
export function effectiveDatabaseUrl(config: Config): string {
  return config.databaseUrl || `sqlite:${resolve(config.dataDir, 'gatekeeper.db')}`;
}

/** True in embedded mode (SQLite). */
export function isEmbedded(config: Config): boolean {
  return !/^postgres(ql)?:/i.test(effectiveDatabaseUrl(config));
}

/** One warning line per insecure development default in effect. */
export function insecureDefaultWarnings(config: Config): string[] {
  const lines: string[] = [];
  const url = new URL(config.publicUrl);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:') {
    lines.push(
      local
        ? `GATEKEEPER_PUBLIC_URL is ${config.publicUrl}: plain HTTP on localhost is for development only (cookies are not Secure)`
        : `GATEKEEPER_PUBLIC_URL is ${config.publicUrl}: plain HTTP on a non-local host exposes sessions; use https`,
    );
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(config.host) && url.protocol === 'http:') {
    lines.push(`GATEKEEPER_HOST is ${config.host}: listening beyond loopback without TLS in front`);
  }
  return lines;
}

/** Masks a secret setting's value for display. */
export function displayValue(key: ConfigKey, value: unknown): string {
  if (settingMeta(key).secret && typeof value === 'string' && value !== '') {
    return key === 'databaseUrl' || key === 'redisUrl' ? value.replace(/\/\/[^/@]*@/, '//***@') : '********';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}
