/**
 * Backup codes: 10 single-use codes shown once, when TOTP is enrolled or the codes are renewed.
 * Each is 10 characters from an alphabet without look-alikes (~49 bits), shown as `xxxxx-xxxxx`;
 * what is stored is SHA-256 of `<user id>:<code>` (ARCHITECTURE.md §5.1: high-entropy secrets by
 * digest), consumed with one `DELETE … RETURNING` (store.ts).
 */
import { createHash, randomInt } from 'node:crypto';

export const BACKUP_CODE_COUNT = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 10;

/** Fresh codes, formatted for display. */
export function generateBackupCodes(count = BACKUP_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let code = '';
    for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    return `${code.slice(0, 5)}-${code.slice(5)}`;
  });
}

/** A code as typed (any case, spaces or dashes) in its canonical form, or null when it cannot be one. */
export function normalizeBackupCode(typed: string): string | null {
  const code = typed.toLowerCase().replace(/[\s-]/g, '');
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

/** The stored digest of a (normalized) code of a user. */
export function backupCodeDigest(userId: string, normalized: string): string {
  return createHash('sha256').update(`${userId}:${normalized}`).digest('hex');
}
