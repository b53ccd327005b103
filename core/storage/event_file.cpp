#include "storage/event_file.h"

#include <algorithm>
#include <cstring>

#include "base/coding.h"
#include "base/crc32c.h"
#include "storage/event_format.h"
#include "storage/filenames.h"

namespace nanotdb {

namespace ef = event_format;

namespace {

std::string EncodeHeader() {
  std::string h(ef::kFileMagic);
  PutFixed16(&h, ef::kFileVersion);
  PutFixed16(&h, 0);
  PutFixed32(&h, 0);
  PutFixed32(&h, Crc32c(h));
  return h;
}

// The prefix at `pos` is intact: magic, checksum, a plausible length. Sets *bytes.
bool PrefixOk(std::string_view b, size_t pos, uint32_t* bytes) {
  if (b.size() - pos < ef::kBlockPrefixSize) return false;
  const char* p = b.data() + pos;
  if (std::memcmp(p, ef::kBlockMagic.data(), 4) != 0) return false;
  if (Crc32c(std::string_view(p, 28)) != DecodeFixed32(p + 28)) return false;
  *bytes = DecodeFixed32(p + 4);
  return *bytes >= ef::kMinBlockBytes && *bytes <= ef::kMaxBlockBytes;
}

// An intact block starts at `pos` and fits in the file. *why says what failed otherwise.
bool BlockOk(std::string_view b, size_t pos, EventBlockRef* ref, std::string* why) {
  uint32_t bytes = 0;
  if (!PrefixOk(b, pos, &bytes)) {
    *why = "no intact block prefix";
    return false;
  }
  if (bytes > b.size() - pos) {
    *why = "block of " + std::to_string(bytes) + " bytes runs past the end of the file";
    return false;
  }
  const char* p = b.data() + pos;
  if (Crc32c(std::string_view(p, bytes - 4)) != DecodeFixed32(p + bytes - 4)) {
    *why = "block checksum mismatch";
    return false;
  }
  ref->offset = pos;
  ref->bytes = bytes;
  ref->min_ts = static_cast<Timestamp>(DecodeFixed64(p + 8));
  ref->max_ts = static_cast<Timestamp>(DecodeFixed64(p + 16));
  ref->count = DecodeFixed32(p + 24);
  return true;
}

bool AllZeros(std::string_view b) {
  return std::all_of(b.begin(), b.end(), [](char c) { return c == 0; });
}

}  // namespace

Status EncodeEventBlock(std::span<const Event> events, std::string* out) {
  if (events.empty()) return Status::InvalidArgument("an events block needs at least one event");
  Timestamp min_ts = events[0].ts, max_ts = events[0].ts;
  for (const Event& e : events) {
    min_ts = std::min(min_ts, e.ts);
    max_ts = std::max(max_ts, e.ts);
  }
  const size_t start = out->size();
  out->append(ef::kBlockPrefixSize, '\0');
  for (const Event& e : events) {
    PutVarint64(out, static_cast<uint64_t>(e.ts) - static_cast<uint64_t>(min_ts));
    PutVarint64(out, e.name.size());
    out->append(e.name);
    if (!e.value) {
      out->push_back(static_cast<char>(ef::kNoValue));
    } else {
      out->push_back(static_cast<char>(e.value->type == ValueType::kInt64 ? ef::kInt64Value
                                                                          : ef::kFloat64Value));
      PutFixed64(out, e.value->bits);
    }
    PutVarint64(out, e.payload.size());
    out->append(e.payload);
  }
  const size_t bytes = out->size() - start + ef::kBlockTrailerSize;
  if (bytes > ef::kMaxBlockBytes) {
    out->resize(start);
    return Status::InvalidArgument("events block of " + std::to_string(bytes) +
                                   " bytes is larger than the limit of " +
                                   std::to_string(ef::kMaxBlockBytes));
  }
  char* p = out->data() + start;
  std::memcpy(p, ef::kBlockMagic.data(), 4);
  EncodeFixed32(p + 4, static_cast<uint32_t>(bytes));
  EncodeFixed64(p + 8, static_cast<uint64_t>(min_ts));
  EncodeFixed64(p + 16, static_cast<uint64_t>(max_ts));
  EncodeFixed32(p + 24, static_cast<uint32_t>(events.size()));
  EncodeFixed32(p + 28, Crc32c(std::string_view(p, 28)));
  PutFixed32(out, Crc32c(std::string_view(out->data() + start, out->size() - start)));
  return Status::Ok();
}

Status DecodeEventBlock(std::string_view block, std::vector<Event>* out) {
  EventBlockRef ref;
  std::string why;
  if (!BlockOk(block, 0, &ref, &why)) return Status::Corruption("events block: " + why);
  if (ref.bytes != block.size()) {
    return Status::Corruption("events block declares " + std::to_string(ref.bytes) +
                              " bytes, holds " + std::to_string(block.size()));
  }
  std::string_view in = block.substr(ef::kBlockPrefixSize, ref.bytes - ef::kMinBlockBytes);
  // Each event takes at least 4 bytes, which bounds the count before anything is allocated.
  if (ref.count == 0 || ref.count > in.size() / 4) {
    return Status::Corruption("events block count " + std::to_string(ref.count) +
                              " does not fit its " + std::to_string(in.size()) + " bytes");
  }
  const size_t first = out->size();
  out->reserve(first + ref.count);
  for (uint32_t i = 0; i < ref.count; ++i) {
    Event e;
    uint64_t delta = 0, name_len = 0, payload_len = 0;
    std::string_view name, payload;
    if (!GetVarint64(&in, &delta) || !GetVarint64(&in, &name_len) || name_len == 0 ||
        name_len > kMaxEventNameBytes || !GetBytes(&in, name_len, &name) || in.empty()) {
      out->resize(first);
      return Status::Corruption("events block: event " + std::to_string(i) + " is malformed");
    }
    e.ts = static_cast<Timestamp>(static_cast<uint64_t>(ref.min_ts) + delta);
    e.name.assign(name);
    const auto tag = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    uint64_t bits = 0;
    if (tag == ef::kInt64Value || tag == ef::kFloat64Value) {
      if (!GetFixed64(&in, &bits)) {
        out->resize(first);
        return Status::Corruption("events block: event " + std::to_string(i) + " is cut short");
      }
      Value v;
      v.type = tag == ef::kInt64Value ? ValueType::kInt64 : ValueType::kFloat64;
      v.bits = bits;
      e.value = v;
    } else if (tag != ef::kNoValue) {
      out->resize(first);
      return Status::Corruption("events block: event " + std::to_string(i) +
                                " has unknown value tag " + std::to_string(tag));
    }
    if (!GetVarint64(&in, &payload_len) || payload_len > kMaxEventPayloadBytes ||
        !GetBytes(&in, payload_len, &payload) || e.ts < ref.min_ts || e.ts > ref.max_ts) {
      out->resize(first);
      return Status::Corruption("events block: event " + std::to_string(i) + " is malformed");
    }
    e.payload.assign(payload);
    out->push_back(std::move(e));
  }
  if (!in.empty()) {
    out->resize(first);
    return Status::Corruption("events block: " + std::to_string(in.size()) +
                              " bytes after its last event");
  }
  return Status::Ok();
}

Status ScanEventFile(std::string_view b, const std::string& path, EventFileScan* scan) {
  *scan = EventFileScan{};
  const size_t n = b.size();
  scan->file_bytes = n;
  if (n < ef::kFileHeaderSize) {
    // Torn while its header was being written: no events yet.
    if (b == std::string_view(EncodeHeader()).substr(0, n)) return Status::Ok();
    return Status::Corruption(path + ": " + std::to_string(n) +
                              " bytes, shorter than an events file header");
  }
  const bool header_ok =
      b.substr(0, 4) == ef::kFileMagic && Crc32c(b.substr(0, 12)) == DecodeFixed32(b.data() + 12);
  if (header_ok && DecodeFixed16(b.data() + 4) != ef::kFileVersion) {
    return Status::Unsupported(
        path + ": events file format version " + std::to_string(DecodeFixed16(b.data() + 4)) +
        " is not supported (this build reads version " + std::to_string(ef::kFileVersion) + ")");
  }
  size_t pos = ef::kFileHeaderSize;
  scan->valid_end = pos;
  while (pos < n) {
    EventBlockRef ref;
    std::string why;
    if (BlockOk(b, pos, &ref, &why)) {
      scan->blocks.push_back(ref);
      pos += ref.bytes;
      scan->valid_end = pos;
      continue;
    }
    EventDamage d;
    d.offset = pos;
    uint32_t declared = 0;
    const std::string_view rest = b.substr(pos);
    if (PrefixOk(b, pos, &declared) && declared > rest.size()) {
      d.torn = true;
      d.bytes = rest.size();
      d.reason = "torn block: declares " + std::to_string(declared) + " bytes, the file holds " +
                 std::to_string(rest.size());
      scan->damaged.push_back(std::move(d));
      break;
    }
    if (AllZeros(rest)) {
      d.torn = true;
      d.bytes = rest.size();
      d.reason = "zero bytes at the end of the file";
      scan->damaged.push_back(std::move(d));
      break;
    }
    if (rest.size() < ef::kBlockPrefixSize &&
        rest.substr(0, std::min<size_t>(4, rest.size())) ==
            ef::kBlockMagic.substr(0, std::min<size_t>(4, rest.size()))) {
      d.torn = true;
      d.bytes = rest.size();
      d.reason = "torn block prefix";
      scan->damaged.push_back(std::move(d));
      break;
    }
    size_t next = pos + 1;
    EventBlockRef probe;
    std::string ignored;
    for (; next < n; ++next) {
      if (b[next] == ef::kBlockMagic[0] && BlockOk(b, next, &probe, &ignored)) break;
    }
    d.bytes = next - pos;
    d.reason = why;
    scan->damaged.push_back(std::move(d));
    pos = next;
  }
  if (!header_ok) {
    if (scan->blocks.empty()) {
      return Status::Corruption(path + ": not an events file (bad magic or header checksum)");
    }
    scan->damaged.insert(scan->damaged.begin(),
                         EventDamage{0, ef::kFileHeaderSize, "file header checksum mismatch"});
  }
  return Status::Ok();
}

std::string DescribeEventDamage(const EventDamage& d) {
  return "offset " + std::to_string(d.offset) + ": " + std::to_string(d.bytes) + " bytes (" +
         d.reason + ")";
}

Result<std::unique_ptr<EventFileWriter>> EventFileWriter::Open(Env* env, const std::string& path,
                                                               EventFileOpenReport* report) {
  *report = EventFileOpenReport{};
  const std::string header = EncodeHeader();
  uint64_t size = 0;
  if (env->FileExists(path)) {
    NANOTDB_ASSIGN_OR_RETURN(size, env->GetFileSize(path));
  }
  if (size < ef::kFileHeaderSize) {
    if (size > 0) {
      std::string head;
      NANOTDB_RETURN_IF_ERROR(env->ReadFileToString(path, &head));
      if (head != std::string_view(header).substr(0, head.size())) {
        return Status::Corruption(path + ": " + std::to_string(size) +
                                  " bytes that do not start an events file; left untouched");
      }
      report->dropped = "offset 0: " + std::to_string(size) + " bytes of a torn file header";
    }
    NANOTDB_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(path, /*truncate=*/true));
    NANOTDB_RETURN_IF_ERROR(file->Append(header));
    NANOTDB_RETURN_IF_ERROR(file->Sync());
    NANOTDB_RETURN_IF_ERROR(env->SyncDir(DirName(path)));
    return std::unique_ptr<EventFileWriter>(new EventFileWriter(std::move(file)));
  }
  std::string bytes;
  NANOTDB_RETURN_IF_ERROR(env->ReadFileToString(path, &bytes));
  EventFileScan scan;
  NANOTDB_RETURN_IF_ERROR(ScanEventFile(bytes, path, &scan));
  const EventDamage* tail = scan.tail();
  for (const EventDamage& d : scan.damaged) {
    if (&d != tail) report->damaged.push_back(DescribeEventDamage(d));
  }
  if (tail != nullptr && !tail->torn) {
    // Not provably torn: it may hold a whole block with a damaged byte. Keep its bytes.
    report->quarantined = QuarantinePath(path, tail->offset);
    NANOTDB_RETURN_IF_ERROR(WriteFileAtomically(
        env, report->quarantined, std::string_view(bytes).substr(tail->offset, tail->bytes)));
  }
  NANOTDB_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(path, /*truncate=*/false));
  if (tail != nullptr) {
    NANOTDB_RETURN_IF_ERROR(file->Truncate(scan.valid_end));
    NANOTDB_RETURN_IF_ERROR(file->Sync());
    report->dropped =
        (tail->torn ? "cut torn tail at " : "moved damaged tail to " + report->quarantined + ": ") +
        DescribeEventDamage(*tail);
  }
  return std::unique_ptr<EventFileWriter>(new EventFileWriter(std::move(file)));
}

Status EventFileWriter::Append(std::string_view block, bool sync) {
  NANOTDB_RETURN_IF_ERROR(broken_);
  const uint64_t before = file_->Size();
  Status s = file_->Append(block);
  if (s.ok()) unsynced_ = true;
  if (s.ok() && sync) s = Sync();
  if (!s.ok()) {
    Status cut = file_->Truncate(before);
    if (!cut.ok()) {
      broken_ = cut.WithContext(file_->path() + ": cannot cut a failed append back");
    }
    return s.WithContext(file_->path() + ": appending an events block of " +
                         std::to_string(block.size()) + " bytes");
  }
  return Status::Ok();
}

Status EventFileWriter::Sync() {
  if (!unsynced_) return Status::Ok();
  NANOTDB_RETURN_IF_ERROR(file_->Sync());
  unsynced_ = false;
  return Status::Ok();
}

}  // namespace nanotdb
