#include "rollup_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "nanotdb/series.h"
#include "nanotdb/stale_marker.h"

namespace nanotdb::rollup {
namespace {

constexpr size_t kMaxLevels = 8;  // bounds a cascade chain (cycles are refused by the plugin)

// Epoch-aligned period arithmetic that stays inside int64 at the extremes of open ranges.
Timestamp FloorTo(Timestamp ts, int64_t interval) {
  const Timestamp r = ts % interval;
  if (r == 0) return ts;
  if (ts > 0) return ts - r;
  Timestamp out;
  if (__builtin_sub_overflow(ts - r, interval, &out)) return kMinTimestamp;
  return out;
}

Timestamp CeilTo(Timestamp ts, int64_t interval) {
  const Timestamp r = ts % interval;
  if (r == 0) return ts;
  if (ts < 0) return ts - r;
  Timestamp out;
  if (__builtin_add_overflow(ts - r, interval, &out)) return kMaxTimestamp;
  return out;
}

// The raw aggregate a cascade computes when it applies `outer` to a level's `inner` outputs,
// if that is one.
std::optional<Aggregate> ComposeExactly(Aggregate inner, Aggregate outer) {
  using A = Aggregate;
  if (inner == A::kCount) return outer == A::kSum ? std::optional(A::kCount) : std::nullopt;
  switch (inner) {
    case A::kMin:
    case A::kMax:
    case A::kSum:
    case A::kFirst:
    case A::kLast:
      if (outer == inner) return inner;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

bool Combinable(Aggregate a) {
  switch (a) {
    case Aggregate::kMin:
    case Aggregate::kMax:
    case Aggregate::kSum:
    case Aggregate::kCount:
    case Aggregate::kFirst:
    case Aggregate::kLast:
      return true;
    default:
      return false;
  }
}

// The series a job writes for `aggregate` of source series `key` (as the Roller names it).
std::optional<std::string> OutputKey(const RollupJob& job, std::string_view key,
                                     Aggregate aggregate) {
  Result<SeriesName> name = ParseSeriesKey(key);
  if (!name.ok()) return std::nullopt;
  const std::string& prefix =
      job.destination_metric_prefix.empty() ? name->metric : job.destination_metric_prefix;
  Result<std::string> out = MakeSeriesKey(prefix + "." + AggregateName(aggregate), name->labels);
  if (!out.ok()) return std::nullopt;
  return *out;
}

// What a level must hold to answer `aggs` at `window`: the stored aggregates to read, or
// nullopt when it cannot.
std::optional<std::vector<Aggregate>> Needed(const RollupLevel& level, int64_t window,
                                             const std::vector<Aggregate>& aggs) {
  if (window % level.interval != 0) return std::nullopt;
  std::vector<Aggregate> need;
  auto add = [&](Aggregate a) {
    if (std::find(need.begin(), need.end(), a) == need.end()) need.push_back(a);
  };
  auto has = [&](Aggregate a) { return level.series.count(a) > 0; };
  for (Aggregate a : aggs) {
    if (Combinable(a) && has(a)) {
      add(a);
    } else if (a == Aggregate::kAvg && has(Aggregate::kSum) && has(Aggregate::kCount)) {
      add(Aggregate::kSum);
      add(Aggregate::kCount);
    } else if (window == level.interval && has(a)) {
      add(a);  // one period per bucket: the period's own value
    } else {
      return std::nullopt;
    }
  }
  if (has(Aggregate::kCount)) add(Aggregate::kCount);  // keeps Bucket::count exact
  return need;
}

// A usable level with what it covers.
struct Plan {
  const RollupLevel* level = nullptr;
  std::vector<Aggregate> need;
  std::vector<std::string> keys;  // per need
  Timestamp covered_end = 0;      // end of the last period its series hold
  RollupLevelUse use;
};

// Buckets of the answer, filled in time order from whole periods and raw samples.
class Buckets {
 public:
  Buckets(Timestamp from, Timestamp to, int64_t window, const std::vector<Aggregate>& aggs,
          std::vector<Bucket>* out)
      : from_(from), to_(to), window_(window), aggs_(aggs), out_(out) {
    keep_values_ = std::any_of(aggs.begin(), aggs.end(), AggregateNeedsValues);
    direct_.resize(aggs.size());
  }

  void AddSample(Timestamp ts, double v) {
    Enter(ts);
    if (!has_first_) first_ = v, has_first_ = true;
    last_ = v;
    ++count_;
    sum_ += v;
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
    if (keep_values_) values_.push_back(v);
  }

  // One whole period; `stored` holds a value for each aggregate the level read.
  void AddPeriod(Timestamp ts, const std::map<Aggregate, double>& stored) {
    Enter(ts);
    auto get = [&](Aggregate a) -> std::optional<double> {
      auto it = stored.find(a);
      if (it == stored.end()) return std::nullopt;
      return it->second;
    };
    if (auto v = get(Aggregate::kFirst); v && !has_first_) first_ = *v, has_first_ = true;
    if (auto v = get(Aggregate::kLast)) last_ = *v;
    if (auto v = get(Aggregate::kCount)) count_ += static_cast<uint64_t>(std::llround(*v));
    if (auto v = get(Aggregate::kSum)) sum_ += *v;
    if (auto v = get(Aggregate::kMin)) min_ = std::min(min_, *v);
    if (auto v = get(Aggregate::kMax)) max_ = std::max(max_, *v);
    // What is not combined from parts is the period's own value (the window is one period).
    const bool avg_from_parts = get(Aggregate::kSum) && get(Aggregate::kCount);
    for (size_t i = 0; i < aggs_.size(); ++i) {
      const Aggregate a = aggs_[i];
      if (Combinable(a) || (a == Aggregate::kAvg && avg_from_parts)) continue;
      direct_[i] = get(a);
    }
  }

  void Finish() { Close(); }

 private:
  void Enter(Timestamp ts) {
    const Timestamp key = FloorTo(ts, window_);
    if (any_ && key != key_) Close();
    key_ = key;
    any_ = true;
  }

  void Close() {
    if (!any_) return;
    Bucket b;
    b.start = std::max(key_, from_);
    const Timestamp natural_end = key_ > kMaxTimestamp - window_ ? kMaxTimestamp : key_ + window_;
    b.end = std::min(natural_end, to_);
    b.count = count_;
    for (size_t i = 0; i < aggs_.size(); ++i) {
      if (direct_[i]) {
        b.values.push_back(*direct_[i]);
        continue;
      }
      switch (aggs_[i]) {
        case Aggregate::kMin:
          b.values.push_back(min_);
          break;
        case Aggregate::kMax:
          b.values.push_back(max_);
          break;
        case Aggregate::kSum:
          b.values.push_back(sum_);
          break;
        case Aggregate::kCount:
          b.values.push_back(static_cast<double>(count_));
          break;
        case Aggregate::kAvg:
          b.values.push_back(sum_ / static_cast<double>(count_));
          break;
        case Aggregate::kFirst:
          b.values.push_back(first_);
          break;
        case Aggregate::kLast:
          b.values.push_back(last_);
          break;
        default:
          b.values.push_back(ComputeAggregate(aggs_[i], values_));
          break;
      }
    }
    out_->push_back(std::move(b));
    any_ = false;
    has_first_ = false;
    count_ = 0;
    sum_ = 0;
    min_ = std::numeric_limits<double>::infinity();
    max_ = -std::numeric_limits<double>::infinity();
    first_ = last_ = 0;
    values_.clear();
    std::fill(direct_.begin(), direct_.end(), std::nullopt);
  }

  const Timestamp from_, to_;
  const int64_t window_;
  const std::vector<Aggregate>& aggs_;
  std::vector<Bucket>* out_;
  bool keep_values_ = false;
  bool any_ = false;
  Timestamp key_ = 0;
  bool has_first_ = false;
  uint64_t count_ = 0;
  double sum_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  double first_ = 0, last_ = 0;
  std::vector<double> values_;
  std::vector<std::optional<double>> direct_;  // per aggregate: a period's own value
};

}  // namespace

RollupReader::RollupReader(QueryService& query, DatabaseService& databases)
    : query_(query), databases_(databases) {}

RollupConfig RollupReader::Config(const std::string& db) {
  Result<std::string> text = databases_.ManifestText(db);
  if (!text.ok()) return {};
  std::lock_guard lock(mu_);
  CachedConfig& c = configs_[db];
  if (c.text != *text || (!c.valid && c.text.empty())) {
    c.text = std::move(*text);
    std::vector<std::string> warnings;
    Result<RollupConfig> cfg = ParseRollupConfig(c.text, db + "/manifest.toml", db, &warnings);
    c.valid = cfg.ok();
    c.config = cfg.ok() ? std::move(*cfg) : RollupConfig{};
  }
  if (!c.valid || !c.config.enabled) return {};
  return c.config;
}

std::vector<RollupLevel> RollupReader::Levels(std::string_view db, std::string_view series) {
  std::vector<RollupLevel> levels;
  auto level_for = [&](const std::string& dest, int64_t interval) -> RollupLevel* {
    for (RollupLevel& l : levels) {
      if (l.db == dest && l.interval == interval) return &l;
    }
    if (levels.size() >= kMaxLevels) return nullptr;
    levels.push_back(RollupLevel{dest, interval, {}});
    return &levels.back();
  };
  // The jobs of the series' database, cascades declared with source_job included: those hold
  // the raw aggregates of its periods under the root job's output names.
  const RollupConfig cfg = Config(std::string(db));
  for (const RollupJob& job : cfg.jobs) {
    if (job.parent < 0 ? !JobTakes(job, series) : !CascadeTakes(cfg, job, series)) continue;
    RollupLevel* l = level_for(job.destination_db, job.interval);
    if (l == nullptr) break;
    for (Aggregate a : job.aggregates) {
      if (std::optional<std::string> key = OutputKey(cfg.jobs[job.root], series, a)) {
        l->series.emplace(a, *key);
      }
    }
  }
  // Cascades in the destinations' own manifests: levels are appended while this walks them, so
  // index instead of iterating.
  for (size_t i = 0; i < levels.size(); ++i) {
    const RollupLevel finer = levels[i];
    const std::vector<RollupJob> jobs = Config(finer.db).jobs;
    for (const auto& [inner, key] : finer.series) {
      for (const RollupJob& job : jobs) {
        if (job.interval <= finer.interval || job.interval % finer.interval != 0) continue;
        if (!JobTakes(job, key)) continue;
        for (Aggregate outer : job.aggregates) {
          std::optional<Aggregate> exact = ComposeExactly(inner, outer);
          if (!exact) continue;
          std::optional<std::string> out = OutputKey(job, key, outer);
          if (!out) continue;
          RollupLevel* l = level_for(job.destination_db, job.interval);
          if (l == nullptr) break;
          l->series.emplace(*exact, *out);
        }
      }
    }
  }
  std::erase_if(levels, [](const RollupLevel& l) { return l.series.empty(); });
  std::stable_sort(levels.begin(), levels.end(), [](const RollupLevel& a, const RollupLevel& b) {
    return a.interval > b.interval;
  });
  return levels;
}

Status RollupReader::AggregateRange(std::string_view db, std::string_view series, Timestamp from,
                                    Timestamp to, int64_t window,
                                    const std::vector<Aggregate>& aggs, std::vector<Bucket>* out,
                                    ReadReport* report, RollupReadInfo* info) noexcept {
  out->clear();
  *info = RollupReadInfo{};
  if (window <= 0 || aggs.empty() || to < from) {
    info->reason = "not an aggregate query";
    return Status::Ok();
  }
  try {
    return Compose(db, series, from, to, window, aggs, out, report, info);
  } catch (const std::exception& e) {
    out->clear();
    *info = RollupReadInfo{};
    return Status::Internal(std::string("reading rollups: ") + e.what());
  }
}

Status RollupReader::Compose(std::string_view db, std::string_view series, Timestamp from,
                             Timestamp to, int64_t window, const std::vector<Aggregate>& aggs,
                             std::vector<Bucket>* out, ReadReport* report, RollupReadInfo* info) {
  Result<MetricInfo> raw = query_.GetMetric(db, series);
  if (!raw.ok()) {
    info->reason = raw.status().message();
    return Status::Ok();
  }
  const std::string key = raw->name;  // canonical
  const std::vector<RollupLevel> levels = Levels(db, key);
  if (levels.empty()) {
    info->reason = "no rollup job of " + std::string(db) + " takes " + key;
    return Status::Ok();
  }
  // [from, end): the queried range as half-open.
  const Timestamp end = to == kMaxTimestamp ? kMaxTimestamp : to + 1;
  std::vector<Plan> plans;
  bool any_period = false;
  for (const RollupLevel& level : levels) {
    std::optional<std::vector<Aggregate>> need = Needed(level, window, aggs);
    if (!need) continue;
    Plan p;
    p.level = &level;
    p.need = *need;
    p.covered_end = kMaxTimestamp;
    bool ok = true;
    for (Aggregate a : p.need) {
      const std::string& k = level.series.at(a);
      Result<MetricInfo> m = query_.GetMetric(level.db, k);
      if (!m.ok() || !m->last) {
        ok = false;
        break;
      }
      p.keys.push_back(m->name);
      p.covered_end =
          std::min(p.covered_end, FloorTo(m->last->ts, level.interval) + level.interval);
    }
    if (!ok) continue;
    p.use.db = level.db;
    p.use.series = p.keys;
    p.use.interval = level.interval;
    p.use.from = kMaxTimestamp;
    p.use.to = kMinTimestamp;
    any_period = any_period || CeilTo(from, level.interval) <
                                   std::min(FloorTo(end, level.interval), p.covered_end);
    plans.push_back(std::move(p));
  }
  if (plans.empty()) {
    info->reason = "no rollup of " + std::string(db) + "/" + key +
                   " holds what the aggregates need at a window of a multiple of its interval";
    return Status::Ok();
  }
  if (!any_period) {
    info->reason = "no whole rolled-up period inside the range";
    return Status::Ok();
  }

  Buckets buckets(from, to, window, aggs, out);
  Status status = Status::Ok();
  const ValueType type = raw->type;
  auto read_raw = [&](Timestamp a, Timestamp e) {
    if (!status.ok() || a >= e) return;
    status = query_.ReadRangeReporting(
        db, key, a, e - 1, 1,
        [&](const Sample& s) {
          if (IsStaleMarker(type, s.bits)) return true;  // skipped, as core aggregates do
          buckets.AddSample(s.ts, Value{type, s.bits}.AsDouble());
          return true;
        },
        report);
  };
  auto read_level = [&](Plan& p, Timestamp lo, Timestamp hi) {
    if (!status.ok()) return;
    // Every stored aggregate of a period is written together; join them by stamp.
    std::map<Timestamp, std::map<Aggregate, double>> periods;
    for (size_t i = 0; i < p.need.size() && status.ok(); ++i) {
      status = query_.ReadRangeReporting(
          p.level->db, p.keys[i], lo, hi - 1, 1,
          [&](const Sample& s) {
            periods[s.ts][p.need[i]] = Value{ValueType::kFloat64, s.bits}.AsDouble();
            return true;
          },
          report);
    }
    for (const auto& [ts, stored] : periods) buckets.AddPeriod(ts, stored);
    p.use.from = std::min(p.use.from, lo);
    p.use.to = std::max(p.use.to, hi);
  };
  // Coarsest level first; what it leaves goes to the next finer one, at last to raw samples.
  auto fill = [&](auto& self, size_t k, Timestamp a, Timestamp e) -> void {
    if (a >= e || !status.ok()) return;
    if (k == plans.size()) return read_raw(a, e);
    Plan& p = plans[k];
    const int64_t interval = p.level->interval;
    const Timestamp lo = CeilTo(a, interval);
    const Timestamp hi = std::min(FloorTo(e, interval), p.covered_end);
    if (lo >= hi) return self(self, k + 1, a, e);
    self(self, k + 1, a, lo);
    read_level(p, lo, hi);
    if (hi < e) {
      // Past the coverage of this level: the finer levels and raw samples after it.
      self(self, k + 1, hi, e);
    }
  };
  fill(fill, 0, from, end);
  if (!status.ok()) {
    out->clear();
    return status;
  }
  buckets.Finish();
  info->used = true;
  for (Plan& p : plans) {
    if (p.use.from < p.use.to) info->levels.push_back(std::move(p.use));
  }
  // The raw tail: raw samples read after the last rolled-up period (not a head cut mid-period).
  Timestamp covered = kMinTimestamp;
  for (const RollupLevelUse& u : info->levels) covered = std::max(covered, u.to);
  if (covered < end) info->raw_tail_from = covered;
  return Status::Ok();
}

}  // namespace nanotdb::rollup
