#include "influx_handler.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>

#include "influx_line.h"
#include "nanotdb/vm_json.h"

namespace nanotdb::influx {
namespace {

Timestamp SystemNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Influx's error shapes: 1.x {"error":"..."}, 2.x {"code":"invalid","message":"..."}.
void RespondInfluxError(HttpResponse& resp, bool v2, int status, std::string_view message) {
  resp.status = status;
  resp.content_type = "application/json";
  resp.body = v2 ? std::string("{\"code\":\"") + (status >= 500 ? "internal error" : "invalid") +
                       "\",\"message\":"
                 : std::string("{\"error\":");
  vm::AppendJsonString(&resp.body, message);
  resp.body.append("}\n");
}

// A client tag named db is renamed (db is the database in every answer).
void RenameDbTag(Labels* tags) {
  auto named = [&](std::string_view n) {
    return std::find_if(tags->begin(), tags->end(), [&](const Label& l) { return l.name == n; });
  };
  auto db = named(kDatabaseLabel);
  if (db == tags->end()) return;
  std::string to = "exported_" + std::string(kDatabaseLabel);
  while (named(to) != tags->end()) to.insert(0, "exported_");
  db->name = std::move(to);
}

// The stored value of a field; InvalidArgument for what nanotdb does not store. Not called for
// string fields, which are skipped.
Result<Value> StoredValue(const Field& field) {
  switch (field.value.kind) {
    case FieldValue::Kind::kFloat:
      return Value::Float64(field.value.f);
    case FieldValue::Kind::kInt:
      return Value::Int64(field.value.i);
    case FieldValue::Kind::kUint:
      if (field.value.u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Status::InvalidArgument("unsigned field \"" + field.key + "\" value " +
                                       std::to_string(field.value.u) +
                                       "u does not fit int64 (values are stored as int64)");
      }
      return Value::Int64(static_cast<int64_t>(field.value.u));
    case FieldValue::Kind::kBool:
      return Value::Int64(field.value.b ? 1 : 0);
    case FieldValue::Kind::kString:
      break;
  }
  return Status::InvalidArgument("string field \"" + field.key + "\" is not stored");
}

struct Pending {
  size_t line;
  std::string key;
  Timestamp ts;
  Value value;
};

}  // namespace

InfluxHandler::InfluxHandler(WriterService& writer, InfluxOptions options)
    : writer_(writer), options_(std::move(options)) {}

std::vector<RouteSpec> InfluxHandler::Routes() const {
  std::vector<RouteSpec> routes(3);
  routes[0].path = "/write";
  routes[0].methods = {"POST"};
  routes[0].role = Role::kWrite;
  routes[0].handler = [this](const HttpRequest& req, HttpResponse& resp) { WriteV1(req, resp); };
  routes[1].path = "/api/v2/write";
  routes[1].methods = {"POST"};
  routes[1].role = Role::kWrite;
  routes[1].handler = [this](const HttpRequest& req, HttpResponse& resp) { WriteV2(req, resp); };
  routes[2].path = "/ping";
  routes[2].methods = {"GET"};
  routes[2].role = Role::kRead;
  routes[2].handler = [](const HttpRequest&, HttpResponse& resp) {
    resp.status = 204;
    resp.content_type.clear();
    resp.body.clear();
    resp.headers.emplace_back("X-Influxdb-Version", "1.8-compatible (nanotdb)");
  };
  return routes;
}

void InfluxHandler::WriteV1(const HttpRequest& req, HttpResponse& resp) const {
  std::string db;
  if (!req.Param("db", &db) || db.empty()) {
    return RespondInfluxError(resp, false, 400, "database is required: add ?db=<name>");
  }
  Write(Api::kV1, db, req, resp);
}

void InfluxHandler::WriteV2(const HttpRequest& req, HttpResponse& resp) const {
  std::string bucket;
  if (!req.Param("bucket", &bucket) || bucket.empty()) {
    return RespondInfluxError(resp, true, 400, "bucket is required: add ?bucket=<database>");
  }
  // 1.x-compatible bucket names are "db/retention-policy".
  Write(Api::kV2, bucket.substr(0, bucket.find('/')), req, resp);
}

void InfluxHandler::Write(Api api, const std::string& db, const HttpRequest& req,
                          HttpResponse& resp) const {
  const bool v2 = api == Api::kV2;
  if (Status st = ValidateDatabaseName(db); !st.ok()) {
    return RespondInfluxError(resp, v2, 400, st.message());
  }
  std::string precision_text;
  req.Param("precision", &precision_text);
  Precision precision;
  if (!ParsePrecision(precision_text, &precision)) {
    return RespondInfluxError(resp, v2, 400,
                              "invalid precision \"" + precision_text + "\" (use ns, us, ms or s)");
  }
  const Timestamp now = options_.now ? options_.now() : SystemNow();

  size_t imported = 0, rejected = 0;
  size_t first_line = 0;  // of the lowest-numbered rejected line
  std::string first_error;
  Status failure;
  auto reject = [&](size_t line, const std::string& message) {
    ++rejected;
    if (first_line == 0 || line < first_line) {
      first_line = line;
      first_error = "line " + std::to_string(line) + ": " + message;
    }
  };
  std::vector<Pending> pending;
  auto flush = [&] {
    if (pending.empty() || !failure.ok()) return;
    std::vector<PointRef> points;
    points.reserve(pending.size());
    for (const Pending& p : pending) points.push_back({db, p.key, p.ts, p.value});
    Result<BatchResult> res = writer_.WriteBatch(points);
    if (!res.ok()) {
      failure = res.status();
    } else {
      imported += res->accepted;
      for (auto& [index, status] : res->rejected) {
        reject(pending[index].line, pending[index].key + ": " + status.message());
      }
    }
    pending.clear();
  };

  std::string_view body = req.body;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    // As InfluxDB: 1.x stores nothing and succeeds (Home Assistant's influxdb integration
    // checks the connection with such a write and fails to start on an error), 2.x answers
    // 400 (which Home Assistant's v2 check expects).
    if (!v2) {
      resp.status = 204;
      resp.content_type.clear();
      resp.body.clear();
      return;
    }
    return RespondInfluxError(resp, v2, 400,
                              "writing requires points: the request body is empty (send line "
                              "protocol, one \"measurement,tag=v field=1.5 [timestamp]\" per "
                              "line)");
  }
  InfluxPoint point;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < body.size() && failure.ok()) {
    size_t nl = body.find('\n', pos);
    std::string_view line =
        body.substr(pos, (nl == std::string_view::npos ? body.size() : nl) - pos);
    pos = nl == std::string_view::npos ? body.size() : nl + 1;
    ++line_no;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    Status st = ParseInfluxLine(line.substr(first), precision, now, &point);
    if (!st.ok()) {
      reject(line_no, st.message());
      continue;
    }
    RenameDbTag(&point.tags);
    for (const Field& field : point.fields) {
      // Telegraf (system's uptime_format) and Home Assistant (friendly_name_str, state) send
      // text beside the numbers in most writes: skipped, so their numbers are stored and the
      // write succeeds instead of failing every flush with a partial write.
      if (field.value.kind == FieldValue::Kind::kString) continue;
      Result<Value> value = StoredValue(field);
      if (!value.ok()) {
        reject(line_no, value.status().message());
        continue;
      }
      Result<std::string> key = MakeSeriesKey(MetricName(point.measurement, field.key), point.tags);
      if (!key.ok()) {
        reject(line_no, key.status().message());
        continue;
      }
      pending.push_back({line_no, std::move(key).value(), point.ts, *value});
      if (pending.size() >= options_.batch_size) flush();
    }
  }
  flush();
  if (!failure.ok()) {
    return RespondInfluxError(resp, v2, 500,
                              "storage failed after " + std::to_string(imported) +
                                  " samples were stored: " + failure.message());
  }
  if (rejected == 0) {
    resp.status = 204;
    resp.content_type.clear();
    resp.body.clear();
    return;
  }
  RespondInfluxError(resp, v2, 400,
                     "partial write: " + first_error + " (stored " + std::to_string(imported) +
                         " samples, rejected " + std::to_string(rejected) + ")");
}

}  // namespace nanotdb::influx
