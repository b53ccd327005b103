// The PromQL parser (plugins/query-vm/promql_parser.h) with its default limits.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "promql_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto expr = nanotdb::queryvm::promql::ParseExpr(text);
  (void)expr;
  return 0;
}
