/**
 * The provider's outbound HTTP (client ID metadata documents, clients' `jwks_uri`, back-channel logout
 * tokens). By default it is
 * the library's own: Node's fetch through a dispatcher that drops connections to special-use
 * addresses (SSRF protection), trusting the system CAs. Two settings change that:
 * - `oidcOutboundCaFile`: extra CAs (PEM) trusted besides the system's, for clients served under a
 *   private CA;
 * - `oidcOutboundAllowPrivateAddresses`: loopback and private-network addresses may be fetched.
 * Either one means our own dispatcher (Node's bundled undici Agent, with those TLS options); unless
 * private addresses are allowed, it refuses them itself — a literal address by its value, a name by
 * every address it resolves to (the connection uses the checked address).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';

/** Special-use ranges (RFC 6890 and successors) an outbound fetch must not reach. */
const SPECIAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const)
  SPECIAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  SPECIAL.addSubnet(net, prefix, 'ipv6');

export function isSpecialUseAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return SPECIAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

type Fetch = (url: string | URL, options: RequestInit & { dispatcher?: unknown }) => Promise<Response>;

/** A `lookup` for net/tls.connect that refuses names resolving to special-use addresses. */
function guardedLookup(
  hostname: string,
  options: object,
  callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    if (list.length === 0 || list.some((a) => isSpecialUseAddress(a.address)))
      return callback(new Error(`${hostname} resolves to a special-use address`), []);
    if ((options as { all?: boolean }).all) return callback(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
}

/** The provider's `fetch`, or undefined for the library's default. */
export function createOutboundFetch(o: {
  caFile: string;
  allowPrivateAddresses: boolean;
}): Fetch | undefined {
  if (o.caFile === '' && !o.allowPrivateAddresses) return undefined;
  // node:tls taken here, not imported: an ES-module import reads its `rootCertificates` getter, which
  // parses every bundled root certificate at start-up whether or not a CA file is configured
  const ca =
    o.caFile === ''
      ? undefined
      : [...process.getBuiltinModule('node:tls').rootCertificates, readFileSync(o.caFile, 'utf8')];
  void Response; // Node loads its bundled undici (and installs the global Agent) lazily
  const Agent = (
    globalThis as unknown as Record<symbol, { constructor: new (opts: object) => unknown } | undefined>
  )[Symbol.for('undici.globalDispatcher.1')]?.constructor;
  if (!Agent) throw new Error('no undici Agent in this Node: oidcOutbound* settings need Node 24');
  const dispatcher = new Agent({
    connect: {
      ...(ca ? { ca } : {}),
      ...(o.allowPrivateAddresses ? {} : { lookup: guardedLookup }),
    },
  });
  return async (url, options) => {
    if (!o.allowPrivateAddresses) {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      if (isSpecialUseAddress(host)) throw new Error(`${host} is a special-use address`);
    }
    return globalThis.fetch(url, { ...options, dispatcher } as RequestInit);
  };
}
