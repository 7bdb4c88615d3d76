/**
 * Mail: the durable outbox (outbox.ts), the SMTP transport (transport.ts) and the templates
 * (templates.ts). `createMail` wires them to the runtime's settings.
 */

import { isEmbedded } from '../config/load.ts';
import type { Runtime } from '../runtime.ts';
import { createMailOutbox, type MailOutbox } from './outbox.ts';
import { createTransportSelector } from './transport.ts';

export type { MailOutbox, OutboxEntry, OutboxStatus, OutgoingMail } from './outbox.ts';
export { isTemplateName, TEMPLATE_NAMES, TEMPLATE_VARIABLES, type TemplateName } from './templates.ts';

/** The outbox over the runtime's database and settings; its worker runs only in a server process. */
export function createMail(rt: Runtime, slugOf: (tenantId: string) => Promise<string>): MailOutbox {
  const { settings } = rt;
  const transports = createTransportSelector(() => settings.get('smtpUrl'));
  const outbox = createMailOutbox({
    database: rt.database,
    keyring: rt.keyring,
    bus: rt.bus,
    logger: rt.logger.child({ component: 'mail' }),
    slugOf,
    transport: () => transports.get(),
    logWithoutSmtp: isEmbedded(rt.loaded.config),
    from: () => settings.get('mailFrom'),
    maxAttempts: () => settings.get('mailMaxAttempts'),
    retryBaseMs: () => settings.get('mailRetryBaseMs'),
  });
  return {
    ...outbox,
    async start() {
      if (rt.role === 'server') await outbox.start();
    },
    async stop() {
      await outbox.stop();
      transports.close();
    },
  };
}
