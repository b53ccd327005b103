// Byte layout of a WAL file, shared by its writer and reader (docs/format/wal.md). Only the
// framing lives here; what a batch record's payload means is wal.cpp's business.
//
//   file   := header record*
//   header := magic "NTDBWAL\n" (8 bytes) | version u32 LE
//   record := length u32 LE | crc u32 LE | type u8 | check u16 LE | payload (length bytes)
//
// crc is CRC-32C over type and payload; check (version 3) is the low 16 bits of CRC-32C over
// the 9 bytes before it, so a reader can tell an intact header (and so where the next record
// starts, or that the record is torn) from a damaged one. Version 3 records are decodable on
// their own: a reader skips a bad record and goes on with the next intact one. Versions 1
// and 2 (no check, values coded across records) stop at the first bad record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nanotdb {

inline constexpr std::string_view kWalMagic{"NTDBWAL\n", 8};
// Version 3: records decodable on their own, with a header check. Versions 2 (64-bit values
// coded across records) and 1 (4-byte values) are still replayed, then started over as
// version 3 (WalWriter::Reset).
inline constexpr uint32_t kWalVersion = 3;
inline constexpr uint32_t kWalVersionV2 = 2;
inline constexpr uint32_t kWalVersionV1 = 1;
inline constexpr size_t kWalHeaderSize = 12;               // magic + version
inline constexpr size_t kWalRecordHeaderSizeV2 = 9;        // length + crc + type
inline constexpr size_t kWalRecordHeaderSize = 11;         // + check (version 3)
inline constexpr uint32_t kWalMaxRecordBytes = 64u << 20;  // payload limit of one record

enum class WalRecordType : uint8_t {
  kBatch = 1,  // a WalBatch: new metric definitions, then samples (wal.cpp)
  // Version 3: a copy of the next batch record's new metric definitions (a batch payload
  // without samples), so one damaged record never loses the names later records rely on.
  kMetricDefs = 2,
  // Version 3: the newest value of every metric, which later batches code against (wal.cpp).
  kState = 3,
};

}  // namespace nanotdb
