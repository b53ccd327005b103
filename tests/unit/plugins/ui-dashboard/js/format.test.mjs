// node --test: unit and number formatting of the web UI (plugins/ui-dashboard/web/js/format.js).
import assert from 'node:assert/strict';
import test from 'node:test';

import { applyTransform, durationText, formatDuration, formatSeriesValue, niceStep, parseDuration,
  scaleValue, severity, trimDecimals } from '../../../../../plugins/ui-dashboard/web/js/format.js';

test('trimDecimals drops trailing zeros and never uses exponents', () => {
  assert.equal(trimDecimals(2.5, 2), '2.5');
  assert.equal(trimDecimals(3, 1), '3');
  assert.equal(trimDecimals(0.000001, 1), '0');
  assert.equal(trimDecimals(123456789012, 0), '123456789012');
  assert.equal(trimDecimals(-0.04, 1), '0');
  assert.ok(!trimDecimals(3e22, 1).includes('e'));
});

test('durations read as days, hours and minutes', () => {
  assert.equal(formatDuration(13 * 86400 + 3 * 3600 + 53 * 60 + 7), '13d 3h 53m');
  assert.equal(formatDuration(310), '5m 10s');
  assert.equal(formatDuration(42), '42s');
  assert.equal(formatDuration(0.25), '250ms');
  assert.equal(formatDuration(0), '0ms');
});

test('bytes scale in IEC steps', () => {
  assert.deepEqual(scaleValue(1536, 'bytes'), { text: '1.5', unit: ' KiB' });
  assert.deepEqual(scaleValue(512, 'bytes'), { text: '512', unit: ' B' });
  assert.deepEqual(scaleValue(5 * 1024 ** 3, 'bytes', 1), { text: '5', unit: ' GiB' });
});

test('counts scale with k, M, G', () => {
  assert.deepEqual(scaleValue(12500, 'count'), { text: '12.5', unit: 'k' });
  assert.deepEqual(scaleValue(3_400_000, 'count'), { text: '3.4', unit: 'M' });
  assert.deepEqual(scaleValue(999, 'count'), { text: '999', unit: '' });
});

test('time units pick ms, s or a duration', () => {
  assert.deepEqual(scaleValue(21, 'ms'), { text: '21', unit: ' ms' });
  assert.deepEqual(scaleValue(2500, 'ms'), { text: '2.5', unit: ' s' });
  assert.deepEqual(scaleValue(0.004, 's'), { text: '4', unit: ' ms' });
  assert.deepEqual(scaleValue(5400, 's'), { text: '1h 30m', unit: '' });
  assert.deepEqual(scaleValue(1.5e9, 'ns'), { text: '1.5', unit: ' s' });
});

test('unknown units are appended verbatim', () => {
  assert.deepEqual(scaleValue(48.25, ' °C', 1), { text: '48.3', unit: ' °C' });
  assert.deepEqual(scaleValue(42.5, '%'), { text: '42.5', unit: '%' });
});

test('transforms apply factor, offset, decimals, unit and format', () => {
  assert.equal(applyTransform(10, { factor: 2, offset: 1 }), 21);
  assert.equal(formatSeriesValue(48312, { factor: 0.001, unit: ' °C', decimals: 1 }), '48.3 °C');
  assert.equal(formatSeriesValue(1048576, { factor: 1024, unit: 'bytes' }), '1 GiB');
  assert.equal(formatSeriesValue(90061, { format: 'up {duration}' }), 'up 1d 1h 1m');
  assert.equal(formatSeriesValue(7, { format: '{value} items', decimals: 0 }), '7 items');
  assert.equal(formatSeriesValue(null, {}), '—');
});

test('thresholds colour above and below', () => {
  const above = { direction: 'above', warning: 70, critical: 80 };
  assert.equal(severity(69.9, above), 'normal');
  assert.equal(severity(70, above), 'warning');
  assert.equal(severity(80, above), 'critical');
  const below = { direction: 'below', warning: 1.0, critical: 0.5 };
  assert.equal(severity(2, below), 'normal');
  assert.equal(severity(1, below), 'warning');
  assert.equal(severity(0.4, below), 'critical');
  assert.equal(severity(99, { warning: 1 }), 'normal');
  assert.equal(severity(5, { direction: 'above', critical: 4 }), 'critical');
  assert.equal(severity(5, undefined), 'normal');
});

test('dashboard durations are one whole number and one unit', () => {
  assert.equal(parseDuration('90s'), 90);
  assert.equal(parseDuration('6H'), 21600);
  assert.equal(parseDuration('2w'), 1209600);
  for (const bad of ['1h30m', '1.5h', '500ms', '', '0s', '-5m', undefined]) {
    assert.ok(Number.isNaN(parseDuration(bad)), String(bad));
  }
  assert.equal(durationText(3600), '1h');
  assert.equal(durationText(90), '90s');
});

test('niceStep keeps charts near the point budget', () => {
  assert.equal(niceStep(3600, 720), 5);
  assert.equal(niceStep(86400, 720), 120);
  assert.equal(niceStep(30 * 86400, 720), 3600);
  assert.equal(niceStep(600, 720, 60), 60);
});
