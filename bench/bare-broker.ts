import 'reflect-metadata';
import { createServer } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import { JournaledPersistence } from '../apps/broker/src/journaled-persistence.js';

/**
 * The bare broker the pipeline is compared with: aedes and nothing else (no access policy, no
 * limits, no packet-size guard), in its own process.
 *   node dist/bench/bare-broker.js <port> memory          aedes' default in-memory persistence
 *   node dist/bench/bare-broker.js <port> journal <dir>   greenwatch's journaled session persistence
 *                                                        (apps/broker/src/journaled-persistence.ts),
 *                                                        as the broker app runs it
 */
const [portArg, kind = 'memory', dir] = process.argv.slice(2);
const options: AedesOptions = {};
let persistence: JournaledPersistence | undefined;
if (kind === 'journal') {
  if (!dir) throw new Error('the journal persistence needs a directory');
  persistence = JournaledPersistence.open({ dir });
  options.persistence = persistence;
} else if (kind !== 'memory') {
  throw new Error(`unknown persistence ${kind} (memory or journal)`);
}
const aedes = await Aedes.createBroker(options);
const server = createServer((socket) => aedes.handle(socket));
server.listen(Number(portArg), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  aedes.close(() => void (persistence ? persistence.close() : Promise.resolve()).then(() => process.exit(0)));
});
