// sensor-bus: a sample out-of-tree ingest plugin. A bus gateway POSTs one reading per line,
// "<sensor> <value>", to /api/v1/sensor-bus; each becomes the float64 sample
// <database>/<prefix><sensor> at the time of the request, written through the core's
// WriterService. Only SDK headers are used, so the plugin builds outside the NanoTDB tree.
#include <nanotdb/plugin.h>
#include <nanotdb/services/http.h>
#include <nanotdb/services/writer.h>

#include <charconv>
#include <chrono>
#include <string>
#include <vector>

namespace {

using nanotdb::ConfigKey;
using nanotdb::ConfigType;
using nanotdb::HttpRequest;
using nanotdb::HttpResponse;
using nanotdb::Status;

constexpr ConfigKey kKeys[] = {
    {"database", ConfigType::kString, "\"sensors\"", "database the readings are written to"},
    {"prefix", ConfigType::kString, "\"bus.\"", "prefix of every metric name"},
};

std::string Error(std::string_view message) {
  std::string out = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"}\n";
}

class SensorBusPlugin {
 public:
  Status Register(nanotdb::PluginContext&) { return Status::Ok(); }

  Status Start(nanotdb::PluginContext& ctx) {
    writer_ = ctx.Find<nanotdb::WriterService>();
    auto* http = ctx.Find<nanotdb::HttpService>();
    if (writer_ == nullptr || http == nullptr) {
      return Status::NotFound("sensor-bus needs the nanotdb.writer and nanotdb.http services");
    }
    database_ = ctx.config().GetString("database");
    prefix_ = ctx.config().GetString("prefix");
    nanotdb::RouteSpec route;
    route.path = "/api/v1/sensor-bus";
    route.methods = {"POST"};
    route.role = nanotdb::Role::kWrite;
    route.handler = [this](const HttpRequest& req, HttpResponse& res) { Handle(req, res); };
    return http->AddRoute(std::move(route));
  }

  void Stop() {}

 private:
  void Handle(const HttpRequest& req, HttpResponse& res) {
    const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    std::vector<std::string> names;
    std::vector<nanotdb::PointRef> points;
    std::string_view body = req.body;
    size_t line_no = 0;
    while (!body.empty()) {
      size_t eol = body.find('\n');
      std::string_view line = body.substr(0, eol);
      body = eol == std::string_view::npos ? std::string_view() : body.substr(eol + 1);
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      size_t sp = line.find(' ');
      float value = 0;
      std::string_view text = sp == std::string_view::npos ? "" : line.substr(sp + 1);
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (sp == 0 || sp == std::string_view::npos || ec != std::errc() ||
          end != text.data() + text.size()) {
        res.status = 400;
        res.body = Error("line " + std::to_string(line_no) + ": expected \"<sensor> <value>\"");
        return;
      }
      names.push_back(prefix_ + std::string(line.substr(0, sp)));
      points.push_back({database_, {}, now, nanotdb::Value::Float64(value)});
    }
    for (size_t i = 0; i < points.size(); ++i) points[i].metric = names[i];
    auto result = writer_->WriteBatch(points);
    if (!result.ok()) {
      res.status = 500;
      res.body = Error(result.status().message());
      return;
    }
    if (!result->rejected.empty()) {
      res.status = 400;
      res.body = Error(result->rejected.front().second.message());
      return;
    }
    res.body =
        "{\"status\":\"success\",\"data\":{\"imported\":" + std::to_string(result->accepted) +
        "}}\n";
  }

  nanotdb::WriterService* writer_ = nullptr;
  std::string database_;
  std::string prefix_;
};

}  // namespace

NANOTDB_PLUGIN(SensorBusPlugin, "sensor-bus", "0.1.0",
               "sample out-of-tree ingest plugin: POST /api/v1/sensor-bus", kKeys)
