// node --test: time ranges and chart data alignment (timerange.js, chart.js).
import assert from 'node:assert/strict';
import test from 'node:test';

import { alignSeries, seriesStats } from '../../../../../plugins/ui-dashboard/web/js/chart.js';
import { PRESETS, absoluteRange, describeRange, fromLocalInput, presetLabel, rangeFromParams,
  rangeToParams, resolveRange, shiftRange, toLocalInput, zoomOut } from '../../../../../plugins/ui-dashboard/web/js/timerange.js';

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

test('presets run from 5m to a year; ?range=1y reads as 365d', () => {
  assert.equal(PRESETS[0], '5m');
  assert.equal(PRESETS.at(-1), '365d');
  assert.equal(presetLabel('365d'), 'Last 1y');
  assert.equal(presetLabel('5m'), 'Last 5m');
  assert.deepEqual(rangeFromParams(new URLSearchParams('range=1y')), { last: '365d' });
  assert.equal(describeRange({ last: '365d' }), 'last 1y');
});

test('absolute from/to come from datetime-local values and must be in order', () => {
  const t = new Date(2026, 5, 1, 10, 30).getTime() / 1000;
  assert.equal(toLocalInput(t), '2026-06-01T10:30');
  assert.equal(fromLocalInput('2026-06-01T10:30'), t);
  assert.deepEqual(absoluteRange('2026-06-01T10:30', '2026-06-01T11:30'), { from: t, to: t + 3600 });
  assert.deepEqual(absoluteRange('2026-06-01T11:30', '2026-06-01T10:30'), { error: 'To must be after From' });
  assert.deepEqual(absoluteRange('', '2026-06-01T10:30'), { error: 'From is not a date and time' });
  assert.ok(Number.isNaN(fromLocalInput('yesterday')));
});

test('legend figures cover the range drawn and skip gaps', () => {
  const xs = [10, 20, 30, 40, 50];
  assert.deepEqual(seriesStats(xs, [1, null, 3, 8, 2]), { last: 2, min: 1, max: 8, avg: 3.5 });
  assert.deepEqual(seriesStats(xs, [1, null, 3, 8, 2], 15, 45), { last: 8, min: 3, max: 8, avg: 5.5 });
  assert.deepEqual(seriesStats(xs, [null, null, null, null, null]),
      { last: null, min: null, max: null, avg: null });
});
