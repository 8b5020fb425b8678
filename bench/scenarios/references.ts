// The reference figures the portal's budgets are compared with, measured on this machine in the
// same run: Hugo building a site of the site group's size and shape, and nginx serving one file.
// Both are Debian packages installed for the benchmark only (apt-get install hugo nginx-light).
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export interface SiteShape {
  /** Sub-sites besides the main one. */
  subSites: number;
  columns: number;
  articles: number;
  pageSize: number;
}

export const SITE_GROUP_SHAPE: SiteShape = { subSites: 100, columns: 600, articles: 300_000, pageSize: 20 };

const PHRASES = ['关于做好', '冬季安全生产', '工作的通知', '政府信息公开', '营业执照办理', '优化营商环境', '乡村振兴', '重点项目建设', '民生实事', '疫情防控', '教育质量提升', '医疗保障', '生态环境保护', '城市更新', '防汛抗旱', '就业创业'];

/** A deterministic article body of about 600 characters, like the synthetic articles of our own benchmark. */
export function syntheticBody(n: number): string {
  const parts: string[] = [];
  for (let i = 0; parts.join('').length < 600; i++) parts.push(`${PHRASES[(n * 7 + i * 3) % PHRASES.length]}，${PHRASES[(n + i * 5) % PHRASES.length]}。`);
  return parts.join('');
}

export const siteSlug = (s: number) => (s === 0 ? '' : `s/site${s}/`);

/** Which site a column belongs to, and which column an article: spread evenly. */
export const columnSite = (c: number, shape: SiteShape) => c % (shape.subSites + 1);
export const articleColumn = (a: number, shape: SiteShape) => a % shape.columns;

function which(command: string): boolean {
  try {
    execFileSync('which', [command], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Writes a Hugo site of the shape (one section per column, list pages paginated) and builds it. */
export async function hugoReference(shape: SiteShape = SITE_GROUP_SHAPE): Promise<{ pages: number; seconds: number; pagesPerSecond: number; version: string }> {
  if (!which('hugo')) throw new Error('hugo is not installed: apt-get install hugo (for the benchmark only)');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-hugo-'));
  try {
    fs.writeFileSync(
      path.join(root, 'config.toml'),
      `baseURL = "http://localhost/"\nlanguageCode = "zh-CN"\ntitle = "示范市人民政府"\npaginate = ${shape.pageSize}\ndisableKinds = ["taxonomy", "term"]\n[outputs]\nhome = ["HTML"]\nsection = ["HTML", "RSS"]\npage = ["HTML"]\n`,
    );
    const layouts = path.join(root, 'layouts', '_default');
    fs.mkdirSync(layouts, { recursive: true });
    const shell = (main: string) =>
      `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ .Title }} - 示范市人民政府</title><link rel="stylesheet" href="/assets/site.css"></head><body><a class="skip-link" href="#main">跳到主要内容</a><header class="site-header"><p class="site-name">示范市人民政府</p><nav aria-label="主导航"><ul><li><a href="/">首页</a></li><li><a href="/news/">要闻动态</a></li><li><a href="/xxgk/">政府信息公开</a></li><li><a href="/services">政务服务</a></li><li><a href="/letters">政民互动</a></li></ul></nav></header><main id="main">${main}</main><footer class="site-footer"><p>主办单位：示范市人民政府办公室</p><p><a href="https://beian.miit.gov.cn/">示ICP备12345678号</a></p></footer></body></html>`;
    fs.writeFileSync(path.join(layouts, 'single.html'), shell('<article><h1>{{ .Title }}</h1><p class="meta">发布时间：{{ .Date.Format "2006-01-02" }}</p><div class="article-body">{{ .Content }}</div></article>'));
    fs.writeFileSync(
      path.join(layouts, 'list.html'),
      shell('<h1>{{ .Title }}</h1><ul class="article-list">{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>{{ end }}</ul>{{ template "_internal/pagination.html" . }}'),
    );
    const content = path.join(root, 'content');
    for (let c = 0; c < shape.columns; c++) {
      const dir = path.join(content, siteSlug(columnSite(c, shape)), `col${c}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, '_index.md'), `---\ntitle: "栏目${c}"\n---\n`);
    }
    const start = Date.UTC(2024, 0, 1);
    for (let a = 0; a < shape.articles; a++) {
      const c = articleColumn(a, shape);
      const date = new Date(start + a * 300_000).toISOString();
      fs.writeFileSync(path.join(content, siteSlug(columnSite(c, shape)), `col${c}`, `${a}.md`), `---\ntitle: "${PHRASES[a % PHRASES.length]}${PHRASES[(a * 3) % PHRASES.length]}（第${a}号）"\ndate: ${date}\n---\n${syntheticBody(a)}\n`);
    }
    const version = execFileSync('hugo', ['version']).toString().trim();
    const t0 = performance.now();
    execFileSync('hugo', ['--quiet', '--destination', path.join(root, 'public')], { cwd: root, stdio: 'inherit', maxBuffer: 1 << 26 });
    const seconds = (performance.now() - t0) / 1000;
    const pages = Number(execFileSync('sh', ['-c', `find "${path.join(root, 'public')}" -name '*.html' -o -name '*.xml' | wc -l`]).toString().trim());
    return { pages, seconds, pagesPerSecond: pages / seconds, version };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * Requests per second at `connections` keep-alive clients asking for one URL for `seconds`. The
 * load comes from autocannon in a process of its own: in ours it would take the server's thread.
 */
export async function requestRate(url: string, connections: number, seconds: number): Promise<{ rps: number; p50: number; p99: number; errors: number; non2xx: number }> {
  const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/autocannon/autocannon.js');
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [bin, '--json', '--connections', String(connections), '--duration', String(seconds), '--pipelining', '1', url], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
  const result = JSON.parse(out) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number };
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

/** nginx serving `file` (as /page.html) from a temporary root: the rate of the same request as ours. */
export async function nginxReference(file: string, connections: number, seconds: number): Promise<{ rps: number; p50: number; p99: number; version: string }> {
  if (!which('nginx')) throw new Error('nginx is not installed: apt-get install nginx-light (for the benchmark only)');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-nginx-'));
  const port = await freePort();
  fs.mkdirSync(path.join(root, 'www'));
  fs.copyFileSync(file, path.join(root, 'www', 'page.html'));
  // One worker: our server is one Node process; the comparison is one process against one.
  fs.writeFileSync(
    path.join(root, 'nginx.conf'),
    `worker_processes 1;\ndaemon off;\npid ${root}/nginx.pid;\nerror_log ${root}/error.log;\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n  client_body_temp_path ${root};\n  proxy_temp_path ${root};\n  fastcgi_temp_path ${root};\n  uwsgi_temp_path ${root};\n  scgi_temp_path ${root};\n  types { text/html html; }\n  etag on;\n  server { listen 127.0.0.1:${port}; root ${root}/www; }\n}\n`,
  );
  // nginx -v prints its version on standard error.
  const version = spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim() || 'nginx';
  const child = spawn('nginx', ['-c', path.join(root, 'nginx.conf'), '-p', root], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/page.html`).then((r) => r.ok).catch(() => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const rate = await requestRate(`http://127.0.0.1:${port}/page.html`, connections, seconds);
    return { ...rate, version: version.trim() };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** `npm run bench -- hugo-reference [--articles N]`: Hugo alone, for a first look at the reference. */
export async function hugoReferenceScenario(args: string[]) {
  const shape = { ...SITE_GROUP_SHAPE };
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--articles') shape.articles = Number(args[i + 1]);
    else throw new Error(`unknown option ${args[i]} (options: --articles N)`);
  }
  const hugo = await hugoReference(shape);
  console.log(`${hugo.version}\nhugo: ${hugo.pages.toLocaleString('en')} pages (${shape.articles.toLocaleString('en')} articles, ${shape.columns} sections over ${shape.subSites + 1} sites) in ${hugo.seconds.toFixed(1)} s = ${hugo.pagesPerSecond.toFixed(0)} pages/s`);
}
