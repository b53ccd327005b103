// Metric search of Explore: which names match what was typed, best first. Pure (no DOM),
// unit-tested with node --test.
//
// Every word typed must occur in the name (case-insensitive). Names are ranked: the name
// itself, then names starting with the first word, then names where the first word starts a
// part (after ".", "_", "-", "{", "\"" or "="), then the rest; within a rank shorter names
// first, then alphabetically. Enter adds the first.

const BOUNDARY = /[._\-{"=,/ ]/;

function rank(name, lower, first, query) {
  if (lower === query) return 0;
  if (lower.startsWith(first)) return 1;
  for (let i = lower.indexOf(first); i > 0; i = lower.indexOf(first, i + 1)) {
    if (BOUNDARY.test(lower[i - 1])) return 2;
  }
  return 3;
}

export function searchMetrics(names, typed, exclude = []) {
  const query = String(typed ?? '').trim().toLowerCase();
  const words = query.split(/\s+/).filter(Boolean);
  const skip = new Set(exclude);
  if (!words.length) return names.filter((n) => !skip.has(n));
  const out = [];
  for (const name of names) {
    if (skip.has(name)) continue;
    const lower = name.toLowerCase();
    if (!words.every((w) => lower.includes(w))) continue;
    out.push({ name, r: rank(name, lower, words[0], query) });
  }
  out.sort((a, b) => a.r - b.r || a.name.length - b.name.length ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out.map((m) => m.name);
}
