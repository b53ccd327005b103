// node --test: unit and number formatting of the web UI (plugins/ui-dashboard/web/js/format.js).
import assert from 'node:assert/strict';
import test from 'node:test';

import { applyTransform, axisScale, durationText, formatDuration, formatSeriesValue, niceStep, parseDuration,
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

test('rates, bits, hertz and degrees scale with their prefixes', () => {
  assert.deepEqual(scaleValue(1536, 'B/s'), { text: '1.5', unit: ' KiB/s' });
  assert.deepEqual(scaleValue(1.5e6, 'bit/s'), { text: '1.5', unit: ' Mbit/s' });
  assert.deepEqual(scaleValue(1.5e9, 'Hz'), { text: '1.5', unit: ' GHz' });
  assert.deepEqual(scaleValue(48.25, '°C'), { text: '48.3', unit: ' °C' });
  assert.deepEqual(scaleValue(2048, ' B '), { text: '2', unit: ' KiB' });
});

test('byte axes step in round MiB, not in round bytes', () => {
  const a = axisScale(600 * 2 ** 20, 1021 * 2 ** 20, 'bytes', 4);
  assert.deepEqual(a.labels, ['600 MiB', '700 MiB', '800 MiB', '900 MiB', '1000 MiB', '1100 MiB']);
  assert.equal(a.min, 600 * 2 ** 20);
  assert.equal(a.max, 1100 * 2 ** 20);
  assert.equal(a.format(1021 * 2 ** 20, 1), '1021 MiB');
  assert.deepEqual(axisScale(0, 1.07e9, 'B', 4).labels,
      ['0 B', '200 MiB', '400 MiB', '600 MiB', '800 MiB', '1000 MiB', '1200 MiB']);
});

test('axes of other units keep one prefix and round steps', () => {
  assert.deepEqual(axisScale(0, 125e6, 'bit/s', 4).labels,
      ['0 bit/s', '25 Mbit/s', '50 Mbit/s', '75 Mbit/s', '100 Mbit/s', '125 Mbit/s']);
  assert.deepEqual(axisScale(6e8, 1.5e9, 'Hz', 4).labels,
      ['0.6 GHz', '0.8 GHz', '1 GHz', '1.2 GHz', '1.4 GHz', '1.6 GHz']);
  assert.deepEqual(axisScale(0, 100, '%', 4).labels, ['0%', '20%', '40%', '60%', '80%', '100%']);
  assert.deepEqual(axisScale(41, 71, '°C', 4).labels, ['40 °C', '50 °C', '60 °C', '70 °C', '80 °C']);
  assert.deepEqual(axisScale(0, 12345, 'count', 4).labels, ['0', '2.5k', '5k', '7.5k', '10k', '12.5k']);
  assert.deepEqual(axisScale(0.2, 0.7, '', 4).labels, ['0.2', '0.3', '0.4', '0.5', '0.6', '0.7']);
});

test('duration axes read ms, s or hours and minutes', () => {
  assert.deepEqual(axisScale(0.002, 0.03, 's', 4).labels, ['0 ms', '10 ms', '20 ms', '30 ms']);
  assert.deepEqual(axisScale(0, 3.2, 's', 4).labels, ['0 s', '1 s', '2 s', '3 s', '4 s']);
  assert.deepEqual(axisScale(0, 7200, 's', 4).labels, ['0', '30m', '1h', '1h 30m', '2h']);
  assert.deepEqual(axisScale(2, 21, 'ms', 4).labels, ['0 ms', '5 ms', '10 ms', '15 ms', '20 ms', '25 ms']);
});

test('a flat or empty series still gets an axis', () => {
  assert.deepEqual(axisScale(5, 5, '', 4).labels, ['4.4', '4.6', '4.8', '5', '5.2', '5.4', '5.6']);
  assert.deepEqual(axisScale(0, 0, '%', 4).labels, ['0%', '0.2%', '0.4%', '0.6%', '0.8%', '1%']);
  assert.deepEqual(axisScale(null, null, 'bytes', 4).labels.length > 1, true);
});
