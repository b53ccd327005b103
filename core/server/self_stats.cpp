#include "server/self_stats.h"

#include <cstdio>
#include <filesystem>
#include <map>

#include "server/process_stats.h"

namespace nanotdb::server {
namespace {

struct DiskUsage {
  uint64_t wal_bytes = 0;
  uint64_t data_bytes = 0;
  uint64_t databases = 0;
};

DiskUsage ScanRoot(const std::string& root) {
  namespace fs = std::filesystem;
  DiskUsage usage;
  std::error_code ec;
  for (fs::directory_iterator db(root, ec), end; !ec && db != end; db.increment(ec)) {
    if (!db->is_directory(ec)) continue;
    ++usage.databases;
    std::error_code inner;
    for (fs::directory_iterator f(db->path(), inner); !inner && f != end; f.increment(inner)) {
      std::string ext = f->path().extension().string();
      if (ext != ".wal" && ext != ".dat") continue;
      uint64_t size = f->file_size(inner);
      if (inner) break;
      (ext == ".wal" ? usage.wal_bytes : usage.data_bytes) += size;
    }
  }
  return usage;
}

std::string PrometheusName(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    if (c == '.') c = '_';
  }
  return out;
}

}  // namespace

SelfStats::SelfStats(const CoreCounters& counters, const Dispatcher& dispatcher, std::string root)
    : counters_(counters),
      dispatcher_(dispatcher),
      root_(std::move(root)),
      started_(std::chrono::steady_clock::now()),
      last_write_(started_) {}

std::vector<SelfStats::Stat> SelfStats::Collect() const {
  auto load = [](const std::atomic<uint64_t>& a) {
    return static_cast<double>(a.load(std::memory_order_relaxed));
  };
  ProcessStats process = ReadProcessStats();
  DiskUsage disk = ScanRoot(root_);
  double uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::vector<Stat> stats = {
      {"nanotdb.ingest.samples_total", load(counters_.ingest_samples), true,
       "Samples accepted through the writer service."},
      {"nanotdb.ingest.rejected_total", load(counters_.ingest_rejected), true,
       "Samples rejected (bad name, type mismatch, out of order)."},
      {"nanotdb.ingest.batches_total", load(counters_.ingest_batches), true,
       "Write batches received."},
      {"nanotdb.query.requests_total", load(counters_.queries), true,
       "Read calls through the query service."},
      {"nanotdb.query.errors_total", load(counters_.query_errors), true, "Read calls that failed."},
      {"nanotdb.storage.wal_bytes", static_cast<double>(disk.wal_bytes), false,
       "Bytes in write-ahead logs."},
      {"nanotdb.storage.data_bytes", static_cast<double>(disk.data_bytes), false,
       "Bytes in partition data files."},
      {"nanotdb.storage.databases", static_cast<double>(disk.databases), false,
       "Databases under the root."},
      {"nanotdb.process.rss_bytes", static_cast<double>(process.rss_bytes), false,
       "Resident set size."},
      {"nanotdb.process.peak_rss_bytes", static_cast<double>(process.peak_rss_bytes), false,
       "Peak resident set size."},
      {"nanotdb.process.cpu_seconds_total", process.cpu_user_seconds + process.cpu_system_seconds,
       true, "User and system CPU time."},
      {"nanotdb.process.threads", static_cast<double>(process.threads), false, "Threads."},
      {"nanotdb.process.uptime_seconds", uptime, false, "Seconds since start."},
  };
  if (engine_ != nullptr) {
    const ReaderCacheStats r = engine_->reader_cache_stats();
    stats.push_back({"nanotdb.storage.reader_cache_hits_total", static_cast<double>(r.hits), true,
                     "Data file reads that found the file's frame index kept open."});
    stats.push_back({"nanotdb.storage.reader_cache_misses_total", static_cast<double>(r.misses),
                     true, "Data file reads that opened the file and scanned its frame headers."});
    stats.push_back(
        {"nanotdb.storage.reader_cache_files", static_cast<double>(r.files), false,
         "Data files kept open with their frame index ([storage] reader_cache_files)."});
    stats.push_back({"nanotdb.storage.reader_cache_bytes", static_cast<double>(r.bytes), false,
                     "Memory of the kept frame indexes ([storage] reader_cache_bytes)."});
  }
  static constexpr const char* kClassNames[] = {"", "1xx", "2xx", "3xx", "4xx", "5xx"};
  for (int cls = 1; cls <= 5; ++cls) {
    stats.push_back({std::string("nanotdb.http.requests_") + kClassNames[cls] + "_total",
                     static_cast<double>(dispatcher_.ResponsesInClass(cls)), true,
                     "HTTP responses by status class."});
  }
  if (plugins_ != nullptr) {
    for (PluginStats& plugin : plugins_->Collect()) {
      for (StatValue& v : plugin.stats) {
        stats.push_back(
            {std::move(v.name), v.value, v.counter, std::move(v.help), std::move(v.labels)});
      }
    }
  }
  return stats;
}

std::string SelfStats::PrometheusText() const {
  std::vector<Stat> stats = Collect();
  // The exposition format wants every series of a family together, under one HELP and TYPE;
  // a plugin may report a family's series apart. Families keep their first position.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Stat*>> families;
  for (const Stat& stat : stats) {
    std::string name = PrometheusName(stat.name);
    auto [it, added] = families.try_emplace(name);
    if (added) order.push_back(name);
    it->second.push_back(&stat);
  }
  std::string out;
  char value[64];
  for (const std::string& name : order) {
    const std::vector<const Stat*>& family = families[name];
    out += "# HELP " + name + " " + family.front()->help + "\n";
    out += "# TYPE " + name + (family.front()->counter ? " counter\n" : " gauge\n");
    for (const Stat* stat : family) {
      out += name;
      if (!stat->labels.empty()) {
        out += '{';
        for (size_t i = 0; i < stat->labels.size(); ++i) {
          if (i > 0) out += ',';
          out += stat->labels[i].name + "=\"";
          AppendEscapedLabelValue(stat->labels[i].value, &out);
          out += '"';
        }
        out += '}';
      }
      std::snprintf(value, sizeof(value), "%.17g", stat->value);
      out += std::string(" ") + value + "\n";
    }
  }
  return out;
}

Status SelfStats::WriteTo(Engine& engine, Timestamp now) {
  std::vector<Stat> stats = Collect();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto t = std::chrono::steady_clock::now();
    uint64_t samples = counters_.ingest_samples.load(std::memory_order_relaxed);
    double seconds = std::chrono::duration<double>(t - last_write_).count();
    double rate = seconds > 0 ? static_cast<double>(samples - last_samples_) / seconds : 0;
    last_samples_ = samples;
    last_write_ = t;
    stats.push_back({"nanotdb.ingest.samples_per_second", rate, false, ""});
  }
  // A labelled figure is stored under its series key; one whose labels break the key rules
  // is left out of the database (it still shows at /metrics).
  std::vector<std::string> keys(stats.size());
  std::vector<PointRef> points;
  std::vector<size_t> index;
  points.reserve(stats.size());
  for (size_t i = 0; i < stats.size(); ++i) {
    if (stats[i].labels.empty()) {
      keys[i] = stats[i].name;
    } else {
      Result<std::string> key = MakeSeriesKey(stats[i].name, stats[i].labels);
      if (!key.ok()) continue;
      keys[i] = std::move(key).value();
    }
    points.push_back(PointRef{kInternalDatabase, keys[i], now, Value::Float64(stats[i].value)});
    index.push_back(i);
  }
  NANOTDB_ASSIGN_OR_RETURN(BatchResult result, engine.WriteBatch(points));
  if (!result.rejected.empty()) {
    const auto& [first, status] = result.rejected.front();
    return status.WithContext("self-stat " + keys[index[first]]);
  }
  return Status::Ok();
}

}  // namespace nanotdb::server
