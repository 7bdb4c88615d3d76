/**
 * The canonical fast path of RFC 9421 header reading takes only text whose structured-field
 * serialization is itself, and then reads exactly what the general parser reads; anything else is
 * left to the general parser.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseContentDigest } from './content-digest.ts';
import { canonicalSignature, parsedSignature } from './rfc9421.ts';

const vector = JSON.parse(
  readFileSync(
    new URL('../../../../../../../shared/vectors/httpsig/rfc9421_hmac.json', import.meta.url),
    'utf8',
  ),
) as { b2_5_hmac_sha256: { signature_input_header: string; signature_header: string } };

const SIG = 'sig=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:';
const PARAMS = ';created=1618884473;keyid="client-1";nonce="n0nce-n0nce-n0nce"';
const LIST = '("@method" "@authority" "@path" "@query" "content-digest")';

describe('RFC 9421 canonical header reading', () => {
  it.each([
    [vector.b2_5_hmac_sha256.signature_input_header, vector.b2_5_hmac_sha256.signature_header],
    [`sig=${LIST}${PARAMS}`, SIG],
    [`sig=${LIST};created=0;keyid="a;nonce=b";nonce="x y (z)"`, SIG],
    [`sig=("my header" "@path")${PARAMS};expires=-5`, SIG],
    [`sig=()${PARAMS}`, SIG],
    [`sig=${LIST}${PARAMS}`, 'sig=:AAA=:'],
  ])('reads %s as the structured-field parser does', (input, signature) => {
    const fast = canonicalSignature(input, signature);
    expect(fast).toBeDefined();
    expect(fast).toEqual(parsedSignature(input, signature));
  });

  it.each([
    [`sig=${LIST};created=01;keyid="k"`, SIG], // leading zero: serializes as 1
    [`sig=${LIST};created=-0;keyid="k"`, SIG], // serializes as 0
    [`sig=${LIST};alg=hmac-sha256;keyid="k"`, SIG], // a token, not a string
    [`sig=${LIST};keyid="k";keyid="j"`, SIG], // repeated parameter: the last wins
    [`sig=${LIST};keyid="a\\"b"`, SIG], // an escape
    [`sig=${LIST};flag;keyid="k"`, SIG], // a boolean
    [`sig=${LIST};created=1.5`, SIG], // a decimal
    [`sig=("@method";req "@path")${PARAMS}`, SIG], // component parameters
    [`sig=("@method"  "@path")${PARAMS}`, SIG], // two spaces
    [`sig=${LIST} ;created=1`, SIG],
    [`sig=${LIST}${PARAMS}, other=("@path");created=1`, SIG], // two signatures
    [`sig=${LIST}${PARAMS}`, 'other=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:'], // another label
    [`sig=${LIST}${PARAMS}`, 'sig=:AAA:'], // unpadded
    [`sig=${LIST}${PARAMS}`, `${SIG}, x=:AA==:`],
  ])('leaves %s (%s) to the structured-field parser', (input, signature) => {
    expect(canonicalSignature(input, signature)).toBeUndefined();
  });
});

describe('Content-Digest reading', () => {
  const d256 = 'X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=';
  const d512 = Buffer.alloc(64, 7).toString('base64');
  it.each([`sha-256=:${d256}:`, `sha-512=:${d512}:`])(
    'reads the one-digest header %s as the general parser does',
    (v) => {
      // the same digest with an unknown algorithm beside it goes through parseDictionary
      expect(parseContentDigest(v)).toEqual(parseContentDigest(`${v}, md5=:AAAA:`));
      expect(parseContentDigest(v)?.size).toBe(1);
    },
  );
  it.each([`sha-256=:${d512}:`, 'sha-256=:AAAA:', 'sha-256=:!!!!:'])('refuses %s', (v) => {
    expect(parseContentDigest(v)).toBeNull();
  });
});
