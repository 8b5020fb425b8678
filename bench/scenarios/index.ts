import { loginScenario, meScenario, signinTimingScenario } from './auth.ts';
import { startupScenario } from './startup.ts';
import { staticRebuildScenario } from './static.ts';
import { supervisionScenario } from './supervision.ts';
import { approvalScenario } from './approval.ts';
import { documentsScenario } from './documents.ts';
import { portalScenario } from './portal.ts';
import { searchScenario } from './search.ts';
import { interactionBoardScenario, interactionGenerateScenario, interactionInboxScenario, interactionLettersScenario, interactionStatsScenario } from './interaction.ts';
import { hugoReferenceScenario } from './references.ts';
import { exchangeFanoutScenario, exchangeInboxScenario, exchangeSignforScenario, exchangeStatsScenario } from './exchange.ts';

export interface Scenario {
  description: string;
  run(args: string[]): Promise<void>;
}

export const scenarios: Record<string, Scenario> = {
  startup: { description: 'npm start: first start and restart times, idle resident memory (embedded database)', run: () => startupScenario() },
  portal: { description: 'npm start with the demo city (first start, budget 60 s), then home, service list and guide at 20 concurrent visitors (p95 < 50 ms), embedded database [seconds]', run: (args) => portalScenario(args) },
  login: { description: 'login latency with argon2id (p50/p95/p99), PostgreSQL', run: () => loginScenario() },
  'signin-timing': { description: 'refused sign-ins for existing and unknown names: p50/p95 of each and their difference (budget within 10%), PostgreSQL [rounds]', run: (args) => signinTimingScenario(args) },
  me: { description: 'authenticated GET /api/v1/me throughput on one process, PostgreSQL [seconds]', run: (args) => meScenario(args) },
  'approval-inbox': { description: "approver's inbox first page over 1M cases (p50/p95/p99), PostgreSQL [--cases N] [--db NAME keeps the data]", run: (args) => approvalScenario(['inbox'], args) },
  'approval-case': { description: 'case page over random cases of 1M (p95), PostgreSQL [--cases N] [--db NAME]', run: (args) => approvalScenario(['case'], args) },
  'approval-complete': { description: 'completing distinct open tasks in parallel (tasks/s), PostgreSQL [--cases N] [--db NAME]', run: (args) => approvalScenario(['complete'], args) },
  'approval-submit': { description: 'window submissions with distinct applicants (submissions/s), PostgreSQL [--cases N] [--db NAME]', run: (args) => approvalScenario(['submit'], args) },
  approval: { description: 'the four approval scenarios in order on one dataset [--cases N] [--db NAME]', run: (args) => approvalScenario(['inbox', 'case', 'complete', 'submit'], args) },
  documents: { description: 'certificate PDFs: first download (laid out, stored) and later ones (stored bytes), size, embedded database [--cases N]', run: (args) => documentsScenario(args) },
  'exchange-fanout': { description: 'one signed-off document sent to 1,000 units (< 1 s, one transaction), PostgreSQL [--units N] [--db NAME]', run: (args) => exchangeFanoutScenario(args) },
  'exchange-inbox': { description: "a unit's inbox first page (p95 < 30 ms) and a 1,000-unit receipt matrix (p95 < 100 ms) over 1.1M receipts, PostgreSQL [--receipts N] [--db NAME]", run: (args) => exchangeInboxScenario(args) },
  'exchange-signfor': { description: '1,000 concurrent sign-fors from 1,000 units (< 5 s, none lost), PostgreSQL [--units N] [--db NAME]', run: (args) => exchangeSignforScenario(args) },
  'exchange-stats': { description: 'exchange data generation (1.1M receipts) and the statistics of a year over it, PostgreSQL [--receipts N] [--db NAME]', run: (args) => exchangeStatsScenario(args) },
  'interaction-generate': { description: 'citizen interaction data generation: 2M cases over 3 years, 5 channels, 900 units, PostgreSQL [--cases N] [--units N] [--db NAME]', run: (args) => interactionGenerateScenario(args) },
  'interaction-inbox': { description: "a unit's inbox first page over 2M cases (p95 < 30 ms), PostgreSQL [--cases N] [--db NAME]", run: (args) => interactionInboxScenario(args) },
  'interaction-board': { description: 'the public message board first page over 2M cases (p95 < 30 ms), PostgreSQL [--cases N] [--db NAME]', run: (args) => interactionBoardScenario(args) },
  'interaction-stats': { description: 'statistics of a year per unit and channel over 2M cases (< 1 s), PostgreSQL [--cases N] [--db NAME]', run: (args) => interactionStatsScenario(args) },
  'interaction-letters': { description: 'letters accepted per second at 4 writers vs pgbench TPC-B in the same run (≥ 0.2 ×), PostgreSQL [--cases N] [--db NAME]', run: (args) => interactionLettersScenario(args) },
  'hugo-reference': { description: 'Hugo (Debian package) building a site of the site group\'s shape: 300,000 articles in 600 sections over 101 sites, the reference of the portal\'s rebuild budget [--articles N]', run: (args) => hugoReferenceScenario(args) },
  'static-rebuild': { description: 'static publishing: full rebuild of 300,000 articles and their lists (< 180 s), again unchanged, one article with its dependent pages (< 300 ms), PostgreSQL [--articles N] [--db NAME]', run: (args) => staticRebuildScenario(args) },
  search: { description: 'Chinese full-text search over 300,000 generated documents: two-word queries (common, rare, one site) and single characters (p95 < 50 ms), PostgreSQL [--docs N] [--db NAME]', run: (args) => searchScenario(args) },
  supervision: { description: 'deadline scan over 1M open steps, statistics of a year over 1M finished cases, monitor, PostgreSQL [open] [finished]', run: (args) => supervisionScenario(args) },
};
