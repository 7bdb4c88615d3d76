/**
 * `gatekeeper mail …` as an operator runs them, each a real process on one temp data dir: the outbox
 * lists a dead message (never its body), `retry` queues it again (audited), bad input exits 2; a
 * tenant's template is overridden from files, shown and reset.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from '../../../test/cli-process.ts';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../logger.ts';
import { createRuntime } from '../../runtime.ts';
import { createServices } from '../../services.ts';

describe('gatekeeper mail (processes)', { timeout: 120_000 }, () => {
  const cli = cliWorkspace('gk-mail-cli-');
  const { run, ok } = cli;

  it('lists the outbox without bodies and queues a dead message again', async () => {
    // a message that ran out of attempts, as a server would have left it
    const runtime = await createRuntime(loadConfig({ env: { ...cli.env, GATEKEEPER_LOG_LEVEL: 'silent' } }), {
      logger: createLogger('silent'),
      role: 'cli',
    });
    const services = createServices(runtime);
    const acme = await services.tenants.resolve('acme');
    const id = await runtime.database.write(() =>
      services.mail.queue({
        tenantId: acme.id,
        template: 'magic-link',
        to: 'ada@example.test',
        vars: { link: 'https://id.example/t/acme/magic?token=SECRET-LINK' },
      }),
    );
    await runtime.database.db
      .updateTable('mail_outbox')
      .set({ status: 'dead', attempts: 8, last_error: 'connect ECONNREFUSED 127.0.0.1:25' })
      .execute();
    await runtime.close();

    const listed = ok(['mail', 'outbox', 'list', '--status', 'dead']);
    expect(listed).toContain(id);
    expect(listed).toContain('ada@example.test');
    expect(listed).toContain('last error: connect ECONNREFUSED');
    expect(listed).not.toContain('SECRET-LINK');
    const json = JSON.parse(ok(['mail', 'outbox', 'list', '--json'])) as { id: string; status: string }[];
    expect(json).toEqual([expect.objectContaining({ id, status: 'dead', attempts: 8 })]);

    expect(ok(['mail', 'outbox', 'retry', id])).toContain(`queued ${id} again`);
    expect(JSON.parse(ok(['mail', 'outbox', 'list', '--json']))[0]).toMatchObject({
      status: 'pending',
      attempts: 0,
    });
    expect(ok(['mail', 'outbox', 'retry', '--dead'])).toContain('queued 0 dead messages again');

    for (const bad of [
      ['mail', 'outbox', 'list', '--status', 'lost'],
      ['mail', 'outbox', 'list', '--limit', '0'],
      ['mail', 'outbox', 'retry'],
      ['mail', 'outbox', 'retry', '0190d5a8-0000-7000-8000-000000000000'],
    ]) {
      const r = run(bad);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it("overrides, shows and resets a tenant's template", () => {
    writeFileSync(join(cli.dir, 't.txt'), 'Sign in: {{link}}\n');
    writeFileSync(join(cli.dir, 't.html'), '<p><a href="{{link}}">Sign in</a></p>');
    ok([
      'mail',
      'templates',
      'set',
      'magic-link',
      '--tenant',
      'acme',
      '--subject',
      'Acme sign-in',
      '--text-file',
      join(cli.dir, 't.txt'),
      '--html-file',
      join(cli.dir, 't.html'),
    ]);
    expect(ok(['mail', 'templates', 'list', '--tenant', 'acme'])).toMatch(/magic-link\s+overridden/);
    expect(ok(['mail', 'templates', 'show', 'magic-link', '--tenant', 'acme'])).toContain(
      'subject: Acme sign-in',
    );
    expect(run(['mail', 'templates', 'show', 'welcome', '--tenant', 'acme']).code).toBe(2);
    expect(
      run([
        'mail',
        'templates',
        'set',
        'magic-link',
        '--tenant',
        'acme',
        '--subject',
        'x',
        '--text-file',
        join(cli.dir, 'missing.txt'),
        '--html-file',
        join(cli.dir, 't.html'),
      ]).code,
    ).toBe(2);
    expect(ok(['mail', 'templates', 'reset', 'magic-link', '--tenant', 'acme'])).toContain(
      'reset to the built-in',
    );
    expect(ok(['mail', 'templates', 'list', '--tenant', 'acme'])).toMatch(/magic-link\s+built-in/);
  });
});
