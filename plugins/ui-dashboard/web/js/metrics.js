// What Explore knows about a metric from its name alone: the unit its values are in (so each
// unit gets its own axis) and whether it is a counter (charted as a rate). Pure (no DOM),
// unit-tested with node --test.
//
// The names follow drip's probes (docs/drip.md) and common Prometheus suffixes:
//   *_bytes, *.bytes_*           bytes            *_kbps       KiB/s → B/s (× 1024)
//   *_bytes_per_s(econd)         B/s              *_bits_per_s bit/s
//   *_pct, *_percent, *_ratio    % (ratio × 100)  *_mdeg       m°C → °C (× 0.001)
//   *_celsius, *°C*              °C               *_khz        kHz → Hz (× 1000)
//   *_hz                         Hz               *_ms         ms
//   *_seconds, *_sec             s                mem.*        drip's kB → bytes (× 1024)
//   counters: *_total, *_count, net.<if>.rx_/tx_ bytes|packets|errors|drop, disk.<dev>.reads…,
//   cpu.<state> jiffies, io.* paging counters.

const COUNTER = [/_total$/, /_count$/, /^net\.[^.]+\.(rx|tx)_(bytes|packets|errors|drop)$/,
  /^disk\.[^.]+\.(reads|reads_merged|read_sectors|read_ms|writes|writes_merged|write_sectors|write_ms|io_ms|io_weighted_ms)$/,
  /^cpu\.(user|nice|system|idle|iowait|irq|softirq|steal)$/, /^io\.(pgpgin|pgpgout|pswpin|pswpout)$/];

// The metric part of a series key: 'power_watts{circuit="oven"}' → 'power_watts'.
function bare(name) {
  const i = name.indexOf('{');
  return i < 0 ? name : name.slice(0, i);
}

// {unit, factor, counter} for a metric name; unit '' when the name says nothing.
export function guessUnit(name) {
  const n = bare(String(name ?? ''));
  const counter = COUNTER.some((re) => re.test(n));
  const is = (re) => re.test(n);
  let unit = '';
  let factor = 1;
  if (is(/^mem\.(total|free|available|buffers|cached|swapcached|swapfree|swaptotal)$/)) {
    unit = 'bytes';
    factor = 1024;
  } else if (is(/_kbps$/)) {
    unit = 'B/s';
    factor = 1024;
  } else if (is(/_bytes_per_s(ec(ond)?)?$/)) unit = 'B/s';
  else if (is(/_bits_per_s(ec(ond)?)?$/)) unit = 'bit/s';
  else if (is(/(_|\.)bytes$|\.bytes_|_bytes_/)) unit = 'bytes';
  else if (is(/_(pct|percent)$/)) unit = '%';
  else if (is(/_ratio$/)) {
    unit = '%';
    factor = 100;
  } else if (is(/_mdeg$/)) {
    unit = '°C';
    factor = 0.001;
  } else if (is(/_celsius$|°C/)) unit = '°C';
  else if (is(/_khz$/)) {
    unit = 'Hz';
    factor = 1000;
  } else if (is(/_hz$/)) unit = 'Hz';
  else if (is(/_ms$/)) unit = 'ms';
  else if (is(/_(seconds|sec)$/)) unit = 's';
  return { unit, factor, counter };
}

// The unit of a counter's rate: bytes → B/s, bits → bit/s, s → s per second (%), else "<unit>/s".
export function rateUnit(unit) {
  if (unit === 'bytes' || unit === 'B') return 'B/s';
  if (unit === '') return ' /s';
  return `${unit.startsWith(' ') ? '' : ' '}${unit}/s`;
}

// Per-second increase of a counter sampled at times t (s) with values v: one point per sample
// after the first, at that sample's time. A drop (the counter restarted) counts from zero.
export function counterRate(t, v) {
  const out = { t: [], v: [] };
  for (let i = 1; i < t.length; i++) {
    const dt = t[i] - t[i - 1];
    if (!(dt > 0) || v[i] === null || v[i - 1] === null) continue;
    const inc = v[i] >= v[i - 1] ? v[i] - v[i - 1] : v[i];
    out.t.push(t[i]);
    out.v.push(inc / dt);
  }
  return out;
}
