/** Baseline for benchmarks: a bare Fastify hello-world on a free port; prints {"port":N} when ready. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(
  `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
);
// exit normally on SIGTERM (so `--cpu-prof` writes its profile, as Gatekeeper's own shutdown does)
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
