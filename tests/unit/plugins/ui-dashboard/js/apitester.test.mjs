// node --test: the API tester's request URLs and answer formatting
// (plugins/ui-dashboard/web/js/apitester.js).
import assert from 'node:assert/strict';
import test from 'node:test';

import { ENDPOINTS, prettyBody, requestUrl, sizeText } from '../../../../../plugins/ui-dashboard/web/js/apitester.js';

const ep = (id) => ENDPOINTS.find((e) => e.id === id);

test('a request URL carries the filled parameters in order, encoded', () => {
  assert.equal(requestUrl(ep('query_range'), { query: 'rate(lab/x{a="b c"}[5m])', start: '-1h', step: '60', db: '' }),
      '/api/v1/query_range?query=rate%28lab%2Fx%7Ba%3D%22b+c%22%7D%5B5m%5D%29&start=-1h&step=60');
  assert.equal(requestUrl(ep('health'), {}), '/health');
  assert.equal(requestUrl(ep('series'), { 'match[]': '{db="metrics"}' }), '/api/v1/series?match%5B%5D=%7Bdb%3D%22metrics%22%7D');
});

test('every endpoint has a method, a path under the server and unique id; POSTs name their body type', () => {
  const ids = new Set();
  for (const e of ENDPOINTS) {
    assert.ok(['GET', 'POST'].includes(e.method), e.id);
    assert.match(e.path, /^\/(api\/|health$)/, e.id);
    assert.ok(!ids.has(e.id), `${e.id} twice`);
    ids.add(e.id);
    if (e.method === 'POST') assert.ok(e.type, `${e.id} has no content type`);
  }
  // The example event body is one valid event.
  assert.equal(JSON.parse(ep('events_post').body).name, 'deploy');
});

test('answers read indented when they are JSON, as sent otherwise', () => {
  assert.equal(prettyBody('{"a":[1,{"b":null}]}', 'application/json'), '{\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ]\n}');
  assert.equal(prettyBody('OK\n', 'text/plain'), 'OK\n');
  assert.equal(prettyBody('{not json', 'application/json'), '{not json');
  assert.equal(sizeText(512), '512 B');
  assert.equal(sizeText(1536), '1.5 KiB');
});
