/**
 * Schemas of the accounts capability: a tenant's sign-in settings (password policy, session
 * lifetimes, lockout, branding) and the admin API's sessions and account-state views. One source for
 * validation, types and OpenAPI.
 */
import Type, { type Static, type TObject } from 'typebox';
import { Int, Obj, Str } from '../../http/schema-kit.ts';
import { TenantParams, tenantParams } from '../tenants/index.ts';

export { TenantParams };

export const PasswordPolicySchema = Obj(
  {
    minLength: Int({ min: 12, max: 128, description: 'Shortest password accepted (never below 12)' }),
    requireLowercase: Type.Boolean(),
    requireUppercase: Type.Boolean(),
    requireDigit: Type.Boolean(),
    requireSymbol: Type.Boolean(),
    minStrength: Int({
      min: 0,
      max: 4,
      description:
        'Lowest zxcvbn score (0–4) accepted; common and dictionary passwords score low (0 disables the check)',
    }),
    refuseUserNames: Type.Boolean({ description: 'Refuse a password containing the username or email' }),
    historyCount: Int({ min: 0, max: 24, description: 'Earlier passwords that may not be reused' }),
    expiryDays: Int({ min: 0, max: 3650, description: 'Days until a password must change (0: never)' }),
  },
  { description: 'Which passwords users of the tenant may choose' },
);

export const SessionPolicySchema = Obj({
  idleTimeoutMinutes: Int({ min: 1, max: 525_600, description: 'Signed out after this long without use' }),
  absoluteLifetimeMinutes: Int({
    min: 1,
    max: 5_256_000,
    description: 'Signed out this long after signing in, whatever the use',
  }),
  maxPerUser: Int({ min: 1, max: 1000, description: 'Concurrent sessions per user; the oldest goes first' }),
});

export const LockoutPolicySchema = Obj({
  maxFailures: Int({ min: 1, max: 1000, description: 'Failed sign-ins in a row that lock the account' }),
  durationSeconds: Int({ min: 1, max: 86_400, description: 'How long a locked account stays locked' }),
});

export const ACCENT_PATTERN = '^#[0-9a-fA-F]{6}$';
export const BrandingSchema = Obj({
  displayName: Type.Union([Str({ max: 100 }), Type.Null()], {
    description: 'Name shown on the pages (null: the tenant display name)',
  }),
  logoUrl: Type.Union([Str({ max: 2048, pattern: '^https://' }), Type.Null()], {
    description: 'https URL of a logo image',
  }),
  accentColor: Str({ min: 7, max: 7, pattern: ACCENT_PATTERN, message: 'must be a colour like #3358d4' }),
});

export const AlertsSchema = Obj({
  newSignIn: Type.Boolean({
    description:
      'Mail the user when they sign in from a browser not seen before (no device mark, no live session of the same browser family from the same network)',
  }),
});

export const SignInSettingsSchema = Obj({
  password: PasswordPolicySchema,
  sessions: SessionPolicySchema,
  lockout: LockoutPolicySchema,
  branding: BrandingSchema,
  alerts: AlertsSchema,
});
export type SignInSettings = Static<typeof SignInSettingsSchema>;
export type PasswordPolicySettings = Static<typeof PasswordPolicySchema>;
export type Branding = Static<typeof BrandingSchema>;

/** A partial update: every group and field optional. */
const strictPartial = <T extends TObject>(schema: T) => Type.Partial(schema, { additionalProperties: false });
export const SignInSettingsPatch = Obj({
  password: Type.Optional(strictPartial(PasswordPolicySchema)),
  sessions: Type.Optional(strictPartial(SessionPolicySchema)),
  lockout: Type.Optional(strictPartial(LockoutPolicySchema)),
  branding: Type.Optional(strictPartial(BrandingSchema)),
  alerts: Type.Optional(strictPartial(AlertsSchema)),
});
export type SignInSettingsPatchInput = Static<typeof SignInSettingsPatch>;

export const DEFAULT_SIGN_IN_SETTINGS: SignInSettings = Object.freeze({
  password: {
    minLength: 12,
    requireLowercase: false,
    requireUppercase: false,
    requireDigit: false,
    requireSymbol: false,
    minStrength: 3,
    refuseUserNames: true,
    historyCount: 5,
    expiryDays: 0,
  },
  sessions: { idleTimeoutMinutes: 8 * 60, absoluteLifetimeMinutes: 7 * 24 * 60, maxPerUser: 10 },
  lockout: { maxFailures: 5, durationSeconds: 15 * 60 },
  branding: { displayName: null, logoUrl: null, accentColor: '#3358d4' },
  alerts: { newSignIn: false },
}) as SignInSettings;

export const SessionSchema = Obj({
  id: Str({ max: 64 }),
  userId: Str({ max: 64 }),
  amr: Type.Array(Str({ max: 32 })),
  acr: Str({ max: 128 }),
  ip: Str({ min: 0, max: 64 }),
  userAgent: Str({ min: 0, max: 512 }),
  createdAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type SessionView = Static<typeof SessionSchema>;

export const AccountStateSchema = Obj({
  userId: Str({ max: 64 }),
  failedAttempts: Int(),
  locked: Type.Boolean(),
  lockedUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  mustChangePassword: Type.Boolean(),
  passwordChangedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type AccountStateView = Static<typeof AccountStateSchema>;

// admin API --------------------------------------------------------------------------------------
const UserId = Str({ max: 512, description: 'User id (UUID)' });
export const SessionParams = tenantParams({ sessionId: Str({ max: 64, description: 'Session id' }) });
export const AccountUserParams = tenantParams({ userId: UserId });
export const ListSessionsQuery = Obj({
  userId: Type.Optional(UserId),
  limit: Type.Optional(Int({ min: 1, max: 1000, description: 'Most sessions returned (default 200)' })),
});
export const SessionListSchema = Obj({ items: Type.Array(SessionSchema) });
export const RevokedSchema = Obj({ revoked: Int({ description: 'Sessions ended' }) });
export const RequireChangeBody = Obj({
  required: Type.Boolean({ description: 'true: the user must choose a new password at the next sign-in' }),
});
export const VersionedSettingsSchema = Obj({ ...SignInSettingsSchema.properties, version: Int() });
