import type { ZtModule } from '../module.ts';
import { httpMessages } from './errors.ts';
import { idempotencyJobs, idempotencyMigrations } from './idempotency.ts';
import { signingMigrations } from '../crypto/signing.ts';

/** The HTTP layer's error titles and idempotency keys, and the units' signing keys. */
export const httpManifest: ZtModule = {
  name: 'http',
  platform: true,
  migrations: { ...idempotencyMigrations, ...signingMigrations },
  jobs: idempotencyJobs,
  messages: httpMessages,
};
