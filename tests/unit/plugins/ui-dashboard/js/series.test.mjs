// node --test: series patterns of dashboard.json (plugins/ui-dashboard/web/js/series.js).
import assert from 'node:assert/strict';
import test from 'node:test';

import { expandSeries, isPattern, matchPattern } from '../../../../../plugins/ui-dashboard/web/js/series.js';

const NAMES = ['net.wlan0.rx_kbps', 'net.eth0.rx_kbps', 'net.eth0.tx_kbps', 'net.eth0.rx_bytes',
  'disk.mmcblk0.read_kbps', 'netXeth0Xrx_kbps'];

test('a pattern matches whole names, dots literally, and reports what * matched', () => {
  assert.ok(isPattern('net.*.rx_kbps'));
  assert.ok(!isPattern('mem.available'));
  assert.deepEqual(matchPattern('net.*.rx_kbps', NAMES), [
    { name: 'net.eth0.rx_kbps', matched: 'eth0' }, { name: 'net.wlan0.rx_kbps', matched: 'wlan0' }]);
  assert.deepEqual(matchPattern('*.read_kbps', NAMES), [
    { name: 'disk.mmcblk0.read_kbps', matched: 'disk.mmcblk0' }]);
  assert.deepEqual(matchPattern('net.*.(rx)', NAMES), []);
});

test('pattern series expand into one labelled series per match; others stay', () => {
  const list = [{ label: 'Received', metric: 'net.*.rx_kbps', transform: { unit: 'B/s' } },
    { label: 'Available', metric: 'mem.available' }, { metric: 'swap.*' }];
  const out = expandSeries(list, () => NAMES);
  assert.deepEqual(out.map((s) => [s.label, s.metric]), [
    ['Received eth0', 'net.eth0.rx_kbps'], ['Received wlan0', 'net.wlan0.rx_kbps'],
    ['Available', 'mem.available']]);
  assert.deepEqual(out[0].transform, { unit: 'B/s' });
  assert.equal(out[0].pattern, 'net.*.rx_kbps');
});
