// MetricFileBuilder: rewrites sealed partitions of a database into metric files through the
// core's PartitionService (nanotdb/services/partitions.h): reads every sample of the raw data
// file, encodes the metric file (metric_file.h), has the core write it atomically, optionally
// proves it equal to the raw data sample for sample (re-reading both: same series, ids,
// types, names, timestamps and value bits), and only then applies the raw action (keep,
// rename to raw-<part>.dat, delete).
//
// Used by the plugin on seal and by `nanocli build metric`. Not thread-safe: one builder per
// thread; the PartitionService is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/services/partitions.h"
#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb::metricfiles {

struct BuildOptions {
  std::string partition;  // "" = every sealed partition of the database
  bool verify = true;
  RawAction raw_action = RawAction::kKeep;
  // Partitions ending at or before this are sealed (take no more samples in normal operation).
  Timestamp sealed_before = kMaxTimestamp;
};

struct BuildReport {
  std::string db, partition;
  // "built", "up to date" (the metric file matches the raw data file), "sealed" (only the
  // metric file is left), "skipped" (open, or not sealed yet; `detail` says why), "failed".
  std::string outcome;
  std::string detail;
  uint64_t raw_bytes = 0, metric_bytes = 0;
  uint64_t samples = 0, series = 0;
  bool verified = false;
  std::string raw_action;  // what was done to the raw data file: "kept", "renamed", "deleted"
  double build_ms = 0, verify_ms = 0;
};

class MetricFileBuilder {
 public:
  explicit MetricFileBuilder(PartitionService& partitions) : partitions_(partitions) {}

  // Builds (or verifies and replaces, per opts) every sealed partition of `db`, or the one
  // opts.partition names (InvalidArgument when that one is unknown, open or not sealed).
  // A partition that fails is reported ("failed", with the reason) and the others go on; the
  // Status is then the first failure.
  Status BuildDatabase(std::string_view db, const BuildOptions& opts,
                       std::vector<BuildReport>* out);

 private:
  Status BuildPartition(std::string_view db, const PartitionFiles& p, const BuildOptions& opts,
                        BuildReport* out);
  Status Verify(std::string_view db, const PartitionFiles& p, std::string* detail);
  PartitionService& partitions_;
};

}  // namespace nanotdb::metricfiles
