/**
 * Issue 6 §4: in the embedded default, a change made by the real CLI in another process reaches the
 * running server within a second (through the durable change feed the server polls): a disabled
 * user's personal token (at the gateway: personal tokens never authenticate to the admin API), a
 * suspended and re-activated tenant, a revoked admin token and a runtime setting (`logLevel`) are all
 * enforced by `gatekeeper serve` within 1 s of the command returning.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli-process.ts';
import { within } from '../../test/faults.ts';
import { type ServeProcess, spawnServe } from '../../test/serve-process.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../logger.ts';
import { createRuntime } from '../runtime.ts';
import { createServices } from '../services.ts';

describe('CLI changes reach a running embedded server within a second', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gk-cli-server-'));
  const env = { GATEKEEPER_DATA_DIR: dir };
  let server: ServeProcess;
  let port: number;
  let root: string;
  const figures: Record<string, number> = {};

  const status = async (path: string, token: string) =>
    (await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } }))
      .status;
  // the gateway's decision for a request carrying `token`, as nginx asks from loopback
  const authz = async (token: string) =>
    (
      await fetch(`http://127.0.0.1:${port}/t/acme/authz`, {
        headers: {
          authorization: `Bearer ${token}`,
          'x-original-method': 'GET',
          'x-original-host': 'api.example.com',
          'x-original-uri': '/reports/1',
        },
      })
    ).status;
  async function cli(...args: string[]): Promise<string> {
    const r = await runCli(args, env);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return `${r.stdout}\n${r.stderr}`;
  }
  /** Milliseconds until `probe` holds (polled every 10 ms), at most one second. */
  const enforced = (what: string, probe: () => Promise<boolean>) =>
    within(1000, probe).then((ms) => {
      figures[what] = ms;
      return ms;
    });

  beforeAll(async () => {
    server = spawnServe({ env: { ...env, GATEKEEPER_PORT: '0' } });
    ({ port } = await server.ready);
    root = (await cli('admin', 'token', 'create', '--name', 'root', '--abilities', '*'))
      .trim()
      .split('\n')[0]!;
  }, 30_000);
  afterAll(async () => {
    console.info(`CLI → server figures (ms after the command returned): ${JSON.stringify(figures)}`);
    await server?.stop();
  });

  it('user disable, tenant suspend and activate, token revoke', async () => {
    await cli('tenants', 'create', '--slug', 'acme', '--name', 'Acme');
    const created = await cli(
      'admin',
      'token',
      'create',
      '--tenant',
      'acme',
      '--name',
      't',
      '--abilities',
      '*',
    );
    const tenantToken = created.trim().split('\n')[0]!;
    const tokenId = /token (\S+) \(/.exec(created)![1]!;
    const alice = JSON.parse(
      (await cli('users', 'create', '--tenant', 'acme', '--username', 'alice', '--json')).split('\n\n')[0]!,
    ) as { id: string };
    // a personal token of alice's (no CLI command issues one: another process, through the service)
    const rt = await createRuntime(loadConfig({ env }), { logger: createLogger('silent'), role: 'cli' });
    let pat: string;
    try {
      const services = createServices(rt);
      const acme = await services.tenants.resolve('acme');
      pat = (
        await services.credentials.issue(
          {
            kind: 'pat',
            tenantId: acme.id,
            ownerType: 'user',
            ownerId: alice.id,
            name: 'pat',
            abilities: ['*'],
          },
          { actor: 'test' },
        )
      ).secret;
      const route = await services.gateway.config.createRoute(
        acme.id,
        { host: 'api.example.com', path: '/reports/*', auth: { GET: ['api_key'] } },
        { actor: 'test' },
      );
      await services.gateway.config.grant(
        acme.id,
        { routeId: route.id, subjectType: 'user', subject: alice.id, methods: ['GET'] },
        { actor: 'test' },
      );
    } finally {
      await rt.close();
    }
    const users = '/api/v1/tenants/acme/users';
    // cached on the server before each change
    expect(await authz(pat)).toBe(200);
    expect(await status(users, tenantToken)).toBe(200);

    await cli('users', 'disable', 'alice', '--tenant', 'acme');
    expect(await enforced('userDisable', async () => (await authz(pat)) === 401)).toBeGreaterThanOrEqual(0);

    await cli('tenants', 'suspend', 'acme');
    expect(
      await enforced('tenantSuspend', async () => (await status(users, tenantToken)) === 403),
    ).toBeGreaterThanOrEqual(0);
    await cli('tenants', 'activate', 'acme');
    expect(
      await enforced('tenantActivate', async () => (await status(users, tenantToken)) === 200),
    ).toBeGreaterThanOrEqual(0);

    await cli('admin', 'token', 'revoke', tokenId, '--tenant', 'acme');
    expect(
      await enforced('tokenRevoke', async () => (await status(users, tenantToken)) === 401),
    ).toBeGreaterThanOrEqual(0);
    expect(await status('/api/v1/tenants', root)).toBe(200);
  }, 60_000);

  it('config set logLevel', async () => {
    const requestLines = () => server.stdout.filter((l) => l.includes('"msg":"request"')).length;
    await cli('config', 'set', 'logLevel', 'warn');
    // once the server follows, a request writes no info line
    expect(
      await enforced('logLevelWarn', async () => {
        const before = requestLines();
        await status('/api/v1/tenants', root);
        await sleep(200); // log lines are written in batches every 25 ms
        return requestLines() === before;
      }),
    ).toBeGreaterThanOrEqual(0);
    await cli('config', 'set', 'logLevel', 'debug');
    const levelOnServer = async () => {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/settings`, {
        headers: { authorization: `Bearer ${root}` },
      });
      const { items } = (await r.json()) as { items: { key: string; value: unknown }[] };
      return items.find((i) => i.key === 'logLevel')?.value;
    };
    expect(
      await enforced('logLevelDebug', async () => (await levelOnServer()) === 'debug'),
    ).toBeGreaterThanOrEqual(0);
    const before = requestLines();
    await status('/api/v1/tenants', root);
    await sleep(300);
    expect(requestLines()).toBeGreaterThan(before);
  }, 60_000);
});
