/**
 * `readCookie`, on every session check: finds a cookie by its exact name wherever it stands in the
 * header (first, last, with or without spaces), never a cookie whose name merely ends or begins with
 * it, nor the name inside another cookie's value; the value is trimmed; missing is undefined.
 */
import { describe, expect, it } from 'vitest';
import { readCookie } from './sessions.ts';

describe('readCookie', () => {
  it('reads the named cookie and nothing that only looks like it', () => {
    const name = 'gk_session_acme';
    const cases: [string | undefined, string | undefined][] = [
      [undefined, undefined],
      ['', undefined],
      ['gk_session_acme=abc', 'abc'],
      ['a=1; gk_session_acme=abc', 'abc'],
      ['a=1;gk_session_acme=abc;b=2', 'abc'],
      ['a=1;  gk_session_acme = abc ; b=2', 'abc'],
      ['xgk_session_acme=evil; gk_session_acme=good', 'good'],
      ['gk_session_acme_2=evil', undefined],
      ['gk_session_acmex=evil; gk_session_acme=good', 'good'],
      ['a=gk_session_acme=evil', undefined],
      ['a=gk_session_acme; gk_session_acme=good', 'good'],
      ['gk_session_acme=', ''],
      ['gk_session_acme', undefined],
      ['gk_session_acme=first; gk_session_acme=second', 'first'],
    ];
    for (const [header, expected] of cases) expect(readCookie(header, name), String(header)).toBe(expected);
  });
});
