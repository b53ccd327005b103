#include "roller.h"

#include <toml++/toml.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <set>
#include <tuple>

#include "nanotdb/options.h"
#include "nanotdb/series.h"
#include "nanotdb/time_util.h"
#include "nanotdb/vm_json.h"

namespace nanotdb::rollup {
namespace {

constexpr size_t kCommitPoints = 50'000;   // destination samples per write + flush + checkpoint
constexpr size_t kWriteSlice = 10'000;     // samples per WriterService batch
constexpr int64_t kChunkSpan = 31 * kDay;  // source time read per AggregateRange call

Timestamp FloorTo(Timestamp ts, int64_t interval) {
  Timestamp q = ts / interval;
  if (ts % interval != 0 && ts < 0) --q;
  return q * interval;
}

}  // namespace

// One job applied to one source series.
struct Roller::Expanded {
  const RollupJob* job = nullptr;
  std::string key;     // checkpoint key
  std::string source;  // series key in the source database
  std::optional<Sample> last;
  std::vector<std::string> outputs;  // destination series key per aggregate
  // A cascade: its parent's checkpoint key for the series, and the parent's outputs (in the
  // parent's destination) per parent aggregate.
  std::string parent_key;
  std::map<Aggregate, std::string> parent_outputs;
};

// What one batch rolls up for one job key: the job, from where, how many outputs.
struct Roller::Window {
  const RollupJob* job;
  Timestamp from;
  uint64_t points = 0;
};

// Outputs computed but not yet durable, and how far each job got with them.
struct Roller::Batch {
  struct Point {
    const std::string* db;
    std::string metric;
    Timestamp ts;
    double value;
    const std::string* job;
  };
  std::vector<Point> points;
  std::map<std::string, int64_t> progress;  // job key -> completed period end
  std::set<std::string> destinations;
  std::set<std::string> failed;           // job keys whose writes were refused in this pass
  std::map<std::string, Window> windows;  // what this batch rolls up, per job key
};

Roller::Roller(RollupServices services) : s_(std::move(services)) {}

void Roller::Log(LogLevel level, const std::string& message) const {
  if (s_.log) s_.log(level, message);
}

void Roller::ReportOnce(const std::string& key, const std::string& message, LogLevel level) {
  auto [it, inserted] = reported_.try_emplace(key, message);
  if (!inserted && it->second == message) return;
  it->second = message;
  Log(level, message);
}

void Roller::CheckDestinationRetention(const std::string& source, const RollupJob& job) {
  Result<std::string> text = s_.databases->ManifestText(job.destination_db);
  if (!text.ok()) return;
  int64_t days = -1;
  std::string action;
  try {
    const toml::table t = toml::parse(*text);
    days = t["retention"]["retention_days"].value_or(int64_t{-1});
    action = t["retention"]["retention_action"].value_or(std::string());
  } catch (const toml::parse_error&) {
    return;  // the core reports a broken manifest
  }
  if (days == job.destination_retention_days && action == "delete") return;
  ReportOnce("retention " + job.destination_db,
             "rollup job \"" + job.id + "\" of " + source + ": destination_retention_days = " +
                 std::to_string(job.destination_retention_days) + ", but " + job.destination_db +
                 " exists with retention_days = " +
                 (days < 0 ? std::string("(default)") : std::to_string(days)) +
                 " and retention_action = \"" + (action.empty() ? "(default)" : action) +
                 "\"; the setting applies when the plugin creates the destination: edit " +
                 job.destination_db + "/manifest.toml to change it",
             LogLevel::kWarning);
}

Result<RollupConfig> Roller::LoadConfig(const std::string& db) {
  NANOTDB_ASSIGN_OR_RETURN(std::string text, s_.databases->ManifestText(db));
  std::vector<std::string> warnings;
  Result<RollupConfig> cfg = ParseRollupConfig(text, db + "/manifest.toml", db, &warnings);
  for (const std::string& w : warnings) ReportOnce("warning " + w, w);
  return cfg;
}

Status Roller::EnsureDestination(const std::string& source, const RollupJob& job) {
  const std::string& dest = job.destination_db;
  if (s_.query->DatabaseExists(dest)) {
    if (job.destination_retention_days > 0) CheckDestinationRetention(source, job);
    return Status::Ok();
  }
  ManifestSettings m = s_.databases->DefaultManifest();
  const bool daily = job.interval >= kDay;
  m.wal_enabled = false;
  m.partition = daily ? Partitioning::kYear : Partitioning::kMonth;
  m.page_max_age = daily ? 7 * kDay : 6 * kHour;
  m.retention_action = RetentionAction::kKeep;
  if (job.destination_retention_days > 0) {
    m.retention_days = job.destination_retention_days;
    m.retention_action = RetentionAction::kDelete;
  }
  const std::string comment =
      "# Rollup destination, created by the rollup plugin for the jobs of database " + source +
      ".\n"
      "# WAL off: rollups are flushed before their checkpoint is written, and recomputed from\n"
      "# the source after a crash. partition = \"month\" below 1d intervals, \"year\" from 1d;\n"
      "# a long page.max_age avoids tiny frames. Never rewritten: edit retention here.\n";
  Result<bool> created = s_.databases->CreateDatabase(dest, m, comment);
  if (!created.ok()) return created.status().WithContext("creating rollup destination " + dest);
  if (*created) Log(LogLevel::kInfo, "rollup: created destination database " + dest);
  reported_.erase("dest " + dest);  // a later failure is logged again
  return Status::Ok();
}

bool Roller::Commit(const std::string& db, const RollupConfig& cfg, Batch* batch,
                    PassStats* stats) {
  bool ok = true;
  std::vector<PointRef> refs;
  for (size_t from = 0; from < batch->points.size(); from += kWriteSlice) {
    size_t to = std::min(batch->points.size(), from + kWriteSlice);
    refs.clear();
    for (size_t i = from; i < to; ++i) {
      const Batch::Point& p = batch->points[i];
      refs.push_back(PointRef{*p.db, p.metric, p.ts, Value::Float64(p.value)});
    }
    Result<BatchResult> r = s_.writer->WriteBatch(refs);
    if (!r.ok()) {
      stats->errors.push_back("rollup of " + db + ": writing failed: " + r.status().message());
      ReportOnce("write " + db, stats->errors.back());
      batch->progress.clear();
      ok = false;
      break;
    }
    stats->points_written += r->accepted;
    for (const auto& [index, st] : r->rejected) {
      const Batch::Point& p = batch->points[from + index];
      if (batch->failed.insert(*p.job).second) {
        stats->errors.push_back("rollup job " + *p.job + " of " + db + ": " + *p.db + "/" +
                                p.metric + " refused: " + st.message());
        ReportOnce("job " + db + " " + *p.job, stats->errors.back());
      }
    }
  }
  for (const std::string& dest : batch->destinations) {
    if (!ok) break;
    Status st = s_.databases->Flush(dest);
    if (!st.ok()) {
      stats->errors.push_back("rollup of " + db + ": flushing " + dest +
                              " failed: " + st.message());
      ReportOnce("flush " + dest, stats->errors.back());
      ok = false;
    }
  }
  const bool wrote = !batch->points.empty();
  batch->points.clear();
  batch->destinations.clear();
  std::map<std::string, Window> windows = std::move(batch->windows);
  batch->windows.clear();
  if (!ok || batch->progress.empty()) {
    batch->progress.clear();
    return ok;
  }
  // Durable from here (flushed): the checkpoint below only saves redoing them.
  EmitWindows(db, windows, batch->progress, batch->failed);
  // The checkpoint may only say what is durable: read it again (a backfill may have removed
  // it) and move the jobs whose outputs were all accepted.
  const std::string name = CheckpointName(db, cfg.checkpoint_file);
  Checkpoints current;
  if (Result<std::string> text = s_.files->Read(name); text.ok()) {
    Result<Checkpoints> parsed = ParseCheckpoints(*text);
    if (parsed.ok()) current = std::move(*parsed);
  }
  // Progress over empty periods alone is cheap to redo: write it down once it covers a day, so
  // an idle source does not rewrite its checkpoints every pass (SD card wear).
  bool needed = wrote;
  for (const auto& [key, end] : batch->progress) {
    if (batch->failed.count(key) > 0) continue;
    auto it = current.find(key);
    needed = needed || it == current.end() || end - it->second >= kDay;
    current[key] = end;
  }
  batch->progress.clear();
  if (!needed) return true;
  Status st = s_.files->Write(name, RenderCheckpoints(current));
  if (!st.ok()) {
    stats->errors.push_back("rollup of " + db + ": writing checkpoints " + s_.files->PathOf(name) +
                            " failed: " + st.message());
    ReportOnce("checkpoint " + db, stats->errors.back());
    return false;
  }
  return true;
}

// One event per job (a pattern job's series together) whose outputs this commit made durable;
// periods without samples alone are not worth an event.
void Roller::EmitWindows(const std::string& db, const std::map<std::string, Window>& windows,
                         const std::map<std::string, int64_t>& progress,
                         const std::set<std::string>& failed) {
  if (s_.events == nullptr) return;
  struct Done {
    const RollupJob* job;
    Timestamp from, to;
    uint64_t points = 0, series = 0;
  };
  std::map<std::string, Done> by_job;
  for (const auto& [key, window] : windows) {
    auto end = progress.find(key);
    if (end == progress.end() || failed.count(key) > 0 || window.points == 0) continue;
    auto [it, fresh] =
        by_job.try_emplace(window.job->id, Done{window.job, window.from, end->second});
    it->second.from = std::min(it->second.from, window.from);
    it->second.to = std::max(it->second.to, end->second);
    it->second.points += window.points;
    ++it->second.series;
  }
  for (const auto& [id, done] : by_job) {
    std::string payload = "{\"db\":";
    vm::AppendJsonString(&payload, db);
    payload += ",\"job\":";
    vm::AppendJsonString(&payload, id);
    payload += ",\"destination_db\":";
    vm::AppendJsonString(&payload, done.job->destination_db);
    payload += ",\"interval\":";
    vm::AppendJsonString(&payload, FormatDuration(done.job->interval));
    payload += ",\"from\":";
    vm::AppendJsonString(&payload, FormatRfc3339(done.from));
    payload += ",\"to\":";
    vm::AppendJsonString(&payload, FormatRfc3339(done.to));
    payload += ",\"series\":" + std::to_string(done.series) +
               ",\"points\":" + std::to_string(done.points) + "}";
    Event e;
    e.name = "nanotdb.rollup.window.done";
    e.value = Value::Int64(static_cast<int64_t>(done.points));
    e.payload = std::move(payload);
    s_.events->Emit(std::move(e));
  }
}

void Roller::RunSource(const std::string& db, const RollupConfig& cfg, PassStats* stats,
                       const ProgressFn& progress) {
  if (!cfg.enabled || cfg.jobs.empty()) return;
  Result<std::vector<MetricInfo>> metrics = s_.query->ListMetrics(db);
  if (!metrics.ok()) {
    stats->errors.push_back("rollup of " + db + ": " + metrics.status().message());
    return;
  }
  // Expand the jobs against the catalog.
  std::vector<Expanded> expanded;
  std::map<std::pair<std::string, std::string>, std::string> owners;  // (db, output) -> job
  for (const RollupJob& job : cfg.jobs) {
    for (const MetricInfo& m : *metrics) {
      Expanded e;
      if (job.parent < 0 ? !JobTakes(job, m.name, &e.key)
                         : !CascadeTakes(cfg, job, m.name, &e.key)) {
        continue;
      }
      e.job = &job;
      e.source = m.name;
      e.last = m.last;
      Result<SeriesName> series = ParseSeriesKey(m.name);
      if (!series.ok()) continue;  // the catalog holds canonical keys only
      const RollupJob& root = cfg.jobs[job.root];
      const std::string prefix =
          root.destination_metric_prefix.empty() ? series->metric : root.destination_metric_prefix;
      if (job.parent >= 0) {
        const RollupJob& parent = cfg.jobs[job.parent];
        if (parent.parent < 0) {
          JobTakes(parent, m.name, &e.parent_key);
        } else {
          CascadeTakes(cfg, parent, m.name, &e.parent_key);
        }
        for (Aggregate a : parent.aggregates) {
          Result<std::string> in = MakeSeriesKey(prefix + "." + AggregateName(a), series->labels);
          if (in.ok()) e.parent_outputs.emplace(a, std::move(*in));
        }
      }
      bool usable = true;
      for (Aggregate a : job.aggregates) {
        Result<std::string> out = MakeSeriesKey(prefix + "." + AggregateName(a), series->labels);
        if (!out.ok()) {
          stats->errors.push_back("rollup job " + e.key + " of " + db +
                                  ": output name: " + out.status().message());
          ReportOnce("name " + db + " " + e.key, stats->errors.back());
          usable = false;
          break;
        }
        auto [it, fresh] = owners.try_emplace({job.destination_db, *out}, e.key);
        if (!fresh) {
          stats->errors.push_back("rollup job " + e.key + " of " + db + ": output " +
                                  job.destination_db + "/" + *out + " is written by job " +
                                  it->second +
                                  " already; give one of them another "
                                  "destination_db or destination_metric_prefix");
          ReportOnce("collision " + db + " " + e.key, stats->errors.back());
          usable = false;
          break;
        }
        e.outputs.push_back(std::move(*out));
      }
      if (usable) expanded.push_back(std::move(e));
    }
  }
  // Cascades after the jobs they read, each level committed before the next one reads it.
  std::sort(expanded.begin(), expanded.end(), [](const Expanded& a, const Expanded& b) {
    return std::tie(a.job->depth, a.key) < std::tie(b.job->depth, b.key);
  });

  Checkpoints checkpoints;
  const std::string cp_name = CheckpointName(db, cfg.checkpoint_file);
  auto load_checkpoints = [&]() -> bool {
    checkpoints.clear();
    if (Result<std::string> text = s_.files->Read(cp_name); text.ok()) {
      Result<Checkpoints> parsed = ParseCheckpoints(*text);
      if (parsed.ok()) {
        checkpoints = std::move(*parsed);
      } else {
        // Safe to start over: outputs already in the destination are skipped.
        ReportOnce("cp " + db, "rollup: checkpoints " + s_.files->PathOf(cp_name) +
                                   " unreadable (" + parsed.status().message() +
                                   "); recomputing every job of " + db);
      }
    } else if (!text.status().IsNotFound()) {
      stats->errors.push_back("rollup of " + db + ": " + text.status().message());
      return false;
    }
    return true;
  };
  if (!load_checkpoints()) return;

  const Timestamp now = s_.now();
  Batch batch;
  std::map<std::string, Status> ensured;  // destination -> exists, or why it cannot be created
  size_t done = 0;
  int depth = 0;
  for (const Expanded& e : expanded) {
    if (cancelled_.load()) break;
    ++done;
    const RollupJob& job = *e.job;
    if (job.depth > depth) {
      // A cascade reads what its parent made durable: commit that, then see how far it got.
      if (!Commit(db, cfg, &batch, stats) || !load_checkpoints()) return;
      depth = job.depth;
    }
    const RollupJob* parent = job.parent < 0 ? nullptr : &cfg.jobs[job.parent];
    const int64_t interval = job.interval;
    Timestamp safe_end;
    if (parent == nullptr) {
      if (!e.last) continue;  // no samples yet
      safe_end = std::max(FloorTo(now - job.grace, interval), FloorTo(e.last->ts, interval));
    } else {
      // A cascade period is complete once its parent rolled up every period inside it.
      auto it = checkpoints.find(e.parent_key);
      if (it == checkpoints.end()) continue;
      safe_end = FloorTo(it->second, interval);
    }
    Timestamp start;
    if (auto it = checkpoints.find(e.key); it != checkpoints.end()) {
      start = it->second;
    } else {
      // From the first sample: of the source series, or of the parent's first output.
      const std::string& read_db = parent == nullptr ? db : parent->destination_db;
      const std::string* read_key = &e.source;
      if (parent != nullptr) {
        auto in = e.parent_outputs.find(parent->aggregates.front());
        if (in == e.parent_outputs.end()) continue;
        read_key = &in->second;
      }
      std::optional<Timestamp> first;
      Status st = s_.query->ReadRange(read_db, *read_key, kMinTimestamp, kMaxTimestamp, 1,
                                      [&](const Sample& s) {
                                        first = s.ts;
                                        return false;
                                      });
      if (!st.ok() || !first) continue;
      start = FloorTo(*first, interval);
    }
    if (start >= safe_end) continue;
    auto [dest, fresh] = ensured.try_emplace(job.destination_db);
    if (fresh) {
      dest->second = EnsureDestination(db, job);
      if (!dest->second.ok()) {
        // Once per destination and pass: its jobs wait (retention keeps their raw data) and
        // the next pass tries again.
        stats->errors.push_back("rollup job \"" + job.id + "\" of " + db + ": " +
                                dest->second.message() +
                                "; the jobs writing into it wait until it can be created");
        ReportOnce("dest " + job.destination_db, stats->errors.back());
      }
    }
    if (!dest->second.ok()) continue;
    ++stats->jobs;
    // What an earlier, interrupted run already made durable.
    std::vector<std::optional<Timestamp>> written(e.outputs.size());
    for (size_t a = 0; a < e.outputs.size(); ++a) {
      Result<MetricInfo> out = s_.query->GetMetric(job.destination_db, e.outputs[a]);
      if (out.ok() && out->last) written[a] = out->last->ts;
    }
    const int64_t chunk = std::max<int64_t>(1, kChunkSpan / interval) * interval;
    std::vector<Bucket> buckets;
    while (start < safe_end && batch.failed.count(e.key) == 0 && !cancelled_.load()) {
      const Timestamp end = safe_end - start > chunk ? start + chunk : safe_end;
      Status st = parent == nullptr ? s_.query->AggregateRange(db, e.source, start, end - 1,
                                                               interval, job.aggregates, &buckets)
                                    : CascadeBuckets(e, *parent, start, end, &buckets);
      if (!st.ok()) {
        stats->errors.push_back("rollup job " + e.key + " of " + db + ": reading " +
                                (parent == nullptr ? e.source : parent->destination_db) + ": " +
                                st.message());
        ReportOnce("read " + db + " " + e.key, stats->errors.back());
        break;
      }
      Window& window = batch.windows.try_emplace(e.key, Window{&job, start}).first->second;
      for (const Bucket& b : buckets) {
        for (size_t a = 0; a < e.outputs.size(); ++a) {
          if (written[a] && b.start <= *written[a]) continue;
          batch.points.push_back({&job.destination_db, e.outputs[a], b.start, b.values[a], &e.key});
          ++window.points;
        }
      }
      if (!buckets.empty()) batch.destinations.insert(job.destination_db);
      stats->periods += static_cast<uint64_t>((end - start) / interval);
      batch.progress[e.key] = end;
      start = end;
      if (batch.points.size() >= kCommitPoints && !Commit(db, cfg, &batch, stats)) return;
    }
    if (progress) progress(db, done, expanded.size(), stats->points_written);
  }
  Commit(db, cfg, &batch, stats);
  if (progress) progress(db, expanded.size(), expanded.size(), stats->points_written);
}

Status Roller::CascadeBuckets(const Expanded& e, const RollupJob& parent, Timestamp start,
                              Timestamp end, std::vector<Bucket>* out) {
  const RollupJob& job = *e.job;
  out->clear();
  // Each input (parent output, aggregate over its periods) read once: period start -> value.
  std::map<std::pair<Aggregate, Aggregate>, std::map<Timestamp, double>> inputs;
  std::vector<Bucket> buckets;
  for (Aggregate a : job.aggregates) {
    for (const auto& in : CascadeInputs(a, parent.aggregates)) {
      if (inputs.count(in) > 0) continue;
      auto key = e.parent_outputs.find(in.first);
      if (key == e.parent_outputs.end()) return Status::Ok();
      NANOTDB_RETURN_IF_ERROR(s_.query->AggregateRange(
          parent.destination_db, key->second, start, end - 1, job.interval, {in.second}, &buckets));
      std::map<Timestamp, double>& values = inputs[in];
      for (const Bucket& b : buckets) values.emplace(b.start, b.values[0]);
    }
  }
  // A period the parent wrote outputs for; they are written together, so each input has it.
  const std::map<Timestamp, double>& periods = inputs.begin()->second;
  for (const auto& [ts, ignored] : periods) {
    Bucket b;
    b.start = ts;
    b.end = ts + job.interval;
    bool complete = true;
    for (Aggregate a : job.aggregates) {
      double v = 0;
      const auto ins = CascadeInputs(a, parent.aggregates);
      for (size_t i = 0; i < ins.size() && complete; ++i) {
        auto it = inputs[ins[i]].find(ts);
        if (it == inputs[ins[i]].end()) {
          complete = false;
        } else {
          v = i == 0 ? it->second : v / it->second;  // avg: the sum over the count
        }
      }
      b.values.push_back(v);
    }
    if (complete) out->push_back(std::move(b));
  }
  return Status::Ok();
}

bool Roller::Order(const std::map<std::string, RollupConfig>& configs,
                   std::vector<std::string>* order, std::string* cycle) {
  // Kahn's algorithm over "source -> destination" edges among the sources, by name on ties.
  std::map<std::string, std::set<std::string>> into;  // db -> sources writing into it
  for (const auto& [db, cfg] : configs) {
    into[db];
    for (const RollupJob& job : cfg.jobs) {
      if (configs.count(job.destination_db) > 0) into[job.destination_db].insert(db);
    }
  }
  std::set<std::string> ready;
  for (const auto& [db, from] : into) {
    if (from.empty()) ready.insert(db);
  }
  order->clear();
  while (!ready.empty()) {
    std::string db = *ready.begin();
    ready.erase(ready.begin());
    order->push_back(db);
    for (auto& [other, from] : into) {
      if (from.erase(db) > 0 && from.empty()) ready.insert(other);
    }
  }
  if (order->size() == into.size()) return true;
  cycle->clear();
  for (const auto& [db, from] : into) {
    if (from.empty()) continue;
    if (!cycle->empty()) *cycle += ", ";
    *cycle += db;
  }
  return false;
}

PassReport Roller::LastPass() const {
  std::lock_guard lock(status_mu_);
  return last_pass_;
}

PassStats Roller::RunOnce() {
  std::lock_guard lock(run_mu_);
  const auto started = std::chrono::steady_clock::now();
  PassStats stats;
  std::map<std::string, RollupConfig> configs;
  for (const std::string& db : s_.query->ListDatabases(false)) {
    Result<RollupConfig> cfg = LoadConfig(db);
    if (!cfg.ok()) {
      if (cfg.status().IsNotFound()) continue;  // removed meanwhile, or no manifest
      stats.errors.push_back("rollups of " + db + " not run: " + cfg.status().message());
      ReportOnce("config " + db, stats.errors.back());
      continue;
    }
    reported_.erase("config " + db);
    if (cfg->enabled && !cfg->jobs.empty()) configs.emplace(db, std::move(*cfg));
  }
  std::vector<std::string> order;
  std::string cycle;
  if (!Order(configs, &order, &cycle)) {
    stats.errors.push_back("rollups form a cycle among " + cycle +
                           "; those databases are not rolled up (a destination must not roll "
                           "up into one of its sources)");
    ReportOnce("cycle", stats.errors.back());
  }
  for (const std::string& db : order) RunSource(db, configs[db], &stats, nullptr);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  std::lock_guard status(status_mu_);
  ++last_pass_.passes;
  last_pass_.finished = s_.now();
  last_pass_.duration_ms = ms;
  last_pass_.stats = stats;
  return stats;
}

Result<BackfillReport> Roller::Backfill(const std::vector<std::string>& requested,
                                        const ProgressFn& progress) {
  std::lock_guard lock(run_mu_);
  const auto started = std::chrono::steady_clock::now();
  BackfillReport report;
  std::set<std::string> wanted(requested.begin(), requested.end());
  report.requested_sources.assign(wanted.begin(), wanted.end());

  std::map<std::string, RollupConfig> all;  // databases with rollup jobs
  for (const std::string& db : s_.query->ListDatabases(false)) {
    Result<RollupConfig> cfg = LoadConfig(db);
    if (!cfg.ok()) {
      if (cfg.status().IsNotFound()) continue;
      if (wanted.empty() || wanted.count(db) > 0) return cfg.status();
      continue;
    }
    if (cfg->enabled && !cfg->jobs.empty()) all.emplace(db, std::move(*cfg));
  }
  std::deque<std::string> queue;
  if (wanted.empty()) {
    for (const auto& [db, cfg] : all) queue.push_back(db);
  } else {
    for (const std::string& db : wanted) {
      NANOTDB_RETURN_IF_ERROR(ValidateDatabaseName(db));
      if (!s_.query->DatabaseExists(db)) {
        return Status::NotFound("database \"" + db + "\" does not exist");
      }
      if (all.count(db) == 0) {
        return Status::InvalidArgument("database \"" + db +
                                       "\" defines no rollup jobs (its manifest.toml needs "
                                       "[rollups] enabled = true and [[rollups.jobs]])");
      }
      queue.push_back(db);
    }
  }
  // Sources and, transitively, destinations that roll up further.
  std::map<std::string, RollupConfig> sources;
  std::set<std::string> destinations;
  while (!queue.empty()) {
    std::string db = queue.front();
    queue.pop_front();
    auto it = all.find(db);
    if (it == all.end() || sources.count(db) > 0) continue;
    sources.emplace(db, it->second);
    for (const RollupJob& job : it->second.jobs) {
      destinations.insert(job.destination_db);
      queue.push_back(job.destination_db);
    }
  }
  std::vector<std::string> order;
  std::string cycle;
  if (!Order(sources, &order, &cycle)) {
    return Status::InvalidArgument("rollups form a cycle among " + cycle +
                                   "; backfill would empty databases holding source data");
  }
  report.source_databases = order;
  report.destination_databases.assign(destinations.begin(), destinations.end());
  for (const std::string& dest : destinations) {
    if (!s_.query->DatabaseExists(dest)) continue;
    NANOTDB_RETURN_IF_ERROR(s_.databases->ClearDatabase(dest, &report.cleared_files)
                                .WithContext("emptying rollup destination " + dest));
    Log(LogLevel::kInfo, "rollup backfill: emptied " + dest);
  }
  for (const auto& [db, cfg] : sources) {
    const std::string name = CheckpointName(db, cfg.checkpoint_file);
    if (!s_.files->Exists(name)) continue;
    NANOTDB_RETURN_IF_ERROR(s_.files->Remove(name));
    report.cleared_checkpoint_files.push_back(s_.files->PathOf(name));
  }
  for (const std::string& db : order) RunSource(db, sources[db], &report.stats, progress);
  report.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  Log(LogLevel::kInfo, "rollup backfill of " + std::to_string(order.size()) +
                           " source databases: " + std::to_string(report.stats.points_written) +
                           " points written in " + std::to_string(report.duration_ms) + " ms");
  if (!report.stats.errors.empty()) {
    std::string all_errors;
    for (const std::string& e : report.stats.errors) {
      if (!all_errors.empty()) all_errors += "; ";
      all_errors += e;
    }
    return Status::Internal("backfill incomplete: " + all_errors);
  }
  return report;
}

}  // namespace nanotdb::rollup
