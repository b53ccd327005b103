// Development server for the web UI without a daemon: serves plugins/ui-dashboard/web and uPlot
// from the source tree (edit and reload, no rebuild) and answers the JSON APIs the pages call
// with synthetic data. Not used by the tests, which run against the real daemon.
//   node tests/e2e/fake-server.mjs [port]      then open http://127.0.0.1:<port>/
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const web = path.join(repo, 'plugins/ui-dashboard/web');
const port = Number(process.argv[2] || 8429);
let dashboard = fs.readFileSync(path.join(repo, 'etc/dashboard.json'), 'utf8');
const pages = { '/': 'dashboard', '/dashboard': 'dashboard', '/dashboard/edit': 'editor',
  '/explore': 'explore', '/engine': 'engine' };
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const metrics = ['cpu.busy_pct', 'sys.load1', 'sys.load5', 'sys.load15', 'mem.available',
  'cpu.temp_mdeg', 'sys.uptime_sec', 'diskfs.root.used_pct', 'diskfs.root.bytes_avail',
  ...Array.from({ length: 3000 }, (_, i) => `sensor.building_${i % 7}.room_${i}.temperature_celsius`)];

const value = (m, t) => (m.includes('mem') ? 900000 : m.includes('temp_mdeg') ? 51000
  : m.includes('uptime') ? 90061 : 10 + 5 * Math.sin(t / 600 + m.length));

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type });
  res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}

function api(url, req, res, body) {
  const q = url.searchParams;
  const ok = (data) => send(res, 200, { status: 'success', data });
  switch (url.pathname) {
    case '/api/ui/config': return send(res, 200, { title: 'NanoTDB (fake)', refresh_seconds: 10 });
    case '/api/dashboard-config':
      if (req.method !== 'PUT') return send(res, 200, dashboard);
      // falls through: PUT validates, then saves
    case '/api/dashboard-config/validate': {
      const doc = JSON.parse(body || '{}');
      if (!String(doc.title || '').trim()) return send(res, 400, { ok: false, errors: ['dashboard: field "title" is required and cannot be blank'] });
      if (req.method === 'PUT') dashboard = JSON.stringify(doc, null, 2);
      return send(res, 200, { ok: true, config: doc, backup_path: 'dashboard.fake.json' });
    }
    case '/api/v1/databases': return ok({ resultType: 'databases', result: ['internal', 'metrics'] });
    case '/api/v1/metrics': return ok({ resultType: 'metrics', result: metrics });
    case '/api/v1/query': {
      const t = Date.now() / 1000;
      return ok({ resultType: 'vector', result: [{ metric: { __name__: q.get('query') }, value: [t, String(value(q.get('query'), t))] }] });
    }
    case '/api/v1/query_range': {
      const start = Number(q.get('start'));
      const end = Number(q.get('end'));
      const step = parseInt(q.get('step') || q.get('window') || '60', 10);
      const aggs = (q.get('aggregate') || 'avg').split(',');
      return ok({ resultType: 'matrix', result: aggs.map((a, k) => {
        const values = [];
        for (let t = Math.ceil(start / step) * step; t <= end; t += step) values.push([t, String(value(q.get('query'), t) + (k - 1) * 2)]);
        return { metric: { __name__: q.get('query'), aggregate: q.get('aggregate') ? a : undefined }, values };
      }) });
    }
    case '/api/engine/overview':
      return ok({ resultType: 'engine_overview', settings_toml: '[engine]\nlisten = ":8428"\n',
        result: [{ name: 'metrics', metrics: metrics.length, data_files: 1, frames: 2, samples: 1000, data_bytes: 1300, bytes_per_sample: 1.3, wal_bytes: 42, open_page_samples: 7, open_partitions: ['2026-06-01'] }] });
    case '/api/engine/database':
      return ok({ resultType: 'engine_database', result: { summary: { name: 'metrics', path: '/tmp/metrics', metrics: 3, data_files: 1, data_bytes: 1300, frames: 1, samples: 1000, bytes_per_sample: 1.3, open_page_samples: 7, open_partitions: [], manifest: { partition: 'day' }, wal: { name: 'metrics.wal', bytes: 42 },
        files: [{ name: 'data-2026-06-01.dat', partition: '2026-06-01', bytes: 1300, samples: 1000, frames: 1, bytes_per_sample: 1.3, error: '', frame_list: [{ index: 0, offset: 16, bytes: 1300, raw_bytes: 12000, ratio: 9.2, samples: 1000, metrics: 3, bytes_per_sample: 1.3, codec: 'zstd', min_utc: '2026-06-01T00:00:00Z', max_utc: '2026-06-01T02:00:00Z', span: '2h' }] }] },
      metrics: metrics.slice(0, 50).map((name, i) => ({ name, id: i + 1, type: 'float64', last_value: '1.5', last_utc: '2026-06-01T02:00:00Z' })) } });
    case '/api/engine/runtime':
      return ok({ resultType: 'engine_runtime', result: { version: '0.1.0', uptime: '1h', rss_bytes: 6e6, peak_rss_bytes: 7e6, cpu_user_seconds: 1, cpu_system_seconds: 0.5, threads: 9, root: '/tmp', listen: ':8428', plugins: [{ name: 'ui-dashboard', version: '0.1.0', path: '', description: 'ui', status: 'running' }] } });
    default: return send(res, 404, { status: 'error', errorType: 'not_found', error: `unknown API path ${url.pathname}` });
  }
}

http.createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    if (url.pathname.startsWith('/api/')) return api(url, req, res, body);
    let file = null;
    const p = url.pathname.replace(/\/$/, '') || '/';
    if (pages[p]) file = path.join(web, `${pages[p]}.html`);
    else if (url.pathname.startsWith('/assets/vendor/')) file = path.join(repo, 'node_modules/uplot/dist', path.basename(url.pathname));
    else if (url.pathname.startsWith('/assets/')) file = path.join(web, path.normalize(url.pathname.slice('/assets/'.length)));
    if (!file || !file.startsWith(repo) || !fs.existsSync(file)) return send(res, 404, 'not found', 'text/plain');
    send(res, 200, fs.readFileSync(file), types[path.extname(file)] || 'application/octet-stream');
  });
}).listen(port, '127.0.0.1', () => console.log(`fake UI server on http://127.0.0.1:${port}/`));
