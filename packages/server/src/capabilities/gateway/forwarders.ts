/**
 * Trusted forwarders (issue 11 §7, the seeds' Cloudflare case): the proxies whose word about the
 * original request and the client's address is believed. From anyone else the headers are not
 * evidence of anything. Parsed once per setting value into a `net.BlockList`; an entry that is not
 * an address or CIDR range is skipped (and reported), never widening the list.
 */
import { BlockList, isIP } from 'node:net';

export interface Forwarders {
  /** The setting text this was built from. */
  readonly source: string;
  trusts(address: string): boolean;
}

/** Strips an IPv4-mapped IPv6 prefix (`::ffff:127.0.0.1` → `127.0.0.1`). */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Parses `127.0.0.0/8, ::1/128, 203.0.113.10`.
 *
 * @example parseForwarders('10.0.0.0/8').trusts('10.1.2.3') // true
 */
export function parseForwarders(text: string, onBadEntry?: (entry: string) => void): Forwarders {
  const list = new BlockList();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [addr, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (
      family === 0 ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > max ||
      (bits !== undefined && !/^\d{1,3}$/.test(bits))
    ) {
      onBadEntry?.(entry);
      continue;
    }
    list.addSubnet(addr, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  // the answers for the addresses seen (a proxy's few peers ask every time), bounded
  const known = new Map<string, boolean>();
  return {
    source: text,
    trusts(address) {
      let yes = known.get(address);
      if (yes === undefined) {
        const a = plainAddress(address);
        const family = isIP(a);
        yes = family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
        if (known.size >= 1024) known.clear();
        known.set(address, yes);
      }
      return yes;
    },
  };
}

/** A valid IP address (plain form) or null. */
export function ipOrNull(text: string | undefined): string | null {
  if (text === undefined) return null;
  const t = plainAddress(text.trim());
  return t.length <= 45 && isIP(t) !== 0 ? t : null;
}

/**
 * The client's address: the peer itself unless it is trusted; from a trusted peer,
 * `X-Original-Client-IP` (set by the proxy that talks to Gatekeeper through a CDN), else the first
 * untrusted hop of `X-Forwarded-For` counted from the right (each trusted proxy appended one), else
 * the peer.
 */
export function clientAddress(
  peer: string,
  forwarders: Forwarders,
  headers: { originalClientIp?: string | undefined; forwardedFor?: string | undefined },
): string {
  const p = plainAddress(peer);
  if (!forwarders.trusts(p)) return p;
  const original = ipOrNull(headers.originalClientIp);
  if (original) return original;
  if (headers.forwardedFor && headers.forwardedFor.length <= 4096) {
    const hops = headers.forwardedFor.split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = ipOrNull(hops[i]);
      if (!hop) break;
      if (!forwarders.trusts(hop) || i === 0) return hop;
    }
  }
  return p;
}
