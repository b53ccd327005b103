#include "storage/data_file.h"

#include <algorithm>

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

// Parses the frame header at `pos` if a whole, intact frame starts there.
Status FrameAt(const RandomAccessFile& f, uint64_t pos, uint64_t size, FrameHeader* h) {
  if (size - pos < data_format::kMinFrameHeaderSize) {
    return Status::Corruption("frame header: truncated frame prefix");
  }
  std::string buf;
  NANOTDB_RETURN_IF_ERROR(ReadExact(f, pos, data_format::kFramePrefixSize, &buf));
  if (std::string_view(buf).substr(0, 4) != data_format::kFrameMagic) {
    return Status::Corruption("frame header: bad frame magic");
  }
  const uint64_t header_bytes = DecodeFixed32(buf.data() + 8);
  if (header_bytes < data_format::kMinFrameHeaderSize ||
      header_bytes > data_format::kMaxFrameHeaderBytes) {
    return Status::Corruption("frame header: implausible header length");
  }
  if (header_bytes > size - pos) return Status::Corruption("frame header: truncated header");
  NANOTDB_RETURN_IF_ERROR(ReadExact(f, pos, header_bytes, &buf));
  NANOTDB_ASSIGN_OR_RETURN(*h, ParseFrameHeader(buf));
  if (h->frame_bytes > size - pos) {
    return Status::Corruption("frame is truncated: " + std::to_string(h->frame_bytes) +
                              " bytes declared, " + std::to_string(size - pos) + " present");
  }
  return Status::Ok();
}

struct ScanResult {
  std::vector<FrameIndexEntry> frames;
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
Result<bool> ProvablyTorn(const RandomAccessFile& f, uint64_t pos, uint64_t size) {
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
  NANOTDB_RETURN_IF_ERROR(ReadExact(f, pos, header_bytes, &bytes));
  Result<FrameHeader> h = ParseFrameHeader(bytes);
  return h.ok() && h->frame_bytes > n;
}

// Walks the frames from `pos`. A frame that fails its checks is skipped by searching for the
// next magic that starts an intact frame; if none does, the rest of the file is the tail.
Status ScanFrames(const RandomAccessFile& f, uint64_t pos, uint64_t size, ScanResult* r) {
  std::string rest;
  while (pos < size) {
    FrameHeader h;
    Status s = FrameAt(f, pos, size, &h);
    if (s.ok()) {
      r->frames.push_back(FrameIndexEntry{pos, std::move(h)});
      pos += r->frames.back().header.frame_bytes;
      r->valid_end = pos;
      continue;
    }
    if (s.code() == Status::Code::kIOError) return s;
    NANOTDB_RETURN_IF_ERROR(f.Read(pos + 1, size - pos - 1, &rest));
    uint64_t next = 0;
    for (size_t at = rest.find(data_format::kFrameMagic); at != std::string::npos;
         at = rest.find(data_format::kFrameMagic, at + 1)) {
      FrameHeader candidate;
      if (FrameAt(f, pos + 1 + at, size, &candidate).ok()) {
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
      NANOTDB_ASSIGN_OR_RETURN(d.torn, ProvablyTorn(f, pos, size));
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
Status ScanFile(const RandomAccessFile& f, const std::string& path, ScanResult* r) {
  const uint64_t size = f.Size();
  std::string head;
  NANOTDB_RETURN_IF_ERROR(f.Read(0, kFileHeaderSize, &head));
  Status header = CheckDataFileHeader(head, path);
  if (!header.ok() && header.code() != Status::Code::kCorruption) return header;
  if (size < kFileHeaderSize) return header;
  NANOTDB_RETURN_IF_ERROR(ScanFrames(f, kFileHeaderSize, size, r));
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

std::string EncodeDataFileHeader() {
  std::string h(data_format::kFileMagic);
  PutFixed16(&h, data_format::kFileVersion);
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
  if (version != data_format::kFileVersion) {
    return Status::Unsupported(path + ": data file format version " + std::to_string(version) +
                               " is not supported (this build reads version " +
                               std::to_string(data_format::kFileVersion) +
                               "); use a newer nanotdb");
  }
  return Status::Ok();
}

DataFileWriter::DataFileWriter(std::unique_ptr<WritableFile> file) : file_(std::move(file)) {}
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
      if (head != std::string_view(header).substr(0, head.size())) {
        return CheckDataFileHeader(head, path);
      }
      report->dropped = "offset 0: " + std::to_string(size) + " bytes of a torn file header";
    }
    NANOTDB_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(path, /*truncate=*/true));
    NANOTDB_RETURN_IF_ERROR(file->Append(header));
    NANOTDB_RETURN_IF_ERROR(file->Sync());
    NANOTDB_RETURN_IF_ERROR(env->SyncDir(ParentDir(path)));
    report->valid_bytes = kFileHeaderSize;
    return std::unique_ptr<DataFileWriter>(new DataFileWriter(std::move(file)));
  }

  NANOTDB_ASSIGN_OR_RETURN(auto reader, env->NewRandomAccessFile(path));
  ScanResult scan;
  NANOTDB_RETURN_IF_ERROR(ScanFile(*reader, path, &scan));
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
  return std::unique_ptr<DataFileWriter>(new DataFileWriter(std::move(file)));
}

Status DataFileWriter::Append(std::string_view frame, bool sync) {
  const uint64_t before = file_->Size();
  Status s = file_->Append(frame);
  if (s.ok() && sync) s = file_->Sync();
  if (!s.ok()) {
    file_->Truncate(before);  // best effort; a torn tail is also cut on the next open
    return s.WithContext(file_->path() + ": appending a frame of " + std::to_string(frame.size()) +
                         " bytes");
  }
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
  NANOTDB_RETURN_IF_ERROR(ScanFile(*r->file_, path, &scan));
  r->frames_ = std::move(scan.frames);
  for (const DamagedRegion& d : scan.damaged) {
    if (!r->error_.empty()) r->error_ += "; ";
    if (d.tail) r->error_ += "torn tail at ";
    r->error_ += DescribeRegion(d);
  }
  r->damaged_ = std::move(scan.damaged);
  return r;
}

Status DataFileReader::ReadMetric(MetricId id, Timestamp from, Timestamp to,
                                  const std::function<bool(const Sample&)>& fn,
                                  std::vector<SkippedBlock>* skipped) const {
  std::string ts_bytes, value_bytes;
  std::vector<Sample> samples;
  for (const FrameIndexEntry& e : frames_) {
    if (e.header.max_ts < from || e.header.min_ts > to) continue;
    const FrameColumnInfo* col = e.header.Find(id);
    if (col == nullptr || col->max_ts < from || col->min_ts > to) continue;
    const BlockRef& t = e.header.ts_blocks[col->ts_block].block;
    Status s = ReadExact(*file_, e.offset + t.offset, t.stored_len, &ts_bytes);
    if (s.ok()) {
      s = ReadExact(*file_, e.offset + col->values.offset, col->values.stored_len, &value_bytes);
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
      if (!fn(*it)) return Status::Ok();
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
