/**
 * Master-key loading: keys from GATEKEEPER_MASTER_KEYS are validated without echoing them; embedded
 * mode creates a 0600 key file once and reads it back; PostgreSQL mode refuses to start without keys;
 * `checkMasterKeys` is pure.
 */
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/app-error.ts';
import { fernetDecrypt, generateFernetKey, parseFernetKey } from './fernet.ts';
import { checkMasterKeys, loadMasterKeys } from './master-keys.ts';

let dir: string;
let warnings: string[];
const warn = (line: string) => warnings.push(line);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gk-master-keys-'));
  warnings = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('checkMasterKeys', () => {
  it('parses comma-separated keys newest first, trimming whitespace', () => {
    const [a, b] = [generateFernetKey(), generateFernetKey()];
    const keys = checkMasterKeys(` ${a} ,\n${b} `);
    expect(keys.map((k) => k.id)).toEqual([parseFernetKey(a).id, parseFernetKey(b).id]);
  });

  it('names the malformed entry and the setting without echoing the key', () => {
    const bad = generateFernetKey().slice(0, 30);
    const err = configError(() => checkMasterKeys(`${generateFernetKey()},${bad}`));
    expect(err.setting).toBe('GATEKEEPER_MASTER_KEYS');
    expect(err.message).toBe('GATEKEEPER_MASTER_KEYS: entry 2 is not a 32-byte base64url Fernet key');
    expect(err.message).not.toContain(bad);
  });

  it('refuses empty and repeated entries', () => {
    const key = generateFernetKey();
    expect(configError(() => checkMasterKeys(`${key},,${generateFernetKey()}`)).message).toContain(
      'entry 2 is empty',
    );
    expect(configError(() => checkMasterKeys(`${key},`)).message).toContain('entry 2 is empty');
    expect(configError(() => checkMasterKeys('  ')).message).toContain('is empty');
    expect(configError(() => checkMasterKeys(`${key},${key}`)).message).toContain('entry 2 repeats entry 1');
  });

  it('writes nothing', async () => {
    checkMasterKeys(generateFernetKey());
    expect(() => checkMasterKeys('x')).toThrow(ConfigError);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('loadMasterKeys', () => {
  it('uses the configured keys and writes no file', async () => {
    const key = generateFernetKey();
    const { keyring, source } = await loadMasterKeys({ configured: key, dataDir: dir, embedded: true, warn });
    expect(source).toBe('env');
    expect(keyring.primaryId).toBe(parseFernetKey(key).id);
    expect(warnings).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects a malformed configured key even in embedded mode', async () => {
    await expect(loadMasterKeys({ configured: 'nope', dataDir: dir, embedded: true, warn })).rejects.toThrow(
      'GATEKEEPER_MASTER_KEYS: entry 1 is not a 32-byte base64url Fernet key',
    );
  });

  it('refuses to start without keys outside embedded mode', async () => {
    const attempt = loadMasterKeys({ configured: undefined, dataDir: dir, embedded: false, warn });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(
      'GATEKEEPER_MASTER_KEYS: required when GATEKEEPER_DATABASE_URL is PostgreSQL',
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('creates a 0600 key file in embedded mode, warns once, and reads the same key next time', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const first = await loadMasterKeys({ configured: undefined, dataDir, embedded: true, warn });
    expect(first.source).toBe('file');
    const path = join(dataDir, 'master.key');
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`GATEKEEPER_MASTER_KEYS is not set: using the key file ${path}`);
    const text = await readFile(path, 'utf8');
    expect(warnings[0]).not.toContain(text.trim());

    warnings = [];
    const second = await loadMasterKeys({ configured: '', dataDir, embedded: true, warn });
    expect(second.keyring.primaryId).toBe(first.keyring.primaryId);
    expect(second.keyring.decryptString(first.keyring.encrypt('seed'))).toBe('seed');
    expect(warnings).toHaveLength(1);
  });

  it('agrees on one key when several processes start at once', async () => {
    const loads = await Promise.all(
      Array.from({ length: 8 }, () =>
        loadMasterKeys({ configured: undefined, dataDir: dir, embedded: true, warn }),
      ),
    );
    expect(new Set(loads.map((l) => l.keyring.primaryId)).size).toBe(1);
  });

  it('reads several keys from the file, newest first, skipping blanks and comments', async () => {
    const [a, b] = [generateFernetKey(), generateFernetKey()];
    await writeFile(join(dir, 'master.key'), `# rotated 2030-01-01\n${a}\n\n${b}\n`, { mode: 0o600 });
    const { keyring } = await loadMasterKeys({ configured: undefined, dataDir: dir, embedded: true, warn });
    expect(keyring.keyIds).toEqual([parseFernetKey(a).id, parseFernetKey(b).id]);
    expect(fernetDecrypt([parseFernetKey(a)], keyring.encrypt('x')).key.id).toBe(parseFernetKey(a).id);
  });

  it('warns when the key file is readable by others', async () => {
    if (process.platform === 'win32') return;
    const path = join(dir, 'master.key');
    await writeFile(path, `${generateFernetKey()}\n`);
    await chmod(path, 0o644);
    await loadMasterKeys({ configured: undefined, dataDir: dir, embedded: true, warn });
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain('mode 0644');
    expect(warnings[1]).toContain(`chmod 600 ${path}`);
  });

  it('names the bad line of a corrupt key file without echoing it', async () => {
    const path = join(dir, 'master.key');
    await writeFile(path, `${generateFernetKey()}\nnot-a-key\n`, { mode: 0o600 });
    const err = await loadMasterKeys({ configured: undefined, dataDir: dir, embedded: true, warn }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(`line 2 of the key file ${path} is not a 32-byte base64url Fernet key`);
    expect(err.message).not.toContain('not-a-key');
  });

  it('refuses an empty key file', async () => {
    await writeFile(join(dir, 'master.key'), '\n# nothing\n', { mode: 0o600 });
    await expect(
      loadMasterKeys({ configured: undefined, dataDir: dir, embedded: true, warn }),
    ).rejects.toThrow('holds no key');
  });
});
