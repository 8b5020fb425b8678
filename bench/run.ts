// npm run bench -- NAME [options]: runs one benchmark scenario and prints its figures.
// Scenarios run against PostgreSQL (ZT_BENCH_DATABASE_URL, default the local server) unless
// they say otherwise; each creates and drops its own database.
import { scenarios } from './scenarios/index.ts';

const name = process.argv[2];
if (!name || !(name in scenarios)) {
  console.error(`usage: npm run bench -- NAME\n\nscenarios:\n${Object.entries(scenarios).map(([n, s]) => `  ${n.padEnd(12)} ${s.description}`).join('\n')}`);
  process.exit(2);
}
await scenarios[name].run(process.argv.slice(3));
process.exit(0);
