// SampleWriter: turns Prometheus samples (metric, labels, float64 value, timestamp) into series
// points and stores them through WriterService in batches.
//
// Each sample becomes one point of series MakeSeriesKey(metric, labels) in database `db`
// (nanotdb/series.h): labels are sorted, empty values dropped, and a client label named "db"
// is renamed "exported_db" (as Prometheus renames clashing target labels), because "db" is
// the database in answers. The value is stored as float64, bit for bit.
// A sample whose series breaks the naming rules, or that the storage refuses (out of order,
// type mismatch), is rejected with its `ref` (a line number, a series index) and the reason;
// the others are stored. A failure not tied to one sample (I/O, shutdown) stops writing.
//
// Not thread-safe: one SampleWriter per request or scrape. The WriterService is borrowed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/series.h"
#include "nanotdb/services/writer.h"

namespace nanotdb::prom {

struct SampleRejection {
  size_t ref;  // what the caller identifies the sample by (line number, series index)
  std::string message;
};

// The stored value of a Prometheus sample.
Value PromValue(double v);

// Renames a "db" label to "exported_db" (to "exported_exported_db" when "exported_db" is
// taken too, and so on), so no client label collides with the database label.
void RenameDbLabel(Labels* labels);

class SampleWriter {
 public:
  SampleWriter(WriterService& writer, std::string db, size_t batch_size, size_t max_errors);
  SampleWriter(const SampleWriter&) = delete;
  SampleWriter& operator=(const SampleWriter&) = delete;

  void Add(size_t ref, std::string_view metric, Labels labels, double value, Timestamp ts);
  // Writes a sample of an already-made series key.
  void AddKey(size_t ref, std::string key, double value, Timestamp ts);
  // Counts a sample rejected before writing (a parse error) and lists it among errors().
  void Reject(size_t ref, std::string message);
  // Counts n rejected samples that are not listed (beyond the caller's own error list).
  void CountRejected(size_t n) { rejected_ += n; }
  // Writes whatever is pending. Call once after the last Add; Add after Finish is not allowed.
  void Finish();

  size_t imported() const { return imported_; }
  size_t rejected() const { return rejected_; }
  // Samples identical to one the series already held (a resent page): neither stored again
  // nor rejected.
  size_t duplicates() const { return duplicates_; }
  // The first max_errors rejections in ref order (when Add and Reject each came in ref order).
  std::vector<SampleRejection> errors() const;
  // Non-OK when the storage failed as a whole; samples accepted before stay stored.
  const Status& failure() const { return failure_; }

 private:
  struct Pending {
    size_t ref;
    std::string key;
    Timestamp ts;
    double value;
  };
  void WritePending();
  void Note(size_t ref, std::string message, std::vector<SampleRejection>* list);

  WriterService& writer_;
  const std::string db_;
  const size_t batch_size_;
  const size_t max_errors_;
  std::vector<Pending> pending_;
  size_t imported_ = 0;
  size_t rejected_ = 0;
  size_t duplicates_ = 0;
  // Each in ref order and capped at max_errors; errors() merges them.
  std::vector<SampleRejection> early_;    // parse and naming errors
  std::vector<SampleRejection> refused_;  // storage refusals
  Status failure_;
};

}  // namespace nanotdb::prom
