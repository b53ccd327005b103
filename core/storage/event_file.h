// One events file (<db>/events-<key>.evt): the blocks of one partition's events, appended one
// block per write and never rewritten. The file is both the log and the store of its events:
// an acknowledged event is in its block, fsynced when the policy says so. Byte layout:
// event_format.h and docs/format/events.md.
//
// Damage rules are those of data files: a block failing its checks is skipped (the scan
// resynchronises on the next block that verifies); the writer cuts a provably torn tail and
// copies any other damaged tail to <file>.quarantine.<offset> before cutting it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/env.h"
#include "nanotdb/event_types.h"
#include "nanotdb/status.h"

namespace nanotdb {

// Encodes `events` (each valid per ValidateEvent, at least one) as one block appended to *out.
// InvalidArgument when the block would exceed event_format::kMaxBlockBytes.
Status EncodeEventBlock(std::span<const Event> events, std::string* out);
// Decodes a whole block (prefix to trailer) after verifying both checksums; Corruption naming
// what failed otherwise. Appends to *out.
Status DecodeEventBlock(std::string_view block, std::vector<Event>* out);

struct EventBlockRef {
  uint64_t offset = 0;
  uint32_t bytes = 0;
  Timestamp min_ts = 0, max_ts = 0;
  uint32_t count = 0;
};

struct EventDamage {
  uint64_t offset = 0;
  uint64_t bytes = 0;
  std::string reason;
  bool torn = false;  // provably a torn append at the end of the file, safe to cut
};

struct EventFileScan {
  uint64_t file_bytes = 0;
  uint64_t valid_end = 0;  // end of the header and of the last intact block
  std::vector<EventBlockRef> blocks;
  std::vector<EventDamage> damaged;  // in file order; a tail (ending at file_bytes) may be last
  const EventDamage* tail() const {
    return !damaged.empty() && damaged.back().offset >= valid_end ? &damaged.back() : nullptr;
  }
};

// Checks the header and every block of the file's bytes. Corruption when the bytes are not an
// events file (bad header and no intact block), Unsupported for an unknown version. Fewer
// bytes than a header that start like one (a file torn while being created) hold no events.
Status ScanEventFile(std::string_view bytes, const std::string& path, EventFileScan* scan);

// "offset 16: 120 bytes (block checksum mismatch)".
std::string DescribeEventDamage(const EventDamage& d);

struct EventFileOpenReport {
  std::string dropped;               // what was cut from the tail ("" = nothing)
  std::string quarantined;           // where a damaged tail was copied ("" = nowhere)
  std::vector<std::string> damaged;  // damaged regions between intact blocks, left in place
};

class EventFileWriter {
 public:
  // Opens or creates the file (its directory must exist); a new file gets its header, synced
  // with its directory entry. Cuts a torn tail; copies any other damaged tail to a quarantine
  // file (atomically) before cutting it. A file that is not an events file is refused,
  // untouched.
  static Result<std::unique_ptr<EventFileWriter>> Open(Env* env, const std::string& path,
                                                       EventFileOpenReport* report);
  EventFileWriter(const EventFileWriter&) = delete;
  EventFileWriter& operator=(const EventFileWriter&) = delete;

  // Appends one encoded block, fsynced when `sync`. On an I/O error the file is cut back to
  // where it was, so a failed block is never read; if even that fails every later Append fails
  // (the next Open cuts the torn tail).
  Status Append(std::string_view block, bool sync);
  Status Sync();
  uint64_t size() const { return file_->Size(); }
  const std::string& path() const { return file_->path(); }

 private:
  explicit EventFileWriter(std::unique_ptr<WritableFile> file) : file_(std::move(file)) {}
  std::unique_ptr<WritableFile> file_;
  Status broken_;
  bool unsynced_ = false;
};

}  // namespace nanotdb
