#include "bytes.h"

#include <array>
#include <cstring>

namespace nanotdb::metricfiles {

void PutFixed16(std::string* out, uint16_t v) {
  char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  out->append(b, 2);
}
void PutFixed32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}
void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}
void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

uint16_t DecodeFixed16(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>(u[0] | (u[1] << 8));
}
uint32_t DecodeFixed32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return u[0] | (u[1] << 8) | (u[2] << 16) | (static_cast<uint32_t>(u[3]) << 24);
}
uint64_t DecodeFixed64(const char* p) {
  return DecodeFixed32(p) | (static_cast<uint64_t>(DecodeFixed32(p + 4)) << 32);
}

bool GetFixed16(std::string_view in, size_t* pos, uint16_t* v) {
  if (in.size() < 2 || *pos > in.size() - 2) return false;
  *v = DecodeFixed16(in.data() + *pos);
  *pos += 2;
  return true;
}
bool GetFixed32(std::string_view in, size_t* pos, uint32_t* v) {
  if (in.size() < 4 || *pos > in.size() - 4) return false;
  *v = DecodeFixed32(in.data() + *pos);
  *pos += 4;
  return true;
}
bool GetFixed64(std::string_view in, size_t* pos, uint64_t* v) {
  if (in.size() < 8 || *pos > in.size() - 8) return false;
  *v = DecodeFixed64(in.data() + *pos);
  *pos += 8;
  return true;
}
bool GetVarint(std::string_view in, size_t* pos, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && *pos < in.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(in[(*pos)++]);
    if (shift == 63 && byte > 1) return false;
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}
bool GetBytes(std::string_view in, size_t* pos, size_t n, std::string_view* out) {
  if (*pos > in.size() || n > in.size() - *pos) return false;
  *out = in.substr(*pos, n);
  *pos += n;
  return true;
}

namespace {

// Slicing by 8: table[j][b] is the CRC of byte b followed by j zero bytes.
struct CrcTables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  CrcTables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[0][i] = c;
    }
    for (int j = 1; j < 8; ++j) {
      for (uint32_t i = 0; i < 256; ++i) t[j][i] = (t[j - 1][i] >> 8) ^ t[0][t[j - 1][i] & 0xff];
    }
  }
};

uint32_t Crc32cSliced(const unsigned char* p, size_t n, uint32_t crc) {
  static const CrcTables tables;
  const auto& t = tables.t;
  while (n >= 8) {
    const uint32_t lo =
        crc ^ (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24);
    crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
          t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NANOTDB_METRICFILES_CRC_SSE42 1
// The SSE 4.2 crc32 instruction computes CRC-32C; chosen at run time where the CPU has it.
__attribute__((target("sse4.2"))) uint32_t Crc32cSse42(const unsigned char* p, size_t n,
                                                       uint32_t crc) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    c = __builtin_ia32_crc32di(c, w);
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#endif

}  // namespace

uint32_t Crc32c(std::string_view data, uint32_t crc) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
#ifdef NANOTDB_METRICFILES_CRC_SSE42
  static const bool sse42 = __builtin_cpu_supports("sse4.2");
  if (sse42) return ~Crc32cSse42(p, data.size(), ~crc);
#endif
  return ~Crc32cSliced(p, data.size(), ~crc);
}

uint32_t Crc32cPortable(std::string_view data, uint32_t crc) {
  return ~Crc32cSliced(reinterpret_cast<const unsigned char*>(data.data()), data.size(), ~crc);
}

}  // namespace nanotdb::metricfiles
