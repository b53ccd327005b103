// nanocli query: latest values, raw samples or bucketed aggregates of the metrics of one
// database whose names match an RE2 regex. Reads through a read-only engine; aggregates read
// rollups where they answer exactly (the rollup plugin's RollupReader, docs/rollups.md).

#include <algorithm>
#include <charconv>
#include <iostream>
#include <map>

#include "commands.h"
#include "nanotdb/query.h"
#include "nanotdb/time_util.h"
#include "output.h"
#include "rollup_reader.h"
#include "server/core_services.h"

namespace nanotdb::cli {
namespace {

struct Row {
  std::string_view metric;
  ValueType type = ValueType::kFloat64;
  Timestamp ts = 0;  // raw/latest: the sample; aggregate: the bucket's stamp, its start
  Value value;       // raw/latest
  // aggregate rows only
  const char* aggregate = nullptr;
  Timestamp end = 0;
  double agg_value = 0;
};

std::string ShortestDouble(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

const char* TimeUnitName(TimeUnit u) {
  switch (u) {
    case TimeUnit::kNanoseconds:
      return "ns";
    case TimeUnit::kMicroseconds:
      return "us";
    case TimeUnit::kMilliseconds:
      return "ms";
    case TimeUnit::kSeconds:
      return "s";
  }
  return "ns";
}

}  // namespace

const CommandSpec& QuerySpec() {
  static const CommandSpec spec{
      "query",
      "query --root DIR --db NAME [--metric REGEX | --series KEY] [--start T] [--end T]\n"
      "                     [--aggregate LIST --window DURATION] [--format table|json]\n"
      "                     [--timestamp-unit ns|us|ms|s] [--rollup auto|off]",
      "Query series of a database by key (REGEX, RE2, unanchored) or one series by KEY.",
      "REGEX matches series keys; KEY is one series key in any spelling, e.g.\n"
      "'cpu{mode=\"idle\",core=\"0\"}' (labels in any order).\n"
      "Without --start/--end: the latest value of each metric. With either: every sample\n"
      "in [start, end] (a missing bound is open). With --aggregate min,max,sum,avg,count,\n"
      "first,last,median,p95,p99,trimmed_avg and --window 5m: one row per aggregate and\n"
      "non-empty window; windows are aligned to the Unix epoch and stamped with their start\n"
      "(the first and last are clipped to the range). Where the metric is rolled up and\n"
      "the window is a multiple of a rollup's interval, whole rolled-up periods are read\n"
      "from the rollup (same answer; listed after the rows); --rollup off reads raw only.\n"
      "Times: now, -20s, -1d, 2m (ago), 2026-05-24[ 12:00:00], 2026-05-24T12:00:00Z, or a\n"
      "number in --timestamp-unit (decimals allowed). Safe while a server runs.",
      {{"root", "DIR", "data root (required)"},
       {"db", "NAME", "database (required)"},
       {"metric", "REGEX", "series keys to query (default .*)"},
       {"series", "KEY", "one series by its key (labels in any order)"},
       {"start", "T", "range start, inclusive"},
       {"end", "T", "range end, inclusive"},
       {"aggregate", "LIST", "comma-separated aggregates (needs --window)"},
       {"window", "DURATION", "aggregate window, e.g. 30s, 5m, 1h"},
       {"format", "FORMAT", "table (default) or json"},
       {"json", "", "same as --format json"},
       {"timestamp-unit", "UNIT", "unit of bare numbers in --start/--end (default ns)"},
       {"rollup", "MODE", "auto (default): aggregates read rollups where exact; off: raw only"}}};
  return spec;
}

int RunQuery(std::span<const std::string> args) {
  const CommandSpec& spec = QuerySpec();
  Flags flags;
  if (std::optional<int> code = ParseFlags(spec, args, &flags)) return *code;
  Result<std::string> root = RequireRoot(flags);
  if (!root.ok()) return UsageError(spec, root.status().message());
  Result<std::string> db = RequireDatabase(flags);
  if (!db.ok()) return UsageError(spec, db.status().message());
  std::string format = flags.GetBool("json") ? "json" : flags.Get("format", "table");
  if (format != "table" && format != "json") {
    return UsageError(spec, "--format must be table or json, got \"" + format + "\"");
  }
  TimeUnit unit = TimeUnit::kNanoseconds;
  if (flags.Has("timestamp-unit") && !ParseTimeUnit(flags.Get("timestamp-unit"), &unit)) {
    return UsageError(spec, "--timestamp-unit must be ns, us, ms or s, got \"" +
                                flags.Get("timestamp-unit") + "\"");
  }
  Timestamp now = NowNanos();
  Timestamp from = kMinTimestamp, to = kMaxTimestamp;
  for (auto [name, bound] : {std::pair{"start", &from}, std::pair{"end", &to}}) {
    if (!flags.Has(name)) continue;
    Result<Timestamp> t = ParseTimeArg(flags.Get(name), now, unit);
    if (!t.ok()) return UsageError(spec, "--" + std::string(name) + ": " + t.status().message());
    *bound = *t;
  }
  if (to < from) return UsageError(spec, "--end must be >= --start");
  std::vector<Aggregate> aggs;
  int64_t window = 0;
  if (flags.Has("aggregate") != flags.Has("window")) {
    return UsageError(spec, "--aggregate and --window go together");
  }
  if (flags.Has("aggregate")) {
    if (Status st = ParseAggregateList(flags.Get("aggregate"), &aggs); !st.ok()) {
      return UsageError(spec, "--aggregate: " + st.message());
    }
    Result<int64_t> w = ParseDuration(flags.Get("window"));
    if (!w.ok()) return UsageError(spec, "--window: " + w.status().message());
    if (*w <= 0) return UsageError(spec, "--window must be longer than 0s");
    window = *w;
  }
  const std::string rollup_mode = flags.Get("rollup", "auto");
  if (rollup_mode != "auto" && rollup_mode != "off") {
    return UsageError(spec, "--rollup must be auto or off, got \"" + rollup_mode + "\"");
  }
  const bool latest = !flags.Has("start") && !flags.Has("end") && aggs.empty();
  const std::string regex = flags.Get("metric", ".*");
  if (flags.Has("metric") && flags.Has("series")) {
    return UsageError(spec, "--metric and --series exclude each other");
  }

  Stopwatch watch;
  Result<std::unique_ptr<Engine>> opened = OpenEngine(*root, {.read_only = true});
  if (!opened.ok()) return Fail(opened.status());
  Engine& engine = **opened;
  if (Status st = CheckDatabaseExists(engine, *db); !st.ok()) return Fail(st);
  Result<std::vector<std::string>> names = std::vector<std::string>{};
  if (flags.Has("series")) {
    // Any spelling of a key finds the stored (canonical) series.
    Result<MetricInfo> one = engine.GetMetric(*db, flags.Get("series"));
    if (!one.ok()) return Fail(one.status());
    names->push_back(one->name);
  } else {
    names = SelectMetrics(engine, *db, regex, SelectorKind::kRegex);
  }
  if (!names.ok()) {
    if (names.status().IsInvalidArgument()) {
      return UsageError(spec, "--metric: " + names.status().message());
    }
    return Fail(names.status());
  }
  Result<std::vector<MetricInfo>> infos = engine.ListMetrics(*db);
  if (!infos.ok()) return Fail(infos.status());
  std::map<std::string, const MetricInfo*, std::less<>> by_name;
  for (const MetricInfo& m : *infos) by_name[m.name] = &m;

  server::CoreCounters counters;
  server::EngineQuery query_service(engine, counters);
  server::EngineDatabases databases(engine, engine.options().manifest_defaults);
  rollup::RollupReader rollups(query_service, databases);
  std::vector<std::pair<std::string, RollupReadInfo>> rollup_uses;  // per metric

  std::vector<Row> rows;
  for (const std::string& name : *names) {
    auto it = by_name.find(name);
    if (it == by_name.end()) continue;
    const MetricInfo& info = *it->second;
    if (latest) {
      if (info.last) {
        rows.push_back({info.name, info.type, info.last->ts, Value{info.type, info.last->bits}});
      }
    } else if (aggs.empty()) {
      Status st = engine.ReadRange(*db, info.name, from, to, 1, [&](const Sample& s) {
        rows.push_back({info.name, info.type, s.ts, Value{info.type, s.bits}});
        return true;
      });
      if (!st.ok()) return Fail(st.WithContext("reading " + *db + "/" + info.name));
    } else {
      std::vector<Bucket> buckets;
      RollupReadInfo used;
      Status st = Status::Ok();
      if (rollup_mode == "auto") {
        st = rollups.AggregateRange(*db, info.name, from, to, window, aggs, &buckets, nullptr,
                                    &used);
      }
      if (st.ok() && !used.used) {
        st = AggregateRange(engine, *db, info.name, from, to, window, aggs, &buckets);
      }
      if (!st.ok()) return Fail(st.WithContext("aggregating " + *db + "/" + info.name));
      if (used.used) rollup_uses.emplace_back(info.name, std::move(used));
      for (size_t a = 0; a < aggs.size(); ++a) {
        for (const Bucket& b : buckets) {
          Row r{info.name, info.type, b.start, Value{}};
          r.aggregate = AggregateName(aggs[a]);
          r.end = b.end;
          r.agg_value = b.values[a];
          rows.push_back(r);
        }
      }
    }
  }
  double ms = watch.Ms();

  if (format == "json") {
    JsonWriter j;
    j.BeginObject().Key("root_dir").String(*root).Key("database").String(*db);
    j.Key("metric_regex").String(regex);
    j.Key("mode").String(latest ? "latest" : aggs.empty() ? "raw" : "aggregate");
    if (flags.Has("start")) j.Key("start_ns").Int(from);
    if (flags.Has("end")) j.Key("end_ns").Int(to);
    if (!aggs.empty()) j.Key("window").String(FormatDuration(window));
    j.Key("timestamp_unit").String(TimeUnitName(unit)).Key("output_format").String(format);
    j.Key("rows").BeginArray();
    for (const Row& r : rows) {
      j.BeginObject().Key("metric").String(r.metric);
      if (r.aggregate) {
        j.Key("aggregate").String(r.aggregate).Key("window").String(FormatDuration(window));
        j.Key("start_ns").Int(r.ts).Key("start_utc").String(FormatTimestamp(r.ts));
        j.Key("end_ns").Int(r.end).Key("end_utc").String(FormatTimestamp(r.end));
      }
      j.Key("timestamp_ns").Int(r.ts).Key("timestamp_utc").String(FormatTimestamp(r.ts));
      if (r.aggregate) {
        j.Key("value_type").String("float64").Key("value").Double(r.agg_value);
      } else {
        j.Key("value_type").String(ValueTypeName(r.type)).Key("value").SampleValue(r.value);
      }
      j.EndObject();
    }
    j.EndArray();
    if (!aggs.empty()) {
      j.Key("rollups").BeginArray();
      for (const auto& [metric, used] : rollup_uses) {
        j.BeginObject().Key("metric").String(metric).Key("levels").BeginArray();
        for (const RollupLevelUse& l : used.levels) {
          j.BeginObject().Key("db").String(l.db).Key("series").BeginArray();
          for (const std::string& k : l.series) j.String(k);
          j.EndArray().Key("interval").String(FormatDuration(l.interval));
          j.Key("start_ns").Int(l.from).Key("end_ns").Int(l.to).EndObject();
        }
        j.EndArray().Key("raw_tail_start_ns");
        if (used.raw_tail_from == kMaxTimestamp) {
          j.Null();
        } else {
          j.Int(used.raw_tail_from);
        }
        j.EndObject();
      }
      j.EndArray();
    }
    j.Key("row_count").Uint(rows.size()).Key("duration_ms").Double(ms);
    std::cout << j.EndObject().Finish();
    return kExitOk;
  }
  if (aggs.empty()) {
    Table table({{"METRIC"}, {"TS_NS", true}, {"TS_UTC"}, {"TYPE"}, {"VALUE", true}});
    for (const Row& r : rows) {
      table.AddRow({std::string(r.metric), std::to_string(r.ts), FormatTimestamp(r.ts),
                    ValueTypeName(r.type), FormatValue(r.value)});
    }
    table.Print(std::cout);
  } else {
    Table table({{"METRIC"},
                 {"AGG"},
                 {"WINDOW"},
                 {"START_NS", true},
                 {"START_UTC"},
                 {"END_NS", true},
                 {"END_UTC"},
                 {"TYPE"},
                 {"VALUE", true}});
    std::string window_text = FormatDuration(window);
    for (const Row& r : rows) {
      table.AddRow({std::string(r.metric), r.aggregate, window_text, std::to_string(r.ts),
                    FormatTimestamp(r.ts), std::to_string(r.end), FormatTimestamp(r.end), "float64",
                    ShortestDouble(r.agg_value)});
    }
    table.Print(std::cout);
    for (const auto& [metric, used] : rollup_uses) {
      std::cout << "rollups: " << metric << " read";
      for (size_t k = 0; k < used.levels.size(); ++k) {
        const RollupLevelUse& l = used.levels[k];
        std::cout << (k ? "; " : " ");
        for (size_t i = 0; i < l.series.size(); ++i) {
          std::cout << (i ? ", " : "") << l.db << "/" << l.series[i];
        }
        std::cout << " (" << FormatDuration(l.interval) << " periods " << FormatTimestamp(l.from)
                  << " to " << FormatTimestamp(l.to) << ")";
      }
      if (used.raw_tail_from != kMaxTimestamp) {
        std::cout << "; raw samples from " << FormatTimestamp(used.raw_tail_from);
      }
      std::cout << "\n";
    }
  }
  std::cout << "rows=" << rows.size() << " duration_ms=" << FormatFixed(ms, 3) << "\n";
  return kExitOk;
}

}  // namespace nanotdb::cli
