/**
 * The durable mail outbox (ARCHITECTURE.md: mail is infrastructure). `queue` renders a message and
 * inserts it into `mail_outbox` on the caller's connection, so inside `database.write` it commits or
 * rolls back with the action that caused it; after the commit the delivery worker is woken. The
 * worker (servers only) claims due messages one guarded UPDATE at a time (status + lease, so two
 * instances never send the same claim and a crashed worker's claim expires), sends them through the
 * transport and marks them `sent` (the encrypted body is wiped) or, when an attempt fails, schedules
 * the next one with exponential backoff until `mailMaxAttempts`, then `dead`. Delivery is
 * at-least-once: a crash between the SMTP answer and the `sent` mark sends that message again.
 */
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Keyring } from '../crypto/fernet.ts';
import { AppError } from '../errors/app-error.ts';
import type { ActionContext, EventBus } from '../events/event-bus.ts';
import { createTenantEventEmitter } from '../events/tenant-events.ts';
import type { Database } from '../storage/database.ts';
import { newId } from '../storage/ids.ts';
import type { MailOutboxTable } from '../storage/tables.ts';
import { toIsoOrNull } from '../storage/time.ts';
import { currentUnit } from '../storage/unit-of-work.ts';
import {
  BUILT_IN_TEMPLATES,
  type MailTemplate,
  type RenderedMail,
  renderTemplate,
  type TemplateName,
} from './templates.ts';
import type { MailTransport } from './transport.ts';

export type OutboxStatus = MailOutboxTable['status'];

export interface OutgoingMail {
  tenantId: string | null;
  template: TemplateName;
  to: string;
  vars: Readonly<Record<string, string>>;
}

export interface OutboxEntry {
  id: string;
  tenantId: string | null;
  template: string;
  recipient: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface MailOutbox {
  /** Queues a message (in the caller's unit of work, when there is one); returns its id. */
  queue(mail: OutgoingMail): Promise<string>;
  /** The newest messages first, optionally of one status. */
  list(options: { status?: OutboxStatus; limit: number }): Promise<OutboxEntry[]>;
  /** Queues a dead (or pending) message again with fresh attempts; `all-dead` retries every dead one. */
  retry(target: string | 'all-dead', ctx: ActionContext): Promise<number>;
  /** How many messages have this status (for the metrics). */
  count(status: OutboxStatus): Promise<number>;
  /** Sends every due message now (what the worker runs); returns how many were sent. */
  deliverDue(): Promise<number>;
  /** A tenant's template: its override, or the built-in one. */
  template(tenantId: string | null, name: TemplateName): Promise<MailTemplate & { overridden: boolean }>;
  setTemplate(tenantId: string, name: TemplateName, t: MailTemplate, ctx: ActionContext): Promise<void>;
  resetTemplate(tenantId: string, name: TemplateName, ctx: ActionContext): Promise<boolean>;
  /** Starts the delivery worker (servers only). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface MailOutboxDeps {
  database: Database;
  keyring: Keyring;
  bus: EventBus;
  logger: Logger;
  slugOf(tenantId: string): Promise<string>;
  /** The transport for the current settings, or null when no SMTP server is configured. */
  transport(): MailTransport | null;
  /** Embedded development mode: without SMTP, messages are written to the log instead. */
  logWithoutSmtp: boolean;
  from(): string;
  maxAttempts(): number;
  retryBaseMs(): number;
  /** How often the worker looks for due messages besides being woken (default 1000 ms). */
  pollIntervalMs?: number;
  /** How long a claim lasts before another worker may take the message over (default 60 s). */
  leaseMs?: number;
}

const MAX_BACKOFF_MS = 3_600_000;
const BATCH = 20;

/** Delay before attempt `attempt + 1` after `attempt` failed: base · 2^(attempt-1), ±20 % jitter. */
export function backoffMs(attempt: number, baseMs: number): number {
  const exact = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
  return Math.max(1, Math.round(exact * (0.8 + randomInt(0, 401) / 1000)));
}

function entry(r: MailOutboxTable): OutboxEntry {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    template: r.template,
    recipient: r.recipient,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' || r.status === 'sending' ? toIsoOrNull(r.next_attempt_at) : null,
    lastError: r.last_error,
    createdAt: new Date(r.created_at).toISOString(),
    sentAt: toIsoOrNull(r.sent_at),
  };
}

/** A transport error as it is stored: the first line, no longer than 300 characters. */
function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n')[0] ?? '').slice(0, 300) || 'delivery failed';
}

export function createMailOutbox(deps: MailOutboxDeps): MailOutbox {
  const { database, keyring, logger } = deps;
  const { db } = database;
  const leaseMs = deps.leaseMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = true;
  let warnedNoSmtp = false;
  const emit = createTenantEventEmitter(deps.bus, deps.slugOf);

  async function template(tenantId: string | null, name: TemplateName) {
    const row = tenantId
      ? await db
          .selectFrom('mail_templates')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('template', '=', name)
          .executeTakeFirst()
      : undefined;
    if (row) return { subject: row.subject, text: row.text_body, html: row.html_body, overridden: true };
    return { ...BUILT_IN_TEMPLATES[name], overridden: false };
  }

  /** Wakes the worker (a run in progress runs once more when it ends). */
  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = deliverDue()
      .catch((err: unknown) => {
        logger.warn({ err }, 'mail delivery run failed');
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  const due = (now: number) =>
    sql<boolean>`((status = 'pending' and next_attempt_at <= ${now}) or (status = 'sending' and lease_until < ${now}))`;

  async function claim(id: string, now: number): Promise<MailOutboxTable | undefined> {
    const rows = await db
      .updateTable('mail_outbox')
      .set({
        status: 'sending',
        lease_until: now + leaseMs,
        attempts: sql<number>`attempts + 1`,
        updated_at: now,
      })
      .where('id', '=', id)
      .where(due(now))
      .returningAll()
      .execute();
    return rows[0];
  }

  async function deliverOne(row: MailOutboxTable, transport: MailTransport | null): Promise<boolean> {
    let message: RenderedMail;
    try {
      message = JSON.parse(keyring.decryptString(row.payload ?? '')) as RenderedMail;
    } catch (err) {
      await finish(row, 'dead', `the stored message cannot be read: ${describeError(err)}`);
      return false;
    }
    try {
      let messageId: string | null = null;
      if (transport) {
        messageId = await transport.send({ from: deps.from(), to: row.recipient, ...message });
      } else {
        // embedded development without SMTP: the log is the mailbox, and the only place it goes
        logger.info(
          { devMail: { id: row.id, to: row.recipient, subject: message.subject, text: message.text } },
          'DEVELOPMENT MAIL — not sent (smtpUrl is not set); this log line is the only copy',
        );
      }
      await db
        .updateTable('mail_outbox')
        .set({
          status: 'sent',
          payload: null,
          sent_at: Date.now(),
          updated_at: Date.now(),
          lease_until: null,
          last_error: null,
          message_id: messageId,
        })
        .where('id', '=', row.id)
        .where('status', '=', 'sending')
        .execute();
      return true;
    } catch (err) {
      const final = row.attempts >= deps.maxAttempts();
      await finish(row, final ? 'dead' : 'pending', describeError(err));
      logger.warn(
        { mailId: row.id, attempt: row.attempts, final, error: describeError(err) },
        final ? 'mail delivery failed for the last time: marked dead' : 'mail delivery failed: will retry',
      );
      return false;
    }
  }

  async function finish(row: MailOutboxTable, status: 'pending' | 'dead', error: string): Promise<void> {
    const now = Date.now();
    await db
      .updateTable('mail_outbox')
      .set({
        status,
        last_error: error,
        lease_until: null,
        updated_at: now,
        next_attempt_at: status === 'pending' ? now + backoffMs(row.attempts, deps.retryBaseMs()) : now,
      })
      .where('id', '=', row.id)
      .where('status', '=', 'sending')
      .execute();
  }

  async function deliverDue(): Promise<number> {
    const transport = deps.transport();
    if (!transport && !deps.logWithoutSmtp) {
      if (!warnedNoSmtp) {
        const waiting = await db
          .selectFrom('mail_outbox')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'pending')
          .executeTakeFirstOrThrow();
        if (Number(waiting.n) > 0) {
          warnedNoSmtp = true;
          logger.warn(
            { pending: Number(waiting.n) },
            'mail is queued but smtpUrl is not set: nothing is sent',
          );
        }
      }
      return 0;
    }
    let sent = 0;
    for (;;) {
      const now = Date.now();
      const candidates = await db
        .selectFrom('mail_outbox')
        .select('id')
        .where(due(now))
        .orderBy('next_attempt_at')
        .limit(BATCH)
        .execute();
      if (candidates.length === 0) return sent;
      for (const { id } of candidates) {
        if (stopped) return sent;
        const row = await claim(id, Date.now());
        if (row && (await deliverOne(row, transport))) sent++;
      }
      if (candidates.length < BATCH) return sent;
    }
  }

  return {
    async queue(mail) {
      const now = Date.now();
      const { subject, text, html } = renderTemplate(await template(mail.tenantId, mail.template), mail.vars);
      const id = newId(now);
      await db
        .insertInto('mail_outbox')
        .values({
          id,
          tenant_id: mail.tenantId,
          template: mail.template,
          recipient: mail.to,
          payload: keyring.encrypt(JSON.stringify({ subject, text, html })),
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          lease_until: null,
          last_error: null,
          message_id: null,
          created_at: now,
          updated_at: now,
          sent_at: null,
        })
        .execute();
      const unit = currentUnit();
      if (unit) unit.afterCommit(kick);
      else kick();
      return id;
    },

    async list({ status, limit }) {
      let q = db.selectFrom('mail_outbox').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
      if (status) q = q.where('status', '=', status);
      return (await q.limit(limit).execute()).map(entry);
    },

    async retry(target, ctx) {
      return database.write(async () => {
        const now = Date.now();
        let q = db
          .updateTable('mail_outbox')
          .set({ status: 'pending', attempts: 0, next_attempt_at: now, updated_at: now, lease_until: null });
        q =
          target === 'all-dead'
            ? q.where('status', '=', 'dead')
            : q.where('id', '=', target).where('status', 'in', ['dead', 'pending']);
        const ids = (await q.where('payload', 'is not', null).returning('id').execute()).map((r) => r.id);
        if (target !== 'all-dead' && ids.length === 0) {
          const exists = await db
            .selectFrom('mail_outbox')
            .select('status')
            .where('id', '=', target)
            .executeTakeFirst();
          throw exists
            ? new AppError('conflict', {
                detail: `message ${target} is ${exists.status}: only dead or pending messages are retried`,
              })
            : new AppError('not_found', { detail: `no message ${target.slice(0, 80)} in the outbox` });
        }
        if (ids.length > 0)
          deps.bus.emit({
            type: 'mail.retry_requested',
            tenant: null,
            actor: ctx.actor,
            target: target === 'all-dead' ? 'mail:dead' : `mail:${target}`,
            result: 'success',
            requestId: ctx.requestId ?? null,
            data: { count: ids.length },
          });
        currentUnit()?.afterCommit(kick);
        return ids.length;
      });
    },

    async count(status) {
      const r = await db
        .selectFrom('mail_outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', status)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    deliverDue,
    template,

    async setTemplate(tenantId, name, t, ctx) {
      await database.write(async () => {
        const now = Date.now();
        const values = {
          subject: t.subject,
          text_body: t.text,
          html_body: t.html,
          updated_at: now,
          updated_by: ctx.actor,
        };
        await db
          .insertInto('mail_templates')
          .values({ tenant_id: tenantId, template: name, ...values })
          .onConflict((oc) => oc.columns(['tenant_id', 'template']).doUpdateSet(values))
          .execute();
        await emit(tenantId, 'mail.template_changed', `mail-template:${name}`, ctx, { template: name });
      });
    },

    async resetTemplate(tenantId, name, ctx) {
      return database.write(async () => {
        const r = await db
          .deleteFrom('mail_templates')
          .where('tenant_id', '=', tenantId)
          .where('template', '=', name)
          .executeTakeFirst();
        const removed = Number(r.numDeletedRows) > 0;
        if (removed)
          await emit(tenantId, 'mail.template_reset', `mail-template:${name}`, ctx, { template: name });
        return removed;
      });
    },

    async start() {
      if (!stopped) return;
      stopped = false;
      const interval = deps.pollIntervalMs ?? 1000;
      timer = setInterval(kick, interval);
      timer.unref();
      kick();
    },

    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
