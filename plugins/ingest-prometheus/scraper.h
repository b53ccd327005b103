// Scraper: pulls Prometheus/OpenMetrics text from HTTP targets on a schedule and stores it, so
// a node_exporter (or any /metrics endpoint) is collected with no Prometheus in between.
//
// One scheduler thread runs every (job, target) in turn when it is due (first scrape right
// after Start, then every job interval; a scrape that overran skips the missed ticks). A scrape
// is `GET http://<target><metrics_path>` with Prometheus' Accept header (OpenMetrics preferred,
// text 0.0.4 accepted) and Accept-Encoding gzip, bounded as a whole by the job timeout and
// max_body_bytes. Every sample gets the job's extra labels, `job` and `instance` (a scraped
// label of the same name is kept as `exported_<name>`, as Prometheus does without
// honor_labels); samples without a timestamp get the scrape's start time (ms). Per scrape and
// target it also writes, like Prometheus:
//   up                       1 when the scrape and parse succeeded, else 0
//   scrape_duration_seconds  how long the fetch took
//   scrape_samples_scraped   sample lines in the exposition
// TYPE/HELP/UNIT go to the MetadataStore. Failures are logged when a target goes down (and
// when it comes back), not on every attempt.
//
// Thread safety: Start/Stop from one thread (the plugin's); ScrapeOnce may be called from any
// thread while the scheduler is not running (tests). Stop interrupts an in-flight fetch and
// joins the thread. The services are borrowed and must outlive the Scraper.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "metadata_store.h"
#include "nanotdb/engine_types.h"
#include "nanotdb/services/writer.h"
#include "scrape_config.h"

namespace Poco::Net {
class HTTPClientSession;
}

namespace nanotdb::prom {

struct ScraperOptions {
  size_t batch_size = 10'000;
  uint64_t max_body_bytes = 64 << 20;  // decoded exposition size limit per scrape
  LogFn log;                           // may be empty
};

struct ScrapeResult {
  bool up = false;
  std::string error;  // why up is 0
  double duration_seconds = 0;
  size_t samples_scraped = 0;   // sample lines parsed
  size_t stored = 0;            // points stored, the three report series included
  size_t rejected = 0;          // lines or samples rejected (parse errors, storage refusals)
  std::string first_rejection;  // "line 3: ..." of the first one
};

class Scraper {
 public:
  Scraper(WriterService& writer, MetadataStore& metadata, std::vector<ScrapeJob> jobs,
          ScraperOptions options);
  ~Scraper();  // Stop()
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  void Start();
  void Stop() noexcept;

  // Scrapes one target now and stores the result (samples and report series).
  ScrapeResult ScrapeOnce(const ScrapeJob& job, const ScrapeTarget& target);

 private:
  struct Slot {
    size_t job;
    size_t target;
    int64_t next_ns;  // steady clock
    bool was_up = true;
  };
  void Run();
  Status Fetch(const ScrapeJob& job, const ScrapeTarget& target, std::string* body,
               std::string* content_type);
  void Log(LogLevel level, const std::string& message);

  WriterService& writer_;
  MetadataStore& metadata_;
  const std::vector<ScrapeJob> jobs_;
  const ScraperOptions options_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;                           // guarded by mu_
  Poco::Net::HTTPClientSession* active_ = nullptr;  // the fetch in flight; guarded by mu_
  std::thread thread_;
};

}  // namespace nanotdb::prom
