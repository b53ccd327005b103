// Number, unit, duration and threshold formatting shared by every page. Pure functions (no DOM),
// unit-tested with node --test.

// Units that scale automatically; any other unit text is appended verbatim (" GHz", " rpm").
//   bytes | B    1536 → "1.5 KiB" (IEC steps of 1024)
//   B/s          1536 → "1.5 KiB/s" (IEC steps of 1024)
//   bit/s        1500000 → "1.5 Mbit/s" (SI steps of 1000)
//   Hz           1500000000 → "1.5 GHz" (SI steps of 1000)
//   count        12500 → "12.5k" (k, M, G, T)
//   s | ms | ns  a duration: 0.25 s → "250 ms", 5400 s → "1h 30m"
//   %            "42.5%"
//   °C           "48.3 °C"
export const AUTO_UNITS = ['bytes', 'B', 'B/s', 'bit/s', 'Hz', 'count', 's', 'ms', 'ns', '%', '°C'];

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const SI = ['', 'k', 'M', 'G', 'T', 'P'];

// Units shown as a number and one of a ladder of prefixed names.
const LADDERS = {
  bytes: { base: 1024, names: IEC.map((n) => ' ' + n) },
  'B/s': { base: 1024, names: IEC.map((n) => ` ${n}/s`) },
  'bit/s': { base: 1000, names: SI.map((p) => ` ${p}bit/s`) },
  Hz: { base: 1000, names: SI.map((p) => ` ${p}Hz`) },
  count: { base: 1000, names: SI },
};

// The canonical name of a unit ("B" is "bytes"; blanks around a known unit do not count).
export function unitKey(unit = '') {
  const u = String(unit ?? '');
  const t = u.trim();
  if (t === 'B' || t === 'bytes') return 'bytes';
  if (AUTO_UNITS.includes(t)) return t;
  return u;
}

// Fixed decimals with trailing zeros trimmed, never in exponent notation: 2.50 → "2.5".
export function trimDecimals(value, decimals = 1) {
  if (!Number.isFinite(value)) return String(value);
  const d = Math.max(0, Math.min(10, decimals | 0));
  let text = Math.abs(value) >= 1e21 ? value.toLocaleString('en-US', { useGrouping: false })
                                     : value.toFixed(d);
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return text === '-0' ? '0' : text;
}

// Seconds as "13d 3h 53m", "5m 10s", "42s" (at most three parts, largest first).
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return String(seconds);
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  if (s < 1) return sign + trimDecimals(s * 1000, 0) + 'ms';
  s = Math.floor(s);
  const parts = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]]) {
    if (s >= size || (unit === 's' && parts.length === 0)) {
      parts.push(Math.floor(s / size) + unit);
      s %= size;
    }
  }
  return sign + parts.slice(0, 3).join(' ');
}

function scaleSteps(value, base, names, decimals) {
  let v = value;
  let i = 0;
  while (Math.abs(v) >= base && i < names.length - 1) {
    v /= base;
    i++;
  }
  return { text: trimDecimals(v, i === 0 && Number.isInteger(v) ? 0 : decimals), unit: names[i] };
}

// {text, unit} for a value in `unit`, scaled when the unit is one of AUTO_UNITS.
export function scaleValue(value, unit = '', decimals = 1) {
  if (!Number.isFinite(value)) return { text: String(value), unit: '' };
  const key = unitKey(unit);
  if (LADDERS[key]) return scaleSteps(value, LADDERS[key].base, LADDERS[key].names, decimals);
  switch (key) {
    case 'ns':
      return scaleValue(value / 1e9, 's', decimals);
    case 'ms':
      if (Math.abs(value) < 1000) return { text: trimDecimals(value, decimals), unit: ' ms' };
      return scaleValue(value / 1000, 's', decimals);
    case 's':
      if (Math.abs(value) < 1) return { text: trimDecimals(value * 1000, decimals), unit: ' ms' };
      if (Math.abs(value) < 60) return { text: trimDecimals(value, decimals), unit: ' s' };
      return { text: formatDuration(value), unit: '' };
    case '°C':
      return { text: trimDecimals(value, decimals), unit: ' °C' };
    default:
      return { text: trimDecimals(value, decimals), unit: key || '' };
  }
}

// The decimals that write every multiple of `step` exactly: 0.25 → 2, 20 → 0.
function stepDecimals(step) {
  for (let d = 0; d < 10; d++) {
    const x = step * 10 ** d;
    if (Math.abs(x - Math.round(x)) < 1e-6 * Math.max(1, x)) return d;
  }
  return 10;
}

// The smallest 1, 2, 2.5 or 5 × 10^k step that cuts [lo, hi] (widened to whole steps) into at
// most `most` intervals: the tightest round range around the data.
function niceDecimalStep(lo, hi, most) {
  const span = hi - lo;
  if (!(span > 0)) return 1;
  let p = 10 ** Math.floor(Math.log10(span / most));
  for (let guard = 0; guard < 8; guard++, p *= 10) {
    for (const m of [1, 2, 2.5, 5]) {
      const s = m * p;
      if (Math.ceil(hi / s - 1e-9) - Math.floor(lo / s + 1e-9) <= most) return s;
    }
  }
  return p;
}

// Steps for durations, in seconds: round in the unit they are read in (ms, s, min, h, d).
const DURATION_STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10,
  15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 432000,
  604800, 1209600, 2592000];

const DURATION_SECONDS = { s: 1, ms: 1e-3, ns: 1e-9 };

// A value axis in the unit its labels are read in: nice steps of the displayed unit (100 MiB,
// not 95.37 MiB), one prefix for every label, the range widened to whole steps.
//   axisScale(0, 1.07e9, 'bytes', 4) → {min: 0, max: 1073741824, ticks: [0, 268435456, …],
//     labels: ['0 MiB', '256 MiB', …]} (ticks in raw units, labels in the display unit)
// `format(v, decimals)` writes a value in the axis's display unit, so a tooltip at a height
// reads the same unit as the axis beside it.
export function axisScale(dataMin, dataMax, unit = '', count = 4) {
  let lo = Number.isFinite(dataMin) ? dataMin : 0;
  let hi = Number.isFinite(dataMax) ? dataMax : lo + 1;
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
    if (dataMin >= 0 && lo < 0) lo = 0;
  }
  const key = unitKey(unit);
  const n = Math.max(1, count);
  let div = 1;
  let suffix = key === '°C' ? ' °C' : key;
  let step;
  let label;
  let format;
  if (DURATION_SECONDS[key]) {
    const f = DURATION_SECONDS[key];
    const rough = (hi - lo) * f / n;
    const sStep = DURATION_STEPS.find((x) => x >= rough * (1 - 1e-9)) ??
        Math.ceil(rough / 86400) * 86400;
    step = sStep / f;
    const top = Math.max(Math.abs(lo), Math.abs(hi)) * f;
    if (top < 1) {
      const d = stepDecimals(sStep * 1000);
      label = (v) => `${trimDecimals(v * f * 1000, d)} ms`;
      format = (v, dec) => `${trimDecimals(v * f * 1000, dec)} ms`;
    } else if (top < 120) {
      const d = stepDecimals(sStep);
      label = (v) => `${trimDecimals(v * f, d)} s`;
      format = (v, dec) => `${trimDecimals(v * f, dec)} s`;
    } else {
      label = (v) => (v === 0 ? '0' : formatDuration(v * f));
      format = (v) => formatDuration(v * f);
    }
  } else {
    const ladder = LADDERS[key];
    if (ladder) {
      const top = Math.max(Math.abs(lo), Math.abs(hi));
      let i = 0;
      while (i < ladder.names.length - 1 && top >= ladder.base ** (i + 1)) i++;
      div = ladder.base ** i;
      suffix = ladder.names[i];
    }
    step = niceDecimalStep(lo / div, hi / div, n + 2) * div;
    const d = stepDecimals(step / div);
    const zero = ladder ? ladder.names[0] : suffix;
    label = (v) => (v === 0 ? '0' + zero : trimDecimals(v / div, d) + suffix);
    format = (v, dec) => trimDecimals(v / div, dec) + suffix;
  }
  const min = Math.floor(lo / step + 1e-9) * step;
  const max = Math.ceil(hi / step - 1e-9) * step;
  const ticks = [];
  for (let k = 0; min + k * step <= max + step * 1e-9 && k < 100; k++) {
    ticks.push(Math.abs(min + k * step) < step * 1e-9 ? 0 : min + k * step);
  }
  return { min, max, step, ticks, labels: ticks.map(label), label, format };
}

// value × factor + offset.
export function applyTransform(raw, transform = {}) {
  const factor = transform.factor ?? 1;
  const offset = transform.offset ?? 0;
  return raw * factor + offset;
}

// The text a card shows for a raw stored value under a series transform.
export function formatSeriesValue(raw, transform = {}) {
  if (raw === null || raw === undefined || Number.isNaN(raw)) return '—';
  const value = applyTransform(raw, transform);
  const decimals = transform.decimals ?? 1;
  const scaled = scaleValue(value, transform.unit || '', decimals);
  const valueText = scaled.text + scaled.unit;
  if (transform.format) {
    return transform.format.replaceAll('{duration}', formatDuration(value))
                           .replaceAll('{value}', valueText);
  }
  return valueText;
}

// "normal" | "warning" | "critical" for a transformed value. above: ≥ limit; below: ≤ limit.
export function severity(value, thresholds) {
  if (!thresholds || value === null || value === undefined || Number.isNaN(value)) return 'normal';
  const { direction, warning, critical } = thresholds;
  const past = (limit) => limit !== undefined && limit !== null &&
      (direction === 'below' ? value <= limit : direction === 'above' ? value >= limit : false);
  if (past(critical)) return 'critical';
  if (past(warning)) return 'warning';
  return 'normal';
}

// Dashboard durations ("90s", "6h", "7d", "2w") in seconds; NaN when not one.
export function parseDuration(text) {
  const m = /^(\d+)([smhdw])$/i.exec(String(text ?? '').trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  const mult = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2].toLowerCase()];
  return n > 0 ? n * mult : NaN;
}

// The shortest dashboard duration text for whole seconds: 3600 → "1h", 90 → "90s".
export function durationText(seconds) {
  for (const [u, size] of [['w', 604800], ['d', 86400], ['h', 3600], ['m', 60]]) {
    if (seconds >= size && seconds % size === 0) return seconds / size + u;
  }
  return Math.max(1, Math.round(seconds)) + 's';
}

const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
  43200, 86400, 172800, 604800];

// A round step (seconds) giving at most `maxPoints` buckets over rangeSeconds, never below
// minStep.
export function niceStep(rangeSeconds, maxPoints = 720, minStep = 1) {
  const want = Math.max(minStep, rangeSeconds / maxPoints);
  return NICE_STEPS.find((s) => s >= want) ?? Math.ceil(want / 86400) * 86400;
}

// Local clock time "10:51:27" of Unix seconds.
export function clockTime(unixSeconds) {
  const d = new Date(unixSeconds * 1000);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// Local date and time with seconds, for tooltips and tables.
export function dateTime(unixSeconds) {
  if (!unixSeconds) return '—';
  const d = new Date(unixSeconds * 1000);
  return d.toLocaleString([], { year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
