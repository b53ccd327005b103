// Byte layout of an events file (<db>/events-<key>.evt), shared by its writer and reader
// (docs/format/events.md).
//
//   file   := header block*
//   header := magic "NTEV" | version u16 | flags u16 | reserved u32 | crc u32 (of bytes 0..11)
//   block  := prefix (32 B) | events | crc u32 (of every byte of the block before it)
//   prefix := magic "NTEB" | block_bytes u32 | min_ts i64 | max_ts i64 | count u32 |
//             prefix_crc u32 (of bytes 0..27)
//
// One block per write (per partition): a block is decodable on its own, so damage costs the
// blocks it touches and a reader resynchronises on the next prefix that verifies. The prefix
// check tells a torn last block (an intact prefix declaring more bytes than the file holds)
// from a damaged one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nanotdb::event_format {

inline constexpr std::string_view kFileMagic{"NTEV", 4};
inline constexpr uint16_t kFileVersion = 1;
inline constexpr size_t kFileHeaderSize = 16;

inline constexpr std::string_view kBlockMagic{"NTEB", 4};
inline constexpr size_t kBlockPrefixSize = 32;
inline constexpr size_t kBlockTrailerSize = 4;
inline constexpr size_t kMinBlockBytes = kBlockPrefixSize + kBlockTrailerSize;
inline constexpr uint32_t kMaxBlockBytes = 16u << 20;

// Value tags of an event inside a block; 3 and 4 are the catalog's int64 and float64 codes.
inline constexpr uint8_t kNoValue = 0;
inline constexpr uint8_t kInt64Value = 3;
inline constexpr uint8_t kFloat64Value = 4;

}  // namespace nanotdb::event_format
