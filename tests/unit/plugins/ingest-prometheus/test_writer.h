// A WriterService fake for the ingest-prometheus tests: keeps what it is given, refuses points
// of series whose key starts with "refused" (as an out-of-order write would) and, when `fail`
// is set, whole batches (as an I/O failure would).
#pragma once

#include <string>
#include <vector>

#include "nanotdb/services/writer.h"

namespace nanotdb::prom {

struct StoredPoint {
  std::string db, key;
  Timestamp ts;
  Value value;
};

class FakeWriter : public WriterService {
 public:
  Result<BatchResult> WriteBatch(std::span<const PointRef> points) noexcept override {
    batch_sizes.push_back(points.size());
    if (fail) return Status::IOError("disk full writing prometheus.wal");
    BatchResult res;
    for (size_t i = 0; i < points.size(); ++i) {
      const PointRef& p = points[i];
      if (p.metric.starts_with("refused")) {
        res.rejected.push_back({i, Status::OutOfOrder("older than the last sample")});
        continue;
      }
      stored.push_back({std::string(p.db), std::string(p.metric), p.ts, p.value});
      ++res.accepted;
    }
    return res;
  }

  std::vector<StoredPoint> stored;
  std::vector<size_t> batch_sizes;
  bool fail = false;
};

}  // namespace nanotdb::prom
