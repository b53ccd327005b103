// The rollup plugin: runs the [rollups] jobs of every database's manifest on its own thread,
// woken by the core's scheduler every `interval`, serves POST /api/v1/rollup/backfill and
// GET /api/v1/rollup/status, publishes RollupReadService, through which query APIs read rollups for
// long ranges, and RetentionHoldService, so retention keeps raw data until it is rolled up.
#include "nanotdb/plugin.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "backfill_http.h"
#include "nanotdb/services/databases.h"
#include "nanotdb/services/http.h"
#include "nanotdb/services/internal_events.h"
#include "nanotdb/services/plugin_files.h"
#include "nanotdb/services/query.h"
#include "nanotdb/services/retention_hold.h"
#include "nanotdb/services/rollups.h"
#include "nanotdb/services/scheduler.h"
#include "nanotdb/services/writer.h"
#include "retention_hold.h"
#include "roller.h"
#include "rollup_reader.h"
#include "status_http.h"

namespace nanotdb::rollup {
namespace {

const ConfigKey kConfigKeys[] = {
    {"interval", ConfigType::kDuration, "\"30s\"",
     "how often live rollups look for newly completed periods"},
};

class RollupPlugin {
 public:
  // Published at Register so that plugins starting before this one find it.
  Status Register(PluginContext& ctx) {
    auto* query = ctx.Find<QueryService>();
    auto* databases = ctx.Find<DatabaseService>();
    if (!query || !databases) {
      return Status::NotFound(
          "rollup needs the core services nanotdb.query and nanotdb.databases; this nanotdb "
          "does not provide them (rebuild the plugin against the running SDK)");
    }
    auto* files = ctx.Find<PluginFilesService>();
    if (!files) {
      return Status::NotFound(
          "rollup needs the core service nanotdb.plugin-files; this nanotdb does not provide it "
          "(rebuild the plugin against the running SDK)");
    }
    reader_ = std::make_unique<RollupReader>(*query, *databases);
    NANOTDB_RETURN_IF_ERROR(ctx.RegisterService(RollupReadService::kServiceName,
                                                RollupReadService::kServiceVersion,
                                                static_cast<RollupReadService*>(reader_.get())));
    // Retention keeps raw partitions until the jobs reading them have rolled them up.
    hold_ = std::make_unique<RollupRetentionHold>(*query, *databases, *files);
    return ctx.RegisterService(RetentionHoldService::kServiceName,
                               RetentionHoldService::kServiceVersion,
                               static_cast<RetentionHoldService*>(hold_.get()));
  }

  Status Start(PluginContext& ctx) {
    RollupServices s;
    s.query = ctx.Find<QueryService>();
    s.writer = ctx.Find<WriterService>();
    s.databases = ctx.Find<DatabaseService>();
    s.files = ctx.Find<PluginFilesService>();
    s.events = ctx.Find<InternalEventService>();  // optional: an older core has none
    auto* http = ctx.Find<HttpService>();
    auto* scheduler = ctx.Find<SchedulerService>();
    if (!s.query || !s.writer || !s.databases || !s.files || !http || !scheduler) {
      return Status::NotFound(
          "rollup needs the core services nanotdb.query, nanotdb.writer, nanotdb.databases, "
          "nanotdb.plugin-files, nanotdb.http and nanotdb.scheduler (v1); this nanotdb does "
          "not provide them all (rebuild the plugin against the running SDK)");
    }
    const int64_t interval = ctx.config().GetDuration("interval");
    if (interval < kNanosPerSecond) {
      return Status::InvalidArgument("[plugins.rollup] interval must be at least 1s");
    }
    s.log = [&ctx](LogLevel level, std::string_view message) { ctx.Log(level, message); };
    s.now = [] {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
    QueryService& query = *s.query;
    DatabaseService& databases = *s.databases;
    roller_ = std::make_unique<Roller>(std::move(s));
    NANOTDB_RETURN_IF_ERROR(http->AddRoute(BackfillRoute(*roller_))
                                .WithContext("rollup: route /api/v1/rollup/backfill"));
    NANOTDB_RETURN_IF_ERROR(http->AddRoute(StatusRoute(*roller_, query, databases))
                                .WithContext("rollup: route /api/v1/rollup/status"));
    worker_ = std::thread([this] { Loop(); });
    scheduler_ = scheduler;
    task_ = scheduler->Every(interval, "rollup", [this] { Wake(); });
    Wake();  // catch up right after a restart
    return Status::Ok();
  }

  void Stop() {
    if (scheduler_ != nullptr) scheduler_->Cancel(task_);
    if (roller_) roller_->Cancel();  // a long catch-up stops at its next chunk
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
      roller_->RunOnce();
      lock.lock();
    }
  }

  std::unique_ptr<RollupReader> reader_;
  std::unique_ptr<RollupRetentionHold> hold_;
  std::unique_ptr<Roller> roller_;
  SchedulerService* scheduler_ = nullptr;
  SchedulerService::TaskId task_ = 0;
  std::thread worker_;
  std::mutex mu_;  // guards wake_ and stop_
  std::condition_variable cv_;
  bool wake_ = false;
  bool stop_ = false;
};

}  // namespace
}  // namespace nanotdb::rollup

NANOTDB_PLUGIN(nanotdb::rollup::RollupPlugin, "rollup", "0.1.0",
               "rollup jobs from [rollups] in database manifests: live and backfill",
               nanotdb::rollup::kConfigKeys)
