/**
 * The mail outbox against a real SMTP server (`smtp-server`): a message queued in a unit of work is
 * sent only when the unit commits; a message queued while the SMTP server is down is retried with
 * backoff and delivered once it is back; after the last attempt it is dead until `retry`; a message
 * queued by a process that stopped is delivered by the next server; without SMTP in embedded mode it
 * goes to the log only; a tenant's template override is used.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../test/runtime.ts';
import { closedPort, startTestSmtp, type TestSmtp } from '../../test/smtp.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../logger.ts';
import { createRuntime } from '../runtime.ts';
import { createServices } from '../services.ts';
import { backoffMs } from './outbox.ts';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function runtimeWith(env: Record<string, string>, dialect: 'sqlite' | 'postgres' = 'sqlite') {
  const t = await createTestRuntime({ dialect, env: { GATEKEEPER_MAIL_RETRY_BASE_MS: '40', ...env } });
  open.push(t);
  return t;
}

async function smtp(port?: number): Promise<TestSmtp> {
  const s = await startTestSmtp(port);
  open.push(s);
  return s;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const rootId = async (t: TestRuntime) => (await t.services.tenants.resolve('root')).id;

const magic = (tenantId: string, to: string, link = 'https://id.example/t/root/magic?token=abc') => ({
  tenantId,
  template: 'magic-link' as const,
  to,
  vars: { tenantName: 'Root', userName: 'Ada', link, expiresInMinutes: '10' },
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(!dialectAvailable(dialect))(`mail outbox [${dialect}]`, () => {
    it('delivers a message queued in a committed unit, and nothing of a rolled-back one', async () => {
      const server = await smtp();
      const t = await runtimeWith(
        { GATEKEEPER_SMTP_URL: server.url, GATEKEEPER_MAIL_FROM: 'GK <gk@example.test>' },
        dialect,
      );
      const tenantId = await rootId(t);
      const { database } = t.runtime;
      await expect(
        database.write(async () => {
          await t.services.mail.queue(magic(tenantId, 'nobody@example.test'));
          throw new Error('the action failed');
        }),
      ).rejects.toThrow('the action failed');
      const id = await database.write(() => t.services.mail.queue(magic(tenantId, 'ada@example.test')));

      const mail = await server.next('ada@example.test');
      expect(mail.subject).toBe('Your sign-in link for Root');
      expect(mail.text).toContain('https://id.example/t/root/magic?token=abc');
      expect(mail.html).toContain('href="https://id.example/t/root/magic?token=abc"');
      expect(mail.from?.text).toContain('gk@example.test');
      const [sent] = await until('sent', async () => {
        const l = await t.services.mail.list({ limit: 10 });
        return l[0]?.status === 'sent' ? l : undefined;
      });
      expect(sent).toMatchObject({ id, status: 'sent', attempts: 1, recipient: 'ada@example.test' });
      expect(await t.services.mail.list({ limit: 10 })).toHaveLength(1); // the rolled-back one never existed
      const row = await database.db
        .selectFrom('mail_outbox')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row.payload).toBeNull(); // the body (with its link) is wiped once sent
      expect(server.received.some((m) => m.text?.includes('nobody'))).toBe(false);
    });

    it('retries with backoff while the SMTP server is down and delivers once it is back', async () => {
      const port = await closedPort();
      const t = await runtimeWith({ GATEKEEPER_SMTP_URL: `smtp://127.0.0.1:${port}` }, dialect);
      const tenantId = await rootId(t);
      await t.runtime.database.write(() => t.services.mail.queue(magic(tenantId, 'grace@example.test')));
      const failed = await until('two failed attempts', async () => {
        const [e] = await t.services.mail.list({ limit: 1 });
        return e && e.attempts >= 2 && e.status === 'pending' ? e : undefined;
      });
      expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i);
      const server = await smtp(port);
      const mail = await server.next('grace@example.test');
      expect(mail.text).toContain('token=abc');
      const [e] = await until('sent', async () => {
        const l = await t.services.mail.list({ limit: 1 });
        return l[0]?.status === 'sent' ? l : undefined;
      });
      expect(e!.attempts).toBeGreaterThanOrEqual(3);
    });
  });
}

describe('mail outbox', () => {
  it('marks a message dead after the last attempt; retry sends it again', async () => {
    const port = await closedPort();
    const t = await runtimeWith({
      GATEKEEPER_SMTP_URL: `smtp://127.0.0.1:${port}`,
      GATEKEEPER_MAIL_MAX_ATTEMPTS: '2',
    });
    const tenantId = await rootId(t);
    const id = await t.runtime.database.write(() =>
      t.services.mail.queue(magic(tenantId, 'dead@example.test')),
    );
    await until('dead', async () => (await t.services.mail.list({ status: 'dead', limit: 5 }))[0]);
    const [dead] = await t.services.mail.list({ status: 'dead', limit: 5 });
    expect(dead).toMatchObject({ id, attempts: 2, status: 'dead' });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^gatekeeper_mail_outbox_dead 1$/m);
    expect(metrics.body).toMatch(/^gatekeeper_mail_outbox_pending 0$/m);
    await expect(
      t.services.mail.retry('0190d5a8-0000-7000-8000-000000000000', { actor: 'test' }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    const server = await smtp(port);
    expect(await t.services.mail.retry(id, { actor: 'test' })).toBe(1);
    await server.next('dead@example.test');
    await until('sent', async () => (await t.services.mail.list({ status: 'sent', limit: 5 }))[0]);
    await expect(t.services.mail.retry(id, { actor: 'test' })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('delivers after a restart what a stopped process had queued', async () => {
    const server = await smtp();
    const first = await runtimeWith({ GATEKEEPER_SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` });
    const tenantId = await rootId(first);
    await first.services.mail.stop(); // the worker is gone, as in a crash before delivery
    await first.runtime.database.write(() =>
      first.services.mail.queue(magic(tenantId, 'later@example.test')),
    );
    expect((await first.services.mail.list({ limit: 1 }))[0]?.status).toBe('pending');

    // a second server process on the same database, now with a working SMTP server
    const loaded = loadConfig({
      env: {
        GATEKEEPER_DATABASE_URL: first.db.url,
        GATEKEEPER_MASTER_KEYS: first.runtime.loaded.config.masterKeys,
        GATEKEEPER_SMTP_URL: server.url,
        GATEKEEPER_LOG_LEVEL: 'silent',
      },
    });
    const runtime = await createRuntime(loaded, { logger: createLogger('silent') });
    const services = createServices(runtime);
    open.push({
      async close() {
        await services.stop();
        await runtime.close();
      },
    });
    await services.start();
    const mail = await server.next('later@example.test');
    expect(mail.subject).toContain('sign-in link');
  });

  it('without SMTP in embedded mode writes the message to the log only, clearly marked', async () => {
    const t = await runtimeWith({});
    const tenantId = await rootId(t);
    await t.runtime.database.write(() =>
      t.services.mail.queue(
        magic(tenantId, 'dev@example.test', 'http://localhost/t/root/magic?token=dev123'),
      ),
    );
    const line = await until('the log line', async () => t.logs.find((l) => l.includes('DEVELOPMENT MAIL')));
    const entry = JSON.parse(line) as { level: number; devMail: { to: string; text: string } };
    expect(entry.level).toBe(30); // info
    expect(entry.devMail.to).toBe('dev@example.test');
    expect(entry.devMail.text).toContain('token=dev123');
    await until('sent', async () => (await t.services.mail.list({ status: 'sent', limit: 1 }))[0]);
  });

  it("uses a tenant's template override, escaping values in HTML and refusing header injection", async () => {
    const server = await smtp();
    const t = await runtimeWith({ GATEKEEPER_SMTP_URL: server.url });
    const tenantId = await rootId(t);
    await t.services.mail.setTemplate(
      tenantId,
      'magic-link',
      {
        subject: 'Acme: {{userName}}',
        text: 'Go: {{link}}',
        html: '<p>{{userName}} <a href="{{link}}">in</a></p>',
      },
      { actor: 'test' },
    );
    expect((await t.services.mail.template(tenantId, 'magic-link')).overridden).toBe(true);
    await t.runtime.database.write(() =>
      t.services.mail.queue({
        ...magic(tenantId, 'eve@example.test'),
        vars: { userName: '<b>Eve</b>\r\nBcc: x@evil.test', link: 'https://x.test/?a=1&b=2' },
      }),
    );
    const mail = await server.next('eve@example.test');
    expect(mail.subject).toBe('Acme: <b>Eve</b> Bcc: x@evil.test');
    expect(mail.bcc).toBeUndefined();
    expect(mail.text).toContain('Go: https://x.test/?a=1&b=2');
    expect(mail.html).toContain('&lt;b&gt;Eve&lt;/b&gt;');
    expect(await t.services.mail.resetTemplate(tenantId, 'magic-link', { actor: 'test' })).toBe(true);
    expect((await t.services.mail.template(tenantId, 'magic-link')).overridden).toBe(false);
  });

  it('backs off exponentially, capped at an hour', () => {
    expect(backoffMs(1, 1000)).toBeGreaterThanOrEqual(800);
    expect(backoffMs(1, 1000)).toBeLessThanOrEqual(1200);
    expect(backoffMs(4, 1000)).toBeGreaterThanOrEqual(6400);
    expect(backoffMs(4, 1000)).toBeLessThanOrEqual(9600);
    expect(backoffMs(40, 1000)).toBeLessThanOrEqual(3_600_000 * 1.2);
  });
});
