/**
 * Loads the master keys that encrypt secrets at rest (ARCHITECTURE.md §5.1). They come from
 * GATEKEEPER_MASTER_KEYS (comma-separated, newest first) and never enter the database. Only the
 * embedded (SQLite) mode may fall back to a key file in the data directory, created on first start
 * with mode 0600, and says so loudly; a PostgreSQL deployment must supply its keys.
 */
import { constants } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, ConfigError } from '../errors/app-error.ts';
import { type FernetKey, generateFernetKey, Keyring, parseFernetKey } from './fernet.ts';

const SETTING = 'GATEKEEPER_MASTER_KEYS';
const KEY_FILE_NAME = 'master.key';
/** How long to wait for a key file another process has just created but not yet written. */
const KEY_FILE_WAIT_ATTEMPTS = 20;
const KEY_FILE_WAIT_MS = 50;

export type LoadMasterKeysOptions = {
  /** The raw GATEKEEPER_MASTER_KEYS value; undefined or blank means "not set". */
  configured: string | undefined;
  /** The data directory holding `master.key` in embedded mode. */
  dataDir: string;
  /** True when the database is the embedded SQLite one (the only mode allowed a key file). */
  embedded: boolean;
  /** Receives one-line operator warnings (never key material). */
  warn: (line: string) => void;
};

/**
 * Validates a GATEKEEPER_MASTER_KEYS value without touching the disk, so configuration can be checked
 * before anything is written. Entries are trimmed; empty, malformed or repeated entries are refused
 * with a ConfigError naming the entry by position (the key itself is never echoed).
 *
 * @example
 * checkMasterKeys(`${newKey}, ${oldKey}`); // → [FernetKey, FernetKey], newest first
 */
export function checkMasterKeys(configured: string): FernetKey[] {
  const entries = configured.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) throw new ConfigError(SETTING, 'is empty');
  return parseKeyList(entries, (position) => `entry ${position}`);
}

/**
 * Returns the keyring built from GATEKEEPER_MASTER_KEYS when set. Otherwise, in embedded mode, reads
 * `<dataDir>/master.key` (one key per line, newest first) or creates it, and warns; outside embedded
 * mode a missing setting is a ConfigError.
 *
 * @example
 * const { keyring, source } = await loadMasterKeys({
 *   configured: process.env.GATEKEEPER_MASTER_KEYS, dataDir: './data', embedded: true, warn: log.warn,
 * });
 */
export async function loadMasterKeys(
  opts: LoadMasterKeysOptions,
): Promise<{ keyring: Keyring; source: 'env' | 'file' }> {
  if (opts.configured !== undefined && opts.configured.trim() !== '') {
    return { keyring: new Keyring(checkMasterKeys(opts.configured)), source: 'env' };
  }
  if (!opts.embedded) throw new ConfigError(SETTING, 'required when GATEKEEPER_DATABASE_URL is PostgreSQL');

  const path = join(opts.dataDir, KEY_FILE_NAME);
  opts.warn(
    `${SETTING} is not set: using the key file ${path}; set master keys from a secret store in production`,
  );
  const keys = await readOrCreateKeyFile(opts.dataDir, path, opts.warn);
  return { keyring: new Keyring(keys), source: 'file' };
}

async function readOrCreateKeyFile(
  dataDir: string,
  path: string,
  warn: (line: string) => void,
): Promise<FernetKey[]> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = generateFernetKey();
  try {
    // 'wx' fails with EEXIST instead of overwriting, so two processes starting together cannot
    // each write a different key: the loser reads the winner's file.
    await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return [parseFernetKey(key)];
  } catch (err) {
    if (!isErrorCode(err, 'EEXIST')) throw err;
  }
  await warnIfWidelyReadable(path, warn);
  return parseKeyFile(path, await readWrittenFile(path));
}

/** Reads the key file, waiting briefly if a concurrent creator has opened it but not yet written. */
async function readWrittenFile(path: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const text = await readFile(path, 'utf8');
    if (text.trim() !== '' || attempt >= KEY_FILE_WAIT_ATTEMPTS) return text;
    await sleep(KEY_FILE_WAIT_MS);
  }
}

async function warnIfWidelyReadable(path: string, warn: (line: string) => void): Promise<void> {
  if (process.platform === 'win32') return;
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & (constants.S_IRWXG | constants.S_IRWXO)) !== 0) {
    warn(
      `the key file ${path} has mode ${mode.toString(8).padStart(4, '0')}; restrict it with: chmod 600 ${path}`,
    );
  }
}

function parseKeyFile(path: string, text: string): FernetKey[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const numbered = lines.map((line, index) => ({ line, number: index + 1 }));
  const keyLines = numbered.filter(({ line }) => line !== '' && !line.startsWith('#'));
  if (keyLines.length === 0) throw new ConfigError(SETTING, `the key file ${path} holds no key`);
  return parseKeyList(
    keyLines.map(({ line }) => line),
    (position) => `line ${keyLines[position - 1]?.number} of the key file ${path}`,
  );
}

/** Parses keys in order; `describe(position)` names an entry (1-based) in error messages. */
function parseKeyList(entries: readonly string[], describe: (position: number) => string): FernetKey[] {
  const keys: FernetKey[] = [];
  entries.forEach((entry, index) => {
    const position = index + 1;
    if (entry === '') throw new ConfigError(SETTING, `${describe(position)} is empty`);
    const key = parseOrNull(entry);
    if (key === null)
      throw new ConfigError(SETTING, `${describe(position)} is not a 32-byte base64url Fernet key`);
    const earlier = keys.findIndex((other) => other.id === key.id);
    if (earlier !== -1)
      throw new ConfigError(SETTING, `${describe(position)} repeats ${describe(earlier + 1)}`);
    keys.push(key);
  });
  return keys;
}

function parseOrNull(entry: string): FernetKey | null {
  try {
    return parseFernetKey(entry);
  } catch (err) {
    if (err instanceof AppError && err.code === 'invalid_master_key') return null;
    throw err;
  }
}

function isErrorCode(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
