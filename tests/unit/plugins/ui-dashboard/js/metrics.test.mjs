// node --test: units and counters Explore reads from metric names, and counter rates
// (plugins/ui-dashboard/web/js/metrics.js).
import assert from 'node:assert/strict';
import test from 'node:test';

import { counterRate, guessUnit, rateUnit } from '../../../../../plugins/ui-dashboard/web/js/metrics.js';

test('units follow the name', () => {
  assert.deepEqual(guessUnit('cpu.busy_pct'), { unit: '%', factor: 1, counter: false });
  assert.deepEqual(guessUnit('mem.available'), { unit: 'bytes', factor: 1024, counter: false });
  assert.deepEqual(guessUnit('nanotdb.process.rss_bytes'), { unit: 'bytes', factor: 1, counter: false });
  assert.deepEqual(guessUnit('diskfs.root.bytes_avail'), { unit: 'bytes', factor: 1, counter: false });
  assert.deepEqual(guessUnit('net.eth0.rx_kbps'), { unit: 'B/s', factor: 1024, counter: false });
  assert.deepEqual(guessUnit('net.eth0.rx_bytes_per_s'), { unit: 'B/s', factor: 1, counter: false });
  assert.deepEqual(guessUnit('cpu.temp_mdeg'), { unit: '°C', factor: 0.001, counter: false });
  assert.deepEqual(guessUnit('temp-°C{room="living room"}'), { unit: '°C', factor: 1, counter: false });
  assert.deepEqual(guessUnit('cpu.freq_khz'), { unit: 'Hz', factor: 1000, counter: false });
  assert.deepEqual(guessUnit('disk.sd_write_probe_ms'), { unit: 'ms', factor: 1, counter: false });
  assert.deepEqual(guessUnit('sys.uptime_sec'), { unit: 's', factor: 1, counter: false });
  assert.deepEqual(guessUnit('sys.load1'), { unit: '', factor: 1, counter: false });
});

test('counters are known by suffix and by drip name', () => {
  assert.deepEqual(guessUnit('net.eth0.rx_bytes'), { unit: 'bytes', factor: 1, counter: true });
  assert.equal(guessUnit('nanotdb.ingest.samples_total').counter, true);
  assert.equal(guessUnit('disk.mmcblk0.write_sectors').counter, true);
  assert.equal(guessUnit('cpu.iowait').counter, true);
  assert.equal(guessUnit('io.pgpgout').counter, true);
  assert.equal(guessUnit('net.eth0.rx_kbps').counter, false);
  assert.equal(rateUnit('bytes'), 'B/s');
  assert.equal(rateUnit(''), ' /s');
  assert.equal(rateUnit('%'), ' %/s');
});

test('a rate is the increase per second; a counter restart counts from zero', () => {
  assert.deepEqual(counterRate([0, 10, 20, 30], [100, 200, 400, 50]),
      { t: [10, 20, 30], v: [10, 20, 5] });
  assert.deepEqual(counterRate([0, 10, 10, 20], [0, 10, 20, null]), { t: [10], v: [1] });
  assert.deepEqual(counterRate([5], [1]), { t: [], v: [] });
});
