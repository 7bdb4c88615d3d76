/**
 * The SMTP transport: nodemailer over the configured `smtpUrl` (`smtp://` with STARTTLS when the
 * server offers it, `smtps://` for implicit TLS). One pooled transport per URL; a changed runtime
 * setting builds a new one and closes the old. Bounded timeouts, so an unreachable or silent server
 * fails an attempt (the outbox retries it) instead of holding the worker.
 */
import type { Transporter } from 'nodemailer';

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  /** Sends one message; resolves with the server's message id, rejects when it was not accepted. */
  send(message: MailMessage): Promise<string | null>;
  close(): void;
}

export interface SmtpTransportOptions {
  /** Connection, greeting and socket timeouts (default 10 s). */
  timeoutMs?: number;
}

export function createSmtpTransport(url: string, options: SmtpTransportOptions = {}): MailTransport {
  const timeout = options.timeoutMs ?? 10_000;
  // nodemailer loads with the first message, not at start-up (issue 6 §9)
  let transporter: Promise<Transporter> | undefined;
  let closed = false;
  const open = () =>
    (transporter ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        url,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        disableFileAccess: true,
        disableUrlAccess: true,
      }),
    ));
  return {
    async send(message) {
      if (closed) throw new Error('the mail transport is closed');
      const info = await (await open()).sendMail(message);
      return typeof info.messageId === 'string' ? info.messageId.slice(0, 255) : null;
    },
    close() {
      closed = true;
      void transporter?.then((t) => t.close());
    },
  };
}

/** Keeps one transport for the current URL, rebuilt when the URL changes; null when it is empty. */
export function createTransportSelector(
  currentUrl: () => string,
  build: (url: string) => MailTransport = createSmtpTransport,
): { get(): MailTransport | null; close(): void } {
  let active: { url: string; transport: MailTransport } | undefined;
  return {
    get() {
      const url = currentUrl();
      if (active?.url === url) return active.transport;
      active?.transport.close();
      active = url ? { url, transport: build(url) } : undefined;
      return active?.transport ?? null;
    },
    close() {
      active?.transport.close();
      active = undefined;
    },
  };
}
