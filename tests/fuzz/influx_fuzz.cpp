// Influx line protocol lines (plugins/ingest-lineproto/influx_line.cpp): any line parses to a
// point or fails with a message; a parsed point has a measurement and at least one field.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "influx_line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nanotdb;
  using namespace nanotdb::influx;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  static constexpr Precision kPrecisions[] = {Precision::kNanoseconds, Precision::kSeconds};
  const Precision precision = kPrecisions[size > 0 ? data[0] % 2 : 0];
  while (!body.empty()) {
    const size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    InfluxPoint point;
    Status st = ParseInfluxLine(line, precision, 1'780'000'000'000'000'000, &point);
    if (st.ok() && (point.measurement.empty() || point.fields.empty())) __builtin_trap();
    if (!st.ok() && st.message().empty()) __builtin_trap();
  }
  return 0;
}
