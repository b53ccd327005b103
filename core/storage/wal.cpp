#include "storage/wal.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <utility>

#include "base/coding.h"
#include "base/crc32c.h"
#include "storage/filenames.h"
#include "storage/wal_format.h"

namespace nanotdb {
namespace {

// A batch payload (docs/format/wal.md):
//   varint new_metric_count, then per metric: varint id | u8 type | varint name_len | name
//   varint run_count, then per run of samples sharing one timestamp:
//     varint zigzag(ts - previous run's ts) | varint sample_count, then per sample:
//       varint control = zigzag(id - previous id in this record - 1) << 5 | kind, value bytes
// The value kind says how the value relates to the same metric's previous value in this WAL
// generation (0 before its first sample); the writer picks the shortest that decodes exactly:
constexpr unsigned kKindSame = 0;           // unchanged, no bytes
constexpr unsigned kKindXorFirst = 1;       // 1..10: XOR with previous, shape kXorShapes[k - 1]
constexpr unsigned kKindDeltaFirst = 11;    // 11..14: zigzag(int32 delta), k - 10 bytes LE
constexpr unsigned kKindDecimalFirst = 15;  // 15..26: float32 as a decimal, see below
constexpr unsigned kKindEnd = 27;           // 27..31 are unused (corruption)
constexpr unsigned kKindBits = 5;

// Decimal kinds: k = 15 + 3 * scale + (len - 1), scale 0..3, len 1..3. The value is
// float(double(S) / 10^scale) with S = round(previous * 10^scale) + zigzag delta (len bytes):
// a short decimal (21.5, 3.25, 1234567) that changes a little costs a byte or two, where its
// float bits would differ in most mantissa bits.
constexpr double kPow10[4] = {1.0, 10.0, 100.0, 1000.0};
constexpr double kMaxScaled = 1e15;  // far inside int64 and exact in a double

// round(value * 10^scale) of a float bit pattern; false when not finite or too large.
bool ScaledDecimal(uint32_t bits, unsigned scale, int64_t* out) {
  float f;
  std::memcpy(&f, &bits, 4);
  double v = static_cast<double>(f) * kPow10[scale];
  if (!std::isfinite(v) || std::fabs(v) > kMaxScaled) return false;
  *out = std::llround(v);
  return true;
}

uint32_t FromScaledDecimal(int64_t scaled, unsigned scale) {
  float f = static_cast<float>(static_cast<double>(scaled) / kPow10[scale]);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}

// Which bytes of a 32-bit XOR are stored: `len` bytes starting `shift` bytes up.
struct XorShape {
  uint8_t shift, len;
};
constexpr XorShape kXorShapes[10] = {{0, 1}, {0, 2}, {0, 3}, {0, 4}, {1, 1},
                                     {1, 2}, {1, 3}, {2, 1}, {2, 2}, {3, 1}};

// The inverse of kXorShapes: kXorKind[shift][len].
constexpr auto kXorKind = [] {
  std::array<std::array<uint8_t, 5>, 4> kinds{};
  for (unsigned k = 0; k < std::size(kXorShapes); ++k) {
    kinds[kXorShapes[k].shift][kXorShapes[k].len] = static_cast<uint8_t>(kKindXorFirst + k);
  }
  return kinds;
}();

unsigned BytesNeeded(uint64_t v) { return v == 0 ? 0 : (64 - std::countl_zero(v) + 7) / 8; }

void PutBytesLe(std::string* out, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

bool GetBytesLe(std::string_view* in, unsigned n, uint64_t* v) {
  if (in->size() < n) return false;
  uint64_t out = 0;
  for (unsigned i = 0; i < n; ++i)
    out |= static_cast<uint64_t>(static_cast<uint8_t>((*in)[i])) << (8 * i);
  in->remove_prefix(n);
  *v = out;
  return true;
}

uint32_t ZigZag32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
int32_t UnZigZag32(uint32_t v) {
  return static_cast<int32_t>(v >> 1) ^ -static_cast<int32_t>(v & 1);
}

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
    if (def.type != ValueType::kInt32 && def.type != ValueType::kFloat32) {
      return Status::InvalidArgument("WAL: metric \"" + def.name + "\" has an unknown type");
    }
    if (def.name.empty() || def.name.size() > kMaxMetricNameBytes) {
      return Status::InvalidArgument("WAL: metric id " + std::to_string(def.id) +
                                     " has a name of " + std::to_string(def.name.size()) +
                                     " bytes (expected 1.." + std::to_string(kMaxMetricNameBytes) +
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

// Appends a sample's control varint (its id part already in `control`) and value bytes: the
// value kind with the fewest bytes that reproduces `bits` exactly from `prev`.
void PutValue(uint64_t control, uint32_t prev, uint32_t bits, std::string* out) {
  if (bits == prev) {
    PutVarint64(out, control | kKindSame);
    return;
  }
  uint32_t x = bits ^ prev;
  unsigned shift = static_cast<unsigned>(std::countr_zero(x)) / 8;
  unsigned best_len = 4 - shift - static_cast<unsigned>(std::countl_zero(x)) / 8;
  unsigned best_kind = kXorKind[shift][best_len];
  uint64_t best_payload = x >> (8 * shift);
  uint32_t delta = ZigZag32(static_cast<int32_t>(bits - prev));
  if (BytesNeeded(delta) < best_len) {
    best_len = BytesNeeded(delta);
    best_kind = kKindDeltaFirst + best_len - 1;
    best_payload = delta;
  }
  for (unsigned scale = 0; scale < 4 && best_len > 1; ++scale) {
    int64_t from, to;
    if (!ScaledDecimal(prev, scale, &from) || !ScaledDecimal(bits, scale, &to) ||
        FromScaledDecimal(to, scale) != bits) {
      continue;
    }
    uint64_t code = ZigZagEncode64(to - from);
    unsigned len = std::max(1u, BytesNeeded(code));
    if (len < best_len) {
      best_len = len;
      best_kind = kKindDecimalFirst + 3 * scale + len - 1;
      best_payload = code;
    }
  }
  PutVarint64(out, control | best_kind);
  PutBytesLe(out, best_payload, best_len);
}

}  // namespace

// The coding state of one WAL generation: the previous run's timestamp and every metric's
// previous value. Encode and Decode update it and keep an undo log of their last call, so a
// record that is not written (or not accepted) leaves the state as it was.
class WalCodec {
 public:
  void Reset() {
    last_ts_ = 0;
    last_bits_.clear();
    undo_.clear();
  }

  // Appends the payload of a validated batch to *out.
  void Encode(const WalBatch& batch, std::string* out) {
    BeginUndo();
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
        uint32_t& slot = Slot(s.id);
        uint32_t prev = slot;
        undo_.emplace_back(s.id, prev);
        slot = s.bits;
        PutValue(ZigZagEncode64(id_gap) << kKindBits, prev, s.bits, out);
      }
    }
  }

  // Decodes one payload into *batch; on failure says why in *why and leaves the state as it
  // was.
  bool Decode(std::string_view in, WalBatch* batch, std::string* why) {
    BeginUndo();
    batch->new_metrics.clear();
    batch->samples.clear();
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
  void BeginUndo() {
    undo_.clear();
    undo_ts_ = last_ts_;
  }

  uint32_t& Slot(MetricId id) {
    if (id >= last_bits_.size()) last_bits_.resize(static_cast<size_t>(id) + 1, 0);
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
      if (in.empty() || (in[0] != static_cast<char>(ValueType::kInt32) &&
                         in[0] != static_cast<char>(ValueType::kFloat32))) {
        return Fail(why, "bad type of metric id " + std::to_string(def.id));
      }
      def.type = static_cast<ValueType>(in[0]);
      in.remove_prefix(1);
      if (!GetVarint32(&in, &name_len) || name_len == 0 || name_len > kMaxMetricNameBytes ||
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
        int64_t id = static_cast<int64_t>(prev_id) + 1 + ZigZagDecode64(control >> kKindBits);
        if (id <= 0 || id > static_cast<int64_t>(kMaxMetricId)) {
          return Fail(why, "sample metric id " + std::to_string(id) + " out of range");
        }
        prev_id = static_cast<MetricId>(id);
        unsigned kind = static_cast<unsigned>(control & ((1u << kKindBits) - 1));
        uint32_t& slot = Slot(prev_id);
        uint32_t prev = slot;
        uint32_t bits = prev;
        uint64_t raw;
        if (kind >= kKindXorFirst && kind < kKindDeltaFirst) {
          const XorShape& shape = kXorShapes[kind - kKindXorFirst];
          if (!GetBytesLe(&in, shape.len, &raw)) return Fail(why, "truncated value");
          bits = prev ^ static_cast<uint32_t>(raw << (8 * shape.shift));
        } else if (kind >= kKindDeltaFirst && kind < kKindDecimalFirst) {
          if (!GetBytesLe(&in, kind - kKindDeltaFirst + 1, &raw)) {
            return Fail(why, "truncated value");
          }
          bits = prev + static_cast<uint32_t>(UnZigZag32(static_cast<uint32_t>(raw)));
        } else if (kind >= kKindDecimalFirst && kind < kKindEnd) {
          unsigned scale = (kind - kKindDecimalFirst) / 3;
          int64_t from;
          if (!GetBytesLe(&in, (kind - kKindDecimalFirst) % 3 + 1, &raw)) {
            return Fail(why, "truncated value");
          }
          if (!ScaledDecimal(prev, scale, &from)) return Fail(why, "decimal after a non-decimal");
          bits = FromScaledDecimal(from + ZigZagDecode64(raw), scale);
        } else if (kind != kKindSame) {
          return Fail(why, "unknown value kind " + std::to_string(kind));
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

  Timestamp last_ts_ = 0;
  std::vector<uint32_t> last_bits_;  // by metric id; 0 before a metric's first sample
  Timestamp undo_ts_ = 0;
  std::vector<std::pair<MetricId, uint32_t>> undo_;  // (id, value before) of the last call
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
Status CheckHeader(const std::string& path, WindowReader* reader, WalReadReport* r, bool* torn) {
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
  if (version != kWalVersion) {
    return Status::Corruption(path + ": WAL format version " + std::to_string(version) +
                              " is not supported (this build reads version " +
                              std::to_string(kWalVersion) + ")");
  }
  *torn = false;
  r->valid_bytes = kWalHeaderSize;
  return Status::Ok();
}

constexpr const char* kShrank = "file shrank while being read (reset by its owner)";

// Replays records after the header until the end or the first bad record.
Status ScanRecords(WindowReader* reader, WalCodec* codec,
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
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, kWalRecordHeaderSize));
    NANOTDB_RETURN_IF_ERROR(reader->Get(offset, want, &head));
    if (head.size() < want) return stop(kShrank);
    if (head.find_first_not_of('\0') == std::string_view::npos) return stop("zero-filled tail");
    if (left < kWalRecordHeaderSize) {
      return stop("torn record header (" + std::to_string(left) + " bytes)");
    }
    uint32_t length = DecodeFixed32(head.data());
    uint32_t crc = DecodeFixed32(head.data() + 4);
    if (length > kWalMaxRecordBytes) {
      return stop("record length " + std::to_string(length) + " over the limit");
    }
    if (length > left - kWalRecordHeaderSize) {
      return stop("torn record (needs " + std::to_string(length) + " payload bytes, " +
                  std::to_string(left - kWalRecordHeaderSize) + " left)");
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
    for (const WalSample& s : batch.samples) {
      if (r->samples == 0 || s.ts < r->min_ts) r->min_ts = s.ts;
      if (r->samples == 0 || s.ts > r->max_ts) r->max_ts = s.ts;
      ++r->samples;
    }
    ++r->records;
    offset += kWalRecordHeaderSize + length;
    r->valid_bytes = offset;
  }
  return Status::Ok();
}

// Reads the file at `path` (which exists): header, then records. *torn_header as CheckHeader.
Status Scan(Env* env, const std::string& path, WalCodec* codec,
            const std::function<Status(const WalBatch&)>& on_batch, WalReadReport* r,
            bool* torn_header) {
  NANOTDB_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  r->file_bytes = file->Size();
  WindowReader reader(*file, r->file_bytes);
  NANOTDB_RETURN_IF_ERROR(CheckHeader(path, &reader, r, torn_header));
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
  NANOTDB_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env->NewWritableFile(path, false));
  Status s;
  if (torn_header) {
    s = file->Truncate(0);
    if (s.ok()) s = file->Append(Header());
    if (s.ok()) s = file->Sync();
    if (s.ok()) s = env->SyncDir(DirName(path));
  } else if (r->tail_bytes > 0) {
    s = file->Truncate(r->valid_bytes);
    if (s.ok()) s = file->Sync();
  }
  if (!s.ok()) return s.WithContext("opening WAL " + path);
  return std::make_unique<WalWriter>(path, opts, std::move(file), std::move(codec));
}

Status WalWriter::Append(const WalBatch& batch) {
  if (!broken_.ok()) return broken_;
  if (batch.samples.empty() && batch.new_metrics.empty()) return Status::Ok();
  NANOTDB_RETURN_IF_ERROR(ValidateBatch(batch));
  scratch_.assign(kWalRecordHeaderSize, '\0');
  codec_->Encode(batch, &scratch_);
  size_t length = scratch_.size() - kWalRecordHeaderSize;
  if (length > kWalMaxRecordBytes) {
    codec_->Undo();
    return Status::InvalidArgument("WAL: batch of " + std::to_string(batch.samples.size()) +
                                   " samples needs " + std::to_string(length) +
                                   " bytes, over the record limit of " +
                                   std::to_string(kWalMaxRecordBytes) + "; split it");
  }
  scratch_[8] = static_cast<char>(WalRecordType::kBatch);
  EncodeFixed32(scratch_.data(), static_cast<uint32_t>(length));
  EncodeFixed32(scratch_.data() + 4, Crc32c(std::string_view(scratch_).substr(8)));

  uint64_t before = file_->Size();
  Status s = file_->Append(scratch_);
  if (s.ok() && (opts_.sync_every_append || file_->Size() >= opts_.sync_above_bytes)) {
    s = file_->Sync();
  }
  if (s.ok()) return s;
  // Cut the record back out so replay never sees a batch the caller was told failed.
  codec_->Undo();
  Status undo = file_->Truncate(before);
  if (!undo.ok()) {
    broken_ =
        Status::IOError("WAL " + path_ + " is unusable after a failed append (" + s.message() +
                        "; then " + undo.message() + "); restart to recover its intact records");
  }
  return s.WithContext("appending to WAL " + path_);
}

Status WalWriter::Reset() {
  NANOTDB_RETURN_IF_ERROR(file_->Truncate(kWalHeaderSize).WithContext("resetting WAL " + path_));
  codec_->Reset();  // the file now matches an empty state, whatever the sync below says
  broken_ = Status::Ok();
  return file_->Sync().WithContext("resetting WAL " + path_);
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
