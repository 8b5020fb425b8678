import { ConfigError } from './config/index.ts';
import type { ZtModule } from './platform/module.ts';
import { httpManifest } from './platform/http/module.ts';
import { auditManifest } from './platform/audit/module.ts';
import { orgManifest } from './platform/org/module.ts';
import { iamManifest } from './platform/iam/module.ts';
import { calendarManifest } from './platform/calendar/index.ts';
import { flowManifest } from './platform/flow/module.ts';
import { tasksManifest } from './platform/tasks/index.ts';
import { notifyManifest } from './platform/notify/index.ts';
import { jobsManifest } from './platform/jobs/index.ts';
import { filesManifest } from './platform/files/index.ts';
import { consoleManifest } from './platform/console/index.ts';
import { backupManifest } from './platform/backup/module.ts';
import { limitsManifest } from './platform/limits/index.ts';
import { staticManifest } from './platform/static/index.ts';
import { searchManifest } from './platform/search/index.ts';
import { approvalModule } from './modules/approval/index.ts';
import { supervisionModule } from './modules/supervision/index.ts';
import { exchangeModule } from './modules/exchange/index.ts';
import { meetingsModule } from './modules/meetings/index.ts';
import { interactionModule } from './modules/interaction/index.ts';
import { portalModule } from './modules/portal/index.ts';

/** The platform's parts: always installed. */
export const platformModules: ZtModule[] = [
  httpManifest,
  limitsManifest,
  auditManifest,
  orgManifest,
  iamManifest,
  calendarManifest,
  flowManifest,
  tasksManifest,
  notifyManifest,
  jobsManifest,
  filesManifest,
  consoleManifest,
  backupManifest,
  staticManifest,
  searchManifest,
];

/** The business modules this build knows; ZT_MODULES chooses which of them run. */
export const businessModules: ZtModule[] = [approvalModule, supervisionModule, exchangeModule, meetingsModule, interactionModule, portalModule];

/** Every known module, platform first; migrations run in key order across all of them. */
export const knownModules: ZtModule[] = [...platformModules, ...businessModules];

/**
 * The modules to install: the platform and the business modules named in ZT_MODULES (all when it
 * is unset). Unknown names and missing requirements are refused when the configuration is read.
 */
export function selectModules(names: readonly string[] | 'all'): ZtModule[] {
  if (names === 'all') return knownModules;
  const unknown = names.filter((name) => !businessModules.some((m) => m.name === name));
  if (unknown.length) throw new ConfigError('ZT_MODULES', `unknown module ${unknown.join(', ')} (known: ${businessModules.map((m) => m.name).join(', ')})`);
  const chosen = [...platformModules, ...businessModules.filter((m) => names.includes(m.name))];
  for (const module of chosen) {
    const missing = (module.requires ?? []).filter((needed) => !chosen.some((m) => m.name === needed));
    if (missing.length) throw new ConfigError('ZT_MODULES', `module ${module.name} needs ${missing.join(', ')}`);
  }
  return chosen;
}
