#include "builder.h"

#include <chrono>

#include "metric_file.h"

namespace nanotdb::metricfiles {
namespace {

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// The raw data file the metric file at `path` was built from still is the partition's.
bool UpToDate(const PartitionFiles& p) {
  if (!p.metric || !p.raw) return false;
  auto reader = MetricFileReader::OpenPath(p.metric_path);
  return reader.ok() && (*reader)->source().bytes == p.raw_bytes;
}

}  // namespace

Status MetricFileBuilder::BuildDatabase(std::string_view db, const BuildOptions& opts,
                                        std::vector<BuildReport>* out) {
  NANOTDB_ASSIGN_OR_RETURN(std::vector<PartitionFiles> parts, partitions_.ListPartitions(db));
  Status first;
  bool named_found = false;
  for (const PartitionFiles& p : parts) {
    if (!opts.partition.empty() && p.key != opts.partition) continue;
    named_found = true;
    BuildReport r;
    r.db = std::string(db);
    r.partition = p.key;
    r.raw_bytes = p.raw_bytes;
    r.metric_bytes = p.metric_bytes;
    if (p.open || p.end > opts.sealed_before) {
      r.outcome = "skipped";
      r.detail = p.open ? "it has samples not yet in its data file" : "it is not sealed yet";
      if (!opts.partition.empty()) {
        return Status::InvalidArgument("partition " + p.key + " of database " + std::string(db) +
                                       " cannot be built: " + r.detail);
      }
      out->push_back(std::move(r));
      continue;
    }
    if (!p.raw) {
      r.outcome = "sealed";
      r.detail = "only the metric file holds it";
      out->push_back(std::move(r));
      continue;
    }
    Status st = BuildPartition(db, p, opts, &r);
    if (!st.ok()) {
      r.outcome = "failed";
      r.detail = st.message();
      if (first.ok()) first = st;
    }
    out->push_back(std::move(r));
  }
  if (!opts.partition.empty() && !named_found) {
    return Status::InvalidArgument("database " + std::string(db) + " has no partition " +
                                   opts.partition);
  }
  return first;
}

Status MetricFileBuilder::BuildPartition(std::string_view db, const PartitionFiles& p,
                                         const BuildOptions& opts, BuildReport* out) {
  const auto start = std::chrono::steady_clock::now();
  uint64_t raw_bytes = p.raw_bytes;
  if (UpToDate(p)) {
    out->outcome = "up to date";
  } else {
    std::vector<RawSeries> raw;
    uint32_t frames = 0;
    NANOTDB_RETURN_IF_ERROR(partitions_.ReadRawPartition(db, p.key, &raw, &raw_bytes, &frames));
    std::vector<SeriesInput> series;
    series.reserve(raw.size());
    for (RawSeries& s : raw) {
      if (s.samples.empty()) continue;
      series.push_back(SeriesInput{s.id, s.type, std::move(s.name), std::move(s.samples)});
    }
    if (series.empty()) return Status::InvalidArgument(p.raw_path + " holds no samples");
    NANOTDB_ASSIGN_OR_RETURN(std::string bytes,
                             EncodeMetricFile(series, SourceInfo{raw_bytes, frames}));
    NANOTDB_RETURN_IF_ERROR(partitions_.WriteMetricFile(db, p.key, bytes));
    out->outcome = "built";
    out->metric_bytes = bytes.size();
  }
  out->raw_bytes = raw_bytes;
  out->build_ms = MsSince(start);
  auto reader = MetricFileReader::OpenPath(p.metric_path);
  if (!reader.ok()) return reader.status();
  out->metric_bytes = (*reader)->file_bytes();
  out->series = (*reader)->series().size();
  for (const SeriesEntry& s : (*reader)->series()) out->samples += s.count;
  if (opts.verify) {
    const auto verify_start = std::chrono::steady_clock::now();
    std::string detail;
    Status st = Verify(db, p, &detail);
    out->verify_ms = MsSince(verify_start);
    if (!st.ok()) return st;
    out->verified = true;
  } else if (opts.raw_action != RawAction::kKeep) {
    return Status::InvalidArgument("raw_ingest_action " +
                                   std::string(RawActionName(opts.raw_action)) +
                                   " needs verify: the raw data is removed only once the metric "
                                   "file is proven equal to it");
  }
  NANOTDB_RETURN_IF_ERROR(partitions_.ReplaceRawData(db, p.key, opts.raw_action, raw_bytes));
  out->raw_action = opts.raw_action == RawAction::kKeep     ? "kept"
                    : opts.raw_action == RawAction::kRename ? "renamed"
                                                            : "deleted";
  return Status::Ok();
}

Status MetricFileBuilder::Verify(std::string_view db, const PartitionFiles& p,
                                 std::string* detail) {
  std::vector<RawSeries> raw;
  uint64_t raw_bytes = 0;
  uint32_t frames = 0;
  NANOTDB_RETURN_IF_ERROR(partitions_.ReadRawPartition(db, p.key, &raw, &raw_bytes, &frames));
  NANOTDB_ASSIGN_OR_RETURN(auto reader, MetricFileReader::OpenPath(p.metric_path));
  auto mismatch = [&](const std::string& what) {
    *detail = what;
    return Status::Corruption("verify failed: " + p.metric_path + " differs from " + p.raw_path +
                              ": " + what + "; the raw data file was left in place");
  };
  if (reader->source().bytes != raw_bytes) {
    return mismatch("it was built from " + std::to_string(reader->source().bytes) +
                    " bytes of raw data, the file now holds " + std::to_string(raw_bytes));
  }
  size_t non_empty = 0;
  std::vector<Sample> got;
  for (const RawSeries& s : raw) {
    if (s.samples.empty()) continue;
    ++non_empty;
    const SeriesEntry* e = reader->Find(s.id);
    const std::string who = "series " + std::to_string(s.id) + " (" + s.name + ")";
    if (e == nullptr) return mismatch(who + " is missing");
    if (e->type != s.type) return mismatch(who + " has another value type");
    if (e->name != s.name) return mismatch(who + " is named \"" + e->name + "\"");
    got.clear();
    NANOTDB_RETURN_IF_ERROR(reader->ReadAll(s.id, &got));
    if (got.size() != s.samples.size()) {
      return mismatch(who + " has " + std::to_string(got.size()) + " samples, the raw data " +
                      std::to_string(s.samples.size()));
    }
    for (size_t i = 0; i < got.size(); ++i) {
      if (got[i] != s.samples[i]) {
        return mismatch(who + " differs at sample " + std::to_string(i) + " (timestamp " +
                        std::to_string(s.samples[i].ts) + ")");
      }
    }
  }
  if (reader->series().size() != non_empty) {
    return mismatch("it holds " + std::to_string(reader->series().size()) +
                    " series, the raw data " + std::to_string(non_empty));
  }
  return Status::Ok();
}

}  // namespace nanotdb::metricfiles
