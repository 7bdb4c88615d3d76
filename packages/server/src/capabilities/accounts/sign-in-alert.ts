/**
 * New-sign-in alerts (issue 9 §3, the `sign-in-alert` template). When a tenant turns on
 * `alerts.newSignIn`, a sign-in from a browser the user was not seen in before queues the alert mail
 * in the session's own unit of work: it commits with the sign-in, or not at all. A browser is known
 * to the user when
 *  1. it carries the user's **device mark**: the `gk_device_<slug>` cookie holds up to five marks
 *     (one per user who signed in there), each `<issued, base 36>~<HMAC(tenant, user, issued)>`
 *     under a key derived from the master keys; every sign-in sets or refreshes the mark, which is
 *     honoured for 400 days (the longest a browser keeps a cookie); or
 *  2. another live session of the user has the same browser family (browser and operating system,
 *     e.g. "Chrome on Linux") from the same network (IPv4 /24, IPv6 /64): a browser that lost its
 *     cookies while still signed in, or a second profile of it.
 * The first sign-in of an account sends nothing (there is nothing to compare it with), and a mark is
 * set whatever the policy, so turning the alerts on later does not alert every known browser.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { UserMailer } from '../../mail/user-mailer.ts';
import type { Session } from './sessions.ts';
import type { SignInSettingsService } from './settings.ts';

export const DEVICE_MARK_MAX_AGE_SECONDS = 400 * 24 * 3600;
const MAX_MARKS = 5;
const MARK = /^([0-9a-z]{1,11})~([A-Za-z0-9_-]{22})$/;

export interface DeviceMarks {
  /** The cookie holding a browser's marks for a tenant (`__Host-` prefixed over https). */
  cookieName(slug: string): string;
  /** Whether the cookie value carries a valid, unexpired mark of this user. */
  knows(tenantId: string, userId: string, cookie: string | undefined, at: number): boolean;
  /** The cookie value after this sign-in: the user's fresh mark first, other users' marks kept (five at most). */
  mint(tenantId: string, userId: string, cookie: string | undefined, at: number): string;
}

export function createDeviceMarks(deps: {
  /** MAC keys, newest first (derived from the master keys: several verify while they rotate). */
  keys: () => readonly Buffer[];
  secureCookies: () => boolean;
}): DeviceMarks {
  const macOf = (key: Buffer, tenantId: string, userId: string, issued: string) =>
    createHmac('sha256', key).update(`device\n${tenantId}\n${userId}\n${issued}`).digest().subarray(0, 16);
  const marksOf = (cookie: string | undefined, at: number) =>
    (cookie ?? '')
      .split('.')
      .slice(0, MAX_MARKS)
      .map((m) => MARK.exec(m))
      .filter((m): m is RegExpExecArray => m !== null)
      .filter((m) => {
        const issued = Number.parseInt(m[1] as string, 36);
        return issued <= at + 60_000 && at - issued < DEVICE_MARK_MAX_AGE_SECONDS * 1000;
      });
  const isUsers = (m: RegExpExecArray, tenantId: string, userId: string) => {
    const mac = Buffer.from(m[2] as string, 'base64url');
    return deps.keys().some((k) => timingSafeEqual(macOf(k, tenantId, userId, m[1] as string), mac));
  };
  return {
    cookieName: (slug) => (deps.secureCookies() ? `__Host-gk_device_${slug}` : `gk_device_${slug}`),
    knows: (tenantId, userId, cookie, at) => marksOf(cookie, at).some((m) => isUsers(m, tenantId, userId)),
    mint(tenantId, userId, cookie, at) {
      const key = deps.keys()[0];
      if (!key) throw new Error('no device-mark key');
      const issued = at.toString(36);
      const fresh = `${issued}~${macOf(key, tenantId, userId, issued).toString('base64url')}`;
      const others = marksOf(cookie, at)
        .filter((m) => !isUsers(m, tenantId, userId))
        .map((m) => m[0]);
      return [fresh, ...others].slice(0, MAX_MARKS).join('.');
    },
  };
}

/**
 * "Chrome on Linux", "Safari on iOS", … from a User-Agent header; "an unknown browser" when it
 * names none we know. Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
 */
export function browserFamily(userAgent: string): string {
  const ua = userAgent.slice(0, 512);
  const browser =
    [
      ['Edge', /\bEdg(e|A|iOS)?\//],
      ['Opera', /\bOPR\/|\bOpera\b/],
      ['Firefox', /\bFirefox\/|\bFxiOS\//],
      ['Chrome', /\bChrome\/|\bCriOS\/|\bChromium\//],
      ['Safari', /\bSafari\//],
    ].find(([, re]) => (re as RegExp).test(ua))?.[0] ?? null;
  const os =
    [
      ['Android', /\bAndroid\b/],
      ['iOS', /\biPhone\b|\biPad\b|\biPod\b/],
      ['ChromeOS', /\bCrOS\b/],
      ['Windows', /\bWindows\b/],
      ['macOS', /\bMac OS X\b|\bMacintosh\b/],
      ['Linux', /\bLinux\b|\bX11\b/],
    ].find(([, re]) => (re as RegExp).test(ua))?.[0] ?? null;
  if (!browser) return os ? `an unknown browser on ${os}` : 'an unknown browser';
  return os ? `${browser} on ${os}` : (browser as string);
}

/** The network an address belongs to for the alert rule: IPv4 /24, IPv6 /64; null when it is not an address. */
export function networkOf(ip: string): string | null {
  const addr = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (isIPv4(addr)) return `${addr.split('.').slice(0, 3).join('.')}.0/24`;
  if (!isIPv6(addr)) return null;
  const [head = '', tail = ''] = addr.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = addr.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}

/**
 * How the user signed in, for the mail: the first factor (a password, a passkey, or a sign-in link —
 * `otp` without a password), then the second (a one-time code, a passkey).
 */
export function describeMethods(amr: readonly string[]): string {
  const has = (m: string) => amr.includes(m);
  const first = has('pwd') ? 'password' : has('otp') ? 'sign-in link' : has('hwk') ? 'passkey' : null;
  if (!first) return 'another method';
  let second: string | null = null;
  if (first !== 'passkey' && has('hwk')) second = 'passkey';
  // TOTP and backup codes are `otp` + `mfa`, and only ever a second factor
  else if (first !== 'passkey' && has('otp') && has('mfa')) second = 'one-time code';
  return second ? `${first} and ${second}` : first;
}

export interface SignInFacts {
  tenantId: string;
  userId: string;
  amr: readonly string[];
  ip: string;
  userAgent: string;
  /** The browser's device-mark cookie, if it sent one. */
  device?: string | undefined;
  at: number;
}

export interface SignInAlerts {
  marks: DeviceMarks;
  /**
   * Runs inside the session's unit of work with the user's other live sessions: queues the alert when
   * the tenant asks for it and the browser is new to the user; true when it queued one.
   */
  check(facts: SignInFacts, others: readonly Session[]): Promise<boolean>;
}

export function createSignInAlerts(deps: {
  settings: SignInSettingsService;
  marks: DeviceMarks;
  /** When the user last signed in (ISO), null when never. */
  lastSignInAt(tenantId: string, userId: string): Promise<string | null>;
  mailer?: UserMailer;
}): SignInAlerts {
  return {
    marks: deps.marks,
    async check(f, others) {
      if (!deps.mailer) return false;
      if (!(await deps.settings.get(f.tenantId)).alerts.newSignIn) return false;
      if (deps.marks.knows(f.tenantId, f.userId, f.device, f.at)) return false;
      const family = browserFamily(f.userAgent);
      const network = networkOf(f.ip);
      if (network && others.some((s) => networkOf(s.ip) === network && browserFamily(s.userAgent) === family))
        return false;
      if ((await deps.lastSignInAt(f.tenantId, f.userId)) === null) return false;
      return deps.mailer.send(f.tenantId, f.userId, 'sign-in-alert', {
        ip: f.ip,
        userAgent: family,
        method: describeMethods(f.amr),
        time: new Date(f.at).toUTCString(),
      });
    },
  };
}
