// Creates an embedded database cluster (initdb) in the folder given as argument, then exits.
// The server runs this in a process of its own: initdb leaves over a hundred megabytes of
// memory behind that a long-running process would keep for its whole life.
import { PGlite } from '@electric-sql/pglite';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: create-cluster.js FOLDER\n');
  process.exit(2);
}
const db = await PGlite.create({ dataDir: dir });
await db.close();
