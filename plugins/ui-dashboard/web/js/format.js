// Number, unit, duration and threshold formatting shared by every page. Pure functions (no DOM),
// unit-tested with node --test.

// Units that scale automatically; any other unit text is appended verbatim (" °C", " GHz").
//   bytes | B    1536 → "1.5 KiB" (IEC steps of 1024)
//   count        12500 → "12.5k" (k, M, G, T)
//   s | ms | ns  a duration: 0.25 s → "250 ms", 5400 s → "1h 30m"
//   %            "42.5%"
export const AUTO_UNITS = ['bytes', 'B', 'count', 's', 'ms', 'ns', '%'];

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const SI = ['', 'k', 'M', 'G', 'T', 'P'];

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
  switch (unit) {
    case 'bytes':
    case 'B': {
      const r = scaleSteps(value, 1024, IEC, decimals);
      return { text: r.text, unit: ' ' + r.unit };
    }
    case 'count': {
      const r = scaleSteps(value, 1000, SI, decimals);
      return { text: r.text, unit: r.unit };
    }
    case 'ns':
      return scaleValue(value / 1e9, 's', decimals);
    case 'ms':
      if (Math.abs(value) < 1000) return { text: trimDecimals(value, decimals), unit: ' ms' };
      return scaleValue(value / 1000, 's', decimals);
    case 's':
      if (Math.abs(value) < 1) return { text: trimDecimals(value * 1000, decimals), unit: ' ms' };
      if (Math.abs(value) < 60) return { text: trimDecimals(value, decimals), unit: ' s' };
      return { text: formatDuration(value), unit: '' };
    default:
      return { text: trimDecimals(value, decimals), unit: unit || '' };
  }
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
