import { loginScenario, meScenario } from './auth.ts';

export interface Scenario {
  description: string;
  run(args: string[]): Promise<void>;
}

export const scenarios: Record<string, Scenario> = {
  login: { description: 'login latency with argon2id (p50/p95/p99), PostgreSQL', run: () => loginScenario() },
  me: { description: 'authenticated GET /api/v1/me throughput on one process, PostgreSQL [seconds]', run: (args) => meScenario(args) },
};
