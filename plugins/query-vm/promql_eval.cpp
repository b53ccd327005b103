#include "promql_eval.h"

#include <re2/re2.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <numeric>
#include <unordered_map>

#include "nanotdb/int128.h"
#include "nanotdb/vm_json.h"
#include "promql_parser.h"

namespace nanotdb::queryvm::promql {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;  // Prometheus' staleness marker

bool IsStale(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }
double Seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

using Point = std::pair<Timestamp, double>;

void DropName(Labels* labels) {
  labels->erase(std::remove_if(labels->begin(), labels->end(),
                               [](const Label& l) { return l.name == kNameLabel; }),
                labels->end());
}

void SetLabel(Labels* labels, std::string_view name, std::string_view value) {
  auto it = std::lower_bound(labels->begin(), labels->end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != labels->end() && it->name == name) {
    if (value.empty()) {
      labels->erase(it);
    } else {
      it->value = std::string(value);
    }
  } else if (!value.empty()) {
    labels->insert(it, Label{std::string(name), std::string(value)});
  }
}

bool Contains(const std::vector<std::string>& names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

// A byte string identifying `labels` restricted to (on) or without (!on) `names`.
std::string Signature(const Labels& labels, const std::vector<std::string>& names, bool on,
                      bool drop_name) {
  std::string sig;
  for (const Label& l : labels) {
    bool listed = Contains(names, l.name);
    if (on ? !listed : listed) continue;
    if (!on && drop_name && l.name == kNameLabel) continue;
    sig.append(l.name);
    sig.push_back('\xff');
    sig.append(l.value);
    sig.push_back('\xfe');
  }
  return sig;
}

std::string LabelsKey(const Labels& labels) { return Signature(labels, {}, false, false); }

// Prometheus' quantile over sorted-in-place values (linear interpolation between ranks).
double Quantile(double q, std::vector<double>& values) {
  if (values.empty() || std::isnan(q)) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  std::sort(values.begin(), values.end());
  double n = static_cast<double>(values.size());
  double rank = q * (n - 1);
  size_t lower = static_cast<size_t>(std::max(0.0, std::floor(rank)));
  size_t upper = std::min(values.size() - 1, lower + 1);
  double weight = rank - std::floor(rank);
  return values[lower] * (1 - weight) + values[upper] * weight;
}

double Mod(double a, double b) { return std::fmod(a, b); }

// Go's math.Max and math.Min, which (unlike std::max) propagate NaN.
double GoMax(double a, double b) { return std::isnan(a) || std::isnan(b) ? kNaN : std::max(a, b); }
double GoMin(double a, double b) { return std::isnan(a) || std::isnan(b) ? kNaN : std::min(a, b); }

bool IsValidLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// `op` applied to two numbers; for comparisons 1/0.
double Arith(BinaryOp op, double l, double r) {
  switch (op) {
    case BinaryOp::kAdd:
      return l + r;
    case BinaryOp::kSub:
      return l - r;
    case BinaryOp::kMul:
      return l * r;
    case BinaryOp::kDiv:
      return l / r;
    case BinaryOp::kMod:
      return Mod(l, r);
    case BinaryOp::kPow:
      return std::pow(l, r);
    case BinaryOp::kAtan2:
      return std::atan2(l, r);
    case BinaryOp::kEq:
      return l == r;
    case BinaryOp::kNe:
      return l != r;
    case BinaryOp::kGt:
      return l > r;
    case BinaryOp::kLt:
      return l < r;
    case BinaryOp::kGe:
      return l >= r;
    case BinaryOp::kLe:
      return l <= r;
    default:
      return kNaN;
  }
}

// Go's regexp.Expand for label_replace: $1, ${1}, $name, ${name}, $$.
std::string ExpandTemplate(std::string_view tmpl, const re2::RE2& re,
                           const std::vector<re2::StringPiece>& groups) {
  std::string out;
  const auto& names = re.NamedCapturingGroups();
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '$' || i + 1 >= tmpl.size()) {
      out.push_back(tmpl[i]);
      continue;
    }
    if (tmpl[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    std::string_view name;
    size_t next = i + 1;
    if (tmpl[next] == '{') {
      size_t close = tmpl.find('}', next);
      if (close == std::string_view::npos) {
        out.push_back('$');
        continue;
      }
      name = tmpl.substr(next + 1, close - next - 1);
      next = close + 1;
    } else {
      size_t e = next;
      while (e < tmpl.size() &&
             (std::isalnum(static_cast<unsigned char>(tmpl[e])) || tmpl[e] == '_'))
        ++e;
      name = tmpl.substr(next, e - next);
      next = e;
    }
    if (name.empty()) {
      out.push_back('$');
      continue;
    }
    int index = -1;
    if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      std::from_chars(name.data(), name.data() + name.size(), index);
    } else if (auto it = names.find(std::string(name)); it != names.end()) {
      index = it->second;
    }
    if (index >= 0 && static_cast<size_t>(index) < groups.size() &&
        groups[index].data() != nullptr) {
      out.append(groups[index].data(), groups[index].size());
    }
    i = next - 1;
  }
  return out;
}

}  // namespace

char* WritePromValue(char* p, double v, bool float32) {
  if (!float32 || std::isnan(v) || std::isinf(v)) return vm::WriteValue(p, v);
  return std::to_chars(p, p + vm::kMaxValueChars, static_cast<float>(v), std::chars_format::fixed)
      .ptr;
}

void AppendPromValue(std::string* out, double v, bool float32) {
  char buf[vm::kMaxValueChars];
  out->append(buf, WritePromValue(buf, v, float32));
}

// Series that ended up with the same labels (a function dropped the metric name) are one
// series, as in Prometheus; two values at one step are an error.
static Status MergeSameLabelsets(std::vector<StepSeries>* vec) {
  if (vec->size() < 2) return Status::Ok();
  std::unordered_map<std::string, size_t> first;
  std::vector<StepSeries> out;
  for (StepSeries& s : *vec) {
    auto [it, inserted] = first.emplace(LabelsKey(s.labels), out.size());
    if (inserted) {
      out.push_back(std::move(s));
      continue;
    }
    StepSeries& into = out[it->second];
    for (size_t i = 0; i < s.has.size(); ++i) {
      if (!s.has[i]) continue;
      if (into.has[i]) {
        return Status::Unsupported("vector cannot contain metrics with the same labelset");
      }
      into.v[i] = s.v[i];
      into.has[i] = 1;
    }
  }
  *vec = std::move(out);
  return Status::Ok();
}

struct Evaluator::Grid {
  std::vector<Timestamp> t;
};

struct Evaluator::Val {
  ValueKind kind = ValueKind::kVector;
  std::vector<double> scalar;
  std::vector<StepSeries> vec;
  std::string str;
};

Evaluator::Evaluator(SeriesSource& source, EvalOptions options)
    : source_(source), options_(std::move(options)) {}

Status Evaluator::CheckDeadline() const {
  if (options_.deadline && std::chrono::steady_clock::now() > *options_.deadline) {
    return Status::Busy("query timed out after " + options_.timeout_text +
                        " (timeout= parameter or query_timeout in [plugins.query-vm])");
  }
  return Status::Ok();
}

Status Evaluator::CheckPoints(size_t series, size_t steps) const {
  if (static_cast<double>(series) * static_cast<double>(steps) >
      static_cast<double>(options_.max_points)) {
    return Status::Unsupported("query would hold " + std::to_string(series) + " series x " +
                               std::to_string(steps) + " steps, more than " +
                               std::to_string(options_.max_points) +
                               " points (max_points in [plugins.query-vm]); narrow the time range, "
                               "raise step or select fewer series");
  }
  return Status::Ok();
}

Result<QueryResult> Evaluator::Run(const Node& root, Timestamp start, Timestamp end, int64_t step) {
  query_start_ = start;
  query_end_ = end;
  Grid g;
  if (step <= 0) {
    g.t.push_back(start);
  } else {
    const Int128 span = static_cast<Int128>(end) - start;  // no overflow for any int64s
    if (span / step + 1 > static_cast<Int128>(options_.max_points)) {
      return Status::Unsupported(
          "query_range would evaluate " +
          std::to_string(static_cast<uint64_t>(std::min<Int128>(span / step + 1, UINT64_MAX))) +
          " steps, more than " + std::to_string(options_.max_points) +
          " (max_points in [plugins.query-vm]); raise step");
    }
    const uint64_t n = static_cast<uint64_t>(span / step) + 1;
    g.t.reserve(n);
    for (uint64_t k = 0; k < n; ++k) g.t.push_back(start + static_cast<int64_t>(k) * step);
  }
  QueryResult out;
  out.steps = g.t;
  if (root.type == ValueKind::kMatrix) {
    if (step > 0) {
      return Status::InvalidArgument(
          "invalid expression type \"range vector\" for range query, must be Scalar or instant "
          "Vector");
    }
    int64_t range = 0;
    std::vector<Timestamp> times;
    NANOTDB_ASSIGN_OR_RETURN(out.matrix, EvalRange(root, g, &range, &times));
    const Timestamp e = times[0];
    for (RawSeries& s : out.matrix) {
      auto& p = s.points;
      p.erase(std::remove_if(p.begin(), p.end(),
                             [&](const Point& x) {
                               return x.first < e - range || x.first > e || IsStale(x.second);
                             }),
              p.end());
    }
    std::erase_if(out.matrix, [](const RawSeries& s) { return s.points.empty(); });
    out.kind = ValueKind::kMatrix;
    return out;
  }
  NANOTDB_ASSIGN_OR_RETURN(Val v, Eval(root, g));
  out.kind = v.kind;
  out.scalar = std::move(v.scalar);
  out.vector = std::move(v.vec);
  out.str = std::move(v.str);
  return out;
}

std::vector<Timestamp> Evaluator::EvalTimes(const Node& n, const Grid& g) const {
  std::vector<Timestamp> times(g.t.size());
  for (size_t i = 0; i < g.t.size(); ++i) {
    Timestamp t = g.t[i];
    if (n.at == AtKind::kTimestamp) t = n.at_ts;
    if (n.at == AtKind::kStart) t = query_start_;
    if (n.at == AtKind::kEnd) t = query_end_;
    times[i] = t - n.offset;
  }
  return times;
}

Result<std::vector<RawSeries>> Evaluator::ReadSelector(const Node& n, Timestamp from,
                                                       Timestamp to) {
  std::vector<StoredSeries> stored;
  NANOTDB_RETURN_IF_ERROR(source_.Select(n.matchers, &stored));
  std::vector<RawSeries> out;
  out.reserve(stored.size());
  for (StoredSeries& s : stored) {
    NANOTDB_RETURN_IF_ERROR(CheckDeadline());
    RawSeries r;
    r.float32 = s.type == ValueType::kFloat32;
    bool over = false;
    Status deadline;
    Status st = source_.Read(s, from, to, [&](Timestamp ts, double v) {
      if (++samples_ > options_.max_samples) {
        over = true;
        return false;
      }
      if ((samples_ & 4095) == 0) {
        deadline = CheckDeadline();
        if (!deadline.ok()) return false;
      }
      r.points.emplace_back(ts, v);
      return true;
    });
    if (over) {
      return Status::Unsupported("query would read more than " +
                                 std::to_string(options_.max_samples) +
                                 " samples (max_samples in [plugins.query-vm]); narrow the time "
                                 "range or select fewer series");
    }
    NANOTDB_RETURN_IF_ERROR(deadline);
    NANOTDB_RETURN_IF_ERROR(st);
    r.labels = std::move(s.labels);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<RawSeries>> Evaluator::EvalRange(const Node& n, const Grid& g, int64_t* range,
                                                    std::vector<Timestamp>* eval_times) {
  *eval_times = EvalTimes(n, g);
  *range = n.range;
  Timestamp lo = *std::min_element(eval_times->begin(), eval_times->end());
  Timestamp hi = *std::max_element(eval_times->begin(), eval_times->end());
  if (n.kind == Node::Kind::kMatrixSelector) return ReadSelector(n, lo - n.range, hi);
  // A subquery: evaluate the inner expression at every multiple of its step in the span.
  int64_t step = n.step > 0 ? n.step : options_.default_subquery_step;
  Timestamp first = lo - n.range;
  Timestamp aligned = first - (((first % step) + step) % step);
  if (aligned < first) aligned += step;
  Grid inner;
  for (Timestamp t = aligned; t <= hi; t += step) {
    inner.t.push_back(t);
    if (inner.t.size() > options_.max_points) {
      return Status::Unsupported("subquery would evaluate more than " +
                                 std::to_string(options_.max_points) +
                                 " steps (max_points in [plugins.query-vm]); raise its step");
    }
  }
  std::vector<RawSeries> out;
  if (inner.t.empty()) return out;
  NANOTDB_ASSIGN_OR_RETURN(Val v, Eval(*n.args[0], inner));
  for (StepSeries& s : v.vec) {
    RawSeries r;
    r.labels = std::move(s.labels);
    r.float32 = s.float32;
    for (size_t i = 0; i < inner.t.size(); ++i) {
      if (s.has[i]) r.points.emplace_back(inner.t[i], s.v[i]);
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<Evaluator::Val> Evaluator::EvalSelector(const Node& n, const Grid& g, bool timestamps) {
  const size_t steps = g.t.size();
  Val out;
  std::vector<Timestamp> times = EvalTimes(n, g);
  Timestamp lo = *std::min_element(times.begin(), times.end());
  Timestamp hi = *std::max_element(times.begin(), times.end());
  NANOTDB_ASSIGN_OR_RETURN(std::vector<RawSeries> raw, ReadSelector(n, lo - options_.lookback, hi));
  NANOTDB_RETURN_IF_ERROR(CheckPoints(raw.size(), steps));
  for (RawSeries& r : raw) {
    StepSeries s;
    s.labels = std::move(r.labels);
    s.float32 = r.float32 && !timestamps;
    s.v.assign(steps, 0);
    s.has.assign(steps, 0);
    bool any = false;
    const auto& p = r.points;
    // Steps ascend (unless @ pins them), so a cursor finds each step's sample in O(1).
    size_t next = 0;  // first point after the previous step's time
    for (size_t i = 0; i < steps; ++i) {
      if (i > 0 && times[i] < times[i - 1]) next = 0;
      while (next < p.size() && p[next].first <= times[i]) ++next;
      if (next == 0) continue;
      const Point& x = p[next - 1];
      if (x.first < times[i] - options_.lookback || IsStale(x.second)) continue;
      s.v[i] = timestamps ? Seconds(x.first) : x.second;
      s.has[i] = 1;
      any = true;
    }
    if (any) out.vec.push_back(std::move(s));
  }
  return out;
}

Result<Evaluator::Val> Evaluator::Eval(const Node& n, const Grid& g) {
  NANOTDB_RETURN_IF_ERROR(CheckDeadline());
  const size_t steps = g.t.size();
  Val out;
  switch (n.kind) {
    case Node::Kind::kNumber:
      out.kind = ValueKind::kScalar;
      out.scalar.assign(steps, n.number);
      return out;
    case Node::Kind::kString:
      out.kind = ValueKind::kString;
      out.str = n.text;
      return out;
    case Node::Kind::kParen:
      return Eval(*n.args[0], g);
    case Node::Kind::kNegate: {
      NANOTDB_ASSIGN_OR_RETURN(out, Eval(*n.args[0], g));
      for (double& x : out.scalar) x = -x;
      for (StepSeries& s : out.vec) {
        DropName(&s.labels);
        s.float32 = false;
        for (double& x : s.v) x = -x;
      }
      NANOTDB_RETURN_IF_ERROR(MergeSameLabelsets(&out.vec));
      return out;
    }
    case Node::Kind::kVectorSelector:
      return EvalSelector(n, g, /*timestamps=*/false);
    case Node::Kind::kMatrixSelector:
    case Node::Kind::kSubquery:
      return Status::InvalidArgument(
          "a range vector cannot be evaluated as an instant vector here");
    case Node::Kind::kCall: {
      NANOTDB_ASSIGN_OR_RETURN(out, EvalCall(n, g));
      NANOTDB_RETURN_IF_ERROR(MergeSameLabelsets(&out.vec));
      return out;
    }
    case Node::Kind::kAggregate:
      return EvalAggregate(n, g);
    case Node::Kind::kBinary: {
      NANOTDB_ASSIGN_OR_RETURN(out, EvalBinary(n, g));
      NANOTDB_RETURN_IF_ERROR(MergeSameLabelsets(&out.vec));
      return out;
    }
  }
  return Status::Internal("unknown node");
}

namespace {

// Prometheus' extrapolatedRate: rate, increase and delta over the samples of one window.
std::optional<double> ExtrapolatedRate(const Point* p, size_t n, Timestamp range_start,
                                       Timestamp range_end, bool counter, bool is_rate) {
  if (n < 2) return std::nullopt;
  double result = p[n - 1].second - p[0].second;
  if (counter) {
    double prev = p[0].second;
    for (size_t i = 1; i < n; ++i) {
      if (p[i].second < prev) result += prev;
      prev = p[i].second;
    }
  }
  double to_start = Seconds(p[0].first - range_start);
  double to_end = Seconds(range_end - p[n - 1].first);
  double sampled = Seconds(p[n - 1].first - p[0].first);
  double avg_between = sampled / static_cast<double>(n - 1);
  if (counter && result > 0 && p[0].second >= 0) {
    double to_zero = sampled * (p[0].second / result);
    if (to_zero < to_start) to_start = to_zero;
  }
  double threshold = avg_between * 1.1;
  double interval = sampled;
  interval += to_start < threshold ? to_start : avg_between / 2;
  interval += to_end < threshold ? to_end : avg_between / 2;
  result *= interval / sampled;
  if (is_rate) result /= Seconds(range_end - range_start);
  return result;
}

// Least-squares slope and intercept (at `intercept_t`) of the window, as Prometheus computes.
std::pair<double, double> LinearRegression(const Point* p, size_t n, Timestamp intercept_t) {
  double sum_x = 0, sum_y = 0, sum_xy = 0, sum_x2 = 0;
  bool const_y = true;
  double init_y = p[0].second;
  for (size_t i = 0; i < n; ++i) {
    if (p[i].second != init_y) const_y = false;
    double x = Seconds(p[i].first - intercept_t);
    sum_x += x;
    sum_y += p[i].second;
    sum_xy += x * p[i].second;
    sum_x2 += x * x;
  }
  if (const_y) {
    if (std::isinf(init_y)) return {kNaN, kNaN};
    return {0, init_y};
  }
  double nf = static_cast<double>(n);
  double cov_xy = sum_xy - sum_x * sum_y / nf;
  double var_x = sum_x2 - sum_x * sum_x / nf;
  double slope = cov_xy / var_x;
  double intercept = sum_y / nf - slope * sum_x / nf;
  return {slope, intercept};
}

// The UTC calendar field `f` of Unix seconds `t` (Prometheus' date functions).
double DateField(const std::string& f, double t) {
  int64_t secs = static_cast<int64_t>(std::floor(t));
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t sod = secs - days * 86400;
  // Civil date from days since 1970-01-01 (proleptic Gregorian).
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  static const int kDaysBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  static const int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (f == "minute") return static_cast<double>(sod % 3600 / 60);
  if (f == "hour") return static_cast<double>(sod / 3600);
  if (f == "day_of_month") return static_cast<double>(d);
  if (f == "day_of_week") return static_cast<double>(((days % 7) + 11) % 7);  // 1970-01-01: Thu
  if (f == "day_of_year") return kDaysBefore[m - 1] + d + (leap && m > 2 ? 1 : 0);
  if (f == "days_in_month") return kMonthDays[m - 1] + (leap && m == 2 ? 1 : 0);
  if (f == "month") return static_cast<double>(m);
  return static_cast<double>(y);  // year
}

bool IsDateFunction(std::string_view f) {
  return f == "minute" || f == "hour" || f == "day_of_month" || f == "day_of_week" ||
         f == "day_of_year" || f == "days_in_month" || f == "month" || f == "year";
}

// Labels of absent(): the equality matchers of the argument's selector, if it is one.
Labels AbsentLabels(const Node& arg) {
  const Node* n = &arg;
  while (n->kind == Node::Kind::kParen) n = n->args[0].get();
  Labels out;
  if (n->kind != Node::Kind::kVectorSelector && n->kind != Node::Kind::kMatrixSelector) {
    return out;
  }
  std::map<std::string, int> seen;
  for (const LabelMatcher& m : n->matchers) {
    if (m.label != kNameLabel) ++seen[m.label];
  }
  for (const LabelMatcher& m : n->matchers) {
    if (m.label == kNameLabel || m.op != LabelMatcher::Op::kEqual || seen[m.label] > 1) continue;
    SetLabel(&out, m.label, m.value);
  }
  return out;
}

struct Bucket {
  double le;
  double count;
};

// Prometheus' bucketQuantile.
double BucketQuantile(double q, std::vector<Bucket>& b) {
  if (std::isnan(q)) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  std::sort(b.begin(), b.end(), [](const Bucket& x, const Bucket& y) { return x.le < y.le; });
  if (b.empty() || !std::isinf(b.back().le) || b.back().le < 0) return kNaN;
  // Merge buckets of the same bound, then make counts monotonic.
  std::vector<Bucket> m;
  for (const Bucket& x : b) {
    if (!m.empty() && m.back().le == x.le) {
      m.back().count += x.count;
    } else {
      m.push_back(x);
    }
  }
  double max = m[0].count;
  for (Bucket& x : m) {
    if (x.count > max)
      max = x.count;
    else if (x.count < max)
      x.count = max;
  }
  if (m.size() < 2) return kNaN;
  double observations = m.back().count;
  if (observations == 0) return kNaN;
  double rank = q * observations;
  size_t i = std::lower_bound(m.begin(), m.end() - 1, rank,
                              [](const Bucket& x, double r) { return x.count < r; }) -
             m.begin();
  if (i == m.size() - 1) return m[m.size() - 2].le;
  if (i == 0 && m[0].le <= 0) return m[0].le;
  double start = 0, end = m[i].le, count = m[i].count;
  if (i > 0) {
    start = m[i - 1].le;
    count -= m[i - 1].count;
    rank -= m[i - 1].count;
  }
  return start + (end - start) * (rank / count);
}

// Collects output series by label set; two values for one label set at one step is an error.
class SeriesBuilder {
 public:
  explicit SeriesBuilder(size_t steps) : steps_(steps) {}
  size_t Index(Labels labels) {
    std::string key = LabelsKey(labels);
    auto [it, inserted] = index_.emplace(std::move(key), out_.size());
    if (inserted) {
      StepSeries s;
      s.labels = std::move(labels);
      s.v.assign(steps_, 0);
      s.has.assign(steps_, 0);
      out_.push_back(std::move(s));
    }
    return it->second;
  }
  // False when the series already has a value at `step`.
  bool Set(size_t index, size_t step, double v) {
    StepSeries& s = out_[index];
    if (s.has[step]) return false;
    s.v[step] = v;
    s.has[step] = 1;
    return true;
  }
  void MarkFloat32(size_t index, bool float32) { out_[index].float32 = float32; }
  std::vector<StepSeries> Take() {
    std::erase_if(out_, [](const StepSeries& s) {
      return std::find(s.has.begin(), s.has.end(), 1) == s.has.end();
    });
    return std::move(out_);
  }

 private:
  size_t steps_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<StepSeries> out_;
};

std::string LabelsText(const Labels& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ", ";
    out += labels[i].name + "=\"" + labels[i].value + "\"";
  }
  return out + "}";
}

}  // namespace

Result<Evaluator::Val> Evaluator::EvalRangeFunction(const Node& n, const Grid& g) {
  const std::string& f = n.text;
  const size_t steps = g.t.size();
  const size_t matrix_arg = f == "quantile_over_time" ? 1 : 0;
  const Node& m = *n.args[matrix_arg];
  std::vector<double> param(steps, 0), param2(steps, 0);
  if (f == "quantile_over_time" || f == "predict_linear" || f == "holt_winters") {
    NANOTDB_ASSIGN_OR_RETURN(Val p, Eval(*n.args[f == "quantile_over_time" ? 0 : 1], g));
    param = std::move(p.scalar);
  }
  if (f == "holt_winters") {
    NANOTDB_ASSIGN_OR_RETURN(Val p, Eval(*n.args[2], g));
    param2 = std::move(p.scalar);
    for (size_t i = 0; i < steps; ++i) {
      for (double factor : {param[i], param2[i]}) {
        if (!(factor > 0 && factor < 1)) {
          return Status::InvalidArgument("invalid smoothing factor: expected 0 < sf < 1, got " +
                                         std::to_string(factor));
        }
      }
    }
  }
  int64_t range = 0;
  std::vector<Timestamp> times;
  NANOTDB_ASSIGN_OR_RETURN(std::vector<RawSeries> raw, EvalRange(m, g, &range, &times));
  NANOTDB_RETURN_IF_ERROR(CheckPoints(raw.size(), steps));
  Val out;
  if (f == "absent_over_time") {
    StepSeries s;
    s.labels = AbsentLabels(m);
    s.v.assign(steps, 1);
    s.has.assign(steps, 1);
    for (const RawSeries& r : raw) {
      const auto& p = r.points;
      for (size_t i = 0; i < steps; ++i) {
        auto lo = std::lower_bound(p.begin(), p.end(), times[i] - range,
                                   [](const Point& x, Timestamp t) { return x.first < t; });
        if (lo != p.end() && lo->first <= times[i]) s.has[i] = 0;
      }
    }
    if (std::find(s.has.begin(), s.has.end(), 1) != s.has.end()) out.vec.push_back(std::move(s));
    return out;
  }
  // The window [t - range, t] of step i in `pts`, as indexes [lo, hi).
  auto window = [&](const std::vector<Point>& pts, size_t i) {
    auto lo = std::lower_bound(pts.begin(), pts.end(), times[i] - range,
                               [](const Point& x, Timestamp t) { return x.first < t; });
    auto hi = std::upper_bound(lo, pts.end(), times[i],
                               [](Timestamp t, const Point& x) { return t < x.first; });
    return std::make_pair(static_cast<size_t>(lo - pts.begin()),
                          static_cast<size_t>(hi - pts.begin()));
  };
  // Every window's samples are visited once per step: refuse a query that would visit more
  // than max_samples before doing that work (a 30d window at a 1m step over 30 days would).
  for (RawSeries& r : raw) {
    std::erase_if(r.points, [](const Point& x) { return IsStale(x.second); });
    for (size_t i = 0; i < steps; ++i) {
      auto [lo, hi] = window(r.points, i);
      touched_ += hi - lo;
    }
    if (touched_ > options_.max_samples) {
      return Status::Unsupported(
          "query would touch more than " + std::to_string(options_.max_samples) +
          " samples in its range windows (max_samples in [plugins.query-vm]); raise step or "
          "shorten the range");
    }
  }
  NANOTDB_RETURN_IF_ERROR(CheckDeadline());
  const bool keep_name = f == "last_over_time";
  for (RawSeries& r : raw) {
    NANOTDB_RETURN_IF_ERROR(CheckDeadline());
    StepSeries s;
    s.labels = std::move(r.labels);
    if (!keep_name) DropName(&s.labels);
    s.float32 = keep_name && r.float32;
    s.v.assign(steps, 0);
    s.has.assign(steps, 0);
    const auto& pts = r.points;
    std::vector<double> scratch;
    uint64_t since_check = 0;
    for (size_t i = 0; i < steps; ++i) {
      const Timestamp start = times[i] - range, end = times[i];
      auto [lo, hi] = window(pts, i);
      const size_t cnt = hi - lo;
      if (cnt == 0) continue;
      since_check += cnt;
      if (since_check > (1u << 20)) {
        since_check = 0;
        NANOTDB_RETURN_IF_ERROR(CheckDeadline());
      }
      const Point* p = &pts[lo];
      std::optional<double> v;
      if (f == "rate" || f == "increase" || f == "delta") {
        v = ExtrapolatedRate(p, cnt, start, end, f != "delta", f == "rate");
      } else if (f == "irate" || f == "idelta") {
        if (cnt >= 2) {
          const Point& a = p[cnt - 2];
          const Point& b = p[cnt - 1];
          if (f == "idelta") {
            v = b.second - a.second;
          } else if (b.first != a.first) {
            double d = b.second < a.second ? b.second : b.second - a.second;
            v = d / Seconds(b.first - a.first);
          }
        }
      } else if (f == "deriv") {
        if (cnt >= 2) v = LinearRegression(p, cnt, p[0].first).first;
      } else if (f == "predict_linear") {
        if (cnt >= 2) {
          auto [slope, intercept] = LinearRegression(p, cnt, end);
          v = slope * param[i] + intercept;
        }
      } else if (f == "resets" || f == "changes") {
        double c = 0;
        for (size_t k = 1; k < cnt; ++k) {
          double a = p[k - 1].second, b = p[k].second;
          if (f == "resets" ? b < a : !(a == b || (std::isnan(a) && std::isnan(b)))) ++c;
        }
        v = c;
      } else if (f == "avg_over_time") {
        double mean = 0, count = 0;
        for (size_t k = 0; k < cnt; ++k) {
          ++count;
          double x = p[k].second;
          if (std::isinf(mean)) {
            if (std::isinf(x) && (mean > 0) == (x > 0)) continue;
            if (!std::isinf(x) && !std::isnan(x)) continue;
          }
          mean += x / count - mean / count;
        }
        v = mean;
      } else if (f == "sum_over_time") {
        double sum = 0;
        for (size_t k = 0; k < cnt; ++k) sum += p[k].second;
        v = sum;
      } else if (f == "count_over_time") {
        v = static_cast<double>(cnt);
      } else if (f == "present_over_time") {
        v = 1;
      } else if (f == "last_over_time") {
        v = p[cnt - 1].second;
      } else if (f == "min_over_time" || f == "max_over_time") {
        double best = p[0].second;
        for (size_t k = 1; k < cnt; ++k) {
          double x = p[k].second;
          bool better = f == "max_over_time" ? x > best : x < best;
          if (better || std::isnan(best)) best = x;
        }
        v = best;
      } else if (f == "stddev_over_time" || f == "stdvar_over_time") {
        double count = 0, mean = 0, m2 = 0;
        for (size_t k = 0; k < cnt; ++k) {
          ++count;
          double delta = p[k].second - mean;
          mean += delta / count;
          m2 += delta * (p[k].second - mean);
        }
        double var = m2 / count;
        v = f == "stddev_over_time" ? std::sqrt(var) : var;
      } else if (f == "holt_winters") {
        // Double exponential smoothing: level s1 and trend b, as Prometheus computes them.
        if (cnt >= 2) {
          const double sf = param[i], tf = param2[i];
          double s0 = 0, s1 = p[0].second, b = p[1].second - p[0].second;
          for (size_t k = 1; k < cnt; ++k) {
            double x = sf * p[k].second;
            if (k > 1) b = tf * (s1 - s0) + (1 - tf) * b;
            double y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
          }
          v = s1;
        }
      } else if (f == "quantile_over_time") {
        scratch.clear();
        for (size_t k = 0; k < cnt; ++k) scratch.push_back(p[k].second);
        v = Quantile(param[i], scratch);
      }
      if (v) {
        s.v[i] = *v;
        s.has[i] = 1;
      }
    }
    if (std::find(s.has.begin(), s.has.end(), 1) != s.has.end()) out.vec.push_back(std::move(s));
  }
  return out;
}

Result<Evaluator::Val> Evaluator::EvalCall(const Node& n, const Grid& g) {
  const std::string& f = n.text;
  const size_t steps = g.t.size();
  const FunctionInfo* info = FindFunction(f);
  if (info == nullptr) return Status::InvalidArgument("unknown function \"" + f + "\"");
  for (ValueKind k : info->args) {
    if (k == ValueKind::kMatrix) return EvalRangeFunction(n, g);
  }
  Val out;
  if (f == "pi") {
    out.kind = ValueKind::kScalar;
    out.scalar.assign(steps, std::numbers::pi);
    return out;
  }
  if (f == "time") {
    out.kind = ValueKind::kScalar;
    for (Timestamp t : g.t) out.scalar.push_back(Seconds(t));
    return out;
  }
  if (f == "vector") {
    NANOTDB_ASSIGN_OR_RETURN(Val a, Eval(*n.args[0], g));
    StepSeries s;
    s.v = std::move(a.scalar);
    s.has.assign(steps, 1);
    out.vec.push_back(std::move(s));
    return out;
  }
  if (f == "timestamp") {
    const Node* arg = n.args[0].get();
    while (arg->kind == Node::Kind::kParen) arg = arg->args[0].get();
    Val a;
    if (arg->kind == Node::Kind::kVectorSelector) {
      NANOTDB_ASSIGN_OR_RETURN(a, EvalSelector(*arg, g, /*timestamps=*/true));
    } else {
      NANOTDB_ASSIGN_OR_RETURN(a, Eval(*arg, g));
      for (StepSeries& s : a.vec) {
        for (size_t i = 0; i < steps; ++i) s.v[i] = Seconds(g.t[i]);
      }
    }
    for (StepSeries& s : a.vec) {
      DropName(&s.labels);
      s.float32 = false;
    }
    return a;
  }
  if (f == "histogram_quantile") {
    NANOTDB_ASSIGN_OR_RETURN(Val q, Eval(*n.args[0], g));
    NANOTDB_ASSIGN_OR_RETURN(Val a, Eval(*n.args[1], g));
    std::map<std::string, std::pair<Labels, std::vector<std::pair<double, size_t>>>> groups;
    for (size_t k = 0; k < a.vec.size(); ++k) {
      const StepSeries& s = a.vec[k];
      std::string_view le_text = LabelValue(s.labels, "le");
      if (le_text.empty()) continue;
      double le = 0;
      std::string le_str(le_text);
      if (le_str == "+Inf" || le_str == "Inf" || le_str == "inf" || le_str == "+inf") {
        le = kInf;
      } else {
        auto res = std::from_chars(le_str.data(), le_str.data() + le_str.size(), le);
        if (res.ec != std::errc() || res.ptr != le_str.data() + le_str.size()) continue;
      }
      Labels l = s.labels;
      DropName(&l);
      SetLabel(&l, "le", "");
      auto& grp = groups[LabelsKey(l)];
      grp.first = std::move(l);
      grp.second.emplace_back(le, k);
    }
    std::vector<Bucket> buckets;
    for (auto& [key, grp] : groups) {
      StepSeries s;
      s.labels = grp.first;
      s.v.assign(steps, 0);
      s.has.assign(steps, 0);
      for (size_t i = 0; i < steps; ++i) {
        buckets.clear();
        for (const auto& [le, k] : grp.second) {
          if (a.vec[k].has[i]) buckets.push_back({le, a.vec[k].v[i]});
        }
        if (buckets.empty()) continue;
        s.v[i] = BucketQuantile(q.scalar[i], buckets);
        s.has[i] = 1;
      }
      out.vec.push_back(std::move(s));
    }
    return out;
  }
  if (IsDateFunction(f)) {
    Val a;
    if (n.args.empty()) {  // of vector(time())
      StepSeries s;
      for (Timestamp t : g.t) s.v.push_back(Seconds(t));
      s.has.assign(steps, 1);
      a.vec.push_back(std::move(s));
    } else {
      NANOTDB_ASSIGN_OR_RETURN(a, Eval(*n.args[0], g));
    }
    for (StepSeries& s : a.vec) {
      DropName(&s.labels);
      s.float32 = false;
      for (size_t i = 0; i < steps; ++i) {
        if (s.has[i]) s.v[i] = DateField(f, s.v[i]);
      }
    }
    return a;
  }
  NANOTDB_ASSIGN_OR_RETURN(Val a, Eval(*n.args[0], g));
  std::vector<std::vector<double>> params;
  for (size_t k = 1; k < n.args.size(); ++k) {
    if (n.args[k]->type != ValueKind::kScalar) continue;
    NANOTDB_ASSIGN_OR_RETURN(Val p, Eval(*n.args[k], g));
    params.push_back(std::move(p.scalar));
  }
  if (f == "scalar") {
    out.kind = ValueKind::kScalar;
    out.scalar.assign(steps, kNaN);
    for (size_t i = 0; i < steps; ++i) {
      int present = 0;
      for (const StepSeries& s : a.vec) {
        if (s.has[i]) {
          ++present;
          out.scalar[i] = s.v[i];
        }
      }
      if (present != 1) out.scalar[i] = kNaN;
    }
    return out;
  }
  if (f == "absent") {
    StepSeries s;
    s.labels = AbsentLabels(*n.args[0]);
    s.v.assign(steps, 1);
    s.has.assign(steps, 1);
    for (const StepSeries& x : a.vec) {
      for (size_t i = 0; i < steps; ++i) {
        if (x.has[i]) s.has[i] = 0;
      }
    }
    if (std::find(s.has.begin(), s.has.end(), 1) != s.has.end()) out.vec.push_back(std::move(s));
    return out;
  }
  if (f == "sort" || f == "sort_desc") {
    // Order matters only for instant queries: by the (single step's) value.
    bool desc = f == "sort_desc";
    std::stable_sort(a.vec.begin(), a.vec.end(), [&](const StepSeries& x, const StepSeries& y) {
      double xv = x.v[0], yv = y.v[0];
      if (std::isnan(xv)) return !std::isnan(yv);
      if (std::isnan(yv)) return false;
      return desc ? xv > yv : xv < yv;
    });
    return a;
  }
  if (f == "label_replace" || f == "label_join") {
    std::vector<std::string> strs;
    for (size_t k = 1; k < n.args.size(); ++k) strs.push_back(n.args[k]->text);
    const std::string& dst = strs[0];
    if (!IsValidLabelName(dst)) {
      return Status::Unsupported("invalid destination label name in " + f + "(): \"" + dst + "\"");
    }
    std::unique_ptr<re2::RE2> re;
    if (f == "label_replace") {
      re = std::make_unique<re2::RE2>("^(?:" + strs[3] + ")$", re2::RE2::Quiet);
      if (!re->ok()) {
        return Status::Unsupported("invalid regular expression in label_replace(): \"" + strs[3] +
                                   "\": " + re->error());
      }
    }
    SeriesBuilder b(steps);
    for (StepSeries& s : a.vec) {
      std::string value;
      bool set = true;
      if (f == "label_replace") {
        std::string src(LabelValue(s.labels, strs[2]));
        std::vector<re2::StringPiece> groups(re->NumberOfCapturingGroups() + 1);
        if (re->Match(src, 0, src.size(), re2::RE2::ANCHOR_BOTH, groups.data(),
                      static_cast<int>(groups.size()))) {
          value = ExpandTemplate(strs[1], *re, groups);
        } else {
          set = false;
        }
      } else {
        for (size_t k = 2; k < strs.size(); ++k) {
          if (k > 2) value += strs[1];
          value += LabelValue(s.labels, strs[k]);
        }
      }
      Labels l = s.labels;
      if (set) SetLabel(&l, dst, value);
      size_t idx = b.Index(std::move(l));
      for (size_t i = 0; i < steps; ++i) {
        if (s.has[i] && !b.Set(idx, i, s.v[i])) {
          return Status::Unsupported("vector cannot contain metrics with the same labelset");
        }
      }
    }
    out.vec = b.Take();
    return out;
  }
  // Element-wise math; these drop the metric name.
  for (StepSeries& s : a.vec) {
    DropName(&s.labels);
    s.float32 = false;
  }
  auto each = [&](auto fn) {
    for (StepSeries& s : a.vec) {
      for (size_t i = 0; i < steps; ++i) s.v[i] = fn(s.v[i], i);
    }
  };
  if (f == "abs")
    each([](double x, size_t) { return std::fabs(x); });
  else if (f == "ceil")
    each([](double x, size_t) { return std::ceil(x); });
  else if (f == "floor")
    each([](double x, size_t) { return std::floor(x); });
  else if (f == "exp")
    each([](double x, size_t) { return std::exp(x); });
  else if (f == "sqrt")
    each([](double x, size_t) { return std::sqrt(x); });
  else if (f == "ln")
    each([](double x, size_t) { return std::log(x); });
  else if (f == "log2")
    each([](double x, size_t) { return std::log2(x); });
  else if (f == "log10")
    each([](double x, size_t) { return std::log10(x); });
  else if (f == "sgn")
    each([](double x, size_t) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; });
  else if (f == "sin")
    each([](double x, size_t) { return std::sin(x); });
  else if (f == "cos")
    each([](double x, size_t) { return std::cos(x); });
  else if (f == "tan")
    each([](double x, size_t) { return std::tan(x); });
  else if (f == "asin")
    each([](double x, size_t) { return std::asin(x); });
  else if (f == "acos")
    each([](double x, size_t) { return std::acos(x); });
  else if (f == "atan")
    each([](double x, size_t) { return std::atan(x); });
  else if (f == "sinh")
    each([](double x, size_t) { return std::sinh(x); });
  else if (f == "cosh")
    each([](double x, size_t) { return std::cosh(x); });
  else if (f == "tanh")
    each([](double x, size_t) { return std::tanh(x); });
  else if (f == "asinh")
    each([](double x, size_t) { return std::asinh(x); });
  else if (f == "acosh")
    each([](double x, size_t) { return std::acosh(x); });
  else if (f == "atanh")
    each([](double x, size_t) { return std::atanh(x); });
  else if (f == "deg")
    each([](double x, size_t) { return x * 180 / std::numbers::pi; });
  else if (f == "rad")
    each([](double x, size_t) { return x * std::numbers::pi / 180; });
  else if (f == "round") {
    each([&](double x, size_t i) {
      double to = params.empty() ? 1 : params[0][i];
      double inv = 1.0 / to;
      return std::floor(x * inv + 0.5) / inv;
    });
  } else if (f == "clamp_min") {
    each([&](double x, size_t i) { return GoMax(params[0][i], x); });
  } else if (f == "clamp_max") {
    each([&](double x, size_t i) { return GoMin(params[0][i], x); });
  } else if (f == "clamp") {
    for (StepSeries& s : a.vec) {
      for (size_t i = 0; i < steps; ++i) {
        double lo = params[0][i], hi = params[1][i];
        if (hi < lo) {
          s.has[i] = 0;
          continue;
        }
        s.v[i] = GoMax(lo, GoMin(hi, s.v[i]));
      }
    }
  } else {
    return Status::InvalidArgument("function \"" + f + "\" is not implemented");
  }
  return a;
}

Result<Evaluator::Val> Evaluator::EvalAggregate(const Node& n, const Grid& g) {
  const std::string& op = n.text;
  const size_t steps = g.t.size();
  std::vector<double> param;
  if (n.args.size() == 2 && n.args[0]->type == ValueKind::kScalar) {
    NANOTDB_ASSIGN_OR_RETURN(Val p, Eval(*n.args[0], g));
    param = std::move(p.scalar);
  }
  NANOTDB_ASSIGN_OR_RETURN(Val a, Eval(*n.args.back(), g));
  // Group series; the grouping is the same at every step.
  std::vector<std::string> without = n.grouping;
  std::unordered_map<std::string, size_t> group_of_key;
  std::vector<Labels> group_labels;
  std::vector<std::vector<size_t>> members;
  for (size_t k = 0; k < a.vec.size(); ++k) {
    const Labels& l = a.vec[k].labels;
    Labels gl;
    for (const Label& x : l) {
      bool listed = Contains(n.grouping, x.name);
      if (n.without ? (listed || x.name == kNameLabel) : !listed) continue;
      gl.push_back(x);
    }
    std::string key = LabelsKey(gl);
    auto [it, inserted] = group_of_key.emplace(key, group_labels.size());
    if (inserted) {
      group_labels.push_back(std::move(gl));
      members.emplace_back();
    }
    members[it->second].push_back(k);
  }
  Val out;
  if (op == "count_values") {
    // As Prometheus: each sample's labels get label=<value> (Go's shortest text) first, then
    // are grouped (the value label counts as a `by` label), and each group is counted.
    const std::string& label = n.args[0]->text;
    std::vector<std::string> by = n.grouping;
    if (!n.without) by.push_back(label);
    SeriesBuilder b(steps);
    std::map<std::string, std::pair<Labels, double>> counts;
    std::string text;
    for (size_t i = 0; i < steps; ++i) {
      counts.clear();
      for (const StepSeries& x : a.vec) {
        if (!x.has[i]) continue;
        text.clear();
        AppendPromValue(&text, x.v[i], false);
        Labels l = x.labels;
        SetLabel(&l, label, text);
        Labels gl;
        for (const Label& y : l) {
          bool listed = Contains(n.without ? n.grouping : by, y.name);
          if (n.without ? (listed || y.name == kNameLabel) : !listed) continue;
          gl.push_back(y);
        }
        auto& c = counts[LabelsKey(gl)];
        c.first = std::move(gl);
        c.second += 1;
      }
      for (auto& [key, c] : counts) b.Set(b.Index(c.first), i, c.second);
    }
    out.vec = b.Take();
    return out;
  }
  if (op == "topk" || op == "bottomk") {
    const bool top = op == "topk";
    std::vector<uint8_t> keep_any(a.vec.size(), 0);
    std::vector<std::vector<uint8_t>> keep(a.vec.size(), std::vector<uint8_t>(steps, 0));
    std::vector<size_t> present;
    for (double kf : param) {
      // Prometheus refuses a k that is no int64 (NaN, +-Inf, beyond 2^63) before any step.
      if (!(kf >= -9.223372036854775808e18 && kf < 9.223372036854775808e18)) {
        char buf[32];
        std::string text = std::isnan(kf) ? "NaN" : kf > 0 ? "+Inf" : "-Inf";
        if (std::isfinite(kf)) text.assign(buf, std::to_chars(buf, buf + sizeof buf, kf).ptr);
        return Status::Unsupported("Scalar value " + text + " overflows int64");
      }
    }
    for (size_t i = 0; i < steps; ++i) {
      double kf = param[i];
      if (kf < 1) continue;
      size_t k = kf > 1e9 ? static_cast<size_t>(1e9) : static_cast<size_t>(kf);
      for (const std::vector<size_t>& mem : members) {
        // Prometheus keeps the k best in a binary heap (Go's container/heap); mirroring it
        // exactly makes ties pick the same series.
        present.clear();
        auto less = [&](size_t x, size_t y) {
          double xv = a.vec[present[x]].v[i], yv = a.vec[present[y]].v[i];
          if (std::isnan(xv)) return true;
          return top ? xv < yv : xv > yv;
        };
        auto up = [&](size_t j) {
          while (j > 0) {
            size_t parent = (j - 1) / 2;
            if (!less(j, parent)) break;
            std::swap(present[parent], present[j]);
            j = parent;
          }
        };
        auto down = [&](size_t i0) {
          size_t n = present.size(), x = i0;
          while (true) {
            size_t j1 = 2 * x + 1;
            if (j1 >= n) break;
            size_t j = j1;
            if (j1 + 1 < n && less(j1 + 1, j1)) j = j1 + 1;
            if (!less(j, x)) break;
            std::swap(present[x], present[j]);
            x = j;
          }
          return x > i0;
        };
        for (size_t idx : mem) {
          if (!a.vec[idx].has[i]) continue;
          double v = a.vec[idx].v[i];
          if (present.size() < k) {
            present.push_back(idx);
            up(present.size() - 1);
            continue;
          }
          double root = a.vec[present[0]].v[i];
          bool better = top ? root < v : root > v;
          if (better || (std::isnan(root) && !std::isnan(v))) {
            present[0] = idx;
            if (k > 1 && !down(0)) up(0);
          }
        }
        for (size_t idx : present) {
          keep[idx][i] = 1;
          keep_any[idx] = 1;
        }
      }
    }
    std::vector<std::pair<double, size_t>> order;
    for (size_t k = 0; k < a.vec.size(); ++k) {
      if (!keep_any[k]) continue;
      for (size_t i = 0; i < steps; ++i) a.vec[k].has[i] = keep[k][i];
      order.emplace_back(a.vec[k].v[0], k);
    }
    if (steps == 1) {
      std::stable_sort(order.begin(), order.end(), [&](const auto& x, const auto& y) {
        if (std::isnan(y.first)) return !std::isnan(x.first);
        if (std::isnan(x.first)) return false;
        return top ? x.first > y.first : x.first < y.first;
      });
    }
    for (const auto& [v, k] : order) out.vec.push_back(std::move(a.vec[k]));
    return out;
  }
  std::vector<double> vals;
  for (size_t gi = 0; gi < members.size(); ++gi) {
    StepSeries s;
    s.labels = group_labels[gi];
    s.v.assign(steps, 0);
    s.has.assign(steps, 0);
    bool any = false;
    for (size_t i = 0; i < steps; ++i) {
      vals.clear();
      for (size_t idx : members[gi]) {
        if (a.vec[idx].has[i]) vals.push_back(a.vec[idx].v[i]);
      }
      if (vals.empty()) continue;
      double r = 0;
      if (op == "sum") {
        for (double x : vals) r += x;
      } else if (op == "avg") {
        double mean = 0, count = 0;
        for (double x : vals) {
          ++count;
          if (std::isinf(mean)) {
            if (std::isinf(x) && (mean > 0) == (x > 0)) continue;
            if (!std::isinf(x) && !std::isnan(x)) continue;
          }
          mean += x / count - mean / count;
        }
        r = mean;
      } else if (op == "count") {
        r = static_cast<double>(vals.size());
      } else if (op == "group") {
        r = 1;
      } else if (op == "min" || op == "max") {
        r = vals[0];
        for (double x : vals) {
          if ((op == "max" ? x > r : x < r) || std::isnan(r)) r = x;
        }
      } else if (op == "stddev" || op == "stdvar") {
        // Welford's update from the first value on, as Prometheus does: one value alone
        // (even NaN or Inf) has a deviation of 0.
        double count = 1, mean = vals[0], m2 = 0;
        for (size_t k = 1; k < vals.size(); ++k) {
          ++count;
          double delta = vals[k] - mean;
          mean += delta / count;
          m2 += delta * (vals[k] - mean);
        }
        r = m2 / count;
        if (op == "stddev") r = std::sqrt(r);
      } else if (op == "quantile") {
        r = Quantile(param[i], vals);
      }
      s.v[i] = r;
      s.has[i] = 1;
      any = true;
    }
    if (any) out.vec.push_back(std::move(s));
  }
  return out;
}

Result<Evaluator::Val> Evaluator::EvalBinary(const Node& n, const Grid& g) {
  const size_t steps = g.t.size();
  NANOTDB_ASSIGN_OR_RETURN(Val l, Eval(*n.args[0], g));
  NANOTDB_ASSIGN_OR_RETURN(Val r, Eval(*n.args[1], g));
  const BinaryOp op = n.op;
  const bool cmp = IsComparison(op);
  Val out;
  if (l.kind == ValueKind::kScalar && r.kind == ValueKind::kScalar) {
    out.kind = ValueKind::kScalar;
    out.scalar.resize(steps);
    for (size_t i = 0; i < steps; ++i) out.scalar[i] = Arith(op, l.scalar[i], r.scalar[i]);
    return out;
  }
  // As Prometheus: arithmetic drops the metric name, comparisons without bool and atan2 keep
  // it.
  const bool drop_name = (!cmp && op != BinaryOp::kAtan2) || n.return_bool;
  if (l.kind == ValueKind::kScalar || r.kind == ValueKind::kScalar) {
    const bool scalar_left = l.kind == ValueKind::kScalar;
    Val& vec = scalar_left ? r : l;
    const std::vector<double>& sc = scalar_left ? l.scalar : r.scalar;
    for (StepSeries& s : vec.vec) {
      if (drop_name) {
        DropName(&s.labels);
        s.float32 = false;
      }
      bool any = false;
      for (size_t i = 0; i < steps; ++i) {
        if (!s.has[i]) continue;
        double lv = scalar_left ? sc[i] : s.v[i];
        double rv = scalar_left ? s.v[i] : sc[i];
        double v = Arith(op, lv, rv);
        if (cmp && !n.return_bool) {
          if (v == 0) s.has[i] = 0;  // value stays the vector's sample
        } else {
          s.v[i] = v;
        }
        any = any || s.has[i];
      }
      if (any) out.vec.push_back(std::move(s));
    }
    return out;
  }
  // Vector to vector.
  auto sig = [&](const Labels& labels) {
    return Signature(labels, n.match_labels, n.on, /*drop_name=*/true);
  };
  if (IsSetOperator(op)) {
    std::unordered_map<std::string, std::vector<uint8_t>> rhs_at;
    for (const StepSeries& s : r.vec) {
      auto& at = rhs_at[sig(s.labels)];
      at.resize(steps, 0);
      for (size_t i = 0; i < steps; ++i) at[i] |= s.has[i];
    }
    if (op == BinaryOp::kAnd || op == BinaryOp::kUnless) {
      for (StepSeries& s : l.vec) {
        auto it = rhs_at.find(sig(s.labels));
        bool any = false;
        for (size_t i = 0; i < steps; ++i) {
          bool matched = it != rhs_at.end() && it->second[i];
          if (op == BinaryOp::kAnd ? !matched : matched) s.has[i] = 0;
          any = any || s.has[i];
        }
        if (any) out.vec.push_back(std::move(s));
      }
      return out;
    }
    std::unordered_map<std::string, std::vector<uint8_t>> lhs_at;
    for (const StepSeries& s : l.vec) {
      auto& at = lhs_at[sig(s.labels)];
      at.resize(steps, 0);
      for (size_t i = 0; i < steps; ++i) at[i] |= s.has[i];
    }
    for (StepSeries& s : l.vec) out.vec.push_back(std::move(s));
    for (StepSeries& s : r.vec) {
      auto it = lhs_at.find(sig(s.labels));
      bool any = false;
      for (size_t i = 0; i < steps; ++i) {
        if (it != lhs_at.end() && it->second[i]) s.has[i] = 0;
        any = any || s.has[i];
      }
      if (any) out.vec.push_back(std::move(s));
    }
    return out;
  }
  // Arithmetic and comparison: the "one" side must be unique per signature and step.
  const bool swap = n.card == Node::Card::kOneToMany;
  std::vector<StepSeries>& many = swap ? r.vec : l.vec;
  std::vector<StepSeries>& one = swap ? l.vec : r.vec;
  std::unordered_map<std::string, std::vector<size_t>> one_by_sig;
  for (size_t k = 0; k < one.size(); ++k) one_by_sig[sig(one[k].labels)].push_back(k);
  std::unordered_map<std::string, std::vector<int64_t>> one_at;  // sig -> per step index or -1
  for (auto& [key, idxs] : one_by_sig) {
    std::vector<int64_t> at(steps, -1);
    for (size_t i = 0; i < steps; ++i) {
      for (size_t k : idxs) {
        if (!one[k].has[i]) continue;
        if (at[i] >= 0) {
          return Status::Unsupported(
              "found duplicate series for the match group " + LabelsText(one[k].labels) +
              " on the " + (swap ? "left" : "right") + " hand-side of the operation: [" +
              LabelsText(one[k].labels) + ", " + LabelsText(one[at[i]].labels) +
              "];many-to-many matching not allowed: matching labels must be unique on one side");
        }
        at[i] = static_cast<int64_t>(k);
      }
    }
    one_at.emplace(key, std::move(at));
  }
  SeriesBuilder b(steps);
  std::map<std::pair<size_t, size_t>, size_t> out_index;
  std::unordered_map<std::string, std::vector<uint8_t>> many_seen;  // one-to-one uniqueness
  for (size_t mi = 0; mi < many.size(); ++mi) {
    const StepSeries& m = many[mi];
    std::string key = sig(m.labels);
    auto it = one_at.find(key);
    if (it == one_at.end()) continue;
    std::vector<uint8_t>* seen = nullptr;
    if (n.card == Node::Card::kOneToOne) {
      seen = &many_seen[key];
      seen->resize(steps, 0);
    }
    for (size_t i = 0; i < steps; ++i) {
      if (!m.has[i] || it->second[i] < 0) continue;
      size_t oi = static_cast<size_t>(it->second[i]);
      if (seen != nullptr) {
        if ((*seen)[i]) {
          return Status::Unsupported(
              "multiple matches for labels: many-to-one matching must be explicit "
              "(group_left/group_right)");
        }
        (*seen)[i] = 1;
      }
      const StepSeries& o = one[oi];
      double lv = swap ? o.v[i] : m.v[i];
      double rv = swap ? m.v[i] : o.v[i];
      double v = Arith(op, lv, rv);
      if (cmp && !n.return_bool) {
        if (v == 0) continue;
        v = lv;
      }
      auto [pos, inserted] = out_index.emplace(std::make_pair(mi, oi), 0);
      if (inserted) {
        Labels labels = m.labels;
        if (drop_name) DropName(&labels);
        if (n.card == Node::Card::kOneToOne) {
          if (n.on) {
            std::erase_if(labels,
                          [&](const Label& x) { return !Contains(n.match_labels, x.name); });
          } else {
            std::erase_if(labels, [&](const Label& x) { return Contains(n.match_labels, x.name); });
          }
        }
        for (const std::string& inc : n.include) SetLabel(&labels, inc, LabelValue(o.labels, inc));
        pos->second = b.Index(std::move(labels));
        // A comparison keeps the left sample's value, and so its formatting.
        if (cmp && !n.return_bool && !swap) b.MarkFloat32(pos->second, m.float32);
      }
      if (!b.Set(pos->second, i, v)) {
        return Status::Unsupported(
            "multiple matches for labels: grouping labels must ensure unique matches");
      }
    }
  }
  out.vec = b.Take();
  return out;
}

}  // namespace nanotdb::queryvm::promql
