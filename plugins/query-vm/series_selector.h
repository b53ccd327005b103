// What the `match[]` parameter of the discovery endpoints may say: a series selector in
// Prometheus syntax, `name{label op "value", ...}`. (`query` is full PromQL: promql_parser.h;
// the LabelMatcher type is shared with it.) The series a selector picks follow the PromQL
// rules of promql_series.h: __name__ is the metric (or "<db>/<metric>" when the value holds a
// '/'), db is the database, and the series' own labels; so `demo/room.temp`,
// `{__name__=~"demo/room\\..*"}`, `node_cpu_seconds_total{mode="idle"}` and `{db="demo"}` are
// all selectors. PromQL functions, operators on series, range vectors and offsets are not
// supported; parsing them fails with a message naming the construct.
// All types are plain values; functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"

namespace re2 {
class RE2;
}

namespace nanotdb::queryvm {

inline constexpr std::string_view kNameLabel = "__name__";
inline constexpr std::string_view kDbLabel = "db";

struct LabelMatcher {
  enum class Op { kEqual, kNotEqual, kRegex, kNotRegex };
  std::string label;
  Op op = Op::kEqual;
  std::string value;
  std::shared_ptr<const re2::RE2> regex;  // set for kRegex and kNotRegex; matched in full

  // A label the series lacks has the value "" (Prometheus semantics).
  bool Matches(std::string_view label_value) const;
};

// A parsed selector: the matchers of `name{...}` with the name turned into a __name__ matcher
// (selection rules: promql_series.h).
struct SeriesSelector {
  std::vector<LabelMatcher> matchers;
};

// What one selector may cost (compiling 10,000 regexes took 35 s and 5 GB): more matchers, more
// regex matchers or a longer regex fail to parse. Each regex is compiled with at most
// kRegexMaxMem bytes of RE2 program memory (a too complex one fails to compile).
inline constexpr size_t kMaxMatchers = 64;
inline constexpr size_t kMaxRegexMatchers = 16;
inline constexpr size_t kMaxRegexBytes = 4096;
inline constexpr int64_t kRegexMaxMem = 1 << 20;
// match[] parameters of one request: together at most 32 * 16 regexes.
inline constexpr size_t kMaxSelectorsPerRequest = 32;

// Parses a selector. InvalidArgument names the offending text: a bad regex, an unterminated
// string, a limit above, or an unsupported PromQL construct ("function \"rate\" is not supported
// ...").
Result<SeriesSelector> ParseSeriesSelector(std::string_view text);

}  // namespace nanotdb::queryvm
