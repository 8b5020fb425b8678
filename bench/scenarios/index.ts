import { loginScenario, meScenario } from './auth.ts';
import { supervisionScenario } from './supervision.ts';

export interface Scenario {
  description: string;
  run(args: string[]): Promise<void>;
}

export const scenarios: Record<string, Scenario> = {
  login: { description: 'login latency with argon2id (p50/p95/p99), PostgreSQL', run: () => loginScenario() },
  me: { description: 'authenticated GET /api/v1/me throughput on one process, PostgreSQL [seconds]', run: (args) => meScenario(args) },
  supervision: { description: 'deadline scan over 1M open steps, statistics of a year over 1M finished cases, monitor, PostgreSQL [open] [finished]', run: (args) => supervisionScenario(args) },
};
