// engine.toml (core/server/config.cpp): any text parses or fails with a message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = nanotdb::server::ParseEngineConfig(text, "/fuzz/engine.toml");
  if (config.ok()) nanotdb::server::RedactedConfigToml(*config);
  return 0;
}
