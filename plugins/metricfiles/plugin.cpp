// The metricfiles plugin: publishes the read accelerator that serves sealed partitions from
// their metric files, and (build_on_seal) rewrites partitions into metric files on its own
// thread once they are sealed, woken by the core's scheduler every check_interval.
#include "nanotdb/plugin.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "accelerator.h"
#include "builder.h"
#include "nanotdb/services/partitions.h"
#include "nanotdb/services/query.h"
#include "nanotdb/services/read_accelerator.h"
#include "nanotdb/services/scheduler.h"

namespace nanotdb::metricfiles {
namespace {

const ConfigKey kConfigKeys[] = {
    {"build_on_seal", ConfigType::kBool, "true",
     "rewrite each partition into a metric file once it is sealed"},
    {"seal_after", ConfigType::kDuration, "\"1h\"",
     "a partition is sealed this long after its end (late samples still go to its data file)"},
    {"raw_ingest_action", ConfigType::kString, "\"keep\"",
     "what happens to a partition's data file once its metric file is verified: keep, rename "
     "(to raw-<part>.dat) or delete"},
    {"verify", ConfigType::kBool, "true",
     "prove every metric file equal to its data file, sample for sample, after building it"},
    {"check_interval", ConfigType::kDuration, "\"10m\"", "how often to look for sealed partitions"},
};

int64_t WallNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class MetricFilesPlugin {
 public:
  Status Register(PluginContext& ctx) {
    return ctx.RegisterService(ReadAccelerator::kServiceName, ReadAccelerator::kServiceVersion,
                               &accelerator_);
  }

  Status Start(PluginContext& ctx) {
    const PluginConfig& config = ctx.config();
    if (!config.GetBool("build_on_seal")) return Status::Ok();
    if (!ParseRawAction(config.GetString("raw_ingest_action"), &opts_.raw_action)) {
      return Status::InvalidArgument(
          "[plugins.metricfiles] raw_ingest_action must be keep, rename or delete, got \"" +
          config.GetString("raw_ingest_action") + "\"");
    }
    opts_.verify = config.GetBool("verify");
    if (opts_.raw_action != RawAction::kKeep && !opts_.verify) {
      return Status::InvalidArgument(
          "[plugins.metricfiles] raw_ingest_action = \"" + config.GetString("raw_ingest_action") +
          "\" needs verify = true: raw data is removed only once its metric file is proven equal");
    }
    seal_after_ = config.GetDuration("seal_after");
    const int64_t interval = config.GetDuration("check_interval");
    if (interval < kNanosPerSecond) {
      return Status::InvalidArgument("[plugins.metricfiles] check_interval must be at least 1s");
    }
    partitions_ = ctx.Find<PartitionService>();
    query_ = ctx.Find<QueryService>();
    scheduler_ = ctx.Find<SchedulerService>();
    if (partitions_ == nullptr || query_ == nullptr || scheduler_ == nullptr) {
      return Status::NotFound(
          "metricfiles needs the core services nanotdb.partitions, nanotdb.query and "
          "nanotdb.scheduler; this nanotdb does not provide them all (rebuild the plugin "
          "against the running SDK)");
    }
    ctx_ = &ctx;
    worker_ = std::thread([this] { Loop(); });
    task_ = scheduler_->Every(interval, "metricfiles", [this] { Wake(); });
    Wake();  // partitions sealed while the daemon was down
    return Status::Ok();
  }

  void Stop() {
    if (scheduler_ != nullptr && task_ != 0) scheduler_->Cancel(task_);
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
  }

 private:
  void Wake() {
    {
      std::lock_guard lock(mu_);
      wake_ = true;
    }
    cv_.notify_all();
  }

  void Loop() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return wake_ || stop_; });
      if (stop_) return;
      wake_ = false;
      lock.unlock();
      RunOnce();
      lock.lock();
    }
  }

  bool Stopping() {
    std::lock_guard lock(mu_);
    return stop_;
  }

  void RunOnce() {
    BuildOptions opts = opts_;
    opts.sealed_before = WallNow() - seal_after_;
    MetricFileBuilder builder(*partitions_);
    for (const std::string& db : query_->ListDatabases(/*include_internal=*/true)) {
      if (Stopping()) return;
      std::vector<BuildReport> reports;
      Status st = builder.BuildDatabase(db, opts, &reports);
      for (const BuildReport& r : reports) {
        if (r.outcome == "built") {
          ctx_->Log(LogLevel::kInfo, "database " + db + ": partition " + r.partition +
                                         " -> metric file of " + std::to_string(r.metric_bytes) +
                                         " bytes (data file " + std::to_string(r.raw_bytes) +
                                         " bytes, " + std::to_string(r.samples) + " samples" +
                                         (r.verified ? ", verified" : "") + ", data file " +
                                         r.raw_action + ")");
        } else if (r.outcome == "failed") {
          ctx_->Log(LogLevel::kWarning,
                    "database " + db + ": partition " + r.partition + " not built: " + r.detail);
        }
      }
      if (!st.ok() && reports.empty()) {
        ctx_->Log(LogLevel::kWarning, "database " + db + ": " + st.message());
      }
    }
  }

  MetricFileAccelerator accelerator_;
  BuildOptions opts_;
  int64_t seal_after_ = 0;
  PluginContext* ctx_ = nullptr;
  PartitionService* partitions_ = nullptr;
  QueryService* query_ = nullptr;
  SchedulerService* scheduler_ = nullptr;
  SchedulerService::TaskId task_ = 0;
  std::thread worker_;
  std::mutex mu_;  // guards wake_ and stop_
  std::condition_variable cv_;
  bool wake_ = false;
  bool stop_ = false;
};

}  // namespace
}  // namespace nanotdb::metricfiles

NANOTDB_PLUGIN(nanotdb::metricfiles::MetricFilesPlugin, "metricfiles", "0.1.0",
               "query-optimised metric files for sealed partitions: build, verify, read",
               nanotdb::metricfiles::kConfigKeys)
