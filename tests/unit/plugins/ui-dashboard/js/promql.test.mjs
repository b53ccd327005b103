// node --test: PromQL in Explore (plugins/ui-dashboard/web/js/promql.js).
import assert from 'node:assert/strict';
import test from 'node:test';

import { errorPosition, exprUnit, looksLikePromQL, resultLabel }
  from '../../../../../plugins/ui-dashboard/web/js/promql.js';

test('expressions are told from metric names, which hold dots, slashes, dashes and braces', () => {
  for (const name of ['cpu.busy_pct', 'metrics/cpu.busy_pct', 'temp-°C{room="living room"}',
    'power_watts{circuit="kitchen/oven",note="café ☕"}', 'net.eth0.rx_bytes', 'load']) {
    assert.equal(looksLikePromQL(name), false, name);
  }
  for (const expr of ['rate(net.eth0.rx_bytes[5m])', 'cpu.busy_pct > 50', 'sum by (db) (x)',
    '{__name__=~"cpu.*"}', 'up{job!="a"}', 'a * 2', 'x offset 5m', 'avg_over_time(lab/x[1h])']) {
    assert.equal(looksLikePromQL(expr), true, expr);
  }
});

test('a parse error names its position', () => {
  assert.deepEqual(errorPosition('invalid parameter "query": 1:14: parse error: unexpected end of input'),
      { line: 1, col: 14 });
  assert.equal(errorPosition('unknown function with name "foo"'), null);
});

test('each series of an answer reads as name and labels, with a foreign database in front', () => {
  assert.equal(resultLabel({ __name__: 'cpu.busy_pct', db: 'metrics' }, 'metrics'), 'cpu.busy_pct');
  assert.equal(resultLabel({ __name__: 'power_watts', db: 'lab', circuit: 'kitchen/oven' }, 'metrics'),
      'lab/power_watts{circuit="kitchen/oven"}');
  assert.equal(resultLabel({ db: 'metrics', room: 'hall' }, 'metrics'), '{room="hall"}');
  assert.equal(resultLabel({}, 'metrics'), '{}');
  assert.equal(resultLabel({ db: 'metrics' }, 'metrics', 'avg_over_time(x[5m])'), 'avg_over_time(x[5m])');
});

test('the unit of an expression is that of its one metric, per second in rate()', () => {
  assert.deepEqual(exprUnit('cpu.busy_pct'), { unit: '%', factor: 1 });
  assert.deepEqual(exprUnit('rate(net.eth0.rx_bytes[5m])'), { unit: 'B/s', factor: 1 });
  assert.deepEqual(exprUnit('avg_over_time(metrics/mem.available[10m])'), { unit: 'bytes', factor: 1024 });
  assert.deepEqual(exprUnit('max by (room) (lab/temp_celsius{room="a (b)"})'), { unit: '°C', factor: 1 });
  assert.deepEqual(exprUnit('count_over_time(cpu.busy_pct[5m])'), { unit: '', factor: 1 });
  assert.deepEqual(exprUnit('mem.available / mem.total'), { unit: '', factor: 1 });
  assert.deepEqual(exprUnit('1 + 1'), { unit: '', factor: 1 });
});
