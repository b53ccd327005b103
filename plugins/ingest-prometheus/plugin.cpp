// The ingest-prometheus plugin: publishes the metric metadata service, serves
// POST /api/v1/import/prometheus and POST /api/v1/write, and runs the scrape jobs.
#include "nanotdb/plugin.h"

#include <memory>

#include "metadata_store.h"
#include "nanotdb/services/http.h"
#include "nanotdb/services/metric_metadata.h"
#include "nanotdb/services/writer.h"
#include "remote_write.h"
#include "scraper.h"
#include "text_import.h"

namespace nanotdb::prom {
namespace {

const ConfigKey kConfigKeys[] = {
    {"db", ConfigType::kString, "\"prometheus\"",
     "database for samples whose request names none (?db= overrides it)"},
    {"batch_size", ConfigType::kInt, "10000",
     "samples per storage write batch (one WAL record per batch)"},
    {"max_body_bytes", ConfigType::kInt, "67108864",
     "largest decoded remote-write request or scraped exposition, in bytes"},
    {"scrape_interval", ConfigType::kDuration, "\"30s\"",
     "how often scrape jobs run unless a job sets interval"},
    {"scrape_timeout", ConfigType::kDuration, "\"10s\"",
     "limit of one scrape unless a job sets timeout (capped at the interval)"},
};

class IngestPrometheusPlugin {
 public:
  Status Register(PluginContext& ctx) {
    metadata_ = std::make_unique<MetadataStore>();
    return ctx.RegisterService(MetricMetadataService::kServiceName,
                               MetricMetadataService::kServiceVersion,
                               static_cast<MetricMetadataService*>(metadata_.get()));
  }

  Status Start(PluginContext& ctx) {
    auto* writer = ctx.Find<WriterService>();
    auto* http = ctx.Find<HttpService>();
    if (writer == nullptr || http == nullptr) {
      return Status::NotFound(
          "ingest-prometheus needs the core services nanotdb.writer v1 and nanotdb.http v1; "
          "this nanotdb does not provide them (rebuild the plugin against the running SDK)");
    }
    TextImportOptions options;
    options.default_db = ctx.config().GetString("db");
    if (Status st = ValidateDatabaseName(options.default_db); !st.ok()) {
      return st.WithContext("[plugins.ingest-prometheus] db");
    }
    int64_t batch_size = ctx.config().GetInt("batch_size");
    if (batch_size <= 0 || batch_size > 10'000) {
      return Status::InvalidArgument(
          "[plugins.ingest-prometheus] batch_size must be between 1 and 10000, got " +
          std::to_string(batch_size));
    }
    options.batch_size = static_cast<size_t>(batch_size);
    int64_t max_body = ctx.config().GetInt("max_body_bytes");
    if (max_body <= 0) {
      return Status::InvalidArgument(
          "[plugins.ingest-prometheus] max_body_bytes must be > 0, got " +
          std::to_string(max_body));
    }
    RemoteWriteOptions remote;
    remote.default_db = options.default_db;
    remote.batch_size = options.batch_size;
    remote.max_decoded_bytes = static_cast<uint64_t>(max_body);

    ScrapeDefaults defaults{options.default_db, ctx.config().GetDuration("scrape_interval"),
                            ctx.config().GetDuration("scrape_timeout")};
    if (defaults.interval_ns <= 0 || defaults.timeout_ns <= 0) {
      return Status::InvalidArgument(
          "[plugins.ingest-prometheus] scrape_interval and scrape_timeout must be > 0");
    }
    Result<std::vector<ScrapeJob>> jobs =
        ParseScrapeJobs(ctx.config().GetTableToml("scrape"), defaults);
    if (!jobs.ok()) return jobs.status().WithContext("[plugins.ingest-prometheus]");
    ScraperOptions scrape_options;
    scrape_options.batch_size = options.batch_size;
    scrape_options.max_body_bytes = static_cast<uint64_t>(max_body);
    scrape_options.log = [&ctx](LogLevel level, std::string_view message) {
      ctx.Log(level, message);
    };
    size_t targets = 0;
    for (const ScrapeJob& job : *jobs) targets += job.targets.size();
    if (!jobs->empty()) {
      ctx.Log(LogLevel::kInfo, "scraping " + std::to_string(targets) + " targets of " +
                                   std::to_string(jobs->size()) + " jobs");
    }

    text_import_ = std::make_unique<TextImportHandler>(*writer, *metadata_, std::move(options));
    NANOTDB_RETURN_IF_ERROR(http->AddRoute(text_import_->Route())
                                .WithContext("ingest-prometheus: route /api/v1/import/prometheus"));
    remote_write_ = std::make_unique<RemoteWriteHandler>(*writer, *metadata_, std::move(remote));
    NANOTDB_RETURN_IF_ERROR(http->AddRoute(remote_write_->Route())
                                .WithContext("ingest-prometheus: route /api/v1/write"));
    scraper_ = std::make_unique<Scraper>(*writer, *metadata_, std::move(jobs).value(),
                                         std::move(scrape_options));
    scraper_->Start();
    return Status::Ok();
  }

  // The core stops the HTTP server before Stop, so no request is in flight any more; the
  // scraper's thread is interrupted and joined.
  void Stop() {
    if (scraper_) scraper_->Stop();
  }

 private:
  std::unique_ptr<MetadataStore> metadata_;
  std::unique_ptr<TextImportHandler> text_import_;
  std::unique_ptr<RemoteWriteHandler> remote_write_;
  std::unique_ptr<Scraper> scraper_;
};

}  // namespace
}  // namespace nanotdb::prom

NANOTDB_PLUGIN(nanotdb::prom::IngestPrometheusPlugin, "ingest-prometheus", "0.1.0",
               "Prometheus ingest: text/OpenMetrics import, remote write, scraping",
               nanotdb::prom::kConfigKeys)
