// Forwarder: streams the selected series of one endpoint to its remote-write receiver, from a
// durable cursor over what storage already holds (cursor.h), on its own thread.
//
// A round reads, for every series with unsent samples, the samples from its cursor position up
// to the end of a time window that starts at the oldest unsent sample (EndpointConfig::window), and
// posts them in WriteRequests of at most max_samples_per_send samples; so requests go out in
// time order across series within one window, which receivers with a bounded out-of-order
// tolerance (Prometheus' head block) need when an outage of hours is caught up. Each request is
// retried until the receiver acknowledges it (2xx): after a failure (no answer, 5xx, 401, 403,
// 404, 429, any status but the four below) the round ends and the next starts after an
// exponential backoff, re-reading from the cursor — nothing is lost by an outage or a restart.
// An answer of 400, 409, 413 or 422 means the receiver will never take those samples: they are
// dropped, counted (reason "rejected") and logged. After every acknowledged or rejected request the
// cursor file is replaced atomically.
//
// Drop policy: pending samples older than now - max_lag are dropped and counted (reason
// "max_lag") before a round sends anything.
//
// Thread safety: Start/Stop from one thread; Stats() from any thread, any time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cursor.h"
#include "forward_config.h"
#include "nanotdb/engine_types.h"
#include "nanotdb/remote_write.h"
#include "nanotdb/services/plugin_files.h"
#include "nanotdb/services/query.h"
#include "nanotdb/services/stats.h"
#include "transport.h"

namespace nanotdb::forward {

struct ForwarderServices {
  QueryService* query = nullptr;
  PluginFilesService* files = nullptr;
  LogFn log;
  std::function<Timestamp()> now;  // wall clock, Unix ns
};

class Forwarder {
 public:
  Forwarder(EndpointConfig config, ForwarderServices services,
            std::unique_ptr<Transport> transport);
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // Reads the cursor file ("<name>.cursor"), or starts one at now - backfill and writes it.
  // A damaged cursor file is an error naming it (fix or remove it; removing resends from the
  // backfill origin).
  Status Load();

  // What one round did.
  enum class Round { kIdle, kProgress, kFailed };
  // One round (the thread runs these; tests call it directly).
  Round RunRound();

  // Runs rounds on a thread: right after progress, after `interval` when idle, after the
  // backoff when failed. Stop() lets a request in flight finish (up to 5 s or the timeout,
  // then interrupts it) and joins; no round starts after it was called.
  void Start();
  void Stop();

  std::vector<StatValue> Stats() const;
  const std::string& name() const { return config_.name; }
  std::string CursorFileName() const { return config_.name + ".cursor"; }

 private:
  // What was read of a series beyond its position, so a backlog is decoded once rather than
  // once per window: samples[next..] follow `pos` in order, as storage held them when read.
  struct ReadAhead {
    std::vector<Sample> samples;
    size_t next = 0;
    SeriesPosition pos;
    bool valid = false;
    bool complete = false;  // held every sample after the read's start (none was left out)
  };
  struct Series {
    std::string db;
    std::string key;
    ValueType type = ValueType::kFloat64;
    Timestamp last = kMinTimestamp;      // newest sample when the list was made
    std::vector<Label> remote_labels;    // sorted by name, __name__ included
    SeriesPosition* position = nullptr;  // its entry in cursor_.series (map nodes stay put)
    ReadAhead ahead;
  };
  // One request being assembled: series in order, each with its samples and its position
  // once the request is acknowledged.
  struct Part {
    size_t series;  // index into series_
    std::vector<Sample> samples;
    SeriesPosition after;
  };

  Status RefreshSeries();
  bool DatabaseSelected(const std::string& db) const;
  bool SeriesSelected(const SeriesInfo& s) const;
  std::vector<Label> RemoteLabels(const std::string& db, const SeriesInfo& s) const;
  // The first sample of `series` after `pos` (nullptr when there is none), read ahead; Take()
  // moves past it. Reads storage when what was read ahead is used up or `pos` is not where it
  // stands (after a failed request, the cursor stays behind what was taken).
  const Sample* Peek(Series& series, SeriesPosition pos);
  void Take(Series& series);
  Status Fill(Series& series, SeriesPosition pos);
  // Samples of `series` after `pos` up to `to`, counted.
  uint64_t CountAfter(const Series& series, SeriesPosition pos, Timestamp to) const;
  void ApplyMaxLag(Timestamp now);
  void Recount(Timestamp now);
  // Posts `parts`; true when they are settled (acknowledged or rejected), false to retry.
  bool Send(std::vector<Part>* parts);
  void SaveCursor();
  void Loop();
  void Work();
  void Log(LogLevel level, const std::string& message);
  // Logs a failure once, again when it changes and at most once a minute while it lasts.
  void Problem(const std::string& message);

  const EndpointConfig config_;
  ForwarderServices s_;
  std::unique_ptr<Transport> transport_;

  // Touched only by the thread running rounds (and Load before it starts).
  Cursor cursor_;
  std::vector<Series> series_;
  Timestamp next_refresh_ = kMinTimestamp;
  Timestamp next_recount_ = kMinTimestamp;
  remote::WriteRequest request_;
  std::string encoded_, compressed_;
  int64_t last_problem_log_ = kMinTimestamp;
  std::string last_problem_;
  bool failing_ = false;  // requests fail and are retried

  // Figures for Stats(): written by the round thread, read by any.
  std::atomic<uint64_t> sent_samples_{0}, sent_bytes_{0}, requests_{0}, failed_requests_{0};
  std::atomic<uint64_t> dropped_lag_{0}, dropped_rejected_{0};
  std::atomic<uint64_t> pending_samples_{0}, series_count_{0};
  std::atomic<int64_t> lag_ns_{0};
  std::atomic<int64_t> last_success_{0};  // Unix ns of the last acknowledged request; 0 = none

  std::atomic<bool> stopping_{false};  // set by Stop(): rounds end at the next request
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  bool done_ = false;  // guarded by mu_: the thread left its loop
  std::thread thread_;
};

}  // namespace nanotdb::forward
