#include "storage/data_file.h"

#include <algorithm>
#include <unordered_set>

#include "base/coding.h"
#include "base/crc32c.h"
#include "storage/filenames.h"
#include "storage/frame_format.h"

namespace nanotdb {
namespace {

using data_format::kFileHeaderSize;

std::string ParentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Reads exactly n bytes at offset, or fails with Corruption when the file is shorter.
Status ReadExact(const RandomAccessFile& f, uint64_t offset, size_t n, std::string* out) {
  NANOTDB_RETURN_IF_ERROR(f.Read(offset, n, out));
  if (out->size() != n) {
    return Status::Corruption(f.path() + ": short read of " + std::to_string(n) +
                              " bytes at offset " + std::to_string(offset));
  }
  return Status::Ok();
}

// Parses the frame header at `pos` if a whole, intact frame starts there (or, with repair
// bytes, one whose header they repair: then even its magic may be damaged).
Status FrameAt(const RandomAccessFile& f, uint64_t pos, uint64_t size, bool repair,
               FrameHeader* h) {
  if (size - pos < data_format::kMinFrameHeaderSize) {
    return Status::Corruption("frame header: truncated frame prefix");
  }
  std::string buf;
  NANOTDB_RETURN_IF_ERROR(ReadExact(f, pos, data_format::kFramePrefixSize, &buf));
  if (!repair && std::string_view(buf).substr(0, 4) != data_format::kFrameMagic) {
    return Status::Corruption("frame header: bad frame magic");
  }
  const uint64_t header_bytes = DecodeFixed32(buf.data() + 8);
  if (header_bytes < data_format::kMinFrameHeaderSize ||
      header_bytes > data_format::kMaxFrameHeaderBytes) {
    return Status::Corruption("frame header: implausible header length");
  }
  if (header_bytes > size - pos) return Status::Corruption("frame header: truncated header");
  const uint64_t span = std::min(FrameHeaderSpan(header_bytes, repair), size - pos);
  NANOTDB_RETURN_IF_ERROR(ReadExact(f, pos, span, &buf));
  NANOTDB_ASSIGN_OR_RETURN(*h, ParseFrameHeader(buf, repair));
  if (h->frame_bytes > size - pos) {
    return Status::Corruption("frame is truncated: " + std::to_string(h->frame_bytes) +
                              " bytes declared, " + std::to_string(size - pos) + " present");
  }
  return Status::Ok();
}

// Parses the name record at `pos` if a whole, intact one starts there.
Status NameRecordAt(const RandomAccessFile& f, uint64_t pos, uint64_t size,
                    std::vector<MetricName>* names, uint64_t* record_bytes) {
  if (size - pos < data_format::kMinNameRecordSize) {
    return Status::Corruption("name record: truncated");
  }
  std::string buf;
  NANOTDB_RETURN_IF_ERROR(ReadExact(f, pos, 8, &buf));
  const uint64_t n = DecodeFixed32(buf.data() + 4);
  if (std::string_view(buf).substr(0, 4) != data_format::kNameMagic ||
      n < data_format::kMinNameRecordSize || n > data_format::kMaxNameRecordBytes) {
    return Status::Corruption("name record: bad magic or length");
  }
  if (n > size - pos) return Status::Corruption("name record: truncated");
  NANOTDB_RETURN_IF_ERROR(ReadExact(f, pos, n, &buf));
  NANOTDB_ASSIGN_OR_RETURN(*names, ParseNameRecord(buf, record_bytes));
  return Status::Ok();
}

struct ScanResult {
  std::vector<FrameIndexEntry> frames;
  std::vector<MetricName> names;         // each id once, first record wins
  uint64_t valid_end = kFileHeaderSize;  // end of the last intact frame
  std::vector<DamagedRegion> damaged;    // in file order; the last may be the tail
  const DamagedRegion* tail() const {
    return !damaged.empty() && damaged.back().tail ? &damaged.back() : nullptr;
  }
};

// True when the `n` bytes at `pos` (the tail after the last intact frame) can only be an
// append that did not finish: all zero (space a crash left unwritten), a fragment shorter than
// a frame prefix that starts like one, or a frame whose intact header declares more bytes
// than the file holds. Anything else may be a damaged whole frame and is kept (quarantined).
Result<bool> ProvablyTorn(const RandomAccessFile& f, uint64_t pos, uint64_t size, bool repair) {
  std::string bytes;
  const uint64_t n = size - pos;
  NANOTDB_RETURN_IF_ERROR(ReadExact(f, pos, std::min<uint64_t>(n, 1u << 20), &bytes));
  if (n <= bytes.size() && bytes.find_first_not_of('\0') == std::string::npos) return true;
  if (n < data_format::kFramePrefixSize) {
    const size_t m = std::min<size_t>(n, data_format::kFrameMagic.size());
    return std::string_view(bytes).substr(0, m) == data_format::kFrameMagic.substr(0, m);
  }
  if (std::string_view(bytes).substr(0, 4) != data_format::kFrameMagic) return false;
  const uint64_t header_bytes = DecodeFixed32(bytes.data() + 8);
  if (header_bytes < data_format::kMinFrameHeaderSize || header_bytes > n) return false;
  NANOTDB_RETURN_IF_ERROR(
      ReadExact(f, pos, std::min(FrameHeaderSpan(header_bytes, repair), n), &bytes));
  Result<FrameHeader> h = ParseFrameHeader(bytes, repair);
  return h.ok() && h->frame_bytes > n;
}

// Walks the frames from `pos` of a file of format `version`. A frame that fails its checks is
// skipped by searching for the next magic that starts an intact frame; if none does, the rest
// of the file is the tail.
Status ScanFrames(const RandomAccessFile& f, uint64_t pos, uint64_t size, uint16_t version,
                  ScanResult* r) {
  const bool repair = version >= data_format::kFirstRepairVersion;
  std::string rest;
  std::unordered_set<MetricId> named;
  // An intact frame or name record at `at`: its length, or 0.
  auto unit_at = [&](uint64_t at, bool keep, Status* why) -> uint64_t {
    std::string magic;
    if (Status s = f.Read(at, 4, &magic); !s.ok()) {
      *why = s;
      return 0;
    }
    if (magic == data_format::kNameMagic) {
      std::vector<MetricName> names;
      uint64_t n = 0;
      *why = NameRecordAt(f, at, size, &names, &n);
      if (!why->ok()) return 0;
      if (keep) {
        for (MetricName& m : names) {
          if (named.insert(m.id).second) r->names.push_back(std::move(m));
        }
      }
      return n;
    }
    FrameHeader h;
    *why = FrameAt(f, at, size, repair, &h);
    if (!why->ok()) return 0;
    const uint64_t n = h.frame_bytes;
    if (keep) r->frames.push_back(FrameIndexEntry{at, std::move(h)});
    return n;
  };
  while (pos < size) {
    Status s;
    if (const uint64_t n = unit_at(pos, true, &s); n > 0) {
      pos += n;
      r->valid_end = pos;
      continue;
    }
    if (s.code() == Status::Code::kIOError) return s;
    NANOTDB_RETURN_IF_ERROR(f.Read(pos + 1, size - pos - 1, &rest));
    uint64_t next = 0;
    auto next_magic = [&](size_t from) {
      return std::min(rest.find(data_format::kFrameMagic, from),
                      rest.find(data_format::kNameMagic, from));
    };
    for (size_t at = next_magic(0); at != std::string::npos; at = next_magic(at + 1)) {
      Status ignored;
      if (unit_at(pos + 1 + at, false, &ignored) > 0) {
        next = pos + 1 + at;
        break;
      }
    }
    DamagedRegion d;
    d.offset = pos;
    d.bytes = (next == 0 ? size : next) - pos;
    d.reason = s.message();
    if (next == 0) {
      d.tail = true;
      NANOTDB_ASSIGN_OR_RETURN(d.torn, ProvablyTorn(f, pos, size, repair));
      r->damaged.push_back(std::move(d));
      return Status::Ok();
    }
    r->damaged.push_back(std::move(d));
    pos = next;
  }
  return Status::Ok();
}

std::string DescribeRegion(const DamagedRegion& d) {
  if (d.tail) {
    return "offset " + std::to_string(d.offset) + ": " + std::to_string(d.bytes) +
           " bytes hold no intact frame (" + d.reason + ")";
  }
  return "offset " + std::to_string(d.offset) + ": " + d.reason + "; skipped " +
         std::to_string(d.bytes) + " bytes to the next frame at offset " +
         std::to_string(d.offset + d.bytes);
}

// Checks the file header and scans the frames. A damaged header (bad magic or checksum) is
// reported as a region at offset 0 when intact frames follow it; without any, the file is
// refused (it is probably not ours). An unknown version is refused.
Status ScanFile(const RandomAccessFile& f, const std::string& path, ScanResult* r,
                uint16_t* version) {
  const uint64_t size = f.Size();
  std::string head;
  NANOTDB_RETURN_IF_ERROR(f.Read(0, kFileHeaderSize, &head));
  Status header = CheckDataFileHeader(head, path);
  if (!header.ok() && header.code() != Status::Code::kCorruption) return header;
  *version = header.ok() ? DecodeFixed16(head.data() + 4) : data_format::kFileVersion;
  if (size < kFileHeaderSize) return header;
  NANOTDB_RETURN_IF_ERROR(ScanFrames(f, kFileHeaderSize, size, *version, r));
  if (!header.ok()) {
    if (r->frames.empty()) return header;
    DamagedRegion d;
    d.offset = 0;
    d.bytes = kFileHeaderSize;
    d.reason = "file header: " + header.message();
    r->damaged.insert(r->damaged.begin(), std::move(d));
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeDataFileHeader(uint16_t version) {
  std::string h(data_format::kFileMagic);
  PutFixed16(&h, version);
  PutFixed16(&h, 0);
  PutFixed32(&h, 0);
  PutFixed32(&h, Crc32c(h));
  return h;
}

Status CheckDataFileHeader(std::string_view header, const std::string& path) {
  if (header.size() < kFileHeaderSize || header.substr(0, 4) != data_format::kFileMagic) {
    return Status::Corruption(path +
                              ": not a NanoTDB data file (bad magic); move it out of the "
                              "database directory");
  }
  if (Crc32c(header.substr(0, 12)) != DecodeFixed32(header.data() + 12)) {
    return Status::Corruption(path +
                              ": file header checksum mismatch; the file is damaged, "
                              "restore it from a backup or move it aside");
  }
  const uint16_t version = DecodeFixed16(header.data() + 4);
  if (version < data_format::kOldestFileVersion || version > data_format::kFileVersion) {
    return Status::Unsupported(path + ": data file format version " + std::to_string(version) +
                               " is not supported (this build reads versions " +
                               std::to_string(data_format::kOldestFileVersion) + " to " +
                               std::to_string(data_format::kFileVersion) +
                               "); use a newer nanotdb");
  }
  return Status::Ok();
}

std::string EncodeNameRecord(std::span<const MetricName> names) {
  std::string out(data_format::kNameMagic);
  PutFixed32(&out, 0);  // length, set below
  PutVarint32(&out, static_cast<uint32_t>(names.size()));
  for (const MetricName& m : names) {
    PutVarint32(&out, m.id);
    out.push_back(static_cast<char>(m.type));
    PutVarint32(&out, static_cast<uint32_t>(m.name.size()));
    out.append(m.name);
  }
  const uint32_t n = static_cast<uint32_t>(out.size() + 4);
  std::string len;
  PutFixed32(&len, n);
  out.replace(4, 4, len);
  PutFixed32(&out, Crc32c(out));
  return out;
}

Result<std::vector<MetricName>> ParseNameRecord(std::string_view data, uint64_t* record_bytes) {
  auto bad = [](std::string_view what) {
    return Status::Corruption("name record: " + std::string(what));
  };
  if (data.size() < data_format::kMinNameRecordSize) return bad("truncated");
  if (data.substr(0, 4) != data_format::kNameMagic) return bad("bad magic");
  const uint32_t n = DecodeFixed32(data.data() + 4);
  if (n < data_format::kMinNameRecordSize || n > data_format::kMaxNameRecordBytes) {
    return bad("implausible length");
  }
  if (data.size() < n) return bad("truncated");
  if (Crc32c(data.substr(0, n - 4)) != DecodeFixed32(data.data() + n - 4)) {
    return bad("checksum mismatch");
  }
  std::string_view in = data.substr(8, n - 12);
  uint32_t count = 0;
  if (!GetVarint32(&in, &count) || count == 0 || count > in.size()) return bad("bad count");
  std::vector<MetricName> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    MetricName m;
    uint32_t len = 0;
    if (!GetVarint32(&in, &m.id) || in.empty()) return bad("truncated entry");
    m.type = static_cast<ValueType>(in[0]);
    in.remove_prefix(1);
    if (!GetVarint32(&in, &len) || len == 0 || len > in.size()) return bad("bad name length");
    if (m.type != ValueType::kInt64 && m.type != ValueType::kFloat64) return bad("unknown type");
    m.name.assign(in.substr(0, len));
    in.remove_prefix(len);
    out.push_back(std::move(m));
  }
  if (!in.empty()) return bad("trailing bytes");
  *record_bytes = n;
  return out;
}

DataFileWriter::DataFileWriter(std::unique_ptr<WritableFile> file, uint16_t version)
    : file_(std::move(file)), version_(version) {}
DataFileWriter::~DataFileWriter() { file_->Close(); }

Result<std::unique_ptr<DataFileWriter>> DataFileWriter::Open(Env* env, const std::string& path,
                                                             DataFileOpenReport* report) {
  *report = DataFileOpenReport{};
  const std::string header = EncodeDataFileHeader();
  uint64_t size = 0;
  if (env->FileExists(path)) {
    NANOTDB_ASSIGN_OR_RETURN(size, env->GetFileSize(path));
  }
  report->file_bytes = size;
  if (size < kFileHeaderSize) {
    // Missing, empty, or torn while its header was being written: (re)create it, unless the
    // few bytes there are not the start of our header.
    if (size > 0) {
      std::string head;
      NANOTDB_RETURN_IF_ERROR(env->ReadFileToString(path, &head));
      bool ours = false;
      for (uint16_t v = data_format::kOldestFileVersion; v <= data_format::kFileVersion; ++v) {
        ours |= head == std::string_view(EncodeDataFileHeader(v)).substr(0, head.size());
      }
      if (!ours) return CheckDataFileHeader(head, path);
      report->dropped = "offset 0: " + std::to_string(size) + " bytes of a torn file header";
    }
    NANOTDB_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(path, /*truncate=*/true));
    NANOTDB_RETURN_IF_ERROR(file->Append(header));
    NANOTDB_RETURN_IF_ERROR(file->Sync());
    NANOTDB_RETURN_IF_ERROR(env->SyncDir(ParentDir(path)));
    report->valid_bytes = kFileHeaderSize;
    return std::unique_ptr<DataFileWriter>(
        new DataFileWriter(std::move(file), data_format::kFileVersion));
  }

  NANOTDB_ASSIGN_OR_RETURN(auto reader, env->NewRandomAccessFile(path));
  ScanResult scan;
  uint16_t version = 0;
  NANOTDB_RETURN_IF_ERROR(ScanFile(*reader, path, &scan, &version));
  report->frames = scan.frames.size();
  for (const DamagedRegion& d : scan.damaged) {
    if (d.tail) continue;
    if (!report->damaged.empty()) report->damaged += "; ";
    report->damaged += DescribeRegion(d);
  }
  const DamagedRegion* tail = scan.tail();
  if (tail != nullptr && !tail->torn) {
    // Not provably torn: it may be a whole frame with a damaged header. Keep its bytes.
    std::string bytes;
    NANOTDB_RETURN_IF_ERROR(ReadExact(*reader, tail->offset, tail->bytes, &bytes));
    const std::string aside = QuarantinePath(path, tail->offset);
    NANOTDB_RETURN_IF_ERROR(WriteFileAtomically(env, aside, bytes));
    report->quarantined = aside;
  }
  reader.reset();
  NANOTDB_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(path, /*truncate=*/false));
  if (tail != nullptr) {
    NANOTDB_RETURN_IF_ERROR(file->Truncate(scan.valid_end));
    NANOTDB_RETURN_IF_ERROR(file->Sync());
    report->dropped = (tail->torn ? "truncated torn tail at "
                                  : "moved damaged tail to " + report->quarantined + ": ") +
                      DescribeRegion(*tail);
  }
  report->valid_bytes = file->Size();
  std::unique_ptr<DataFileWriter> w(new DataFileWriter(std::move(file), version));
  for (const MetricName& m : scan.names) w->named_.insert(m.id);
  return w;
}

Status DataFileWriter::Append(std::string_view frame, bool sync,
                              std::span<const MetricName> names) {
  const uint64_t before = file_->Size();
  std::vector<MetricName> fresh;
  if (version_ >= data_format::kFirstNameRecordVersion) {
    for (const MetricName& m : names) {
      if (named_.count(m.id) == 0) fresh.push_back(m);
    }
  }
  Status s;
  if (!fresh.empty()) s = file_->Append(EncodeNameRecord(fresh));
  if (s.ok()) s = file_->Append(frame);
  if (s.ok() && sync) s = file_->Sync();
  if (!s.ok()) {
    file_->Truncate(before);  // best effort; a torn tail is also cut on the next open
    return s.WithContext(file_->path() + ": appending a frame of " + std::to_string(frame.size()) +
                         " bytes");
  }
  for (const MetricName& m : fresh) named_.insert(m.id);
  return Status::Ok();
}

uint64_t DataFileWriter::size() const { return file_->Size(); }
const std::string& DataFileWriter::path() const { return file_->path(); }

Result<std::unique_ptr<DataFileReader>> DataFileReader::Open(Env* env, const std::string& path) {
  std::unique_ptr<DataFileReader> r(new DataFileReader());
  r->path_ = path;
  NANOTDB_ASSIGN_OR_RETURN(r->file_, env->NewRandomAccessFile(path));
  r->file_bytes_ = r->file_->Size();
  ScanResult scan;
  NANOTDB_RETURN_IF_ERROR(ScanFile(*r->file_, path, &scan, &r->version_));
  r->frames_ = std::move(scan.frames);
  r->names_ = std::move(scan.names);
  for (const DamagedRegion& d : scan.damaged) {
    if (!r->error_.empty()) r->error_ += "; ";
    if (d.tail) r->error_ += d.torn ? "torn tail at " : "damaged tail at ";
    r->error_ += DescribeRegion(d);
  }
  r->damaged_ = std::move(scan.damaged);
  return r;
}

size_t DataFileReader::MemoryBytes() const {
  size_t n = sizeof(*this) + path_.capacity() + error_.capacity() +
             frames_.capacity() * sizeof(FrameIndexEntry) +
             damaged_.capacity() * sizeof(DamagedRegion) + names_.capacity() * sizeof(MetricName);
  for (const FrameIndexEntry& e : frames_) {
    n += e.header.columns.capacity() * sizeof(FrameColumnInfo) +
         e.header.ts_blocks.capacity() * sizeof(TimestampBlockInfo) + e.header.codec.capacity();
  }
  for (const DamagedRegion& d : damaged_) n += d.reason.capacity();
  for (const MetricName& m : names_) n += m.name.capacity();
  return n;
}

Status DataFileReader::ReadMetric(MetricId id, Timestamp from, Timestamp to,
                                  const std::function<bool(const Sample&)>& fn,
                                  std::vector<SkippedBlock>* skipped, bool* stopped) const {
  if (stopped != nullptr) *stopped = false;
  std::string ts_bytes, value_bytes;
  std::vector<Sample> samples;
  for (const FrameIndexEntry& e : frames_) {
    if (e.header.max_ts < from || e.header.min_ts > to) continue;
    const FrameColumnInfo* col = e.header.Find(id);
    if (col == nullptr || col->max_ts < from || col->min_ts > to) continue;
    const BlockRef& t = e.header.ts_blocks[col->ts_block].block;
    Status s = ReadExact(*file_, e.offset + t.offset, e.header.Span(t), &ts_bytes);
    if (s.ok()) {
      s = ReadExact(*file_, e.offset + col->values.offset, e.header.Span(col->values),
                    &value_bytes);
    }
    samples.clear();
    if (s.ok()) s = DecodeColumnBlocks(e.header, *col, ts_bytes, value_bytes, &samples);
    if (!s.ok()) {
      if (skipped == nullptr || s.code() == Status::Code::kIOError) {
        return s.WithContext(path_ + ": frame at offset " + std::to_string(e.offset));
      }
      skipped->push_back(
          SkippedBlock{e.offset, id, col->min_ts, col->max_ts, col->count, s.message()});
      continue;
    }
    auto it = std::lower_bound(samples.begin(), samples.end(), from,
                               [](const Sample& x, Timestamp v) { return x.ts < v; });
    for (; it != samples.end() && it->ts <= to; ++it) {
      if (!fn(*it)) {
        if (stopped != nullptr) *stopped = true;
        return Status::Ok();
      }
    }
  }
  return Status::Ok();
}

Status DataFileReader::ReadFrame(size_t index,
                                 std::vector<std::pair<MetricId, std::vector<Sample>>>* out) const {
  if (index >= frames_.size()) {
    return Status::InvalidArgument(path_ + ": no frame " + std::to_string(index) + " (file has " +
                                   std::to_string(frames_.size()) + ")");
  }
  const FrameIndexEntry& e = frames_[index];
  std::string frame;
  NANOTDB_RETURN_IF_ERROR(ReadExact(*file_, e.offset, e.header.frame_bytes, &frame));
  out->clear();
  for (const FrameColumnInfo& col : e.header.columns) {
    std::vector<Sample> samples;
    Status s = DecodeFrameColumn(frame, e.header, col.id, &samples);
    if (!s.ok()) return s.WithContext(path_ + ": frame at offset " + std::to_string(e.offset));
    out->emplace_back(col.id, std::move(samples));
  }
  return Status::Ok();
}

}  // namespace nanotdb
