import type { Work } from "../../platform/db/work.ts";
import type { DemoCity, Platform } from "../../platform/module.ts";
export async function loadPortalDemo(_work: Work, _platform: Platform, _city: DemoCity): Promise<void> {}
