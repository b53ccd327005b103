// node --test: time ranges and chart data alignment (timerange.js, chart.js).
import assert from 'node:assert/strict';
import test from 'node:test';

import { alignSeries } from '../../../../../plugins/ui-dashboard/web/js/chart.js';
import { rangeFromParams, rangeToParams, resolveRange, shiftRange, zoomOut } from '../../../../../plugins/ui-dashboard/web/js/timerange.js';

test('relative ranges stay relative to now; fixed ranges do not move', () => {
  assert.deepEqual(resolveRange({ last: '1h' }, 10000), { start: 6400, end: 10000, live: true });
  assert.deepEqual(resolveRange(null, 10000, '6h'), { start: 10000 - 21600, end: 10000, live: true });
  assert.deepEqual(resolveRange({ from: 5, to: 50 }, 10000), { start: 5, end: 50, live: false });
});

test('ranges round-trip through the URL', () => {
  const p = rangeToParams({ last: '7d' }, new URLSearchParams('group=a'));
  assert.equal(p.toString(), 'group=a&range=7d');
  assert.deepEqual(rangeFromParams(p), { last: '7d' });
  const f = rangeToParams({ from: 100.4, to: 200.2 }, new URLSearchParams());
  assert.deepEqual(rangeFromParams(f), { from: 100, to: 201 });
  assert.equal(rangeFromParams(new URLSearchParams('range=banana')), null);
  assert.equal(rangeFromParams(new URLSearchParams('from=9&to=3')), null);
});

test('shift and zoom out give fixed ranges', () => {
  assert.deepEqual(shiftRange({ start: 100, end: 200 }, -1), { from: 50, to: 150 });
  assert.deepEqual(zoomOut({ start: 100, end: 200 }), { from: 50, to: 250 });
});

test('series sampled at different times share one axis with gaps', () => {
  const data = alignSeries([{ t: [1, 3], v: [10, 30] }, { t: [2, 3], v: [20, 31] }]);
  assert.deepEqual(data, [[1, 2, 3], [10, null, 30], [null, 20, 31]]);
});
