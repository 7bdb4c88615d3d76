/**
 * The field rules of a user, applied by the service to every input whatever its source (HTTP, CLI,
 * CSV import, SCIM later): trim, check length and pattern (the same patterns as the HTTP schemas),
 * and derive the lower-cased shadow columns that carry case-insensitive uniqueness. A broken rule is
 * `validation_failed` with a detail naming the field, which the CSV import reports per row.
 */
import { AppError } from '../../errors/app-error.ts';
import type { UsersTable } from '../../storage/tables.ts';
import {
  EMAIL_PATTERN,
  LIMITS,
  LOCALE_PATTERN,
  NAME_TOKEN_PATTERN,
  PICTURE_PATTERN,
  TEXT_PATTERN,
  USERNAME_PATTERN,
  type UserStatus,
} from './schemas.ts';

const usernameRe = new RegExp(USERNAME_PATTERN, 'u');
const emailRe = new RegExp(EMAIL_PATTERN, 'u');
const localeRe = new RegExp(LOCALE_PATTERN, 'u');
const pictureRe = new RegExp(PICTURE_PATTERN, 'u');
const tokenRe = new RegExp(NAME_TOKEN_PATTERN, 'u');
const textRe = new RegExp(TEXT_PATTERN, 'u');
const STATUSES: readonly string[] = ['active', 'disabled', 'locked'];

/** The comparison form of a username or email: NFC, lower case (locale-independent). */
export function foldCase(value: string): string {
  return value.normalize('NFC').toLowerCase();
}

function invalid(field: string, message: string): never {
  throw new AppError('validation_failed', { detail: `${field}: ${message}` });
}

function checkText(field: string, value: string, max: number, re: RegExp, what: string): string {
  if (value.length > max) invalid(field, `too long (at most ${max} characters)`);
  if (!re.test(value)) invalid(field, what);
  return value;
}

/** Trimmed username; throws when empty, too long, or containing whitespace or control characters. */
export function checkUsername(value: string): string {
  const v = value.trim();
  if (v.length === 0) invalid('username', 'missing');
  return checkText(
    'username',
    v,
    LIMITS.username,
    usernameRe,
    'must not contain spaces or control characters',
  );
}

/** Trimmed email or null for empty; stored as given, compared lower-cased. */
export function checkEmail(value: string | null | undefined): string | null {
  const v = value?.trim() ?? '';
  if (v.length === 0) return null;
  return checkText('email', v, LIMITS.email, emailRe, 'not a valid email address');
}

function optionalText(field: string, value: string | null | undefined, max: number, re = textRe) {
  const v = value?.trim() ?? '';
  if (v.length === 0) return null;
  return checkText(
    field,
    v,
    max,
    re,
    field === 'locale' ? 'not a BCP 47 language tag' : 'invalid characters',
  );
}

function checkPicture(value: string | null | undefined): string | null {
  const v = optionalText('picture', value, LIMITS.picture, pictureRe);
  if (v === null) return null;
  try {
    if (new URL(v).protocol === 'https:') return v;
  } catch {
    // fall through
  }
  return invalid('picture', 'must be an https URL');
}

function checkStatus(value: string): UserStatus {
  if (!STATUSES.includes(value)) invalid('status', 'must be active, disabled or locked');
  return value as UserStatus;
}

/** Checks a password's length (8–1024 characters); the value itself is never echoed. */
export function checkPassword(value: string): string {
  if (typeof value !== 'string' || value.length < LIMITS.passwordMin || value.length > LIMITS.passwordMax) {
    invalid('password', `must be ${LIMITS.passwordMin}–${LIMITS.passwordMax} characters`);
  }
  return value;
}

/** Checks an identifier-like token (provider, application, property key). */
export function checkToken(field: string, value: string, max: number): string {
  if (value.length === 0) invalid(field, 'missing');
  return checkText(field, value, max, tokenRe, 'letters, digits, and . _ : - only');
}

/** Checks free text that must be non-empty (identity subject). */
export function checkRequiredText(field: string, value: string, max: number): string {
  if (value.length === 0) invalid(field, 'missing');
  return checkText(field, value, max, textRe, 'invalid characters');
}

/** Checks free text that may be empty (property value). */
export function checkValueText(field: string, value: string, max: number): string {
  return checkText(field, value, max, textRe, 'invalid characters');
}

/** The user fields a caller may set; undefined leaves a field alone, null clears it. */
export interface UserFields {
  username?: string;
  email?: string | null;
  emailVerified?: boolean;
  name?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  locale?: string | null;
  picture?: string | null;
  status?: UserStatus;
}

export type UserColumns = Partial<
  Pick<
    UsersTable,
    | 'username'
    | 'username_lower'
    | 'email'
    | 'email_lower'
    | 'email_verified'
    | 'name'
    | 'given_name'
    | 'family_name'
    | 'locale'
    | 'picture'
    | 'status'
  >
>;

/** API field name of each column, for the changed-field lists in events. */
export const FIELD_OF_COLUMN: Record<keyof UserColumns, keyof UserFields> = {
  username: 'username',
  username_lower: 'username',
  email: 'email',
  email_lower: 'email',
  email_verified: 'emailVerified',
  name: 'name',
  given_name: 'givenName',
  family_name: 'familyName',
  locale: 'locale',
  picture: 'picture',
  status: 'status',
};

/** Validates the given fields and maps them to columns (only the fields present). */
export function toColumns(fields: UserFields): UserColumns {
  const c: UserColumns = {};
  if (fields.username !== undefined) {
    c.username = checkUsername(fields.username);
    c.username_lower = foldCase(c.username);
  }
  if (fields.email !== undefined) {
    c.email = checkEmail(fields.email);
    c.email_lower = c.email === null ? null : foldCase(c.email);
  }
  if (fields.emailVerified !== undefined) c.email_verified = fields.emailVerified ? 1 : 0;
  if (fields.name !== undefined) c.name = optionalText('name', fields.name, LIMITS.name);
  if (fields.givenName !== undefined) c.given_name = optionalText('givenName', fields.givenName, LIMITS.name);
  if (fields.familyName !== undefined)
    c.family_name = optionalText('familyName', fields.familyName, LIMITS.name);
  if (fields.locale !== undefined) c.locale = optionalText('locale', fields.locale, LIMITS.locale, localeRe);
  if (fields.picture !== undefined) c.picture = checkPicture(fields.picture);
  if (fields.status !== undefined) c.status = checkStatus(fields.status);
  return c;
}
