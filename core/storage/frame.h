// Frames: one flushed page of a partition, as stored in data-<part>.dat.
//
// A frame is an uncompressed, CRC32C-protected header (time range, counts and a directory of
// the metrics it holds) followed by independently decodable blocks: timestamp blocks, each
// shared by every column whose timestamps are identical (hosts stamp a whole collection cycle
// with one time), and one value block per metric. Each block carries its own CRC32C and is
// zstd-compressed when that makes it smaller. Reading one metric decodes its timestamp block
// and its value block only. Byte layout: docs/format/data-file.md.
//
// All functions are pure, thread-safe, never throw, and bound-check every length: corrupt
// input yields Status::Corruption, never a crash or silently wrong samples.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb {

// One metric's samples for EncodeFrame: non-empty, sorted by ts ascending (equal timestamps
// allowed; their order is kept). Borrowed for the duration of the call.
// The type is kInt64 or kFloat64: the 4-byte types are only ever read.
struct ColumnInput {
  MetricId id = 0;
  ValueType type = ValueType::kFloat64;
  std::span<const Sample> samples;
};

struct FrameOptions {
  int zstd_level = 3;  // 1..19; a sealed partition rewritten whole may afford more
  // Repair bytes after the header and after every block (data file format version 3), so one
  // damaged byte per codeword is corrected on read (base/repair_code.h). Off only for frames
  // appended to files of older versions, which have none.
  bool repair_bytes = true;
};

// Appends one complete frame holding `columns` (at least one; ids unique, in any order) to
// *out. InvalidArgument (naming the metric id) for empty or unsorted columns, duplicate ids,
// unknown types, or a frame that would exceed 1 GiB; *out is unchanged on failure.
Status EncodeFrame(std::span<const ColumnInput> columns, const FrameOptions& opts,
                   std::string* out);

// Where a block lives inside its frame and how it is stored.
struct BlockRef {
  uint32_t offset = 0;      // from the start of the frame
  uint32_t stored_len = 0;  // bytes in the frame
  uint32_t raw_len = 0;     // bytes after decompression
  uint8_t compression = 0;  // data_format::kBlockRaw or kBlockZstd
  uint32_t crc = 0;         // CRC32C of the stored bytes
};

struct TimestampBlockInfo {
  BlockRef block;
  uint32_t count = 0;
};

struct FrameColumnInfo {
  MetricId id = 0;
  ValueType type = ValueType::kFloat64;  // as stored; samples decode as WidenType(type)
  uint32_t count = 0;
  Timestamp min_ts = 0, max_ts = 0;  // first and last sample
  uint32_t ts_block = 0;             // index into FrameHeader::ts_blocks
  BlockRef values;
};

struct FrameHeader {
  uint32_t frame_bytes = 0;     // total on-disk length, header included
  uint32_t header_bytes = 0;    // the header alone, without its repair bytes
  bool repair_bytes = false;    // the header and every block are followed by repair bytes
  uint32_t repaired_bytes = 0;  // bytes of the header that ParseFrameHeader had to repair
  Timestamp min_ts = 0, max_ts = 0;
  uint32_t samples = 0;
  uint32_t raw_bytes = 0;  // uncompressed: 16 bytes a sample (12 for int32/float32 columns)
  std::string codec;       // "zstd" when any block is zstd-compressed, else "raw"
  std::vector<TimestampBlockInfo> ts_blocks;
  std::vector<FrameColumnInfo> columns;  // sorted by id, ids unique

  // The column of `id`, or nullptr when the frame does not hold that metric.
  const FrameColumnInfo* Find(MetricId id) const;
  // Bytes a block takes in the frame: its stored bytes and their repair bytes, if any.
  uint32_t Span(const BlockRef& b) const;
};

// Bytes the header of a frame takes before its blocks when header_bytes is h: h, plus its
// repair bytes with `repair_bytes` (what a scan must read to parse and, if need be, repair it).
uint64_t FrameHeaderSpan(uint64_t header_bytes, bool repair_bytes);

// Parses and verifies the header of the frame starting at data[0]: magic, lengths, header
// CRC32C and the consistency of the directory. With `repair_bytes` (version 3 files) a header
// failing its CRC is repaired with the repair bytes that follow it when that makes the CRC
// match (FrameHeader::repaired_bytes counts the bytes fixed; a damaged magic or frame length
// is repaired too, the header length must be intact). Reads at most
// FrameHeaderSpan(header_bytes, repair_bytes) bytes of `data`, which may end before the
// frame's blocks. Corruption describes what is wrong.
Result<FrameHeader> ParseFrameHeader(std::string_view data, bool repair_bytes = true);

// Decodes the column of `id` from a whole frame (data[0] is the frame's first byte, at least
// h.frame_bytes long), verifying its blocks' CRCs, and appends its samples to *out, their
// values widened to the column's 64-bit type (WidenType(col.type)). A block failing its CRC
// is repaired when the frame has repair bytes and they make the CRC match; *repaired (when
// given) is increased by the bytes fixed.
// NotFound when the frame lacks the metric; Corruption (naming the metric) on a bad block.
Status DecodeFrameColumn(std::string_view frame, const FrameHeader& h, MetricId id,
                         std::vector<Sample>* out, uint32_t* repaired = nullptr);

// Same, from the bytes of the column's two blocks when they were read separately
// (ts_stored = the h.Span(block) bytes at h.ts_blocks[col.ts_block].block, value_stored =
// those at col.values; with repair bytes, each span ends with them).
Status DecodeColumnBlocks(const FrameHeader& h, const FrameColumnInfo& col,
                          std::string_view ts_stored, std::string_view value_stored,
                          std::vector<Sample>* out, uint32_t* repaired = nullptr);

}  // namespace nanotdb
