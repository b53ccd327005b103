#include "storage/wal.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <utility>

#include "base/coding.h"
#include "base/crc32c.h"
#include "nanotdb/series.h"
#include "storage/filenames.h"
#include "storage/wal_format.h"
#include "storage/wal_value.h"

namespace nanotdb {
namespace {

// A batch payload (docs/format/wal.md):
//   varint new_metric_count, then per metric: varint id | u8 type | varint name_len | name
//   varint run_count, then per run of samples sharing one timestamp:
//     varint zigzag(ts - previous run's ts) | varint sample_count, then per sample:
//       varint control = zigzag(id - previous id in this record - 1) << kind bits | kind,
//       value bytes
// The value kind says how the value relates to the same metric's previous value (0 before its
// first sample): wal_value.h. From version 3 on, "previous" means in the same record, and the
// first run's timestamp is coded against 0, so every record decodes on its own; versions 1 and
// 2 carried both across the records of one WAL generation.

// Wrapping difference and sum, so any pair of timestamps codes and decodes exactly.
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

Status ValidateBatch(const WalBatch& batch) {
  for (const WalMetricDef& def : batch.new_metrics) {
    if (def.id == 0 || def.id > kMaxMetricId) {
      return Status::InvalidArgument("WAL: metric \"" + def.name + "\" has id " +
                                     std::to_string(def.id) + " outside 1.." +
                                     std::to_string(kMaxMetricId));
    }
    if (def.type != ValueType::kInt64 && def.type != ValueType::kFloat64) {
      return Status::InvalidArgument("WAL: metric \"" + def.name + "\" has type " +
                                     ValueTypeName(def.type) + " (expected int64 or float64)");
    }
    if (def.name.empty() || def.name.size() > kMaxSeriesKeyBytes) {
      return Status::InvalidArgument("WAL: metric id " + std::to_string(def.id) +
                                     " has a name of " + std::to_string(def.name.size()) +
                                     " bytes (expected 1.." + std::to_string(kMaxSeriesKeyBytes) +
                                     ")");
    }
  }
  for (const WalSample& s : batch.samples) {
    if (s.id == 0 || s.id > kMaxMetricId) {
      return Status::InvalidArgument("WAL: sample for metric id " + std::to_string(s.id) +
                                     " outside 1.." + std::to_string(kMaxMetricId));
    }
  }
  return Status::Ok();
}

}  // namespace

// The coding state of one WAL generation.
//
// Versions 1 and 2: the previous run's timestamp and every metric's previous value, carried
// across records; Encode and Decode keep an undo log of their last call, so a record that is
// not written (or not accepted) leaves the state as it was.
//
// Version 3: a record depends on no other batch record. Its first timestamp is coded against
// 0 and each metric's first value against that metric's value in the state record (kState)
// the batch names, or 0 (state 0 = none); later values against the previous one in the same
// record. The writer appends a state record (the newest value of every metric, coded against
// 0) twice, after the first batch of a generation and then every kRecordsPerState batches, so
// one damaged record never costs another; a batch whose state record was lost twice over is
// undecodable and skipped, never decoded wrongly.
class WalCodec {
 public:
  static constexpr uint64_t kRecordsPerState = 64;

  // The format version of the records to decode (1, 2 or kWalVersion); Encode writes
  // kWalVersion.
  void SetVersion(uint32_t version) { version_ = version; }
  uint32_t version() const { return version_; }

  void Reset() {
    version_ = kWalVersion;
    last_ts_ = 0;
    last_bits_.clear();
    stamp_.clear();
    record_no_ = 0;
    undo_.clear();
    gen_bits_.clear();
    gen_undo_.clear();
    state_bits_.clear();
    state_seq_ = 0;
    next_seq_ = 0;
    since_state_ = 0;
  }

  // Version 3 writer: call before encoding the records of one append.
  void BeginAppend() { gen_undo_.clear(); }
  // Version 3 writer: the append failed and was cut out: forget what it changed.
  void AbortAppend() {
    for (auto it = gen_undo_.rbegin(); it != gen_undo_.rend(); ++it) {
      gen_bits_[it->first] = it->second;
    }
    gen_undo_.clear();
    state_seq_ = 0;  // the state record may be gone: start a new one
    since_state_ = kRecordsPerState;
  }
  // Version 3 writer: true when a state record should precede the next batch.
  bool WantsState() const {
    return since_state_ >= (state_seq_ == 0 ? 1 : kRecordsPerState) && !gen_bits_.empty();
  }
  // Version 3 writer: makes the newest values the state later batches code against and
  // appends its payload.
  void EncodeState(std::string* out) {
    state_seq_ = ++next_seq_;
    since_state_ = 0;
    state_bits_ = gen_bits_;
    PutVarint64(out, state_seq_);
    uint64_t count = 0;
    for (uint64_t b : state_bits_) count += b != 0;
    PutVarint64(out, count);
    MetricId prev_id = 0;
    for (size_t id = 1; id < state_bits_.size(); ++id) {
      if (state_bits_[id] == 0) continue;
      const auto gap = static_cast<int64_t>(id) - static_cast<int64_t>(prev_id) - 1;
      prev_id = static_cast<MetricId>(id);
      PutWalValue(ZigZagEncode64(gap), 0, state_bits_[id], out);
    }
  }
  // Version 3 reader: a state record's payload becomes the state batches may name.
  bool DecodeState(std::string_view in, std::string* why) {
    uint64_t seq, count;
    if (!GetVarint64(&in, &seq) || seq == 0 || !GetVarint64(&in, &count) || count > in.size()) {
      return Fail(why, "bad state record header");
    }
    std::vector<uint64_t> bits;
    MetricId prev_id = 0;
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t control, value;
      if (!GetVarint64(&in, &control)) return Fail(why, "truncated state entry");
      const int64_t id =
          static_cast<int64_t>(prev_id) + 1 + ZigZagDecode64(control >> kWalKindBits);
      if (id <= 0 || id > static_cast<int64_t>(kMaxMetricId)) {
        return Fail(why, "state metric id " + std::to_string(id) + " out of range");
      }
      prev_id = static_cast<MetricId>(id);
      const auto kind = static_cast<unsigned>(control & ((1u << kWalKindBits) - 1));
      if (!GetWalValue(kind, 0, &in, &value, why)) return false;
      if (bits.size() <= prev_id) bits.resize(prev_id + 1, 0);
      bits[prev_id] = value;
    }
    if (!in.empty()) return Fail(why, std::to_string(in.size()) + " trailing bytes");
    state_bits_ = std::move(bits);
    state_seq_ = seq;
    return true;
  }

  // Appends the payload of a validated batch to *out.
  void Encode(const WalBatch& batch, std::string* out) {
    BeginRecord();
    BeginUndo();
    if (version_ >= 3) {
      record_seq_ = batch.samples.empty() ? 0 : state_seq_;
      PutVarint64(out, record_seq_);
      if (!batch.samples.empty()) ++since_state_;
    }
    PutVarint64(out, batch.new_metrics.size());
    for (const WalMetricDef& def : batch.new_metrics) {
      PutVarint32(out, def.id);
      out->push_back(static_cast<char>(def.type));
      PutVarint32(out, static_cast<uint32_t>(def.name.size()));
      out->append(def.name);
    }
    const auto& samples = batch.samples;
    uint64_t runs = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
      if (i == 0 || samples[i].ts != samples[i - 1].ts) ++runs;
    }
    PutVarint64(out, runs);
    MetricId prev_id = 0;
    for (size_t i = 0; i < samples.size();) {
      size_t end = i + 1;
      while (end < samples.size() && samples[end].ts == samples[i].ts) ++end;
      PutVarint64(out, ZigZagEncode64(WrapSub(samples[i].ts, last_ts_)));
      PutVarint64(out, end - i);
      last_ts_ = samples[i].ts;
      for (; i < end; ++i) {
        const WalSample& s = samples[i];
        int64_t id_gap = static_cast<int64_t>(s.id) - static_cast<int64_t>(prev_id) - 1;
        prev_id = s.id;
        uint64_t& slot = Slot(s.id);
        uint64_t prev = slot;
        undo_.emplace_back(s.id, prev);
        slot = s.bits;
        PutWalValue(ZigZagEncode64(id_gap), prev, s.bits, out);
        if (version_ >= 3) {
          if (gen_bits_.size() <= s.id) gen_bits_.resize(static_cast<size_t>(s.id) + 1, 0);
          gen_undo_.emplace_back(s.id, gen_bits_[s.id]);
          gen_bits_[s.id] = s.bits;
        }
      }
    }
  }

  // Decodes one payload into *batch; on failure says why in *why and leaves the state as it
  // was.
  bool Decode(std::string_view in, WalBatch* batch, std::string* why) {
    BeginRecord();
    BeginUndo();
    batch->new_metrics.clear();
    batch->samples.clear();
    batch->narrow_values = version_ == 1;
    if (version_ >= 3) {
      if (!GetVarint64(&in, &record_seq_)) return Fail(why, "bad state reference");
      if (record_seq_ != 0 && record_seq_ != state_seq_) {
        return Fail(why, "codes against state record " + std::to_string(record_seq_) +
                             ", which was not read intact");
      }
    }
    if (DecodeInto(in, batch, why)) return true;
    Undo();
    return false;
  }

  // Reverts the last Encode or Decode.
  void Undo() {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) last_bits_[it->first] = it->second;
    undo_.clear();
    last_ts_ = undo_ts_;
  }

 private:
  // Version 3 records start from the state they name: they decode without other batches.
  void BeginRecord() {
    if (version_ < 3) return;
    ++record_no_;
    last_ts_ = 0;
  }

  void BeginUndo() {
    undo_.clear();
    undo_ts_ = last_ts_;
  }

  uint64_t& Slot(MetricId id) {
    if (id >= last_bits_.size()) last_bits_.resize(static_cast<size_t>(id) + 1, 0);
    if (version_ >= 3) {
      if (id >= stamp_.size()) stamp_.resize(static_cast<size_t>(id) + 1, 0);
      if (stamp_[id] != record_no_) {  // the metric's first value in this record
        stamp_[id] = record_no_;
        last_bits_[id] = record_seq_ != 0 && id < state_bits_.size() ? state_bits_[id] : 0;
      }
    }
    return last_bits_[id];
  }
  bool DecodeInto(std::string_view in, WalBatch* batch, std::string* why) {
    uint64_t defs;
    if (!GetVarint64(&in, &defs) || defs > in.size()) return Fail(why, "bad metric count");
    for (uint64_t i = 0; i < defs; ++i) {
      WalMetricDef def;
      uint32_t name_len;
      std::string_view name;
      if (!GetVarint32(&in, &def.id) || def.id == 0 || def.id > kMaxMetricId) {
        return Fail(why, "bad metric id in definition " + std::to_string(i));
      }
      // Version 1 defines int32/float32 metrics, read as their 64-bit types.
      const auto type = in.empty() ? ValueType{0} : static_cast<ValueType>(in[0]);
      const bool known = version_ == 1 ? type == ValueType::kInt32 || type == ValueType::kFloat32
                                       : type == ValueType::kInt64 || type == ValueType::kFloat64;
      if (!known) return Fail(why, "bad type of metric id " + std::to_string(def.id));
      def.type = WidenType(type);
      in.remove_prefix(1);
      if (!GetVarint32(&in, &name_len) || name_len == 0 || name_len > kMaxSeriesKeyBytes ||
          !GetBytes(&in, name_len, &name)) {
        return Fail(why, "bad name of metric id " + std::to_string(def.id));
      }
      def.name.assign(name);
      batch->new_metrics.push_back(std::move(def));
    }
    uint64_t runs;
    if (!GetVarint64(&in, &runs) || runs > in.size()) return Fail(why, "bad run count");
    MetricId prev_id = 0;
    for (uint64_t r = 0; r < runs; ++r) {
      uint64_t ts_code, count;
      if (!GetVarint64(&in, &ts_code) || !GetVarint64(&in, &count) || count == 0 ||
          count > in.size()) {
        return Fail(why, "bad header of sample run " + std::to_string(r));
      }
      last_ts_ = WrapAdd(last_ts_, ZigZagDecode64(ts_code));
      for (uint64_t i = 0; i < count; ++i) {
        uint64_t control;
        if (!GetVarint64(&in, &control)) return Fail(why, "truncated sample");
        const unsigned kind_bits = version_ == 1 ? kWalKindBitsV1 : kWalKindBits;
        int64_t id = static_cast<int64_t>(prev_id) + 1 + ZigZagDecode64(control >> kind_bits);
        if (id <= 0 || id > static_cast<int64_t>(kMaxMetricId)) {
          return Fail(why, "sample metric id " + std::to_string(id) + " out of range");
        }
        prev_id = static_cast<MetricId>(id);
        const auto kind = static_cast<unsigned>(control & ((1u << kind_bits) - 1));
        uint64_t& slot = Slot(prev_id);
        const uint64_t prev = slot;
        uint64_t bits;
        if (!(version_ == 1 ? GetWalValueV1(kind, prev, &in, &bits, why)
                            : GetWalValue(kind, prev, &in, &bits, why))) {
          return false;
        }
        undo_.emplace_back(prev_id, prev);
        slot = bits;
        batch->samples.push_back({prev_id, last_ts_, bits});
      }
    }
    if (!in.empty()) return Fail(why, std::to_string(in.size()) + " trailing bytes");
    return true;
  }

  static bool Fail(std::string* why, std::string reason) {
    *why = std::move(reason);
    return false;
  }

  uint32_t version_ = kWalVersion;
  Timestamp last_ts_ = 0;
  std::vector<uint64_t> last_bits_;  // by metric id; 0 before a metric's first sample
  // Version 3.
  std::vector<uint64_t> stamp_;     // by metric id: the record that last set last_bits_
  uint64_t record_no_ = 0;          // records begun
  uint64_t record_seq_ = 0;         // the state record the current record codes against
  std::vector<uint64_t> gen_bits_;  // writer: newest value per metric id in this generation
  std::vector<std::pair<MetricId, uint64_t>> gen_undo_;  // (id, value before) of one append
  std::vector<uint64_t> state_bits_;                     // by metric id, 0 = absent
  uint64_t state_seq_ = 0;                               // 0 = no state yet
  uint64_t next_seq_ = 0;     // writer: state records numbered in this generation
  uint64_t since_state_ = 0;  // writer: batches since the last state record
  Timestamp undo_ts_ = 0;
  std::vector<std::pair<MetricId, uint64_t>> undo_;  // (id, value before) of the last call
};

namespace {

// Reads a file front to back through a window, so replay costs few system calls and little
// memory however large the log is.
class WindowReader {
 public:
  WindowReader(const RandomAccessFile& file, uint64_t size) : file_(file), size_(size) {}

  // Points *out at bytes [offset, offset + n), which the caller has checked lie within the
  // size given at construction. Fewer bytes only when the file has shrunk since (another
  // process reset it while a read-only reader looked).
  Status Get(uint64_t offset, size_t n, std::string_view* out) {
    if (offset < window_offset_ || offset + n > window_offset_ + window_.size()) {
      constexpr size_t kWindow = 1 << 20;
      size_t want = static_cast<size_t>(std::min<uint64_t>(std::max(n, kWindow), size_ - offset));
      NANOTDB_RETURN_IF_ERROR(file_.Read(offset, want, &window_));
      window_offset_ = offset;
    }
    *out = std::string_view(window_).substr(offset - window_offset_, n);
    return Status::Ok();
  }

 private:
  const RandomAccessFile& file_;
  uint64_t size_;
  std::string window_;
  uint64_t window_offset_ = 0;
};

std::string Header() {
  std::string h(kWalMagic);
  PutFixed32(&h, kWalVersion);
  return h;
}

// Checks the file header. Sets *torn (and the report) when the file is shorter than a header
// but holds a prefix of one: a crash while the file was being created.
// Adds one replayed batch to the report's record and sample counts and time range.
void CountReplayed(const WalBatch& batch, WalReadReport* r) {
  for (const WalSample& s : batch.samples) {
    if (r->samples == 0 || s.ts < r->min_ts) r->min_ts = s.ts;
    if (r->samples == 0 || s.ts > r->max_ts) r->max_ts = s.ts;
    ++r->samples;
  }
  ++r->records;
}

Status CheckHeader(const std::string& path, WindowReader* reader, WalCodec* codec, WalReadReport* r,
                   bool* torn) {
  std::string_view head;
  NANOTDB_RETURN_IF_ERROR(reader->Get(
      0, static_cast<size_t>(std::min<uint64_t>(r->file_bytes, kWalHeaderSize)), &head));
  size_t have = head.size();
  size_t magic_have = std::min(have, kWalMagic.size());
  if (head.substr(0, magic_have) != kWalMagic.substr(0, magic_have)) {
    return Status::Corruption(path +
                              " is not a NanoTDB WAL (bad magic); move it aside to "
                              "open the database");
  }
  if (have < kWalHeaderSize) {
    *torn = true;
    if (have > 0) {
      r->stop_reason = "torn file header (" + std::to_string(have) + " of " +
                       std::to_string(kWalHeaderSize) + " bytes)";
    }
    return Status::Ok();
  }
  uint32_t version = DecodeFixed32(head.data() + kWalMagic.size());
  if (version != kWalVersion && version != kWalVersionV2 && version != kWalVersionV1) {
    return Status::Corruption(path + ": WAL format version " + std::to_string(version) +
                              " is not supported (this build reads version " +
                              std::to_string(kWalVersion) + ", and versions " +
                              std::to_string(kWalVersionV1) + " and " +
                              std::to_string(kWalVersionV2) + " to upgrade them)");
  }
  codec->SetVersion(version);
  *torn = false;
  r->valid_bytes = kWalHeaderSize;
  return Status::Ok();
}

constexpr const char* kShrank = "file shrank while being read (reset by its owner)";

// Versions 1 and 2: replays records after the header until the end or the first bad record
// (their values are coded across records, so nothing after a bad one can be decoded).
Status ScanRecordsV2(WindowReader* reader, WalCodec* codec,
                     const std::function<Status(const WalBatch&)>& on_batch, WalReadReport* r) {
  WalBatch batch;
  uint64_t offset = kWalHeaderSize;
  const uint64_t size = r->file_bytes;
  auto stop = [&](std::string reason) {
    r->stop_reason = std::move(reason) + " at offset " + std::to_string(offset);
    return Status::Ok();
  };
  while (offset < size) {
    uint64_t left = size - offset;
    std::string_view head;
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, kWalRecordHeaderSizeV2));
    NANOTDB_RETURN_IF_ERROR(reader->Get(offset, want, &head));
    if (head.size() < want) return stop(kShrank);
    if (head.find_first_not_of('\0') == std::string_view::npos) return stop("zero-filled tail");
    if (left < kWalRecordHeaderSizeV2) {
      return stop("torn record header (" + std::to_string(left) + " bytes)");
    }
    uint32_t length = DecodeFixed32(head.data());
    uint32_t crc = DecodeFixed32(head.data() + 4);
    if (length > kWalMaxRecordBytes) {
      return stop("record length " + std::to_string(length) + " over the limit");
    }
    if (length > left - kWalRecordHeaderSizeV2) {
      return stop("torn record (needs " + std::to_string(length) + " payload bytes, " +
                  std::to_string(left - kWalRecordHeaderSizeV2) + " left)");
    }
    std::string_view body;  // type + payload
    NANOTDB_RETURN_IF_ERROR(reader->Get(offset + 8, length + 1, &body));
    if (body.size() < length + 1) return stop(kShrank);
    if (Crc32c(body) != crc) return stop("checksum mismatch");
    if (body[0] != static_cast<char>(WalRecordType::kBatch)) {
      return stop("unknown record type " + std::to_string(static_cast<uint8_t>(body[0])));
    }
    std::string why;
    if (!codec->Decode(body.substr(1), &batch, &why)) {
      return stop("undecodable record (" + why + ")");
    }
    NANOTDB_RETURN_IF_ERROR(on_batch(batch));
    CountReplayed(batch, r);
    offset += kWalRecordHeaderSizeV2 + length;
    r->valid_bytes = offset;
  }
  return Status::Ok();
}

uint16_t HeaderCheck(std::string_view first9) {
  return static_cast<uint16_t>(Crc32c(first9) & 0xffff);
}

// What is at one offset of a version 3 log.
struct RecordAt {
  enum Kind { kIntact, kTorn, kBad } kind = kBad;
  uint32_t length = 0;  // payload bytes (kIntact, kTorn)
  WalRecordType type = WalRecordType::kBatch;
  std::string why;  // kTorn, kBad
};

// Reads and decodes the record at `offset` (into *batch when intact). kTorn only when the
// header is intact and the record needs more bytes than the file holds, or fewer than a
// header's bytes are left: what a crash in the middle of an append leaves.
Status ReadRecordV3(WindowReader* reader, WalCodec* codec, uint64_t offset, uint64_t size,
                    WalBatch* batch, RecordAt* out) {
  *out = RecordAt();
  const uint64_t left = size - offset;
  std::string_view head;
  const size_t want = static_cast<size_t>(std::min<uint64_t>(left, kWalRecordHeaderSize));
  NANOTDB_RETURN_IF_ERROR(reader->Get(offset, want, &head));
  if (head.size() < want) {
    out->why = kShrank;
    return Status::Ok();
  }
  if (left < kWalRecordHeaderSize) {
    out->kind = RecordAt::kTorn;
    out->why = "torn record header (" + std::to_string(left) + " bytes)";
    return Status::Ok();
  }
  if (HeaderCheck(head.substr(0, 9)) != DecodeFixed16(head.data() + 9)) {
    out->why = head.find_first_not_of('\0') == std::string_view::npos ? "zero-filled record header"
                                                                      : "damaged record header";
    return Status::Ok();
  }
  const uint32_t length = DecodeFixed32(head.data());
  const uint32_t crc = DecodeFixed32(head.data() + 4);
  out->length = length;
  if (length > kWalMaxRecordBytes) {
    out->why = "record length " + std::to_string(length) + " over the limit";
    return Status::Ok();
  }
  if (length > left - kWalRecordHeaderSize) {
    out->kind = RecordAt::kTorn;
    out->why = "torn record (needs " + std::to_string(length) + " payload bytes, " +
               std::to_string(left - kWalRecordHeaderSize) + " left)";
    return Status::Ok();
  }
  std::string_view payload;
  NANOTDB_RETURN_IF_ERROR(reader->Get(offset + kWalRecordHeaderSize, length, &payload));
  if (payload.size() < length) {
    out->why = kShrank;
    return Status::Ok();
  }
  const char type = head[8];
  if (Crc32cExtend(Crc32c(std::string_view(&type, 1)), payload) != crc) {
    out->why = "checksum mismatch";
    return Status::Ok();
  }
  if (type != static_cast<char>(WalRecordType::kBatch) &&
      type != static_cast<char>(WalRecordType::kMetricDefs) &&
      type != static_cast<char>(WalRecordType::kState)) {
    out->why = "unknown record type " + std::to_string(static_cast<uint8_t>(type));
    return Status::Ok();
  }
  std::string why;
  if (type == static_cast<char>(WalRecordType::kState)) {
    if (!codec->DecodeState(payload, &why)) {
      out->why = "undecodable state record (" + why + ")";
      return Status::Ok();
    }
    out->kind = RecordAt::kIntact;
    out->type = WalRecordType::kState;
    return Status::Ok();
  }
  if (!codec->Decode(payload, batch, &why)) {
    out->why = "undecodable record (" + why + ")";
    return Status::Ok();
  }
  if (type == static_cast<char>(WalRecordType::kMetricDefs) && !batch->samples.empty()) {
    out->why = "undecodable record (metric definitions with samples)";
    return Status::Ok();
  }
  out->kind = RecordAt::kIntact;
  out->type = static_cast<WalRecordType>(type);
  return Status::Ok();
}

// Version 3: replays every intact record. A bad record is skipped: the scan goes on at the
// next offset where an intact record starts (header check, checksum and decoding all pass),
// and the bytes in between are reported as damaged. Only a tail that is provably torn (or
// zero-filled) is left out of report.damaged; any other bad tail is reported as damaged too.
Status ScanRecordsV3(WindowReader* reader, WalCodec* codec,
                     const std::function<Status(const WalBatch&)>& on_batch, WalReadReport* r) {
  WalBatch batch;
  // Definitions of a kMetricDefs record, replayed only when the batch record after it (which
  // repeats them) is damaged.
  std::vector<WalMetricDef> pending;
  auto flush_pending = [&]() -> Status {
    if (pending.empty()) return Status::Ok();
    WalBatch defs;
    defs.new_metrics = std::move(pending);
    pending.clear();
    return on_batch(defs);
  };
  uint64_t offset = kWalHeaderSize;
  const uint64_t size = r->file_bytes;
  RecordAt rec;
  while (offset < size) {
    NANOTDB_RETURN_IF_ERROR(ReadRecordV3(reader, codec, offset, size, &batch, &rec));
    if (rec.kind == RecordAt::kIntact) {
      if (rec.type == WalRecordType::kState) {
        // Nothing to replay: later batches code against it.
      } else if (rec.type == WalRecordType::kMetricDefs) {
        NANOTDB_RETURN_IF_ERROR(flush_pending());
        pending = batch.new_metrics;
      } else {
        if (!pending.empty() && pending != batch.new_metrics) {
          NANOTDB_RETURN_IF_ERROR(flush_pending());
        }
        pending.clear();
        NANOTDB_RETURN_IF_ERROR(on_batch(batch));
        CountReplayed(batch, r);
      }
      offset += kWalRecordHeaderSize + rec.length;
      r->valid_bytes = offset;
      continue;
    }
    if (rec.why == kShrank) {
      r->stop_reason = std::string(kShrank) + " at offset " + std::to_string(offset);
      break;
    }
    // Resynchronise: the next offset where an intact record starts.
    const RecordAt bad = rec;
    uint64_t next = offset + 1;
    bool found = false;
    for (; next + kWalRecordHeaderSize <= size; ++next) {
      std::string_view head;
      NANOTDB_RETURN_IF_ERROR(reader->Get(next, kWalRecordHeaderSize, &head));
      if (head.size() < kWalRecordHeaderSize) break;
      if (HeaderCheck(head.substr(0, 9)) != DecodeFixed16(head.data() + 9)) continue;
      NANOTDB_RETURN_IF_ERROR(ReadRecordV3(reader, codec, next, size, &batch, &rec));
      if (rec.kind == RecordAt::kIntact) {
        found = true;
        break;
      }
    }
    if (found) {
      NANOTDB_RETURN_IF_ERROR(flush_pending());
      r->damaged.push_back({offset, next - offset, bad.why});
      offset = next;
      continue;
    }
    // Nothing intact follows: this is the tail.
    std::string_view rest;
    NANOTDB_RETURN_IF_ERROR(reader->Get(offset, static_cast<size_t>(size - offset), &rest));
    const bool zeros = rest.find_first_not_of('\0') == std::string_view::npos;
    r->stop_reason = (zeros ? std::string("zero-filled tail") : bad.why) + " at offset " +
                     std::to_string(offset);
    if (bad.kind != RecordAt::kTorn && !zeros) {
      NANOTDB_RETURN_IF_ERROR(flush_pending());
      r->damaged.push_back({offset, size - offset, bad.why});
    }
    break;
  }
  return Status::Ok();
}

Status ScanRecords(WindowReader* reader, WalCodec* codec,
                   const std::function<Status(const WalBatch&)>& on_batch, WalReadReport* r) {
  if (codec->version() >= 3) return ScanRecordsV3(reader, codec, on_batch, r);
  return ScanRecordsV2(reader, codec, on_batch, r);
}

// Reads the file at `path` (which exists): header, then records. *torn_header as CheckHeader.
Status Scan(Env* env, const std::string& path, WalCodec* codec,
            const std::function<Status(const WalBatch&)>& on_batch, WalReadReport* r,
            bool* torn_header) {
  NANOTDB_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  r->file_bytes = file->Size();
  WindowReader reader(*file, r->file_bytes);
  Status header = CheckHeader(path, &reader, codec, r, torn_header);
  if (!header.ok()) {
    // A damaged header (bad magic or version; it has no checksum) in front of an intact
    // version 3 record costs only its 12 bytes: the log is read as the current version. A
    // file without such a record is not ours and stays refused.
    if (!header.IsCorruption() || r->file_bytes <= kWalHeaderSize) return header;
    codec->SetVersion(kWalVersion);
    WalBatch probe;
    RecordAt rec;
    NANOTDB_RETURN_IF_ERROR(
        ReadRecordV3(&reader, codec, kWalHeaderSize, r->file_bytes, &probe, &rec));
    if (rec.kind != RecordAt::kIntact) return header;
    if (rec.type != WalRecordType::kState) codec->Undo();  // the scan decodes it again
    r->damaged.push_back({0, kWalHeaderSize, "damaged file header (" + header.message() + ")"});
    r->valid_bytes = kWalHeaderSize;
    *torn_header = false;
  }
  if (!*torn_header) NANOTDB_RETURN_IF_ERROR(ScanRecords(&reader, codec, on_batch, r));
  r->tail_bytes = r->file_bytes - r->valid_bytes;
  return Status::Ok();
}

}  // namespace

WalWriter::WalWriter(std::string path, WalOptions opts, std::unique_ptr<WritableFile> file,
                     std::unique_ptr<WalCodec> codec)
    : path_(std::move(path)), opts_(opts), file_(std::move(file)), codec_(std::move(codec)) {}

WalWriter::~WalWriter() = default;

Result<std::unique_ptr<WalWriter>> WalWriter::Open(
    Env* env, const std::string& path, const WalOptions& opts,
    const std::function<Status(const WalBatch&)>& on_batch, WalReadReport* report) {
  WalReadReport local;
  WalReadReport* r = report ? report : &local;
  *r = WalReadReport();
  auto codec = std::make_unique<WalCodec>();
  bool exists = env->FileExists(path);
  bool torn_header = true;
  if (exists) {
    NANOTDB_RETURN_IF_ERROR(Scan(env, path, codec.get(), on_batch, r, &torn_header));
  }
  // Nothing damaged is destroyed: every damaged region is copied next to the log before the
  // tail is cut or the next Reset empties the log.
  if (!r->damaged.empty()) {
    NANOTDB_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> in, env->NewRandomAccessFile(path));
    for (WalDamage& d : r->damaged) {
      std::string bytes;
      NANOTDB_RETURN_IF_ERROR(in->Read(d.offset, static_cast<size_t>(d.bytes), &bytes));
      d.quarantine = path + ".quarantine." + std::to_string(d.offset);
      NANOTDB_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> q,
                               env->NewWritableFile(d.quarantine, true));
      Status st = q->Append(bytes);
      if (st.ok()) st = q->Sync();
      if (!st.ok()) return st.WithContext("quarantining damaged WAL bytes to " + d.quarantine);
    }
    NANOTDB_RETURN_IF_ERROR(env->SyncDir(DirName(path)));
  }
  NANOTDB_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env->NewWritableFile(path, false));
  Status s;
  if (torn_header) {
    s = file->Truncate(0);
    if (s.ok()) s = file->Append(Header());
    if (s.ok()) s = file->Sync();
    if (s.ok()) s = env->SyncDir(DirName(path));
  } else if (codec->version() != kWalVersion && r->records == 0) {
    // An empty version 1 log (a clean shutdown of an older build): start it over as version 2.
    s = file->Truncate(0);
    if (s.ok()) s = file->Append(Header());
    if (s.ok()) s = file->Sync();
    if (s.ok()) codec->Reset();
  } else if (r->tail_bytes > 0) {
    s = file->Truncate(r->valid_bytes);
    if (s.ok()) s = file->Sync();
  }
  if (!s.ok()) return s.WithContext("opening WAL " + path);
  auto w = std::make_unique<WalWriter>(path, opts, std::move(file), std::move(codec));
  // A damaged header is written anew by the next Reset (appends until then follow it).
  w->rewrite_header_ = !r->damaged.empty() && r->damaged.front().offset == 0;
  return w;
}

uint32_t WalWriter::format_version() const { return codec_->version(); }

Status WalWriter::AppendNoSync(const WalBatch& batch, uint64_t* seq) {
  const bool sync = opts_.sync_every_append;
  opts_.sync_every_append = false;
  Status s = Append(batch);
  opts_.sync_every_append = sync;
  *seq = appended_.load();
  return s;
}

Status WalWriter::SyncUpTo(uint64_t seq) {
  if (synced_.load() >= seq) return Status::Ok();
  std::lock_guard lock(sync_mu_);
  if (!sync_failed_.ok()) return sync_failed_;
  if (synced_.load() >= seq) return Status::Ok();  // an fsync that started later covered it
  // Every append counted here finished writing before it was counted.
  const uint64_t target = appended_.load();
  Status s = file_->Sync();
  if (!s.ok()) {
    sync_failed_ = s.WithContext("syncing WAL " + path_ +
                                 " (no later write is acknowledged "
                                 "until the next flush empties the log)");
    return sync_failed_;
  }
  synced_.store(std::max(synced_.load(), target));
  return Status::Ok();
}

Status WalWriter::Append(const WalBatch& batch) {
  if (!broken_.ok()) return broken_;
  if (batch.samples.empty() && batch.new_metrics.empty()) return Status::Ok();
  if (codec_->version() != kWalVersion) {
    return Status::Unsupported("WAL " + path_ + " holds format version " +
                               std::to_string(codec_->version()) +
                               " records; flush the open pages and Reset() it first");
  }
  NANOTDB_RETURN_IF_ERROR(ValidateBatch(batch));
  scratch_.clear();
  codec_->BeginAppend();
  if (!batch.samples.empty() && codec_->WantsState()) {
    // Twice: a damaged byte costs at most one copy, and the batches coded against it decode.
    std::string payload;
    codec_->EncodeState(&payload);
    for (int copy = 0; copy < 2; ++copy) AppendRawRecord(WalRecordType::kState, payload);
  }
  if (!batch.new_metrics.empty()) {
    // The definitions also go in a record of their own before the batch: a damaged byte costs
    // at most one of the two, so later records' samples always keep their metric names.
    WalBatch defs;
    defs.new_metrics = batch.new_metrics;
    NANOTDB_RETURN_IF_ERROR(AppendRecord(WalRecordType::kMetricDefs, defs));
  }
  NANOTDB_RETURN_IF_ERROR(AppendRecord(WalRecordType::kBatch, batch));

  uint64_t before = file_->Size();
  Status s = file_->Append(scratch_);
  const bool sync = opts_.sync_every_append || file_->Size() >= opts_.sync_above_bytes;
  if (s.ok() && sync) s = file_->Sync();
  if (s.ok()) {
    const uint64_t n = appended_.fetch_add(1) + 1;
    if (sync) synced_.store(std::max(synced_.load(), n));
    return s;
  }
  // Cut the record back out so replay never sees a batch the caller was told failed.
  codec_->AbortAppend();
  Status undo = file_->Truncate(before);
  if (!undo.ok()) {
    broken_ =
        Status::IOError("WAL " + path_ + " is unusable after a failed append (" + s.message() +
                        "; then " + undo.message() + "); restart to recover its intact records");
  }
  return s.WithContext("appending to WAL " + path_);
}

void WalWriter::AppendRawRecord(WalRecordType type, std::string_view payload) {
  const size_t start = scratch_.size();
  scratch_.append(kWalRecordHeaderSize, '\0');
  scratch_.append(payload);
  SealRecord(type, start);
}

void WalWriter::SealRecord(WalRecordType type, size_t start) {
  const size_t length = scratch_.size() - start - kWalRecordHeaderSize;
  char* h = scratch_.data() + start;
  EncodeFixed32(h, static_cast<uint32_t>(length));
  h[8] = static_cast<char>(type);
  const std::string_view payload = std::string_view(scratch_).substr(start + kWalRecordHeaderSize);
  EncodeFixed32(h + 4, Crc32cExtend(Crc32c(std::string_view(h + 8, 1)), payload));
  const uint16_t check = HeaderCheck(std::string_view(h, 9));
  h[9] = static_cast<char>(check & 0xff);
  h[10] = static_cast<char>(check >> 8);
}

Status WalWriter::AppendRecord(WalRecordType type, const WalBatch& batch) {
  const size_t start = scratch_.size();
  scratch_.append(kWalRecordHeaderSize, '\0');
  codec_->Encode(batch, &scratch_);
  const size_t length = scratch_.size() - start - kWalRecordHeaderSize;
  if (length > kWalMaxRecordBytes) {
    codec_->AbortAppend();
    return Status::InvalidArgument("WAL: batch of " + std::to_string(batch.samples.size()) +
                                   " samples needs " + std::to_string(length) +
                                   " bytes, over the record limit of " +
                                   std::to_string(kWalMaxRecordBytes) + "; split it");
  }
  SealRecord(type, start);
  return Status::Ok();
}

Status WalWriter::Reset() {
  if (codec_->version() != kWalVersion || rewrite_header_) {
    // A version 1 log is started over with a current header, as is one whose header was
    // damaged. A crash in between leaves a torn header, which Open rewrites: the log was
    // empty either way.
    NANOTDB_RETURN_IF_ERROR(file_->Truncate(0).WithContext("resetting WAL " + path_));
    NANOTDB_RETURN_IF_ERROR(file_->Append(Header()).WithContext("resetting WAL " + path_));
  } else {
    NANOTDB_RETURN_IF_ERROR(file_->Truncate(kWalHeaderSize).WithContext("resetting WAL " + path_));
  }
  rewrite_header_ = false;
  codec_->Reset();  // the file now matches an empty state, whatever the sync below says
  broken_ = Status::Ok();
  NANOTDB_RETURN_IF_ERROR(file_->Sync().WithContext("resetting WAL " + path_));
  // What earlier appends held is in synced data files now.
  std::lock_guard lock(sync_mu_);
  sync_failed_ = Status::Ok();
  synced_.store(appended_.load());
  return Status::Ok();
}

Status WalWriter::Sync() { return file_->Sync().WithContext("syncing WAL " + path_); }

uint64_t WalWriter::size() const { return file_->Size(); }

const std::string& WalWriter::path() const { return path_; }

Status ReadWal(Env* env, const std::string& path,
               const std::function<Status(const WalBatch&)>& on_batch, WalReadReport* report) {
  WalReadReport local;
  WalReadReport* r = report ? report : &local;
  *r = WalReadReport();
  if (!env->FileExists(path)) return Status::Ok();
  WalCodec codec;
  bool torn_header = false;
  return Scan(env, path, &codec, on_batch, r, &torn_header);
}

}  // namespace nanotdb
