// Series patterns of dashboard.json. Pure (no DOM), unit-tested with node --test.
//
// A series whose metric holds '*' stands for every metric of its database that matches, so one
// default dashboard fits every host: "net.*.rx_kbps" is net.eth0.rx_kbps on one box and
// net.wlan0.rx_kbps plus net.eth0.rx_kbps on another. Each match becomes a series of its own,
// labelled with the series label and what the '*' matched ("Received eth0").

export function isPattern(metric) {
  return String(metric ?? '').includes('*');
}

function patternRegExp(metric) {
  const parts = metric.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('(.*?)')}$`);
}

// The names matching `metric` ('*' matches any run of characters, the rest literally), sorted,
// each with the text its '*'s matched: [{name, matched: "eth0"}].
export function matchPattern(metric, names) {
  const re = patternRegExp(metric);
  const out = [];
  for (const name of names) {
    const m = re.exec(name);
    if (m) out.push({ name, matched: m.slice(1).join(' ') });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// Replaces each pattern series of `list` by one series per matching metric; `namesOf(series)`
// gives the metric names of the series' database. Plain series are kept as they are.
export function expandSeries(list, namesOf, metricOf = (s) => s.metric) {
  const out = [];
  for (const s of list) {
    const metric = metricOf(s);
    if (!isPattern(metric)) {
      out.push(s);
      continue;
    }
    for (const { name, matched } of matchPattern(metric, namesOf(s))) {
      const label = s.label ? `${s.label} ${matched}` : name;
      out.push({ ...s, metric: name, query: undefined, label, pattern: metric });
    }
  }
  return out;
}
