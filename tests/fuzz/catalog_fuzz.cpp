// catalog.json (core/storage/catalog.cpp): any text loads or is refused with a status; a
// loaded catalog saves and loads back the same.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_file.h"
#include "storage/catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nanotdb;
  static const std::string path = fuzz::ScratchPath("catalog.json");
  static const std::string copy = fuzz::ScratchPath("catalog-copy.json");
  fuzz::WriteFile(path, std::string_view(reinterpret_cast<const char*>(data), size));
  Result<Catalog> c = Catalog::Load(Env::Default(), path);
  if (!c.ok()) return 0;
  if (!c->Save(Env::Default(), copy).ok()) __builtin_trap();
  Result<Catalog> again = Catalog::Load(Env::Default(), copy);
  if (!again.ok() || again->size() != c->size()) __builtin_trap();
  return 0;
}
