/** The proxy protocols `/authz` speaks, in the order they are recognised. */
import type { ProxyAdapter } from './adapter.ts';
import { envoyAdapter } from './envoy.ts';
import { nginxAdapter } from './nginx.ts';
import { traefikAdapter } from './traefik.ts';

export type { ProxyAdapter } from './adapter.ts';
export const ADAPTERS: readonly ProxyAdapter[] = [envoyAdapter, nginxAdapter, traefikAdapter];
