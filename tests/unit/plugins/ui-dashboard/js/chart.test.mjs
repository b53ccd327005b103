// node --test: the chart's touch gestures (plugins/ui-dashboard/web/js/chart.js).
import assert from 'node:assert/strict';
import test from 'node:test';

import { pinchRange } from '../../../../../plugins/ui-dashboard/web/js/chart.js';

test('a pinch scales the span by the fingers\' spread and keeps the time under their midpoint', () => {
  const scale = { min: 0, max: 1000 };
  // Fingers 100 px apart around x = 200 spread to 200 px apart: half the span, 200 stays 200.
  assert.deepEqual(pinchRange(scale, 1000, [150, 250], [100, 300]), { min: 100, max: 600 });
  // Pinching in doubles it.
  assert.deepEqual(pinchRange(scale, 1000, [400, 600], [450, 550]), { min: -500, max: 1500 });
  // A two-finger drag 100 px to the right shows 100 px worth of earlier time.
  assert.deepEqual(pinchRange(scale, 1000, [400, 600], [500, 700]), { min: -100, max: 900 });
  // Never shorter than the least span.
  const tight = pinchRange(scale, 1000, [499, 501], [0, 1000], 10);
  assert.equal(tight.max - tight.min, 10);
});
