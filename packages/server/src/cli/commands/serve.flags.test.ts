/**
 * `gatekeeper serve --host H --port P --config FILE` as real processes: precedence is flag >
 * environment > config file > defaults, and a bad or unusable flag value is one line naming the flag.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, holdPort, launcher, spawnServe } from '../../../test/serve-process.ts';

async function listensOn(args: string[], env: Record<string, string>): Promise<number> {
  const proc = spawnServe({ args: [launcher, 'serve', ...args], env });
  try {
    return (await proc.ready).port;
  } finally {
    await proc.stop();
  }
}

describe('serve --host / --port / --config', () => {
  it('takes the port from the flag over the environment over the config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-serve-flags-'));
    const [filePort, envPort, flagPort] = [await freePort(), await freePort(), await freePort()];
    const file = join(dir, 'gatekeeper.json');
    writeFileSync(file, JSON.stringify({ port: filePort, dataDir: join(dir, 'data') }));

    // --config after the command name, and nothing else: the file's port
    expect(await listensOn(['--config', file], {})).toBe(filePort);
    // the environment beats the file
    expect(await listensOn(['--config', file], { GATEKEEPER_PORT: String(envPort) })).toBe(envPort);
    // the flags beat both (a host in the environment that could never be bound is overridden too)
    const env = { GATEKEEPER_PORT: String(envPort), GATEKEEPER_HOST: '192.0.2.1' };
    expect(await listensOn(['--config', file, '--port', String(flagPort), '--host', '127.0.0.1'], env)).toBe(
      flagPort,
    );
  });

  it('names the flag when its value is bad or its port is taken', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gk-serve-flags-'));
    const bad = spawnServe({
      args: [launcher, 'serve', '--port', 'eighty'],
      env: { GATEKEEPER_DATA_DIR: dataDir },
    });
    expect((await bad.exited).code).toBe(2);
    expect(bad.stderr().trim()).toBe('gatekeeper: --port: expected an integer, got "eighty"');

    const held = await holdPort();
    try {
      const taken = spawnServe({
        args: [launcher, 'serve', '--port', String(held.port)],
        env: { GATEKEEPER_DATA_DIR: dataDir, GATEKEEPER_PORT: '0' },
      });
      expect((await taken.exited).code).toBe(2);
      expect(taken.stderr().trim()).toBe(`gatekeeper: --port: 127.0.0.1:${held.port} is already in use`);
    } finally {
      await held.close();
    }
  });
});
