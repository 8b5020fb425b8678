import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { machine } from '../support.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

async function waitReady(url: string, deadlineMs: number) {
  while (performance.now() < deadlineMs) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** `npm start` as an office runs it: first start on an empty folder, then a restart; idle memory. */
export async function startupScenario() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-startup-'));
  const port = 3900 + Math.floor(Math.random() * 90);
  const env = { ...process.env, ZT_DATA_DIR: dataDir, PORT: String(port), ZT_DEMO_PASSWORD: 'Bench#Demo2026', LOG_LEVEL: 'warn', ZT_DEMO_CASES: '0' };
  // The node flags of `npm start` itself, so that the figures are those an office gets.
  const startScript: string = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start;
  const nodeFlags = startScript.split(/\s+/).filter((word) => word.startsWith('--'));
  const args = [...nodeFlags, path.join(root, 'bin/zt.js'), 'start'];
  console.log(`node ${args.join(' ')}`);
  try {
    for (const label of ['first start (creates the database, loads the demo city)', 'start on an existing data folder']) {
      const started = performance.now();
      const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
      const ready = await waitReady(`http://127.0.0.1:${port}/readyz`, started + 120_000);
      const seconds = (performance.now() - started) / 1000;
      console.log(`${label}: ${ready ? `${seconds.toFixed(1)} s to ready` : 'not ready within 120 s'}`);
      await new Promise((r) => setTimeout(r, 5000));
      console.log(`  idle resident memory after 5 s: ${rssMb(child.pid!).toFixed(0)} MB (budget < 250 MB)`);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    console.log('budgets: first start < 15 s, restart < 3 s');
    console.log(`machine: ${machine()}`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
