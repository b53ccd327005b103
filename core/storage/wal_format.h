// Byte layout of a WAL file, shared by its writer and reader (docs/format/wal.md). Only the
// framing lives here; what a batch record's payload means is wal.cpp's business.
//
//   file   := header record*
//   header := magic "NTDBWAL\n" (8 bytes) | version u32 LE
//   record := length u32 LE | crc u32 LE | type u8 | payload (length bytes)
//
// crc is CRC-32C over type and payload. A reader stops at the first record that is short,
// over-long, fails its crc or has an unknown type; everything after it is the tail.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nanotdb {

inline constexpr std::string_view kWalMagic{"NTDBWAL\n", 8};
// Version 2 codes 64-bit values; version 1 files (4-byte values) are still replayed, then
// started over as version 2 (WalWriter::Reset).
inline constexpr uint32_t kWalVersion = 2;
inline constexpr uint32_t kWalVersionV1 = 1;
inline constexpr size_t kWalHeaderSize = 12;               // magic + version
inline constexpr size_t kWalRecordHeaderSize = 9;          // length + crc + type
inline constexpr uint32_t kWalMaxRecordBytes = 64u << 20;  // payload limit of one record

enum class WalRecordType : uint8_t {
  kBatch = 1,  // a WalBatch: new metric definitions, then samples (wal.cpp)
};

}  // namespace nanotdb
