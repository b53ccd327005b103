// Aggregate and wildcard names (nanotdb/query_types.h): part of the SDK, so plugins that parse
// query parameters need no query engine.
#include <algorithm>
#include <string>

#include "nanotdb/query_types.h"

namespace nanotdb {
namespace {

struct AggregateNameEntry {
  const char* name;
  Aggregate agg;
};
constexpr AggregateNameEntry kAggregateNames[] = {
    {"avg", Aggregate::kAvg},   {"count", Aggregate::kCount}, {"first", Aggregate::kFirst},
    {"last", Aggregate::kLast}, {"max", Aggregate::kMax},     {"min", Aggregate::kMin},
    {"sum", Aggregate::kSum},
};

std::string SupportedList() {
  std::string out;
  for (const auto& e : kAggregateNames) {
    if (!out.empty()) out += ',';
    out += e.name;
  }
  return out;
}

}  // namespace

const char* AggregateName(Aggregate a) {
  for (const auto& e : kAggregateNames) {
    if (e.agg == a) return e.name;
  }
  return "?";
}

std::vector<std::string> SupportedAggregateNames() {
  std::vector<std::string> out;
  for (const auto& e : kAggregateNames) out.emplace_back(e.name);
  return out;
}

Status ParseAggregateList(std::string_view csv, std::vector<Aggregate>* out) {
  out->clear();
  size_t pos = 0;
  while (pos <= csv.size()) {
    size_t comma = csv.find(',', pos);
    if (comma == std::string_view::npos) comma = csv.size();
    std::string_view item = csv.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    pos = comma + 1;
    if (item.empty()) continue;
    const AggregateNameEntry* found = nullptr;
    for (const auto& e : kAggregateNames) {
      if (item == e.name) found = &e;
    }
    if (found == nullptr) {
      return Status::InvalidArgument("unsupported aggregate \"" + std::string(item) +
                                     "\" (supported: " + SupportedList() + ")");
    }
    if (std::find(out->begin(), out->end(), found->agg) == out->end()) {
      out->push_back(found->agg);
    }
  }
  if (out->empty()) {
    return Status::InvalidArgument(
        "at least one aggregate is required (supported: " + SupportedList() + ")");
  }
  return Status::Ok();
}

bool WildcardMatch(std::string_view pattern, std::string_view name) {
  // Greedy matching with one backtrack point: linear in practice, no recursion.
  size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace nanotdb
