// Helpers for fuzz targets that read files: a scratch file per process, and a valid file
// mutated by the input, so short inputs reach deep into a format's reader.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace nanotdb::fuzz {

// A path in a per-process temp directory (removed at exit), named `name`.
inline std::string ScratchPath(const std::string& name) {
  static const std::string dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(base != nullptr && *base ? base : "/tmp") + "/nanotdb-fuzz-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    static std::string keep = tmpl;
    std::atexit([] { std::system(("rm -rf '" + keep + "'").c_str()); });
    return tmpl;
  }();
  return dir + "/" + name;
}

inline void WriteFile(const std::string& path, std::string_view bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::abort();
  std::fclose(f);
}

inline std::string ReadFile(const std::string& path) {
  std::string out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return out;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return out;
}

// The file the input describes. An input starting with 'R' is the whole file (after that
// byte). Otherwise `valid` is mutated: the input is a list of 4-byte edits (2-byte
// little-endian position scaled over the file, an operation byte, an operand byte):
// operation % 4 == 0 xors the byte, 1 sets it, 2 cuts the file there, 3 inserts the operand.
inline std::string Mutated(std::string_view input, std::string_view valid) {
  if (!input.empty() && input[0] == 'R') return std::string(input.substr(1));
  std::string out(valid);
  for (size_t i = 0; i + 4 <= input.size(); i += 4) {
    if (out.empty()) break;
    const auto* p = reinterpret_cast<const unsigned char*>(input.data() + i);
    const size_t pos =
        (static_cast<size_t>(p[0]) | static_cast<size_t>(p[1]) << 8) * out.size() / 65536;
    switch (p[2] % 4) {
      case 0:
        out[pos] = static_cast<char>(out[pos] ^ (p[3] | 1));
        break;
      case 1:
        out[pos] = static_cast<char>(p[3]);
        break;
      case 2:
        out.resize(pos);
        break;
      default:
        out.insert(out.begin() + static_cast<std::ptrdiff_t>(pos), static_cast<char>(p[3]));
        break;
    }
  }
  return out;
}

}  // namespace nanotdb::fuzz
