/**
 * The request path (issue 6 §9): one structured log line per request — method, route pattern, status,
 * duration, request id — and nothing else for a request that logs nothing; lines a handler writes
 * carry the request id and stay redacted; the log level set at run time reaches requests. And the
 * batched stdout writes every line, once per event-loop turn, and what is left at exit.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../test/runtime.ts';
import { batchedStdout } from '../logger.ts';

type Line = Record<string, unknown>;

describe('request path', () => {
  let t: TestRuntime;
  const lines = () => t.logs.map((l) => JSON.parse(l) as Line);
  beforeAll(async () => {
    t = await createTestRuntime();
  });
  afterAll(async () => t.close());

  it('writes one line per request: method, route, status, duration, request id', async () => {
    const before = t.logs.length;
    const r = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'probe-1' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['x-request-id']).toBe('probe-1');
    const written = lines().slice(before);
    expect(written).toHaveLength(1);
    const [line] = written;
    expect(line).toMatchObject({
      msg: 'request',
      reqId: 'probe-1',
      method: 'GET',
      route: '/healthz',
      status: 200,
    });
    expect(typeof line!.ms).toBe('number');
    expect(line!.ms as number).toBeGreaterThanOrEqual(0);
    expect(line).not.toHaveProperty('req'); // no headers, no URL: nothing to redact, nothing secret
  });

  it('names the route pattern, never the raw URL with its query, also for a refusal', async () => {
    const before = t.logs.length;
    const r = await t.app.inject({
      url: '/api/v1/tenants/root/users?token=gk_adm_notlogged',
      headers: { authorization: 'Bearer gk_adm_notlogged' },
    });
    expect(r.statusCode).toBe(401);
    const written = t.logs.slice(before).join('\n');
    expect(written).not.toContain('gk_adm_notlogged');
    const requestLines = lines()
      .slice(before)
      .filter((l) => l.msg === 'request');
    expect(requestLines).toEqual([
      expect.objectContaining({ route: '/api/v1/tenants/:tenant/users', status: 401, method: 'GET' }),
    ]);
    // the refusal the handler logged carries the request id of the request line
    const refused = lines()
      .slice(before)
      .find((l) => l.msg === 'request refused');
    expect(refused?.reqId).toBe(requestLines[0]!.reqId);
  });

  it('an unknown route is logged as unmatched, with its 404', async () => {
    const before = t.logs.length;
    await t.app.inject({ url: '/no/such/thing' });
    expect(lines().slice(before)).toContainEqual(
      expect.objectContaining({ msg: 'request', route: 'unmatched', status: 404 }),
    );
  });

  it('writes no line for /authz decisions (audited and counted instead)', async () => {
    const before = t.logs.length;
    const r = await t.app.inject({
      url: '/authz',
      headers: { 'x-original-uri': '/x', 'x-original-method': 'GET', 'x-original-host': 'api.example.com' },
    });
    expect([401, 403]).toContain(r.statusCode);
    expect(
      lines()
        .slice(before)
        .filter((l) => l.msg === 'request'),
    ).toEqual([]);
  });

  it('follows the log level set at run time', async () => {
    await t.runtime.settings.set({ logLevel: 'warn' }, 'test');
    const before = t.logs.length;
    await t.app.inject({ url: '/healthz' });
    expect(
      lines()
        .slice(before)
        .filter((l) => l.msg === 'request'),
    ).toEqual([]);
    await t.runtime.settings.set({ logLevel: 'info' }, 'test');
    await t.app.inject({ url: '/healthz' });
    expect(
      lines()
        .slice(before)
        .filter((l) => l.msg === 'request'),
    ).toHaveLength(1);
  });
});

describe('batched stdout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gk-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every line in order, in batches', async () => {
    const file = join(dir, 'out.log');
    const fd = openSync(file, 'w');
    const out = batchedStdout(fd);
    for (let i = 0; i < 1000; i++) out.write(`{"n":${i}}\n`);
    expect(readFileSync(file, 'utf8')).toBe(''); // not yet: with the lines of the next 25 ms
    await sleep(100);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1000);
    out.write('{"n":1000}\n');
    out.flush();
    closeSync(fd);
    const written = readFileSync(file, 'utf8').trim().split('\n');
    expect(written).toHaveLength(1001);
    expect(written.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([...Array(1001).keys()]);
  });

  it('writes what is left when the process exits', () => {
    const script = `
      import { batchedStdout } from ${JSON.stringify(new URL('../logger.ts', import.meta.url).pathname)};
      const out = batchedStdout(1);
      out.write('last words\\n');
      process.exit(3);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('last words\n');
  });
});
