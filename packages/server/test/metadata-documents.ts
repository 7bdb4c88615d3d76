/**
 * A real HTTPS server on loopback serving Client ID Metadata Documents, with an openssl self-signed
 * certificate (give `certFile` to `GATEKEEPER_OIDC_OUTBOUND_CA_FILE`). Each document is built from
 * its own URL and the server's base URL; `fetched` records every path asked for, in order.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type MetadataDocument = (self: string, base: string) => unknown;

export interface MetadataDocumentServer {
  base: string;
  certFile: string;
  fetched: string[];
  close(): Promise<void>;
}

export async function serveMetadataDocuments(
  documents: Record<string, MetadataDocument>,
): Promise<MetadataDocumentServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gk-cimd-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1'],
    ],
    { stdio: 'ignore' },
  );
  const fetched: string[] = [];
  let base = '';
  const server = createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    fetched.push(path);
    const doc = Object.hasOwn(documents, path) ? documents[path] : undefined;
    if (!doc) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
    res.end(JSON.stringify(doc(`${base}${path}`, base)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    certFile,
    fetched,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
