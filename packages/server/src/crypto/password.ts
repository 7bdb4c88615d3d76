/**
 * Password hashing with Argon2id (ARCHITECTURE.md §5.1; RFC 9106) stored as PHC strings
 * (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). Verification reports when a stored hash was made with
 * other parameters so the login flow can rehash transparently, and a dummy verification lets an
 * unknown user's login cost the same time as a known one's.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Argon2 from '@node-rs/argon2';

// the native module is loaded by the first hash or verification, not at start (issue 6 §9: 7 ms and
// its shared library mapped, for a server that may not see a password for a long while)
let argon2: typeof Argon2 | undefined;
const native = (): typeof Argon2 => (argon2 ??= createRequire(import.meta.url)('@node-rs/argon2'));
const hash: typeof Argon2.hash = (...args) => native().hash(...args);
const verify: typeof Argon2.verify = (...args) => native().verify(...args);

/** Argon2id cost parameters. */
export type PasswordHashParams = {
  /** Memory in KiB (`m=`). */
  memoryCost: number;
  /** Passes over memory (`t=`). */
  timeCost: number;
  /** Lanes (`p=`). */
  parallelism: number;
};

export type PasswordHasher = {
  /** Hashes a password into a PHC string with a fresh random salt. */
  hash(password: string): Promise<string>;
  /** Checks a password against a PHC string; a malformed string gives `ok: false`, never a throw. */
  verify(phc: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
  /** Spends the time of one verification with these parameters; for logins of unknown users. */
  verifyAgainstDummy(password: string): Promise<void>;
};

/** OWASP Password Storage Cheat Sheet's first Argon2id choice: 19 MiB, 2 passes, 1 lane. */
export const OWASP_ARGON2ID: PasswordHashParams = Object.freeze({
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

/** `Algorithm.Argon2id` of @node-rs/argon2: a `const enum` in its typings, which type stripping cannot inline. */
const ARGON2ID = 2;
/** Argon2 version 0x13, the only one we write; a PHC string without `v=` is version 0x10. */
const ARGON2_VERSION = 19;
/** Longest PHC string accepted for verification; real ones are ~100 characters. */
const MAX_PHC_LENGTH = 512;
const PHC = /^\$(argon2(?:id|i|d))\$(?:v=(\d+)\$)?m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/**
 * Creates a hasher bound to one set of parameters.
 *
 * @example
 * const passwords = createPasswordHasher(OWASP_ARGON2ID);
 * const phc = await passwords.hash('correct horse');
 * const { ok, needsRehash } = await passwords.verify(phc, 'correct horse');
 */
export function createPasswordHasher(params: PasswordHashParams): PasswordHasher {
  checkParams(params);
  const options = { ...params, algorithm: ARGON2ID };
  return {
    hash: (password) => hash(password, options),
    async verify(phc, password) {
      const parsed = parsePhc(phc);
      if (parsed === null) return { ok: false, needsRehash: false };
      let ok: boolean;
      try {
        ok = await verify(phc, password);
      } catch {
        return { ok: false, needsRehash: false };
      }
      const needsRehash =
        ok &&
        (parsed.algorithm !== 'argon2id' ||
          parsed.version !== ARGON2_VERSION ||
          parsed.memoryCost !== params.memoryCost ||
          parsed.timeCost !== params.timeCost ||
          parsed.parallelism !== params.parallelism);
      return { ok, needsRehash };
    },
    verifyAgainstDummy: (password) => verifyAgainstDummy(password, params),
  };
}

const dummyHashes = new Map<string, Promise<string>>();

/**
 * Verifies `password` against a throw-away hash made with `params` (created once per parameter set)
 * and discards the result, so a login for an unknown user takes as long as a wrong password.
 *
 * @example
 * if (user === undefined) { await verifyAgainstDummy(password); throw invalidCredentials(); }
 */
export async function verifyAgainstDummy(
  password: string,
  params: PasswordHashParams = OWASP_ARGON2ID,
): Promise<void> {
  checkParams(params);
  const cacheKey = `${params.memoryCost}:${params.timeCost}:${params.parallelism}`;
  let dummy = dummyHashes.get(cacheKey);
  if (dummy === undefined) {
    dummy = hash(randomBytes(32).toString('base64url'), { ...params, algorithm: ARGON2ID });
    dummyHashes.set(cacheKey, dummy);
    dummy.catch(() => dummyHashes.delete(cacheKey));
  }
  await verify(await dummy, password);
}

type ParsedPhc = { algorithm: string; version: number } & PasswordHashParams;

/** Reads the algorithm and parameters from a PHC string, or null when it is not an Argon2 one. */
function parsePhc(phc: string): ParsedPhc | null {
  if (typeof phc !== 'string' || phc.length > MAX_PHC_LENGTH) return null;
  const match = PHC.exec(phc);
  if (match === null) return null;
  const [, algorithm = '', version, memoryCost, timeCost, parallelism] = match;
  return {
    algorithm,
    version: version === undefined ? 16 : Number(version),
    memoryCost: Number(memoryCost),
    timeCost: Number(timeCost),
    parallelism: Number(parallelism),
  };
}

function checkParams(params: PasswordHashParams): void {
  const { memoryCost, timeCost, parallelism } = params;
  const valid =
    Number.isSafeInteger(memoryCost) &&
    Number.isSafeInteger(timeCost) &&
    Number.isSafeInteger(parallelism) &&
    parallelism >= 1 &&
    parallelism <= 255 &&
    timeCost >= 1 &&
    memoryCost >= 8 * parallelism &&
    memoryCost <= 2 ** 32 - 1;
  if (!valid) throw new RangeError(`invalid Argon2id parameters ${JSON.stringify(params)}`);
}

/**
 * A hasher whose parameters follow a runtime setting: each call uses the current parameters, so a
 * changed cost applies to new hashes at once and older hashes are upgraded at the next login
 * (`needsRehash`).
 */
export function createConfiguredPasswordHasher(current: () => PasswordHashParams): PasswordHasher {
  let key = '';
  let hasher: PasswordHasher | undefined;
  const get = (): PasswordHasher => {
    const params = current();
    const k = `${params.memoryCost}:${params.timeCost}:${params.parallelism}`;
    if (!hasher || k !== key) {
      hasher = createPasswordHasher(params);
      key = k;
    }
    return hasher;
  };
  return {
    hash: (password) => get().hash(password),
    verify: (phc, password) => get().verify(phc, password),
    verifyAgainstDummy: (password) => get().verifyAgainstDummy(password),
  };
}
