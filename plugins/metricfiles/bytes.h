// Little-endian fixed integers, LEB128 varints, zigzag and CRC-32C for the metric file format
// (the plugin builds against the SDK alone, so it carries its own copies of these few helpers).
// All readers bound-check and return false on truncated or over-long input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace nanotdb::metricfiles {

void PutFixed16(std::string* out, uint16_t v);
void PutFixed32(std::string* out, uint32_t v);
void PutFixed64(std::string* out, uint64_t v);
void PutVarint(std::string* out, uint64_t v);
uint16_t DecodeFixed16(const char* p);
uint32_t DecodeFixed32(const char* p);
uint64_t DecodeFixed64(const char* p);

bool GetFixed16(std::string_view in, size_t* pos, uint16_t* v);
bool GetFixed32(std::string_view in, size_t* pos, uint32_t* v);
bool GetFixed64(std::string_view in, size_t* pos, uint64_t* v);
bool GetVarint(std::string_view in, size_t* pos, uint64_t* v);
bool GetBytes(std::string_view in, size_t* pos, size_t n, std::string_view* out);

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// CRC-32C (Castagnoli), the checksum of every NanoTDB file format: SSE 4.2's crc32 where the
// CPU has it, else table-driven, 8 bytes a step.
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);
// The same without the CPU's CRC instruction (what Crc32c falls back to; tests compare them).
uint32_t Crc32cPortable(std::string_view data, uint32_t crc = 0);

}  // namespace nanotdb::metricfiles
