#include "metric_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "bytes.h"
#include "metric_file_format.h"
#include "series_codec.h"

namespace nanotdb::metricfiles {
namespace {

class FileSource final : public MetricFileSource {
 public:
  FileSource(int fd, uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  ~FileSource() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  Status Read(uint64_t offset, uint64_t bytes, std::string* out) const override {
    out->resize(bytes);
    uint64_t done = 0;
    while (done < bytes) {
      const ssize_t n =
          ::pread(fd_, out->data() + done, bytes - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        return Status::IOError(
            path_ + ": read of " + std::to_string(bytes) + " bytes at " + std::to_string(offset) +
            " failed: " +
            (n == 0 ? std::string("unexpected end of file") : std::string(std::strerror(errno))));
      }
      done += static_cast<uint64_t>(n);
    }
    return Status::Ok();
  }

 private:
  int fd_;
  uint64_t size_;
  std::string path_;
};

class StringSource final : public MetricFileSource {
 public:
  explicit StringSource(std::string bytes) : bytes_(std::move(bytes)) {}
  uint64_t size() const override { return bytes_.size(); }
  Status Read(uint64_t offset, uint64_t bytes, std::string* out) const override {
    if (offset > bytes_.size() || bytes > bytes_.size() - offset) {
      return Status::IOError("read beyond the end of the buffer");
    }
    out->assign(bytes_, offset, bytes);
    return Status::Ok();
  }

 private:
  std::string bytes_;
};

void PutPlace(std::string* out, const BlockPlace& p) {
  PutVarint(out, p.offset);
  PutVarint(out, p.bytes);
  PutFixed32(out, p.crc);
}

bool GetPlace(std::string_view in, size_t* pos, BlockPlace* p) {
  return GetVarint(in, pos, &p->offset) && GetVarint(in, pos, &p->bytes) &&
         GetFixed32(in, pos, &p->crc);
}

}  // namespace

Result<std::unique_ptr<MetricFileSource>> OpenFileSource(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    std::string msg = path + ": " + std::strerror(err);
    if (err == ENOENT) return Status::NotFound(msg);
    return Status::IOError(msg);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Status::IOError(path + ": fstat failed: " + std::strerror(errno));
  }
  return std::unique_ptr<MetricFileSource>(
      new FileSource(fd, static_cast<uint64_t>(st.st_size), path));
}

std::unique_ptr<MetricFileSource> MemorySource(std::string bytes) {
  return std::make_unique<StringSource>(std::move(bytes));
}

Result<std::string> EncodeMetricFile(std::span<const SeriesInput> series,
                                     const SourceInfo& source) {
  std::vector<const SeriesInput*> order;
  for (const SeriesInput& s : series) {
    const std::string who = "series " + std::to_string(s.id) + " (" + s.name + ")";
    if (s.samples.empty()) return Status::InvalidArgument(who + " has no samples");
    if (s.type != ValueType::kInt64 && s.type != ValueType::kFloat64) {
      return Status::InvalidArgument(who + " is not int64 or float64");
    }
    if (s.name.empty() || s.name.size() > format::kMaxNameBytes) {
      return Status::InvalidArgument(who + ": names are 1..255 bytes");
    }
    if (s.samples.size() > format::kMaxSamplesPerSeries) {
      return Status::InvalidArgument(who + " has more than 2^28 samples");
    }
    for (size_t i = 1; i < s.samples.size(); ++i) {
      if (s.samples[i].ts < s.samples[i - 1].ts) {
        return Status::InvalidArgument(who + " is not sorted by time");
      }
    }
    order.push_back(&s);
  }
  std::sort(order.begin(), order.end(),
            [](const SeriesInput* a, const SeriesInput* b) { return a->id < b->id; });
  for (size_t i = 1; i < order.size(); ++i) {
    if (order[i]->id == order[i - 1]->id) {
      return Status::InvalidArgument("series id " + std::to_string(order[i]->id) +
                                     " appears twice");
    }
  }

  std::string out;
  out.append(format::kMagic);
  PutFixed16(&out, format::kVersion);
  PutFixed16(&out, 0);
  PutFixed64(&out, source.bytes);
  PutFixed32(&out, source.frames);
  PutFixed32(&out, 0);
  PutFixed32(&out, Crc32c(out));

  // Time blocks first, one per distinct timestamp vector, in order of first use.
  std::map<std::vector<Timestamp>, uint32_t> time_ids;
  std::vector<TimeBlockInfo> times;
  std::vector<uint32_t> series_time(order.size());
  std::vector<Timestamp> ts;
  std::string block;
  for (size_t i = 0; i < order.size(); ++i) {
    ts.clear();
    for (const Sample& s : order[i]->samples) ts.push_back(s.ts);
    auto [it, inserted] = time_ids.try_emplace(ts, static_cast<uint32_t>(times.size()));
    series_time[i] = it->second;
    if (!inserted) continue;
    block.clear();
    EncodeTimes(ts, &block);
    TimeBlockInfo t;
    t.place = BlockPlace{out.size(), block.size(), Crc32c(block)};
    t.count = ts.size();
    t.first = ts.front();
    t.last = ts.back();
    times.push_back(t);
    out.append(block);
  }
  std::vector<BlockPlace> values(order.size());
  std::vector<uint64_t> bits;
  for (size_t i = 0; i < order.size(); ++i) {
    bits.clear();
    for (const Sample& s : order[i]->samples) bits.push_back(s.bits);
    block.clear();
    EncodeValues(order[i]->type, bits, &block);
    values[i] = BlockPlace{out.size(), block.size(), Crc32c(block)};
    out.append(block);
  }

  std::string index;
  PutVarint(&index, times.size());
  for (const TimeBlockInfo& t : times) {
    PutPlace(&index, t.place);
    PutVarint(&index, t.count);
    PutVarint(&index, ZigZag(t.first));
    PutVarint(&index, ZigZag(t.last));
  }
  PutVarint(&index, order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    const SeriesInput& s = *order[i];
    PutVarint(&index, s.id);
    index.push_back(static_cast<char>(s.type));
    PutVarint(&index, s.name.size());
    index.append(s.name);
    PutVarint(&index, series_time[i]);
    PutPlace(&index, values[i]);
  }
  const uint64_t index_offset = out.size();
  out.append(index);
  std::string footer;
  PutFixed64(&footer, index_offset);
  PutFixed32(&footer, static_cast<uint32_t>(index.size()));
  PutFixed32(&footer, Crc32c(index));
  footer.append(format::kFooterMagic);
  PutFixed32(&footer, Crc32c(footer));
  out.append(footer);
  return out;
}

Result<std::unique_ptr<MetricFileReader>> MetricFileReader::OpenPath(const std::string& path) {
  NANOTDB_ASSIGN_OR_RETURN(std::unique_ptr<MetricFileSource> src, OpenFileSource(path));
  return Open(std::move(src), path);
}

Result<std::unique_ptr<MetricFileReader>> MetricFileReader::Open(
    std::unique_ptr<MetricFileSource> source, std::string name) {
  std::unique_ptr<MetricFileReader> r(new MetricFileReader());
  r->name_ = std::move(name);
  auto bad = [&r](const std::string& what) {
    return Status::Corruption(r->name_ + ": not a valid metric file: " + what);
  };
  r->file_bytes_ = source->size();
  if (r->file_bytes_ < format::kHeaderSize + format::kFooterSize) return bad("too short");
  std::string header, footer, index;
  NANOTDB_RETURN_IF_ERROR(source->Read(0, format::kHeaderSize, &header));
  if (std::string_view(header).substr(0, 4) != format::kMagic) return bad("bad magic");
  if (DecodeFixed32(header.data() + 24) != Crc32c(std::string_view(header).substr(0, 24))) {
    return bad("header checksum mismatch");
  }
  r->version_ = DecodeFixed16(header.data() + 4);
  if (r->version_ != format::kVersion) {
    return Status::Unsupported(r->name_ + ": metric file format version " +
                               std::to_string(r->version_) + " is not supported");
  }
  r->source_.bytes = DecodeFixed64(header.data() + 8);
  r->source_.frames = DecodeFixed32(header.data() + 16);
  NANOTDB_RETURN_IF_ERROR(
      source->Read(r->file_bytes_ - format::kFooterSize, format::kFooterSize, &footer));
  if (std::string_view(footer).substr(16, 4) != format::kFooterMagic) return bad("bad footer");
  if (DecodeFixed32(footer.data() + 20) != Crc32c(std::string_view(footer).substr(0, 20))) {
    return bad("footer checksum mismatch");
  }
  const uint64_t index_offset = DecodeFixed64(footer.data());
  const uint64_t index_bytes = DecodeFixed32(footer.data() + 8);
  const uint64_t body_end = r->file_bytes_ - format::kFooterSize;
  if (index_offset < format::kHeaderSize || index_offset > body_end ||
      index_bytes != body_end - index_offset || index_bytes > format::kMaxIndexBytes) {
    return bad("index out of bounds");
  }
  NANOTDB_RETURN_IF_ERROR(source->Read(index_offset, index_bytes, &index));
  if (Crc32c(index) != DecodeFixed32(footer.data() + 12)) return bad("index checksum mismatch");

  auto in_body = [&](const BlockPlace& p) {
    return p.offset >= format::kHeaderSize && p.offset <= index_offset &&
           p.bytes <= index_offset - p.offset && p.bytes <= format::kMaxBlockBytes;
  };
  size_t pos = 0;
  uint64_t n;
  if (!GetVarint(index, &pos, &n) || n > index_bytes) return bad("bad time block count");
  for (uint64_t i = 0; i < n; ++i) {
    TimeBlockInfo t;
    uint64_t first, last;
    if (!GetPlace(index, &pos, &t.place) || !GetVarint(index, &pos, &t.count) ||
        !GetVarint(index, &pos, &first) || !GetVarint(index, &pos, &last)) {
      return bad("truncated time block entry");
    }
    t.first = UnZigZag(first);
    t.last = UnZigZag(last);
    if (!in_body(t.place) || t.count == 0 || t.count > format::kMaxSamplesPerSeries ||
        t.last < t.first) {
      return bad("time block " + std::to_string(i) + " out of bounds");
    }
    r->time_blocks_.push_back(t);
  }
  if (!GetVarint(index, &pos, &n) || n > index_bytes) return bad("bad series count");
  for (uint64_t i = 0; i < n; ++i) {
    SeriesEntry s;
    uint64_t id, name_len, tb;
    std::string_view name;
    if (!GetVarint(index, &pos, &id) || pos >= index.size()) return bad("truncated series entry");
    const auto type = static_cast<ValueType>(static_cast<unsigned char>(index[pos++]));
    if (!GetVarint(index, &pos, &name_len) || name_len == 0 || name_len > format::kMaxNameBytes ||
        !GetBytes(index, &pos, name_len, &name) || !GetVarint(index, &pos, &tb) ||
        !GetPlace(index, &pos, &s.values)) {
      return bad("truncated series entry");
    }
    if (id == 0 || id > UINT32_MAX || (type != ValueType::kInt64 && type != ValueType::kFloat64) ||
        tb >= r->time_blocks_.size() || !in_body(s.values)) {
      return bad("series entry " + std::to_string(i) + " out of bounds");
    }
    if (!r->series_.empty() && id <= r->series_.back().id) return bad("series ids not ascending");
    s.id = static_cast<MetricId>(id);
    s.type = type;
    s.name = std::string(name);
    s.time_block = static_cast<uint32_t>(tb);
    const TimeBlockInfo& t = r->time_blocks_[tb];
    s.count = t.count;
    s.first = t.first;
    s.last = t.last;
    r->by_id_.emplace(s.id, r->series_.size());
    r->series_.push_back(std::move(s));
  }
  if (pos != index.size()) return bad("bytes after the index entries");
  r->source_file_ = std::move(source);
  return r;
}

const SeriesEntry* MetricFileReader::Find(MetricId id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &series_[it->second];
}

Status MetricFileReader::ReadBlock(const BlockPlace& place, std::string* out) const {
  NANOTDB_RETURN_IF_ERROR(source_file_->Read(place.offset, place.bytes, out));
  if (Crc32c(*out) != place.crc) {
    return Status::Corruption(name_ + ": block at offset " + std::to_string(place.offset) +
                              " fails its checksum");
  }
  return Status::Ok();
}

Result<std::shared_ptr<const std::vector<Timestamp>>> MetricFileReader::Times(
    uint32_t block) const {
  {
    std::lock_guard lock(times_mu_);
    auto it = times_.find(block);
    if (it != times_.end()) return it->second;
  }
  const TimeBlockInfo& t = time_blocks_[block];
  std::string bytes;
  NANOTDB_RETURN_IF_ERROR(ReadBlock(t.place, &bytes));
  auto ts = std::make_shared<std::vector<Timestamp>>();
  Status st = DecodeTimes(bytes, t.count, ts.get());
  if (!st.ok()) return st.WithContext(name_ + ": time block " + std::to_string(block));
  if (ts->size() != t.count || ts->front() != t.first || ts->back() != t.last ||
      !std::is_sorted(ts->begin(), ts->end())) {
    return Status::Corruption(name_ + ": time block " + std::to_string(block) +
                              " does not match its index entry");
  }
  std::lock_guard lock(times_mu_);
  return times_.try_emplace(block, std::move(ts)).first->second;
}

Status MetricFileReader::Decode(MetricId id, Timestamp from, Timestamp to, Decoded* d) const {
  const SeriesEntry* s = Find(id);
  if (s == nullptr) {
    return Status::NotFound(name_ + " holds no series with id " + std::to_string(id));
  }
  d->begin = d->end = 0;
  if (to < s->first || from > s->last) return Status::Ok();
  auto context = [&](const Status& st) {
    return st.WithContext("series " + std::to_string(id) + " (" + s->name + ")");
  };
  auto times = Times(s->time_block);
  if (!times.ok()) return context(times.status());
  d->times = std::move(*times);
  // Kept per thread: a full day of a series is 8640 values, read again and again.
  thread_local std::string bytes;
  Status st = ReadBlock(s->values, &bytes);
  if (!st.ok()) return context(st);
  d->values.clear();
  st = DecodeValues(s->type, bytes, s->count, &d->values);
  if (!st.ok()) return context(st.WithContext(name_));
  const std::vector<Timestamp>& ts = *d->times;
  d->begin = std::lower_bound(ts.begin(), ts.end(), from) - ts.begin();
  d->end = std::upper_bound(ts.begin() + d->begin, ts.end(), to) - ts.begin();
  return Status::Ok();
}

Status MetricFileReader::ReadSeries(MetricId id, Timestamp from, Timestamp to,
                                    const std::function<bool(const Sample&)>& fn) const {
  // The decoded values are kept per thread (a full day is 8640 of them, read again and again)
  // unless fn reads another series meanwhile, which then decodes into its own.
  thread_local Decoded kept;
  thread_local bool kept_busy = false;
  Decoded own;
  Decoded& d = kept_busy ? own : kept;
  struct Take {
    bool took;
    ~Take() {
      if (took) kept_busy = false;
    }
  } take{!kept_busy};
  kept_busy = true;
  Status st = Decode(id, from, to, &d);
  if (st.ok()) {
    const Timestamp* ts = d.times ? d.times->data() : nullptr;
    const uint64_t* v = d.values.data();
    for (size_t i = d.begin; i < d.end; ++i) {
      if (!fn(Sample{ts[i], v[i]})) break;
    }
  }
  d.times.reset();
  return st;
}

Status MetricFileReader::ReadSeries(MetricId id, Timestamp from, Timestamp to,
                                    std::vector<Sample>* out) const {
  Decoded d;
  NANOTDB_RETURN_IF_ERROR(Decode(id, from, to, &d));
  out->reserve(out->size() + (d.end - d.begin));
  for (size_t i = d.begin; i < d.end; ++i) out->push_back(Sample{(*d.times)[i], d.values[i]});
  return Status::Ok();
}

Status MetricFileReader::ReadAll(MetricId id, std::vector<Sample>* out) const {
  return ReadSeries(id, kMinTimestamp, kMaxTimestamp, out);
}

}  // namespace nanotdb::metricfiles
