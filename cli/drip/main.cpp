// drip: a small standalone host collector. Runs the drip-sources probes every interval and
// posts the samples as line protocol to a nanotdb server, buffering while it is unreachable.
//
//   drip --config drip.toml [--once] [--print] [--verbose]
//
// Exit codes: 0 ok, 1 runtime failure (--once could not deliver), 2 usage or config error.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collector.h"
#include "drip_config.h"
#include "http_sender.h"
#include "lineproto.h"
#include "nanotdb/event_types.h"
#include "nanotdb/vm_json.h"
#include "sample_queue.h"

namespace nanotdb::drip {
namespace {

constexpr const char* kUsage =
    "usage: drip --config FILE [--once] [--print] [--verbose]\n"
    "  --config FILE  drip.toml (see etc/drip.toml for every key)\n"
    "  --once         collect one cycle, send it (or print it) and exit\n"
    "  --print        write line protocol to stdout instead of posting it\n"
    "  --verbose      log each cycle's sample count and probe timings\n"
    "exit codes: 0 ok, 1 delivery failed (--once), 2 usage or config error\n";

struct Args {
  std::string config;
  bool once = false, print = false, verbose = false;
};

void Log(LogLevel level, std::string_view msg) {
  const char* tag = level == LogLevel::kError     ? "error"
                    : level == LogLevel::kWarning ? "warning"
                                                  : "info";
  std::fprintf(stderr, "drip: %s: %.*s\n", tag, static_cast<int>(msg.size()), msg.data());
}

Batch ToBatch(const std::string& db, const CycleTime& t, const std::vector<ProbeSample>& s) {
  Batch b;
  for (const ProbeSample& p : s) {
    b.lines += FormatLine(db, p.metric, p.value, t.ts, /*ns_timestamps=*/true);
    b.lines += '\n';
  }
  b.samples = s.size();
  return b;
}

std::string Timings(const Collector& c) {
  std::string out;
  for (const auto& [name, ns] : c.last_timings()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%s %.2f ms", out.empty() ? "" : ", ", name.c_str(),
                  static_cast<double>(ns) / 1e6);
    out += buf;
  }
  return out;
}

Timestamp WallNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// drip's events (docs/drip.md, "Events"), posted to /api/v1/events of the samples' database
// after the samples of a cycle went through; kept (at most kMax, then counted) while the
// server is away, so the outage itself is recorded once it is over.
class EventOutbox {
 public:
  static constexpr size_t kMax = 1000;

  void Add(std::string name, std::optional<Value> value, std::string payload, Timestamp ts = 0) {
    if (pending_.size() >= kMax) {
      ++dropped_;
      return;
    }
    Event e;
    e.name = std::move(name);
    e.ts = ts != 0 ? ts : WallNow();
    e.value = value;
    e.payload = std::move(payload);
    pending_.push_back(std::move(e));
  }
  void Add(std::vector<Event> events) {
    for (Event& e : events) Add(std::move(e.name), e.value, std::move(e.payload), e.ts);
  }

  void Flush(HttpSender& sender, const std::string& db) {
    if (dropped_ > 0) {
      pending_.push_back(Event{"drip.events.dropped", WallNow(),
                               Value::Int64(static_cast<int64_t>(dropped_)),
                               "{\"dropped\":" + std::to_string(dropped_) + "}"});
      dropped_ = 0;
    }
    if (pending_.empty()) return;
    std::string json = "[";
    for (size_t i = 0; i < pending_.size(); ++i) {
      const Event& e = pending_[i];
      if (i > 0) json += ',';
      json += "{\"name\":";
      vm::AppendJsonString(&json, e.name);
      json += ",\"ts\":" + std::to_string(e.ts);
      if (e.value) {
        char buf[vm::kMaxValueChars];
        json += ",\"value\":";
        json.append(buf, vm::WriteStoredValue(buf, *e.value));
      }
      if (!e.payload.empty()) json += ",\"payload\":" + e.payload;
      json += '}';
    }
    json += ']';
    std::string error;
    SendResult r = sender.SendEvents(db, json, &error);
    if (r == SendResult::kRetry) return;  // kept for the next cycle
    if (r == SendResult::kRejected) Log(LogLevel::kWarning, "server refused drip events: " + error);
    pending_.clear();
  }

 private:
  std::vector<Event> pending_;
  uint64_t dropped_ = 0;
};

std::string UrlPayload(const std::string& url, std::string_view key = {},
                       std::string_view text = {}) {
  std::string out = "{\"url\":";
  vm::AppendJsonString(&out, url);
  if (!key.empty()) {
    out += ",\"";
    out += key;
    out += "\":";
    vm::AppendJsonString(&out, text);
  }
  return out + "}";
}

// Delivery state across cycles: says once when the server went away and when it came back.
class Outbox {
 public:
  Outbox(const DripConfig& cfg, Sender& sender, EventOutbox* events = nullptr)
      : cfg_(cfg), sender_(sender), queue_(cfg.buffer_max_samples), events_(events) {}

  SampleQueue& queue() { return queue_; }

  void Push(Batch b) {
    size_t dropped = queue_.Push(std::move(b));
    if (dropped == 0) return;
    auto now = std::chrono::steady_clock::now();
    dropped_unreported_ += dropped;
    if (now - last_drop_log_ > std::chrono::minutes(1)) {
      last_drop_log_ = now;
      if (events_ != nullptr) {
        events_->Add("drip.buffer.dropped", Value::Int64(static_cast<int64_t>(dropped_unreported_)),
                     "{\"dropped\":" + std::to_string(dropped_unreported_) +
                         ",\"dropped_total\":" + std::to_string(queue_.dropped_samples()) +
                         ",\"max_samples\":" + std::to_string(cfg_.buffer_max_samples) + "}");
        dropped_unreported_ = 0;
      }
      Log(LogLevel::kWarning,
          "buffer full (buffer.max_samples = " + std::to_string(cfg_.buffer_max_samples) +
              "): dropping the oldest samples; " + std::to_string(queue_.dropped_samples()) +
              " dropped so far");
    }
  }

  // True when the queue is empty afterwards.
  bool Flush() {
    SampleQueue::FlushResult r = queue_.Flush(sender_, cfg_.max_post_samples);
    if (r.rejected_samples > 0) {
      Log(LogLevel::kWarning, "server refused lines (" + std::to_string(r.rejected_samples) +
                                  " samples not resent): " + r.error);
    }
    if (r.stalled) {
      if (!down_) {
        down_ = true;
        down_since_ = std::chrono::steady_clock::now();
        Log(LogLevel::kWarning, "cannot deliver to " + cfg_.server_url + ": " + r.error +
                                    "; buffering up to " + std::to_string(cfg_.buffer_max_samples) +
                                    " samples");
        if (events_ != nullptr) {
          events_->Add("drip.target.disconnected", std::nullopt,
                       UrlPayload(cfg_.server_url, "error", r.error));
        }
      }
      return false;
    }
    if (down_) {
      down_ = false;
      auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::steady_clock::now() - down_since_)
                      .count();
      Log(LogLevel::kInfo, "delivering again to " + cfg_.server_url + " after " +
                               std::to_string(secs) + " s; sent " + std::to_string(r.sent_samples) +
                               " buffered samples");
      if (events_ != nullptr) {
        const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - down_since_)
                               .count();
        std::string payload = UrlPayload(cfg_.server_url);
        payload.pop_back();
        payload += ",\"outage_ms\":" + std::to_string(ms) +
                   ",\"sent_samples\":" + std::to_string(r.sent_samples) + "}";
        events_->Add("drip.target.reconnected", Value::Int64(ms), std::move(payload));
      }
    }
    return true;
  }

 private:
  const DripConfig& cfg_;
  Sender& sender_;
  SampleQueue queue_;
  EventOutbox* events_;
  uint64_t dropped_unreported_ = 0;
  bool down_ = false;
  std::chrono::steady_clock::time_point down_since_;
  std::chrono::steady_clock::time_point last_drop_log_;
};

int Run(const Args& args) {
  std::vector<std::string> warnings;
  Result<DripConfig> loaded = LoadDripConfig(args.config, &warnings);
  for (const std::string& w : warnings) Log(LogLevel::kWarning, w);
  if (!loaded.ok()) {
    std::fprintf(stderr, "drip: %s\n", loaded.status().message().c_str());
    return 2;
  }
  const DripConfig& cfg = *loaded;
  HostOptions host;
  host.root = cfg.probes.root;
  Collector collector(cfg.probes, host, "/var/tmp", Log);
  const std::string& db = cfg.probes.database;

  if (args.once && args.print) {
    CycleTime t = NowCycleTime();
    Batch b = ToBatch(db, t, collector.Collect(t, /*all_probes=*/true));
    std::fwrite(b.lines.data(), 1, b.lines.size(), stdout);
    if (args.verbose) Log(LogLevel::kInfo, Timings(collector));
    return std::fflush(stdout) == 0 ? 0 : 1;
  }

  HttpSender sender(cfg.server_url, cfg.token, cfg.timeout_ns);
  EventOutbox events;
  Outbox outbox(cfg, sender, args.once ? nullptr : &events);
  if (!cfg.spill_file.empty() && !args.print) {
    Status st = outbox.queue().LoadFrom(cfg.spill_file, cfg.max_post_samples);
    if (!st.ok()) Log(LogLevel::kWarning, "spill file not loaded: " + st.message());
    if (outbox.queue().samples() > 0) {
      Log(LogLevel::kInfo, "loaded " + std::to_string(outbox.queue().samples()) +
                               " buffered samples from " + cfg.spill_file);
    }
  }

  if (args.once) {
    CycleTime t = NowCycleTime();
    outbox.Push(ToBatch(db, t, collector.Collect(t, /*all_probes=*/true)));
    if (args.verbose) Log(LogLevel::kInfo, Timings(collector));
    bool delivered = outbox.Flush();
    if (!delivered && !cfg.spill_file.empty()) {
      Status st = outbox.queue().SaveTo(cfg.spill_file);
      if (st.ok()) {
        Log(LogLevel::kWarning, std::to_string(outbox.queue().samples()) + " samples kept in " +
                                    cfg.spill_file + " for the next run");
      }
    }
    return delivered ? 0 : 1;
  }

  // SIGINT/SIGTERM are blocked in main(); this thread turns them into a clean stop.
  CycleTicker ticker(cfg.probes.interval_ns);
  std::thread signals([&ticker] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    ticker.Stop();
  });
  Log(LogLevel::kInfo, "collecting " + std::to_string(collector.probe_count()) + " probes every " +
                           std::to_string(cfg.probes.interval_ns / 1000000) + " ms into " +
                           (args.print ? std::string("stdout") : cfg.server_url) + " database " +
                           db);
  const auto started = std::chrono::steady_clock::now();
  uint64_t cycles = 0;
  if (!args.print) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    std::string payload = "{\"host\":";
    vm::AppendJsonString(&payload, host);
    payload += ",\"pid\":" + std::to_string(getpid()) + ",\"url\":";
    vm::AppendJsonString(&payload, cfg.server_url);
    payload += ",\"database\":";
    vm::AppendJsonString(&payload, db);
    std::vector<std::string> names = collector.probe_names();
    payload +=
        ",\"interval_ms\":" + std::to_string(cfg.probes.interval_ns / 1000000) + ",\"probes\":[";
    for (size_t i = 0; i < names.size(); ++i) {
      if (i > 0) payload += ',';
      vm::AppendJsonString(&payload, names[i]);
    }
    payload += "]}";
    events.Add("drip.started", Value::Int64(static_cast<int64_t>(names.size())), payload);
  }
  CycleTime t;
  while (ticker.WaitNext(&t)) {
    std::vector<ProbeSample> s = collector.Collect(t);
    ++cycles;
    if (args.print) {
      Batch b = ToBatch(db, t, s);
      std::fwrite(b.lines.data(), 1, b.lines.size(), stdout);
      std::fflush(stdout);
      if (args.verbose) Log(LogLevel::kInfo, Timings(collector));
      continue;
    }
    outbox.Push(ToBatch(db, t, s));
    events.Add(collector.TakeEvents());
    bool delivered = outbox.Flush();
    if (delivered) events.Flush(sender, db);
    if (args.verbose) {
      Log(LogLevel::kInfo,
          std::to_string(s.size()) + " samples (" + Timings(collector) + ")" +
              (delivered ? "" : "; queued " + std::to_string(outbox.queue().samples())));
    }
  }
  signals.join();
  if (args.print) return 0;
  events.Add("drip.stopped", std::nullopt,
             "{\"uptime_s\":" +
                 std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::steady_clock::now() - started)
                                    .count()) +
                 ",\"cycles\":" + std::to_string(cycles) +
                 ",\"dropped_samples\":" + std::to_string(outbox.queue().dropped_samples()) +
                 ",\"buffered_samples\":" + std::to_string(outbox.queue().samples()) + "}");
  if (outbox.Flush()) events.Flush(sender, db);
  if (!cfg.spill_file.empty()) {
    Status st = outbox.queue().SaveTo(cfg.spill_file);
    if (!st.ok()) Log(LogLevel::kError, "buffered samples lost: " + st.message());
  }
  if (!outbox.queue().empty()) {
    Log(LogLevel::kWarning, std::to_string(outbox.queue().samples()) + " buffered samples " +
                                (cfg.spill_file.empty() ? "not delivered (no buffer.spill_file)"
                                                        : "saved to " + cfg.spill_file));
  }
  if (outbox.queue().dropped_samples() > 0) {
    Log(LogLevel::kWarning,
        std::to_string(outbox.queue().dropped_samples()) + " samples were dropped (buffer full)");
  }
  return 0;
}

}  // namespace
}  // namespace nanotdb::drip

int main(int argc, char** argv) {
  // Before any thread exists, so every thread inherits the mask and sigwait sees the signals.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  nanotdb::drip::Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      args.config = argv[++i];
    } else if (a.starts_with("--config=")) {
      args.config = a.substr(9);
    } else if (a == "--once") {
      args.once = true;
    } else if (a == "--print") {
      args.print = true;
    } else if (a == "--verbose") {
      args.verbose = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(nanotdb::drip::kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "drip: unknown argument \"%s\"\n%s", a.c_str(), nanotdb::drip::kUsage);
      return 2;
    }
  }
  if (args.config.empty()) {
    std::fprintf(stderr, "drip: --config FILE is required\n%s", nanotdb::drip::kUsage);
    return 2;
  }
  return nanotdb::drip::Run(args);
}
