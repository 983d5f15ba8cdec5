import 'reflect-metadata';
import { createServer } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import levelPersistence from 'aedes-persistence-level';
import { Level } from 'level';
import { serializePersistence } from '../apps/broker/src/serialized-persistence.js';

/**
 * The bare broker the pipeline is compared with: aedes and nothing else (no access policy, no
 * limits, no packet-size guard), in its own process.
 *   node dist/bench/bare-broker.js <port> memory          aedes' default in-memory persistence
 *   node dist/bench/bare-broker.js <port> level <dir>     our LevelDB persistence, serialized as
 *                                                        the broker app runs it (P5 durability)
 *   node dist/bench/bare-broker.js <port> level-unserialized <dir>   aedes-persistence-level as
 *                                                        it comes (for the profile: what the serialization costs)
 */
const [portArg, kind = 'memory', dir] = process.argv.slice(2);
const options: AedesOptions = {};
let db: Level<string, unknown> | undefined;
if (kind === 'level' || kind === 'level-unserialized') {
  if (!dir) throw new Error('level persistence needs a directory');
  db = new Level<string, unknown>(dir);
  const persistence = levelPersistence(db) as { asyncPersistence?: Record<string, unknown> };
  options.persistence = (kind === 'level' ? serializePersistence(persistence) : persistence) as AedesOptions['persistence'];
}
const aedes = await Aedes.createBroker(options);
const server = createServer((socket) => aedes.handle(socket));
server.listen(Number(portArg), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  aedes.close(() => void (db ? db.close() : Promise.resolve()).then(() => process.exit(0)));
});
