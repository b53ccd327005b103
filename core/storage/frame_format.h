// Constants of the partition data file format (data-<part>.dat), shared by the frame codec
// (frame.cpp) and the data file writer and reader (data_file.cpp). The byte layout is
// documented in docs/format/data-file.md; change both together.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nanotdb::data_format {

// File header: magic, u16 version, u16 flags (0), u32 reserved (0), u32 CRC32C of bytes 0..11.
inline constexpr std::string_view kFileMagic = "NTDF";
inline constexpr uint16_t kFileVersion = 1;
inline constexpr size_t kFileHeaderSize = 16;

// Frame prefix: magic, u32 frame_bytes, u32 header_bytes; the header ends with its CRC32C.
inline constexpr std::string_view kFrameMagic = "NTFR";
inline constexpr size_t kFramePrefixSize = 12;
inline constexpr size_t kMinFrameHeaderSize = kFramePrefixSize + 4;
// Bounds a reader enforces before trusting a length (a frame holds one page).
inline constexpr uint32_t kMaxFrameHeaderBytes = 16u << 20;
inline constexpr uint32_t kMaxFrameBytes = 1u << 30;

// Block compression (directory entry byte).
inline constexpr uint8_t kBlockRaw = 0;
inline constexpr uint8_t kBlockZstd = 1;

}  // namespace nanotdb::data_format
