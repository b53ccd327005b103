#include "retention_hold.h"

#include <optional>

#include "checkpoints.h"
#include "nanotdb/time_util.h"
#include "rollup_config.h"

namespace nanotdb::rollup {
namespace {

Timestamp FloorTo(Timestamp ts, int64_t interval) {
  Timestamp q = ts / interval;
  if (ts % interval != 0 && ts < 0) --q;
  return q * interval;
}

}  // namespace

RetentionHold RollupRetentionHold::HoldFor(std::string_view db) noexcept {
  RetentionHold hold;
  Result<std::string> text = databases_.ManifestText(db);
  if (!text.ok()) return hold;  // gone meanwhile
  const std::string source = std::string(db) + "/manifest.toml";
  std::vector<std::string> warnings;
  Result<RollupConfig> cfg = ParseRollupConfig(*text, source, db, &warnings);
  if (!cfg.ok()) {
    hold.from = kMinTimestamp;
    hold.holder = "the rollups of " + std::string(db) + " do not run (" + cfg.status().message() +
                  "); fix " + source + " and they roll up what is kept";
    return hold;
  }
  if (!cfg->enabled || cfg->jobs.empty()) return hold;
  Result<std::vector<MetricInfo>> metrics = query_.ListMetrics(db);
  if (!metrics.ok()) return hold;

  Checkpoints checkpoints;
  const std::string cp_name = CheckpointName(db, cfg->checkpoint_file);
  if (Result<std::string> cp = files_.Read(cp_name); cp.ok()) {
    Result<Checkpoints> parsed = ParseCheckpoints(*cp);
    if (parsed.ok()) checkpoints = std::move(*parsed);  // else: the jobs start over, from the
  }                                                     // first sample of each series

  std::string key;
  for (const RollupJob& job : cfg->jobs) {
    for (const MetricInfo& m : *metrics) {
      if (!m.last || !JobTakes(job, m.name, &key)) continue;
      Timestamp from;
      std::string what;
      if (auto it = checkpoints.find(key); it != checkpoints.end()) {
        from = it->second;
        what = "has not rolled up data from " + FormatRfc3339(from);
      } else {
        std::optional<Timestamp> first;
        Status st =
            query_.ReadRange(db, m.name, kMinTimestamp, kMaxTimestamp, 1, [&](const Sample& s) {
              first = s.ts;
              return false;
            });
        if (!st.ok() || !first) continue;
        from = FloorTo(*first, job.interval);
        what = "has rolled up nothing yet (data from " + FormatRfc3339(from) + ")";
      }
      if (from >= hold.from) continue;
      hold.from = from;
      hold.holder = "rollup job \"" + job.id + "\" (" + m.name + " -> " + job.destination_db +
                    ", " + FormatDuration(job.interval) + ") " + what;
    }
  }
  return hold;
}

}  // namespace nanotdb::rollup
