/**
 * Turns Ajv's validation errors into one readable message per field — the same wording the services
 * use (`text/field-errors.ts`), so a person sees `sort: must be one of username, -username, …` rather
 * than `must be equal to constant` six times and `must match a schema in anyOf`. Every failing field
 * is reported (Ajv runs with `allErrors`), bounded by MAX_FIELD_ERRORS.
 *
 * How Ajv reports a union: one error per branch at the same path, then an `anyOf` error. Here the
 * branches become one message: literals → "must be one of …"; a nullable field → the non-null
 * branch's message; several types → "must be a string, an integer or true or false".
 */
import type { ErrorObject } from 'ajv';
import { type FieldError, MAX_FIELD_ERRORS, messages } from '../text/field-errors.ts';
import { patternMessage } from './schema-kit.ts';

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

const FORMAT_WORDS: Record<string, string> = {
  'date-time': 'a date and time (RFC 3339)',
  email: 'an email address',
  uri: 'an absolute URI',
  uuid: 'a UUID',
};

function list(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** The message of one (non-union) Ajv error. */
function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return messages.required;
    case 'additionalProperties':
      return messages.unknownProperty;
    case 'type':
      return `must be ${list(
        String(p.type)
          .split(',')
          .map((t) => TYPE_WORDS[t] ?? t),
      )}`;
    case 'minLength':
      return messages.tooShort(Number(p.limit));
    case 'maxLength':
      return messages.tooLong(Number(p.limit));
    case 'pattern':
      return patternMessage(String(p.pattern)) ?? messages.invalidFormat;
    case 'format':
      return `must be ${FORMAT_WORDS[String(p.format)] ?? `a valid ${String(p.format)}`}`;
    case 'minimum':
      return `must be at least ${String(p.limit)}`;
    case 'maximum':
      return `must be at most ${String(p.limit)}`;
    case 'exclusiveMinimum':
      return `must be more than ${String(p.limit)}`;
    case 'exclusiveMaximum':
      return `must be less than ${String(p.limit)}`;
    case 'minItems':
      return `must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must have at most ${String(p.limit)} items`;
    case 'uniqueItems':
      return 'must not repeat an item';
    case 'minProperties':
      return `must have at least ${String(p.limit)} propert${p.limit === 1 ? 'y' : 'ies'}`;
    case 'maxProperties':
      return `must have at most ${String(p.limit)} properties`;
    case 'const':
      return messages.oneOf([p.allowedValue]);
    case 'enum':
      return messages.oneOf(p.allowedValues as unknown[]);
    default:
      return e.message ?? 'is not valid';
  }
}

/** Which broken rule of a field is reported when several are: the most basic one, as the services do. */
const PRIORITY = ['required', 'additionalProperties', 'type', 'minLength', 'maxLength'];
const rank = (e: ErrorObject) => {
  const i = PRIORITY.indexOf(e.keyword);
  return i === -1 ? PRIORITY.length : i;
};

/** The message of the most basic of several errors at one path. */
function first(errors: ErrorObject[]): string {
  return describe([...errors].sort((a, b) => rank(a) - rank(b))[0]!);
}

/** One message for all the errors Ajv reported at one path. */
function describeField(errors: ErrorObject[]): string {
  const hasUnion = errors.some((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const own = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
  if (!hasUnion) return first(own);
  const literals = own
    .filter((e) => e.keyword === 'const')
    .map((e) => (e.params as { allowedValue: unknown }).allowedValue);
  if (literals.length > 0 && literals.length === own.filter((e) => e.keyword !== 'type').length) {
    return messages.oneOf(literals);
  }
  // a nullable field: say what the non-null branch wants
  const nonNull = own.filter(
    (e) => !(e.keyword === 'type' && (e.params as { type: string }).type === 'null'),
  );
  const typeErrors = nonNull.filter((e) => e.keyword === 'type');
  if (typeErrors.length === nonNull.length && typeErrors.length > 0) {
    const types = typeErrors.map((e) => TYPE_WORDS[(e.params as { type: string }).type] ?? '');
    return `must be ${list([...new Set(types)])}`;
  }
  // the value had the right type for one branch: that branch's complaints are the useful ones —
  // unless they are all deeper (a nullable object whose member is wrong): those paths say it
  const branch = nonNull.filter((e) => e.keyword !== 'type');
  return branch.length > 0 ? first(branch) : 'is not valid (see the fields inside it)';
}

/** `/a/b` plus the property a `required` or `additionalProperties` error names. */
function pathOf(e: ErrorObject): string {
  const p = e.params as { missingProperty?: unknown; additionalProperty?: unknown };
  const extra =
    e.keyword === 'required'
      ? p.missingProperty
      : e.keyword === 'additionalProperties'
        ? p.additionalProperty
        : undefined;
  return `${e.instancePath}${typeof extra === 'string' ? `/${extra.slice(0, 64)}` : ''}`;
}

/**
 * Field errors from Ajv errors of one request part (`body`, `querystring`, `params`, `headers`):
 * `path` keeps the part (`body/email`), `field` drops it (`email`) — the name a person and the CLI use.
 */
export function fieldErrorsOf(
  errors: readonly ErrorObject[],
  part: string,
): { path: string; field: string; message: string }[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const path = pathOf(e);
    // errors inside a union branch at a deeper path than the union belong to the union's field
    byPath.set(path, [...(byPath.get(path) ?? []), e]);
  }
  const out: { path: string; field: string; message: string }[] = [];
  for (const [path, list] of byPath) {
    if (out.length >= MAX_FIELD_ERRORS) break;
    const field = path.replace(/^\//, '') || part;
    out.push({ path: `${part}${path}`, field, message: describeField(list) });
  }
  return out;
}

export type { FieldError };
