// The Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text, parsed into samples
// (metric name, labels, float64 value, optional timestamp) and family metadata (TYPE, HELP,
// UNIT). Both formats share one parser; they differ in two places:
//
//   format        timestamp                      end
//   kPrometheus   integer milliseconds           end of body
//   kOpenMetrics  seconds, fraction allowed      "# EOF" (required by the spec, optional here)
//
// A sample line is `name[{label="value",...}] value [timestamp] [# exemplar]`:
// - names are [a-zA-Z_:][a-zA-Z0-9_:]*, or a quoted UTF-8 name as the first item inside the
//   braces (`{"my.metric",a="b"}`, the Prometheus 3 form);
// - label values are quoted; `\\`, `\"` and `\n` are the only escapes; a trailing ',' is
//   allowed; a label repeated on one line is an error;
// - values are Go float syntax: `1`, `-2.5e-3`, `0x1p-2`, `+Inf`, `-Inf`, `NaN` (any case);
// - exemplars (` # {trace_id="x"} 1 [ts]`) are skipped;
// - histograms and summaries are their plain `_bucket{le=...}`, `_sum`, `_count`,
//   `{quantile=...}` (and OpenMetrics `_created`, `_gcount`, `_gsum`) lines: nothing special.
// Lines starting with '#' other than `# HELP`, `# TYPE`, `# UNIT` and `# EOF` are comments;
// blank lines are skipped; "\r\n" line ends are accepted.
//
// Errors are per line: a bad line is reported with its number and parsing goes on. All
// functions are pure and thread-safe and never throw. docs/prometheus.md documents the rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/series.h"
#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb::prom {

enum class TextFormat { kPrometheus, kOpenMetrics };

// kOpenMetrics for a Content-Type of application/openmetrics-text (any parameters, any case),
// kPrometheus for anything else (text/plain; version=0.0.4, empty, unknown).
TextFormat FormatFromContentType(std::string_view content_type);

// Metric family types of both formats. `untyped` (Prometheus) reads as kUnknown.
enum class MetricType : uint8_t {
  kUnknown,
  kCounter,
  kGauge,
  kHistogram,
  kGaugeHistogram,
  kSummary,
  kInfo,
  kStateSet,
};

// The name /api/v1/metadata uses: "counter", "gauge", "histogram", "gaugehistogram",
// "summary", "info", "stateset", "unknown".
std::string_view MetricTypeName(MetricType type);
// Accepts the names above and "untyped"; false for anything else.
bool ParseMetricType(std::string_view name, MetricType* out);

// What `# TYPE`, `# HELP` and `# UNIT` lines said about one metric family.
struct FamilyMetadata {
  std::string name;
  MetricType type = MetricType::kUnknown;
  std::string help;  // unescaped
  std::string unit;
  bool operator==(const FamilyMetadata&) const = default;
};

struct TextSample {
  std::string metric;
  Labels labels;  // in line order, values unescaped, not normalised
  double value = 0;
  std::optional<Timestamp> ts;  // Unix ns; nullopt when the line has none
};

struct TextError {
  size_t line;  // 1-based
  std::string message;
};

struct TextParseSummary {
  size_t lines = 0;                      // physical lines read (up to and including "# EOF")
  size_t samples = 0;                    // lines handed to on_sample
  size_t errors = 0;                     // every rejected line, also those beyond max_errors
  std::vector<TextError> first_errors;   // the first max_errors, in line order
  std::vector<FamilyMetadata> metadata;  // one per family with TYPE/HELP/UNIT, in first-seen order
  bool eof = false;                      // "# EOF" was seen
};

// Parses one sample line (no line terminator). Errors are InvalidArgument naming the token
// and the position, e.g. `invalid value "1,5" (expected a number such as 1.5, +Inf or NaN)`.
Status ParseSampleLine(std::string_view line, TextFormat format, TextSample* out);

// Parses a whole body and calls on_sample for every good sample line with its line number.
// Text after "# EOF" is not parsed; a non-blank line there is reported as one error.
TextParseSummary ParseText(std::string_view body, TextFormat format,
                           const std::function<void(size_t line, TextSample&& sample)>& on_sample,
                           size_t max_errors = 20);

// Parses a float the way Prometheus does (Go's strconv.ParseFloat): decimal and exponent
// forms, hexadecimal floats, Inf/Infinity/NaN in any case, an optional sign.
bool ParseGoFloat(std::string_view text, double* out);

}  // namespace nanotdb::prom
