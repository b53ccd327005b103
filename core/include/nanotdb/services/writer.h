// WriterService ("nanotdb.writer" v1): how plugins (ingest formats, probes, rollups) store
// samples. Implemented by the core over the storage engine. Thread-safe.
#pragma once

#include <span>

#include "nanotdb/engine_types.h"

namespace nanotdb {

class WriterService {
 public:
  static constexpr const char* kServiceName = "nanotdb.writer";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~WriterService() = default;

  // Same contract as Engine::WriteBatch: every valid point is stored, every invalid one is
  // reported by index; a non-OK Result means a failure not tied to one point (I/O, shutdown).
  virtual Result<BatchResult> WriteBatch(std::span<const PointRef> points) noexcept = 0;
};

}  // namespace nanotdb
