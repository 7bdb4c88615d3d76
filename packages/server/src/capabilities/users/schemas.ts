/**
 * Request and response schemas of the users API — one source for validation, TypeScript types and
 * OpenAPI. Every request string is bounded and every request object refuses unknown properties
 * (ARCHITECTURE.md §5.6). The patterns are shared with `rules.ts`, which applies the same rules to
 * input that does not come through HTTP (CLI, CSV import).
 */
import Type, { type Static, type TSchema } from 'typebox';
import { listQueryProperties } from '../../http/pagination.ts';
import { Int, MAX_SAFE, Obj, Str } from '../../http/schema-kit.ts';
import { USERNAME_MESSAGE, USERNAME_PATTERN } from '../../text/identifiers.ts';
import { TenantParams, tenantParams } from '../tenants/index.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-policy.ts';

/** Letters, digits, marks and printable ASCII: the PRECIS IdentifierClass (`text/identifiers.ts`). */
export { USERNAME_MESSAGE, USERNAME_PATTERN };
/**
 * Deliberately basic: something@something.tld, no spaces; the service also requires the domain to
 * be a valid IDNA host name. Deliverability is the mailer's problem.
 */
export const EMAIL_PATTERN = '^[^\\s@\\p{Cc}]+@[^\\s@\\p{Cc}]+\\.[^\\s@\\p{Cc}]+$';
export const EMAIL_MESSAGE = 'must be an email address';
/** BCP 47-ish: a 2–8 letter language subtag, then alphanumeric subtags (`en`, `pt-BR`, `zh-Hant-TW`). */
export const LOCALE_PATTERN = '^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$';
export const PICTURE_PATTERN = '^https://[^\\s\\p{Cc}]+$';
/** Provider names, application names and property keys: identifiers, not prose. */
export const NAME_TOKEN_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]*$';
/** Free text (names, property values): anything but control characters. */
export const TEXT_PATTERN = '^[^\\p{Cc}]*$';

export const LIMITS = {
  username: 128,
  email: 254,
  name: 256,
  locale: 35,
  picture: 2048,
  passwordMin: MIN_PASSWORD_LENGTH,
  passwordMax: MAX_PASSWORD_LENGTH,
  provider: 64,
  subject: 255,
  identityDataKeys: 32,
  identityDataValue: 2048,
  app: 64,
  key: 128,
  value: 4096,
  /** Most identities or properties one list returns (a user has a handful; this bounds a runaway). */
  linksPerList: 1000,
} as const;

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Username = Str({
  max: LIMITS.username,
  pattern: USERNAME_PATTERN,
  message: USERNAME_MESSAGE,
  description: 'Login name (compared ignoring case and width; look-alikes of an existing one are refused)',
});
export const Email = Str({ min: 3, max: LIMITS.email, pattern: EMAIL_PATTERN, message: EMAIL_MESSAGE });
const PersonName = Str({ max: LIMITS.name, pattern: TEXT_PATTERN });
const Locale = Str({ min: 2, max: LIMITS.locale, pattern: LOCALE_PATTERN, description: 'BCP 47 tag' });
const Picture = Str({ min: 9, max: LIMITS.picture, pattern: PICTURE_PATTERN, description: 'https URL' });
const Password = Str({
  min: LIMITS.passwordMin,
  max: LIMITS.passwordMax,
  description: `At least ${MIN_PASSWORD_LENGTH} characters; never returned`,
});
export const UserStatus = Type.Union([
  Type.Literal('active'),
  Type.Literal('disabled'),
  Type.Literal('locked'),
]);
export type UserStatus = Static<typeof UserStatus>;

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    email: nullable(Type.String()),
    emailVerified: Type.Boolean(),
    name: nullable(Type.String()),
    givenName: nullable(Type.String()),
    familyName: nullable(Type.String()),
    locale: nullable(Type.String()),
    picture: nullable(Type.String()),
    status: UserStatus,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    lastSignInAt: nullable(Type.String({ format: 'date-time' })),
    version: Type.Integer({ description: 'Also sent as the ETag' }),
  },
  { $id: 'User' },
);
export type UserView = Static<typeof UserSchema>;

export const CreateUserBody = Obj({
  username: Username,
  email: Type.Optional(nullable(Email)),
  emailVerified: Type.Optional(Type.Boolean()),
  name: Type.Optional(nullable(PersonName)),
  givenName: Type.Optional(nullable(PersonName)),
  familyName: Type.Optional(nullable(PersonName)),
  locale: Type.Optional(nullable(Locale)),
  picture: Type.Optional(nullable(Picture)),
  status: Type.Optional(UserStatus),
  password: Type.Optional(Password),
});
export type CreateUserInput = Static<typeof CreateUserBody>;

/** PATCH body: every field optional; `null` clears an optional field. */
export const UpdateUserBody = Obj({
  username: Type.Optional(Username),
  email: Type.Optional(nullable(Email)),
  emailVerified: Type.Optional(Type.Boolean()),
  name: Type.Optional(nullable(PersonName)),
  givenName: Type.Optional(nullable(PersonName)),
  familyName: Type.Optional(nullable(PersonName)),
  locale: Type.Optional(nullable(Locale)),
  picture: Type.Optional(nullable(Picture)),
  status: Type.Optional(UserStatus),
});
export type UpdateUserInput = Static<typeof UpdateUserBody>;

export const SetPasswordBody = Obj({ password: Password });

export const USER_SORTS = ['username', 'email', 'createdAt'] as const;
export type UserSort = (typeof USER_SORTS)[number];

export const ListUsersQuery = Obj({
  ...listQueryProperties(USER_SORTS),
  status: Type.Optional(UserStatus),
  q: Type.Optional(Str({ max: LIMITS.email, description: 'Case-insensitive prefix of username or email' })),
  emailVerified: Type.Optional(Type.Boolean()),
});

/** `:userId` is any bounded string: a malformed id is answered 404 by the service, never 400. */
const UserId = Str({ max: 512, description: 'User id (UUID)' });

export { TenantParams };
export const UserParams = tenantParams({ userId: UserId });

// external identities -----------------------------------------------------------------------------

const Provider = Str({
  max: LIMITS.provider,
  pattern: NAME_TOKEN_PATTERN,
  description: 'e.g. scim, ldap, google',
});
const Subject = Str({
  max: LIMITS.subject,
  pattern: TEXT_PATTERN,
  description: 'Account id at the provider',
});
const IdentityValue = Type.Union([
  Str({ min: 0, max: LIMITS.identityDataValue }),
  Int({ min: -MAX_SAFE }),
  Type.Boolean(),
  Type.Null(),
]);
/** Flat JSON object of provider attributes (strings, integers, booleans, nulls). */
export const IdentityData = Type.Object(
  {},
  { additionalProperties: IdentityValue, maxProperties: LIMITS.identityDataKeys },
);
export type IdentityData = Record<string, string | number | boolean | null>;

export const LinkIdentityBody = Obj({
  provider: Provider,
  subject: Subject,
  data: Type.Optional(IdentityData),
});
/** `data` is checked by the service (flat JSON object) whatever the caller's static type. */
export type LinkIdentityInput = { provider: string; subject: string; data?: object };

export const IdentitySchema = Type.Object(
  {
    provider: Type.String(),
    subject: Type.String(),
    data: Type.Object({}, { additionalProperties: true }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'UserIdentity' },
);
export interface IdentityView {
  provider: string;
  subject: string;
  data: IdentityData;
  createdAt: string;
}

export const IdentityParams = tenantParams({
  userId: UserId,
  provider: Provider,
  subject: Subject,
});

// per-application properties ---------------------------------------------------------------------

const App = Str({ max: LIMITS.app, pattern: NAME_TOKEN_PATTERN, description: 'Application name' });
const Key = Str({ max: LIMITS.key, pattern: NAME_TOKEN_PATTERN, description: 'Property key' });

export const PropertySchema = Type.Object(
  {
    app: Type.String(),
    key: Type.String(),
    value: Type.String(),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'UserProperty' },
);
export type PropertyView = Static<typeof PropertySchema>;

export const PropertyParams = tenantParams({ userId: UserId, app: App, key: Key });
export const PropertiesQuery = Obj({ app: Type.Optional(App) });
export const SetPropertyBody = Obj({ value: Str({ min: 0, max: LIMITS.value, pattern: TEXT_PATTERN }) });

/** `GET /users/by-username/:username`: exact, case-insensitive lookup. */
export const UsernameParams = tenantParams({ username: Str({ max: LIMITS.username }) });
/** `GET /users/by-email/:email`: exact, case-insensitive lookup. */
export const EmailParams = tenantParams({ email: Str({ max: LIMITS.email }) });
