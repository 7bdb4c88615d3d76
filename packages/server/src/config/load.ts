/**
 * Builds the effective configuration from defaults, the config file, the environment and command-line
 * flags (`serve --host/--port`), validates it once and freezes it. Pure: reads, never writes (bad
 * configuration must stop start-up before anything is created). Every mistake is a `ConfigError`
 * whose one-line message names the setting as the operator set it. An unset public URL is derived
 * from the listen address. Runtime settings stored in the database are layered on later by the
 * settings service.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
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

export type ConfigSource = 'default' | 'file' | 'env' | 'flag' | 'database';

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

// Settings are checked with Ajv, which the request path loads anyway (typebox/value is 300 more
// modules at start-up: issue 6 §9). A setting's checker is compiled when a value for it is first
// given; `format` is not checked here (publicUrl is parsed below, with its own message).
let settingsAjv: Ajv | undefined;
const checkers = new Map<ConfigKey, ValidateFunction>();
function checkerOf(key: ConfigKey): ValidateFunction {
  let check = checkers.get(key);
  if (!check) {
    settingsAjv ??= new Ajv({ strict: false, validateFormats: false, validateSchema: false });
    check = settingsAjv.compile(settingSchemas[key]);
    checkers.set(key, check);
  }
  return check;
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
  const check = checkerOf(key);
  if (!check(value)) {
    const first = check.errors?.[0];
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

/** `port` → `--port`: the command-line flag of a setting. */
export function flagNameOf(key: ConfigKey): string {
  return `--${key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
}

/** How the operator set `key`, for error messages: `--port`, `port (in FILE)` or `GATEKEEPER_PORT`. */
export function settingNameOf(loaded: LoadedConfig, key: ConfigKey): string {
  const source = loaded.sources[key];
  if (source === 'flag') return flagNameOf(key);
  if (source === 'file') return `${key} (in ${loaded.file})`;
  return envNameOf(key);
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** From `--config`; wins over GATEKEEPER_CONFIG. */
  configFile?: string;
  /** Raw values of command-line flags (`serve --port 8081`): the highest start-up precedence. */
  flags?: Partial<Record<ConfigKey, string>>;
}

/**
 * Loads configuration: defaults < config file < environment < flags. Unknown keys in the file and
 * unknown GATEKEEPER_* variables are errors, not silently ignored. When the public URL is not set
 * anywhere it is derived from the listen host and port (its source stays `default`).
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
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

  for (const [key, raw] of Object.entries(options.flags ?? {}) as [ConfigKey, string | undefined][]) {
    if (raw === undefined) continue;
    values[key] = parseSettingValue(key, raw, flagNameOf(key));
    sources[key] = 'flag';
  }

  const loaded = { config: values as Config, sources, file };
  if (sources.publicUrl === 'default') {
    try {
      values.publicUrl = derivePublicUrl(values.host as string, values.port as number);
    } catch {
      throw new ConfigError(
        settingNameOf(loaded, 'host'),
        `not a host name or address: "${shorten(String(values.host))}"`,
      );
    }
  }
  return { config: Object.freeze(values) as Config, sources: Object.freeze(sources), file };
}

const LOOPBACK_OR_ANY = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0', '::', '[::]', '']);

/**
 * The public URL used when none is configured: `http://localhost:<port>` when listening on loopback
 * (or on every interface, where localhost is the one name sure to reach this process), otherwise
 * `http://<host>:<port>`. Plain HTTP either way, so it only suits development; start-up warns.
 *
 * @example
 * derivePublicUrl('127.0.0.1', 18080); // → 'http://localhost:18080'
 * derivePublicUrl('10.0.0.5', 8080);   // → 'http://10.0.0.5:8080'
 */
export function derivePublicUrl(host: string, port: number): string {
  const name = LOOPBACK_OR_ANY.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return new URL(`http://${name}:${port}`).toString().replace(/\/$/, '');
}

/**
 * The configuration with the port the server actually bound (`port` 0 picks one): a derived public
 * URL is derived again from it, so the setup link and every issuer name the real port.
 */
export function withBoundPort(loaded: LoadedConfig, port: number): LoadedConfig {
  if (loaded.sources.publicUrl !== 'default' || loaded.config.port === port) return loaded;
  const publicUrl = derivePublicUrl(loaded.config.host, port);
  return { ...loaded, config: Object.freeze({ ...loaded.config, publicUrl }) };
}

/** The database URL in effect: the configured one, or the embedded SQLite file in dataDir. */
export function effectiveDatabaseUrl(config: Config): string {
  return config.databaseUrl || `sqlite:${resolve(config.dataDir, 'gatekeeper.db')}`;
}

/** True in embedded mode (SQLite). */
export function isEmbedded(config: Config): boolean {
  return !/^postgres(ql)?:/i.test(effectiveDatabaseUrl(config));
}

/**
 * One warning line per insecure development default in effect. `publicUrlDerived`: the public URL
 * was not configured but derived from the listen address (one line says so, in place of the
 * plain-HTTP line).
 */
export function insecureDefaultWarnings(config: Config, publicUrlDerived = false): string[] {
  const lines: string[] = [];
  const url = new URL(config.publicUrl);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (publicUrlDerived) {
    lines.push(
      `GATEKEEPER_PUBLIC_URL is not set: using ${config.publicUrl}, derived from the listen address (plain HTTP, for development only); set it to the URL clients use`,
    );
  } else if (url.protocol === 'http:') {
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
    return key === 'databaseUrl' || key === 'redisUrl' || key === 'smtpUrl'
      ? value.replace(/\/\/[^/@]*@/, '//***@')
      : '********';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}
