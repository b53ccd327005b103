// Line protocol bodies (plugins/ingest-lineproto): any bytes parse to samples and line errors.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lineproto.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  size_t seen = 0;
  nanotdb::ParseSummary summary = nanotdb::ParseBody(
      body, 1715000000000000000, [&](size_t, const nanotdb::ParsedLine&) { ++seen; });
  if (summary.samples != seen) __builtin_trap();
  return 0;
}
