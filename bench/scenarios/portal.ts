import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import { machine, percentile } from '../support.ts';

/** `visitors` clients asking for `url` one after another for `seconds`; every answer's time. */
async function visit(url: string, visitors: number, seconds: number): Promise<{ latencies: number[]; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: visitors });
  const until = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const once = () =>
    new Promise<void>((resolve) => {
      const begin = performance.now();
      http
        .get(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - begin);
            else errors += 1;
            resolve();
          });
        })
        .on('error', () => {
          errors += 1;
          resolve();
        });
    });
  await Promise.all(Array.from({ length: visitors }, async () => {
    while (performance.now() < until) await once();
  }));
  agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), errors };
}

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/**
 * The public portal on the embedded database as `npm start` runs it: the first start with the demo
 * city (its past cases generated, budget 60 s), then the home page, the service list and a service
 * guide, each at 20 concurrent visitors for a few seconds (budget p95 < 50 ms).
 */
export async function portalScenario(args: string[]) {
  const seconds = Number(args[0] ?? 10);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-portal-'));
  const port = 3900 + Math.floor(Math.random() * 90);
  const env = { ...process.env, ZT_DATA_DIR: dataDir, PORT: String(port), ZT_DEMO_PASSWORD: 'Bench#Demo2026', LOG_LEVEL: 'warn' };
  const startScript: string = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start;
  const nodeFlags = startScript.split(/\s+/).filter((word) => word.startsWith('--'));
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, path.join(root, 'bin/zt.js'), 'start'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d;
    for (const line of String(d).split('\n')) if (line.startsWith('演示数据')) console.log(`  ${line}`);
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    let ready = false;
    while (!ready && performance.now() - started < 900_000) {
      ready = await fetch(`${base}/readyz`).then((r) => r.status === 200, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    if (!ready) throw new Error(`not ready within 900 s:\n${output}`);
    console.log(`first start with the demo city: ${((performance.now() - started) / 1000).toFixed(1)} s to ready (budget < 60 s)`);
    const items = (await (await fetch(`${base}/api/v1/approval/items?limit=1`)).json()) as { items: Array<{ id: string; name: string }> };
    const guide = items.items[0];
    const pages = [
      ['portal home /', '/'],
      ['service list /services', '/services'],
      [`service guide (${guide.name})`, `/services/items/${guide.id}`],
    ];
    for (const [label, url] of pages) {
      const check = await fetch(`${base}${url}`);
      if (check.status !== 200) throw new Error(`${url} answered ${check.status}`);
      await visit(`${base}${url}`, 20, 2);
      const { latencies, errors } = await visit(`${base}${url}`, 20, seconds);
      const p = (n: number) => percentile(latencies, n).toFixed(1);
      console.log(`${label}: ${Math.round(latencies.length / seconds)} req/s, p50=${p(50)} ms p95=${p(95)} ms p99=${p(99)} ms, errors ${errors} (budget p95 < 50 ms at 20 visitors)`);
    }
    console.log(`machine: ${machine()}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
