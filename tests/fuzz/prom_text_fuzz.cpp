// Prometheus text / OpenMetrics bodies (plugins/ingest-prometheus/prom_text.cpp): any bytes
// parse to samples, per-line errors and metadata; the counts agree, and each sample's series
// key, when it can be made, is canonical (parses back to itself).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nanotdb/series.h"
#include "prom_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nanotdb;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  const prom::TextFormat format =
      size > 0 && (data[0] & 1) ? prom::TextFormat::kOpenMetrics : prom::TextFormat::kPrometheus;
  size_t seen = 0;
  prom::TextParseSummary summary = prom::ParseText(
      body, format,
      [&](size_t, prom::TextSample&& s) {
        ++seen;
        Result<std::string> key = MakeSeriesKey(s.metric, s.labels);
        if (key.ok()) {
          Result<SeriesName> back = ParseSeriesKey(*key);
          if (!back.ok()) __builtin_trap();
        }
      },
      5);
  if (summary.samples != seen || summary.first_errors.size() > 5 ||
      summary.first_errors.size() > summary.errors) {
    __builtin_trap();
  }
  return 0;
}
