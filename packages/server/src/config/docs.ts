/**
 * Generates docs/configuration.md from the schema, so the reference cannot drift from the code.
 * `npm run docs:config` rewrites it; `config.docs.test.ts` fails when the committed file is stale.
 */
import { type ConfigKey, configKeys, envNameOf, settingMeta, settingSchemas } from './schema.ts';

function typeOf(key: ConfigKey): string {
  const s = settingSchemas[key];
  if (Array.isArray(s.anyOf))
    return (s.anyOf as { const: string }[]).map((x) => `\`${x.const}\``).join(' \\| ');
  const range =
    s.minimum !== undefined && s.maximum !== undefined ? ` (${String(s.minimum)}–${String(s.maximum)})` : '';
  return `${String(s.type)}${range}`;
}

function defaultOf(key: ConfigKey): string {
  const d = settingSchemas[key].default;
  return d === '' ? '*(empty)*' : `\`${String(d)}\``;
}

/** The configuration reference as Markdown. */
export function renderConfigurationDoc(): string {
  const rows = configKeys.map((key) => {
    const m = settingMeta(key);
    const flags = [m.runtime ? 'runtime' : '', m.secret ? 'secret' : ''].filter(Boolean).join(', ');
    const desc = String(settingSchemas[key].description).replace(/\|/g, '\\|');
    return `| \`${key}\` | \`${envNameOf(key)}\` | ${typeOf(key)} | ${defaultOf(key)} | ${flags} | ${desc} |`;
  });
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from packages/server/src/config/schema.ts by `npm run docs:config`. Do not edit by hand. -->',
    '',
    'Sources, lowest to highest precedence:',
    '',
    '1. the defaults below;',
    '2. a JSON config file named by `--config FILE` or `GATEKEEPER_CONFIG` (keys as in the first column);',
    '3. environment variables (second column);',
    '4. the flags of `gatekeeper serve`: `--host` and `--port`;',
    '5. for settings marked **runtime**: values stored in the database with `gatekeeper config set KEY VALUE`,',
    '   `gatekeeper config import FILE` or the admin API. They take effect on every instance without a restart.',
    '',
    'Unknown keys and unknown `GATEKEEPER_*` variables stop start-up, as does any invalid value: the error',
    'names the setting. **secret** settings are never printed in full.',
    '',
    '| key | environment | type | default | flags | description |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
