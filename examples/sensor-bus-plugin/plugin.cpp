// sensor-bus: a sample out-of-tree ingest plugin. A bus gateway POSTs one reading per line,
// "<sensor> <value>", to /api/v1/sensor-bus; each becomes the float64 sample
// <database>/<prefix><sensor> at the time of the request, written through the core's
// WriterService. It uses the installed SDK alone (headers and NanoTDB::sdk).
#include <nanotdb/plugin.h>
#include <nanotdb/services/http.h>
#include <nanotdb/services/writer.h>
#include <nanotdb/vm_json.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>
#include <vector>

namespace sensor_bus {

const nanotdb::ConfigKey kKeys[] = {
    {"database", nanotdb::ConfigType::kString, "\"sensors\"", "database the readings go to"},
    {"prefix", nanotdb::ConfigType::kString, "\"bus.\"", "prefix of every metric name"},
};

class Plugin {
 public:
  nanotdb::Status Start(nanotdb::PluginContext& ctx) {
    writer_ = ctx.Find<nanotdb::WriterService>();
    auto* http = ctx.Find<nanotdb::HttpService>();
    if (writer_ == nullptr || http == nullptr) {
      return nanotdb::Status::NotFound(
          "sensor-bus needs the nanotdb.writer and nanotdb.http "
          "services");
    }
    database_ = ctx.config().GetString("database");
    prefix_ = ctx.config().GetString("prefix");
    nanotdb::RouteSpec route;
    route.path = "/api/v1/sensor-bus";
    route.methods = {"POST"};
    route.role = nanotdb::Role::kWrite;
    route.handler = [this](const nanotdb::HttpRequest& req, nanotdb::HttpResponse& res) {
      Handle(req, res);
    };
    return http->AddRoute(std::move(route));
  }

 private:
  void Handle(const nanotdb::HttpRequest& req, nanotdb::HttpResponse& res) {
    const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    std::vector<std::string> names;
    std::vector<double> values;
    std::string_view body = req.body;
    for (size_t line_no = 1; !body.empty(); ++line_no) {
      std::string_view line = body.substr(0, body.find('\n'));
      body.remove_prefix(std::min(body.size(), line.size() + 1));
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      size_t sp = line.find(' ');
      std::string_view text = sp == std::string_view::npos ? "" : line.substr(sp + 1);
      double value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (sp == 0 || text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        nanotdb::vm::RespondError(res, 400, "bad_data",
                                  "line " + std::to_string(line_no) +
                                      ": expected \"<sensor> <value>\", got \"" +
                                      std::string(line) + "\"");
        return;
      }
      names.push_back(prefix_ + std::string(line.substr(0, sp)));
      values.push_back(value);
    }
    std::vector<nanotdb::PointRef> points;
    for (size_t i = 0; i < names.size(); ++i) {
      points.push_back({database_, names[i], now, nanotdb::Value::Float64(values[i])});
    }
    auto result = writer_->WriteBatch(points);
    if (!result.ok() || !result->rejected.empty()) {
      const nanotdb::Status& why = result.ok() ? result->rejected.front().second : result.status();
      nanotdb::vm::RespondError(res, result.ok() ? 400 : 500, "bad_data", why.message());
      return;
    }
    nanotdb::vm::RespondSuccess(res, "{\"imported\":" + std::to_string(result->accepted) + "}");
  }

  nanotdb::WriterService* writer_ = nullptr;
  std::string database_;
  std::string prefix_;
};

}  // namespace sensor_bus

NANOTDB_PLUGIN(sensor_bus::Plugin, "sensor-bus", "0.1.0",
               "sample out-of-tree ingest plugin: POST /api/v1/sensor-bus", sensor_bus::kKeys)
