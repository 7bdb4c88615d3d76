/**
 * The field rules of a user, applied by the service to every input whatever its source (HTTP, CLI,
 * CSV import, SCIM later): trim, check length and pattern (the same patterns and messages as the
 * HTTP schemas), normalise (`text/identifiers.ts`: PRECIS for usernames, IDNA for email domains, NFC
 * for text), and derive the shadow columns that carry uniqueness (`username_lower`, `email_lower`)
 * and look-alike detection (`username_skeleton`). A broken rule is `validation_failed` naming every
 * failing field, which the CSV import reports per row. The password minimum is here too, once.
 */

import type { UsersTable } from '../../storage/tables.ts';
import { skeleton } from '../../text/confusables.ts';
import { FieldErrors, messages } from '../../text/field-errors.ts';
import { emailKey, USERNAME_MESSAGE, usernameForm, usernameKey } from '../../text/identifiers.ts';
import {
  EMAIL_MESSAGE,
  EMAIL_PATTERN,
  LIMITS,
  LOCALE_PATTERN,
  NAME_TOKEN_PATTERN,
  PICTURE_PATTERN,
  TEXT_PATTERN,
  type UserStatus,
} from './schemas.ts';

const emailRe = new RegExp(EMAIL_PATTERN, 'u');
const localeRe = new RegExp(LOCALE_PATTERN, 'u');
const pictureRe = new RegExp(PICTURE_PATTERN, 'u');
const tokenRe = new RegExp(NAME_TOKEN_PATTERN, 'u');
const textRe = new RegExp(TEXT_PATTERN, 'u');
const STATUSES: readonly string[] = ['active', 'disabled', 'locked'];

export {
  checkPassword,
  DEFAULT_PASSWORD_POLICY,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  type PasswordPolicy,
  passwordProblem,
} from './password-policy.ts';

/**
 * The comparison form of a login name for prefix search and duplicate detection: width-mapped,
 * lower case, NFC (the PRECIS UsernameCaseMapped mapping).
 */
export function foldCase(value: string): string {
  return usernameKey(value);
}

/** The comparison key of an email address (IDNA ASCII domain), or null when it is not one. */
export { emailKey };

/** The confusable skeleton of a username's comparison key (Unicode TS #39). */
export function usernameSkeleton(usernameLower: string): string {
  return skeleton(usernameLower);
}

type Check<T> = { value: T } | { problem: string };

function usernameCheck(value: string): Check<string> {
  const v = value.trim();
  if (v.length === 0) return { problem: messages.empty };
  if (v.length > LIMITS.username) return { problem: messages.tooLong(LIMITS.username) };
  const form = usernameForm(v);
  if (form === null || form.length > LIMITS.username) return { problem: USERNAME_MESSAGE };
  return { value: form };
}

function emailCheck(value: string | null | undefined): Check<string | null> {
  const v = value?.trim() ?? '';
  if (v.length === 0) return { value: null };
  if (v.length > LIMITS.email) return { problem: messages.tooLong(LIMITS.email) };
  const nfc = v.normalize('NFC');
  if (!emailRe.test(nfc) || emailKey(nfc) === null) return { problem: EMAIL_MESSAGE };
  return { value: nfc };
}

function unwrap<T>(field: string, check: Check<T>, errors?: FieldErrors): T {
  if ('value' in check) return check.value;
  if (errors) {
    errors.add(field, check.problem);
    return undefined as T;
  }
  const own = new FieldErrors();
  own.add(field, check.problem);
  own.throwIfAny();
  throw new Error('unreachable');
}

/**
 * The username as stored: trimmed, width-mapped, NFC (case kept); throws `validation_failed` when
 * empty, too long, or holding spaces, control, invisible or compatibility characters.
 */
export function checkUsername(value: string): string {
  return unwrap('username', usernameCheck(value));
}

/** What is wrong with an email address, or null (also for empty: the address is optional). */
export function emailProblem(value: string): string | null {
  const c = emailCheck(value);
  return 'problem' in c ? c.problem : null;
}

/** The trimmed NFC email, or null for empty; throws `validation_failed` when it is no address. */
export function checkEmail(value: string | null | undefined): string | null {
  return unwrap('email', emailCheck(value));
}

function textCheck(value: string, max: number, re: RegExp, what: string): Check<string> {
  if (value.length > max) return { problem: messages.tooLong(max) };
  if (!re.test(value)) return { problem: what };
  return { value };
}

function optionalText(
  field: string,
  value: string | null | undefined,
  max: number,
  errors: FieldErrors,
  re = textRe,
): string | null {
  const v = value?.trim() ?? '';
  if (v.length === 0) return null;
  const what = field === 'locale' ? 'must be a BCP 47 language tag' : 'must not contain control characters';
  return unwrap(field, textCheck(v.normalize('NFC'), max, re, what), errors);
}

function checkPicture(value: string | null | undefined, errors: FieldErrors): string | null {
  const v = optionalText('picture', value, LIMITS.picture, errors, pictureRe);
  if (v === null || v === undefined) return null;
  try {
    if (new URL(v).protocol === 'https:') return v;
  } catch {
    // fall through
  }
  errors.add('picture', 'must be an https URL');
  return null;
}

/** Checks an identifier-like token (provider, application, property key). */
export function checkToken(field: string, value: string, max: number): string {
  if (value.length === 0) return unwrap(field, { problem: messages.empty });
  return unwrap(field, textCheck(value, max, tokenRe, 'must be letters, digits and . _ : - only'));
}

/** Checks free text that must be non-empty (identity subject). */
export function checkRequiredText(field: string, value: string, max: number): string {
  if (value.length === 0) return unwrap(field, { problem: messages.empty });
  return unwrap(field, textCheck(value, max, textRe, 'must not contain control characters'));
}

/** Checks free text that may be empty (property value). */
export function checkValueText(field: string, value: string, max: number): string {
  return unwrap(field, textCheck(value, max, textRe, 'must not contain control characters'));
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
    | 'username_skeleton'
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
  username_skeleton: 'username',
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

/**
 * Validates the given fields and maps them to columns (only the fields present); throws
 * `validation_failed` naming every broken field.
 */
export function toColumns(fields: UserFields): UserColumns {
  const c: UserColumns = {};
  const errors = new FieldErrors();
  if (fields.username !== undefined) {
    const username = unwrap('username', usernameCheck(fields.username), errors);
    if (username !== undefined) {
      c.username = username;
      c.username_lower = usernameKey(username);
      c.username_skeleton = usernameSkeleton(c.username_lower);
    }
  }
  if (fields.email !== undefined) {
    const email = unwrap('email', emailCheck(fields.email), errors);
    if (email !== undefined) {
      c.email = email;
      c.email_lower = email === null ? null : emailKey(email);
    }
  }
  if (fields.emailVerified !== undefined) c.email_verified = fields.emailVerified ? 1 : 0;
  if (fields.name !== undefined) c.name = optionalText('name', fields.name, LIMITS.name, errors);
  if (fields.givenName !== undefined)
    c.given_name = optionalText('givenName', fields.givenName, LIMITS.name, errors);
  if (fields.familyName !== undefined)
    c.family_name = optionalText('familyName', fields.familyName, LIMITS.name, errors);
  if (fields.locale !== undefined)
    c.locale = optionalText('locale', fields.locale, LIMITS.locale, errors, localeRe);
  if (fields.picture !== undefined) c.picture = checkPicture(fields.picture, errors);
  if (fields.status !== undefined) {
    if (STATUSES.includes(fields.status)) c.status = fields.status;
    else errors.add('status', messages.oneOf(STATUSES));
  }
  errors.throwIfAny();
  return c;
}
