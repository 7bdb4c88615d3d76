/**
 * Checks and cleans an uploaded tenant logo before it is stored. Accepted: PNG, JPEG and WebP, at
 * most 256 KiB and 4096 px a side, whose first bytes match the declared type. SVG is refused (it is
 * a document that can carry script). Each file is walked to its end — every PNG chunk's CRC, every
 * JPEG segment, every WebP chunk against the RIFF length — and refused when anything follows the
 * image's end (the usual image + HTML / ZIP / script polyglot) or a structure is unknown. Metadata
 * that can carry arbitrary text is dropped: PNG text, time and Exif chunks; JPEG comments and APPn
 * segments but JFIF, ICC and Adobe; WebP EXIF and XMP. Served back only as the checked type with
 * `nosniff`, what remains is pixels a browser decodes as an image and nothing else.
 *
 * Hand-written because the libraries that re-encode images (sharp) need a native binary fetched at
 * install time, and the pure-JS type sniffers (file-type, image-size) read the first bytes only —
 * exactly what a polyglot gets right.
 */
import { crc32 } from 'node:zlib';
import { AppError } from '../../errors/app-error.ts';

export const LOGO_MAX_BYTES = 256 * 1024;
export const LOGO_MAX_SIDE = 4096;
export const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type LogoType = (typeof LOGO_TYPES)[number];

export interface CheckedLogo {
  contentType: LogoType;
  bytes: Buffer;
  width: number;
  height: number;
}

const refuse = (detail: string): never => {
  throw new AppError('logo_invalid', { detail });
};

/** The type the bytes begin as, or null. */
export function sniffImage(b: Buffer): LogoType | 'image/svg+xml' | null {
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return 'image/webp';
  if (
    /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype svg[^>]*>\s*)?<svg[\s>]/i.test(
      b.toString('utf8', 0, 1024),
    )
  )
    return 'image/svg+xml';
  return null;
}

/**
 * Checks an upload declared as `declared`; returns the cleaned bytes with the dimensions, or throws
 * `logo_invalid` (400) / `logo_type_refused` (415) / `payload_too_large` (413).
 */
export function checkLogo(declared: string, bytes: Buffer): CheckedLogo {
  if (bytes.length > LOGO_MAX_BYTES)
    throw new AppError('payload_too_large', { detail: `a logo is at most ${LOGO_MAX_BYTES / 1024} KiB` });
  if (bytes.length === 0) refuse('the upload is empty');
  const type = declared.split(';')[0]?.trim().toLowerCase() ?? '';
  const sniffed = sniffImage(bytes);
  if (type === 'image/svg+xml' || sniffed === 'image/svg+xml')
    throw new AppError('logo_type_refused', {
      detail: 'SVG logos are refused (an SVG can carry script); upload PNG, JPEG or WebP',
    });
  if (!(LOGO_TYPES as readonly string[]).includes(type))
    throw new AppError('logo_type_refused', { detail: 'a logo is PNG, JPEG or WebP' });
  if (sniffed !== type) refuse(`the file is not a ${type.slice(6).toUpperCase()} image`);
  const checked =
    type === 'image/png' ? checkPng(bytes) : type === 'image/jpeg' ? checkJpeg(bytes) : checkWebp(bytes);
  if (checked.width < 1 || checked.height < 1) refuse('the image has no pixels');
  if (checked.width > LOGO_MAX_SIDE || checked.height > LOGO_MAX_SIDE)
    refuse(`a logo is at most ${LOGO_MAX_SIDE} pixels a side`);
  return { contentType: type as LogoType, ...checked };
}

// --- PNG (RFC 2083 / ISO 15948) -----------------------------------------------------------------
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Ancillary chunks kept: colour and transparency information; the rest (text, time, Exif, APNG frames) go. */
const PNG_KEPT = new Set(['tRNS', 'gAMA', 'cHRM', 'sRGB', 'iCCP', 'sBIT', 'pHYs', 'bKGD']);
const PNG_CRITICAL = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND']);

function checkPng(b: Buffer): { bytes: Buffer; width: number; height: number } {
  const kept: Buffer[] = [PNG_SIGNATURE];
  let at = 8;
  let width = 0;
  let height = 0;
  let sawData = false;
  for (let index = 0; ; index++) {
    if (at + 12 > b.length) refuse('the PNG ends inside a chunk');
    const length = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (length > 0x7fffffff || end > b.length) refuse('a PNG chunk runs past the end of the file');
    if (!/^[A-Za-z]{4}$/.test(type)) refuse('a PNG chunk has a malformed type');
    const crc = crc32(b.subarray(at + 4, at + 8 + length));
    if (crc !== b.readUInt32BE(at + 8 + length)) refuse(`the PNG chunk ${type} is corrupt (CRC)`);
    if (index === 0 && (type !== 'IHDR' || length !== 13)) refuse('the PNG does not start with its header');
    if (type === 'IHDR') {
      width = b.readUInt32BE(at + 8);
      height = b.readUInt32BE(at + 12);
    }
    if (type === 'IDAT') sawData = true;
    const critical = type.charCodeAt(0) < 0x61;
    if (critical && !PNG_CRITICAL.has(type)) refuse(`the PNG has an unknown critical chunk ${type}`);
    if (critical || PNG_KEPT.has(type)) kept.push(b.subarray(at, end));
    at = end;
    if (type === 'IEND') break;
  }
  if (!sawData) refuse('the PNG has no image data');
  if (at !== b.length) refuse('data follows the end of the PNG image');
  return { bytes: Buffer.concat(kept), width, height };
}

// --- JPEG (ITU T.81) ----------------------------------------------------------------------------
/** APPn segments kept: APP0 (JFIF), APP2 (ICC profile), APP14 (Adobe colour transform). */
const JPEG_KEPT_APP = new Set([0xe0, 0xe2, 0xee]);

function checkJpeg(b: Buffer): { bytes: Buffer; width: number; height: number } {
  const kept: Buffer[] = [b.subarray(0, 2)];
  let at = 2;
  let width = 0;
  let height = 0;
  for (;;) {
    if (at + 2 > b.length) refuse('the JPEG ends without its end marker');
    if (b[at] !== 0xff) refuse('the JPEG has a malformed segment');
    const marker = b[at + 1] as number;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) {
      kept.push(b.subarray(at, at + 2));
      at += 2;
      break;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x00)
      refuse('the JPEG has a marker out of place');
    if (at + 4 > b.length) refuse('the JPEG ends inside a segment');
    const length = b.readUInt16BE(at + 2);
    const end = at + 2 + length;
    if (length < 2 || end > b.length) refuse('a JPEG segment runs past the end of the file');
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (length < 8) refuse('the JPEG frame header is too short');
      height = b.readUInt16BE(at + 5);
      width = b.readUInt16BE(at + 7);
    }
    const isApp = marker >= 0xe0 && marker <= 0xef;
    if ((isApp && !JPEG_KEPT_APP.has(marker)) || marker === 0xfe) {
      at = end; // metadata: dropped
      continue;
    }
    const known = isApp || isSof || [0xc4, 0xcc, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf].includes(marker);
    if (!known) refuse(`the JPEG has an unknown segment FF${marker.toString(16).toUpperCase()}`);
    if (marker !== 0xda) {
      kept.push(b.subarray(at, end));
      at = end;
      continue;
    }
    // start of scan: entropy-coded data up to the next marker that is not a stuffed 00 or a restart
    let scan = end;
    while (scan + 1 < b.length) {
      if (b[scan] === 0xff) {
        const next = b[scan + 1] as number;
        if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7)) break;
        scan += 2;
      } else scan += 1;
    }
    if (scan + 1 >= b.length) refuse('the JPEG ends inside its image data');
    kept.push(b.subarray(at, scan));
    at = scan;
  }
  if (width === 0 && height === 0) refuse('the JPEG has no frame header');
  if (at !== b.length) refuse('data follows the end of the JPEG image');
  return { bytes: Buffer.concat(kept), width, height };
}

// --- WebP (RIFF container, RFC 9649) ------------------------------------------------------------
const WEBP_CHUNKS = new Set(['VP8 ', 'VP8L', 'VP8X', 'ALPH', 'ICCP', 'ANIM', 'ANMF']);
const WEBP_DROPPED = new Set(['EXIF', 'XMP ']);

function checkWebp(b: Buffer): { bytes: Buffer; width: number; height: number } {
  if (b.readUInt32LE(4) + 8 !== b.length)
    refuse('the WebP length does not match the file (data before or after it)');
  const kept: Buffer[] = [];
  let at = 12;
  let width = 0;
  let height = 0;
  let first = true;
  while (at < b.length) {
    if (at + 8 > b.length) refuse('the WebP ends inside a chunk');
    const type = b.toString('latin1', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    const end = at + 8 + size + (size % 2);
    if (end > b.length) refuse('a WebP chunk runs past the end of the file');
    const data = b.subarray(at + 8, at + 8 + size);
    if (first && type !== 'VP8 ' && type !== 'VP8L' && type !== 'VP8X')
      refuse('the WebP does not start with an image chunk');
    if (first) ({ width, height } = webpSize(type, data));
    first = false;
    if (WEBP_DROPPED.has(type)) {
      at = end;
      continue;
    }
    if (!WEBP_CHUNKS.has(type)) refuse('the WebP has an unknown chunk');
    const chunk = Buffer.from(b.subarray(at, end));
    // VP8X announces Exif (0x08) and XMP (0x04) chunks: they are dropped, so are the flags
    if (type === 'VP8X') chunk[8] = (chunk[8] as number) & ~0x0c;
    kept.push(chunk);
    at = end;
  }
  if (first) refuse('the WebP has no image');
  const body = Buffer.concat(kept);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(body.length + 4, 4);
  header.write('WEBP', 8, 'latin1');
  return { bytes: Buffer.concat([header, body]), width, height };
}

function webpSize(type: string, d: Buffer): { width: number; height: number } {
  if (type === 'VP8X') {
    if (d.length < 10) refuse('the WebP extended header is too short');
    return { width: d.readUIntLE(4, 3) + 1, height: d.readUIntLE(7, 3) + 1 };
  }
  if (type === 'VP8L') {
    if (d.length < 5 || d[0] !== 0x2f) refuse('the WebP lossless header is malformed');
    const bits = d.readUInt32LE(1);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (d.length < 10 || d[3] !== 0x9d || d[4] !== 0x01 || d[5] !== 0x2a)
    refuse('the WebP lossy header is malformed');
  return { width: d.readUInt16LE(6) & 0x3fff, height: d.readUInt16LE(8) & 0x3fff };
}
