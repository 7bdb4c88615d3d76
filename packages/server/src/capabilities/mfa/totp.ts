/**
 * TOTP (RFC 6238) through `otpauth`: SHA-1, 6 digits, 30-second steps — what every authenticator app
 * reads from an `otpauth://` URI (some ignore other algorithms, digits or periods). A code is checked
 * against the current step and one step either way (±30 s of clock drift, RFC 6238 §5.2); the
 * caller records the matched step so the same code is never accepted twice (service.ts). The QR code
 * is an SVG (`qrcode`), inlined by the enrolment page: no external resource.
 */
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
export const TOTP_WINDOW = 1;

/** A fresh 160-bit seed in base32 (RFC 4226 §4 recommends 160 bits). */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpOf(secret: string, issuer = '', label = ''): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
    secret: Secret.fromBase32(secret),
  });
}

/** The `otpauth://totp/…` URI an authenticator app scans. */
export function totpUri(secret: string, issuer: string, label: string): string {
  return totpOf(secret, issuer, label).toString();
}

/** The time step (RFC 6238 T) of `nowMs`. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD);
}

/** The code of a step (tests and the enrolment check). */
export function totpCode(secret: string, nowMs: number): string {
  return totpOf(secret).generate({ timestamp: nowMs });
}

/**
 * The step whose code `code` is (within ±1 step of `nowMs`), or null. Anything but 6 digits is null
 * without being compared.
 */
export function matchTotpStep(secret: string, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(secret).validate({ token: code, timestamp: nowMs, window: TOTP_WINDOW });
  return delta === null ? null : totpStep(nowMs) + delta;
}

/** The URI as an SVG QR code (text, safe to inline: generated, no user input but the label). */
export async function totpQrSvg(uri: string): Promise<string> {
  // the QR encoder (and its PNG writer) loads on the first enrolment, not at start-up
  const QRCode = (await import('qrcode')).default;
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
