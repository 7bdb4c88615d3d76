/**
 * A real SMTP server for tests (`smtp-server`, parsed with `mailparser`): it accepts every message on
 * a free loopback port (or a given one, to bring a "down" server back) and keeps what it received.
 */
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestSmtp {
  readonly port: number;
  readonly url: string;
  readonly received: ParsedMail[];
  /** Resolves with the next message to `to` (or already received, not yet taken). */
  next(to: string, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

export async function startTestSmtp(port = 0): Promise<TestSmtp> {
  const received: ParsedMail[] = [];
  const taken = new Set<ParsedMail>();
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push(mail);
          for (const w of waiters.splice(0)) w();
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.server.address() as AddressInfo).port;
  const addressOf = (m: ParsedMail) => {
    const to = Array.isArray(m.to) ? m.to : m.to ? [m.to] : [];
    return to.flatMap((a) => a.value.map((v) => v.address?.toLowerCase()));
  };
  return {
    port: actual,
    url: `smtp://127.0.0.1:${actual}`,
    received,
    async next(to, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find((m) => !taken.has(m) && addressOf(m).includes(to.toLowerCase()));
        if (found) {
          taken.add(found);
          return found;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port nothing listens on (an SMTP server that is down). */
export async function closedPort(): Promise<number> {
  const s = await startTestSmtp();
  await s.close();
  return s.port;
}
