/**
 * Which routes get the finite-number guard: only those whose params or query schema can coerce a
 * value into a number (issue 6 §9: a guard that can find nothing is not run on the hot path). The
 * refusals themselves (`limit=Infinity`, `1e400`) are tested through real routes in http.edge.test.ts.
 */
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { mayHoldNumber } from './input-guards.ts';

describe('mayHoldNumber', () => {
  it('is false for no schema and for strings only', () => {
    expect(mayHoldNumber(undefined)).toBe(false);
    expect(mayHoldNumber(Type.Object({ slug: Type.String() }, { additionalProperties: false }))).toBe(false);
    expect(mayHoldNumber(Type.Object({ a: Type.Union([Type.Literal('x'), Type.Literal('y')]) }))).toBe(false);
    expect(mayHoldNumber(Type.Object({ tags: Type.Array(Type.String()), on: Type.Boolean() }))).toBe(false);
  });

  it('is true wherever a number can appear', () => {
    expect(mayHoldNumber(Type.Object({ limit: Type.Integer() }))).toBe(true);
    expect(mayHoldNumber(Type.Object({ a: Type.Optional(Type.Number()) }))).toBe(true);
    expect(mayHoldNumber(Type.Object({ a: Type.Union([Type.String(), Type.Integer()]) }))).toBe(true);
    expect(mayHoldNumber(Type.Object({ a: Type.Array(Type.Integer()) }))).toBe(true);
    expect(mayHoldNumber(Type.Object({ a: Type.Object({ b: Type.Number() }) }))).toBe(true);
    expect(mayHoldNumber(Type.Record(Type.String(), Type.Number()))).toBe(true);
    expect(mayHoldNumber({ type: ['string', 'null', 'integer'] })).toBe(true);
  });

  it('is true for a part that says nothing of its type', () => {
    expect(mayHoldNumber({ type: 'object', properties: { a: {} } })).toBe(true);
    expect(mayHoldNumber(Type.Object({ a: Type.Unknown() }))).toBe(true);
    expect(mayHoldNumber(Type.Object({}, { additionalProperties: true }))).toBe(true);
    expect(mayHoldNumber(null)).toBe(true);
  });
});
