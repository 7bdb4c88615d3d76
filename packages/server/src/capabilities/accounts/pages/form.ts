/**
 * Reading a posted form strictly: only the named fields, each a single string within its length;
 * an unexpected or repeated field, or an oversize value, is a message for the page (never a 500, and
 * nothing is applied). NUL bytes and lone surrogates were refused by the input guards already.
 */
import { messages } from './messages.en.ts';

export type FormSpec = Record<string, { max: number; label?: string; optional?: boolean }>;

export type FormResult<K extends string> =
  | { ok: true; values: Record<K, string> }
  | { ok: false; message: string; partial: Partial<Record<K, string>> };

export function readForm<S extends FormSpec>(body: unknown, spec: S): FormResult<keyof S & string> {
  const values: Record<string, string> = {};
  const partial = {} as Record<string, string> as Partial<Record<keyof S & string, string>>;
  const fields = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  for (const key of Object.keys(fields)) {
    if (!Object.hasOwn(spec, key)) return { ok: false, message: messages.unexpectedField, partial };
  }
  for (const [key, rule] of Object.entries(spec)) {
    const v = fields[key];
    if (v === undefined) {
      if (rule.optional) {
        values[key] = '';
        continue;
      }
      return { ok: false, message: messages.fieldRequired(rule.label ?? key), partial };
    }
    if (typeof v !== 'string') return { ok: false, message: messages.unexpectedField, partial };
    if (v.length > rule.max)
      return { ok: false, message: messages.fieldTooLong(rule.label ?? key, rule.max), partial };
    values[key] = v;
    (partial as Record<string, string>)[key] = v;
  }
  return { ok: true, values: values as Record<keyof S & string, string> };
}
