#include "forwarder.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "nanotdb/query_types.h"
#include "nanotdb/remote_write.h"
#include "nanotdb/time_util.h"

namespace nanotdb::forward {
namespace {

constexpr int64_t kMinute = 60 * kNanosPerSecond;
constexpr int64_t kMinRecountEvery = 10 * kNanosPerSecond;
constexpr int64_t kStopGrace = 5 * kNanosPerSecond;
// Samples read ahead over all series of an endpoint (16 bytes each: 2 MiB), at least
// kMinReadAhead per series.
constexpr size_t kReadAheadSamples = 131072;
constexpr size_t kMinReadAhead = 64;

// Remote write stamps are Unix milliseconds.
int64_t RemoteMillis(Timestamp ns) {
  int64_t ms = ns / 1'000'000;
  if (ns % 1'000'000 < 0) --ms;
  return ms;
}

// Answers saying the receiver will never take these samples (bad data, a conflict with what it
// holds, too large). Other 4xx (401, 403, 404, 429, ...) are about credentials, the URL or
// load: fixable, so retried rather than dropped.
bool Refused(int status) {
  return status == 400 || status == 409 || status == 413 || status == 422;
}

bool Pending(Timestamp last, SeriesPosition pos) {
  return last > pos.ts || (last == pos.ts && pos.at_ts == 0);
}

}  // namespace

Forwarder::Forwarder(EndpointConfig config, ForwarderServices services,
                     std::unique_ptr<Transport> transport)
    : config_(std::move(config)), s_(std::move(services)), transport_(std::move(transport)) {}

Forwarder::~Forwarder() { Stop(); }

void Forwarder::Log(LogLevel level, const std::string& message) {
  if (s_.log) s_.log(level, "endpoint " + config_.name + ": " + message);
}

void Forwarder::Problem(const std::string& message) {
  const Timestamp now = s_.now();
  if (message != last_problem_ || now - last_problem_log_ >= kMinute) {
    Log(LogLevel::kWarning, message);
    last_problem_log_ = now;
  }
  last_problem_ = message;
}

Status Forwarder::Load() {
  const std::string name = CursorFileName();
  Result<std::string> text = s_.files->Read(name);
  if (text.ok()) {
    Result<Cursor> cursor = ParseCursor(*text);
    if (!cursor.ok()) {
      return cursor.status().WithContext(
          "cursor " + s_.files->PathOf(name) +
          " is damaged (repair it, or remove it to start again from backfill)");
    }
    cursor_ = std::move(cursor).value();
    Log(LogLevel::kInfo, "resuming " + std::to_string(cursor_.series.size()) + " series from " +
                             s_.files->PathOf(name));
    return Status::Ok();
  }
  if (!text.status().IsNotFound()) return text.status().WithContext("cursor " + name);
  cursor_.origin = s_.now() - config_.backfill;
  Log(LogLevel::kInfo, "new endpoint: sending samples from " + FormatRfc3339(cursor_.origin) +
                           " on to " + config_.url);
  return s_.files->Write(name, RenderCursor(cursor_)).WithContext("cursor " + name);
}

void Forwarder::SaveCursor() {
  Status st = s_.files->Write(CursorFileName(), RenderCursor(cursor_));
  if (!st.ok()) Problem("cannot write the cursor: " + st.ToString());
}

bool Forwarder::DatabaseSelected(const std::string& db) const {
  for (const std::string& p : config_.exclude_databases) {
    if (WildcardMatch(p, db)) return false;
  }
  for (const std::string& p : config_.databases) {
    // The internal database only when named: "*" means the user's data.
    if (db == kInternalDatabase ? p == db : WildcardMatch(p, db)) return true;
  }
  return false;
}

bool Forwarder::SeriesSelected(const SeriesInfo& s) const {
  for (const std::string& p : config_.exclude_series) {
    if (SeriesPatternMatches(p, s.key, s.metric)) return false;
  }
  for (const std::string& p : config_.series) {
    if (SeriesPatternMatches(p, s.key, s.metric)) return true;
  }
  return false;
}

std::vector<Label> Forwarder::RemoteLabels(const std::string& db, const SeriesInfo& s) const {
  std::vector<Label> labels = s.labels;
  auto has = [&labels](std::string_view name) {
    return std::any_of(labels.begin(), labels.end(),
                       [&](const Label& l) { return l.name == name; });
  };
  labels.push_back(
      Label{std::string(kMetricNameLabel), RemoteMetricName(s.metric, config_.metric_names)});
  if (!config_.db_label.empty() && !has(config_.db_label)) {
    labels.push_back(Label{config_.db_label, db});
  }
  for (const Label& l : config_.external_labels) {
    if (!has(l.name)) labels.push_back(l);
  }
  // The protocol wants labels sorted by name (byte order: "__name__" after upper case).
  std::sort(labels.begin(), labels.end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  return labels;
}

Status Forwarder::RefreshSeries() {
  std::vector<Series> out;
  for (const std::string& db : s_.query->ListDatabases(true)) {
    if (!DatabaseSelected(db)) continue;
    Result<std::vector<SeriesInfo>> found = s_.query->SelectSeries(db, {}, 0);
    if (!found.ok()) {
      if (found.status().IsNotFound()) continue;  // dropped meanwhile
      return found.status().WithContext("listing the series of " + db);
    }
    for (const SeriesInfo& info : *found) {
      if (!SeriesSelected(info)) continue;
      Series ser;
      ser.db = db;
      ser.key = info.key;
      ser.type = info.type;
      ser.last = info.last ? info.last->ts : kMinTimestamp;
      ser.remote_labels = RemoteLabels(db, info);
      // A series the cursor does not list yet starts at the origin: listing it so is the same.
      auto [it, added] =
          cursor_.series.try_emplace({db, info.key}, SeriesPosition{cursor_.origin, 0});
      ser.position = &it->second;
      out.push_back(std::move(ser));
    }
  }
  series_ = std::move(out);
  series_count_.store(series_.size(), std::memory_order_relaxed);
  return Status::Ok();
}

Status Forwarder::Fill(Series& series, SeriesPosition pos) {
  ReadAhead& a = series.ahead;
  const size_t cap =
      std::max<size_t>(kMinReadAhead, kReadAheadSamples / std::max<size_t>(1, series_.size()));
  a.samples.clear();
  if (a.samples.capacity() > 2 * cap) a.samples.shrink_to_fit();
  a.next = 0;
  a.pos = pos;
  a.valid = false;
  a.complete = true;
  uint32_t skip = pos.at_ts;
  Status st =
      s_.query->ReadRange(series.db, series.key, pos.ts, kMaxTimestamp, 1, [&](const Sample& x) {
        if (x.ts == pos.ts && skip > 0) {
          --skip;
          return true;
        }
        if (a.samples.size() == cap) {
          a.complete = false;
          return false;
        }
        a.samples.push_back(x);
        return true;
      });
  if (!st.ok()) return st;
  a.valid = true;
  return Status::Ok();
}

const Sample* Forwarder::Peek(Series& series, SeriesPosition pos) {
  ReadAhead& a = series.ahead;
  if (!a.valid || a.pos != pos || a.next == a.samples.size()) {
    // Used up: read on (a complete read is read again too, for samples written since).
    Status st = Fill(series, pos);
    if (!st.ok()) {
      if (!st.IsNotFound()) {
        Problem("reading " + series.db + " " + series.key + ": " + st.ToString());
      }
      return nullptr;
    }
  }
  return a.next < a.samples.size() ? &a.samples[a.next] : nullptr;
}

void Forwarder::Take(Series& series) {
  ReadAhead& a = series.ahead;
  const Sample& x = a.samples[a.next++];
  a.pos = x.ts == a.pos.ts ? SeriesPosition{x.ts, a.pos.at_ts + 1} : SeriesPosition{x.ts, 1};
}

uint64_t Forwarder::CountAfter(const Series& series, SeriesPosition pos, Timestamp to) const {
  uint64_t n = 0;
  uint32_t skip = pos.at_ts;
  s_.query->ReadRange(series.db, series.key, pos.ts, to, 1, [&](const Sample& x) {
    if (x.ts == pos.ts && skip > 0) {
      --skip;
    } else {
      ++n;
    }
    return true;
  });
  return n;
}

void Forwarder::ApplyMaxLag(Timestamp now) {
  if (config_.max_lag <= 0) return;
  const Timestamp cutoff = now - config_.max_lag;
  uint64_t dropped = 0;
  for (const Series& ser : series_) {
    SeriesPosition pos = *ser.position;
    if (pos.ts >= cutoff || !Pending(ser.last, pos)) continue;
    dropped += CountAfter(ser, pos, cutoff - 1);
    *ser.position = SeriesPosition{cutoff, 0};
  }
  if (dropped > 0) {
    dropped_lag_.fetch_add(dropped, std::memory_order_relaxed);
    Log(LogLevel::kWarning, "dropped " + std::to_string(dropped) + " samples older than max_lag " +
                                FormatDuration(config_.max_lag) + " (before " +
                                FormatRfc3339(cutoff) + ") that were never sent");
    SaveCursor();
  }
}

void Forwarder::Recount(Timestamp now) {
  auto started = std::chrono::steady_clock::now();
  uint64_t total = 0;
  for (const Series& ser : series_) {
    SeriesPosition pos = *ser.position;
    if (Pending(ser.last, pos)) total += CountAfter(ser, pos, kMaxTimestamp);
  }
  pending_samples_.store(total, std::memory_order_relaxed);
  auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
  // Counting reads the whole backlog: keep it to a small share of the time.
  next_recount_ = now + std::max<int64_t>(kMinRecountEvery, 50 * took);
}

bool Forwarder::Send(std::vector<Part>* parts) {
  remote::WriteRequest& request = request_;
  request.Clear();  // keeps what it allocated for the next request
  uint64_t samples = 0;
  for (const Part& part : *parts) {
    const Series& ser = series_[part.series];
    remote::TimeSeries* ts = request.add_timeseries();
    for (const Label& l : ser.remote_labels) {
      remote::Label* label = ts->add_labels();
      label->set_name(l.name);
      label->set_value(l.value);
    }
    for (const Sample& x : part.samples) {
      remote::Sample* out = ts->add_samples();
      out->set_value(Value{ser.type, x.bits}.AsDouble());
      out->set_timestamp(RemoteMillis(x.ts));
    }
    samples += part.samples.size();
  }
  request.SerializeToString(&encoded_);
  remote::SnappyEncode(encoded_, &compressed_);
  const Timestamp now = s_.now();

  PostOutcome outcome = transport_->Post(compressed_);
  if (outcome.status == 0 && stopping_.load(std::memory_order_relaxed)) return false;
  if (outcome.status != 0) requests_.fetch_add(1, std::memory_order_relaxed);
  const bool ok = outcome.status >= 200 && outcome.status < 300;
  const bool rejected = Refused(outcome.status);
  if (!ok && !rejected) {
    failed_requests_.fetch_add(1, std::memory_order_relaxed);
    failing_ = true;
    Problem("sending " + std::to_string(samples) + " samples to " + config_.url + " failed (" +
            (outcome.status == 0 ? std::string("no answer")
                                 : "HTTP " + std::to_string(outcome.status)) +
            ": " + outcome.message + "); retrying with backoff, nothing is lost meanwhile");
    return false;
  }
  for (const Part& part : *parts) {
    const Series& ser = series_[part.series];
    *ser.position = part.after;
  }
  SaveCursor();
  uint64_t pending = pending_samples_.load(std::memory_order_relaxed);
  pending_samples_.store(pending > samples ? pending - samples : 0, std::memory_order_relaxed);
  if (ok) {
    sent_samples_.fetch_add(samples, std::memory_order_relaxed);
    sent_bytes_.fetch_add(compressed_.size(), std::memory_order_relaxed);
    last_success_.store(now, std::memory_order_relaxed);
    if (failing_) {
      Log(LogLevel::kInfo, "sending again: " + config_.url + " acknowledged a request");
      failing_ = false;
      last_problem_.clear();
    }
  } else {
    dropped_rejected_.fetch_add(samples, std::memory_order_relaxed);
    Problem(config_.url + " refused " + std::to_string(samples) + " samples with HTTP " +
            std::to_string(outcome.status) + " (" + outcome.message +
            "); they are dropped, since the receiver would refuse them again");
  }
  return true;
}

Forwarder::Round Forwarder::RunRound() {
  const Timestamp now = s_.now();
  if (now >= next_refresh_) {
    Status st = RefreshSeries();
    if (!st.ok()) {
      Problem(st.ToString());
      return Round::kFailed;
    }
    next_refresh_ = now + config_.interval;
  }
  ApplyMaxLag(now);

  // The round's window starts at the oldest unsent sample of any series.
  std::vector<size_t> pending;
  Timestamp start = kMaxTimestamp;
  for (size_t i = 0; i < series_.size(); ++i) {
    Series& ser = series_[i];
    SeriesPosition pos = *ser.position;
    if (!Pending(ser.last, pos)) continue;
    const Sample* next = Peek(ser, pos);
    if (next == nullptr) continue;
    pending.push_back(i);
    start = std::min(start, next->ts);
  }
  if (pending.empty()) {
    pending_samples_.store(0, std::memory_order_relaxed);
    lag_ns_.store(0, std::memory_order_relaxed);
    return Round::kIdle;
  }
  lag_ns_.store(std::max<int64_t>(0, now - start), std::memory_order_relaxed);
  if (now >= next_recount_) Recount(now);
  const Timestamp end =
      start > kMaxTimestamp - config_.window ? kMaxTimestamp : start + config_.window - 1;

  std::vector<Part> parts;
  size_t in_request = 0;
  bool moved = false;   // some position changed without a request (an empty window skipped)
  bool posted = false;  // some request settled
  for (size_t i : pending) {
    if (stopping_.load(std::memory_order_relaxed)) return Round::kFailed;
    Series& ser = series_[i];
    SeriesPosition pos = *ser.position;
    while (true) {
      Part part{i, {}, pos};
      const size_t room = config_.max_samples_per_send - in_request;
      bool full = false;
      // Collect first, send after: no request is posted while storage is being read.
      for (const Sample* x = Peek(ser, pos); x != nullptr && x->ts <= end;
           x = Peek(ser, part.after)) {
        if (part.samples.size() == room) {
          full = true;
          break;
        }
        part.samples.push_back(*x);
        Take(ser);
        part.after = ser.ahead.pos;
      }
      // Nothing more up to `end`, and storage takes no sample older than its newest: the
      // series is complete up to `end`.
      if (!full && ser.last > end && part.after.ts <= end) {
        part.after = SeriesPosition{end + 1, 0};
        if (ser.ahead.valid) ser.ahead.pos = part.after;
      }
      if (part.samples.empty()) {
        if (part.after != pos) {
          *ser.position = part.after;
          moved = true;
        }
        break;
      }
      in_request += part.samples.size();
      parts.push_back(std::move(part));
      if (in_request < config_.max_samples_per_send) break;
      if (!Send(&parts)) return Round::kFailed;
      posted = true;
      parts.clear();
      in_request = 0;
      if (!full || stopping_.load(std::memory_order_relaxed)) break;
      pos = *ser.position;
    }
  }
  if (!parts.empty()) {
    if (!Send(&parts)) return Round::kFailed;
    posted = true;
  } else if (moved) {
    SaveCursor();
  }
  return posted || moved ? Round::kProgress : Round::kIdle;
}

void Forwarder::Loop() {
  Work();
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  cv_.notify_all();
}

void Forwarder::Work() {
  int64_t backoff = 0;
  while (true) {
    Round r = RunRound();
    int64_t wait = 0;
    if (r == Round::kProgress) {
      backoff = 0;
    } else if (r == Round::kIdle) {
      backoff = 0;
      wait = config_.interval;
    } else {
      backoff = backoff == 0 ? config_.min_backoff : std::min(config_.max_backoff, backoff * 2);
      wait = backoff;
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (wait > 0) {
      cv_.wait_for(lock, std::chrono::nanoseconds(wait), [this] { return stop_; });
    }
    if (stop_) return;
  }
}

void Forwarder::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
    done_ = false;
  }
  stopping_.store(false);
  thread_ = std::thread([this] { Loop(); });
}

void Forwarder::Stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  bool done;
  {
    std::unique_lock<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
    // A request in flight may finish and be acknowledged (else it would be sent again after
    // the restart); one that takes longer is interrupted.
    done = cv_.wait_for(lock, std::chrono::nanoseconds(std::min(config_.timeout, kStopGrace)),
                        [this] { return done_; });
  }
  if (!done && transport_) transport_->Abort();
  thread_.join();
}

std::vector<StatValue> Forwarder::Stats() const {
  auto get = [](const auto& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); };
  const Labels endpoint = {{"endpoint", config_.name}};
  const double sent = get(sent_samples_);
  const double bytes = get(sent_bytes_);
  const double pending = get(pending_samples_);
  // No copy is kept: the pending bytes are what sending the pending samples would take, at the
  // compressed bytes per sample seen so far (2 until something was sent).
  const double per_sample = sent > 0 ? bytes / sent : 2.0;
  auto labelled = [&](std::string reason) {
    Labels l = endpoint;
    l.push_back(Label{"reason", std::move(reason)});
    return l;
  };
  return {
      {"nanotdb.forward.sent_samples_total", endpoint, sent, true,
       "Samples the receiver acknowledged."},
      {"nanotdb.forward.sent_bytes_total", endpoint, bytes, true,
       "Compressed request bytes the receiver acknowledged."},
      {"nanotdb.forward.requests_total", endpoint, get(requests_), true,
       "Remote-write requests answered (acknowledged, refused or failed with a status)."},
      {"nanotdb.forward.failed_requests_total", endpoint, get(failed_requests_), true,
       "Requests that failed and are retried (no answer, 5xx, 429, 401, 403, 404, ...)."},
      {"nanotdb.forward.dropped_samples_total", labelled("max_lag"), get(dropped_lag_), true,
       "Samples never sent: older than max_lag, or refused (HTTP 400, 409, 413, 422)."},
      {"nanotdb.forward.dropped_samples_total", labelled("rejected"), get(dropped_rejected_), true,
       "Samples never sent: older than max_lag, or refused (HTTP 400, 409, 413, 422)."},
      {"nanotdb.forward.pending_samples", endpoint, pending, false,
       "Stored samples not yet acknowledged (recounted at least every 10 s while behind)."},
      {"nanotdb.forward.pending_bytes", endpoint, pending * per_sample, false,
       "Estimated request bytes of the pending samples (kept by storage, not copied)."},
      {"nanotdb.forward.lag_seconds", endpoint, get(lag_ns_) / 1e9, false,
       "Age of the oldest unsent sample; 0 when nothing is pending."},
      {"nanotdb.forward.series", endpoint, get(series_count_), false,
       "Series selected for this endpoint."},
      {"nanotdb.forward.last_success_timestamp_seconds", endpoint, get(last_success_) / 1e9, false,
       "Unix time of the last acknowledged request; 0 before the first."},
  };
}

}  // namespace nanotdb::forward
