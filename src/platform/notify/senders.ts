import type { Mail } from 'nodemailer';
import { loadNodemailer } from '../lazy.ts';
import type { Config } from '../../config/index.ts';
import type { Lang } from '../i18n/index.ts';
import type { Logger } from '../jobs/scheduler.ts';

/** A failure that no retry will cure (address refused, request rejected): the message fails at once. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

export interface DeliveryReceipt {
  /** The provider's reference (SMTP response, SMS message id), kept on the outbox row. */
  ref: string | null;
}

export interface EmailMessage {
  /** Stable per outbox row: a re-send after a crash carries the same Message-ID, so receivers can drop the copy. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  lang: Lang;
}

export interface EmailSender {
  readonly kind: string;
  send(mail: EmailMessage): Promise<DeliveryReceipt>;
  close(): void;
}

export interface SmsMessage {
  /** Stable per outbox row: a provider that honours it sends a re-claimed message once. */
  idempotencyKey: string;
  to: string;
  text: string;
  template: string;
  lang: Lang;
}

export interface SmsProvider {
  readonly kind: string;
  send(sms: SmsMessage): Promise<DeliveryReceipt>;
}

export interface NotifySenders {
  email: EmailSender;
  sms: SmsProvider;
}

/** Shorter than the delivery lease, so a hung server never outlives the claim. */
const SEND_TIMEOUT_MS = 20_000;

export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

/** E-mail over SMTP (smtp:// or smtps:// URL with optional user:password). */
export class SmtpEmailSender implements EmailSender {
  readonly kind = 'smtp';
  #transport: Mail | null = null;
  readonly #url: string;
  readonly #from: string;

  constructor(url: string, from: string) {
    this.#url = url;
    this.#from = from;
  }

  async #connection(): Promise<Mail> {
    const nodemailer = await loadNodemailer();
    const url = this.#url;
    return (this.#transport ??= nodemailer.createTransport({ url, connectionTimeout: SEND_TIMEOUT_MS, greetingTimeout: SEND_TIMEOUT_MS, socketTimeout: SEND_TIMEOUT_MS }));
  }

  async send(mail: EmailMessage): Promise<DeliveryReceipt> {
    try {
      const transport = await this.#connection();
      const info = await transport.sendMail({
        from: this.#from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
        headers: { 'Content-Language': mail.lang },
      });
      return { ref: String(info.response ?? info.messageId ?? '').slice(0, 500) || null };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      // 5xx is the server refusing this message for good (unknown mailbox, policy); 4xx is "try later".
      if (code && code >= 500 && code < 600) throw new PermanentDeliveryError(`SMTP ${code}: ${(error as Error).message}`);
      throw error;
    }
  }

  close() {
    this.#transport?.close();
  }
}

/** Without an SMTP server (the embedded default) mail is written to the log instead. */
export class LogEmailSender implements EmailSender {
  readonly kind = 'log';
  constructor(private readonly log: Logger) {}
  async send(mail: EmailMessage): Promise<DeliveryReceipt> {
    this.log.info({ channel: 'email', to: maskEmail(mail.to), messageId: mail.messageId, subject: mail.subject }, 'e-mail delivered to the log (no SMTP server configured)');
    return { ref: 'log' };
  }
  close() {}
}

/**
 * SMS through an HTTP gateway: POST JSON { to, text, template, lang, idempotencyKey } with a
 * bearer token. 2xx is delivered; 4xx (except 408 and 429) is permanent; the rest is retried.
 */
export class HttpSmsProvider implements SmsProvider {
  readonly kind = 'http';
  constructor(
    private readonly url: string,
    private readonly token: string | null,
  ) {}

  async send(sms: SmsMessage): Promise<DeliveryReceipt> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': sms.idempotencyKey };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const response = await fetch(this.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ to: sms.to, text: sms.text, template: sms.template, lang: sms.lang, idempotencyKey: sms.idempotencyKey }),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    const body = (await response.text()).slice(0, 500);
    if (response.ok) {
      try {
        const parsed = JSON.parse(body) as { id?: unknown; messageId?: unknown };
        const id = parsed.id ?? parsed.messageId;
        return { ref: id === undefined || id === null ? null : String(id) };
      } catch {
        return { ref: body || null };
      }
    }
    const message = `SMS gateway answered ${response.status}: ${body}`;
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) throw new PermanentDeliveryError(message);
    throw new Error(message);
  }
}

/**
 * The embedded default: SMS are written to the log and count as delivered. Without a gateway the
 * log is the only way to read a verification code, so the line holds the full number and text.
 */
export class LogSmsProvider implements SmsProvider {
  readonly kind = 'log';
  constructor(private readonly log: Logger) {}
  async send(sms: SmsMessage): Promise<DeliveryReceipt> {
    this.log.info({ channel: 'sms', to: sms.to, template: sms.template, idempotencyKey: sms.idempotencyKey, text: sms.text }, `SMS to ${sms.to}: ${sms.text}`);
    return { ref: 'log' };
  }
}

/** The senders the settings ask for: SMTP and the HTTP gateway when configured, the log otherwise. */
export function createSenders(config: Pick<Config, 'smtp' | 'sms'>, log: Logger): NotifySenders {
  return {
    email: config.smtp.url ? new SmtpEmailSender(config.smtp.url, config.smtp.from) : new LogEmailSender(log),
    sms: config.sms.url ? new HttpSmsProvider(config.sms.url, config.sms.token) : new LogSmsProvider(log),
  };
}
