// nanocli rollup: recomputes rollups offline (the rollup plugin's backfill, docs/rollups.md)
// with the core's services built over a write engine on the data root.
#include <unistd.h>

#include <iostream>

#include "commands.h"
#include "output.h"
#include "roller.h"
#include "server/core_services.h"
#include "server/plugin_files.h"

namespace nanotdb::cli {

const CommandSpec& RollupSpec() {
  static const CommandSpec spec{
      "rollup",
      "rollup --root DIR [--db NAME] [--json]",
      "Recompute rollups from scratch (the server must be stopped).",
      "Runs the [rollups] jobs of the database NAME (default: every database that has\n"
      "jobs) and, transitively, of destinations that roll up further (cascades). Every\n"
      "destination database is emptied first (all its files but manifest.toml) and the\n"
      "sources' checkpoints are removed, then every complete period is rolled up and\n"
      "flushed. Progress is shown on a terminal. The same as POST /api/v1/rollup/backfill.",
      {{"root", "DIR", "data root (required)"},
       {"db", "NAME", "source database (default: all with rollup jobs)"},
       {"json", "", "print the report as JSON"}}};
  return spec;
}

namespace {

// The core's services over an offline engine, as the daemon gives them to the plugin.
struct OfflineServices {
  OfflineServices(Engine& eng, const std::string& root)
      : query(eng, counters),
        writer(eng, counters),
        databases(eng, eng.options().manifest_defaults),
        files(eng.options().env, root, "rollup") {}
  rollup::RollupServices Services() {
    rollup::RollupServices s{&query, &writer, &databases, &files};
    s.log = [](LogLevel level, std::string_view msg) {
      if (level == LogLevel::kWarning) std::cerr << "\nwarning: " << msg << "\n";
      if (level == LogLevel::kError) std::cerr << "\nerror: " << msg << "\n";
    };
    s.now = NowNanos;
    return s;
  }
  server::CoreCounters counters;
  server::EngineQuery query;
  server::EngineWriter writer;
  server::EngineDatabases databases;
  server::PluginFiles files;
};

}  // namespace

RollupPassSummary RunRollupPass(Engine& engine, const std::string& root) {
  OfflineServices offline(engine, root);
  rollup::Roller roller(offline.Services());
  rollup::PassStats stats = roller.RunOnce();
  return {stats.jobs, stats.points_written, std::move(stats.errors)};
}

int RunRollup(std::span<const std::string> args) {
  const CommandSpec& spec = RollupSpec();
  Flags flags;
  if (std::optional<int> code = ParseFlags(spec, args, &flags)) return *code;
  Result<std::string> root = RequireRoot(flags);
  if (!root.ok()) return UsageError(spec, root.status().message());
  std::vector<std::string> dbs;
  if (flags.Has("db")) {
    Result<std::string> db = RequireDatabase(flags);
    if (!db.ok()) return UsageError(spec, db.status().message());
    dbs.push_back(*db);
  }
  const bool json = flags.GetBool("json");
  Result<std::unique_ptr<Engine>> engine = OpenEngine(*root, {.read_only = false});
  if (!engine.ok()) return Fail(engine.status());
  Engine& eng = **engine;
  if (!dbs.empty()) {
    if (Status st = CheckDatabaseExists(eng, dbs.front()); !st.ok()) return Fail(st);
  }

  OfflineServices offline(eng, *root);
  rollup::Roller roller(offline.Services());
  const bool terminal = isatty(STDERR_FILENO) && !json;
  rollup::ProgressFn progress;
  if (terminal) {
    progress = [](std::string_view db, size_t done, size_t jobs, uint64_t points) {
      std::cerr << "\rrollup " << db << ": " << done << "/" << jobs << " jobs, " << points
                << " points written" << (done == jobs ? "\n" : "") << std::flush;
    };
  }
  Result<rollup::BackfillReport> report = roller.Backfill(dbs, progress);
  Status close = eng.Close();
  if (!report.ok()) return Fail(report.status());
  if (!close.ok()) return Fail(close.WithContext("closing the data root"));

  const rollup::BackfillReport& r = *report;
  if (json) {
    auto list = [](JsonWriter& j, const std::vector<std::string>& items) {
      j.BeginArray();
      for (const std::string& s : items) j.String(s);
      j.EndArray();
    };
    JsonWriter j;
    j.BeginObject().Key("root").String(*root);
    j.Key("requested_sources");
    list(j, r.requested_sources);
    j.Key("source_databases");
    list(j, r.source_databases);
    j.Key("destination_databases");
    list(j, r.destination_databases);
    j.Key("cleared_checkpoint_files");
    list(j, r.cleared_checkpoint_files);
    j.Key("cleared_files");
    list(j, r.cleared_files);
    j.Key("jobs").Uint(r.stats.jobs).Key("periods").Uint(r.stats.periods);
    j.Key("points_written").Uint(r.stats.points_written).Key("duration_ms").Double(r.duration_ms);
    std::cout << j.EndObject().Finish();
    return kExitOk;
  }
  auto joined = [](const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? std::string("-") : out;
  };
  std::cout << "rolled up " << joined(r.source_databases) << " into "
            << joined(r.destination_databases) << ": " << r.stats.jobs << " jobs, "
            << r.stats.periods << " periods, " << r.stats.points_written << " points in "
            << FormatFixed(r.duration_ms, 1) << " ms\n";
  std::cout << "emptied first: " << r.cleared_files.size() << " files, "
            << r.cleared_checkpoint_files.size() << " checkpoint files\n";
  return kExitOk;
}

}  // namespace nanotdb::cli
