/**
 * `gatekeeper mail outbox list|retry` and `gatekeeper mail templates list|show|set|reset`: the durable
 * mail outbox (what is queued, sent or dead, and queueing dead messages again) and a tenant's
 * overrides of the built-in templates, through the same mail service the server uses. The outbox
 * never shows a message body (it carries sign-in links).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../errors/app-error.ts';
import {
  isTemplateName,
  type OutboxStatus,
  TEMPLATE_NAMES,
  TEMPLATE_VARIABLES,
  type TemplateName,
} from '../../mail/index.ts';
import { cliContext, out } from '../context.ts';
import { inTenant } from './routes.ts';
import { withServices } from './tenants.ts';

const STATUSES = ['pending', 'sending', 'sent', 'dead'] as const;

function templateName(name: string): TemplateName {
  if (!isTemplateName(name))
    throw new AppError('validation_failed', { detail: `template: one of ${TEMPLATE_NAMES.join(', ')}` });
  return name;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new AppError('validation_failed', { detail: `${what}: cannot read ${file}` });
  }
}

export function registerMail(program: Command): void {
  const mail = program.command('mail').description('the mail outbox and mail templates');
  const outbox = mail.command('outbox').description('messages queued for delivery');
  outbox
    .command('list')
    .description('list messages, newest first (never their bodies)')
    .option('--status <status>', `only ${STATUSES.join(', ')}`)
    .option('--limit <n>', 'at most this many (1–1000)', '50')
    .option('--json', 'print JSON')
    .action(async (o: { status?: string; limit: string; json?: boolean }, cmd: Command) => {
      const limit = Number(o.limit);
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000)
        throw new AppError('validation_failed', { detail: '--limit: 1 to 1000' });
      if (o.status !== undefined && !(STATUSES as readonly string[]).includes(o.status))
        throw new AppError('validation_failed', { detail: `--status: one of ${STATUSES.join(', ')}` });
      await withServices(cmd, async (s) => {
        const entries = await s.mail.list({
          limit,
          ...(o.status ? { status: o.status as OutboxStatus } : {}),
        });
        if (o.json) return out(JSON.stringify(entries, null, 2));
        for (const e of entries) {
          const when =
            e.status === 'sent' ? `sent ${e.sentAt}` : e.nextAttemptAt ? `next ${e.nextAttemptAt}` : '';
          out(
            `${e.id}  ${e.status.padEnd(7)}  ${e.template.padEnd(14)}  ${e.recipient}  attempts ${e.attempts}  ${when}${e.lastError ? `  last error: ${e.lastError}` : ''}`,
          );
        }
        if (entries.length === 0) out('the outbox is empty');
      });
    });
  outbox
    .command('retry')
    .description('queue a dead message again (fresh attempts); --dead retries every dead message')
    .argument('[id]', 'message id')
    .option('--dead', 'every dead message')
    .action(async (id: string | undefined, o: { dead?: boolean }, cmd: Command) => {
      if (!id && !o.dead) throw new AppError('validation_failed', { detail: 'give a message id or --dead' });
      if (id && o.dead)
        throw new AppError('validation_failed', { detail: 'give a message id or --dead, not both' });
      await withServices(cmd, async (s) => {
        const n = await s.mail.retry(id ?? 'all-dead', cliContext());
        out(id ? `queued ${id} again` : `queued ${n} dead message${n === 1 ? '' : 's'} again`);
      });
    });

  const templates = mail.command('templates').description("a tenant's mail templates");
  templates
    .command('list')
    .description('the templates and whether the tenant overrides them')
    .option('--tenant <slug>', 'tenant slug')
    .action(async (o: { tenant?: string }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        for (const name of TEMPLATE_NAMES) {
          const t = await s.mail.template(tenantId, name);
          out(
            `${name.padEnd(15)} ${t.overridden ? 'overridden' : 'built-in  '}  {{${TEMPLATE_VARIABLES[name].join('}} {{')}}}`,
          );
        }
      });
    });
  templates
    .command('show')
    .description('print a template (subject, text and HTML)')
    .argument('<template>', TEMPLATE_NAMES.join(' | '))
    .option('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { tenant?: string; json?: boolean }, cmd: Command) => {
      const template = templateName(name);
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const t = await s.mail.template(tenantId, template);
        if (o.json) return out(JSON.stringify(t, null, 2));
        out(`subject: ${t.subject}`);
        out('--- text');
        out(t.text);
        out('--- html');
        out(t.html);
      });
    });
  templates
    .command('set')
    .description("override a template for the tenant (placeholders: {{name}}; see 'list')")
    .argument('<template>', TEMPLATE_NAMES.join(' | '))
    .option('--tenant <slug>', 'tenant slug')
    .requiredOption('--subject <subject>', 'subject line')
    .requiredOption('--text-file <file>', 'plain-text body')
    .requiredOption('--html-file <file>', 'HTML body')
    .action(
      async (
        name: string,
        o: { tenant?: string; subject: string; textFile: string; htmlFile: string },
        cmd: Command,
      ) => {
        const template = templateName(name);
        const subject = o.subject.trim();
        if (subject === '' || subject.length > 500 || /[\r\n\0]/.test(subject))
          throw new AppError('validation_failed', { detail: '--subject: one line of 1 to 500 characters' });
        const text = readText(o.textFile, '--text-file');
        const html = readText(o.htmlFile, '--html-file');
        for (const [flag, body] of [
          ['--text-file', text],
          ['--html-file', html],
        ] as const)
          if (body.length === 0 || body.length > 100_000 || body.includes('\0'))
            throw new AppError('validation_failed', { detail: `${flag}: 1 to 100000 characters of text` });
        await inTenant(cmd, o.tenant, async (s, tenantId) => {
          await s.mail.setTemplate(tenantId, template, { subject, text, html }, cliContext());
          out(`template ${template} overridden`);
        });
      },
    );
  templates
    .command('reset')
    .description('drop the override: the built-in template is used again')
    .argument('<template>', TEMPLATE_NAMES.join(' | '))
    .option('--tenant <slug>', 'tenant slug')
    .action(async (name: string, o: { tenant?: string }, cmd: Command) => {
      const template = templateName(name);
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const removed = await s.mail.resetTemplate(tenantId, template, cliContext());
        out(
          removed
            ? `template ${template} reset to the built-in one`
            : `template ${template} was not overridden`,
        );
      });
    });
}
