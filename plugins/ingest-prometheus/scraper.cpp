#include "scraper.h"

#include <Poco/InflatingStream.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "nanotdb/time_util.h"
#include "prom_text.h"
#include "sample_writer.h"

namespace nanotdb::prom {
namespace {

// What Prometheus 2.x sends: OpenMetrics first, the 0.0.4 text format as a fallback.
constexpr const char* kAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
    "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Timestamp WallMillisNs() {
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  return ms * 1'000'000;
}

Poco::Timespan Micros(int64_t ns) { return Poco::Timespan(std::max<int64_t>(ns / 1000, 1000)); }

// Renames a scraped label that the target sets itself to exported_<name> (again prefixed while
// taken), then adds the target's labels.
void ApplyTargetLabels(const Labels& target_labels, Labels* labels) {
  for (const Label& t : target_labels) {
    auto it = std::find_if(labels->begin(), labels->end(),
                           [&](const Label& l) { return l.name == t.name; });
    if (it == labels->end()) continue;
    std::string to = "exported_" + t.name;
    auto taken = [&](const std::string& n) {
      return std::any_of(labels->begin(), labels->end(),
                         [&](const Label& l) { return l.name == n; });
    };
    while (taken(to)) to.insert(0, "exported_");
    it->name = std::move(to);
  }
  labels->insert(labels->end(), target_labels.begin(), target_labels.end());
}

}  // namespace

Scraper::Scraper(WriterService& writer, MetadataStore& metadata, std::vector<ScrapeJob> jobs,
                 ScraperOptions options)
    : writer_(writer), metadata_(metadata), jobs_(std::move(jobs)), options_(std::move(options)) {}

Scraper::~Scraper() { Stop(); }

void Scraper::Log(LogLevel level, const std::string& message) {
  if (options_.log) options_.log(level, message);
}

void Scraper::Start() {
  if (jobs_.empty() || thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void Scraper::Stop() noexcept {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (active_ != nullptr) {
      // Wakes a blocked read; the scraping thread still owns (and closes) the socket.
      try {
        active_->socket().shutdown();
      } catch (const Poco::Exception&) {
        // Not connected yet: the connect is bounded by the timeout.
      }
    }
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scraper::Run() {
  std::vector<Slot> slots;
  const int64_t start = SteadyNs();
  for (size_t j = 0; j < jobs_.size(); ++j) {
    for (size_t t = 0; t < jobs_[j].targets.size(); ++t) slots.push_back({j, t, start, true});
  }
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    auto due = std::min_element(slots.begin(), slots.end(),
                                [](const Slot& a, const Slot& b) { return a.next_ns < b.next_ns; });
    int64_t wait = due->next_ns - SteadyNs();
    if (wait > 0) {
      wake_.wait_for(lock, std::chrono::nanoseconds(wait));
      continue;
    }
    lock.unlock();
    const ScrapeJob& job = jobs_[due->job];
    const ScrapeTarget& target = job.targets[due->target];
    ScrapeResult r = ScrapeOnce(job, target);
    std::string where = "scrape " + job.job_name + " " + target.instance;
    if (!r.up && due->was_up) {
      Log(LogLevel::kWarning, where + " failed (up=0): " + r.error);
    } else if (r.up && !due->was_up) {
      Log(LogLevel::kInfo, where + " is up again");
    }
    if (r.rejected > 0) {
      Log(LogLevel::kDebug, where + ": " + std::to_string(r.rejected) +
                                " samples rejected, first: " + r.first_rejection);
    }
    due->was_up = r.up;
    // Fixed rate; ticks missed by a slow scrape are skipped, not caught up.
    int64_t now = SteadyNs();
    do {
      due->next_ns += job.interval_ns;
    } while (due->next_ns <= now);
    lock.lock();
  }
}

Status Scraper::Fetch(const ScrapeJob& job, const ScrapeTarget& target, std::string* body,
                      std::string* content_type) {
  const int64_t deadline = SteadyNs() + job.timeout_ns;
  const std::string timed_out = "scrape timed out after " + FormatDuration(job.timeout_ns);
  try {
    Poco::Net::HTTPClientSession session(target.host, target.port);
    session.setTimeout(Micros(job.timeout_ns));
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return Status::Busy("scraper stopping");
      active_ = &session;
    }
    struct Clear {
      Scraper* self;
      ~Clear() {
        std::lock_guard<std::mutex> lock(self->mu_);
        self->active_ = nullptr;
      }
    } clear{this};
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, job.metrics_path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Accept", kAccept);
    request.set("Accept-Encoding", "gzip");
    request.set("User-Agent", "nanotdb-scraper");
    if (!job.bearer_token.empty()) request.set("Authorization", "Bearer " + job.bearer_token);
    request.set("X-Prometheus-Scrape-Timeout-Seconds",
                std::to_string(static_cast<double>(job.timeout_ns) / 1e9));
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& raw = session.receiveResponse(response);
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      return Status::IOError("server returned HTTP status " +
                             std::to_string(static_cast<int>(response.getStatus())) + " " +
                             response.getReason());
    }
    *content_type = response.getContentType();
    std::unique_ptr<Poco::InflatingInputStream> inflater;
    std::istream* in = &raw;
    if (Poco::icompare(response.get("Content-Encoding", ""), "gzip") == 0) {
      inflater =
          std::make_unique<Poco::InflatingInputStream>(raw, Poco::InflatingStreamBuf::STREAM_GZIP);
      in = inflater.get();
    }
    char buf[64 * 1024];
    body->clear();
    for (;;) {
      int64_t left = deadline - SteadyNs();
      if (left <= 0) return Status::IOError(timed_out);
      session.socket().setReceiveTimeout(Micros(left));
      in->read(buf, sizeof(buf));
      std::streamsize n = in->gcount();
      if (n > 0) body->append(buf, static_cast<size_t>(n));
      if (body->size() > options_.max_body_bytes) {
        return Status::IOError("exposition exceeds " + std::to_string(options_.max_body_bytes) +
                               " bytes");
      }
      if (!*in) break;
    }
    if (in->bad()) return Status::IOError("reading the body failed");
    return Status::Ok();
  } catch (const Poco::TimeoutException&) {
    return Status::IOError(timed_out);
  } catch (const Poco::Exception& e) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return Status::Busy("scraper stopping");
    }
    if (SteadyNs() >= deadline) return Status::IOError(timed_out);
    return Status::IOError(e.displayText());
  } catch (const std::exception& e) {
    return Status::IOError(e.what());
  }
}

ScrapeResult Scraper::ScrapeOnce(const ScrapeJob& job, const ScrapeTarget& target) {
  ScrapeResult r;
  const Timestamp scrape_ts = WallMillisNs();
  const int64_t t0 = SteadyNs();
  std::string body, content_type;
  Status st = Fetch(job, target, &body, &content_type);
  r.duration_seconds = static_cast<double>(SteadyNs() - t0) / 1e9;
  if (st.code() == Status::Code::kBusy) {
    r.error = st.message();
    return r;  // stopping: nothing is written
  }

  Labels target_labels = job.labels;
  target_labels.push_back({"instance", target.instance});
  target_labels.push_back({"job", job.job_name});
  SampleWriter writer(writer_, job.db, options_.batch_size, /*max_errors=*/1);
  if (st.ok()) {
    TextParseSummary summary =
        ParseText(body, FormatFromContentType(content_type), [&](size_t line, TextSample&& s) {
          ApplyTargetLabels(target_labels, &s.labels);
          writer.Add(line, s.metric, std::move(s.labels), s.value, s.ts.value_or(scrape_ts));
        });
    r.samples_scraped = summary.samples;
    if (!summary.first_errors.empty()) {
      writer.Reject(summary.first_errors[0].line, summary.first_errors[0].message);
      writer.CountRejected(summary.errors - 1);
    }
    for (const FamilyMetadata& f : summary.metadata) {
      metadata_.Record(f.name, {std::string(MetricTypeName(f.type)), f.help, f.unit});
    }
    r.up = true;
  } else {
    r.error = st.message();
  }
  // The report series carry no line; ref 0 sorts them before the exposition's lines.
  auto report = [&](const char* metric, double v) {
    writer.Add(0, metric, target_labels, v, scrape_ts);
  };
  report("up", r.up ? 1 : 0);
  report("scrape_duration_seconds", r.duration_seconds);
  report("scrape_samples_scraped", static_cast<double>(r.samples_scraped));
  writer.Finish();
  r.stored = writer.imported();
  r.rejected = writer.rejected();
  std::vector<SampleRejection> errors = writer.errors();
  if (!errors.empty()) {
    r.first_rejection = "line " + std::to_string(errors[0].ref) + ": " + errors[0].message;
  }
  if (!writer.failure().ok()) {
    r.error = "storage failed: " + writer.failure().message();
    Log(LogLevel::kWarning, "scrape " + job.job_name + " " + target.instance + ": " + r.error);
  }
  return r;
}

}  // namespace nanotdb::prom
