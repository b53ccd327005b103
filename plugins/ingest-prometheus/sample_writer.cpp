#include "sample_writer.h"

#include <algorithm>

namespace nanotdb::prom {

Value PromValue(double v) { return Value::Float64(v); }

void RenameDbLabel(Labels* labels) {
  auto named = [&](std::string_view name) {
    return std::find_if(labels->begin(), labels->end(),
                        [&](const Label& l) { return l.name == name; });
  };
  auto db = named(kDatabaseLabel);
  if (db == labels->end()) return;
  std::string to = "exported_" + std::string(kDatabaseLabel);
  while (named(to) != labels->end()) to.insert(0, "exported_");
  db->name = std::move(to);
}

SampleWriter::SampleWriter(WriterService& writer, std::string db, size_t batch_size,
                           size_t max_errors)
    : writer_(writer), db_(std::move(db)), batch_size_(batch_size), max_errors_(max_errors) {
  pending_.reserve(std::min<size_t>(batch_size_, 1024));
}

void SampleWriter::Note(size_t ref, std::string message, std::vector<SampleRejection>* list) {
  ++rejected_;
  if (list->size() < max_errors_) list->push_back({ref, std::move(message)});
}

void SampleWriter::Reject(size_t ref, std::string message) {
  Note(ref, std::move(message), &early_);
}

void SampleWriter::Add(size_t ref, std::string_view metric, Labels labels, double value,
                       Timestamp ts) {
  RenameDbLabel(&labels);
  Result<std::string> key = MakeSeriesKey(metric, std::move(labels));
  if (!key.ok()) return Reject(ref, key.status().message());
  AddKey(ref, std::move(key).value(), value, ts);
}

void SampleWriter::AddKey(size_t ref, std::string key, double value, Timestamp ts) {
  if (!failure_.ok()) return;
  pending_.push_back({ref, std::move(key), ts, value});
  if (pending_.size() >= batch_size_) WritePending();
}

void SampleWriter::Finish() { WritePending(); }

void SampleWriter::WritePending() {
  if (pending_.empty() || !failure_.ok()) return;
  std::vector<PointRef> points;
  points.reserve(pending_.size());
  for (const Pending& p : pending_) points.push_back({db_, p.key, p.ts, PromValue(p.value)});
  Result<BatchResult> res = writer_.WriteBatch(points);
  if (!res.ok()) {
    failure_ = res.status();
  } else {
    imported_ += res->accepted;
    duplicates_ += res->duplicates;
    for (auto& [index, status] : res->rejected) {
      Note(pending_[index].ref, pending_[index].key + ": " + status.message(), &refused_);
    }
  }
  pending_.clear();
}

std::vector<SampleRejection> SampleWriter::errors() const {
  // Each list holds the first max_errors of its kind, so the first max_errors of the union are
  // among them.
  std::vector<SampleRejection> out(early_);
  out.insert(out.end(), refused_.begin(), refused_.end());
  std::stable_sort(out.begin(), out.end(), [](const SampleRejection& a, const SampleRejection& b) {
    return a.ref < b.ref;
  });
  if (out.size() > max_errors_) out.resize(max_errors_);
  return out;
}

}  // namespace nanotdb::prom
