// Database: series selection over the label index (the index is kept in step with the catalog
// by database.cpp).
#include <algorithm>

#include "storage/database.h"

namespace nanotdb {

size_t Database::CanonicaliseSeriesNames() {
  size_t renamed = 0;
  std::vector<std::string> unparsable, duplicates;
  std::vector<std::pair<MetricId, std::string>> renames;
  for (const CatalogEntry& e : catalog_.entries()) {
    if (e.name.find('{') == std::string::npos) continue;
    Result<std::string> canonical = CanonicalSeriesName(e.name);
    if (!canonical.ok()) {
      unparsable.push_back(e.name + " (" + canonical.status().message() + ")");
    } else if (*canonical != e.name) {
      renames.emplace_back(e.id, std::move(*canonical));
    }
  }
  for (auto& [id, name] : renames) {
    const std::string old = catalog_.FindById(id)->name;
    if (const CatalogEntry* other = catalog_.Find(name)) {
      duplicates.push_back(old + " (the series " + name + " is id " + std::to_string(other->id) +
                           ")");
      continue;
    }
    if (catalog_.Rename(id, name).ok()) {
      ++renamed;
      Log(LogLevel::kInfo, "series " + old + " renamed to its canonical key " + name);
    }
  }
  if (!unparsable.empty()) {
    Log(LogLevel::kWarning, std::to_string(unparsable.size()) +
                                " catalog names do not parse as series keys and are kept as "
                                "they are, readable by their exact name; the first: " +
                                unparsable.front());
  }
  if (!duplicates.empty()) {
    Log(LogLevel::kWarning, std::to_string(duplicates.size()) +
                                " catalog names are other spellings of a stored series and "
                                "are kept as they are, readable by their exact name; the "
                                "first: " +
                                duplicates.front());
  }
  return renamed;
}

std::vector<SeriesInfo> Database::SelectSeries(std::span<const CompiledSeriesMatcher> matchers,
                                               size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<MetricId> ids = index_.Select(matchers);
  std::vector<const CatalogEntry*> entries;
  entries.reserve(ids.size());
  for (MetricId id : ids) {
    if (const CatalogEntry* e = catalog_.FindById(id)) entries.push_back(e);
  }
  auto by_key = [](const CatalogEntry* a, const CatalogEntry* b) { return a->name < b->name; };
  if (limit != 0 && entries.size() > limit) {
    std::partial_sort(entries.begin(), entries.begin() + static_cast<ptrdiff_t>(limit),
                      entries.end(), by_key);
    entries.resize(limit);
  } else {
    std::sort(entries.begin(), entries.end(), by_key);
  }
  std::vector<SeriesInfo> out;
  out.reserve(entries.size());
  for (const CatalogEntry* e : entries) {
    const SeriesIndex::Entry* indexed = index_.Find(e->id);
    SeriesInfo info;
    info.key = e->name;
    info.metric = indexed != nullptr ? indexed->metric : e->name;
    if (indexed != nullptr) info.labels = indexed->labels;
    info.id = e->id;
    info.type = e->type;
    if (e->id < last_.size()) info.last = last_[e->id];
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<std::string> Database::LabelNames(
    std::span<const CompiledSeriesMatcher> matchers) const {
  std::lock_guard lock(mu_);
  if (matchers.empty()) return index_.LabelNames(nullptr);
  std::vector<MetricId> ids = index_.Select(matchers);
  return index_.LabelNames(&ids);
}

std::vector<std::string> Database::LabelValues(
    std::string_view label, std::span<const CompiledSeriesMatcher> matchers) const {
  std::lock_guard lock(mu_);
  if (matchers.empty()) return index_.LabelValues(label, nullptr);
  std::vector<MetricId> ids = index_.Select(matchers);
  return index_.LabelValues(label, &ids);
}

}  // namespace nanotdb
