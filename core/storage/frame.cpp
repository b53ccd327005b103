#include "storage/frame.h"

#include <zstd.h>

#include <algorithm>
#include <memory>
#include <numeric>
#include <unordered_map>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/repair_code.h"
#include "storage/column_codec.h"
#include "storage/frame_format.h"

namespace nanotdb {
namespace {

using data_format::kBlockRaw;
using data_format::kBlockZstd;

// A raw block never needs more than this per sample (10-byte varints, 8-byte planes, XOR
// windows) plus its fixed fields; a directory claiming more is corrupt, and the bound keeps a
// corrupt raw_len from making a decoder allocate gigabytes.
uint64_t MaxRawBlockLen(uint64_t count) { return count * 11 + 32; }

// What a sample of a column of this type takes uncompressed: the timestamp and the value.
uint64_t RawSampleBytes(ValueType t) {
  return t == ValueType::kInt32 || t == ValueType::kFloat32 ? 12 : 16;
}

struct ZstdCCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct ZstdDCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

struct EncodedBlock {
  std::string stored;
  uint32_t raw_len = 0;
  uint8_t compression = kBlockRaw;
};

EncodedBlock Compress(ZSTD_CCtx* cctx, int level, std::string raw) {
  EncodedBlock b;
  b.raw_len = static_cast<uint32_t>(raw.size());
  std::string z(ZSTD_compressBound(raw.size()), '\0');
  const size_t n = ZSTD_compressCCtx(cctx, z.data(), z.size(), raw.data(), raw.size(), level);
  if (!ZSTD_isError(n) && n < raw.size()) {
    z.resize(n);
    b.stored = std::move(z);
    b.compression = kBlockZstd;
  } else {
    b.stored = std::move(raw);
  }
  return b;
}

void PutBlockRef(const BlockRef& r, std::string* out) {
  PutVarint32(out, r.offset);
  PutVarint32(out, r.stored_len);
  PutVarint32(out, r.raw_len);
  out->push_back(static_cast<char>(r.compression));
  PutFixed32(out, r.crc);
}

bool GetBlockRef(std::string_view* in, BlockRef* r) {
  if (!GetVarint32(in, &r->offset) || !GetVarint32(in, &r->stored_len) ||
      !GetVarint32(in, &r->raw_len) || in->empty()) {
    return false;
  }
  r->compression = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  return GetFixed32(in, &r->crc);
}

uint64_t HashTimestamps(std::span<const Sample> s) {
  uint64_t h = 1469598103934665603ull ^ s.size();
  for (const Sample& x : s) h = (h ^ static_cast<uint64_t>(x.ts)) * 1099511628211ull;
  return h;
}

bool SameTimestamps(std::span<const Sample> a, std::span<const Sample> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const Sample& x, const Sample& y) { return x.ts == y.ts; });
}

Status CheckColumn(const ColumnInput& c) {
  const std::string name = "metric id " + std::to_string(c.id);
  if (c.samples.empty()) return Status::InvalidArgument(name + ": column has no samples");
  if (c.type != ValueType::kInt64 && c.type != ValueType::kFloat64) {
    return Status::InvalidArgument(name + ": value type must be int64 or float64 (got " +
                                   ValueTypeName(c.type) + ")");
  }
  if (c.samples.size() > UINT32_MAX) {
    return Status::InvalidArgument(name + ": more than 2^32-1 samples in one frame");
  }
  for (size_t i = 1; i < c.samples.size(); ++i) {
    if (c.samples[i].ts < c.samples[i - 1].ts) {
      return Status::InvalidArgument(name + ": samples are not sorted by timestamp (index " +
                                     std::to_string(i) + "); sort the page before flushing");
    }
  }
  return Status::Ok();
}

Status Corrupt(std::string_view what) {
  return Status::Corruption("frame header: " + std::string(what));
}

// Verifies and decompresses one block into *raw. `span` holds its stored bytes, followed by
// their repair bytes when the frame has them; a block failing its CRC is repaired with them
// when that makes the CRC match.
Status LoadBlock(const FrameHeader& h, const BlockRef& ref, std::string_view span, std::string* raw,
                 uint32_t* repaired) {
  if (span.size() != h.Span(ref)) return Status::Corruption("block length mismatch");
  std::string_view stored = span.substr(0, ref.stored_len);
  const uint32_t crc = Crc32c(stored);
  std::string fixed;
  if (crc != ref.crc) {
    int n = -1;
    if (h.repair_bytes) {
      fixed.assign(stored);
      n = RepairInPlace(&fixed, span.substr(ref.stored_len));
    }
    if (n <= 0 || Crc32c(fixed) != ref.crc) {
      return Status::Corruption("block checksum mismatch (expected " + std::to_string(ref.crc) +
                                ", got " + std::to_string(crc) + ")" +
                                (h.repair_bytes ? "; beyond repair" : ""));
    }
    if (repaired != nullptr) *repaired += static_cast<uint32_t>(n);
    stored = fixed;
  }
  if (ref.compression == kBlockRaw) {
    if (ref.raw_len != ref.stored_len) return Status::Corruption("raw block length mismatch");
    raw->assign(stored);
    return Status::Ok();
  }
  raw->resize(ref.raw_len);
  // One context per thread: creating one per block would dominate a one-metric read.
  thread_local std::unique_ptr<ZSTD_DCtx, ZstdDCtxDeleter> dctx(ZSTD_createDCtx());
  const size_t n =
      ZSTD_decompressDCtx(dctx.get(), raw->data(), raw->size(), stored.data(), stored.size());
  if (ZSTD_isError(n)) {
    return Status::Corruption(std::string("zstd block does not decompress: ") +
                              ZSTD_getErrorName(n));
  }
  if (n != ref.raw_len) return Status::Corruption("zstd block has the wrong decoded length");
  return Status::Ok();
}

}  // namespace

const FrameColumnInfo* FrameHeader::Find(MetricId id) const {
  auto it = std::lower_bound(columns.begin(), columns.end(), id,
                             [](const FrameColumnInfo& c, MetricId v) { return c.id < v; });
  return it != columns.end() && it->id == id ? &*it : nullptr;
}

uint32_t FrameHeader::Span(const BlockRef& b) const {
  return b.stored_len + (repair_bytes ? static_cast<uint32_t>(RepairBytes(b.stored_len)) : 0);
}

uint64_t FrameHeaderSpan(uint64_t header_bytes, bool repair_bytes) {
  return header_bytes + (repair_bytes ? RepairBytes(header_bytes) : 0);
}

Status EncodeFrame(std::span<const ColumnInput> columns, const FrameOptions& opts,
                   std::string* out) {
  if (columns.empty()) return Status::InvalidArgument("a frame needs at least one column");
  std::vector<size_t> order(columns.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return columns[a].id < columns[b].id; });
  for (size_t i = 0; i < order.size(); ++i) {
    NANOTDB_RETURN_IF_ERROR(CheckColumn(columns[order[i]]));
    if (i > 0 && columns[order[i]].id == columns[order[i - 1]].id) {
      return Status::InvalidArgument("metric id " + std::to_string(columns[order[i]].id) +
                                     " appears twice in one frame");
    }
  }

  std::unique_ptr<ZSTD_CCtx, ZstdCCtxDeleter> cctx(ZSTD_createCCtx());
  const int level = std::clamp(opts.zstd_level, 1, ZSTD_maxCLevel());

  // Timestamp blocks, one per distinct timestamp column.
  std::vector<EncodedBlock> ts_blocks;
  std::vector<std::span<const Sample>> ts_sources;
  std::vector<uint32_t> ts_of_column(order.size());
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_hash;
  for (size_t i = 0; i < order.size(); ++i) {
    const auto samples = columns[order[i]].samples;
    auto& candidates = by_hash[HashTimestamps(samples)];
    auto same = std::find_if(candidates.begin(), candidates.end(),
                             [&](uint32_t t) { return SameTimestamps(ts_sources[t], samples); });
    if (same != candidates.end()) {
      ts_of_column[i] = *same;
      continue;
    }
    std::string raw;
    EncodeTimestamps(samples, &raw);
    ts_of_column[i] = static_cast<uint32_t>(ts_blocks.size());
    candidates.push_back(ts_of_column[i]);
    ts_blocks.push_back(Compress(cctx.get(), level, std::move(raw)));
    ts_sources.push_back(samples);
  }
  std::vector<EncodedBlock> value_blocks;
  value_blocks.reserve(order.size());
  std::vector<std::string> candidates;
  for (size_t i : order) {
    EncodeValueCandidates(columns[i].type, columns[i].samples, &candidates);
    EncodedBlock best;
    for (size_t c = 0; c < candidates.size(); ++c) {
      EncodedBlock b = Compress(cctx.get(), level, std::move(candidates[c]));
      if (c == 0 || b.stored.size() < best.stored.size()) best = std::move(b);
    }
    value_blocks.push_back(std::move(best));
  }

  // Directory; block offsets are stored relative to the end of the header (and its repair
  // bytes) so that the header's size does not depend on them.
  const bool repair = opts.repair_bytes;
  uint64_t blocks_bytes = 0;
  auto place = [&](const EncodedBlock& b) {
    BlockRef r;
    r.offset = static_cast<uint32_t>(blocks_bytes);
    r.stored_len = static_cast<uint32_t>(b.stored.size());
    r.raw_len = b.raw_len;
    r.compression = b.compression;
    r.crc = Crc32c(b.stored);
    blocks_bytes += b.stored.size() + (repair ? RepairBytes(b.stored.size()) : 0);
    return r;
  };
  Timestamp min_ts = kMaxTimestamp, max_ts = kMinTimestamp;
  uint64_t samples = 0;
  for (const ColumnInput& c : columns) {
    min_ts = std::min(min_ts, c.samples.front().ts);
    max_ts = std::max(max_ts, c.samples.back().ts);
    samples += c.samples.size();
  }
  if (samples * RawSampleBytes(ValueType::kInt64) > data_format::kMaxFrameBytes) {
    return Status::InvalidArgument("frame of " + std::to_string(samples) +
                                   " samples is too large; flush pages smaller than 1 GiB");
  }
  std::string body;
  PutFixed64(&body, static_cast<uint64_t>(min_ts));
  PutFixed64(&body, static_cast<uint64_t>(max_ts));
  PutFixed32(&body, static_cast<uint32_t>(samples));
  PutVarint32(&body, static_cast<uint32_t>(ts_blocks.size()));
  PutVarint32(&body, static_cast<uint32_t>(order.size()));
  for (size_t t = 0; t < ts_blocks.size(); ++t) {
    PutBlockRef(place(ts_blocks[t]), &body);
    PutVarint32(&body, static_cast<uint32_t>(ts_sources[t].size()));
  }
  for (size_t i = 0; i < order.size(); ++i) {
    const ColumnInput& c = columns[order[i]];
    PutVarint32(&body, c.id);
    body.push_back(static_cast<char>(c.type));
    PutVarint32(&body, static_cast<uint32_t>(c.samples.size()));
    PutVarint32(&body, ts_of_column[i]);
    PutVarint64(&body, static_cast<uint64_t>(c.samples.front().ts) - static_cast<uint64_t>(min_ts));
    PutVarint64(&body, static_cast<uint64_t>(c.samples.back().ts) -
                           static_cast<uint64_t>(c.samples.front().ts));
    PutBlockRef(place(value_blocks[i]), &body);
  }
  const uint64_t header_bytes = data_format::kFramePrefixSize + body.size() + 4;
  const uint64_t frame_bytes = FrameHeaderSpan(header_bytes, repair) + blocks_bytes;
  if (header_bytes > data_format::kMaxFrameHeaderBytes ||
      frame_bytes > data_format::kMaxFrameBytes) {
    return Status::InvalidArgument("frame of " + std::to_string(order.size()) +
                                   " metrics is too large; flush smaller pages");
  }
  const size_t start = out->size();
  out->append(data_format::kFrameMagic);
  PutFixed32(out, static_cast<uint32_t>(frame_bytes));
  PutFixed32(out, static_cast<uint32_t>(header_bytes));
  out->append(body);
  PutFixed32(out, Crc32c(std::string_view(*out).substr(start, header_bytes - 4)));
  if (repair) AppendRepairBytes(std::string_view(*out).substr(start, header_bytes), out);
  for (const auto* blocks : {&ts_blocks, &value_blocks}) {
    for (const EncodedBlock& b : *blocks) {
      out->append(b.stored);
      if (repair) AppendRepairBytes(b.stored, out);
    }
  }
  return Status::Ok();
}

Result<FrameHeader> ParseFrameHeader(std::string_view data, bool repair_bytes) {
  if (data.size() < data_format::kMinFrameHeaderSize) return Corrupt("truncated frame prefix");
  FrameHeader h;
  h.repair_bytes = repair_bytes;
  h.header_bytes = DecodeFixed32(data.data() + 8);
  if (h.header_bytes < data_format::kMinFrameHeaderSize ||
      h.header_bytes > data_format::kMaxFrameHeaderBytes) {
    return Corrupt("implausible header length (" + std::to_string(h.header_bytes) + " bytes)");
  }
  const uint64_t span = FrameHeaderSpan(h.header_bytes, repair_bytes);
  // Verify the magic, the frame length and the CRC; with repair bytes a header failing them
  // is repaired first (on a copy) when its repair bytes are there.
  auto intact = [&](std::string_view head) {
    return head.substr(0, 4) == data_format::kFrameMagic &&
           DecodeFixed32(head.data() + 8) == h.header_bytes &&
           Crc32c(head.substr(0, h.header_bytes - 4)) ==
               DecodeFixed32(head.data() + h.header_bytes - 4);
  };
  std::string fixed;
  if (data.size() < h.header_bytes) return Corrupt("truncated header");
  if (!intact(data)) {
    int n = -1;
    if (repair_bytes && data.size() >= span) {
      fixed.assign(data.substr(0, h.header_bytes));
      n = RepairInPlace(&fixed, data.substr(h.header_bytes, span - h.header_bytes));
    }
    if (n <= 0 || !intact(fixed)) {
      if (data.substr(0, 4) != data_format::kFrameMagic) return Corrupt("bad frame magic");
      return Corrupt(repair_bytes && data.size() >= span ? "header checksum mismatch; beyond repair"
                                                         : "header checksum mismatch");
    }
    h.repaired_bytes = static_cast<uint32_t>(n);
    data = fixed;
  }
  h.frame_bytes = DecodeFixed32(data.data() + 4);
  if (span > h.frame_bytes || h.frame_bytes > data_format::kMaxFrameBytes) {
    return Corrupt("implausible lengths (frame " + std::to_string(h.frame_bytes) +
                   " bytes, header " + std::to_string(h.header_bytes) + " bytes)");
  }

  std::string_view in = data.substr(data_format::kFramePrefixSize,
                                    h.header_bytes - data_format::kFramePrefixSize - 4);
  uint64_t min_ts, max_ts;
  uint32_t ts_count, column_count;
  if (!GetFixed64(&in, &min_ts) || !GetFixed64(&in, &max_ts) || !GetFixed32(&in, &h.samples) ||
      !GetVarint32(&in, &ts_count) || !GetVarint32(&in, &column_count)) {
    return Corrupt("truncated directory");
  }
  h.min_ts = static_cast<Timestamp>(min_ts);
  h.max_ts = static_cast<Timestamp>(max_ts);
  if (h.min_ts > h.max_ts) return Corrupt("min_ts after max_ts");
  if (column_count == 0 || ts_count == 0 || ts_count > column_count || column_count > in.size()) {
    return Corrupt("implausible column count");
  }
  const uint64_t blocks_area = h.frame_bytes - span;
  bool any_zstd = false;
  auto check_ref = [&](BlockRef* r, uint64_t count) {
    if (static_cast<uint64_t>(r->offset) + h.Span(*r) > blocks_area) return false;
    if (r->compression != kBlockRaw && r->compression != kBlockZstd) return false;
    if (r->raw_len > MaxRawBlockLen(count)) return false;
    if (r->compression == kBlockRaw && r->raw_len != r->stored_len) return false;
    any_zstd |= r->compression == kBlockZstd;
    r->offset += static_cast<uint32_t>(span);
    return true;
  };
  h.ts_blocks.resize(ts_count);
  for (TimestampBlockInfo& t : h.ts_blocks) {
    if (!GetBlockRef(&in, &t.block) || !GetVarint32(&in, &t.count)) {
      return Corrupt("truncated timestamp block entry");
    }
    if (t.count == 0 || !check_ref(&t.block, t.count)) {
      return Corrupt("timestamp block entry out of bounds");
    }
  }
  h.columns.resize(column_count);
  uint64_t samples = 0, raw_bytes = 0;
  for (size_t i = 0; i < h.columns.size(); ++i) {
    FrameColumnInfo& c = h.columns[i];
    uint64_t first_off, span;
    if (!GetVarint32(&in, &c.id) || in.empty()) return Corrupt("truncated column entry");
    c.type = static_cast<ValueType>(in[0]);
    in.remove_prefix(1);
    if (!GetVarint32(&in, &c.count) || !GetVarint32(&in, &c.ts_block) ||
        !GetVarint64(&in, &first_off) || !GetVarint64(&in, &span) || !GetBlockRef(&in, &c.values)) {
      return Corrupt("truncated column entry");
    }
    const std::string name = "metric id " + std::to_string(c.id);
    if (i > 0 && c.id <= h.columns[i - 1].id) return Corrupt("column ids out of order");
    if (c.type != ValueType::kInt32 && c.type != ValueType::kFloat32 &&
        c.type != ValueType::kInt64 && c.type != ValueType::kFloat64) {
      return Corrupt(name + ": unknown value type");
    }
    raw_bytes += RawSampleBytes(c.type) * c.count;
    if (c.ts_block >= ts_count || h.ts_blocks[c.ts_block].count != c.count) {
      return Corrupt(name + ": bad timestamp block reference");
    }
    c.min_ts = static_cast<Timestamp>(min_ts + first_off);
    c.max_ts = static_cast<Timestamp>(static_cast<uint64_t>(c.min_ts) + span);
    if (first_off > max_ts - min_ts || span > max_ts - static_cast<uint64_t>(c.min_ts)) {
      return Corrupt(name + ": time range outside the frame's");
    }
    if (!check_ref(&c.values, c.count)) return Corrupt(name + ": value block out of bounds");
    samples += c.count;
  }
  if (!in.empty()) return Corrupt("trailing bytes in directory");
  if (samples != h.samples || samples * 12 > data_format::kMaxFrameBytes) {
    return Corrupt("sample count disagrees with the columns");
  }
  h.raw_bytes = static_cast<uint32_t>(std::min<uint64_t>(raw_bytes, UINT32_MAX));
  h.codec = any_zstd ? "zstd" : "raw";
  return h;
}

Status DecodeColumnBlocks(const FrameHeader& h, const FrameColumnInfo& col,
                          std::string_view ts_stored, std::string_view value_stored,
                          std::vector<Sample>* out, uint32_t* repaired) {
  const auto fail = [&](const Status& s, std::string_view block) {
    return Status::Corruption("metric id " + std::to_string(col.id) + " " + std::string(block) +
                              " block: " + s.message());
  };
  std::string raw;
  std::vector<Timestamp> ts;
  Status s = LoadBlock(h, h.ts_blocks[col.ts_block].block, ts_stored, &raw, repaired);
  if (s.ok()) s = DecodeTimestamps(raw, col.count, &ts);
  if (!s.ok()) return fail(s, "timestamp");
  if (ts.front() != col.min_ts || ts.back() != col.max_ts ||
      !std::is_sorted(ts.begin(), ts.end())) {
    return fail(Status::Corruption("timestamps disagree with the directory"), "timestamp");
  }
  std::vector<uint64_t> values;
  s = LoadBlock(h, col.values, value_stored, &raw, repaired);
  if (s.ok()) s = DecodeValues(col.type, raw, col.count, &values);
  if (!s.ok()) return fail(s, "value");
  out->reserve(out->size() + col.count);
  for (size_t i = 0; i < ts.size(); ++i) out->push_back(Sample{ts[i], values[i]});
  return Status::Ok();
}

Status DecodeFrameColumn(std::string_view frame, const FrameHeader& h, MetricId id,
                         std::vector<Sample>* out, uint32_t* repaired) {
  const FrameColumnInfo* col = h.Find(id);
  if (col == nullptr) {
    return Status::NotFound("metric id " + std::to_string(id) + " is not in this frame");
  }
  if (frame.size() < h.frame_bytes) return Status::Corruption("frame is truncated");
  const BlockRef& t = h.ts_blocks[col->ts_block].block;
  return DecodeColumnBlocks(h, *col, frame.substr(t.offset, h.Span(t)),
                            frame.substr(col->values.offset, h.Span(col->values)), out, repaired);
}

}  // namespace nanotdb
