#include "server/events_http.h"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>

#include "nanotdb/time_util.h"
#include "nanotdb/vm_json.h"
#include "server/event_json.h"
#include "server/json_scan.h"

namespace nanotdb::server {

namespace {

using Kind = JsonNode::Kind;

void AppendWarnings(std::string* out, const EventReadReport& report) {
  if (report.skipped.empty()) return;
  out->append(",\"warnings\":[");
  for (size_t i = 0; i < report.skipped.size(); ++i) {
    if (i) out->push_back(',');
    vm::AppendJsonString(out, report.skipped[i]);
  }
  out->push_back(']');
}

// A failed read as the conventions of docs/http-api.md answer it: 404 not_found, 400 bad_data,
// else 500 execution.
void RespondReadError(HttpResponse& resp, const Status& st) {
  if (st.IsNotFound()) {
    vm::RespondError(resp, 404, "not_found", st.message());
  } else if (st.IsInvalidArgument()) {
    vm::RespondError(resp, 400, "bad_data", st.message());
  } else {
    vm::RespondError(resp, 500, "execution", st.message());
  }
}

// db, name, start, end of a read; false after answering an error.
bool ParseRange(const HttpRequest& req, HttpResponse& resp, Timestamp now, std::string* db,
                EventQuery* q) {
  if (!req.Param("db", db) || db->empty()) {
    vm::RespondError(resp, 400, "bad_data", "missing db= (the database to read events from)");
    return false;
  }
  req.Param("name", &q->name);
  std::string unit_text;
  std::optional<TimeUnit> unit;
  if (req.Param("timestamp_unit", &unit_text) && !unit_text.empty()) {
    TimeUnit u;
    if (!ParseTimeUnit(unit_text, &u)) {
      vm::RespondError(resp, 400, "bad_data",
                       "invalid timestamp_unit \"" + unit_text + "\": expected ns, us, ms or s");
      return false;
    }
    unit = u;
  }
  for (auto [param, target] : {std::pair<const char*, Timestamp*>{"start", &q->from},
                               std::pair<const char*, Timestamp*>{"end", &q->to}}) {
    std::string text;
    if (!req.Param(param, &text) || text.empty()) continue;
    Result<Timestamp> ts = ParseTimeArg(text, now, unit ? *unit : InferTimeUnit(text));
    if (!ts.ok()) {
      vm::RespondError(resp, 400, "bad_data",
                       "invalid " + std::string(param) + ": " + ts.status().message());
      return false;
    }
    *target = *ts;
  }
  if (q->from > q->to) {
    vm::RespondError(resp, 400, "bad_data", "start is after end");
    return false;
  }
  return true;
}

class Handlers {
 public:
  Handlers(EventService& events, EventRoutesOptions options)
      : events_(events), opts_(std::move(options)) {}

  void Write(const HttpRequest& req, HttpResponse& resp) const {
    const Timestamp now = opts_.now();
    Result<JsonNode> body = ParseJson(req.body);
    if (!body.ok()) {
      vm::RespondError(resp, 400, "bad_data", "body is not JSON: " + body.status().message());
      return;
    }
    std::vector<const JsonNode*> items;
    if (body->kind == Kind::kArray) {
      for (const JsonNode& item : body->items) items.push_back(&item);
    } else {
      items.push_back(&*body);
    }
    if (items.size() > opts_.max_events_per_request) {
      vm::RespondError(resp, 413, "bad_data",
                       std::to_string(items.size()) + " events in one request, more than " +
                           std::to_string(opts_.max_events_per_request) + "; split the request");
      return;
    }
    std::string default_db;
    req.Param("db", &default_db);
    std::vector<std::pair<size_t, Status>> errors;
    // Events grouped by database, each with its index in the body.
    std::map<std::string, std::pair<std::vector<Event>, std::vector<size_t>>> groups;
    for (size_t i = 0; i < items.size(); ++i) {
      std::string db;
      Event e;
      Status st = EventFromJson(*items[i], default_db, now, &db, &e);
      if (!st.ok()) {
        errors.emplace_back(i, std::move(st));
        continue;
      }
      auto& g = groups[db];
      g.first.push_back(std::move(e));
      g.second.push_back(i);
    }
    size_t written = 0;
    for (auto& [db, group] : groups) {
      Result<EventWriteResult> r = events_.WriteEvents(db, group.first);
      if (!r.ok()) {
        if (!r.status().IsInvalidArgument()) {
          vm::RespondError(resp, 500, "execution",
                           "storing the events of database " + db + " failed after " +
                               std::to_string(written) +
                               " events were written: " + r.status().message());
          return;
        }
        for (size_t index : group.second) errors.emplace_back(index, r.status());
        continue;
      }
      written += r->written;
      for (auto& [i, st] : r->rejected) errors.emplace_back(group.second[i], std::move(st));
    }
    std::string& out = resp.body;
    resp.content_type = "application/json";
    if (errors.empty()) {
      vm::BeginSuccess(&out);
      out.append("{\"written\":" + std::to_string(written) + ",\"rejected\":0}");
      vm::EndSuccess(&out);
      return;
    }
    std::sort(errors.begin(), errors.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    resp.status = 400;
    out = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":";
    vm::AppendJsonString(
        &out, "event " + std::to_string(errors[0].first) + ": " + errors[0].second.message());
    out.append(",\"data\":{\"written\":" + std::to_string(written) +
               ",\"rejected\":" + std::to_string(errors.size()) + ",\"errors\":[");
    for (size_t i = 0; i < errors.size() && i < opts_.max_errors; ++i) {
      if (i) out.push_back(',');
      out.append("{\"index\":" + std::to_string(errors[i].first) + ",\"error\":");
      vm::AppendJsonString(&out, errors[i].second.message());
      out.push_back('}');
    }
    out.append("]}}\n");
  }

  void Read(const HttpRequest& req, HttpResponse& resp) const {
    std::string db;
    EventQuery q;
    if (!ParseRange(req, resp, opts_.now(), &db, &q)) return;
    size_t limit = opts_.default_limit;
    std::string text;
    if (req.Param("limit", &text) && !text.empty()) {
      int64_t n;
      std::string error;
      if (!ParseInt64(text, &n, &error) || n < 1 || static_cast<uint64_t>(n) > opts_.max_limit) {
        vm::RespondError(resp, 400, "bad_data",
                         "limit=" + text + ": expected a whole number from 1 to " +
                             std::to_string(opts_.max_limit));
        return;
      }
      limit = static_cast<size_t>(n);
    }
    bool newest_first = false;
    if (req.Param("order", &text) && !text.empty()) {
      if (text != "asc" && text != "desc") {
        vm::RespondError(resp, 400, "bad_data",
                         "order=" + text + ": expected asc (oldest first) or desc (newest first)");
        return;
      }
      newest_first = text == "desc";
    }
    std::string list;
    size_t n = 0;
    bool truncated = false;
    EventReadReport report;
    Status st;
    if (newest_first) {
      // Reads run in time order: keep the newest `limit` (the dashboard's log of recent events).
      std::deque<Event> newest;
      st = events_.ReadEvents(
          db, q,
          [&](const Event& e) {
            newest.push_back(e);
            if (newest.size() > limit) {
              newest.pop_front();
              truncated = true;
            }
            return true;
          },
          &report);
      for (auto it = newest.rbegin(); it != newest.rend(); ++it) {
        if (n++) list.push_back(',');
        AppendEventJson(&list, *it);
      }
    } else {
      q.limit = limit + 1;  // one more tells whether the answer is truncated
      st = events_.ReadEvents(
          db, q,
          [&](const Event& e) {
            if (n == limit) {
              truncated = true;
              return false;
            }
            if (n++) list.push_back(',');
            AppendEventJson(&list, e);
            return true;
          },
          &report);
    }
    if (!st.ok()) {
      RespondReadError(resp, st);
      return;
    }
    std::string& out = resp.body;
    resp.content_type = "application/json";
    out = "{\"status\":\"success\",\"data\":{\"events\":[";
    out.append(list);
    out.append("],\"truncated\":");
    out.append(truncated ? "true" : "false");
    out.push_back('}');
    if (truncated)
      report.skipped.insert(report.skipped.begin(),
                            "results truncated due to limit=" + std::to_string(limit));
    AppendWarnings(&out, report);
    out.append("}\n");
  }

  void Count(const HttpRequest& req, HttpResponse& resp) const {
    std::string db;
    EventQuery q;
    if (!ParseRange(req, resp, opts_.now(), &db, &q)) return;
    int64_t window = 0;
    std::string text;
    if (req.Param("window", &text) && !text.empty()) {
      Result<int64_t> d = ParseDuration(text);
      if (!d.ok() || *d <= 0) {
        std::string message = "window=";
        message.append(text).append(": expected a positive duration such as 5m, 1h, 1d");
        vm::RespondError(resp, 400, "bad_data", message);
        return;
      }
      window = *d;
    }
    std::vector<EventCount> counts;
    EventReadReport report;
    Status st = events_.CountEvents(db, q, window, &counts, &report);
    if (!st.ok()) {
      RespondReadError(resp, st);
      return;
    }
    std::string& out = resp.body;
    resp.content_type = "application/json";
    out = "{\"status\":\"success\",\"data\":{\"window\":";
    out.append(window > 0 ? std::to_string(window) : std::string("null"));
    out.append(",\"counts\":[");
    for (size_t i = 0; i < counts.size(); ++i) {
      const bool first_of_name = i == 0 || counts[i - 1].name != counts[i].name;
      if (first_of_name) {
        if (i) out.append("]},");
        out.append("{\"name\":");
        vm::AppendJsonString(&out, counts[i].name);
        out.append(",\"buckets\":[");
      } else {
        out.push_back(',');
      }
      out.push_back('[');
      out.append(std::to_string(counts[i].bucket));
      out.push_back(',');
      out.append(std::to_string(counts[i].count));
      out.push_back(']');
    }
    if (!counts.empty()) out.append("]}");
    out.append("]}");
    AppendWarnings(&out, report);
    out.append("}\n");
  }

 private:
  EventService& events_;
  const EventRoutesOptions opts_;
};

}  // namespace

std::vector<RouteSpec> EventRoutes(EventService& events, EventRoutesOptions options) {
  auto h = std::make_shared<Handlers>(events, std::move(options));
  std::vector<RouteSpec> routes(3);
  routes[0].path = "/api/v1/events";
  routes[0].methods = {"POST"};
  routes[0].role = Role::kWrite;
  routes[0].handler = [h](const HttpRequest& req, HttpResponse& resp) { h->Write(req, resp); };
  routes[1].path = "/api/v1/events";
  routes[1].handler = [h](const HttpRequest& req, HttpResponse& resp) { h->Read(req, resp); };
  routes[2].path = "/api/v1/events/count";
  routes[2].handler = [h](const HttpRequest& req, HttpResponse& resp) { h->Count(req, resp); };
  return routes;
}

}  // namespace nanotdb::server
