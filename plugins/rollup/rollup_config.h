// The [rollups] section of a source database's manifest.toml (docs/rollups.md): the defaults
// and the [[rollups.jobs]] that say which metrics of the database are rolled up, how often,
// with which aggregates, into which destination database. Parsed and validated here; pure
// functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/query_types.h"
#include "nanotdb/status.h"

namespace nanotdb::rollup {

inline constexpr const char* kDefaultCheckpointFile = "rollup.checkpoints.log";
// Grace when neither the job nor rollups.default_grace sets one.
inline constexpr int64_t kDefaultGrace = 5 * 60 * int64_t{1'000'000'000};

struct RollupJob {
  std::string id;
  // Exactly one of source_metric, source_pattern and source_job is set. source_metric is a
  // metric name (every series of that name, whatever its labels) or a canonical series key
  // with labels (that series only). source_job names another job of the same manifest: this
  // job is a cascade of it (see `parent`).
  std::string source_metric;
  std::string source_pattern;  // glob over metric names: '*', '?', [abc], [a-z], [!a]
  std::string source_job;
  std::vector<std::string> exclude_patterns;  // rollups.global_exclude_patterns, then the job's
  int64_t interval = 0;                       // ns, > 0
  std::vector<Aggregate> aggregates;          // non-empty
  std::string destination_db;
  std::string destination_metric_prefix;  // "" = the source metric's name
  int64_t grace = kDefaultGrace;          // ns, >= 0
  // Set on the destination when the plugin creates it: retention_days = this,
  // retention_action = "delete". 0: the destination keeps everything.
  int destination_retention_days = 0;
  uint32_t line = 0;  // of [[rollups.jobs]] in the manifest, for messages

  // A cascade (source_job set) rolls up, per source series of its root job, that job's
  // outputs into coarser periods: its interval is a multiple of its parent's, each aggregate is
  // computed exactly from the parent's (CascadeInputs), and its outputs have the root job's
  // names (`<prefix>.<aggregate>{labels}`) in its own destination_db. Indices into
  // RollupConfig::jobs; -1 for a job that reads the source database itself.
  int parent = -1;
  int root = -1;  // the job reading the source database (the job itself when parent is -1)
  int depth = 0;  // 0 for a root job, parent's depth + 1 for a cascade
};

// What a cascade reads of its parent's outputs to compute `a` over a coarser period: pairs
// (parent aggregate, aggregate applied over the parent's periods): min of mins, max of maxes,
// sum of sums, sum of counts, first of firsts, last of lasts; avg reads sum and count (their
// ratio). Empty when `parent_aggregates` cannot give `a` exactly (median, p95, p99,
// trimmed_avg, or what the parent does not write).
std::vector<std::pair<Aggregate, Aggregate>> CascadeInputs(
    Aggregate a, const std::vector<Aggregate>& parent_aggregates);

struct RollupConfig {
  bool enabled = false;
  std::string checkpoint_file = kDefaultCheckpointFile;
  std::vector<RollupJob> jobs;  // empty when not enabled (jobs are then not validated)
};

// Parses the [rollups] section of manifest text (`source` names the file in messages, `db` is
// the database it belongs to). A manifest without [rollups] is a disabled config. Errors are
// InvalidArgument "<source>:<line>: rollups.jobs[<n>] (id \"<id>\"): <key>: <problem>"
// (or "rollups.<key>: ..." for the section's own keys). Unknown keys add warnings.
Result<RollupConfig> ParseRollupConfig(std::string_view manifest_text, std::string_view source,
                                       std::string_view db, std::vector<std::string>* warnings);

// Whether `job` rolls up the source series `series_key` (a canonical key): a source_metric
// naming its metric (a bare name) or equal to the key (one with labels), or a source_pattern
// matching its metric name and no exclude pattern matching it. Sets *checkpoint_key (when not
// null) to the job's checkpoint key for it: "<id>" for the series a source_metric names
// exactly (the bare name unlabelled, or the labelled key), else "<id>::<series key>".
// A cascade takes no source series itself (false): it takes those of its root job
// (CascadeTakes).
bool JobTakes(const RollupJob& job, std::string_view series_key,
              std::string* checkpoint_key = nullptr);
// Whether cascade `job` of `cfg` rolls up `series_key` (its root job takes it), with its
// checkpoint key: the root's key for the series with the cascade's id in front.
bool CascadeTakes(const RollupConfig& cfg, const RollupJob& job, std::string_view series_key,
                  std::string* checkpoint_key = nullptr);

// Shell glob match of a whole name: '*' any run, '?' one character, [abc], [a-z], [!abc] or
// [^abc] one character of (not of) the set. ValidateGlob rejects an unclosed '['.
bool GlobMatch(std::string_view pattern, std::string_view name);
Status ValidateGlob(std::string_view pattern);

}  // namespace nanotdb::rollup
