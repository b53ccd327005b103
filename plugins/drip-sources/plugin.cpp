// The drip-sources plugin: runs the host probes on its own thread and writes each cycle
// straight through the core's WriterService (no HTTP). The probe logic lives in
// nanotdb_drip_sources; this file only adapts it to the plugin ABI.
#include "nanotdb/plugin.h"

#include <memory>
#include <thread>

#include "collector.h"
#include "nanotdb/services/events.h"
#include "nanotdb/services/writer.h"
#include "settings.h"

namespace nanotdb::drip {
namespace {

class DripSourcesPlugin {
 public:
  Status Register(PluginContext&) { return Status::Ok(); }

  Status Start(PluginContext& ctx) {
    Result<ProbeSettings> settings = ProbeSettingsFromConfig(ctx.config());
    if (!settings.ok()) return settings.status().WithContext("[plugins.drip-sources]");
    writer_ = ctx.Find<WriterService>();
    if (writer_ == nullptr) {
      return Status::NotFound("drip-sources needs the core's nanotdb.writer v1 service");
    }
    events_ = ctx.Find<EventService>();  // optional: probe events need it
    ctx_ = &ctx;
    // The host prefixes the plugin's name.
    LogFn log = [this](LogLevel level, std::string_view msg) { ctx_->Log(level, msg); };
    HostOptions host;
    host.root = settings->root;
    collector_ = std::make_unique<Collector>(*settings, host, ctx.root(), log);
    write_log_ = std::make_unique<ProbeLog>(log);
    ticker_ = std::make_unique<CycleTicker>(settings->interval_ns);
    thread_ = std::thread([this] { Run(); });
    return Status::Ok();
  }

  void Stop() {
    if (ticker_) ticker_->Stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    const std::string& db = collector_->settings().database;
    CycleTime now;
    while (ticker_->WaitNext(&now)) {
      std::vector<ProbeSample> samples = collector_->Collect(now);
      std::vector<PointRef> points;
      points.reserve(samples.size());
      for (const ProbeSample& s : samples) points.push_back({db, s.metric, now.ts, s.value});
      Result<BatchResult> result = writer_->WriteBatch(points);
      if (!result.ok()) {
        write_log_->Once("write", LogLevel::kError,
                         "cycle not stored: " + result.status().message());
        continue;
      }
      write_log_->Clear("write");
      for (const auto& [index, status] : result->rejected) {
        write_log_->Once("reject:" + samples[index].metric, LogLevel::kWarning,
                         db + "/" + samples[index].metric + " rejected: " + status.message());
      }
      std::vector<Event> events = collector_->TakeEvents();
      if (events_ != nullptr && !events.empty()) {
        Result<EventWriteResult> written = events_->WriteEvents(db, events);
        if (!written.ok()) {
          write_log_->Once("events", LogLevel::kError,
                           "probe events not stored: " + written.status().message());
        } else {
          write_log_->Clear("events");
        }
      }
    }
  }

  PluginContext* ctx_ = nullptr;
  WriterService* writer_ = nullptr;
  EventService* events_ = nullptr;
  std::unique_ptr<Collector> collector_;
  std::unique_ptr<ProbeLog> write_log_;  // used by the collection thread only
  std::unique_ptr<CycleTicker> ticker_;
  std::thread thread_;
};

}  // namespace
}  // namespace nanotdb::drip

NANOTDB_PLUGIN(nanotdb::drip::DripSourcesPlugin, "drip-sources", "0.1.0",
               "host probes (cpu, memory, disk, io, network, load, 1-wire, SD write, processes)",
               nanotdb::drip::kProbeConfigKeys)
