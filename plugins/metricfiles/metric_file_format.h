// Constants of the metric file format (metric-<part>.ntm), shared by its writer and reader
// (metric_file.cpp). The byte layout is documented in docs/format/metric-file.md; change both
// together.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nanotdb::metricfiles::format {

// Header: magic, u16 version, u16 flags (0), u64 source_bytes, u32 source_frames,
// u32 reserved (0), u32 CRC-32C of bytes 0..23.
inline constexpr std::string_view kMagic = "NTMF";
inline constexpr uint16_t kVersion = 1;
inline constexpr size_t kHeaderSize = 28;

// Footer (the file's last bytes): u64 index_offset, u32 index_bytes, u32 index CRC-32C,
// magic, u32 CRC-32C of the footer's first 20 bytes.
inline constexpr std::string_view kFooterMagic = "NTMX";
inline constexpr size_t kFooterSize = 24;

// Bounds a reader enforces before trusting a length.
inline constexpr uint64_t kMaxIndexBytes = 64u << 20;
inline constexpr uint64_t kMaxBlockBytes = 1u << 30;
inline constexpr uint64_t kMaxSamplesPerSeries = 1u << 28;
inline constexpr size_t kMaxNameBytes = 255;

}  // namespace nanotdb::metricfiles::format
