// Series keys (core/base/series.cpp): parsing never fails badly, and what parses has a
// canonical key that parses back to the same series.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nanotdb/series.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view key(reinterpret_cast<const char*>(data), size);
  nanotdb::IsCanonicalSeriesKey(key);
  nanotdb::SeriesMetricName(key);
  nanotdb::Result<nanotdb::SeriesName> parsed = nanotdb::ParseSeriesKey(key);
  if (!parsed.ok()) return 0;
  nanotdb::Result<std::string> canonical = nanotdb::MakeSeriesKey(parsed->metric, parsed->labels);
  if (!canonical.ok()) return 0;
  if (!nanotdb::IsCanonicalSeriesKey(*canonical)) __builtin_trap();
  nanotdb::Result<nanotdb::SeriesName> again = nanotdb::ParseSeriesKey(*canonical);
  if (!again.ok() || !(*again == *parsed)) __builtin_trap();
  return 0;
}
