#include "storage/page.h"

#include <algorithm>

namespace nanotdb {

void OpenPage::Add(MetricId id, ValueType type, const Sample& s) {
  auto [it, inserted] = index_.try_emplace(id, columns_.size());
  if (inserted) columns_.push_back(Column{id, type, {}});
  columns_[it->second].samples.push_back(s);
  ++samples_;
}

std::vector<ColumnInput> OpenPage::Columns() const {
  std::vector<ColumnInput> out;
  out.reserve(columns_.size());
  for (const Column& c : columns_) out.push_back(ColumnInput{c.id, c.type, c.samples});
  std::sort(out.begin(), out.end(),
            [](const ColumnInput& a, const ColumnInput& b) { return a.id < b.id; });
  return out;
}

bool OpenPage::Contains(MetricId id, const Sample& sample) const {
  auto it = index_.find(id);
  if (it == index_.end()) return false;
  const std::vector<Sample>& s = columns_[it->second].samples;
  auto lo = std::lower_bound(s.begin(), s.end(), sample.ts,
                             [](const Sample& a, Timestamp t) { return a.ts < t; });
  for (; lo != s.end() && lo->ts == sample.ts; ++lo) {
    if (lo->bits == sample.bits) return true;
  }
  return false;
}

void OpenPage::Collect(MetricId id, Timestamp from, Timestamp to, std::vector<Sample>* out) const {
  auto it = index_.find(id);
  if (it == index_.end()) return;
  const std::vector<Sample>& s = columns_[it->second].samples;
  auto lo = std::lower_bound(s.begin(), s.end(), from,
                             [](const Sample& a, Timestamp t) { return a.ts < t; });
  for (; lo != s.end() && lo->ts <= to; ++lo) out->push_back(*lo);
}

}  // namespace nanotdb
