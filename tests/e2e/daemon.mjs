// Starts a real nanotdb daemon for browser tests, the way the integration tests do: a fresh
// temp root initialised with --init, listening on a free 127.0.0.1 port, plugins from the build
// tree, host probes off (the tests ingest their own samples; `{probes: true}` turns the
// drip-sources defaults on, collecting every second), self-stats every second. Stopped by PID
// with SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Replaces `key = ...` inside [section] (first occurrence after the header), or appends it.
function setKey(toml, section, key, value) {
  const lines = toml.split('\n');
  const start = lines.findIndex((l) => l.trim() === `[${section}]`);
  if (start < 0) return `${toml}\n[${section}]\n${key} = ${value}\n`;
  for (let i = start + 1; i < lines.length && !lines[i].trim().startsWith('['); i++) {
    if (new RegExp(`^\\s*${key}\\s*=`).test(lines[i])) {
      lines[i] = `${key} = ${value}`;
      return lines.join('\n');
    }
  }
  lines.splice(start + 1, 0, `${key} = ${value}`);
  return lines.join('\n');
}

export async function startDaemon(buildDir, logFile, { probes = false } = {}) {
  const binary = path.resolve(buildDir, 'bin', 'nanotdb');
  if (!fs.existsSync(binary)) throw new Error(`${binary} not found: build the nanotdb target first`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nanotdb-e2e-'));
  const config = path.join(root, 'engine.toml');
  const init = spawnSync(binary, ['--init', '--config', config], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`nanotdb --init failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  let toml = fs.readFileSync(config, 'utf8');
  toml = setKey(toml, 'engine', 'listen', `"127.0.0.1:${port}"`);
  toml = setKey(toml, 'stats', 'interval', '"1s"');
  toml = setKey(toml, 'plugins', 'dir', JSON.stringify(path.resolve(buildDir, 'lib', 'nanotdb', 'plugins')));
  toml = setKey(toml, 'plugins.drip-sources', 'enabled', String(probes));
  if (probes) toml = setKey(toml, 'plugins.drip-sources', 'interval', '"1s"');
  // An endpoint that selects nothing: the engine page shows its figures, nothing is sent.
  toml = setKey(toml, 'plugins.forward-remote-write', 'enabled', 'true');
  toml += '\n[[plugins.forward-remote-write.endpoint]]\nname = "e2e"\n' +
    'url = "http://127.0.0.1:9/api/v1/write"\ndatabases = ["no-such-database"]\n';
  fs.writeFileSync(config, toml);
  const log = fs.openSync(logFile, 'a');
  const child = spawn(binary, ['--config', config], { stdio: ['ignore', log, log] });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`nanotdb exited with ${child.exitCode} during startup; see ${logFile}`);
    }
    try {
      const res = await fetch(`${base}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nanotdb did not answer /health within 15 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    root,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise((r) => child.once('exit', (code) => r(code)));
      process.kill(child.pid, 'SIGTERM');
      const timeout = new Promise((r) => setTimeout(() => r('timeout'), 10000));
      const result = await Promise.race([exited, timeout]);
      if (result === 'timeout') {
        process.kill(child.pid, 'SIGKILL');
        await exited;
      }
      fs.rmSync(root, { recursive: true, force: true });
      return result;
    },
  };
}

// Line protocol for the samples the browser tests look for: two hours of host-like metrics at
// 10 s ending now, in database "metrics" (the default dashboard's names).
export function sampleLines(nowMs = Date.now()) {
  const lines = [];
  const end = Math.floor(nowMs / 10000) * 10000;
  for (let t = end - 2 * 3600 * 1000; t <= end; t += 10000) {
    const ns = `${t}000000`;
    const i = (t / 10000) % 360;
    const busy = t === end ? 12.5 : 10 + 5 * Math.sin(i / 20);
    lines.push(`metrics/cpu.busy_pct ${busy} ${ns}`);
    lines.push(`metrics/sys.load1 ${(0.5 + 0.2 * Math.cos(i / 15)).toFixed(3)} ${ns}`);
    lines.push(`metrics/sys.load5 0.4 ${ns}`);
    lines.push(`metrics/sys.load15 0.3 ${ns}`);
    lines.push(`metrics/mem.available 1048576i ${ns}`);
    lines.push(`metrics/cpu.temp_mdeg 85000i ${ns}`);
    lines.push(`metrics/sys.uptime_sec ${90061 + (t - end) / 1000}i ${ns}`);
  }
  return lines.join('\n') + '\n';
}

// Labelled series in a second database, "lab", over the same two hours: label values with
// blanks, '/' and UTF-8, and a metric name PromQL can only write quoted. The last samples are
// 1234.5 and 21.5.
export function labelledLines(nowMs = Date.now()) {
  const lines = [];
  const end = Math.floor(nowMs / 10000) * 10000;
  for (let t = end - 2 * 3600 * 1000; t <= end; t += 10000) {
    const ns = `${t}000000`;
    const i = (t / 10000) % 360;
    lines.push(`lab/power_watts{circuit="kitchen/oven",note="café ☕"} ${t === end ? 1234.5 : 1000 + i} ${ns}`);
    lines.push(`lab/temp-°C{room="living room"} ${t === end ? 21.5 : 20 + (i % 3)} ${ns}`);
  }
  return lines.join('\n') + '\n';
}
