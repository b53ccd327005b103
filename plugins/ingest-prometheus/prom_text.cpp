#include "prom_text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>

namespace nanotdb::prom {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
bool IsLabelStart(char c) { return IsNameStart(c) && c != ':'; }
bool IsLabelChar(char c) { return IsNameChar(c) && c != ':'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// At most 64 bytes of `s` for an error message.
std::string Shown(std::string_view s) {
  if (s.size() <= 64) return std::string(s);
  return std::string(s.substr(0, 61)) + "...";
}

// A cursor over one line.
struct Cursor {
  std::string_view s;
  size_t pos = 0;
  bool done() const { return pos >= s.size(); }
  char peek() const { return s[pos]; }
  void SkipBlanks() {
    while (pos < s.size() && IsBlank(s[pos])) ++pos;
  }
  std::string_view Token() {  // up to the next blank
    size_t start = pos;
    while (pos < s.size() && !IsBlank(s[pos])) ++pos;
    return s.substr(start, pos - start);
  }
};

// A quoted string at c.pos (which holds '"'); unescapes \\, \" and \n.
Status ReadQuoted(Cursor& c, std::string_view what, std::string* out) {
  out->clear();
  ++c.pos;  // the opening quote
  while (!c.done()) {
    char ch = c.s[c.pos++];
    if (ch == '"') return Status::Ok();
    if (ch != '\\') {
      out->push_back(ch);
      continue;
    }
    if (c.done()) break;
    char esc = c.s[c.pos++];
    switch (esc) {
      case '\\':
        out->push_back('\\');
        break;
      case '"':
        out->push_back('"');
        break;
      case 'n':
        out->push_back('\n');
        break;
      default:
        return Status::InvalidArgument("invalid escape sequence \"\\" + std::string(1, esc) +
                                       "\" in " + std::string(what) +
                                       " (only \\\\, \\\" and \\n are allowed)");
    }
  }
  return Status::InvalidArgument("unterminated " + std::string(what) + ": missing closing '\"'");
}

Status ReadLabels(Cursor& c, TextSample* out) {
  ++c.pos;  // '{'
  bool first = true;
  std::string text;
  for (;;) {
    c.SkipBlanks();
    if (c.done()) return Status::InvalidArgument("unterminated label set: missing '}'");
    if (c.peek() == '}') {
      ++c.pos;
      break;
    }
    if (first && c.peek() == '"') {
      // `{"name", ...}` (quoted metric name) or `{"label"="v"}` (quoted label name).
      NANOTDB_RETURN_IF_ERROR(ReadQuoted(c, "quoted name", &text));
      c.SkipBlanks();
      if (!c.done() && (c.peek() == ',' || c.peek() == '}')) {
        if (!out->metric.empty()) {
          return Status::InvalidArgument("metric name given twice: \"" + Shown(out->metric) +
                                         "\" before the braces and \"" + Shown(text) + "\" inside");
        }
        out->metric = text;
        first = false;
        if (c.peek() == ',') ++c.pos;
        continue;
      }
    } else if (c.peek() == '"') {
      NANOTDB_RETURN_IF_ERROR(ReadQuoted(c, "quoted label name", &text));
    } else {
      size_t start = c.pos;
      while (!c.done() && IsLabelChar(c.peek())) ++c.pos;
      text.assign(c.s.substr(start, c.pos - start));
      if (text.empty() || !IsLabelStart(text[0])) {
        return Status::InvalidArgument("invalid label name at column " + std::to_string(start + 1) +
                                       ": expected [a-zA-Z_][a-zA-Z0-9_]*, got \"" +
                                       Shown(c.s.substr(start, 16)) + "\"");
      }
    }
    first = false;
    c.SkipBlanks();
    if (c.done() || c.peek() != '=') {
      return Status::InvalidArgument("label \"" + Shown(text) + "\": expected '=' after the name");
    }
    ++c.pos;
    c.SkipBlanks();
    if (c.done() || c.peek() != '"') {
      return Status::InvalidArgument("label \"" + Shown(text) +
                                     "\": expected a quoted value after '='");
    }
    Label label;
    label.name = std::move(text);
    NANOTDB_RETURN_IF_ERROR(
        ReadQuoted(c, "value of label \"" + Shown(label.name) + "\"", &label.value));
    for (const Label& l : out->labels) {
      if (l.name == label.name) {
        return Status::InvalidArgument("label \"" + Shown(label.name) + "\" given twice");
      }
    }
    out->labels.push_back(std::move(label));
    text.clear();
    c.SkipBlanks();
    if (c.done()) return Status::InvalidArgument("unterminated label set: missing '}'");
    if (c.peek() == ',') {
      ++c.pos;
    } else if (c.peek() != '}') {
      return Status::InvalidArgument("expected ',' or '}' after label \"" +
                                     Shown(out->labels.back().name) + "\", got '" +
                                     std::string(1, c.peek()) + "'");
    }
  }
  return Status::Ok();
}

constexpr int64_t kNanosPerMilli = 1'000'000;

// Prometheus text: integer milliseconds.
Status ParseMillis(std::string_view token, Timestamp* out) {
  int64_t ms = 0;
  const char* begin = token.data();
  const char* end = token.data() + token.size();
  if (begin != end && *begin == '+') ++begin;
  auto res = std::from_chars(begin, end, ms);
  if (res.ec != std::errc() || res.ptr != end || begin == end) {
    return Status::InvalidArgument("invalid timestamp \"" + Shown(token) +
                                   "\" (expected integer milliseconds since 1970)");
  }
  if (ms > std::numeric_limits<int64_t>::max() / kNanosPerMilli ||
      ms < std::numeric_limits<int64_t>::min() / kNanosPerMilli) {
    return Status::InvalidArgument("timestamp \"" + Shown(token) +
                                   "\" out of range (milliseconds between years 1677 and 2262)");
  }
  *out = ms * kNanosPerMilli;
  return Status::Ok();
}

// OpenMetrics: seconds with an optional fraction, read exactly to the nanosecond when written
// as plain decimals; other float forms (exponents) go through double.
Status ParseSeconds(std::string_view token, Timestamp* out) {
  const Status bad =
      Status::InvalidArgument("invalid timestamp \"" + Shown(token) +
                              "\" (expected seconds since 1970, such as 1700000000.5)");
  const Status range = Status::InvalidArgument(
      "timestamp \"" + Shown(token) + "\" out of range (seconds between years 1677 and 2262)");
  std::string_view t = token;
  bool negative = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  size_t dot = t.find('.');
  std::string_view whole = t.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : t.substr(dot + 1);
  auto digits = [](std::string_view d) {
    return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!whole.empty() && digits(whole) && digits(frac)) {
    int64_t secs = 0;
    auto res = std::from_chars(whole.data(), whole.data() + whole.size(), secs);
    if (res.ec != std::errc() || secs > std::numeric_limits<int64_t>::max() / kNanosPerSecond - 1) {
      return range;
    }
    int64_t nanos = 0;
    for (size_t i = 0; i < 9; ++i) nanos = nanos * 10 + (i < frac.size() ? frac[i] - '0' : 0);
    int64_t v = secs * kNanosPerSecond + nanos;
    *out = negative ? -v : v;
    return Status::Ok();
  }
  double d = 0;
  if (!ParseGoFloat(token, &d) || !std::isfinite(d)) return bad;
  double ns = std::round(d * 1e9);
  if (ns >= 9.2e18 || ns <= -9.2e18) return range;
  *out = static_cast<Timestamp>(ns);
  return Status::Ok();
}

// "# HELP name text" text: \\ and \n are escapes (OpenMetrics adds \"); anything else stays.
std::string UnescapeHelp(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char n = s[i + 1];
      if (n == '\\' || n == '"') {
        out.push_back(n);
        ++i;
        continue;
      }
      if (n == 'n') {
        out.push_back('\n');
        ++i;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool IsMetricName(std::string_view s) {
  return !s.empty() && IsNameStart(s[0]) && std::all_of(s.begin(), s.end(), IsNameChar);
}

// Families by name while parsing one body; `order` keeps first-seen order.
struct FamilyTable {
  std::map<std::string, size_t, std::less<>> index;
  std::vector<FamilyMetadata> order;
  FamilyMetadata& Get(std::string_view name) {
    auto it = index.find(name);
    if (it != index.end()) return order[it->second];
    index.emplace(std::string(name), order.size());
    order.push_back(FamilyMetadata{std::string(name), MetricType::kUnknown, "", ""});
    return order.back();
  }
};

// A "# ..." line. Returns OK for comments; sets *eof for "# EOF".
Status ParseCommentLine(std::string_view line, FamilyTable* families, bool* eof) {
  Cursor c{line, 1};
  c.SkipBlanks();
  std::string_view keyword = c.Token();
  if (keyword == "EOF") {
    c.SkipBlanks();
    if (c.done()) *eof = true;
    return Status::Ok();
  }
  if (keyword != "HELP" && keyword != "TYPE" && keyword != "UNIT") return Status::Ok();
  c.SkipBlanks();
  std::string_view name = c.Token();
  if (!IsMetricName(name)) {
    return Status::InvalidArgument(std::string(keyword) + " line: invalid metric name \"" +
                                   Shown(name) + "\" (expected [a-zA-Z_:][a-zA-Z0-9_:]*)");
  }
  // The text is the rest of the line after one separator.
  if (!c.done()) ++c.pos;
  std::string_view rest = c.s.substr(std::min(c.pos, c.s.size()));
  if (keyword == "HELP") {
    families->Get(name).help = UnescapeHelp(rest);
    return Status::Ok();
  }
  while (!rest.empty() && IsBlank(rest.back())) rest.remove_suffix(1);
  while (!rest.empty() && IsBlank(rest.front())) rest.remove_prefix(1);
  if (keyword == "UNIT") {
    families->Get(name).unit = std::string(rest);
    return Status::Ok();
  }
  MetricType type;
  if (!ParseMetricType(rest, &type)) {
    return Status::InvalidArgument("TYPE line: unknown type \"" + Shown(rest) + "\" for \"" +
                                   Shown(name) +
                                   "\" (expected counter, gauge, histogram, summary, untyped, "
                                   "gaugehistogram, info, stateset or unknown)");
  }
  families->Get(name).type = type;
  return Status::Ok();
}

}  // namespace

TextFormat FormatFromContentType(std::string_view content_type) {
  constexpr std::string_view kOpenMetrics = "application/openmetrics-text";
  std::string_view head = content_type.substr(0, content_type.find(';'));
  while (!head.empty() && IsBlank(head.back())) head.remove_suffix(1);
  while (!head.empty() && IsBlank(head.front())) head.remove_prefix(1);
  return EqualsIgnoreCase(head, kOpenMetrics) ? TextFormat::kOpenMetrics : TextFormat::kPrometheus;
}

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kGaugeHistogram:
      return "gaugehistogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kInfo:
      return "info";
    case MetricType::kStateSet:
      return "stateset";
    case MetricType::kUnknown:
      break;
  }
  return "unknown";
}

bool ParseMetricType(std::string_view name, MetricType* out) {
  static constexpr std::pair<std::string_view, MetricType> kTypes[] = {
      {"counter", MetricType::kCounter},     {"gauge", MetricType::kGauge},
      {"histogram", MetricType::kHistogram}, {"gaugehistogram", MetricType::kGaugeHistogram},
      {"summary", MetricType::kSummary},     {"info", MetricType::kInfo},
      {"stateset", MetricType::kStateSet},   {"unknown", MetricType::kUnknown},
      {"untyped", MetricType::kUnknown},
  };
  for (const auto& [text, type] : kTypes) {
    if (name == text) {
      *out = type;
      return true;
    }
  }
  return false;
}

bool ParseGoFloat(std::string_view text, double* out) {
  std::string_view t = text;
  bool negative = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  if (t.empty()) return false;
  double v = 0;
  if (EqualsIgnoreCase(t, "inf") || EqualsIgnoreCase(t, "infinity")) {
    v = std::numeric_limits<double>::infinity();
  } else if (EqualsIgnoreCase(t, "nan")) {
    v = std::numeric_limits<double>::quiet_NaN();
  } else if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    t.remove_prefix(2);
    auto res = std::from_chars(t.data(), t.data() + t.size(), v, std::chars_format::hex);
    // Go requires the binary exponent ('p') in a hexadecimal float.
    if (res.ec != std::errc() || res.ptr != t.data() + t.size() ||
        t.find_first_of("pP") == std::string_view::npos) {
      return false;
    }
  } else {
    // from_chars would also take "inf"/"nan" spellings like "infin" or "nan(1)"; Go does not.
    if (!(std::isdigit(static_cast<unsigned char>(t[0])) || t[0] == '.')) return false;
    auto res = std::from_chars(t.data(), t.data() + t.size(), v, std::chars_format::general);
    if (res.ptr != t.data() + t.size()) return false;
    // Out of range: Go returns ±Inf for overflow and 0 for underflow along with an error, and
    // Prometheus rejects the line; do the same.
    if (res.ec != std::errc()) return false;
  }
  *out = negative ? -v : v;
  return true;
}

Status ParseSampleLine(std::string_view line, TextFormat format, TextSample* out) {
  out->metric.clear();
  out->labels.clear();
  out->ts.reset();
  Cursor c{line, 0};
  c.SkipBlanks();
  size_t start = c.pos;
  while (!c.done() && IsNameChar(c.peek())) ++c.pos;
  out->metric.assign(line.substr(start, c.pos - start));
  if (!out->metric.empty() && !IsNameStart(out->metric[0])) {
    return Status::InvalidArgument("invalid metric name \"" + Shown(out->metric) +
                                   "\": it must start with a letter, '_' or ':'");
  }
  if (out->metric.empty() && (c.done() || c.peek() != '{')) {
    return Status::InvalidArgument("expected a metric name at column " + std::to_string(start + 1) +
                                   ", got \"" + Shown(line.substr(start, 16)) + "\"");
  }
  size_t after_name = c.pos;
  c.SkipBlanks();
  if (!c.done() && c.peek() == '{') {
    NANOTDB_RETURN_IF_ERROR(ReadLabels(c, out));
    if (out->metric.empty()) {
      return Status::InvalidArgument("no metric name: give it before '{' or quoted inside");
    }
  } else {
    c.pos = after_name;
  }
  if (c.done() || !IsBlank(c.peek())) {
    if (c.done()) {
      return Status::InvalidArgument("metric \"" + Shown(out->metric) + "\" has no value");
    }
    return Status::InvalidArgument("unexpected character '" + std::string(1, c.peek()) +
                                   "' after metric \"" + Shown(out->metric) + "\" at column " +
                                   std::to_string(c.pos + 1));
  }
  c.SkipBlanks();
  std::string_view value = c.Token();
  if (value.empty()) {
    return Status::InvalidArgument("metric \"" + Shown(out->metric) + "\" has no value");
  }
  if (!ParseGoFloat(value, &out->value)) {
    return Status::InvalidArgument("invalid value \"" + Shown(value) +
                                   "\" (expected a number such as 1.5, 2e-3, +Inf or NaN)");
  }
  c.SkipBlanks();
  if (c.done()) return Status::Ok();
  if (c.peek() != '#') {
    std::string_view token = c.Token();
    Timestamp ts = 0;
    NANOTDB_RETURN_IF_ERROR(format == TextFormat::kOpenMetrics ? ParseSeconds(token, &ts)
                                                               : ParseMillis(token, &ts));
    out->ts = ts;
    c.SkipBlanks();
    if (c.done()) return Status::Ok();
  }
  // What follows must be an exemplar, which is ignored: " # {labels} value [timestamp]".
  if (c.peek() != '#') {
    return Status::InvalidArgument("unexpected text \"" + Shown(c.s.substr(c.pos)) +
                                   "\" after the timestamp");
  }
  ++c.pos;
  c.SkipBlanks();
  if (c.done() || c.peek() != '{') {
    return Status::InvalidArgument(
        "expected an exemplar (\"# {label=\\\"value\\\"} 1.0\") after '#', got \"" +
        Shown(c.s.substr(c.pos)) + "\"");
  }
  return Status::Ok();
}

TextParseSummary ParseText(std::string_view body, TextFormat format,
                           const std::function<void(size_t line, TextSample&& sample)>& on_sample,
                           size_t max_errors) {
  TextParseSummary summary;
  FamilyTable families;
  auto fail = [&](size_t line_no, std::string message) {
    ++summary.errors;
    if (summary.first_errors.size() < max_errors) {
      summary.first_errors.push_back({line_no, std::move(message)});
    }
  };
  TextSample sample;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    size_t end = nl == std::string_view::npos ? body.size() : nl;
    std::string_view line = body.substr(pos, end - pos);
    pos = nl == std::string_view::npos ? body.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t line_no = ++summary.lines;
    size_t first = 0;
    while (first < line.size() && IsBlank(line[first])) ++first;
    if (first == line.size()) continue;
    if (line[first] == '#') {
      Status st = ParseCommentLine(line.substr(first), &families, &summary.eof);
      if (!st.ok()) fail(line_no, st.message());
      if (summary.eof) break;
      continue;
    }
    Status st = ParseSampleLine(line, format, &sample);
    if (!st.ok()) {
      fail(line_no, st.message());
      continue;
    }
    ++summary.samples;
    on_sample(line_no, std::move(sample));
  }
  if (summary.eof) {
    // Anything but blank lines after "# EOF" is an error; it is not parsed.
    std::string_view rest = body.substr(pos);
    size_t line_no = summary.lines;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      ++line_no;
      if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
        fail(line_no, "text after \"# EOF\" is ignored (# EOF ends an OpenMetrics exposition)");
        break;
      }
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
  }
  summary.metadata = std::move(families.order);
  return summary;
}

}  // namespace nanotdb::prom
