/**
 * Return URLs after sign-in: the hosts of the tenant's exact and wildcard routes and Gatekeeper's own
 * are accepted; the `rd` tricks behind the open redirects of Authelia and oauth2-proxy are not.
 */
import { describe, expect, it } from 'vitest';
import { checkReturnUrl } from './return-url.ts';

const serves = (h: string) => h === 'app.example.com' || h.endsWith('.apps.example.com');
const check = (url: string) => checkReturnUrl(url, serves, 'id.example.com');

describe('return URLs', () => {
  it.each([
    'https://app.example.com/reports?q=1#top',
    'http://app.example.com:8080/',
    'https://x.apps.example.com/a/b',
    'https://id.example.com/t/acme/account',
    'HTTPS://APP.example.com/x',
  ])('accepts %s', (url) => {
    expect(check(url)).not.toBeNull();
  });

  it.each([
    ['a relative path', '/reports'],
    ['scheme-relative', '//evil.com/x'],
    ['scheme-relative with a backslash', '/\\evil.com'],
    ['backslashes', '\\\\evil.com'],
    ['a backslash after the scheme', 'https:\\\\evil.com'],
    ['one slash', 'https:/evil.com'],
    ['an encoded backslash', 'https://app.example.com%5c@evil.com'],
    ['userinfo', 'https://app.example.com@evil.com/'],
    ['userinfo with a password', 'https://user:pass@app.example.com/'],
    ['an encoded @', 'https://app.example.com%40evil.com/'],
    ['an encoded slash in the authority', 'https://evil.com%2f@app.example.com/'],
    ['a NUL', 'https://app.example.com%00.evil.com/'],
    ['an encoded scheme', '%68ttps://app.example.com/'],
    ['javascript:', 'javascript:alert(1)//app.example.com'],
    ['an encoded javascript:', 'java%0ascript:alert(1)'],
    ['data:', 'data:text/html,<script>1</script>'],
    ['a tab', 'https://app.exa\tmple.com/'],
    ['a leading space', ' https://app.example.com/'],
    ['an encoded newline', 'https://app.example.com/%0d%0aSet-Cookie:x'],
    ['another host', 'https://evil.com/'],
    ['a look-alike suffix', 'https://app.example.com.evil.com/'],
    ['the wildcard apex', 'https://apps.example.com/'],
    ['a dotted suffix trick', 'https://evilapps.example.com/'],
    ['ftp', 'ftp://app.example.com/'],
    ['too long', `https://app.example.com/${'a'.repeat(3000)}`],
  ])('refuses %s', (_name, url) => {
    expect(check(url)).toBeNull();
  });
});
