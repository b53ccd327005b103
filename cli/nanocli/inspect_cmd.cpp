// nanocli inspect db|dat|wal|catalog|events: what a database holds on disk, read through a
// read-only engine (no lock, nothing written), so it is safe beside a running server.

#include <iostream>

#include "commands.h"
#include "nanotdb/options.h"
#include "nanotdb/time_util.h"
#include "output.h"

namespace nanotdb::cli {
namespace {

double Ratio(double num, double den) { return den > 0 ? num / den : 0; }

struct DataTotals {
  uint64_t bytes = 0, frames = 0, samples = 0;
  Timestamp min_ts = 0, max_ts = 0;
};

DataTotals Totals(const std::vector<DataFileSummary>& files) {
  DataTotals t;
  for (const DataFileSummary& f : files) {
    if (f.samples > 0) {
      if (t.samples == 0 || f.min_ts < t.min_ts) t.min_ts = f.min_ts;
      if (t.samples == 0 || f.max_ts > t.max_ts) t.max_ts = f.max_ts;
    }
    t.bytes += f.bytes;
    t.frames += f.frames.size();
    t.samples += f.samples;
  }
  return t;
}

void PrintFilesTable(const std::vector<DataFileSummary>& files, std::ostream& out) {
  Table table({{"file"},
               {"partition"},
               {"bytes", true},
               {"frames", true},
               {"samples", true},
               {"bytes/sample", true},
               {"start"},
               {"duration"}});
  for (const DataFileSummary& f : files) {
    table.AddRow(
        {f.name, f.partition, std::to_string(f.bytes), std::to_string(f.frames.size()),
         std::to_string(f.samples), FormatFixed(Ratio(static_cast<double>(f.bytes), f.samples), 2),
         FormatSpanStart(f.min_ts, f.samples), FormatSpanDuration(f.min_ts, f.max_ts, f.samples)});
  }
  table.Print(out);
  for (const DataFileSummary& f : files) {
    if (!f.error.empty()) out << f.name << ": damaged after its listed frames: " << f.error << "\n";
  }
}

void PrintFramesTable(const DataFileSummary& file, std::ostream& out) {
  out << "\n" << file.name << ": " << file.frames.size() << " frames\n";
  Table table({{"idx", true},
               {"offset", true},
               {"bytes", true},
               {"raw_bytes", true},
               {"ratio", true},
               {"samples", true},
               {"metrics", true},
               {"bytes/sample", true},
               {"codec"},
               {"start"},
               {"duration"}});
  size_t idx = 0;
  for (const FrameSummary& fr : file.frames) {
    table.AddRow({std::to_string(idx++), std::to_string(fr.offset), std::to_string(fr.bytes),
                  std::to_string(fr.raw_bytes), FormatFixed(Ratio(fr.raw_bytes, fr.bytes), 2),
                  std::to_string(fr.samples), std::to_string(fr.metrics),
                  FormatFixed(Ratio(fr.bytes, fr.samples), 2), fr.codec,
                  FormatSpanStart(fr.min_ts, fr.samples),
                  FormatSpanDuration(fr.min_ts, fr.max_ts, fr.samples)});
  }
  table.Print(out);
}

void PrintWal(const WalSummary& wal, bool verbose, std::ostream& out) {
  Table table({{"file"},
               {"bytes", true},
               {"records", true},
               {"samples", true},
               {"start"},
               {"duration"},
               {"tail_bytes", true}});
  table.AddRow(
      {wal.name.empty() ? "-" : wal.name, std::to_string(wal.bytes), std::to_string(wal.records),
       std::to_string(wal.samples), FormatSpanStart(wal.min_ts, wal.samples),
       FormatSpanDuration(wal.min_ts, wal.max_ts, wal.samples), std::to_string(wal.tail_bytes)});
  table.Print(out);
  if (verbose) {
    out << "tail: valid_bytes=" << wal.valid_bytes << " tail_bytes=" << wal.tail_bytes
        << " stop_reason=" << (wal.stop_reason.empty() ? "clean end" : wal.stop_reason) << "\n";
  } else if (wal.tail_bytes > 0) {
    out << "note: " << wal.tail_bytes
        << " bytes after the last intact record are dropped on the next write open ("
        << wal.stop_reason << "); --verbose shows where\n";
  }
}

void JsonSpan(JsonWriter& j, Timestamp min_ts, Timestamp max_ts, uint64_t samples) {
  if (samples == 0) {
    j.Key("min_ts").Null().Key("max_ts").Null();
    return;
  }
  j.Key("min_ts").Int(min_ts).Key("min_utc").String(FormatTimestamp(min_ts));
  j.Key("max_ts").Int(max_ts).Key("max_utc").String(FormatTimestamp(max_ts));
}

void JsonFiles(JsonWriter& j, const std::vector<DataFileSummary>& files) {
  DataTotals t = Totals(files);
  j.Key("summary").BeginObject();
  j.Key("files").Uint(files.size()).Key("bytes").Uint(t.bytes).Key("frames").Uint(t.frames);
  j.Key("samples").Uint(t.samples);
  JsonSpan(j, t.min_ts, t.max_ts, t.samples);
  j.EndObject();
  j.Key("files").BeginArray();
  for (const DataFileSummary& f : files) {
    j.BeginObject().Key("name").String(f.name).Key("partition").String(f.partition);
    j.Key("bytes").Uint(f.bytes).Key("samples").Uint(f.samples);
    JsonSpan(j, f.min_ts, f.max_ts, f.samples);
    j.Key("error").String(f.error).Key("frames").BeginArray();
    for (const FrameSummary& fr : f.frames) {
      j.BeginObject().Key("offset").Uint(fr.offset).Key("bytes").Uint(fr.bytes);
      j.Key("raw_bytes").Uint(fr.raw_bytes).Key("samples").Uint(fr.samples);
      j.Key("metrics").Uint(fr.metrics).Key("codec").String(fr.codec);
      JsonSpan(j, fr.min_ts, fr.max_ts, fr.samples);
      j.EndObject();
    }
    j.EndArray().EndObject();
  }
  j.EndArray();
}

void JsonWal(JsonWriter& j, const WalSummary& wal) {
  j.Key("wal").BeginObject().Key("name").String(wal.name).Key("bytes").Uint(wal.bytes);
  j.Key("records").Uint(wal.records).Key("samples").Uint(wal.samples);
  JsonSpan(j, wal.min_ts, wal.max_ts, wal.samples);
  j.Key("valid_bytes").Uint(wal.valid_bytes).Key("tail_bytes").Uint(wal.tail_bytes);
  j.Key("stop_reason").String(wal.stop_reason).EndObject();
}

void PrintManifest(const ManifestSettings& m, std::ostream& out) {
  out << "manifest:  partition=" << PartitioningName(m.partition)
      << " retention=" << m.retention_days << "d"
      << " retention_action=" << RetentionActionName(m.retention_action)
      << " max_active_partitions=" << m.max_active_partitions << "\n"
      << "           wal=" << (m.wal_enabled ? "on" : "off")
      << " wal_skip_before=" << FormatDuration(m.wal_skip_before)
      << " page: max_records=" << m.page_max_records << " max_bytes=" << m.page_max_bytes
      << " max_age=" << FormatDuration(m.page_max_age) << "\n";
}

void JsonManifest(JsonWriter& j, const ManifestSettings& m) {
  j.Key("manifest").BeginObject();
  j.Key("partition").String(PartitioningName(m.partition));
  j.Key("retention_days").Int(m.retention_days);
  j.Key("retention_action").String(RetentionActionName(m.retention_action));
  j.Key("max_active_partitions").Int(m.max_active_partitions);
  j.Key("wal_enabled").Bool(m.wal_enabled).Key("wal_skip_before_ns").Int(m.wal_skip_before);
  j.Key("page_max_records").Uint(m.page_max_records).Key("page_max_bytes").Uint(m.page_max_bytes);
  j.Key("page_max_age_ns").Int(m.page_max_age).EndObject();
}

int InspectCatalog(const Engine& engine, const std::string& db, bool json) {
  Result<std::vector<MetricInfo>> metrics = engine.ListMetrics(db);
  if (!metrics.ok()) return Fail(metrics.status());
  size_t ints = 0;
  for (const MetricInfo& m : *metrics) ints += m.type == ValueType::kInt64;
  if (json) {
    JsonWriter j;
    j.BeginObject().Key("database").String(db).Key("metrics").Uint(metrics->size());
    j.Key("int64").Uint(ints).Key("float64").Uint(metrics->size() - ints);
    j.Key("items").BeginArray();
    for (const MetricInfo& m : *metrics) {
      j.BeginObject().Key("name").String(m.name).Key("id").Uint(m.id);
      j.Key("type").String(ValueTypeName(m.type)).Key("last");
      if (m.last) {
        Value v{m.type, m.last->bits};
        j.BeginObject().Key("ts").Int(m.last->ts).Key("utc").String(FormatTimestamp(m.last->ts));
        j.Key("value").SampleValue(v).EndObject();
      } else {
        j.Null();
      }
      j.EndObject();
    }
    std::cout << j.EndArray().EndObject().Finish();
    return kExitOk;
  }
  std::cout << "metrics=" << metrics->size() << " (int64=" << ints
            << " float64=" << metrics->size() - ints << ")\n";
  Table table({{"name"}, {"id", true}, {"type"}, {"last_utc"}, {"last_value", true}});
  for (const MetricInfo& m : *metrics) {
    table.AddRow({m.name, std::to_string(m.id), ValueTypeName(m.type),
                  m.last ? FormatTimestamp(m.last->ts) : "-",
                  m.last ? FormatValue(Value{m.type, m.last->bits}) : "-"});
  }
  table.Print(std::cout);
  return kExitOk;
}

int InspectSummary(const Engine& engine, const std::string& target, const std::string& db,
                   bool verbose, bool json) {
  Result<DatabaseSummary> sum = engine.Inspect(db);
  if (!sum.ok()) return Fail(sum.status());
  const DatabaseSummary& s = *sum;
  DataTotals t = Totals(s.files);
  if (json) {
    JsonWriter j;
    j.BeginObject().Key("database").String(s.name).Key("path").String(s.path);
    if (target == "db") {
      j.Key("metrics").Uint(s.metrics);
      JsonManifest(j, s.manifest);
      j.Key("open_page_samples").Uint(s.open_page_samples).Key("open_partitions").BeginArray();
      for (const std::string& p : s.open_partitions) j.String(p);
      j.EndArray();
    }
    if (target != "wal") JsonFiles(j, s.files);
    if (target != "dat") JsonWal(j, s.wal);
    std::cout << j.EndObject().Finish();
    return kExitOk;
  }
  std::ostream& out = std::cout;
  if (target == "db") {
    out << "database:  " << s.name << " (" << s.path << ")\n";
    out << "catalog:   metrics=" << s.metrics << "\n";
    PrintManifest(s.manifest, out);
    out << "data:      files=" << s.files.size() << " bytes=" << t.bytes << " frames=" << t.frames
        << " samples=" << t.samples
        << " bytes/sample=" << FormatFixed(Ratio(static_cast<double>(t.bytes), t.samples), 2)
        << " start=" << FormatSpanStart(t.min_ts, t.samples)
        << " duration=" << FormatSpanDuration(t.min_ts, t.max_ts, t.samples) << "\n";
    out << "wal:       bytes=" << s.wal.bytes << " records=" << s.wal.records
        << " samples=" << s.wal.samples << " tail_bytes=" << s.wal.tail_bytes << "\n";
    out << "open page: samples=" << s.open_page_samples << " partitions=";
    for (size_t i = 0; i < s.open_partitions.size(); ++i) {
      out << (i ? "," : "") << s.open_partitions[i];
    }
    out << (s.open_partitions.empty() ? "-\n" : "\n");
    if (!verbose) return kExitOk;
    out << "\n";
    PrintFilesTable(s.files, out);
    out << "\n";
    PrintWal(s.wal, true, out);
    return kExitOk;
  }
  if (target == "dat") {
    out << "summary: files=" << s.files.size() << " bytes=" << t.bytes << " frames=" << t.frames
        << " samples=" << t.samples << "\n";
    PrintFilesTable(s.files, out);
    if (verbose) {
      for (const DataFileSummary& f : s.files) PrintFramesTable(f, out);
    }
    return kExitOk;
  }
  PrintWal(s.wal, verbose, out);
  return kExitOk;
}

int InspectEvents(const Engine& engine, const std::string& db, bool verbose, bool json) {
  Result<std::vector<EventFileSummary>> files = engine.InspectEvents(db);
  if (!files.ok()) return Fail(files.status());
  uint64_t bytes = 0, blocks = 0, events = 0, damaged = 0;
  for (const EventFileSummary& f : *files) {
    bytes += f.bytes;
    blocks += f.blocks;
    events += f.events;
    damaged += f.damaged.size();
  }
  std::vector<Event> listed;
  EventReadReport report;
  if (verbose) {
    Status st = engine.ReadEvents(
        db, EventQuery{},
        [&](const Event& e) {
          listed.push_back(e);
          return true;
        },
        &report);
    if (!st.ok()) return Fail(st);
  }
  if (json) {
    JsonWriter j;
    j.BeginObject().Key("database").String(db);
    j.Key("bytes").Uint(bytes).Key("blocks").Uint(blocks).Key("events").Uint(events);
    j.Key("files").BeginArray();
    for (const EventFileSummary& f : *files) {
      j.BeginObject().Key("file").String(f.file).Key("partition").String(f.key);
      j.Key("bytes").Uint(f.bytes).Key("blocks").Uint(f.blocks).Key("events").Uint(f.events);
      j.Key("min_ts").Int(f.min_ts).Key("max_ts").Int(f.max_ts).Key("damaged").BeginArray();
      for (const std::string& d : f.damaged) j.String(d);
      j.EndArray().EndObject();
    }
    j.EndArray();
    if (verbose) {
      j.Key("list").BeginArray();
      for (const Event& e : listed) {
        j.BeginObject().Key("name").String(e.name).Key("ts").Int(e.ts).Key("value");
        if (e.value) {
          j.SampleValue(*e.value);
        } else {
          j.Null();
        }
        j.Key("payload").String(e.payload).EndObject();
      }
      j.EndArray();
    }
    std::cout << j.EndObject().Finish();
    return kExitOk;
  }
  std::ostream& out = std::cout;
  out << "events:  files=" << files->size() << " bytes=" << bytes << " blocks=" << blocks
      << " events=" << events << " bytes/event="
      << FormatFixed(Ratio(static_cast<double>(bytes), static_cast<double>(events)), 1)
      << " damaged_regions=" << damaged << "\n";
  Table table({{"file"},
               {"partition"},
               {"bytes", true},
               {"blocks", true},
               {"events", true},
               {"start"},
               {"duration"}});
  for (const EventFileSummary& f : *files) {
    table.AddRow({f.file, f.key, std::to_string(f.bytes), std::to_string(f.blocks),
                  std::to_string(f.events), FormatSpanStart(f.min_ts, f.events),
                  FormatSpanDuration(f.min_ts, f.max_ts, f.events)});
  }
  table.Print(out);
  for (const EventFileSummary& f : *files) {
    for (const std::string& d : f.damaged) out << f.file << ": damaged region " << d << "\n";
  }
  if (!verbose) return kExitOk;
  out << "\n";
  Table list({{"time"}, {"name"}, {"value", true}, {"payload"}});
  for (const Event& e : listed) {
    list.AddRow({FormatTimestamp(e.ts), e.name, e.value ? FormatValue(*e.value) : "-",
                 e.payload.empty() ? "-" : e.payload});
  }
  list.Print(out);
  return kExitOk;
}

}  // namespace

const CommandSpec& InspectSpec() {
  static const CommandSpec spec{
      "inspect",
      "inspect db|dat|wal|catalog|events|metric --root DIR --db NAME [--verbose] [--json]",
      "Show what a database holds on disk (safe while a server runs: nothing is written).",
      "  db       overview: manifest, catalog size, data files, WAL and open page\n"
      "  dat      partition data files; --verbose lists every frame (offset, bytes,\n"
      "           raw bytes, ratio, samples, metrics, bytes/sample, start, duration)\n"
      "  wal      the write-ahead log; --verbose adds tail diagnostics (valid bytes,\n"
      "           tail bytes, stop reason)\n"
      "  catalog  metrics with id, type and last sample\n"
      "  metric   metric files (nanocli inspect metric --help)\n"
      "  events   events files (bytes, blocks, events, time span, damaged regions);\n"
      "           --verbose lists every event in time order\n"
      "Times are shown as a UTC start and a duration; --json gives full ns timestamps.",
      {{"root", "DIR", "data root (required)"},
       {"db", "NAME", "database (required)"},
       {"verbose", "", "per-frame tables, WAL tail diagnostics, every event"},
       {"json", "", "machine-readable output"}},
      1};
  return spec;
}

int RunInspect(std::span<const std::string> args) {
  const CommandSpec& spec = InspectSpec();
  // `inspect metric` has flags of its own (metric_cmd.cpp).
  for (const std::string& a : args) {
    if (a == "metric") return RunInspectMetric(args);
    if (!a.starts_with("-")) break;
  }
  Flags flags;
  if (std::optional<int> code = ParseFlags(spec, args, &flags)) return *code;
  if (flags.positional().empty()) {
    return UsageError(spec, "inspect needs a target: db, dat, wal, catalog, events or metric");
  }
  const std::string& target = flags.positional()[0];
  if (target != "db" && target != "dat" && target != "wal" && target != "catalog" &&
      target != "events") {
    return UsageError(spec, "unknown inspect target \"" + target +
                                "\" (expected db, dat, wal, catalog, events or metric)");
  }
  Result<std::string> root = RequireRoot(flags);
  if (!root.ok()) return UsageError(spec, root.status().message());
  Result<std::string> db = RequireDatabase(flags);
  if (!db.ok()) return UsageError(spec, db.status().message());

  Result<std::unique_ptr<Engine>> engine = OpenEngine(*root, {.read_only = true});
  if (!engine.ok()) return Fail(engine.status());
  if (Status st = CheckDatabaseExists(**engine, *db); !st.ok()) return Fail(st);
  bool json = flags.GetBool("json");
  if (target == "catalog") return InspectCatalog(**engine, *db, json);
  if (target == "events") return InspectEvents(**engine, *db, flags.GetBool("verbose"), json);
  return InspectSummary(**engine, target, *db, flags.GetBool("verbose"), json);
}

}  // namespace nanotdb::cli
