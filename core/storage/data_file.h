// Partition data files (data-<part>.dat): a 16-byte file header followed by frames (frame.h)
// appended one per flushed page. Byte layout: docs/format/data-file.md.
//
// Damage is contained: a frame whose header fails its checks is skipped by scanning for the
// next frame magic, so frames after it stay readable; a block failing its CRC costs only the
// columns that need that block; a damaged file header costs nothing when intact frames follow
// it. The writer cuts only a provably torn last frame (a crash mid-append); any other damaged
// tail is first copied into a quarantine file next to the data file (QuarantinePath).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "nanotdb/env.h"
#include "nanotdb/status.h"
#include "nanotdb/types.h"
#include "storage/frame.h"
#include "storage/frame_format.h"

namespace nanotdb {

// A metric as a name record of a data file holds it, so the catalog can be rebuilt from the
// data files alone (nanocli recover).
struct MetricName {
  MetricId id = 0;
  ValueType type = ValueType::kFloat64;
  std::string name;
  bool operator==(const MetricName&) const = default;
};

// A byte range of a data file holding no intact frame.
struct DamagedRegion {
  uint64_t offset = 0;
  uint64_t bytes = 0;
  std::string reason;
  bool tail = false;  // nothing intact follows it
  bool torn = false;  // tail only: provably a frame whose append did not finish
};

// A block of an intact frame that failed its checks during a read.
struct SkippedBlock {
  uint64_t frame_offset = 0;
  MetricId id = 0;
  Timestamp min_ts = 0, max_ts = 0;  // of the column that was lost
  uint64_t samples = 0;              // the column's sample count in the frame
  std::string reason;
};

struct DataFileOpenReport {
  uint64_t file_bytes = 0;   // size found on open
  uint64_t valid_bytes = 0;  // size after open: header + every byte up to the last good frame
  uint64_t frames = 0;       // intact frames
  std::string dropped;       // "" or what was truncated (offset, bytes, reason)
  std::string damaged;       // "" or unreadable regions left in place between intact frames
  std::string quarantined;   // "" or the quarantine file a damaged tail was copied to
};

// Appends frames to one data file. Not thread-safe: one owner (the engine's flush path).
class DataFileWriter {
 public:
  // Creates the file with its header if missing or empty (syncing it and its directory);
  // otherwise checks the header and scans the frame headers. Bytes after the last intact
  // frame are cut so appends follow intact data: a provably torn frame is just cut; any other
  // damaged tail is copied to QuarantinePath(path, offset) (filenames.h; synced) before the cut,
  // and named in report->quarantined. A file that is not a data file (no intact frame and a bad
  // magic, an unknown version) is an error and is left untouched.
  static Result<std::unique_ptr<DataFileWriter>> Open(Env* env, const std::string& path,
                                                      DataFileOpenReport* report);

  DataFileWriter(const DataFileWriter&) = delete;
  DataFileWriter& operator=(const DataFileWriter&) = delete;
  ~DataFileWriter();

  // Appends one whole frame (from EncodeFrame with frame_options()); sync = fdatasync after
  // the write. `names` names the frame's metrics: those the file has not named yet get a name
  // record written just before the frame (version 2 files and later; a version 1 file gets
  // none). On failure the file
  // is cut back to its previous size when possible, so no partial frame remains.
  Status Append(std::string_view frame, bool sync, std::span<const MetricName> names = {});
  uint64_t size() const;
  const std::string& path() const;
  uint16_t version() const { return version_; }
  // How frames appended to this file must be encoded (a file keeps its version).
  FrameOptions frame_options(int zstd_level = FrameOptions{}.zstd_level) const {
    FrameOptions o;
    o.zstd_level = zstd_level;
    o.repair_bytes = version_ >= data_format::kFirstRepairVersion;
    return o;
  }

 private:
  DataFileWriter(std::unique_ptr<WritableFile> file, uint16_t version);
  std::unique_ptr<WritableFile> file_;
  uint16_t version_;
  std::unordered_set<MetricId> named_;  // ids the file's name records hold
};

struct FrameIndexEntry {
  uint64_t offset = 0;  // of the frame's first byte in the file
  FrameHeader header;
};

// Read-only view of a data file as it was when opened: it lists the frames present then and
// never sees later appends (it is safe to use while a writer appends). All const methods are
// thread-safe.
class DataFileReader {
 public:
  static Result<std::unique_ptr<DataFileReader>> Open(Env* env, const std::string& path);

  DataFileReader(const DataFileReader&) = delete;
  DataFileReader& operator=(const DataFileReader&) = delete;

  const std::vector<FrameIndexEntry>& frames() const { return frames_; }  // in file order
  // "" or what was wrong (offset and reason): frames with a bad header that were skipped, or
  // a torn tail. Frames that could be read stay listed.
  const std::string& error() const { return error_; }
  // The same as regions, in file order (a damaged file header is the region at offset 0).
  const std::vector<DamagedRegion>& damaged() const { return damaged_; }
  uint64_t file_bytes() const { return file_bytes_; }
  const std::string& path() const { return path_; }
  // The header's format version (the current one when the header is damaged).
  uint16_t version() const { return version_; }
  // Every metric the file's intact name records hold, in file order, each id once.
  const std::vector<MetricName>& names() const { return names_; }
  // Heap bytes this reader holds (its frame index, names and messages), for cache bounds.
  size_t MemoryBytes() const;

  // Calls fn for the samples of `id` with from <= ts <= to, frame by frame in file order,
  // stopping early when fn returns false. Frames whose time range misses [from, to] or that
  // lack the metric are skipped without reading their blocks. A block failing its checks
  // returns Corruption naming the file, the frame's offset and the metric id — or, when
  // `skipped` is given, is appended there and the read goes on with the next frame.
  // *stopped (when given) tells whether fn stopped the read.
  Status ReadMetric(MetricId id, Timestamp from, Timestamp to,
                    const std::function<bool(const Sample&)>& fn,
                    std::vector<SkippedBlock>* skipped = nullptr, bool* stopped = nullptr) const;

  // Decodes every column of frames()[index], in metric id order.
  Status ReadFrame(size_t index, std::vector<std::pair<MetricId, std::vector<Sample>>>* out) const;

 private:
  DataFileReader() = default;
  std::unique_ptr<RandomAccessFile> file_;
  std::string path_;
  uint64_t file_bytes_ = 0;
  std::vector<FrameIndexEntry> frames_;
  std::vector<DamagedRegion> damaged_;
  std::vector<MetricName> names_;
  uint16_t version_ = 0;
  std::string error_;
};

// The 16-byte file header (exposed for tools and tests); `version` for tests of old files.
std::string EncodeDataFileHeader(uint16_t version = data_format::kFileVersion);
Status CheckDataFileHeader(std::string_view header, const std::string& path);

// A name record holding `names` (at least one; names of 1..4096 bytes).
std::string EncodeNameRecord(std::span<const MetricName> names);
// Parses and verifies the name record starting at data[0] (data may continue past it); sets
// *record_bytes to its length. Corruption describes what is wrong.
Result<std::vector<MetricName>> ParseNameRecord(std::string_view data, uint64_t* record_bytes);

}  // namespace nanotdb
