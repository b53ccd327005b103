// Recover and compact: offline rewrites of one database's files (nanocli recover, compact).
//
// RecoverDatabase keeps every intact block and moves the rest aside. It reads every data file,
// decodes every column of every frame, and rebuilds:
// - each data file that holds damage, or lacks the name records of format version 2, as a
//   version 2 file: file header, one name record for its metrics, its intact frames byte for
//   byte, and frames that lost columns re-encoded from the columns that remain. Damaged regions
//   and the original bytes of every frame that lost a column are first copied to
//   `<file>.quarantine.<offset>` (filenames.h), so nothing is destroyed. A provably torn last
//   frame (an append a crash cut short) is dropped, as the engine does on open.
// - catalog.json, when it is missing, unreadable, or lacks metrics the data files hold. Names
//   come from the catalog when it is readable, else from the data files' name records, else
//   from the WAL's metric definitions; a metric none of them names is called
//   `recovered.id<N>` (its id and type come from the frames).
// Running it again changes nothing. It does not take the root lock: the caller must hold it
// (nanocli does) so no server writes meanwhile. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nanotdb/env.h"
#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb {

struct RecoverOptions {
  bool dry_run = false;  // report what would change, write nothing
  // Called before each data file is scanned: files done so far, total, the file's name.
  std::function<void(size_t done, size_t total, const std::string& file)> progress;
};

// Samples (or a region) that a recover could not keep.
struct LostData {
  std::string metric;                // "" for a damaged region (which metrics it held is unknown)
  uint64_t offset = 0;               // of the frame or region in the original file
  uint64_t bytes = 0;                // region length; 0 for a column of an intact frame header
  Timestamp min_ts = 0, max_ts = 0;  // the column's range; 0, 0 for a region
  uint64_t samples = 0;
  std::string reason;
};

struct RecoveredFile {
  std::string name;    // "data-2026-05-24.dat"
  std::string action;  // "intact", "rewritten", "would rewrite", "left untouched"
  std::string why;     // what made it rewritten or left untouched; "" when intact
  uint64_t bytes_before = 0, bytes_after = 0;
  uint64_t frames = 0;  // intact frame headers found
  uint64_t kept_samples = 0;
  std::vector<std::string> kept_metrics;  // names, sorted
  Timestamp kept_min = 0, kept_max = 0;   // of the kept samples (0, 0 when none)
  uint64_t lost_samples = 0;              // counted from intact frame headers
  std::vector<LostData> lost;
  std::vector<std::string> quarantined;  // files written (or that would be)
};

struct RecoverReport {
  std::string db;
  std::vector<RecoveredFile> files;
  std::string catalog = "intact";  // "intact", "rebuilt", "would rebuild"
  std::string catalog_problem;     // why it is rebuilt
  size_t metrics = 0;              // in the catalog after recovery
  size_t named_by_catalog = 0, named_by_files = 0, named_by_wal = 0;
  std::vector<std::string> unnamed;  // placeholder names given
  std::vector<std::string> notes;    // conflicts between name sources, unreadable WAL
  bool changed() const;              // anything rewritten or rebuilt (or that would be)
};

Status RecoverDatabase(Env* env, const std::string& root, const std::string& db,
                       const RecoverOptions& options, RecoverReport* report);

struct CompactResult {
  std::string name;  // data file
  uint64_t frames_before = 0, frames_after = 0;
  uint64_t bytes_before = 0, bytes_after = 0;
  uint64_t samples = 0;
  bool rewritten = false;  // false: already one frame
};

// Rewrites the partition `key` of `db` as few frames as possible (one, up to 8M samples each,
// zstd level 19), as an import writes a partition, with a name record for its metrics. Refuses
// (InvalidArgument) the partition that holds `now` (not sealed: the engine still appends to
// it) and a file with damage (Corruption pointing to nanocli recover). The caller holds the
// root lock. Atomic: a crash leaves the old or the new file.
Status CompactPartition(Env* env, const std::string& root, const std::string& db,
                        const std::string& key, Timestamp now, CompactResult* result);

}  // namespace nanotdb
