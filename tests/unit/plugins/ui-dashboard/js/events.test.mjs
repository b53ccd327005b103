// node --test: how events read in the dashboard (plugins/ui-dashboard/web/js/events.js).
import assert from 'node:assert/strict';
import test from 'node:test';

import { eventSeconds, eventSummary, eventValueText, eventsNear, nameCounts, payloadPretty, payloadText }
  from '../../../../../plugins/ui-dashboard/web/js/events.js';

test('an event time is read from its RFC 3339 time, to the millisecond', () => {
  const e = { ts: 1796314008103929150, time: '2026-12-03T16:06:48.10392915Z' };
  assert.equal(eventSeconds(e), 1796314008.103);
  assert.equal(eventSeconds({ ts: 1767225600000000000 }), 1767225600);
});

test('values and payloads read as stored, none as a dash or nothing', () => {
  assert.equal(eventValueText(3), '3');
  assert.equal(eventValueText(21.5), '21.5');
  assert.equal(eventValueText('NaN'), 'NaN');
  assert.equal(eventValueText(null), '—');
  assert.equal(payloadText({ version: '1.4.2', by: 'ci' }), '{"version":"1.4.2","by":"ci"}');
  assert.equal(payloadText(null), '');
  assert.equal(payloadPretty({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}');
});

test('a tooltip line names the event, its value and payload, cut to a length', () => {
  assert.equal(eventSummary({ name: 'deploy', value: 3, payload: { v: '1.2' } }), 'deploy = 3 · {"v":"1.2"}');
  assert.equal(eventSummary({ name: 'reboot', value: null, payload: null }), 'reboot');
  const long = eventSummary({ name: 'x', value: null, payload: { text: 'a'.repeat(200) } }, 20);
  assert.equal(long.length, 20);
  assert.ok(long.endsWith('…'));
});

test('the markers near the cursor are the ones within a few pixels, nearest first', () => {
  const list = [{ name: 'a', ts: 100e9 }, { name: 'b', ts: 103e9 }, { name: 'c', ts: 200e9 }];
  const toPos = (s) => s;  // one pixel per second
  assert.deepEqual(eventsNear(list, 102, toPos).map((e) => e.name), ['b', 'a']);
  assert.deepEqual(eventsNear(list, 150, toPos), []);
});

test('the name filter lists names by how often they occur', () => {
  const data = { counts: [{ name: 'door.open', buckets: [[0, 2], [60, 1]] },
    { name: 'alarm', buckets: [[0, 3]] }, { name: 'deploy', buckets: [[0, 1]] }] };
  assert.deepEqual(nameCounts(data), [{ name: 'alarm', count: 3 }, { name: 'door.open', count: 3 },
    { name: 'deploy', count: 1 }]);
  assert.deepEqual(nameCounts(null), []);
});
