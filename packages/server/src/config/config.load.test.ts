/**
 * Configuration: precedence (defaults < file < env < flags), strict validation with one line naming
 * the setting as the operator set it, a public URL derived from the listen address when unset, and
 * nothing written when configuration is bad.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/app-error.ts';
import {
  derivePublicUrl,
  effectiveDatabaseUrl,
  insecureDefaultWarnings,
  isEmbedded,
  loadConfig,
  settingNameOf,
  withBoundPort,
} from './load.ts';
import { envNameOf } from './schema.ts';

function fileWith(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gk-conf-'));
  const path = join(dir, 'gatekeeper.json');
  writeFileSync(path, content);
  return path;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration loading', () => {
  it('has documented defaults', () => {
    const { config, sources } = loadConfig({ env: {} });
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe('./data');
    expect(sources.port).toBe('default');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('layers file over defaults and environment over file', () => {
    const file = fileWith(JSON.stringify({ port: 9000, logLevel: 'debug', host: '0.0.0.0' }));
    const { config, sources } = loadConfig({ env: { GATEKEEPER_PORT: '9100' }, configFile: file });
    expect(config.port).toBe(9100);
    expect(sources.port).toBe('env');
    expect(config.logLevel).toBe('debug');
    expect(sources.logLevel).toBe('file');
  });

  it('layers flags over the environment and the file', () => {
    const file = fileWith(JSON.stringify({ port: 9000, host: '0.0.0.0' }));
    const env = { GATEKEEPER_PORT: '9100', GATEKEEPER_HOST: '10.0.0.1' };
    const { config, sources } = loadConfig({
      env,
      configFile: file,
      flags: { port: '9200', host: undefined },
    });
    expect(config.port).toBe(9200);
    expect(sources.port).toBe('flag');
    expect(config.host).toBe('10.0.0.1');
    expect(sources.host).toBe('env');
  });

  it('refuses a bad flag naming the flag, and names settings as the operator set them', () => {
    const err = errorOf(() => loadConfig({ env: {}, flags: { port: 'eighty' } }));
    expect(err.message).toBe('--port: expected an integer, got "eighty"');
    const file = fileWith(JSON.stringify({ host: '127.0.0.1' }));
    const loaded = loadConfig({ env: { GATEKEEPER_DATA_DIR: '/x' }, configFile: file, flags: { port: '1' } });
    expect(settingNameOf(loaded, 'port')).toBe('--port');
    expect(settingNameOf(loaded, 'host')).toBe(`host (in ${file})`);
    expect(settingNameOf(loaded, 'dataDir')).toBe('GATEKEEPER_DATA_DIR');
    expect(settingNameOf(loaded, 'publicUrl')).toBe('GATEKEEPER_PUBLIC_URL');
  });

  it.each([
    ['127.0.0.1', 18080, 'http://localhost:18080'],
    ['localhost', 18080, 'http://localhost:18080'],
    ['::1', 18080, 'http://localhost:18080'],
    ['0.0.0.0', 8080, 'http://localhost:8080'],
    ['::', 8080, 'http://localhost:8080'],
    ['10.0.0.5', 8080, 'http://10.0.0.5:8080'],
    ['fd00::5', 8080, 'http://[fd00::5]:8080'],
    ['id.internal', 80, 'http://id.internal'],
  ])('derives the public URL from host %s and port %d', (host, port, url) => {
    expect(derivePublicUrl(host, port)).toBe(url);
  });

  it('uses the derived public URL only while none is configured, and re-derives it for a bound port', () => {
    const derived = loadConfig({ env: { GATEKEEPER_PORT: '18080' } });
    expect(derived.config.publicUrl).toBe('http://localhost:18080');
    expect(derived.sources.publicUrl).toBe('default');
    const any = loadConfig({ env: { GATEKEEPER_PORT: '0' } });
    expect(withBoundPort(any, 40123).config.publicUrl).toBe('http://localhost:40123');
    expect(Object.isFrozen(withBoundPort(any, 40123).config)).toBe(true);
    const set = loadConfig({
      env: { GATEKEEPER_PORT: '0', GATEKEEPER_PUBLIC_URL: 'https://id.example.com/' },
    });
    expect(withBoundPort(set, 40123).config.publicUrl).toBe('https://id.example.com');
    expect(errorOf(() => loadConfig({ env: { GATEKEEPER_HOST: 'bad host' } })).setting).toBe(
      'GATEKEEPER_HOST',
    );
  });

  it('reads the file named by GATEKEEPER_CONFIG; --config wins', () => {
    const a = fileWith(JSON.stringify({ port: 1111 }));
    const b = fileWith(JSON.stringify({ port: 2222 }));
    expect(loadConfig({ env: { GATEKEEPER_CONFIG: a } }).config.port).toBe(1111);
    expect(loadConfig({ env: { GATEKEEPER_CONFIG: a }, configFile: b }).config.port).toBe(2222);
  });

  it.each([
    [{ GATEKEEPER_PORT: 'eighty' }, 'GATEKEEPER_PORT', /integer/],
    [{ GATEKEEPER_PORT: '70000' }, 'GATEKEEPER_PORT', /65535/],
    [{ GATEKEEPER_PORT: 'Infinity' }, 'GATEKEEPER_PORT', /integer/],
    [{ GATEKEEPER_TRUST_PROXY: 'maybe' }, 'GATEKEEPER_TRUST_PROXY', /true or false/],
    [{ GATEKEEPER_LOG_LEVEL: 'loud' }, 'GATEKEEPER_LOG_LEVEL', /one of/],
    [{ GATEKEEPER_PUBLIC_URL: 'not a url' }, 'GATEKEEPER_PUBLIC_URL', /URL|uri/],
    [{ GATEKEEPER_PUBLIC_URL: 'ftp://x.example' }, 'GATEKEEPER_PUBLIC_URL', /http/],
    [{ GATEKEEPER_NOPE: '1' }, 'GATEKEEPER_NOPE', /unknown setting/],
  ])('refuses %o naming the setting', (env, setting, message) => {
    const err = errorOf(() => loadConfig({ env }));
    expect(err.setting).toBe(setting);
    expect(err.message.startsWith(`${setting}: `)).toBe(true);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
  });

  it('refuses unknown keys and wrong types in the file', () => {
    expect(errorOf(() => loadConfig({ env: {}, configFile: fileWith('{"prot": 1}') })).message).toMatch(
      /prot .*unknown setting/,
    );
    expect(errorOf(() => loadConfig({ env: {}, configFile: fileWith('{"port": "x"}') })).message).toMatch(
      /port/,
    );
    expect(errorOf(() => loadConfig({ env: {}, configFile: fileWith('{nope') })).setting).toBe(
      'GATEKEEPER_CONFIG',
    );
    expect(errorOf(() => loadConfig({ env: {}, configFile: '/nonexistent/gk.json' })).setting).toBe(
      'GATEKEEPER_CONFIG',
    );
  });

  it('never echoes a secret value in an error', () => {
    const err = errorOf(() => loadConfig({ env: { GATEKEEPER_MASTER_KEYS: 'k'.repeat(9000) } }));
    expect(err.setting).toBe('GATEKEEPER_MASTER_KEYS');
    expect(err.message).not.toContain('kkkk');
  });

  it('ignores the test-harness variables', () => {
    expect(() => loadConfig({ env: { GATEKEEPER_TEST_POSTGRES_URL: 'postgres://x' } })).not.toThrow();
  });

  it('writes nothing while loading, even for the embedded default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-nowrite-'));
    loadConfig({ env: { GATEKEEPER_DATA_DIR: join(dir, 'data') } });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('derives the embedded database URL and the deployment mode', () => {
    const embedded = loadConfig({ env: { GATEKEEPER_DATA_DIR: '/var/lib/gk' } }).config;
    expect(effectiveDatabaseUrl(embedded)).toBe('sqlite:/var/lib/gk/gatekeeper.db');
    expect(isEmbedded(embedded)).toBe(true);
    const pg = loadConfig({ env: { GATEKEEPER_DATABASE_URL: 'postgres://u@h/db' } }).config;
    expect(isEmbedded(pg)).toBe(false);
  });

  it('prints one warning line per insecure default', () => {
    const lines = insecureDefaultWarnings(loadConfig({ env: {} }).config);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GATEKEEPER_PUBLIC_URL/);
    const exposed = insecureDefaultWarnings(
      loadConfig({ env: { GATEKEEPER_PUBLIC_URL: 'http://id.example.com', GATEKEEPER_HOST: '0.0.0.0' } })
        .config,
    );
    expect(exposed).toHaveLength(2);
    expect(
      insecureDefaultWarnings(
        loadConfig({ env: { GATEKEEPER_PUBLIC_URL: 'https://id.example.com' } }).config,
      ),
    ).toEqual([]);
    // a derived URL: one line saying so, in place of the plain-HTTP line
    const derived = insecureDefaultWarnings(loadConfig({ env: { GATEKEEPER_PORT: '18080' } }).config, true);
    expect(derived).toEqual([
      'GATEKEEPER_PUBLIC_URL is not set: using http://localhost:18080, derived from the listen address (plain HTTP, for development only); set it to the URL clients use',
    ]);
  });

  it('names environment variables after keys', () => {
    expect(envNameOf('publicUrl')).toBe('GATEKEEPER_PUBLIC_URL');
    expect(envNameOf('argon2MemoryKib')).toBe('GATEKEEPER_ARGON2_MEMORY_KIB');
  });
});
