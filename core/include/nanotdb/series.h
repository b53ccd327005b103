// Series identity: a series is a database + a metric name + optional labels.
//
// Inside a database a series is named by one canonical text, its *series key*:
//
//   metric                              no labels
//   metric{a="x",b="y \"q\" \\ \n"}     labels sorted by name, values quoted and escaped
//
// The key is what the catalog stores, what nanocli prints and reads back and what ingest
// formats write through the WriterService (PointRef::metric). docs/concepts.md documents it.
//
// Rules:
// - metric names: 1..255 bytes, no '/', '{', '}', whitespace or control characters
//   (ValidateMetricName);
// - label names: [A-Za-z_][A-Za-z0-9_]*, at most 128 bytes, unique within a series; names
//   starting with "__" are reserved, and so is "db", which answers use for the database
//   (ingest formats rename a client's "db" label to "exported_db", as Prometheus does);
// - label values: any UTF-8 text up to 1024 bytes; inside quotes '\' is written "\\", '"' is
//   written "\"" and a newline "\n"; an empty value means "no such label" and is dropped;
// - at most 64 labels; the whole key at most 4096 bytes.
//
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"

namespace nanotdb {

struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
  auto operator<=>(const Label&) const = default;
};
using Labels = std::vector<Label>;  // sorted by name, names unique

inline constexpr std::string_view kMetricNameLabel = "__name__";
inline constexpr std::string_view kDatabaseLabel = "db";
inline constexpr std::string_view kExportedDatabaseLabel = "exported_db";
inline constexpr size_t kMaxLabelNameBytes = 128;
inline constexpr size_t kMaxLabelValueBytes = 1024;
inline constexpr size_t kMaxLabelsPerSeries = 64;
inline constexpr size_t kMaxSeriesKeyBytes = 4096;

struct SeriesName {
  std::string metric;
  Labels labels;  // sorted by name
  bool operator==(const SeriesName&) const = default;
};

// Checks one label name against the rules above (reserved names included).
Status ValidateLabelName(std::string_view name);

// Sorts `labels`, drops empty values and validates them. InvalidArgument names the label for
// a bad or reserved name, a duplicate name, an over-long value or too many labels.
Status NormalizeLabels(Labels* labels);

// The canonical key of metric + labels (labels normalised first). InvalidArgument when the
// metric name or a label breaks the rules, or the key would exceed kMaxSeriesKeyBytes.
Result<std::string> MakeSeriesKey(std::string_view metric, Labels labels);

// Appends the canonical key of an already-normalised, valid series to *out (no checks; for hot
// paths that validated once).
void AppendSeriesKey(std::string_view metric, const Labels& sorted_labels, std::string* out);

// Parses a series key. Accepts the canonical form and also unsorted labels, spaces after
// ',' and '{', a trailing ',' and single-quoted values; the result is normalised, so
// MakeSeriesKey(result) gives the canonical key. InvalidArgument names the offset and problem.
Result<SeriesName> ParseSeriesKey(std::string_view key);

// True when `key` is exactly canonical (what the catalog accepts).
bool IsCanonicalSeriesKey(std::string_view key);

// Checks a series key as the write path stores it: a bare metric name (ValidateMetricName,
// no '{' or '}') or the canonical key of a metric with labels, whose label values may hold
// any text ('/', blanks, UTF-8). InvalidArgument names the problem.
Status ValidateSeriesKey(std::string_view key);

// The metric name part of a key ("cpu" of "cpu{core=\"0\"}"), without parsing the labels.
std::string_view SeriesMetricName(std::string_view key);

// Appends `value` escaped for use inside double quotes.
void AppendEscapedLabelValue(std::string_view value, std::string* out);

}  // namespace nanotdb
