// Aggregate names and functions and wildcard matching (nanotdb/query_types.h): part of the SDK,
// so plugins that parse query parameters or compute aggregates need no query engine.
#include <algorithm>
#include <cmath>
#include <string>

#include "nanotdb/query_types.h"

namespace nanotdb {
namespace {

struct AggregateNameEntry {
  const char* name;
  Aggregate agg;
};
// Sorted by name. The first entry of an aggregate is its canonical name; the others are aliases
// (the reference accepted "p50" and "trimmed_average").
constexpr AggregateNameEntry kAggregateNames[] = {
    {"avg", Aggregate::kAvg},
    {"count", Aggregate::kCount},
    {"first", Aggregate::kFirst},
    {"last", Aggregate::kLast},
    {"max", Aggregate::kMax},
    {"median", Aggregate::kMedian},
    {"min", Aggregate::kMin},
    {"p50", Aggregate::kMedian},
    {"p95", Aggregate::kP95},
    {"p99", Aggregate::kP99},
    {"sum", Aggregate::kSum},
    {"trimmed_average", Aggregate::kTrimmedAvg},
    {"trimmed_avg", Aggregate::kTrimmedAvg},
};

// Numbers ascending, NaN after all of them (a strict weak order, unlike operator<).
bool NanLast(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a < b;
}

double Quantile(std::vector<double>& v, double q) {
  std::sort(v.begin(), v.end(), NanLast);
  const double pos = static_cast<double>(v.size() - 1) * q;
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = static_cast<size_t>(std::ceil(pos));
  if (lo == hi) return v[lo];
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

double TrimmedMean(std::vector<double>& v) {
  std::sort(v.begin(), v.end(), NanLast);
  const size_t n = v.size();
  size_t k = n < 3 ? 0 : std::max<size_t>(1, n / 20);
  double sum = 0;
  for (size_t i = k; i < n - k; ++i) sum += v[i];
  return sum / static_cast<double>(n - 2 * k);
}

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
  switch (a) {
    case Aggregate::kMedian:
      return "median";
    case Aggregate::kTrimmedAvg:
      return "trimmed_avg";
    default:
      for (const auto& e : kAggregateNames) {
        if (e.agg == a) return e.name;
      }
  }
  return "?";
}

bool AggregateNeedsValues(Aggregate a) {
  return a == Aggregate::kMedian || a == Aggregate::kP95 || a == Aggregate::kP99 ||
         a == Aggregate::kTrimmedAvg;
}

double ComputeAggregate(Aggregate a, std::vector<double>& values) {
  if (values.empty()) return std::nan("");
  switch (a) {
    case Aggregate::kMin:
      return *std::min_element(values.begin(), values.end());
    case Aggregate::kMax:
      return *std::max_element(values.begin(), values.end());
    case Aggregate::kSum:
    case Aggregate::kAvg: {
      double sum = 0;
      for (double v : values) sum += v;
      return a == Aggregate::kSum ? sum : sum / static_cast<double>(values.size());
    }
    case Aggregate::kCount:
      return static_cast<double>(values.size());
    case Aggregate::kFirst:
      return values.front();
    case Aggregate::kLast:
      return values.back();
    case Aggregate::kMedian:
      return Quantile(values, 0.5);
    case Aggregate::kP95:
      return Quantile(values, 0.95);
    case Aggregate::kP99:
      return Quantile(values, 0.99);
    case Aggregate::kTrimmedAvg:
      return TrimmedMean(values);
  }
  return std::nan("");
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
