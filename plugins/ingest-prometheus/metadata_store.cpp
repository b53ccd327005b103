#include "metadata_store.h"

#include <algorithm>

namespace nanotdb::prom {

void MetadataStore::Record(const std::string& family, MetricMetadata metadata) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(family);
  if (it == families_.end()) {
    if (families_.size() >= max_families_) {
      ++dropped_;
      return;
    }
    families_.emplace(family, std::vector<MetricMetadata>{std::move(metadata)});
    return;
  }
  std::vector<MetricMetadata>& variants = it->second;
  if (!variants.empty() && variants.front() == metadata) return;  // the common case
  auto same = std::find(variants.begin(), variants.end(), metadata);
  if (same != variants.end()) {
    std::rotate(variants.begin(), same, same + 1);
    return;
  }
  variants.insert(variants.begin(), std::move(metadata));
  if (variants.size() > kMaxVariantsPerFamily) variants.pop_back();
}

std::vector<MetricMetadataService::Entry> MetadataStore::List(std::string_view metric, size_t limit,
                                                              size_t limit_per_metric) noexcept {
  std::vector<Entry> out;
  try {
    std::lock_guard<std::mutex> lock(mu_);
    auto add = [&](const std::string& name, const std::vector<MetricMetadata>& variants) {
      size_t n =
          limit_per_metric > 0 ? std::min(limit_per_metric, variants.size()) : variants.size();
      out.emplace_back(name, std::vector<MetricMetadata>(variants.begin(), variants.begin() + n));
    };
    if (!metric.empty()) {
      auto it = families_.find(metric);
      if (it != families_.end()) add(it->first, it->second);
      return out;
    }
    for (const auto& [name, variants] : families_) {
      if (limit > 0 && out.size() >= limit) break;
      add(name, variants);
    }
  } catch (const std::exception&) {
    // Out of memory while copying: answer with what was gathered.
  }
  return out;
}

size_t MetadataStore::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

}  // namespace nanotdb::prom
