/** docs/configuration.md is generated from the schema; this fails when the committed file is stale. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigurationDoc } from './docs.ts';
import { configKeys, envNameOf } from './schema.ts';

const docPath = new URL('../../../../docs/configuration.md', import.meta.url);

describe('configuration reference', () => {
  it('is up to date with the schema (run `npm run docs:config`)', () => {
    expect(readFileSync(docPath, 'utf8')).toBe(renderConfigurationDoc());
  });

  it('documents every setting with its environment variable', () => {
    const doc = renderConfigurationDoc();
    for (const key of configKeys) expect(doc).toContain(`\`${envNameOf(key)}\``);
  });
});
