/**
 * One wording for a broken field rule, whoever finds it: the HTTP edge when a request schema fails
 * (`http/validation-messages.ts` turns Ajv's errors into these) and the services when they check
 * input that did not come through HTTP (CLI, CSV import). So `gatekeeper tenants create --slug "Bad
 * Slug"` and `POST /api/v1/tenants` with that slug both say `slug: must be lower-case letters, …`.
 * A detail names every failing field, `field: message`, joined by `; `.
 */
import { AppError } from '../errors/app-error.ts';

/** One failing field: its name (`email`, `domains/0`) and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

/** Most field errors one problem reports (a runaway body cannot make a runaway answer). */
export const MAX_FIELD_ERRORS = 20;

export const messages = {
  required: 'is required',
  unknownProperty: 'is not a known property',
  empty: 'must not be empty',
  tooShort: (min: number) => (min <= 1 ? 'must not be empty' : `must be at least ${min} characters`),
  tooLong: (max: number) => `must be at most ${max} characters`,
  oneOf: (values: readonly unknown[]) => `must be one of ${values.map(String).join(', ')}`,
  invalidFormat: 'has an invalid format',
} as const;

/** `slug: must be …; email: must be …` */
export function detailOf(errors: readonly FieldError[]): string {
  return errors
    .slice(0, MAX_FIELD_ERRORS)
    .map((e) => `${e.field}: ${e.message}`)
    .join('; ');
}

/** The `validation_failed` error for these fields (at least one). */
export function validationError(errors: readonly FieldError[]): AppError {
  return new AppError('validation_failed', {
    detail: detailOf(errors),
    extensions: {
      errors: errors.slice(0, MAX_FIELD_ERRORS).map((e) => ({ path: e.field, message: e.message })),
    },
  });
}

/** A bounded text rule, shared by a request schema (`Str(rule)`) and the service that checks input. */
export interface TextRule {
  min?: number;
  max: number;
  pattern?: string;
  /** What the pattern means, as a message ("must be lower-case letters, …"). */
  message?: string;
  description?: string;
}

/** Rules' patterns, compiled once (a rule is checked on hot paths: a tenant slug on every /authz). */
const compiled = new Map<string, RegExp>();
function patternOf(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    re = new RegExp(source, 'u');
    compiled.set(source, re);
  }
  return re;
}

/**
 * Checks `value` against `rule`: the message of the first broken part, or null. Length counts UTF-16
 * code units, as JSON Schema validators running in JavaScript do (Ajv), so both sides agree.
 */
export function breaksRule(value: string, rule: TextRule): string | null {
  const min = rule.min ?? 1;
  if (value.length < min) return messages.tooShort(min);
  if (value.length > rule.max) return messages.tooLong(rule.max);
  if (rule.pattern && !patternOf(rule.pattern).test(value)) return rule.message ?? messages.invalidFormat;
  return null;
}

/** Collects field errors so a service reports every failing field at once, like the HTTP edge. */
export class FieldErrors {
  readonly #errors: FieldError[] = [];

  add(field: string, message: string): void {
    this.#errors.push({ field, message });
  }

  /** Checks a text field against its rule; returns the value (unchanged). */
  text(field: string, value: string, rule: TextRule): string {
    const message = breaksRule(value, rule);
    if (message) this.add(field, message);
    return value;
  }

  get empty(): boolean {
    return this.#errors.length === 0;
  }

  /** Throws `validation_failed` naming every collected field, if any. */
  throwIfAny(): void {
    if (this.#errors.length > 0) throw validationError(this.#errors);
  }
}
