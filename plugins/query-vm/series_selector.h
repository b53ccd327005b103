// What the `match[]` parameter of the discovery endpoints may say: a series selector, parsed
// by the PromQL parser (promql_parser.h) so it accepts exactly the selector forms a query
// does: `up{job="node"}`, `room.temp{db="demo"}`, the `demo/room.temp` shorthand, the quoted
// `{"demo/room.temp"}`, `{__name__=~"room\\..*"}`, `{db="demo"}`. The series a selector picks
// follow the rules of promql_series.h (__name__ is the metric, db the database). Anything
// else PromQL can say (functions, operators, range vectors, offset, @) is refused with a
// message naming what was found. LabelMatcher, shared with the PromQL parser, lives here.
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
// (and `db/name` into db and __name__ matchers; selection rules: promql_series.h).
struct SeriesSelector {
  std::vector<LabelMatcher> matchers;
};

// What one selector may cost (compiling 10,000 regexes took 35 s and 5 GB): more matchers, more
// regex matchers or a longer regex fail to parse. Each regex (of match[] and of PromQL
// queries) is compiled with at most kRegexMaxMem bytes of RE2 program memory (a too complex
// one fails to compile).
inline constexpr size_t kMaxMatchers = 64;
inline constexpr size_t kMaxRegexMatchers = 16;
inline constexpr size_t kMaxRegexBytes = 4096;
inline constexpr int64_t kRegexMaxMem = 1 << 20;
// match[] parameters of one request: together at most 32 * 16 regexes.
inline constexpr size_t kMaxSelectorsPerRequest = 32;

// Parses a selector. InvalidArgument is the PromQL parser's "1:5: parse error: ..." for bad
// text (a bad regex, an unterminated string, too many matchers), names the limit for the
// regex limits above, and names the construct for PromQL that is no selector ("match[] must
// be a series selector, got a call to function \"rate\" ...").
Result<SeriesSelector> ParseSeriesSelector(std::string_view text);

}  // namespace nanotdb::queryvm
