// node --test: editor-side dashboard checks (plugins/ui-dashboard/web/js/validate.js).
import assert from 'node:assert/strict';
import test from 'node:test';

import { cleanDraft, isColor, jsonError, parseDashboardJSON, slugify, uniqueId, validateDraft } from '../../../../../plugins/ui-dashboard/web/js/validate.js';

const good = () => ({
  title: 'T',
  groups: [{ id: 'g', label: 'G', widgets: ['w', 'c'] }],
  widgets: {
    w: { type: 'numbers', series: [{ label: 'Load', metric: 'sys.load1' }] },
    c: { type: 'line_chart', lookback: '6h', interval: '1m', series: [{ metric: 'a' }, { metric: 'b' }] },
  },
});

test('a complete draft has no problems', () => {
  assert.deepEqual(validateDraft(good()), []);
});

test('problems name the widget, the series and the field', () => {
  const d = good();
  d.widgets.w.series.push({ label: 'x', metric: 'm', aggregate: 'median' });
  d.widgets.c.lookback = '1h30m';
  d.widgets.c.series[1].metric = 'a';
  d.groups[0].widgets.push('ghost');
  d.title = ' ';
  const p = validateDraft(d);
  assert.ok(p.some((e) => e.includes('widget "w": series 2 ("x")') && e.includes('"median"')), p.join('\n'));
  assert.ok(p.some((e) => e.includes('widget "c": has invalid lookback "1h30m"')));
  assert.ok(p.some((e) => e.includes('two series have the label "a"')));
  assert.ok(p.some((e) => e.includes('group "g": refers to widget "ghost"')));
  assert.ok(p.some((e) => e.includes('"title" is required')));
});

test('charts need lookback and interval; thresholds need a direction', () => {
  const d = good();
  delete d.widgets.c.interval;
  d.widgets.w.series[0].thresholds = { warning: 3 };
  const p = validateDraft(d);
  assert.ok(p.some((e) => e.includes('"interval" is required for line_chart')));
  assert.ok(p.some((e) => e.includes('thresholds.direction')));
});

test('ids are slugged and kept unique', () => {
  assert.equal(slugify('CPU Busy %'), 'cpu_busy');
  assert.equal(slugify('***'), 'widget');
  assert.equal(uniqueId('cpu', ['cpu', 'cpu_2']), 'cpu_3');
  assert.equal(uniqueId('mem', new Set(['cpu'])), 'mem');
});

test('colours follow the schema', () => {
  for (const c of ['#abc', '#abcd', '#a1b2c3', '#a1b2c3d4', 'teal']) assert.ok(isColor(c), c);
  for (const c of ['#ab', '#12345', 'red!', '']) assert.ok(!isColor(c), c);
});

test('cleanDraft drops empty strings and empty transform or threshold objects', () => {
  const d = cleanDraft({ title: 'T', widgets: { w: { series: [{ metric: 'm', label: '', transform: {}, thresholds: {} }] } } });
  assert.deepEqual(d.widgets.w.series[0], { metric: 'm' });
});

test('event logs take events, not series, and charts take markers; numbers take neither', () => {
  const d = good();
  d.groups[0].widgets.push('log');
  d.widgets.log = { type: 'event_log', lookback: '1d', events: { db: 'home', name: 'door.open', limit: 50 } };
  d.widgets.c.events = { show: false };
  assert.deepEqual(validateDraft(d), []);
  d.widgets.log = { type: 'event_log', interval: '1m', series: [{ metric: 'x' }],
    events: { db: '-x', name: '', limit: 5000, show: true, colour: 'red' } };
  d.widgets.w.events = {};
  assert.deepEqual(validateDraft(d), [
    'widget "w": field "events" is only used by line_chart, aggregate_band (markers) and event_log widgets',
    'widget "log" events: unknown field "colour" (allowed: db, name, limit, show)',
    'widget "log" events: field "db": invalid database name "-x"',
    'widget "log" events: field "name" "" must be an event name: 1 to 255 bytes without control characters',
    'widget "log" events: field "limit" must be a whole number from 1 to 1000',
    'widget "log" events: field "show" (markers shown at first) is only used by charts',
    'widget "log": event_log widgets list events, not series: remove "series" and set "events" (db, name, limit)',
    'widget "log": field "interval" is not used by event_log widgets',
  ]);
});

test('an imported dashboard names where its JSON breaks, or why it is no dashboard', () => {
  assert.match(parseDashboardJSON('{"title": "T",\n  "groups" []}').error,
      /^not JSON: line 2, column 12: /);
  assert.equal(parseDashboardJSON('  ').error, 'nothing to import: paste a dashboard JSON or choose a file');
  assert.equal(parseDashboardJSON('[1]').error,
      'not a dashboard: the JSON is an array, a dashboard is an object with title, groups and widgets');
  assert.equal(parseDashboardJSON('"x"').error,
      'not a dashboard: the JSON is a string, a dashboard is an object with title, groups and widgets');
  assert.deepEqual(parseDashboardJSON('{"title":"T"}').doc, { title: 'T' });
});

test('JSON breaks are found where they are, with what was expected', () => {
  assert.equal(jsonError('{"a": [1, 2,]}').message, 'expected a value, got character "]"');
  assert.equal(jsonError('{"a": [1, 2,]}').offset, 12);
  assert.equal(jsonError('{"a" 1}').message, 'expected \':\' after a key, got character "1"');
  assert.equal(jsonError('{"a": "x\ny"}').message, 'a control character inside a string (write \\n, \\t …)');
  assert.equal(jsonError('{"a": 1} x').message, 'text after the end of the JSON: character "x"');
  assert.equal(jsonError('{"a": tru}').message, 'unexpected character "t"');
  assert.equal(jsonError('{"a": "\\q"}').message, 'unknown escape \\q');
  assert.equal(jsonError('{"a": 1').message, "expected ',' or '}' after a value, got end of text");
  assert.equal(jsonError('{"a": [1, {"b": null}], "c": -1.5e3, "d": "\\u00e9"}'), null);
});
