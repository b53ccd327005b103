// node --test: Explore's metric search (plugins/ui-dashboard/web/js/search.js).
import assert from 'node:assert/strict';
import test from 'node:test';

import { searchMetrics } from '../../../../../plugins/ui-dashboard/web/js/search.js';

const NAMES = ['aaa.cpu_busy_pct_backup', 'cpu', 'cpu.busy_pct', 'cpu.freq_khz', 'cpu.temp_mdeg',
  'proc.nanotdb.cpu_pct', 'sys.load1', 'sys.load15', 'sys.load5', 'xcpux'];

test('the name itself comes first, then names starting with it, then names where it starts a part', () => {
  assert.deepEqual(searchMetrics(NAMES, 'cpu'), ['cpu', 'cpu.busy_pct', 'cpu.freq_khz',
    'cpu.temp_mdeg', 'proc.nanotdb.cpu_pct', 'aaa.cpu_busy_pct_backup', 'xcpux']);
  assert.deepEqual(searchMetrics(NAMES, 'CPU busy'), ['cpu.busy_pct', 'aaa.cpu_busy_pct_backup']);
  assert.equal(searchMetrics(NAMES, 'load1')[0], 'sys.load1');
  assert.equal(searchMetrics(NAMES, 'load')[0], 'sys.load1');
});

test('chosen names are left out; nothing typed lists every name in its order', () => {
  assert.deepEqual(searchMetrics(NAMES, 'cpu', ['cpu', 'cpu.busy_pct']).slice(0, 2),
      ['cpu.freq_khz', 'cpu.temp_mdeg']);
  assert.deepEqual(searchMetrics(NAMES, '  '), NAMES);
  assert.deepEqual(searchMetrics(NAMES, 'nope'), []);
});

test('labelled series keys match on their labels too', () => {
  const keys = ['power_watts{circuit="kitchen/oven"}', 'oven_temp', 'temp{room="oven"}'];
  assert.deepEqual(searchMetrics(keys, 'oven'), ['oven_temp', 'temp{room="oven"}',
    'power_watts{circuit="kitchen/oven"}']);
});
