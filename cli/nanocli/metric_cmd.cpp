// nanocli build metric and nanocli inspect metric: sealed partitions rewritten into metric files
// (plugins/metricfiles, docs/metricfiles.md) offline, and what those files hold.

#include <algorithm>
#include <iostream>
#include <sstream>

#include "builder.h"
#include "commands.h"
#include "metric_file.h"
#include "nanotdb/time_util.h"
#include "output.h"
#include "series_codec.h"
#include "server/core_services.h"

namespace nanotdb::cli {
namespace {

double Ratio(double num, double den) { return den > 0 ? num / den : 0; }

const CommandSpec kBuildSpec = {
    "build",
    "build metric --root DIR --db NAME [--part KEY] [--verify] "
    "[--raw-ingest-action keep|rename|delete] [--json]",
    "rewrite sealed partitions into metric files",
    "Rewrites every sealed partition of the database (one whose end is in the past and that has\n"
    "no samples waiting in the WAL; the open pages are flushed first), or the one --part names,\n"
    "into metric-<part>.ntm: each series' values coded contiguously, each distinct timestamp\n"
    "vector once. A partition whose metric file is up to date is not rebuilt. --verify re-reads\n"
    "the data file and the metric file and proves them equal sample for sample (timestamps and\n"
    "value bits) before the data file is touched. --raw-ingest-action (default keep): keep the\n"
    "data file, rename it to raw-<part>.dat, or delete it; rename and delete need --verify.\n"
    "After rename or delete the partition is read from its metric file only (nanocli always\n"
    "reads them; the daemon with [plugins.metricfiles] enabled) and takes no new samples.\n"
    "Refuses to run while a server holds the root.",
    {{"root", "DIR", "data root (required)"},
     {"db", "NAME", "database (required)"},
     {"part", "KEY", "only this partition (e.g. 2026-01-01)"},
     {"verify", "", "prove each metric file equal to its data file"},
     {"raw-ingest-action", "ACTION", "keep (default), rename or delete the data file"},
     {"json", "", "machine-readable output"}},
    1,
};

const CommandSpec kInspectSpec = {
    "inspect metric",
    "inspect metric --root DIR --db NAME [--part KEY] [--verbose] [--json]",
    "what the metric files of a database hold",
    "Lists each partition's metric file: bytes, series, time blocks, samples, bytes per sample,\n"
    "the data file it was built from and its state (current: the data file is unchanged; raw\n"
    "replaced: only the metric file is left; stale: the data file grew since, so it is read\n"
    "instead until the next build). --verbose adds one row per series (type, value domain,\n"
    "bytes). Read-only: safe beside a running server.",
    {{"root", "DIR", "data root (required)"},
     {"db", "NAME", "database (required)"},
     {"part", "KEY", "only this partition"},
     {"verbose", "", "one row per series"},
     {"json", "", "machine-readable output"}},
    1,
};

std::string State(const PartitionFiles& p, const metricfiles::MetricFileReader& r) {
  if (!p.raw) return "raw replaced";
  return r.source().bytes == p.raw_bytes ? "current" : "stale";
}

}  // namespace

const CommandSpec& BuildSpec() { return kBuildSpec; }

int RunBuild(std::span<const std::string> args) {
  Flags flags;
  if (auto code = ParseFlags(kBuildSpec, args, &flags)) return *code;
  if (flags.positional().size() != 1 || flags.positional()[0] != "metric") {
    return UsageError(kBuildSpec, "say what to build: nanocli build metric ...");
  }
  auto root = RequireRoot(flags);
  if (!root.ok()) return UsageError(kBuildSpec, root.status().message());
  auto db = RequireDatabase(flags);
  if (!db.ok()) return UsageError(kBuildSpec, db.status().message());
  metricfiles::BuildOptions opts;
  opts.partition = flags.Get("part");
  opts.verify = flags.GetBool("verify");
  const std::string action = flags.Get("raw-ingest-action", "keep");
  if (!ParseRawAction(action, &opts.raw_action)) {
    return UsageError(kBuildSpec,
                      "--raw-ingest-action must be keep, rename or delete, got \"" + action + "\"");
  }
  if (opts.raw_action != RawAction::kKeep && !opts.verify) {
    return UsageError(kBuildSpec, "--raw-ingest-action " + action +
                                      " needs --verify: raw data is removed only once the metric "
                                      "file is proven equal to it");
  }
  opts.sealed_before = NowNanos();
  auto engine = OpenEngine(*root, {.read_only = false});
  if (!engine.ok()) return Fail(engine.status());
  Engine& eng = **engine;
  if (Status st = CheckDatabaseExists(eng, *db); !st.ok()) return Fail(st);
  if (Status st = eng.Flush(*db); !st.ok()) return Fail(st);
  server::EnginePartitions partitions(eng);
  metricfiles::MetricFileBuilder builder(partitions);
  std::vector<metricfiles::BuildReport> reports;
  Stopwatch watch;
  Status st = builder.BuildDatabase(*db, opts, &reports);
  if (!st.ok() && reports.empty()) return Fail(st);
  if (flags.GetBool("json")) {
    JsonWriter j;
    j.BeginObject().Key("db").String(*db).Key("partitions").BeginArray();
    for (const auto& r : reports) {
      j.BeginObject()
          .Key("partition")
          .String(r.partition)
          .Key("outcome")
          .String(r.outcome)
          .Key("detail")
          .String(r.detail)
          .Key("raw_bytes")
          .Uint(r.raw_bytes)
          .Key("metric_bytes")
          .Uint(r.metric_bytes)
          .Key("series")
          .Uint(r.series)
          .Key("samples")
          .Uint(r.samples)
          .Key("bytes_per_sample")
          .Double(Ratio(static_cast<double>(r.metric_bytes), r.samples))
          .Key("verified")
          .Bool(r.verified)
          .Key("raw_action")
          .String(r.raw_action)
          .Key("build_ms")
          .Double(r.build_ms)
          .Key("verify_ms")
          .Double(r.verify_ms)
          .EndObject();
    }
    j.EndArray().Key("ok").Bool(st.ok()).EndObject();
    std::cout << j.Finish();
  } else {
    Table table({{"partition"},
                 {"outcome"},
                 {"raw bytes", true},
                 {"metric bytes", true},
                 {"series", true},
                 {"samples", true},
                 {"bytes/sample", true},
                 {"verified"},
                 {"raw file"}});
    for (const auto& r : reports) {
      table.AddRow({r.partition, r.outcome, std::to_string(r.raw_bytes),
                    std::to_string(r.metric_bytes), std::to_string(r.series),
                    std::to_string(r.samples),
                    FormatFixed(Ratio(static_cast<double>(r.metric_bytes), r.samples), 3),
                    r.verified ? "yes" : "no", r.raw_action.empty() ? "-" : r.raw_action});
    }
    table.Print(std::cout);
    for (const auto& r : reports) {
      if (!r.detail.empty())
        std::cout << r.partition << ": " << r.outcome << ": " << r.detail << "\n";
    }
    std::cout << "done in " << FormatFixed(watch.Ms(), 0) << " ms\n";
  }
  if (!st.ok()) return Fail(st);
  return kExitOk;
}

int RunInspectMetric(std::span<const std::string> args) {
  Flags flags;
  if (auto code = ParseFlags(kInspectSpec, args, &flags)) return *code;
  auto root = RequireRoot(flags);
  if (!root.ok()) return UsageError(kInspectSpec, root.status().message());
  auto db = RequireDatabase(flags);
  if (!db.ok()) return UsageError(kInspectSpec, db.status().message());
  auto engine = OpenEngine(*root, {.read_only = true});
  if (!engine.ok()) return Fail(engine.status());
  if (Status st = CheckDatabaseExists(**engine, *db); !st.ok()) return Fail(st);
  auto parts = (*engine)->ListPartitions(*db);
  if (!parts.ok()) return Fail(parts.status());
  const std::string only = flags.Get("part");
  const bool verbose = flags.GetBool("verbose"), json = flags.GetBool("json");
  JsonWriter j;
  j.BeginObject().Key("db").String(*db).Key("files").BeginArray();
  Table files({{"file"},
               {"bytes", true},
               {"series", true},
               {"time blocks", true},
               {"samples", true},
               {"bytes/sample", true},
               {"data file bytes", true},
               {"state"},
               {"start"},
               {"duration"}});
  std::vector<std::string> details;
  bool failed = false;
  for (const PartitionFiles& p : *parts) {
    if (!p.metric || (!only.empty() && p.key != only)) continue;
    auto reader = metricfiles::MetricFileReader::OpenPath(p.metric_path);
    if (!reader.ok()) {
      std::cerr << "error: " << reader.status().message() << "\n";
      failed = true;
      continue;
    }
    const auto& r = **reader;
    uint64_t samples = 0;
    Timestamp first = kMaxTimestamp, last = kMinTimestamp;
    for (const auto& s : r.series()) {
      samples += s.count;
      first = std::min(first, s.first);
      last = std::max(last, s.last);
    }
    const std::string name = p.metric_path.substr(p.metric_path.rfind('/') + 1);
    files.AddRow({name, std::to_string(r.file_bytes()), std::to_string(r.series().size()),
                  std::to_string(r.time_blocks().size()), std::to_string(samples),
                  FormatFixed(Ratio(static_cast<double>(r.file_bytes()), samples), 3),
                  std::to_string(r.source().bytes), State(p, r), FormatSpanStart(first, samples),
                  FormatSpanDuration(first, last, samples)});
    j.BeginObject()
        .Key("file")
        .String(name)
        .Key("partition")
        .String(p.key)
        .Key("bytes")
        .Uint(r.file_bytes())
        .Key("series")
        .Uint(r.series().size())
        .Key("time_blocks")
        .Uint(r.time_blocks().size())
        .Key("samples")
        .Uint(samples)
        .Key("source_bytes")
        .Uint(r.source().bytes)
        .Key("raw_bytes")
        .Uint(p.raw_bytes)
        .Key("state")
        .String(State(p, r))
        .Key("min_ts")
        .Int(first)
        .Key("max_ts")
        .Int(last);
    if (verbose) {
      j.Key("series").BeginArray();
      Table table({{"id", true},
                   {"series"},
                   {"type"},
                   {"domain"},
                   {"samples", true},
                   {"time block", true},
                   {"value bytes", true},
                   {"bytes/sample", true}});
      std::string block;
      for (const auto& s : r.series()) {
        metricfiles::ValueDomain d = metricfiles::ValueDomain::kInteger;
        std::string domain = "?";
        if (r.ReadValueBlock(s, &block).ok() && metricfiles::BlockDomain(block, &d)) {
          domain = metricfiles::DomainName(d);
        }
        table.AddRow({std::to_string(s.id), s.name, ValueTypeName(s.type), domain,
                      std::to_string(s.count), std::to_string(s.time_block),
                      std::to_string(s.values.bytes),
                      FormatFixed(Ratio(static_cast<double>(s.values.bytes), s.count), 3)});
        j.BeginObject()
            .Key("id")
            .Uint(s.id)
            .Key("name")
            .String(s.name)
            .Key("type")
            .String(ValueTypeName(s.type))
            .Key("domain")
            .String(domain)
            .Key("samples")
            .Uint(s.count)
            .Key("time_block")
            .Uint(s.time_block)
            .Key("value_bytes")
            .Uint(s.values.bytes)
            .EndObject();
      }
      j.EndArray();
      std::ostringstream text;
      text << "\n" << name << ": " << r.series().size() << " series\n";
      table.Print(text);
      details.push_back(text.str());
    }
    j.EndObject();
  }
  j.EndArray().EndObject();
  if (json) {
    std::cout << j.Finish();
  } else {
    if (files.rows() == 0) {
      std::cout << "database " << *db << " has no metric files"
                << (only.empty() ? "" : " for partition " + only) << "\n";
    } else {
      files.Print(std::cout);
    }
    for (const std::string& d : details) std::cout << d;
  }
  return failed ? kExitFailed : kExitOk;
}

}  // namespace nanotdb::cli
