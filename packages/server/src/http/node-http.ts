/**
 * `node:http`'s `createServer`, taken from the built-in module itself rather than imported (issue 6
 * §9: cold start and idle memory). An ES-module `import … from 'node:http'` makes Node read every
 * export of the built-in to fill the module namespace, and three of them (`WebSocket`, `CloseEvent`,
 * `MessageEvent`) are getters that load undici: 760 KB of source, about 25 ms and 3 MiB of heap at
 * start for a client the server never uses. `process.getBuiltinModule` returns the module without
 * reading its exports.
 */
import type * as Http from 'node:http';

const http = process.getBuiltinModule('node:http') as typeof Http;

export const createServer: typeof Http.createServer = http.createServer;
