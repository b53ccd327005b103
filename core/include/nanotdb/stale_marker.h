// Prometheus' staleness marker: the NaN with bits 0x7ff0000000000002 that remote write sends
// when a series disappears. It marks the end of a series, not a value: aggregates (core and
// rollups) skip it, as PromQL does; raw reads and exports keep it as stored.
#pragma once

#include <cstdint>

#include "nanotdb/types.h"

namespace nanotdb {

inline constexpr uint64_t kStaleMarkerBits = 0x7ff0000000000002ULL;

// True for a float64 sample holding exactly the marker's bits (any other NaN is a value).
inline bool IsStaleMarker(ValueType type, uint64_t bits) {
  return type == ValueType::kFloat64 && bits == kStaleMarkerBits;
}

}  // namespace nanotdb
