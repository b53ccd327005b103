#include "backfill_http.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cctype>
#include <charconv>

#include "nanotdb/vm_json.h"

namespace nanotdb::rollup {
namespace {

void SplitList(const std::string& csv, std::vector<std::string>* out) {
  size_t pos = 0;
  while (pos <= csv.size()) {
    size_t comma = csv.find(',', pos);
    if (comma == std::string::npos) comma = csv.size();
    std::string item = csv.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out->push_back(item);
    pos = comma + 1;
  }
}

void AppendList(std::string* out, const std::vector<std::string>& items) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out->push_back(',');
    vm::AppendJsonString(out, items[i]);
  }
  out->push_back(']');
}

}  // namespace

Status ParseBackfillRequest(const HttpRequest& req, std::vector<std::string>* dbs) {
  dbs->clear();
  std::string value;
  if (req.Param("dbs", &value)) SplitList(value, dbs);
  if (req.Param("db", &value)) SplitList(value, dbs);
  std::string body = req.body;
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.pop_back();
  const bool form = req.Header("content-type").starts_with("application/x-www-form-urlencoded");
  if (body.empty() || form) return Status::Ok();
  Poco::JSON::Object::Ptr obj;
  try {
    Poco::Dynamic::Var parsed = Poco::JSON::Parser().parse(body);
    obj = parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception& e) {
    return Status::InvalidArgument(
        "body must be a JSON object such as {\"dbs\":[\"sensors\"]} (or empty for every "
        "source database)");
  }
  for (const std::string& key : obj->getNames()) {
    Poco::Dynamic::Var v = obj->get(key);
    if (key == "source_db") {
      if (!v.isString()) return Status::InvalidArgument("source_db must be a string");
      dbs->push_back(v.toString());
    } else if (key == "dbs" || key == "source_dbs") {
      Poco::JSON::Array::Ptr a = obj->getArray(key);
      if (a.isNull()) return Status::InvalidArgument(key + " must be a list of database names");
      for (size_t i = 0; i < a->size(); ++i) {
        Poco::Dynamic::Var item = a->get(static_cast<unsigned>(i));
        if (!item.isString()) {
          return Status::InvalidArgument(key + " must be a list of database names");
        }
        dbs->push_back(item.toString());
      }
    } else {
      return Status::InvalidArgument("unknown field \"" + key +
                                     "\" (expected dbs, source_db or source_dbs)");
    }
  }
  return Status::Ok();
}

std::string BackfillReportJson(const BackfillReport& r) {
  std::string out = "{\"requested_sources\":";
  AppendList(&out, r.requested_sources);
  out += ",\"source_databases\":";
  AppendList(&out, r.source_databases);
  out += ",\"destination_databases\":";
  AppendList(&out, r.destination_databases);
  out += ",\"cleared_checkpoint_files\":";
  AppendList(&out, r.cleared_checkpoint_files);
  out += ",\"cleared_files\":";
  AppendList(&out, r.cleared_files);
  out += ",\"jobs\":" + std::to_string(r.stats.jobs);
  out += ",\"periods\":" + std::to_string(r.stats.periods);
  out += ",\"points_written\":" + std::to_string(r.stats.points_written);
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, r.duration_ms, std::chars_format::fixed, 3);
  out += ",\"duration_ms\":" + std::string(buf, res.ptr) + "}";
  return out;
}

RouteSpec BackfillRoute(Roller& roller) {
  RouteSpec route;
  route.path = "/api/v1/rollup/backfill";
  route.methods = {"POST"};
  route.role = Role::kAdmin;
  route.max_body_bytes = 64 << 10;
  route.handler = [&roller](const HttpRequest& req, HttpResponse& resp) {
    std::vector<std::string> dbs;
    Status st = ParseBackfillRequest(req, &dbs);
    if (!st.ok()) return vm::RespondError(resp, 400, "bad_data", st.message());
    Result<BackfillReport> report = roller.Backfill(dbs, nullptr);
    if (!report.ok()) {
      const Status& e = report.status();
      int code = e.IsNotFound() ? 404 : e.IsInvalidArgument() ? 400 : 500;
      return vm::RespondError(resp, code,
                              code == 404   ? "not_found"
                              : code == 400 ? "bad_data"
                                            : "execution",
                              e.message());
    }
    std::string data = "{\"resultType\":\"rollup_backfill\",\"result\":";
    data += BackfillReportJson(*report);
    data += '}';
    vm::RespondSuccess(resp, data);
  };
  return route;
}

}  // namespace nanotdb::rollup
