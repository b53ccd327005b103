// The ingest-lineproto plugin: serves POST /api/v1/import (ImportHandler) and the InfluxDB
// write API /write, /api/v2/write, /ping (InfluxHandler).
#include "nanotdb/plugin.h"

#include <memory>

#include "influx_handler.h"
#include "ingest_handler.h"
#include "nanotdb/services/http.h"
#include "nanotdb/services/writer.h"

namespace nanotdb {
namespace {

const ConfigKey kConfigKeys[] = {
    {"batch_size", ConfigType::kInt, "10000",
     "points per storage write batch (one WAL record per database per batch)"},
};

class IngestLineprotoPlugin {
 public:
  Status Register(PluginContext&) { return Status::Ok(); }

  Status Start(PluginContext& ctx) {
    auto* writer = ctx.Find<WriterService>();
    auto* http = ctx.Find<HttpService>();
    if (writer == nullptr || http == nullptr) {
      return Status::NotFound(
          "ingest-lineproto needs the core services nanotdb.writer v1 and nanotdb.http v1; "
          "this nanotdb does not provide them (rebuild the plugin against the running SDK)");
    }
    int64_t batch_size = ctx.config().GetInt("batch_size");
    if (batch_size <= 0 || batch_size > 10'000) {
      return Status::InvalidArgument(
          "[plugins.ingest-lineproto] batch_size must be between 1 and 10000, got " +
          std::to_string(batch_size));
    }
    IngestOptions options;
    options.batch_size = static_cast<size_t>(batch_size);
    handler_ = std::make_unique<ImportHandler>(*writer, std::move(options));
    NANOTDB_RETURN_IF_ERROR(
        http->AddRoute(handler_->Route()).WithContext("ingest-lineproto: route"));
    influx::InfluxOptions influx_options;
    influx_options.batch_size = static_cast<size_t>(batch_size);
    influx_ = std::make_unique<influx::InfluxHandler>(*writer, std::move(influx_options));
    for (RouteSpec& route : influx_->Routes()) {
      std::string path = route.path;
      NANOTDB_RETURN_IF_ERROR(
          http->AddRoute(std::move(route)).WithContext("ingest-lineproto: route " + path));
    }
    return Status::Ok();
  }

  // The core stops the HTTP server before Stop, so no request is in flight any more.
  void Stop() {}

 private:
  std::unique_ptr<ImportHandler> handler_;
  std::unique_ptr<influx::InfluxHandler> influx_;
};

}  // namespace
}  // namespace nanotdb

NANOTDB_PLUGIN(nanotdb::IngestLineprotoPlugin, "ingest-lineproto", "0.1.0",
               "line-protocol ingest: POST /api/v1/import; InfluxDB /write, /api/v2/write, /ping",
               nanotdb::kConfigKeys)
