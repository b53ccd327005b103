#include "base/repair_code.h"

#include <array>
#include <cstdint>

namespace nanotdb {
namespace {

constexpr size_t kDataPerCodeword = 253;  // 255 symbols less the two check bytes

struct GaloisTables {
  std::array<uint8_t, 512> exp{};  // doubled, so exp[log a + log b] needs no modulo
  std::array<int, 256> log{};
};

constexpr GaloisTables MakeTables() {
  GaloisTables t;
  unsigned x = 1;
  for (int i = 0; i < 255; ++i) {
    t.exp[i] = static_cast<uint8_t>(x);
    t.log[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (int i = 255; i < 512; ++i) t.exp[i] = t.exp[i - 255];
  return t;
}

constexpr GaloisTables kGf = MakeTables();

// d * alpha^k, k < 255.
inline uint8_t MulAlphaPow(uint8_t d, size_t k) { return d == 0 ? 0 : kGf.exp[kGf.log[d] + k]; }

// The check bytes (A, B) of codeword j of m over `data`.
void CheckBytes(std::string_view data, size_t j, size_t m, uint8_t* a, uint8_t* b) {
  uint8_t sa = 0, sb = 0;
  size_t k = 0;
  for (size_t i = j; i < data.size(); i += m, ++k) {
    const uint8_t d = static_cast<uint8_t>(data[i]);
    sa ^= d;
    sb ^= MulAlphaPow(d, k);
  }
  *a = sa;
  *b = sb;
}

}  // namespace

void AppendRepairBytes(std::string_view data, std::string* out) {
  const size_t m = RepairBytes(data.size()) / 2;
  for (size_t j = 0; j < m; ++j) {
    uint8_t a, b;
    CheckBytes(data, j, m, &a, &b);
    out->push_back(static_cast<char>(a));
    out->push_back(static_cast<char>(b));
  }
}

int RepairInPlace(std::string* data, std::string_view repair) {
  if (repair.size() != RepairBytes(data->size())) return -1;
  const size_t m = repair.size() / 2;
  int fixed = 0;
  for (size_t j = 0; j < m; ++j) {
    uint8_t a, b;
    CheckBytes(*data, j, m, &a, &b);
    // Syndromes: for one damaged data byte e at codeword position p, sa = e, sb = e * alpha^p.
    const uint8_t sa = a ^ static_cast<uint8_t>(repair[2 * j]);
    const uint8_t sb = b ^ static_cast<uint8_t>(repair[2 * j + 1]);
    if (sa == 0 && sb == 0) continue;
    // Exactly one zero: a check byte itself is damaged (or there is more damage than the code
    // sees); the data bytes are left alone and the caller's CRC decides.
    if (sa == 0 || sb == 0) continue;
    const size_t p = static_cast<size_t>((kGf.log[sb] - kGf.log[sa] + 255) % 255);
    const size_t at = j + p * m;
    if (p >= kDataPerCodeword || at >= data->size()) return -1;
    (*data)[at] = static_cast<char>(static_cast<uint8_t>((*data)[at]) ^ sa);
    ++fixed;
  }
  return fixed;
}

}  // namespace nanotdb
