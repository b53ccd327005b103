#include "query_vm.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <set>

#include "nanotdb/plugin.h"
#include "nanotdb/time_util.h"
#include "nanotdb/vm_json.h"
#include "promql_lexer.h"
#include "promql_parser.h"
#include "promql_rollup.h"
#include "rollup_read.h"

namespace nanotdb::queryvm {
namespace {

using vm::AppendComputedValue;
using vm::AppendJsonString;
using vm::AppendSeconds;
using vm::BeginSuccess;
using vm::EndSuccess;
using vm::GoDurationString;
using vm::RespondError;
using vm::RespondSuccess;

// The Prometheus version reported to clients: >= 2.24 makes Grafana filter label values with
// match[] instead of falling back to /api/v1/series.
constexpr const char* kPrometheusCompatVersion = "2.53.0";

void RespondBadData(HttpResponse& resp, std::string_view message) {
  RespondError(resp, 400, "bad_data", message);
}

// InvalidArgument → 400 bad_data, NotFound → 404 not_found, anything else → 500 execution.
void RespondStatus(HttpResponse& resp, const Status& st) {
  if (st.IsInvalidArgument()) return RespondBadData(resp, st.message());
  if (st.IsNotFound()) return RespondError(resp, 404, "not_found", st.message());
  RespondError(resp, 500, "execution", st.message());
}

// A parameter's first value; nullopt when absent or empty.
std::optional<std::string> NonEmptyParam(const HttpRequest& req, std::string_view name) {
  std::string v;
  if (!req.Param(name, &v) || v.empty()) return std::nullopt;
  return v;
}

// Go's strconv.ParseBool forms, as the reference accepted. An absent parameter is false.
Status BoolParam(const HttpRequest& req, std::string_view name, bool* out) {
  *out = false;
  std::optional<std::string> v = NonEmptyParam(req, name);
  if (!v) return Status::Ok();
  static const std::set<std::string, std::less<>> kTrue = {"1", "t", "T", "true", "TRUE", "True"};
  static const std::set<std::string, std::less<>> kFalse = {"0",     "f",     "F",
                                                            "false", "FALSE", "False"};
  if (kTrue.count(*v)) {
    *out = true;
  } else if (!kFalse.count(*v)) {
    return Status::InvalidArgument("invalid " + std::string(name) + ": must be true or false");
  }
  return Status::Ok();
}

// `limit` (or `name`) of the Prometheus discovery endpoints: 0 or absent means no limit.
Status LimitParam(const HttpRequest& req, uint64_t* out, std::string_view name = "limit") {
  *out = 0;
  std::optional<std::string> v = NonEmptyParam(req, name);
  if (!v) return Status::Ok();
  auto res = std::from_chars(v->data(), v->data() + v->size(), *out);
  if (res.ec != std::errc() || res.ptr != v->data() + v->size()) {
    return Status::InvalidArgument("invalid " + std::string(name) + " \"" + *v +
                                   "\": must be a non-negative integer");
  }
  return Status::Ok();
}

struct TimeParams {
  std::optional<TimeUnit> unit;  // from timestamp_unit
  Timestamp now = 0;

  Status Parse(std::string_view name, std::string_view text, Timestamp* out) const {
    Result<Timestamp> ts = ParseTimeArg(text, now, unit ? *unit : InferTimeUnit(text));
    if (!ts.ok()) return ts.status().WithContext("invalid " + std::string(name));
    *out = *ts;
    return Status::Ok();
  }
};

Status TimeParamsFrom(const HttpRequest& req, Timestamp now, TimeParams* out) {
  out->now = now;
  if (std::optional<std::string> u = NonEmptyParam(req, "timestamp_unit")) {
    TimeUnit unit;
    if (!ParseTimeUnit(*u, &unit)) {
      return Status::InvalidArgument("invalid timestamp_unit \"" + *u +
                                     "\": expected ns, us, ms or s");
    }
    out->unit = unit;
  }
  return Status::Ok();
}

// `step`: a duration ("30s", "1m") or float seconds ("15", "0.5"), as Prometheus accepts.
Status StepParam(const HttpRequest& req, int64_t* out) {
  *out = 0;
  std::optional<std::string> v = NonEmptyParam(req, "step");
  if (!v) return Status::Ok();
  if ((*v)[0] == '-') return Status::InvalidArgument("invalid step \"" + *v + "\": must be >= 0");
  double seconds = 0;
  auto res = std::from_chars(v->data(), v->data() + v->size(), seconds);
  if (res.ec == std::errc() && res.ptr == v->data() + v->size()) {
    if (!std::isfinite(seconds) || seconds * kNanosPerSecond > 9e18) {
      return Status::InvalidArgument("invalid step \"" + *v + "\": out of range");
    }
    *out = static_cast<int64_t>(std::llround(seconds * kNanosPerSecond));
    return Status::Ok();
  }
  Result<int64_t> d = ParseDuration(*v);
  if (!d.ok()) return d.status().WithContext("invalid step");
  *out = *d;
  return Status::Ok();
}

// Every value of a repeated parameter (match[]).
std::vector<std::string> AllParams(const HttpRequest& req, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : req.params) {
    if (k == name) out.push_back(v);
  }
  return out;
}

void AppendSample(std::string* out, Timestamp ts, std::string_view value_text) {
  out->push_back('[');
  AppendSeconds(out, ts);
  out->append(",\"");
  out->append(value_text);
  out->append("\"]");
}

// AppendSample(out, ts, FormatValue(v)) with one append and no temporary string.
void AppendStoredSample(std::string* out, Timestamp ts, Value v) {
  char buf[vm::kMaxSecondsChars + vm::kMaxValueChars + 8];
  char* p = buf;
  *p++ = '[';
  p = vm::WriteSeconds(p, ts);
  *p++ = ',';
  *p++ = '"';
  p = vm::WriteStoredValue(p, v);
  *p++ = '"';
  *p++ = ']';
  out->append(buf, p);
}

std::string TooManyPoints(uint64_t max_points) {
  return "query_range would return more than " + std::to_string(max_points) +
         " points (max_points in [plugins.query-vm]); narrow the time range or aggregate with "
         "step (e.g. step=60s) or aggregate and window";
}

void AppendStringArray(std::string* out, const std::vector<std::string>& items) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(out, items[i]);
  }
  out->push_back(']');
}

// Prometheus-style warnings naming what a read skipped as damaged; appended after the data,
// before EndSuccess. The answer stays a success: it holds everything that was intact.
void AppendReadWarnings(std::string* out, const ReadReport& report) {
  if (report.empty()) return;
  out->append(",\"warnings\":[");
  for (size_t i = 0; i < report.skipped.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(out, "damaged data skipped: " + report.skipped[i].Describe());
  }
  out->push_back(']');
}

// A success envelope whose data is a list, truncated to `limit` (0 = all) with a warning the
// way Prometheus reports it.
void RespondList(HttpResponse& resp, std::vector<std::string> items, uint64_t limit) {
  bool truncated = limit != 0 && items.size() > limit;
  if (truncated) items.resize(limit);
  resp.body.clear();
  BeginSuccess(&resp.body);
  AppendStringArray(&resp.body, items);
  if (truncated) {
    resp.body.append(",\"warnings\":[\"results truncated due to limit\"]");
  }
  EndSuccess(&resp.body);
  resp.status = 200;
  resp.content_type = "application/json";
}

}  // namespace

QueryVmApi::QueryVmApi(QueryService& query, QueryVmOptions options)
    : query_(query), options_(std::move(options)) {}

Timestamp QueryVmApi::Now() const {
  if (options_.now) return options_.now();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<RouteSpec> QueryVmApi::Routes() {
  auto bind = [this](void (QueryVmApi::*fn)(const HttpRequest&, HttpResponse&) const) {
    return [this, fn](const HttpRequest& req, HttpResponse& resp) { (this->*fn)(req, resp); };
  };
  auto constant = [](std::string data) {
    return [data = std::move(data)](const HttpRequest&, HttpResponse& resp) {
      RespondSuccess(resp, data);
    };
  };
  auto text = [](std::string body) {
    return [body = std::move(body)](const HttpRequest&, HttpResponse& resp) {
      resp.content_type = "text/plain; charset=utf-8";
      resp.body = body;
    };
  };
  const std::vector<std::string> kGet = {"GET"};
  const std::vector<std::string> kGetPost = {"GET", "POST"};
  std::vector<RouteSpec> routes;
  auto add = [&](std::string path, bool prefix, std::vector<std::string> methods,
                 HttpHandler handler) {
    RouteSpec r;
    r.path = std::move(path);
    r.prefix = prefix;
    r.methods = std::move(methods);
    r.role = Role::kRead;
    r.handler = std::move(handler);
    routes.push_back(std::move(r));
  };
  add("/-/healthy", false, kGet, text("NanoTDB is Healthy.\n"));
  add("/-/ready", false, kGet, text("NanoTDB is Ready.\n"));
  add("/api/v1/query", false, kGetPost, bind(&QueryVmApi::Query));
  add("/api/v1/query_range", false, kGetPost, bind(&QueryVmApi::QueryRange));
  add("/api/v1/aggregates", false, kGet, bind(&QueryVmApi::Aggregates));
  add("/api/v1/databases", false, kGet, bind(&QueryVmApi::Databases));
  add("/api/v1/metrics", false, kGet, bind(&QueryVmApi::Metrics));
  add("/api/v1/labels", false, kGetPost, bind(&QueryVmApi::Labels));
  add("/api/v1/label", true, kGet, bind(&QueryVmApi::LabelValues));
  add("/api/v1/series", false, kGetPost, bind(&QueryVmApi::Series));
  add("/api/v1/status/buildinfo", false, kGet, bind(&QueryVmApi::BuildInfo));
  add("/api/v1/metadata", false, kGet, bind(&QueryVmApi::Metadata));
  add("/api/v1/query_exemplars", false, kGetPost, constant("[]"));
  add("/api/v1/rules", false, kGet, constant("{\"groups\":[]}"));
  add("/api/v1/alerts", false, kGet, constant("{\"alerts\":[]}"));
  return routes;
}

namespace {

using promql::Node;
using promql::StoredSeries;

// One series named exactly by `db` + `query` (the metric's catalog name): every selector of the
// query is that series, whatever its text.
class ExactSeriesSource final : public promql::SeriesSource {
 public:
  ExactSeriesSource(promql::SeriesSource& inner, StoredSeries series)
      : inner_(inner), series_(std::move(series)) {}
  Status Select(const std::vector<LabelMatcher>&, std::vector<StoredSeries>* out) override {
    out->push_back(series_);
    return Status::Ok();
  }
  Status Read(const StoredSeries& s, Timestamp from, Timestamp to,
              const std::function<bool(Timestamp, double)>& fn) override {
    return inner_.Read(s, from, to, fn);
  }

 private:
  promql::SeriesSource& inner_;
  StoredSeries series_;
};

// The node itself, or the selector inside parentheses.
const Node& Unparen(const Node& n) {
  const Node* p = &n;
  while (p->kind == Node::Kind::kParen) p = p->args[0].get();
  return *p;
}

bool IsPlainSelector(const Node& n) {
  const Node& u = Unparen(n);
  return u.kind == Node::Kind::kVectorSelector && u.offset == 0 && u.at == promql::AtKind::kNone;
}

// InvalidArgument → 400 bad_data, Unsupported (a limit, unmatchable data) → 422 execution,
// Busy (deadline) → 503 timeout, NotFound → 404, anything else → 500.
void RespondEvalStatus(HttpResponse& resp, const Status& st) {
  switch (st.code()) {
    case Status::Code::kInvalidArgument:
      return RespondError(resp, 400, "bad_data", st.message());
    case Status::Code::kUnsupported:
      return RespondError(resp, 422, "execution", st.message());
    case Status::Code::kBusy:
      return RespondError(resp, 503, "timeout", st.message());
    case Status::Code::kNotFound:
      return RespondError(resp, 404, "not_found", st.message());
    default:
      return RespondError(resp, 500, "execution", st.message());
  }
}

// A duration parameter: Prometheus duration text ("30s", "1m") or float seconds ("15").
Status DurationParam(const HttpRequest& req, std::string_view name, int64_t* out) {
  *out = 0;
  std::optional<std::string> v = NonEmptyParam(req, name);
  if (!v) return Status::Ok();
  std::string label = "invalid " + std::string(name) + " \"" + *v + "\"";
  if ((*v)[0] == '-') return Status::InvalidArgument(label + ": must be >= 0");
  double seconds = 0;
  auto res = std::from_chars(v->data(), v->data() + v->size(), seconds);
  if (res.ec == std::errc() && res.ptr == v->data() + v->size()) {
    if (!std::isfinite(seconds) || seconds * kNanosPerSecond > 9e18) {
      return Status::InvalidArgument(label + ": out of range");
    }
    *out = static_cast<int64_t>(std::llround(seconds * kNanosPerSecond));
    return Status::Ok();
  }
  if (promql::ParsePromDuration(*v, out)) return Status::Ok();
  Result<int64_t> d = ParseDuration(*v);
  if (!d.ok()) {
    return Status::InvalidArgument(label + ": expected a duration such as 30s or 1m, or seconds");
  }
  *out = *d;
  return Status::Ok();
}

void AppendLabels(std::string* out, const Labels& labels) {
  out->push_back('{');
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(out, labels[i].name);
    out->push_back(':');
    AppendJsonString(out, labels[i].value);
  }
  out->push_back('}');
}

// One append per point: answers hold up to max_points of them.
void AppendPoint(std::string* out, Timestamp ts, double v, bool float32) {
  char buf[vm::kMaxSecondsChars + vm::kMaxValueChars + 8];
  char* p = buf;
  *p++ = '[';
  p = vm::WriteSeconds(p, ts);
  *p++ = ',';
  *p++ = '"';
  p = promql::WritePromValue(p, v, float32);
  *p++ = '"';
  *p++ = ']';
  out->append(buf, p);
}

}  // namespace

Status QueryVmApi::PrepareQuery(const HttpRequest& req, const std::string& query,
                                PreparedQuery* out) const {
  std::string default_db = options_.default_db;
  if (std::optional<std::string> db = NonEmptyParam(req, "db")) {
    NANOTDB_RETURN_IF_ERROR(ValidateDatabaseName(*db));
    default_db = *db;
    // `db` + an exact catalog name: that series, even when the name reads as PromQL.
    Result<MetricInfo> info = query_.GetMetric(*db, query);
    if (info.ok()) {
      Result<SeriesName> name = ParseSeriesKey(info->name);
      StoredSeries s;
      s.db = *db;
      s.key = info->name;
      s.type = info->type;
      s.last = info->last;
      if (name.ok()) s.labels = name->labels;
      s.labels.push_back({std::string(kNameLabel), name.ok() ? name->metric : info->name});
      s.labels.push_back({std::string(kDbLabel), *db});
      std::sort(s.labels.begin(), s.labels.end());
      out->catalog = std::make_unique<promql::CatalogSeriesSource>(query_, default_db);
      out->source = std::make_unique<ExactSeriesSource>(*out->catalog, std::move(s));
      auto n = std::make_unique<Node>();
      n->kind = Node::Kind::kVectorSelector;
      n->type = promql::ValueKind::kVector;
      n->matchers.push_back(
          {std::string(kNameLabel), LabelMatcher::Op::kEqual, info->name, nullptr});
      out->root = std::move(n);
      return Status::Ok();
    }
    if (!info.status().IsNotFound()) return info.status();
  }
  // Prometheus answers a query that does not parse with `invalid parameter "query": <error>`.
  Result<promql::NodePtr> root = promql::ParseExpr(query, options_.parse_limits);
  if (!root.ok()) return root.status().WithContext("invalid parameter \"query\"");
  out->root = std::move(*root);
  out->catalog = std::make_unique<promql::CatalogSeriesSource>(query_, default_db);
  return Status::Ok();
}

Status QueryVmApi::EvalOptionsFor(const HttpRequest& req, promql::EvalOptions* out) const {
  out->max_samples = options_.max_samples;
  out->max_points = options_.max_points;
  int64_t timeout = options_.query_timeout;
  int64_t asked = 0;
  NANOTDB_RETURN_IF_ERROR(DurationParam(req, "timeout", &asked));
  if (asked > 0 && (timeout <= 0 || asked < timeout)) timeout = asked;
  if (timeout > 0) {
    out->deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout);
    out->timeout_text = FormatDuration(timeout);
  }
  return Status::Ok();
}

void QueryVmApi::Query(const HttpRequest& req, HttpResponse& resp) const {
  const Timestamp now = Now();
  std::optional<std::string> query = NonEmptyParam(req, "query");
  if (!query) return RespondBadData(resp, "missing query parameter");
  TimeParams times;
  Status st = TimeParamsFrom(req, now, &times);
  if (!st.ok()) return RespondStatus(resp, st);
  std::optional<Timestamp> at;
  if (std::optional<std::string> t = NonEmptyParam(req, "time")) {
    Timestamp ts;
    st = times.Parse("time", *t, &ts);
    if (!st.ok()) return RespondStatus(resp, st);
    at = ts;
  }
  PreparedQuery pq;
  st = PrepareQuery(req, *query, &pq);
  if (!st.ok()) return RespondEvalStatus(resp, st);
  promql::SeriesSource& source = pq.source ? *pq.source : *pq.catalog;

  std::string& out = resp.body;
  out.clear();
  if (!at && IsPlainSelector(*pq.root)) {
    // No `time`: the latest sample of each series, however old (NanoTDB's "current value").
    std::vector<StoredSeries> series;
    st = source.Select(Unparen(*pq.root).matchers, &series);
    if (!st.ok()) return RespondEvalStatus(resp, st);
    BeginSuccess(&out);
    out.append("{\"resultType\":\"vector\",\"result\":[");
    bool first = true;
    for (const StoredSeries& s : series) {
      if (!s.last) continue;
      if (!first) out.push_back(',');
      first = false;
      out.append("{\"metric\":");
      AppendLabels(&out, s.labels);
      out.append(",\"value\":");
      AppendSample(&out, s.last->ts, FormatValue(Value{s.type, s.last->bits}));
      out.push_back('}');
    }
    out.append("]}");
    EndSuccess(&out);
    resp.status = 200;
    resp.content_type = "application/json";
    return;
  }
  promql::EvalOptions eo;
  st = EvalOptionsFor(req, &eo);
  if (!st.ok()) return RespondEvalStatus(resp, st);
  const Timestamp t = at.value_or(now);
  promql::Evaluator ev(source, std::move(eo));
  Result<promql::QueryResult> r = ev.Run(*pq.root, t, t, 0);
  if (!r.ok()) return RespondEvalStatus(resp, r.status());
  out.clear();
  BeginSuccess(&out);
  switch (r->kind) {
    case promql::ValueKind::kScalar:
      out.append("{\"resultType\":\"scalar\",\"result\":");
      AppendPoint(&out, t, r->scalar[0], false);
      break;
    case promql::ValueKind::kString:
      out.append("{\"resultType\":\"string\",\"result\":[");
      AppendSeconds(&out, t);
      out.push_back(',');
      AppendJsonString(&out, r->str);
      out.push_back(']');
      break;
    case promql::ValueKind::kVector: {
      out.append("{\"resultType\":\"vector\",\"result\":[");
      bool first = true;
      for (const promql::StepSeries& s : r->vector) {
        if (!s.has[0]) continue;
        if (!first) out.push_back(',');
        first = false;
        out.append("{\"metric\":");
        AppendLabels(&out, s.labels);
        out.append(",\"value\":");
        AppendPoint(&out, t, s.v[0], s.float32);
        out.push_back('}');
      }
      out.push_back(']');
      break;
    }
    case promql::ValueKind::kMatrix: {
      out.append("{\"resultType\":\"matrix\",\"result\":[");
      for (size_t k = 0; k < r->matrix.size(); ++k) {
        const promql::RawSeries& s = r->matrix[k];
        if (k) out.push_back(',');
        out.append("{\"metric\":");
        AppendLabels(&out, s.labels);
        out.append(",\"values\":[");
        for (size_t i = 0; i < s.points.size(); ++i) {
          if (i) out.push_back(',');
          AppendPoint(&out, s.points[i].first, s.points[i].second, s.float32);
        }
        out.append("]}");
      }
      out.push_back(']');
      break;
    }
  }
  out.push_back('}');
  AppendReadWarnings(&out, pq.catalog->TakeReport());
  EndSuccess(&out);
  resp.status = 200;
  resp.content_type = "application/json";
}

void QueryVmApi::QueryRange(const HttpRequest& req, HttpResponse& resp) const {
  const Timestamp now = Now();
  std::optional<std::string> query = NonEmptyParam(req, "query");
  if (!query) return RespondBadData(resp, "missing query parameter");
  TimeParams times;
  Status st = TimeParamsFrom(req, now, &times);
  if (!st.ok()) return RespondStatus(resp, st);
  std::optional<std::string> start_text = NonEmptyParam(req, "start");
  if (!start_text) return RespondBadData(resp, "invalid start: missing time value");
  Timestamp start = 0, end = now;
  st = times.Parse("start", *start_text, &start);
  if (st.ok()) {
    if (std::optional<std::string> end_text = NonEmptyParam(req, "end")) {
      st = times.Parse("end", *end_text, &end);
    }
  }
  if (!st.ok()) return RespondStatus(resp, st);
  if (end < start) return RespondBadData(resp, "end must be >= start");

  std::optional<std::string> agg_text = NonEmptyParam(req, "aggregate");
  std::optional<std::string> window_text = NonEmptyParam(req, "window");
  if (agg_text.has_value() != window_text.has_value()) {
    return RespondBadData(resp, "aggregate queries require both aggregate and window");
  }
  std::vector<Aggregate> aggs;
  int64_t window = 0, step = 0;
  if (agg_text) {
    st = ParseAggregateList(*agg_text, &aggs);
    if (!st.ok()) return RespondStatus(resp, st.WithContext("invalid aggregate"));
    Result<int64_t> w = ParseDuration(*window_text);
    if (!w.ok()) return RespondStatus(resp, w.status().WithContext("invalid window"));
    if (*w <= 0) return RespondBadData(resp, "invalid window: must be > 0");
    window = *w;
  } else {
    st = StepParam(req, &step);
    if (!st.ok()) return RespondStatus(resp, st);
  }

  bool rollup_allowed = true;
  st = RollupParam(req, &rollup_allowed);
  if (!st.ok()) return RespondStatus(resp, st);

  PreparedQuery pq;
  st = PrepareQuery(req, *query, &pq);
  if (!st.ok()) return RespondEvalStatus(resp, st);
  promql::SeriesSource& source = pq.source ? *pq.source : *pq.catalog;
  std::string& out = resp.body;
  out.clear();

  if (step > 0) {
    // PromQL: evaluate at start + k*step up to end.
    promql::EvalOptions eo;
    st = EvalOptionsFor(req, &eo);
    if (!st.ok()) return RespondEvalStatus(resp, st);
    // F_over_time(x[W]) on the period grid: from rollups where raw samples are gone.
    promql::Evaluator ev(source, std::move(eo));
    promql::QueryResult from_rollups;
    std::vector<RollupAnswer> rollup_answers;
    bool answered = false;
    if (options_.rollups != nullptr && rollup_allowed) {
      st = TryRollupRangeQuery(
          *pq.root, source, *options_.rollups, start, end, step, options_.max_points,
          [&](Timestamp a, Timestamp b) { return ev.Run(*pq.root, a, b, step); }, &from_rollups,
          &rollup_answers, &answered);
      if (!st.ok()) return RespondEvalStatus(resp, st);
    }
    Result<promql::QueryResult> r = answered ? Result<promql::QueryResult>(std::move(from_rollups))
                                             : ev.Run(*pq.root, start, end, step);
    if (!r.ok()) return RespondEvalStatus(resp, r.status());
    if (r->kind == promql::ValueKind::kString) {
      return RespondBadData(
          resp,
          "invalid expression type \"string\" for range query, must be Scalar or instant Vector");
    }
    // About 21 bytes a point ("[1767225601,\"37.125\"],"): grow the answer once, not ~10 times.
    const size_t series = r->kind == promql::ValueKind::kScalar ? 1 : r->vector.size();
    out.reserve(std::min<size_t>(r->steps.size() * series * 24 + 4096, 64u << 20));
    BeginSuccess(&out);
    out.append("{\"resultType\":\"matrix\",\"result\":[");
    if (r->kind == promql::ValueKind::kScalar) {
      out.append("{\"metric\":{},\"values\":[");
      for (size_t i = 0; i < r->steps.size(); ++i) {
        if (i) out.push_back(',');
        AppendPoint(&out, r->steps[i], r->scalar[i], false);
      }
      out.append("]}");
    } else {
      std::sort(r->vector.begin(), r->vector.end(),
                [](const promql::StepSeries& a, const promql::StepSeries& b) {
                  return a.labels < b.labels;
                });
      bool first = true;
      for (const promql::StepSeries& s : r->vector) {
        if (std::find(s.has.begin(), s.has.end(), 1) == s.has.end()) continue;
        if (!first) out.push_back(',');
        first = false;
        out.append("{\"metric\":");
        AppendLabels(&out, s.labels);
        out.append(",\"values\":[");
        bool any = false;
        for (size_t i = 0; i < r->steps.size(); ++i) {
          if (!s.has[i]) continue;
          if (any) out.push_back(',');
          any = true;
          AppendPoint(&out, r->steps[i], s.v[i], s.float32);
        }
        out.append("]}");
      }
    }
    out.push_back(']');
    AppendRollupData(&out, rollup_answers);
    out.push_back('}');
    AppendReadWarnings(&out, pq.catalog->TakeReport());
    AppendRollupInfos(&out, rollup_answers);
    EndSuccess(&out);
    resp.status = 200;
    resp.content_type = "application/json";
    return;
  }

  // Raw samples and aggregate/window buckets: NanoTDB's own modes, for series selectors.
  if (!IsPlainSelector(*pq.root)) {
    return RespondBadData(
        resp, agg_text
                  ? "aggregate and window take a series selector; for a PromQL expression use step"
                  : "missing step parameter: PromQL expressions need step (raw samples are "
                    "returned for series selectors only)");
  }
  std::vector<StoredSeries> series;
  st = source.Select(Unparen(*pq.root).matchers, &series);
  if (!st.ok()) return RespondEvalStatus(resp, st);
  out.reserve(64 << 10);
  BeginSuccess(&out);
  out.append("{\"resultType\":\"matrix\",\"result\":[");
  uint64_t points = 0;
  bool first = true;
  ReadReport report;
  std::vector<RollupAnswer> rollup_answers;
  for (const StoredSeries& s : series) {
    if (aggs.empty()) {
      // Raw: stream samples straight into the answer; drop the series again if it had none.
      size_t rollback = out.size();
      if (!first) out.push_back(',');
      out.append("{\"metric\":");
      AppendLabels(&out, s.labels);
      out.append(",\"values\":[");
      uint64_t n = 0;
      st = query_.ReadRangeReporting(
          s.db, s.key, start, end, 1,
          [&](const Sample& x) {
            if (++points > options_.max_points) return false;
            if (n++) out.push_back(',');
            AppendStoredSample(&out, x.ts, Value{s.type, x.bits});
            return true;
          },
          &report);
      if (!st.ok()) return RespondError(resp, 500, "execution", st.message());
      if (points > options_.max_points) {
        return RespondError(resp, 422, "execution", TooManyPoints(options_.max_points));
      }
      if (n == 0) {
        out.resize(rollback);
        continue;
      }
      out.append("]}");
      first = false;
      continue;
    }
    std::vector<Bucket> buckets;
    RollupReadInfo used;
    st = AggregateSeries(query_, options_.rollups, rollup_allowed, s.db, s.key, start, end, window,
                         aggs, &buckets, &report, &used);
    if (!st.ok()) return RespondStatus(resp, st);
    if (used.used) rollup_answers.push_back({s.db, s.key, std::move(used)});
    if (buckets.empty()) continue;
    points += buckets.size() * aggs.size();
    if (points > options_.max_points) {
      return RespondError(resp, 422, "execution", TooManyPoints(options_.max_points));
    }
    const std::string window_label = GoDurationString(window);
    for (size_t a = 0; a < aggs.size(); ++a) {
      if (!first) out.push_back(',');
      first = false;
      nanotdb::Labels labels = s.labels;
      labels.push_back({"aggregate", AggregateName(aggs[a])});
      labels.push_back({"window", window_label});
      std::sort(labels.begin(), labels.end());
      out.append("{\"metric\":");
      AppendLabels(&out, labels);
      out.append(",\"values\":[");
      for (size_t i = 0; i < buckets.size(); ++i) {
        if (i) out.push_back(',');
        out.push_back('[');
        AppendSeconds(&out, buckets[i].start);
        out.push_back(',');
        AppendComputedValue(&out, buckets[i].values[a]);
        out.push_back(']');
      }
      out.append("]}");
    }
  }
  out.push_back(']');
  AppendRollupData(&out, rollup_answers);
  out.push_back('}');
  AppendReadWarnings(&out, report);
  AppendRollupInfos(&out, rollup_answers);
  EndSuccess(&out);
  resp.status = 200;
  resp.content_type = "application/json";
}

void QueryVmApi::Aggregates(const HttpRequest&, HttpResponse& resp) const {
  std::string data = "{\"resultType\":\"aggregates\",\"result\":";
  AppendStringArray(&data, SupportedAggregateNames());
  data.append(",\"default\":");
  AppendJsonString(&data, AggregateName(Aggregate::kAvg));
  data.push_back('}');
  RespondSuccess(resp, data);
}

void QueryVmApi::Databases(const HttpRequest& req, HttpResponse& resp) const {
  bool include_internal = false;
  Status st = BoolParam(req, "include_internal", &include_internal);
  if (!st.ok()) return RespondStatus(resp, st);
  std::vector<std::string> dbs = query_.ListDatabases(include_internal);
  std::sort(dbs.begin(), dbs.end());
  std::string data = "{\"resultType\":\"databases\",\"result\":";
  AppendStringArray(&data, dbs);
  data.push_back('}');
  RespondSuccess(resp, data);
}

void QueryVmApi::Metrics(const HttpRequest& req, HttpResponse& resp) const {
  std::optional<std::string> db = NonEmptyParam(req, "db");
  if (!db) return RespondBadData(resp, "missing db parameter");
  Status st = ValidateDatabaseName(*db);
  if (!st.ok()) return RespondStatus(resp, st);
  bool details = false;
  st = BoolParam(req, "details", &details);
  if (!st.ok()) return RespondStatus(resp, st);
  Result<std::vector<MetricInfo>> metrics = query_.ListMetrics(*db);
  if (!metrics.ok()) {
    if (metrics.status().IsNotFound()) {
      return RespondError(resp, 404, "not_found", "database not found: " + *db);
    }
    return RespondStatus(resp, metrics.status());
  }
  std::sort(metrics->begin(), metrics->end(),
            [](const MetricInfo& a, const MetricInfo& b) { return a.name < b.name; });
  std::string data = "{\"resultType\":\"metrics\",\"db\":";
  AppendJsonString(&data, *db);
  data.append(",\"result\":[");
  for (size_t i = 0; i < metrics->size(); ++i) {
    const MetricInfo& m = (*metrics)[i];
    if (i) data.push_back(',');
    if (!details) {
      AppendJsonString(&data, m.name);
      continue;
    }
    data.append("{\"name\":");
    AppendJsonString(&data, m.name);
    data.append(",\"id\":" + std::to_string(m.id) + ",\"type\":");
    AppendJsonString(&data, ValueTypeName(m.type));
    if (m.last) {
      data.append(",\"last_timestamp\":");
      AppendJsonString(&data, FormatTimestamp(m.last->ts));
      data.append(",\"last_timestamp_ns\":" + std::to_string(m.last->ts) + ",\"last_value\":");
      AppendJsonString(&data, FormatValue(Value{m.type, m.last->bits}));
    }
    data.push_back('}');
  }
  data.append("]}");
  RespondSuccess(resp, data);
}

Status QueryVmApi::ResolveMatches(const HttpRequest& req, bool* any_match,
                                  std::vector<StoredSeries>* out) const {
  std::vector<std::string> matches = AllParams(req, "match[]");
  *any_match = !matches.empty();
  if (matches.size() > kMaxSelectorsPerRequest) {
    return Status::InvalidArgument("request has " + std::to_string(matches.size()) +
                                   " match[] parameters; at most " +
                                   std::to_string(kMaxSelectorsPerRequest) + " are accepted");
  }
  std::set<std::string> seen;  // db + '\0' + key
  for (const std::string& m : matches) {
    Result<SeriesSelector> selector = ParseSeriesSelector(m);
    if (!selector.ok()) return selector.status().WithContext("invalid parameter \"match[]\"");
    std::vector<StoredSeries> found;
    NANOTDB_RETURN_IF_ERROR(
        promql::SelectStoredSeries(query_, options_.default_db, selector->matchers, &found));
    for (StoredSeries& s : found) {
      if (seen.insert(s.db + '\0' + s.key).second) out->push_back(std::move(s));
    }
  }
  if (matches.size() > 1) {
    std::sort(out->begin(), out->end(),
              [](const StoredSeries& a, const StoredSeries& b) { return a.labels < b.labels; });
  }
  return Status::Ok();
}

void QueryVmApi::Labels(const HttpRequest& req, HttpResponse& resp) const {
  uint64_t limit = 0;
  Status st = LimitParam(req, &limit);
  bool any_match = false;
  std::vector<StoredSeries> series;
  if (st.ok()) st = ResolveMatches(req, &any_match, &series);
  if (!st.ok()) return RespondStatus(resp, st);
  std::set<std::string> names;
  if (any_match) {
    for (const StoredSeries& s : series) {
      for (const Label& l : s.labels) names.insert(l.name);
    }
  } else {
    names = {std::string(kNameLabel), std::string(kDbLabel)};
    for (const std::string& db : query_.ListDatabases(/*include_internal=*/false)) {
      Result<std::vector<std::string>> found = query_.LabelNames(db, {});
      if (!found.ok()) {
        if (found.status().IsNotFound()) continue;
        return RespondStatus(resp, found.status());
      }
      names.insert(found->begin(), found->end());
    }
  }
  RespondList(resp, std::vector<std::string>(names.begin(), names.end()), limit);
}

void QueryVmApi::LabelValues(const HttpRequest& req, HttpResponse& resp) const {
  constexpr std::string_view kPrefix = "/api/v1/label/";
  constexpr std::string_view kSuffix = "/values";
  std::string_view path = req.path;
  if (!path.starts_with(kPrefix) || !path.ends_with(kSuffix) ||
      path.size() <= kPrefix.size() + kSuffix.size()) {
    return RespondError(resp, 404, "not_found",
                        "unknown path " + req.path + ": expected /api/v1/label/<name>/values");
  }
  const std::string label(
      path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size()));
  uint64_t limit = 0;
  Status st = LimitParam(req, &limit);
  bool any_match = false;
  std::vector<StoredSeries> series;
  if (st.ok()) st = ResolveMatches(req, &any_match, &series);
  if (!st.ok()) return RespondStatus(resp, st);
  std::set<std::string> values;
  if (any_match) {
    for (const StoredSeries& s : series) {
      if (std::string_view v = promql::LabelValue(s.labels, label); !v.empty()) {
        values.insert(std::string(v));
      }
    }
  } else {
    for (const std::string& db : query_.ListDatabases(/*include_internal=*/false)) {
      if (label == kDbLabel) {
        values.insert(db);
        continue;
      }
      Result<std::vector<std::string>> found = query_.LabelValues(db, label, {});
      if (!found.ok()) {
        if (found.status().IsNotFound()) continue;
        return RespondStatus(resp, found.status());
      }
      values.insert(std::make_move_iterator(found->begin()), std::make_move_iterator(found->end()));
    }
  }
  RespondList(resp, std::vector<std::string>(values.begin(), values.end()), limit);
}

void QueryVmApi::Series(const HttpRequest& req, HttpResponse& resp) const {
  uint64_t limit = 0;
  Status st = LimitParam(req, &limit);
  bool any_match = false;
  std::vector<StoredSeries> series;
  if (st.ok()) st = ResolveMatches(req, &any_match, &series);
  if (!st.ok()) return RespondStatus(resp, st);
  if (!any_match) return RespondBadData(resp, "no match[] parameter provided");
  bool truncated = limit != 0 && series.size() > limit;
  if (truncated) series.resize(limit);
  std::string& out = resp.body;
  out.clear();
  BeginSuccess(&out);
  out.push_back('[');
  for (size_t i = 0; i < series.size(); ++i) {
    if (i) out.push_back(',');
    AppendLabels(&out, series[i].labels);
  }
  out.push_back(']');
  if (truncated) out.append(",\"warnings\":[\"results truncated due to limit\"]");
  EndSuccess(&out);
  resp.status = 200;
  resp.content_type = "application/json";
}

void QueryVmApi::BuildInfo(const HttpRequest&, HttpResponse& resp) const {
  std::string data = "{\"version\":";
  AppendJsonString(&data, kPrometheusCompatVersion);
  data.append(",\"revision\":");
  AppendJsonString(&data, "nanotdb-sdk-" NANOTDB_SDK_VERSION);
  data.append(
      ",\"branch\":\"HEAD\",\"buildUser\":\"nanotdb\",\"buildDate\":\"\",\"goVersion\":\"none\"}");
  RespondSuccess(resp, data);
}

void QueryVmApi::Metadata(const HttpRequest& req, HttpResponse& resp) const {
  uint64_t limit = 0, limit_per_metric = 0;
  Status st = LimitParam(req, &limit);
  if (st.ok()) st = LimitParam(req, &limit_per_metric, "limit_per_metric");
  if (!st.ok()) return RespondBadData(resp, st.message());
  if (options_.metadata == nullptr) return RespondSuccess(resp, "{}");
  std::optional<std::string> metric = NonEmptyParam(req, "metric");
  std::string data = "{";
  for (const auto& [name, variants] :
       options_.metadata->List(metric.value_or(""), static_cast<size_t>(limit),
                               static_cast<size_t>(limit_per_metric))) {
    if (data.size() > 1) data.push_back(',');
    AppendJsonString(&data, name);
    data.append(":[");
    for (size_t i = 0; i < variants.size(); ++i) {
      if (i) data.push_back(',');
      data.append("{\"type\":");
      AppendJsonString(&data, variants[i].type);
      data.append(",\"help\":");
      AppendJsonString(&data, variants[i].help);
      data.append(",\"unit\":");
      AppendJsonString(&data, variants[i].unit);
      data.push_back('}');
    }
    data.push_back(']');
  }
  data.push_back('}');
  RespondSuccess(resp, data);
}

}  // namespace nanotdb::queryvm
