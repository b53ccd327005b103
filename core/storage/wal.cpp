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
#include "storage/wal_value.h"

namespace nanotdb {
namespace {

// A batch payload (docs/format/wal.md):
//   varint new_metric_count, then per metric: varint id | u8 type | varint name_len | name
//   varint run_count, then per run of samples sharing one timestamp:
//     varint zigzag(ts - previous run's ts) | varint sample_count, then per sample:
//       varint control = zigzag(id - previous id in this record - 1) << kind bits | kind,
//       value bytes
// The value kind says how the value relates to the same metric's previous value in this WAL
// generation (0 before its first sample): wal_value.h.

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

}  // namespace

// The coding state of one WAL generation: the previous run's timestamp and every metric's
// previous value. Encode and Decode update it and keep an undo log of their last call, so a
// record that is not written (or not accepted) leaves the state as it was.
class WalCodec {
 public:
  // The format version of the records to decode (1 or kWalVersion); Encode writes kWalVersion.
  void SetVersion(uint32_t version) { version_ = version; }
  uint32_t version() const { return version_; }

  void Reset() {
    version_ = kWalVersion;
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
        uint64_t& slot = Slot(s.id);
        uint64_t prev = slot;
        undo_.emplace_back(s.id, prev);
        slot = s.bits;
        PutWalValue(ZigZagEncode64(id_gap), prev, s.bits, out);
      }
    }
  }

  // Decodes one payload into *batch; on failure says why in *why and leaves the state as it
  // was.
  bool Decode(std::string_view in, WalBatch* batch, std::string* why) {
    BeginUndo();
    batch->new_metrics.clear();
    batch->samples.clear();
    batch->narrow_values = version_ == 1;
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

  uint64_t& Slot(MetricId id) {
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
      // Version 1 defines int32/float32 metrics, read as their 64-bit types.
      const auto type = in.empty() ? ValueType{0} : static_cast<ValueType>(in[0]);
      const bool known = version_ == 1 ? type == ValueType::kInt32 || type == ValueType::kFloat32
                                       : type == ValueType::kInt64 || type == ValueType::kFloat64;
      if (!known) return Fail(why, "bad type of metric id " + std::to_string(def.id));
      def.type = WidenType(type);
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
  if (version != kWalVersion && version != kWalVersionV1) {
    return Status::Corruption(path + ": WAL format version " + std::to_string(version) +
                              " is not supported (this build reads version " +
                              std::to_string(kWalVersion) + ", and version " +
                              std::to_string(kWalVersionV1) + " to upgrade it)");
  }
  codec->SetVersion(version);
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
  NANOTDB_RETURN_IF_ERROR(CheckHeader(path, &reader, codec, r, torn_header));
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
  return std::make_unique<WalWriter>(path, opts, std::move(file), std::move(codec));
}

uint32_t WalWriter::format_version() const { return codec_->version(); }

Status WalWriter::Append(const WalBatch& batch) {
  if (!broken_.ok()) return broken_;
  if (batch.samples.empty() && batch.new_metrics.empty()) return Status::Ok();
  if (codec_->version() != kWalVersion) {
    return Status::Unsupported("WAL " + path_ + " holds format version " +
                               std::to_string(codec_->version()) +
                               " records; flush the open pages and Reset() it first");
  }
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
  if (codec_->version() != kWalVersion) {
    // A version 1 log is started over with a version 2 header. A crash in between leaves a
    // torn header, which Open rewrites: the log was empty either way.
    NANOTDB_RETURN_IF_ERROR(file_->Truncate(0).WithContext("resetting WAL " + path_));
    NANOTDB_RETURN_IF_ERROR(file_->Append(Header()).WithContext("resetting WAL " + path_));
  } else {
    NANOTDB_RETURN_IF_ERROR(file_->Truncate(kWalHeaderSize).WithContext("resetting WAL " + path_));
  }
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
