/**
 * The tenant logo upload through the admin API and its serving on the hosted pages: PNG, JPEG and
 * WebP accepted (text metadata removed), shown on the sign-in page and served under an immutable URL
 * with a strict content type, `nosniff`, a sandboxing CSP and a year of caching; an oversize file, a
 * type that is not an accepted image, SVG, a declared type the bytes contradict, a corrupt or
 * truncated file and image + HTML / ZIP polyglots are refused with a stable code and change nothing.
 * On SQLite and PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { dialectAvailable } from '../../../test/databases.ts';
import { checkLogo } from './logo-image.ts';
import { createTestBrowser } from './test-support.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const PNG = fixture('logo.png');
const JPEG = fixture('logo.jpg');
const WEBP = fixture('logo.webp');

/** A PNG chunk with its length and CRC. */
function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}
/** The fixture PNG with `chunk` inserted after IHDR. */
const pngWith = (chunk: Buffer) => Buffer.concat([PNG.subarray(0, 33), chunk, PNG.subarray(33)]);

for (const dialect of ['sqlite', 'postgres'] as const)
  describe.skipIf(!dialectAvailable(dialect))(`tenant logo upload [${dialect}]`, () => {
    let t: AdminTestApp;
    const base = '/api/v1/tenants/acme/sign-in-settings/logo';
    const upload = (body: Buffer, type: string) =>
      t.app.inject({
        method: 'PUT',
        url: base,
        headers: { authorization: `Bearer ${t.rootToken}`, 'content-type': type },
        payload: body,
      });

    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      await t.tenant('acme');
    });
    afterAll(async () => t?.close());

    it('stores a PNG, shows it on the sign-in page and serves it strictly', async () => {
      const r = await upload(
        pngWith(pngChunk('tEXt', Buffer.from('Comment\0<script>alert(1)</script>'))),
        'image/png',
      );
      expect(r.statusCode, r.body).toBe(200);
      const info = r.json();
      expect(info).toMatchObject({ contentType: 'image/png', width: 96, height: 96, size: PNG.length });
      expect(info.url).toMatch(/^\/t\/acme\/logo\/[0-9a-f]{32}\.png$/);
      expect((await t.call('GET', base)).json()).toEqual(info);

      const page = await createTestBrowser(t.app).get('/t/acme/sign-in');
      expect(page.body).toContain(`<img src="${info.url}" alt="">`);
      expect(page.headers['content-security-policy']).toContain("img-src 'self' data:;");

      const served = await t.app.inject({ method: 'GET', url: info.url });
      expect(served.statusCode).toBe(200);
      expect(served.headers['content-type']).toBe('image/png');
      expect(served.headers['x-content-type-options']).toBe('nosniff');
      expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(served.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
      // the text chunk is gone: what is served is the fixture itself
      expect(served.rawPayload.equals(PNG)).toBe(true);
      expect(served.rawPayload.includes('<script>')).toBe(false);

      const other = await t.app.inject({
        method: 'GET',
        url: '/t/acme/logo/0123456789abcdef0123456789abcdef.png',
      });
      expect(other.statusCode).toBe(404);
      expect(other.headers['cache-control']).toBe('no-store');
    });

    it('accepts JPEG and WebP, without their comment and Exif data', async () => {
      const text = Buffer.from('<html>hello</html>');
      const comment = Buffer.concat([Buffer.from([0xff, 0xfe, 0, text.length + 2]), text]);
      const jpeg = Buffer.concat([JPEG.subarray(0, 2), comment, JPEG.subarray(2)]);
      const r = await upload(jpeg, 'image/jpeg');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ contentType: 'image/jpeg', width: 96, height: 96, size: JPEG.length });
      const served = await t.app.inject({ method: 'GET', url: r.json().url });
      expect(served.headers['content-type']).toBe('image/jpeg');
      expect(served.rawPayload.equals(JPEG)).toBe(true);

      const w = await upload(WEBP, 'image/webp');
      expect(w.statusCode, w.body).toBe(200);
      expect(w.json()).toMatchObject({ contentType: 'image/webp', width: 96, height: 96 });
      // the JPEG's URL is no longer served once the WebP replaced it
      expect((await t.app.inject({ method: 'GET', url: r.json().url })).statusCode).toBe(404);

      // a WebP with an EXIF chunk: the chunk goes, and with it the VP8X flag announcing it
      const exif = Buffer.concat([
        Buffer.from('EXIF', 'latin1'),
        Buffer.from([4, 0, 0, 0]),
        Buffer.from('evil'),
      ]);
      const withExif = Buffer.concat([WEBP, exif]);
      withExif.writeUInt32LE(withExif.length - 8, 4);
      withExif[20] = (withExif[20] as number) | 0x08;
      const cleaned = checkLogo('image/webp', withExif);
      expect(cleaned.bytes.includes('evil')).toBe(false);
      expect((cleaned.bytes[20] as number) & 0x08).toBe(0);
      expect(cleaned.bytes.readUInt32LE(4)).toBe(cleaned.bytes.length - 8);
    });

    it('refuses bad uploads with a stable code and keeps the current logo', async () => {
      const current = (await t.call('GET', base)).json();
      const cases: [string, Buffer, string, number, string][] = [
        ['oversize', Buffer.concat([PNG, Buffer.alloc(300 * 1024)]), 'image/png', 413, 'payload_too_large'],
        ['not an image type', Buffer.from('hello'), 'text/plain', 415, 'unsupported_media_type'],
        [
          'SVG',
          Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
          'image/svg+xml',
          415,
          'logo_type_refused',
        ],
        [
          'SVG declared as PNG',
          Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
          'image/png',
          415,
          'logo_type_refused',
        ],
        ['JPEG declared as PNG', JPEG, 'image/png', 400, 'logo_invalid'],
        [
          'GIF declared as WebP',
          Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'),
          'image/webp',
          400,
          'logo_invalid',
        ],
        [
          'PNG + HTML polyglot',
          Buffer.concat([PNG, Buffer.from('<html><script>alert(document.cookie)</script></html>')]),
          'image/png',
          400,
          'logo_invalid',
        ],
        [
          'JPEG + ZIP polyglot',
          Buffer.concat([JPEG, Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00payload', 'latin1')]),
          'image/jpeg',
          400,
          'logo_invalid',
        ],
        [
          'WebP with bytes after its RIFF length',
          Buffer.concat([WEBP, Buffer.from('<script>')]),
          'image/webp',
          400,
          'logo_invalid',
        ],
        ['truncated PNG', PNG.subarray(0, PNG.length - 20), 'image/png', 400, 'logo_invalid'],
        ['truncated JPEG', JPEG.subarray(0, JPEG.length - 2), 'image/jpeg', 400, 'logo_invalid'],
        ['PNG with a bad CRC', Buffer.from(PNG).fill(0, 40, 44), 'image/png', 400, 'logo_invalid'],
        ['empty', Buffer.alloc(0), 'image/png', 400, 'logo_invalid'],
      ];
      for (const [what, body, type, status, code] of cases) {
        const r = await upload(body, type);
        expect(r.statusCode, `${what}: ${r.body}`).toBe(status);
        expect(r.headers['content-type'], what).toContain('application/problem+json');
        expect(r.json().code, what).toBe(code);
      }
      // a 5000 × 5000 header (a decompression bomb's shape) with a valid CRC
      const ihdr = Buffer.from(PNG.subarray(16, 29));
      ihdr.writeUInt32BE(5000, 0);
      ihdr.writeUInt32BE(5000, 4);
      const huge = Buffer.concat([PNG.subarray(0, 8), pngChunk('IHDR', ihdr), PNG.subarray(33)]);
      const r = await upload(huge, 'image/png');
      expect(r.statusCode).toBe(400);
      expect(r.json().detail).toContain('4096 pixels');
      expect((await t.call('GET', base)).json()).toEqual(current);
    });

    it('needs tenants:write, and removing the logo brings back the logo URL', async () => {
      const reader = await t.token('acme', ['tenants:read']);
      const denied = await t.app.inject({
        method: 'PUT',
        url: base,
        headers: { authorization: `Bearer ${reader}`, 'content-type': 'image/png' },
        payload: PNG,
      });
      expect(denied.statusCode).toBe(403);
      await t.call('PATCH', '/api/v1/tenants/acme/sign-in-settings', {
        body: { branding: { logoUrl: 'https://cdn.example/acme.png' } },
      });
      const uploaded = (await t.call('GET', base)).json();
      expect((await createTestBrowser(t.app).get('/t/acme/sign-in')).body).toContain(uploaded.url);
      expect((await t.call('DELETE', base)).statusCode).toBe(204);
      expect((await t.call('DELETE', base)).statusCode).toBe(404);
      expect((await t.call('GET', base)).statusCode).toBe(404);
      const page = await createTestBrowser(t.app).get('/t/acme/sign-in');
      expect(page.body).toContain('<img src="https://cdn.example/acme.png" alt="">');
      expect(page.headers['content-security-policy']).toContain("img-src 'self' data: https://cdn.example;");
      expect((await t.app.inject({ method: 'GET', url: uploaded.url })).statusCode).toBe(404);
    });
  });
