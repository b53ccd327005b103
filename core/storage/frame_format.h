// Constants of the partition data file format (data-<part>.dat), shared by the frame codec
// (frame.cpp) and the data file writer and reader (data_file.cpp). The byte layout is
// documented in docs/format/data-file.md; change both together.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nanotdb::data_format {

// File header: magic, u16 version, u16 flags (0), u32 reserved (0), u32 CRC32C of bytes 0..11.
// Version 3 frames carry repair bytes (base/repair_code.h) after their header and after every
// block; version 2 files hold name records. Files of versions 1 and 2 are still read and
// appended to in their own version.
inline constexpr std::string_view kFileMagic = "NTDF";
inline constexpr uint16_t kFileVersion = 3;
inline constexpr uint16_t kFirstRepairVersion = 3;
inline constexpr uint16_t kFirstNameRecordVersion = 2;
inline constexpr uint16_t kOldestFileVersion = 1;
inline constexpr size_t kFileHeaderSize = 16;

// Frame prefix: magic, u32 frame_bytes, u32 header_bytes; the header ends with its CRC32C.
inline constexpr std::string_view kFrameMagic = "NTFR";
inline constexpr size_t kFramePrefixSize = 12;
inline constexpr size_t kMinFrameHeaderSize = kFramePrefixSize + 4;
// Bounds a reader enforces before trusting a length (a frame holds one page).
inline constexpr uint32_t kMaxFrameHeaderBytes = 16u << 20;
inline constexpr uint32_t kMaxFrameBytes = 1u << 30;

// Name record (version 2): magic, u32 record_bytes (all of it), varint count, count x
// (varint metric id, u8 value type, varint name length, name bytes), u32 CRC32C of every byte
// before it. Written before the first frame that holds a metric the file has not named yet.
inline constexpr std::string_view kNameMagic = "NTNM";
inline constexpr size_t kMinNameRecordSize = 4 + 4 + 1 + 4;
inline constexpr uint32_t kMaxNameRecordBytes = 16u << 20;

// Block compression (directory entry byte).
inline constexpr uint8_t kBlockRaw = 0;
inline constexpr uint8_t kBlockZstd = 1;

}  // namespace nanotdb::data_format
