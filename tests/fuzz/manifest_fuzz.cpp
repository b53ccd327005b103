// A database's manifest.toml (core/storage/manifest.cpp): any text loads or is refused with a
// status naming the problem; what loads renders to a manifest that loads back.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_file.h"
#include "storage/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nanotdb;
  static const std::string path = fuzz::ScratchPath("manifest.toml");
  fuzz::WriteFile(path, std::string_view(reinterpret_cast<const char*>(data), size));
  ManifestSettings settings;
  std::vector<std::string> warnings;
  Status st = LoadManifest(Env::Default(), path, &settings, &warnings);
  if (!st.ok()) {
    if (st.message().empty()) __builtin_trap();
    return 0;
  }
  static const std::string copy = fuzz::ScratchPath("manifest-copy.toml");
  fuzz::WriteFile(copy, RenderManifest(settings));
  ManifestSettings again;
  if (!LoadManifest(Env::Default(), copy, &again, &warnings).ok()) __builtin_trap();
  return 0;
}
