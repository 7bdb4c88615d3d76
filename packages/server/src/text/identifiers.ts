/**
 * One comparison form for every name a person types, so two spellings that mean — or look like —
 * the same thing are one name everywhere (API, CLI, import, sign-in):
 * - usernames follow the PRECIS UsernameCaseMapped profile (RFC 8265 §3.3): width mapping
 *   (full-width `ａ` → `a`), case mapping (`toLowerCase`), NFC; and the IdentifierClass of RFC 8264
 *   §4.2 approximately: letters, digits and combining marks of any script plus printable ASCII, no
 *   spaces, no control, format or invisible characters, nothing with a compatibility decomposition
 *   (`ﬁ`, `²`). What is stored for display is the case-preserved form (width-mapped, NFC);
 * - group, role and other names are free text compared as NFC + lower case;
 * - email addresses compare by local part (NFC, lower case) and the domain's IDNA ASCII form
 *   (UTS #46 ToASCII through `node:url` domainToASCII), so `zoe@bücher.example` and
 *   `zoe@xn--bcher-kva.example` are one address.
 * The confusable skeleton that catches `аdmin` (Cyrillic а) next to `admin` is in `confusables.ts`.
 */
import { domainToASCII } from 'node:url';

/** IdentifierClass, approximately: printable ASCII, or a letter, decimal digit or combining mark. */
const IDENTIFIER_CHAR = /^(?:[\x21-\x7e]|[\p{L}\p{Nd}\p{Mn}\p{Mc}])$/u;

/** The pattern request schemas use for usernames (the compatibility check is the service's). */
export const USERNAME_PATTERN = '^(?:[\\x21-\\x7e]|[\\p{L}\\p{Nd}\\p{Mn}\\p{Mc}])+$';
export const USERNAME_MESSAGE =
  'must be letters, digits and ASCII punctuation, without spaces, control or invisible characters';

/** Full-width and half-width forms (RFC 8265 width mapping) to their decomposition. */
function mapWidth(value: string): string {
  return value.replace(/[\u3000\uff01-\uffee]/g, (c) => c.normalize('NFKC'));
}

/**
 * The username as stored and shown: width-mapped and NFC, case preserved (PRECIS
 * UsernameCasePreserved). Null when a code point is outside the IdentifierClass.
 */
export function usernameForm(value: string): string | null {
  const mapped = mapWidth(value).normalize('NFC');
  if (mapped.length === 0) return null;
  for (const ch of mapped) {
    if (!IDENTIFIER_CHAR.test(ch)) return null;
    // compatibility characters (ligatures, superscripts, …) are not identifiers
    if (ch.charCodeAt(0) > 0x7f && ch.normalize('NFKC') !== ch) return null;
  }
  return mapped;
}

/** The comparison key of a username (PRECIS UsernameCaseMapped): width map, lower case, NFC. */
export function usernameKey(value: string): string {
  return mapWidth(value).toLowerCase().normalize('NFC');
}

/** The comparison key of a group, role or other name: NFC, lower case. */
export function nameKey(value: string): string {
  return value.normalize('NFC').toLowerCase().normalize('NFC');
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** The IDNA ASCII form of a domain (lower case), or null when it is no valid host name. */
export function asciiDomain(domain: string): string | null {
  const ascii = domainToASCII(domain.normalize('NFC'));
  if (ascii === '' || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(labels.at(-1)!)) return null;
  return ascii;
}

/**
 * The comparison key of an email address: NFC lower-case local part, `@`, the domain's IDNA ASCII
 * form. Null when the domain is not a valid host name.
 */
export function emailKey(value: string): string | null {
  const at = value.lastIndexOf('@');
  if (at <= 0) return null;
  const domain = asciiDomain(value.slice(at + 1));
  if (domain === null) return null;
  return `${value.slice(0, at).normalize('NFC').toLowerCase()}@${domain}`;
}
