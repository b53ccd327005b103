#include "storage/series_index.h"

#include <re2/re2.h>

#include <algorithm>
#include <set>

namespace nanotdb {
namespace {

constexpr int64_t kRegexMaxMem = 1 << 20;

void InsertSorted(std::vector<MetricId>* ids, MetricId id) {
  // Catalog ids grow, so this is nearly always an append.
  if (ids->empty() || ids->back() < id) {
    ids->push_back(id);
    return;
  }
  auto it = std::lower_bound(ids->begin(), ids->end(), id);
  if (it == ids->end() || *it != id) ids->insert(it, id);
}

void EraseSorted(std::vector<MetricId>* ids, MetricId id) {
  auto it = std::lower_bound(ids->begin(), ids->end(), id);
  if (it != ids->end() && *it == id) ids->erase(it);
}

std::vector<MetricId> Union(std::vector<const std::vector<MetricId>*> lists) {
  std::vector<MetricId> out;
  if (lists.size() == 1) return *lists[0];
  size_t total = 0;
  for (const auto* l : lists) total += l->size();
  out.reserve(total);
  for (const auto* l : lists) out.insert(out.end(), l->begin(), l->end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<MetricId> Intersect(const std::vector<MetricId>& a, const std::vector<MetricId>& b) {
  std::vector<MetricId> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<MetricId> Subtract(const std::vector<MetricId>& a, const std::vector<MetricId>& b) {
  std::vector<MetricId> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace

bool CompiledSeriesMatcher::Matches(std::string_view value) const {
  switch (matcher.op) {
    case SeriesMatcher::Op::kEqual:
      return value == matcher.value;
    case SeriesMatcher::Op::kNotEqual:
      return value != matcher.value;
    case SeriesMatcher::Op::kRegex:
      return re2::RE2::FullMatch(value, *regex);
    case SeriesMatcher::Op::kNotRegex:
      return !re2::RE2::FullMatch(value, *regex);
  }
  return false;
}

Result<std::vector<CompiledSeriesMatcher>> CompileSeriesMatchers(
    std::span<const SeriesMatcher> matchers) {
  std::vector<CompiledSeriesMatcher> out;
  out.reserve(matchers.size());
  for (const SeriesMatcher& m : matchers) {
    CompiledSeriesMatcher c{m, nullptr};
    if (m.op == SeriesMatcher::Op::kRegex || m.op == SeriesMatcher::Op::kNotRegex) {
      re2::RE2::Options options(re2::RE2::Quiet);
      options.set_max_mem(kRegexMaxMem);
      auto re = std::make_shared<re2::RE2>(m.value, options);
      if (!re->ok()) {
        return Status::InvalidArgument("invalid regex \"" + m.value + "\" for label \"" + m.name +
                                       "\": " + re->error());
      }
      c.regex = std::move(re);
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::string> CanonicalSeriesName(std::string_view name) {
  if (name.find_first_of("{}") == std::string_view::npos) {
    NANOTDB_RETURN_IF_ERROR(ValidateMetricName(name));
    return std::string(name);
  }
  NANOTDB_ASSIGN_OR_RETURN(SeriesName parsed, ParseSeriesKey(name));
  std::string key;
  AppendSeriesKey(parsed.metric, parsed.labels, &key);
  if (key.size() > kMaxSeriesKeyBytes) {
    return Status::InvalidArgument("series \"" + key.substr(0, 64) + "...\" is " +
                                   std::to_string(key.size()) + " bytes; at most " +
                                   std::to_string(kMaxSeriesKeyBytes) +
                                   " are stored (metric name and labels together)");
  }
  return key;
}

const CatalogEntry* FindSeries(const Catalog& catalog, std::string_view name) {
  if (const CatalogEntry* e = catalog.Find(name)) return e;
  if (name.find('{') == std::string_view::npos) return nullptr;
  Result<SeriesName> parsed = ParseSeriesKey(name);
  if (!parsed.ok()) return nullptr;
  std::string key;
  AppendSeriesKey(parsed->metric, parsed->labels, &key);
  return key == name ? nullptr : catalog.Find(key);
}

void SeriesIndex::Add(MetricId id, std::string_view name) {
  if (Find(id) != nullptr) Remove(id);
  Entry entry;
  Result<SeriesName> parsed = ParseSeriesKey(name);
  std::string canonical;
  if (parsed.ok()) AppendSeriesKey(parsed->metric, parsed->labels, &canonical);
  if (parsed.ok() && canonical == name) {
    entry.metric = std::move(parsed->metric);
    entry.labels = std::move(parsed->labels);
  } else {
    // Not a canonical key (older data the open left as it was): one whole-name series.
    entry.metric = std::string(name);
  }
  InsertSorted(&all_, id);
  auto m = by_metric_.find(entry.metric);
  if (m == by_metric_.end()) m = by_metric_.emplace(entry.metric, Postings{}).first;
  InsertSorted(&m->second, id);
  for (const Label& l : entry.labels) {
    auto n = by_label_.find(l.name);
    if (n == by_label_.end()) n = by_label_.emplace(l.name, ValueMap{}).first;
    auto v = n->second.find(l.value);
    if (v == n->second.end()) v = n->second.emplace(l.value, Postings{}).first;
    InsertSorted(&v->second, id);
  }
  if (entries_.size() <= id) entries_.resize(id + 1);
  entries_[id] = std::move(entry);
}

void SeriesIndex::Remove(MetricId id) {
  const Entry& e = *entries_[id];
  EraseSorted(&all_, id);
  auto m = by_metric_.find(e.metric);
  EraseSorted(&m->second, id);
  if (m->second.empty()) by_metric_.erase(m);
  for (const Label& l : e.labels) {
    auto n = by_label_.find(l.name);
    auto v = n->second.find(l.value);
    EraseSorted(&v->second, id);
    if (v->second.empty()) n->second.erase(v);
    if (n->second.empty()) by_label_.erase(n);
  }
  entries_[id].reset();
}

void SeriesIndex::Clear() {
  all_.clear();
  by_metric_.clear();
  by_label_.clear();
  entries_.clear();
}

const SeriesIndex::Entry* SeriesIndex::Find(MetricId id) const {
  if (id >= entries_.size() || !entries_[id]) return nullptr;
  return &*entries_[id];
}

SeriesIndex::Postings SeriesIndex::Match(const CompiledSeriesMatcher& m, bool* negated) const {
  static const ValueMap kNone;
  const ValueMap* values = &kNone;
  if (m.matcher.name == kMetricNameLabel) {
    values = &by_metric_;
  } else if (auto it = by_label_.find(m.matcher.name); it != by_label_.end()) {
    values = &it->second;
  }
  // A series without the label has the value "": when the matcher accepts "", it passes every
  // series except those whose value it rejects.
  *negated = m.Matches("");
  if (m.matcher.op == SeriesMatcher::Op::kEqual && !*negated) {
    auto it = values->find(m.matcher.value);
    return it == values->end() ? Postings{} : it->second;
  }
  if (m.matcher.op == SeriesMatcher::Op::kNotEqual && *negated) {
    auto it = values->find(m.matcher.value);
    return it == values->end() ? Postings{} : it->second;
  }
  std::vector<const Postings*> lists;
  for (const auto& [value, ids] : *values) {
    if (m.Matches(value) != *negated) lists.push_back(&ids);
  }
  if (lists.empty()) return {};
  return Union(std::move(lists));
}

std::vector<MetricId> SeriesIndex::Select(std::span<const CompiledSeriesMatcher> matchers) const {
  std::vector<Postings> positive, negative;
  for (const CompiledSeriesMatcher& m : matchers) {
    bool negated = false;
    Postings ids = Match(m, &negated);
    if (!negated && ids.empty()) return {};
    (negated ? negative : positive).push_back(std::move(ids));
  }
  std::sort(positive.begin(), positive.end(),
            [](const Postings& a, const Postings& b) { return a.size() < b.size(); });
  Postings out = positive.empty() ? all_ : std::move(positive[0]);
  for (size_t i = 1; i < positive.size() && !out.empty(); ++i) out = Intersect(out, positive[i]);
  for (const Postings& n : negative) {
    if (out.empty()) break;
    if (!n.empty()) out = Subtract(out, n);
  }
  return out;
}

std::vector<std::string> SeriesIndex::LabelNames(const std::vector<MetricId>* ids) const {
  std::vector<std::string> out;
  if (ids == nullptr) {
    for (const auto& [name, values] : by_label_) out.push_back(name);
    return out;
  }
  std::set<std::string_view> names;
  for (MetricId id : *ids) {
    if (const Entry* e = Find(id)) {
      for (const Label& l : e->labels) names.insert(l.name);
    }
  }
  return std::vector<std::string>(names.begin(), names.end());
}

std::vector<std::string> SeriesIndex::LabelValues(std::string_view name,
                                                  const std::vector<MetricId>* ids) const {
  const bool metric = name == kMetricNameLabel;
  std::vector<std::string> out;
  if (ids == nullptr) {
    const ValueMap* values = &by_metric_;
    if (!metric) {
      auto it = by_label_.find(name);
      if (it == by_label_.end()) return out;
      values = &it->second;
    }
    for (const auto& [value, postings] : *values) out.push_back(value);
    return out;
  }
  std::set<std::string_view> values;
  for (MetricId id : *ids) {
    const Entry* e = Find(id);
    if (e == nullptr) continue;
    if (metric) {
      values.insert(e->metric);
      continue;
    }
    auto it = std::lower_bound(e->labels.begin(), e->labels.end(), name,
                               [](const Label& l, std::string_view n) { return l.name < n; });
    if (it != e->labels.end() && it->name == name) values.insert(it->value);
  }
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace nanotdb
