// PromQL in Explore: telling an expression from a metric name typed in the search box, the
// position a parse error names, a label for each series of an answer, and the unit of an
// expression's values. Pure functions, tested with node.
import { guessUnit, rateUnit } from './metrics.js';

// Metric names here hold '.', '/', '-' and even '{…}' (a series key is also a selector), so
// only what a name cannot hold makes text an expression: brackets, a binary operator between
// blanks, a regex or negative matcher, PromQL keywords, or a leading '{'.
export function looksLikePromQL(text) {
  const t = String(text ?? '').trim();
  if (!t) return false;
  if (/[()[\]]/.test(t)) return true;
  if (/^\{/.test(t) || /[=!]~|!=/.test(t)) return true;
  if (/\s(?:[-+*/%^]|==|!=|>=|<=|>|<)\s/.test(t)) return true;
  return /\s(?:by|without|and|or|unless|offset|on|ignoring|group_left|group_right|bool)\b/.test(t);
}

// "invalid parameter "query": 1:14: parse error: …" → {line: 1, col: 14}; null when the message
// names no position.
export function errorPosition(message) {
  const m = /(?:^|[\s"])(\d+):(\d+): parse error/.exec(String(message ?? ''));
  return m ? { line: Number(m[1]), col: Number(m[2]) } : null;
}

// A series of an answer as one line: `name{label="v", …}`, the database in front when it is
// not the one chosen (`lab/power_watts{…}`); a series without name or labels (a function of one
// series, a scalar) is `fallback` (the expression), or `{}`.
export function resultLabel(metric, db, fallback = '{}') {
  const { __name__: name = '', db: sdb, ...rest } = metric ?? {};
  const labels = Object.keys(rest).sort().map((k) => `${k}=${JSON.stringify(rest[k])}`);
  const prefix = sdb && sdb !== db && name ? `${sdb}/` : '';
  const body = labels.length ? `{${labels.join(', ')}}` : '';
  return `${prefix}${name}${body}` || (sdb && sdb !== db ? `{db="${sdb}"}` : fallback);
}

const RATE_FUNCTIONS = new Set(['rate', 'irate', 'deriv']);
// Functions whose values are counts or times, not the unit of what they read.
const UNITLESS = new Set(['count', 'count_over_time', 'changes', 'resets', 'absent',
  'absent_over_time', 'timestamp', 'count_values', 'present_over_time', 'sgn']);
const KEYWORDS = new Set(['by', 'without', 'and', 'or', 'unless', 'offset', 'on', 'ignoring',
  'group_left', 'group_right', 'bool', 'inf', 'nan']);

// {unit, factor} of an expression's values, from its metric name (guessUnit: drip's kB read as
// bytes, m°C as °C): per second inside rate(), irate() or deriv(). An expression of several
// names or with arithmetic between blanks, or a count, has no unit ({'', 1}).
export function exprUnit(expr) {
  const none = { unit: '', factor: 1 };
  // Label values may hold anything, and grouping clauses list label names: blank them first.
  const text = String(expr ?? '').replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
      .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  if (/\s(?:[-+*/%^]|==|!=|>=|<=|>|<|and|or|unless)\s/.test(text)) return none;
  const word = /([A-Za-z_:][A-Za-z0-9_:./-]*)/g;
  const names = [];
  const functions = [];
  let m;
  while ((m = word.exec(text))) {
    const name = m[1];
    const before = text.slice(0, m.index);
    const inBraces = (before.match(/\{/g) ?? []).length > (before.match(/\}/g) ?? []).length;
    const inRange = (before.match(/\[/g) ?? []).length > (before.match(/\]/g) ?? []).length;
    if (inBraces || inRange || KEYWORDS.has(name.toLowerCase())) continue;
    if (text.slice(m.index + name.length).trimStart().startsWith('(')) functions.push(name);
    else if (!/^\d/.test(name)) names.push({ name, fn: functions.at(-1) });
  }
  if (names.length !== 1 || functions.some((f) => UNITLESS.has(f))) return none;
  const { name, fn } = names[0];
  // "db/metric": the unit is the metric's.
  const g = guessUnit(name.includes('/') ? name.slice(name.indexOf('/') + 1) : name);
  return { unit: fn && RATE_FUNCTIONS.has(fn) ? rateUnit(g.unit) : g.unit, factor: g.factor };
}
