// query-vm's match[] selector parser: bounded matchers and regexes, no crash on any text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "series_selector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto selector = nanotdb::queryvm::ParseSeriesSelector(text);
  if (selector.ok()) {
    for (const auto& m : selector->matchers) m.Matches("room.temp");
  }
  return 0;
}
