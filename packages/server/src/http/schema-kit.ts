/**
 * Builders for strict request/response schemas (ARCHITECTURE.md §5.6) and the check that enforces
 * them: every string has a maxLength, every number is bounded (so Ajv's coercion of "Infinity" cannot
 * pass), every request object refuses unknown properties. `assertStrictSchema` runs for every route
 * at registration, so a lax schema fails start-up and tests instead of reaching production.
 */
import Type, { type TSchema } from 'typebox';

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** What each pattern means, as a message; validation errors read it (`validation-messages.ts`). */
const patternMessages = new Map<string, string>();

/** The message registered for a pattern by `Str({ pattern, message })`, if any. */
export function patternMessage(pattern: string): string | undefined {
  return patternMessages.get(pattern);
}

/**
 * A bounded string (default 1..255 characters). `message` says what `pattern` means; validation
 * errors use it (`slug: must be lower-case letters, …`), the same text the service rule reports.
 * Accepts a `TextRule` (`text/field-errors.ts`) as is, so a schema and its service share one rule.
 * (The message is kept beside the schema, not in it, so the schema stays valid for any strict
 * JSON Schema validator.)
 */
export function Str(
  options: {
    min?: number;
    max?: number;
    pattern?: string;
    message?: string;
    format?: string;
    description?: string;
  } = {},
) {
  const { min = 1, max = 255, message, ...rest } = options;
  if (message && rest.pattern && !patternMessages.has(rest.pattern))
    patternMessages.set(rest.pattern, message);
  return Type.String({ minLength: min, maxLength: max, ...rest });
}

/** A bounded integer (default 0..MAX_SAFE_INTEGER). */
export function Int(options: { min?: number; max?: number; description?: string; default?: number } = {}) {
  const { min = 0, max = MAX_SAFE, ...rest } = options;
  return Type.Integer({ minimum: min, maximum: max, ...rest });
}

/** An object that refuses unknown properties. */
export function Obj<T extends Record<string, TSchema>>(
  properties: T,
  options: { description?: string } = {},
) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** RFC 9457 problem document. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

type Json = Record<string, unknown>;

/**
 * Throws when a request schema (body, querystring, params, headers) admits unbounded input.
 * `where` names the route part for the message.
 */
export function assertStrictSchema(schema: unknown, where: string): void {
  const s = schema as Json | undefined;
  if (!s || typeof s !== 'object') return;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = s[key];
    if (!Array.isArray(list)) continue;
    for (const [i, x] of list.entries()) assertStrictSchema(x, `${where}.${key}[${i}]`);
  }
  if ('const' in s || Array.isArray(s.enum)) return;
  const type = s.type;
  if (type === 'string' && typeof s.maxLength !== 'number' && s.format !== 'date-time') {
    throw new Error(`schema ${where}: string without maxLength`);
  }
  if (type === 'integer' || type === 'number') {
    if (typeof s.maximum !== 'number' || typeof s.minimum !== 'number') {
      throw new Error(`schema ${where}: number without minimum and maximum`);
    }
  }
  if (type === 'array') {
    if (typeof s.maxItems !== 'number') throw new Error(`schema ${where}: array without maxItems`);
    assertStrictSchema(s.items, `${where}[]`);
  }
  if (type === 'object') {
    const props = (s.properties ?? {}) as Record<string, unknown>;
    const additional = s.additionalProperties;
    if (additional !== false && typeof additional !== 'object') {
      throw new Error(`schema ${where}: object must set additionalProperties`);
    }
    if (typeof additional === 'object') assertStrictSchema(additional, `${where}.*`);
    if (typeof additional === 'object' && typeof s.maxProperties !== 'number') {
      throw new Error(`schema ${where}: map without maxProperties`);
    }
    for (const [name, p] of Object.entries(props)) assertStrictSchema(p, `${where}.${name}`);
  }
}
