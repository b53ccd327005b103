#include "dashboard_config.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb::ui {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

const std::vector<std::string> kWidgetTypes = {"number", "numbers", "line_chart", "aggregate_band",
                                               "event_log"};
const std::set<std::string> kTopKeys = {"title", "default_db", "groups", "widgets"};
const std::set<std::string> kGroupKeys = {"id", "label", "widgets"};
const std::set<std::string> kWidgetKeys = {"type",         "title",    "refresh_sec",
                                           "auto_refresh", "lookback", "interval",
                                           "presentation", "series",   "events"};
const std::set<std::string> kEventsKeys = {"db", "name", "limit", "show"};
constexpr int kMaxEventsShown = 1000;  // rows of an event log, markers on a chart
const std::set<std::string> kSeriesKeys = {
    "label",       "role",  "db",        "database", "metric",   "query",
    "measurement", "field", "aggregate", "window",   "color",    "transform",
    "thresholds",  "scale", "offset",    "unit",     "decimals", "format"};
const std::set<std::string> kTransformKeys = {"factor", "offset", "unit", "decimals", "format"};
const std::set<std::string> kThresholdKeys = {"direction", "warning", "critical"};

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string Join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// CSS colours the UI accepts for a series: #rgb, #rgba, #rrggbb, #rrggbbaa or a name of 1–32
// ASCII letters ("teal").
bool IsColor(const std::string& c) {
  if (c.empty()) return false;
  if (c[0] == '#') {
    size_t n = c.size() - 1;
    if (n != 3 && n != 4 && n != 6 && n != 8) return false;
    return std::all_of(c.begin() + 1, c.end(), [](unsigned char ch) { return std::isxdigit(ch); });
  }
  return c.size() <= 32 &&
         std::all_of(c.begin(), c.end(), [](unsigned char ch) { return std::isalpha(ch); });
}

bool IsWidgetId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

// Collects problems under a prefix such as `widget "cpu": series 2 ("CPU")`.
class Problems {
 public:
  explicit Problems(std::vector<std::string>* out) : out_(out) {}
  void Add(const std::string& where, const std::string& what) {
    out_->push_back(where.empty() ? what : where + ": " + what);
  }
  size_t count() const { return out_->size(); }

 private:
  std::vector<std::string>* out_;
};

bool GetString(const Object& o, const std::string& key, std::string* out) {
  if (!o.has(key)) return false;
  Var v = o.get(key);
  if (!v.isString()) return false;
  *out = v.extract<std::string>();
  return true;
}

// Reads an optional string field; a present non-string is reported.
bool OptString(const Object& o, const std::string& key, const std::string& where, Problems* p,
               std::string* out) {
  if (!o.has(key) || o.get(key).isEmpty()) return false;
  if (!GetString(o, key, out)) {
    p->Add(where, "field " + Quote(key) + " must be a string");
    return false;
  }
  return true;
}

// Reads an optional number; a present non-number is reported.
bool OptNumber(const Object& o, const std::string& key, const std::string& where, Problems* p,
               double* out) {
  if (!o.has(key) || o.get(key).isEmpty()) return false;
  Var v = o.get(key);
  if (!v.isNumeric() || v.isBoolean()) {
    p->Add(where, "field " + Quote(key) + " must be a number, got " + Quote(v.toString()));
    return false;
  }
  *out = v.convert<double>();
  if (!std::isfinite(*out)) {
    p->Add(where, "field " + Quote(key) + " must be a finite number");
    return false;
  }
  return true;
}

void CheckKeys(const Object& o, const std::set<std::string>& allowed, const std::string& where,
               Problems* p) {
  for (const auto& [key, value] : o) {
    if (!allowed.count(key)) {
      p->Add(where, "unknown field " + Quote(key) + " (allowed: " + Join(allowed) + ")");
    }
  }
}

Object::Ptr OrderedObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

struct SeriesOut {
  Object::Ptr json;
  std::string label;  // effective label for duplicate checks
  std::string db, metric, aggregate, window, role;
};

// Transform fields: factor, offset, unit, decimals, format. `src` is the transform object or,
// for legacy flat series, the series itself (with "scale" meaning factor).
Object::Ptr NormalizeTransform(const Object& src, bool legacy, const std::string& where,
                               Problems* p) {
  Object::Ptr out = OrderedObject();
  double num;
  if (OptNumber(src, legacy ? "scale" : "factor", where, p, &num)) out->set("factor", num);
  if (OptNumber(src, "offset", where, p, &num)) out->set("offset", num);
  std::string s;
  if (OptString(src, "unit", where, p, &s)) out->set("unit", s);
  if (OptNumber(src, "decimals", where, p, &num)) {
    if (num != std::floor(num) || num < 0 || num > 10) {
      p->Add(where, "field \"decimals\" must be a whole number from 0 to 10");
    } else {
      out->set("decimals", static_cast<int>(num));
    }
  }
  if (OptString(src, "format", where, p, &s) && !s.empty()) {
    if (s.find("{value}") == std::string::npos && s.find("{duration}") == std::string::npos) {
      p->Add(where, "field \"format\" " + Quote(s) +
                        " must contain {value} or {duration} (seconds shown as 1d 2h 3m)");
    } else {
      out->set("format", s);
    }
  }
  return out;
}

Object::Ptr NormalizeThresholds(const Object& src, const std::string& where, Problems* p) {
  Object::Ptr out = OrderedObject();
  CheckKeys(src, kThresholdKeys, where + " thresholds", p);
  std::string direction;
  OptString(src, "direction", where, p, &direction);
  double warning = 0, critical = 0;
  bool has_w = OptNumber(src, "warning", where, p, &warning);
  bool has_c = OptNumber(src, "critical", where, p, &critical);
  if (!has_w && !has_c) {
    if (!direction.empty() && direction != "above" && direction != "below") {
      p->Add(where, "thresholds.direction " + Quote(direction) + " must be \"above\" or \"below\"");
    }
    return out;
  }
  if (direction != "above" && direction != "below") {
    p->Add(where,
           "thresholds.direction must be \"above\" or \"below\" when warning or critical "
           "is set (got " +
               Quote(direction) + ")");
    return out;
  }
  if (has_w && has_c) {
    if (direction == "above" && warning > critical) {
      p->Add(where, "thresholds: with direction \"above\" warning (" + Var(warning).toString() +
                        ") must not exceed critical (" + Var(critical).toString() + ")");
    }
    if (direction == "below" && warning < critical) {
      p->Add(where, "thresholds: with direction \"below\" warning (" + Var(warning).toString() +
                        ") must not be under critical (" + Var(critical).toString() + ")");
    }
  }
  out->set("direction", direction);
  if (has_w) out->set("warning", warning);
  if (has_c) out->set("critical", critical);
  return out;
}

SeriesOut NormalizeSeries(const Object& s, const std::string& type, const std::string& interval,
                          const std::string& where, Problems* p) {
  SeriesOut out;
  out.json = OrderedObject();
  CheckKeys(s, kSeriesKeys, where, p);
  std::string label, role, db, metric, query, measurement, field, aggregate, window, color;
  OptString(s, "label", where, p, &label);
  OptString(s, "role", where, p, &role);
  if (!OptString(s, "db", where, p, &db)) OptString(s, "database", where, p, &db);
  OptString(s, "metric", where, p, &metric);
  OptString(s, "query", where, p, &query);
  OptString(s, "measurement", where, p, &measurement);
  OptString(s, "field", where, p, &field);
  OptString(s, "aggregate", where, p, &aggregate);
  OptString(s, "window", where, p, &window);
  OptString(s, "color", where, p, &color);
  label = Trim(label);

  if (metric.empty() && !query.empty()) {
    // "db/metric" names the database inline, as /api/v1/query accepts.
    size_t slash = query.find('/');
    if (slash != std::string::npos && db.empty()) {
      db = query.substr(0, slash);
      metric = query.substr(slash + 1);
    } else {
      metric = query;
    }
  }
  if (metric.empty() && (!measurement.empty() || !field.empty())) {
    if (measurement.empty() || field.empty()) {
      p->Add(where, "\"measurement\" and \"field\" must be set together");
    } else {
      metric = measurement + "." + field;
    }
  }
  if (metric.empty()) {
    p->Add(where, "needs a metric (field \"metric\", \"query\" or \"measurement\"+\"field\")");
  } else if (Status st = ValidateMetricName(metric); !st.ok()) {
    p->Add(where, "field \"metric\": " + st.message());
  }
  if (!db.empty()) {
    if (Status st = ValidateDatabaseName(db); !st.ok())
      p->Add(where, "field \"db\": " + st.message());
  }
  if (!role.empty() && role != "min" && role != "avg" && role != "max") {
    p->Add(where, "field \"role\" " + Quote(role) + " must be min, avg or max");
  }
  if (!role.empty() && type != "aggregate_band") {
    p->Add(where, "field \"role\" is only used by aggregate_band widgets");
  }
  if (!aggregate.empty()) {
    const auto& aggs = DashboardAggregates();
    if (std::find(aggs.begin(), aggs.end(), aggregate) == aggs.end()) {
      p->Add(where, "field \"aggregate\" " + Quote(aggregate) + " is not supported (use one of " +
                        Join(aggs) + ")");
    }
  }
  int64_t ns;
  if (!window.empty() && !ParseDashboardDuration(window, &ns)) {
    p->Add(where, "field \"window\" " + Quote(window) +
                      " is not a duration (a whole number and one unit s, m, h, d or w: 90s)");
  }
  bool chart = type == "line_chart" || type == "aggregate_band";
  if (chart && !aggregate.empty()) {
    window = interval;  // charts bucket every aggregate series at the widget interval
  } else if (aggregate.empty() != window.empty() && type != "aggregate_band") {
    p->Add(where, "\"aggregate\" and \"window\" must be set together");
  }
  if (type == "aggregate_band" && !role.empty() && aggregate.empty()) aggregate = role;
  if (type == "aggregate_band") window = interval;
  if (!color.empty() && !IsColor(color)) {
    p->Add(where, "field \"color\" " + Quote(color) +
                      " must be #rgb, #rgba, #rrggbb, #rrggbbaa or a colour name");
  }

  Object::Ptr transform;
  if (s.has("transform") && !s.get("transform").isEmpty()) {
    Object::Ptr t = s.getObject("transform");
    if (!t) {
      p->Add(where, "field \"transform\" must be an object");
    } else {
      CheckKeys(*t, kTransformKeys, where + " transform", p);
      transform = NormalizeTransform(*t, false, where + " transform", p);
    }
  }
  Object::Ptr legacy = NormalizeTransform(s, true, where, p);
  if (legacy->size() > 0) {
    // The transform object wins over flat fields; keys keep the canonical order.
    Object::Ptr merged = OrderedObject();
    for (const char* k : {"factor", "offset", "unit", "decimals", "format"}) {
      if (transform && transform->has(k)) {
        merged->set(k, transform->get(k));
      } else if (legacy->has(k)) {
        merged->set(k, legacy->get(k));
      }
    }
    transform = merged;
  }
  Object::Ptr thresholds;
  if (s.has("thresholds") && !s.get("thresholds").isEmpty()) {
    Object::Ptr t = s.getObject("thresholds");
    if (!t) {
      p->Add(where, "field \"thresholds\" must be an object");
    } else {
      thresholds = NormalizeThresholds(*t, where, p);
    }
  }

  if (!label.empty()) out.json->set("label", label);
  if (!role.empty()) out.json->set("role", role);
  if (!db.empty()) out.json->set("db", db);
  out.json->set("metric", metric);
  if (!aggregate.empty()) out.json->set("aggregate", aggregate);
  if (!window.empty() && !aggregate.empty()) out.json->set("window", window);
  if (!color.empty()) out.json->set("color", color);
  if (transform && transform->size() > 0) out.json->set("transform", transform);
  if (thresholds && thresholds->size() > 0) out.json->set("thresholds", thresholds);

  out.db = db;
  out.metric = metric;
  out.aggregate = aggregate;
  out.window = window;
  out.role = role;
  if (!label.empty()) {
    out.label = label;
  } else if (!role.empty()) {
    out.label = role == "min" ? "Min" : role == "max" ? "Max" : "Avg";
  } else {
    out.label = metric;
  }
  return out;
}

// The events of a widget: the rows of an event_log, the markers of a chart. {db, name, limit,
// show}; every field is optional (the dashboard's default_db, every name, 100 or 200, shown).
Object::Ptr NormalizeEvents(const Object& e, const std::string& type, const std::string& where,
                            Problems* p) {
  Object::Ptr out = OrderedObject();
  CheckKeys(e, kEventsKeys, where, p);
  std::string db, name;
  if (OptString(e, "db", where, p, &db)) {
    if (Status st = ValidateDatabaseName(db); !st.ok()) {
      p->Add(where, "field \"db\": " + st.message());
    } else {
      out->set("db", db);
    }
  }
  if (OptString(e, "name", where, p, &name)) {
    bool control = std::any_of(name.begin(), name.end(),
                               [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (name.empty() || name.size() > 255 || control) {
      p->Add(where, "field \"name\" " + Quote(name) +
                        " must be an event name: 1 to 255 bytes without control characters");
    } else {
      out->set("name", name);
    }
  }
  double limit = 0;
  if (OptNumber(e, "limit", where, p, &limit)) {
    if (limit != std::floor(limit) || limit < 1 || limit > kMaxEventsShown) {
      p->Add(where,
             "field \"limit\" must be a whole number from 1 to " + std::to_string(kMaxEventsShown));
    } else {
      out->set("limit", static_cast<int64_t>(limit));
    }
  }
  if (e.has("show") && !e.get("show").isEmpty()) {
    if (!e.get("show").isBoolean()) {
      p->Add(where, "field \"show\" must be true or false");
    } else if (type == "event_log") {
      p->Add(where, "field \"show\" (markers shown at first) is only used by charts");
    } else {
      out->set("show", e.get("show").extract<bool>());
    }
  }
  return out;
}

Object::Ptr NormalizeWidget(const std::string& id, const Object& w, Problems* p) {
  std::string where = "widget " + Quote(id);
  Object::Ptr out = OrderedObject();
  CheckKeys(w, kWidgetKeys, where, p);
  if (!IsWidgetId(id)) {
    p->Add(where, "id must be 1–64 letters, digits, '_', '-' or '.'");
  }
  std::string type, title, lookback, interval, presentation;
  if (!OptString(w, "type", where, p, &type)) {
    p->Add(where, "field \"type\" is required (one of " + Join(kWidgetTypes) + ")");
  } else if (std::find(kWidgetTypes.begin(), kWidgetTypes.end(), type) == kWidgetTypes.end()) {
    p->Add(where,
           "has unsupported type " + Quote(type) + " (use one of " + Join(kWidgetTypes) + ")");
  }
  if (OptString(w, "presentation", where, p, &presentation)) {
    if (presentation != "aggregate_band") {
      p->Add(where, "field \"presentation\" " + Quote(presentation) +
                        " is not supported (only \"aggregate_band\")");
    } else if (type == "line_chart") {
      type = "aggregate_band";
    } else if (type != "aggregate_band") {
      p->Add(where, "field \"presentation\" only applies to line_chart widgets");
    }
  }
  OptString(w, "title", where, p, &title);
  double refresh = 0;
  bool has_refresh = OptNumber(w, "refresh_sec", where, p, &refresh);
  if (has_refresh && (refresh < 0 || refresh != std::floor(refresh))) {
    p->Add(where, "field \"refresh_sec\" must be a whole number of seconds ≥ 0");
  }
  bool auto_refresh = true;
  bool has_auto = w.has("auto_refresh") && !w.get("auto_refresh").isEmpty();
  if (has_auto) {
    if (!w.get("auto_refresh").isBoolean()) {
      p->Add(where, "field \"auto_refresh\" must be true or false");
    } else {
      auto_refresh = w.get("auto_refresh").extract<bool>();
    }
  }
  int64_t ns;
  bool has_lookback = OptString(w, "lookback", where, p, &lookback);
  bool has_interval = OptString(w, "interval", where, p, &interval);
  if (has_lookback && !ParseDashboardDuration(lookback, &ns)) {
    p->Add(where, "has invalid lookback " + Quote(lookback) +
                      " (a whole number and one unit s, m, h, d or w: 6h)");
  }
  if (has_interval && !ParseDashboardDuration(interval, &ns)) {
    p->Add(where, "has invalid interval " + Quote(interval) +
                      " (a whole number and one unit s, m, h, d or w: 1m)");
  }
  bool chart = type == "line_chart" || type == "aggregate_band";
  bool log = type == "event_log";
  if (chart && !has_lookback) p->Add(where, "field \"lookback\" is required for " + type);
  if (chart && !has_interval) p->Add(where, "field \"interval\" is required for " + type);
  if (log && has_interval) p->Add(where, "field \"interval\" is not used by event_log widgets");

  Object::Ptr events;
  if (w.has("events") && !w.get("events").isEmpty()) {
    Object::Ptr e = w.getObject("events");
    if (!e) {
      p->Add(where, "field \"events\" must be an object (db, name, limit, show)");
    } else if (!chart && !log) {
      p->Add(where,
             "field \"events\" is only used by line_chart, aggregate_band (markers) and "
             "event_log widgets");
    } else {
      events = NormalizeEvents(*e, type, where + " events", p);
    }
  }

  Array::Ptr series_in = w.has("series") ? w.getArray("series") : nullptr;
  if (w.has("series") && !series_in) p->Add(where, "field \"series\" must be an array");
  std::vector<SeriesOut> series;
  if (log) {
    if (series_in && series_in->size() > 0) {
      p->Add(where,
             "event_log widgets list events, not series: remove \"series\" and set "
             "\"events\" (db, name, limit)");
    }
  } else if (!series_in || series_in->size() == 0) {
    p->Add(where, "must define at least one series");
  } else {
    for (size_t i = 0; i < series_in->size(); ++i) {
      Object::Ptr s = series_in->getObject(static_cast<unsigned>(i));
      std::string swhere = where + ": series " + std::to_string(i + 1);
      if (!s) {
        p->Add(swhere, "must be an object");
        continue;
      }
      std::string label;
      if (GetString(*s, "label", &label) && !Trim(label).empty()) {
        swhere += " (" + Quote(Trim(label)) + ")";
      }
      series.push_back(NormalizeSeries(*s, type, interval, swhere, p));
    }
  }
  if (chart) {
    std::map<std::string, int> seen;
    for (const auto& s : series) {
      if (++seen[s.label] == 2) {
        p->Add(where, "two series have the label " + Quote(s.label) +
                          "; give each series of a chart a distinct label");
      }
    }
  }
  if (type == "aggregate_band" && series.size() > 1) {
    std::map<std::string, int> roles;
    for (const auto& s : series) {
      if (s.role.empty()) {
        p->Add(where, "series " + Quote(s.label) +
                          " needs a role (min, avg or max); a band with several series has "
                          "exactly one of each");
      } else {
        roles[s.role]++;
      }
      if (s.db != series[0].db || s.metric != series[0].metric) {
        p->Add(where, "band series " + Quote(s.label) + " must use the same db and metric as " +
                          Quote(series[0].label));
      }
    }
    for (const char* r : {"min", "avg", "max"}) {
      if (roles[r] != 1) {
        p->Add(where, std::string("needs exactly one series with role \"") + r + "\" (has " +
                          std::to_string(roles[r]) + ")");
      }
    }
  }

  out->set("type", type);
  if (!title.empty()) out->set("title", title);
  if (has_refresh) out->set("refresh_sec", static_cast<int64_t>(refresh));
  if (has_auto) out->set("auto_refresh", auto_refresh);
  if (has_lookback) out->set("lookback", lookback);
  if (has_interval) out->set("interval", interval);
  if (!log) {
    Array::Ptr arr = new Array;
    for (const auto& s : series) arr->add(s.json);
    out->set("series", arr);
  }
  if (events) out->set("events", events);
  return out;
}

}  // namespace

const std::vector<std::string>& DashboardAggregates() {
  static const std::vector<std::string> kAggs = {"avg", "count", "first", "last",
                                                 "max", "min",   "sum"};
  return kAggs;
}

bool ParseDashboardDuration(std::string_view text, int64_t* ns) {
  if (text.size() < 2 || text.size() > 12) return false;
  char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(text.back())));
  int64_t mult = 0;
  switch (unit) {
    case 's':
      mult = 1;
      break;
    case 'm':
      mult = 60;
      break;
    case 'h':
      mult = 3600;
      break;
    case 'd':
      mult = 86400;
      break;
    case 'w':
      mult = 7 * 86400;
      break;
    default:
      return false;
  }
  int64_t n = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  if (n <= 0 || n > int64_t{100} * 366 * 86400 / mult) return false;  // a century at most
  *ns = n * mult * kNanosPerSecond;
  return true;
}

DashboardValidation ValidateDashboard(std::string_view json_text) {
  DashboardValidation result;
  Problems p(&result.errors);
  Var root;
  try {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    root = parser.parse(std::string(json_text));
  } catch (const Poco::Exception& e) {
    p.Add("", "invalid JSON: " + e.displayText());
    return result;
  }
  Object::Ptr doc;
  try {
    doc = root.extract<Object::Ptr>();
  } catch (const Poco::Exception&) {
  }
  if (!doc) {
    p.Add("", "the dashboard must be a JSON object with title, groups and widgets");
    return result;
  }
  try {
    CheckKeys(*doc, kTopKeys, "dashboard", &p);
    std::string title, default_db;
    if (!OptString(*doc, "title", "dashboard", &p, &title) || Trim(title).empty()) {
      p.Add("dashboard", "field \"title\" is required and cannot be blank");
    }
    if (OptString(*doc, "default_db", "dashboard", &p, &default_db)) {
      if (Status st = ValidateDatabaseName(default_db); !st.ok()) {
        p.Add("dashboard", "field \"default_db\": " + st.message());
      }
    }

    Object::Ptr widgets_in = doc->has("widgets") ? doc->getObject("widgets") : nullptr;
    if (!widgets_in) p.Add("dashboard", "field \"widgets\" must be an object of id → widget");
    Object::Ptr widgets_out = OrderedObject();
    if (widgets_in) {
      for (const std::string& id : widgets_in->getNames()) {
        Object::Ptr w = widgets_in->getObject(id);
        if (!w) {
          p.Add("widget " + Quote(id), "must be an object");
          continue;
        }
        widgets_out->set(id, NormalizeWidget(id, *w, &p));
      }
    }

    Array::Ptr groups_in = doc->has("groups") ? doc->getArray("groups") : nullptr;
    Array::Ptr groups_out = new Array;
    if (!groups_in || groups_in->size() == 0) {
      p.Add("dashboard", "field \"groups\" must be a non-empty array");
    } else {
      std::set<std::string> group_ids;
      for (size_t i = 0; i < groups_in->size(); ++i) {
        Object::Ptr g = groups_in->getObject(static_cast<unsigned>(i));
        std::string where = "group " + std::to_string(i + 1);
        if (!g) {
          p.Add(where, "must be an object");
          continue;
        }
        std::string id, label;
        OptString(*g, "id", where, &p, &id);
        if (!id.empty()) where = "group " + Quote(id);
        CheckKeys(*g, kGroupKeys, where, &p);
        if (Trim(id).empty()) {
          p.Add(where, "field \"id\" is required");
        } else if (!group_ids.insert(id).second) {
          p.Add(where, "id is used by two groups; group ids must be unique");
        }
        OptString(*g, "label", where, &p, &label);
        if (Trim(label).empty()) label = id;
        Array::Ptr refs = g->has("widgets") ? g->getArray("widgets") : nullptr;
        if (g->has("widgets") && !refs) p.Add(where, "field \"widgets\" must be an array of ids");
        Array::Ptr refs_out = new Array;
        std::set<std::string> in_group;
        for (size_t j = 0; refs && j < refs->size(); ++j) {
          Var ref = refs->get(static_cast<unsigned>(j));
          if (!ref.isString()) {
            p.Add(where, "widget reference " + std::to_string(j + 1) + " must be a string id");
            continue;
          }
          std::string wid = ref.extract<std::string>();
          if (!widgets_in || !widgets_in->has(wid)) {
            p.Add(where,
                  "refers to widget " + Quote(wid) + ", which is not defined in \"widgets\"");
          } else if (!in_group.insert(wid).second) {
            p.Add(where, "lists widget " + Quote(wid) + " twice");
          }
          refs_out->add(wid);
        }
        Object::Ptr gout = OrderedObject();
        gout->set("id", id);
        gout->set("label", label);
        gout->set("widgets", refs_out);
        groups_out->add(gout);
      }
    }
    if (!result.ok()) return result;

    Object::Ptr out = OrderedObject();
    out->set("title", Trim(title));
    if (!default_db.empty()) out->set("default_db", default_db);
    out->set("groups", groups_out);
    out->set("widgets", widgets_out);
    std::ostringstream os;
    Poco::JSON::Stringifier::stringify(out, os, 2);
    result.normalized_json = os.str() + "\n";
  } catch (const Poco::Exception& e) {
    p.Add("dashboard", "unexpected structure: " + e.displayText());
  }
  return result;
}

}  // namespace nanotdb::ui
