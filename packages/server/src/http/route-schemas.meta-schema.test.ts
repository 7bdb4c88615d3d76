/**
 * The server's Ajv instances compile schemas without checking them against the JSON Schema
 * meta-schema (`validateSchema: false`: compiling the meta-schema cost ~25 ms at every start), so
 * this test does that check once, for every schema the server compiles: each operation's request
 * body, parameters and responses in the served OpenAPI document, every setting, and the sign-in
 * settings patch.
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { createTestRuntime } from '../../test/runtime.ts';
import { SignInSettingsPatch } from '../capabilities/accounts/schemas.ts';
import { configKeys, settingSchemas } from '../config/schema.ts';

const ajv = new Ajv({ strict: false });

/** The meta-schema's complaints about one schema, empty when it is a valid JSON Schema. */
function problemsOf(schema: unknown, where: string): string[] {
  if (ajv.validateSchema(schema as object)) return [];
  return (ajv.errors ?? []).map((e) => `${where}${e.instancePath}: ${e.message}`);
}

describe('every schema the server compiles is a valid JSON Schema', () => {
  it('in the served OpenAPI document', async () => {
    const t = await createTestRuntime();
    let document: {
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components?: { schemas?: Record<string, unknown> };
    };
    try {
      await t.app.ready();
      document = (await t.app.inject('/openapi.json')).json();
    } finally {
      await t.close();
    }
    const problems: string[] = [];
    let checked = 0;
    const check = (schema: unknown, where: string) => {
      if (!schema || typeof schema !== 'object') return;
      checked++;
      problems.push(...problemsOf(schema, where));
    };
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {}))
      check(schema, `components.${name}`);
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        for (const p of (op.parameters ?? []) as { name: string; schema?: unknown }[])
          check(p.schema, `${where} parameter ${p.name}`);
        const body = op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined;
        for (const [type, c] of Object.entries(body?.content ?? {})) check(c.schema, `${where} body ${type}`);
        const responses = (op.responses ?? {}) as Record<
          string,
          { content?: Record<string, { schema?: unknown }> }
        >;
        for (const [status, r] of Object.entries(responses))
          for (const [type, c] of Object.entries(r.content ?? {}))
            check(c.schema, `${where} ${status} ${type}`);
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(200);
  });

  it('for every setting and the sign-in settings patch', () => {
    const problems = configKeys.flatMap((key) => problemsOf(settingSchemas[key], `setting ${key}`));
    problems.push(...problemsOf(SignInSettingsPatch, 'SignInSettingsPatch'));
    expect(problems).toEqual([]);
  });

  it('would be caught: a malformed schema has problems', () => {
    expect(problemsOf({ type: 'object', properties: { a: { type: 'strnig' } } }, 'x')).not.toEqual([]);
  });
});
