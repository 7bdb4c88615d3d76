/**
 * Passkeys (WebAuthn Level 3) through `@simplewebauthn/server`: registration from the account page
 * (resident key required, so the passkey works for passwordless sign-in), discoverable passwordless
 * authentication (no user named first; the credential id finds the user), and use as a second factor
 * (only the user's own passkeys are allowed). Every ceremony's challenge lives in the shared state
 * under a random id and is taken exactly once (`take`), so a response can never be replayed, on any
 * instance. The relying party is the public URL's host; the expected origin its origin. A verified
 * sign-in moves the signature counter forward in one guarded UPDATE (a cloned authenticator whose
 * counter goes backwards is refused). amr: `hwk` (a key held in hardware) and `user` (user
 * presence), plus `mfa` when the authenticator verified the user (PIN or biometrics).
 */
import { randomBytes } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { sql } from 'kysely';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import { createTenantEventEmitter } from '../../events/tenant-events.ts';
import type { UserMailer } from '../../mail/user-mailer.ts';
import type { SharedState } from '../../state/state.ts';
import type { Database } from '../../storage/database.ts';
import { isId, newId } from '../../storage/ids.ts';
import type { PasskeysTable } from '../../storage/tables.ts';
import { toIso, toIsoOrNull } from '../../storage/time.ts';
import { inUnits } from '../../storage/unit-of-work.ts';
import './errors.ts';

/**
 * The WebAuthn library with its ASN.1 and X.509 stack (~280 modules) loads on the first ceremony,
 * not at start-up (issue 6 §9: cold start, idle RSS).
 */
let webauthn: Promise<typeof import('@simplewebauthn/server')> | undefined;
const webAuthn = () => (webauthn ??= import('@simplewebauthn/server'));

const CHALLENGE_TTL_MS = 5 * 60_000;
const MAX_PASSKEYS = 20;
const NAME_MAX = 64;

export interface PasskeyView {
  id: string;
  name: string;
  deviceType: string;
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface PasskeyCeremony<T> {
  /** Goes back with the browser's answer (a form field); the challenge is taken once. */
  ceremonyId: string;
  options: T;
}

export interface PasskeySignIn {
  userId: string;
  passkeyId: string;
  amr: string[];
}

export interface PasskeysService {
  list(tenantId: string, userId: string): Promise<PasskeyView[]>;
  count(tenantId: string, userId: string): Promise<number>;
  registrationOptions(
    tenantId: string,
    user: { id: string; username: string; name: string | null },
    rpName: string,
  ): Promise<PasskeyCeremony<PublicKeyCredentialCreationOptionsJSON>>;
  register(
    tenantId: string,
    userId: string,
    ceremonyId: string,
    response: unknown,
    name: string,
    ctx: ActionContext,
  ): Promise<PasskeyView>;
  /** Options for a sign-in: discoverable (no user) or a second factor of `userId`. */
  authenticationOptions(
    tenantId: string,
    userId?: string,
  ): Promise<PasskeyCeremony<PublicKeyCredentialRequestOptionsJSON>>;
  authenticate(
    tenantId: string,
    ceremonyId: string,
    response: unknown,
    ctx: ActionContext,
  ): Promise<PasskeySignIn>;
  rename(
    tenantId: string,
    userId: string,
    id: string,
    name: string,
    ctx: ActionContext,
  ): Promise<PasskeyView>;
  delete(tenantId: string, userId: string, id: string, ctx: ActionContext): Promise<void>;
  deleteAll(tenantId: string, userId: string): Promise<number>;
}

export interface PasskeysDeps {
  database: Database;
  state: SharedState;
  bus: EventBus;
  mailer: UserMailer;
  slugOf(tenantId: string): Promise<string>;
  /** The origin browsers see (the public URL's). */
  origin(): string;
}

interface Ceremony {
  kind: 'register' | 'authenticate';
  tenantId: string;
  challenge: string;
  /** The registering user, or the user a second-factor check is for. */
  userId?: string;
}

function view(r: PasskeysTable): PasskeyView {
  return {
    id: r.id,
    name: r.name,
    deviceType: r.device_type,
    backedUp: r.backed_up === 1,
    createdAt: toIso(r.created_at),
    lastUsedAt: toIsoOrNull(r.last_used_at),
  };
}

/** A passkey name as stored: trimmed, one line, 1–64 characters. */
export function checkPasskeyName(name: string): string {
  const n = name.normalize('NFC').trim();
  if (n.length === 0 || n.length > NAME_MAX || /[\p{Cc}]/u.test(n))
    throw new AppError('validation_failed', { detail: `name: 1 to ${NAME_MAX} characters on one line` });
  return n;
}

export function createPasskeysService(deps: PasskeysDeps): PasskeysService {
  const { database, state } = deps;
  const { db } = database;
  const emit = createTenantEventEmitter(deps.bus, deps.slugOf);
  const rp = () => {
    const origin = new URL(deps.origin()).origin;
    return { origin, rpID: new URL(origin).hostname };
  };
  const ceremonyKey = (id: string) => `webauthn:${id}`;

  async function startCeremony(c: Ceremony): Promise<string> {
    const id = randomBytes(18).toString('base64url');
    await state.set(ceremonyKey(id), JSON.stringify(c), CHALLENGE_TTL_MS);
    return id;
  }

  /** Takes the ceremony once; a missing, expired, replayed or foreign one is an invalid response. */
  async function takeCeremony(id: string, kind: Ceremony['kind'], tenantId: string, ctx: ActionContext) {
    const raw =
      typeof id === 'string' && /^[A-Za-z0-9_-]{24}$/.test(id) ? await state.take(ceremonyKey(id)) : null;
    const c = raw ? (JSON.parse(raw) as Ceremony) : null;
    if (!c || c.kind !== kind || c.tenantId !== tenantId)
      return invalid(tenantId, ctx, 'ceremony_unknown_or_used');
    return c;
  }

  async function invalid(
    tenantId: string,
    ctx: ActionContext,
    reason: string,
    userId?: string,
  ): Promise<never> {
    deps.bus.emit({
      type: 'passkey.verification_failed',
      tenant: await deps.slugOf(tenantId).catch(() => tenantId),
      actor: ctx.actor,
      target: userId ? `user:${userId}` : null,
      result: 'failure',
      requestId: ctx.requestId ?? null,
      data: { reason },
    });
    throw new AppError('passkey_invalid');
  }

  const rowsOf = (tenantId: string, userId: string) =>
    db
      .selectFrom('passkeys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();

  const service: PasskeysService = {
    async list(tenantId, userId) {
      return (await rowsOf(tenantId, userId)).map(view);
    },

    async count(tenantId, userId) {
      const r = await db
        .selectFrom('passkeys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async registrationOptions(tenantId, user, rpName) {
      const existing = await rowsOf(tenantId, user.id);
      if (existing.length >= MAX_PASSKEYS) throw new AppError('passkey_limit');
      const options = await (await webAuthn()).generateRegistrationOptions({
        rpName,
        rpID: rp().rpID,
        userName: user.username,
        userDisplayName: user.name ?? user.username,
        userID: new TextEncoder().encode(user.id),
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({
          id: p.credential_id,
          transports: JSON.parse(p.transports),
        })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      });
      const ceremonyId = await startCeremony({
        kind: 'register',
        tenantId,
        challenge: options.challenge,
        userId: user.id,
      });
      return { ceremonyId, options };
    },

    async register(tenantId, userId, ceremonyId, response, name, ctx) {
      const label = checkPasskeyName(name);
      const c = await takeCeremony(ceremonyId, 'register', tenantId, ctx);
      if (c.userId !== userId) return invalid(tenantId, ctx, 'ceremony_of_another_user', userId);
      const { origin, rpID } = rp();
      const result = await (await webAuthn())
        .verifyRegistrationResponse({
          response: response as RegistrationResponseJSON,
          expectedChallenge: c.challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: false,
        })
        .catch(() => null);
      if (!result?.verified) return invalid(tenantId, ctx, 'registration_not_verified', userId);
      const { credential, credentialDeviceType, credentialBackedUp } = result.registrationInfo;
      const now = Date.now();
      const row: PasskeysTable = {
        id: newId(now),
        tenant_id: tenantId,
        user_id: userId,
        credential_id: credential.id,
        public_key: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: JSON.stringify(credential.transports ?? []),
        device_type: credentialDeviceType,
        backed_up: credentialBackedUp ? 1 : 0,
        name: label,
        created_at: now,
        last_used_at: null,
      };
      return database.write(async () => {
        try {
          await db.insertInto('passkeys').values(row).execute();
        } catch (err) {
          if (database.dialect.isUniqueViolation(err)) throw new AppError('passkey_exists');
          throw err;
        }
        await emit(tenantId, 'passkey.registered', `user:${userId}`, ctx, {
          passkeyId: row.id,
          deviceType: row.device_type,
        });
        await deps.mailer.send(tenantId, userId, 'mfa-changed', { change: `A passkey (${label}) was added` });
        return view(row);
      });
    },

    async authenticationOptions(tenantId, userId) {
      const allow = userId
        ? (await rowsOf(tenantId, userId)).map((p) => ({
            id: p.credential_id,
            transports: JSON.parse(p.transports),
          }))
        : undefined;
      const options = await (await webAuthn()).generateAuthenticationOptions({
        rpID: rp().rpID,
        userVerification: userId ? 'preferred' : 'required',
        ...(allow ? { allowCredentials: allow } : {}),
      });
      const ceremonyId = await startCeremony({
        kind: 'authenticate',
        tenantId,
        challenge: options.challenge,
        ...(userId ? { userId } : {}),
      });
      return { ceremonyId, options };
    },

    async authenticate(tenantId, ceremonyId, response, ctx) {
      const c = await takeCeremony(ceremonyId, 'authenticate', tenantId, ctx);
      const answer = response as AuthenticationResponseJSON;
      const credentialId = typeof answer?.id === 'string' && answer.id.length <= 1024 ? answer.id : '';
      const row = credentialId
        ? await db
            .selectFrom('passkeys')
            .selectAll()
            .where('tenant_id', '=', tenantId)
            .where('credential_id', '=', credentialId)
            .executeTakeFirst()
        : undefined;
      if (!row) return invalid(tenantId, ctx, 'unknown_credential', c.userId);
      if (c.userId && row.user_id !== c.userId)
        return invalid(tenantId, ctx, 'credential_of_another_user', c.userId);
      const { origin, rpID } = rp();
      const result = await (await webAuthn())
        .verifyAuthenticationResponse({
          response: answer,
          expectedChallenge: c.challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: !c.userId,
          credential: {
            id: row.credential_id,
            publicKey: new Uint8Array(Buffer.from(row.public_key, 'base64url')),
            counter: Number(row.counter),
            transports: JSON.parse(row.transports),
          },
        })
        .catch(() => null);
      if (!result?.verified) return invalid(tenantId, ctx, 'assertion_not_verified', row.user_id);
      const { newCounter, userVerified } = result.authenticationInfo;
      // the counter only moves forward (0 = the authenticator keeps none), also against a concurrent sign-in
      const moved = await db
        .updateTable('passkeys')
        .set({ counter: newCounter, last_used_at: Date.now() })
        .where('id', '=', row.id)
        .where(sql<boolean>`(counter < ${newCounter} or ${newCounter} = 0)`)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0)
        return invalid(tenantId, ctx, 'counter_went_backwards', row.user_id);
      return {
        userId: row.user_id,
        passkeyId: row.id,
        amr: userVerified ? ['hwk', 'user', 'mfa'] : ['hwk', 'user'],
      };
    },

    async rename(tenantId, userId, id, name, ctx) {
      const label = checkPasskeyName(name);
      if (!isId(id)) throw new AppError('not_found', { detail: 'no such passkey' });
      const rows = await db
        .updateTable('passkeys')
        .set({ name: label })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .returningAll()
        .execute();
      if (!rows[0]) throw new AppError('not_found', { detail: 'no such passkey' });
      await emit(tenantId, 'passkey.renamed', `user:${userId}`, ctx, { passkeyId: id });
      return view(rows[0]);
    },

    async delete(tenantId, userId, id, ctx) {
      if (!isId(id)) throw new AppError('not_found', { detail: 'no such passkey' });
      const r = await db
        .deleteFrom('passkeys')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw new AppError('not_found', { detail: 'no such passkey' });
      await emit(tenantId, 'passkey.deleted', `user:${userId}`, ctx, { passkeyId: id });
      await deps.mailer.send(tenantId, userId, 'mfa-changed', { change: 'A passkey was removed' });
    },

    async deleteAll(tenantId, userId) {
      const r = await db
        .deleteFrom('passkeys')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
  return inUnits(database, service, ['rename', 'delete']);
}
