/**
 * Without GATEKEEPER_PUBLIC_URL, the real `gatekeeper serve` derives its public URL from where it
 * listens — `http://localhost:<port>` on loopback, the bound port when the port is 0 — and warns
 * once that it did. The setup link, every tenant issuer and the OpenAPI server all use it; a
 * configured URL is used as is, without that warning.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, freePort, launcher, setupLinksIn, spawnServe } from '../test/serve-process.ts';

/** Starts serve, reads what it says about its URL through every consumer, stops it. */
async function observe(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gk-public-url-'));
  const all = { GATEKEEPER_DATA_DIR: dataDir, ...env };
  const token = spawnSync(
    process.execPath,
    [launcher, 'admin', 'token', 'create', '--name', 't', '--abilities', '*'],
    {
      env: cleanEnv(all),
      encoding: 'utf8',
    },
  ).stdout.trim();
  const proc = spawnServe({ env: all });
  try {
    const { port } = await proc.ready;
    const base = `http://127.0.0.1:${port}`;
    const tenant = (await (
      await fetch(`${base}/api/v1/tenants/root`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { issuer: string };
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { servers: { url: string }[] };
    const warnings = proc.stdout
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .filter((e) => e.level === 40 && e.msg.includes('GATEKEEPER_PUBLIC_URL'))
      .map((e) => e.msg);
    return {
      port,
      links: setupLinksIn(proc.stderr()),
      issuer: tenant.issuer,
      server: openapi.servers[0]?.url,
      warnings,
    };
  } finally {
    await proc.stop();
  }
}

describe('the public URL when GATEKEEPER_PUBLIC_URL is unset', () => {
  it('is http://localhost:<GATEKEEPER_PORT> in the setup link, issuers and OpenAPI, with one warning', async () => {
    const port = await freePort();
    const seen = await observe({ GATEKEEPER_PORT: String(port) });
    const url = `http://localhost:${port}`;
    expect(seen.links).toHaveLength(1);
    expect(seen.links[0]!.startsWith(`${url}/setup?token=`)).toBe(true);
    expect(seen.issuer).toBe(`${url}/t/root`);
    expect(seen.server).toBe(url);
    expect(seen.warnings).toHaveLength(1);
    expect(seen.warnings[0]).toMatch(
      new RegExp(`^GATEKEEPER_PUBLIC_URL is not set: using ${url}, derived from`),
    );
  });

  it('names the port the system picked when GATEKEEPER_PORT is 0', async () => {
    const seen = await observe({ GATEKEEPER_PORT: '0' });
    const url = `http://localhost:${seen.port}`;
    expect(seen.port).toBeGreaterThan(0);
    expect(seen.links[0]!.startsWith(`${url}/setup?token=`)).toBe(true);
    expect(seen.issuer).toBe(`${url}/t/root`);
    expect(seen.warnings).toEqual([expect.stringContaining(url)]);
  });

  it('is the configured URL when one is set, with no "derived" warning', async () => {
    const seen = await observe({ GATEKEEPER_PORT: '0', GATEKEEPER_PUBLIC_URL: 'https://id.example.com' });
    expect(seen.links[0]!.startsWith('https://id.example.com/setup?token=')).toBe(true);
    expect(seen.issuer).toBe('https://id.example.com/t/root');
    expect(seen.warnings).toEqual([]);
  });
});
