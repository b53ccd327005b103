// Every on-disk name of a data root is made and parsed here, nowhere else.
//
//   <root>/.lock                       process lock (Env::LockFile)
//   <root>/.running                    present while a daemon runs (removed at clean shutdown;
//                                      found at start: the last run ended dirty)
//   <root>/<db>/                       one database
//   <root>/<db>/<db>.wal               its write-ahead log
//   <root>/<db>/catalog.json           its metric catalog
//   <root>/<db>/manifest.toml          its settings
//   <root>/<db>/data-<key>.dat         one partition's frames; <key> from PartitionKey
//   <root>/<db>/events-<key>.evt       one partition's events (event_file.h)
//   <root>/<db>/data-<key>.dat.quarantine.<offset>
//                                      damaged bytes moved aside from that offset of the file
//   <root>/<db>/metric-<key>.ntm       the partition rewritten series by series (metricfiles
//                                      plugin; docs/format/metric-file.md)
//   <root>/<db>/raw-<key>.dat          data-<key>.dat renamed aside once a verified metric
//                                      file replaced it (raw_ingest_action = "rename")
//   <path>.tmp                         transient temp of WriteFileAtomically
//
// Partition keys are UTC calendar periods: "YYYY-MM-DD" (day), "YYYY-MM" (month), "YYYY"
// (year) or "forever". Pure functions (except IsDatabaseDir, which asks the Env);
// thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "nanotdb/env.h"
#include "nanotdb/options.h"
#include "nanotdb/types.h"

namespace nanotdb {

std::string DatabaseDir(std::string_view root, std::string_view db);  // <root>/<db>
std::string WalPath(std::string_view root, std::string_view db);      // <root>/<db>/<db>.wal
std::string CatalogPath(std::string_view root, std::string_view db);
std::string ManifestPath(std::string_view root, std::string_view db);
std::string LockPath(std::string_view root);       // <root>/.lock
std::string RunMarkerPath(std::string_view root);  // <root>/.running
std::string DataFilePath(std::string_view root, std::string_view db, std::string_view key);

std::string DataFileName(std::string_view key);  // "data-<key>.dat"
// True for "data-<key>.dat" with a well-formed key of any partitioning; sets *key.
bool ParseDataFileName(std::string_view name, std::string* key);

// "metric-<key>.ntm" (path: in the database directory); Parse is true for such a name with a
// well-formed key and sets *key.
std::string MetricFileName(std::string_view key);
std::string MetricFilePath(std::string_view root, std::string_view db, std::string_view key);
bool ParseMetricFileName(std::string_view name, std::string* key);
// "raw-<key>.dat": a data file renamed aside after its metric file replaced it. The engine
// never reads it; renaming it back to data-<key>.dat (with the metric file removed) restores
// the partition as it was.
std::string ReplacedRawName(std::string_view key);
std::string ReplacedRawPath(std::string_view root, std::string_view db, std::string_view key);
bool ParseReplacedRawName(std::string_view name, std::string* key);
std::string EventFilePath(std::string_view root, std::string_view db, std::string_view key);
std::string EventFileName(std::string_view key);  // "events-<key>.evt"
// True for "events-<key>.evt" with a well-formed key of any partitioning; sets *key.
bool ParseEventFileName(std::string_view name, std::string* key);

// Where damaged bytes found at `offset` of the file `path` are moved aside:
// "<path>.quarantine.<offset>". ParseQuarantineName is true for such a base name and sets the
// data file's base name and the offset.
std::string QuarantinePath(std::string_view path, uint64_t offset);
bool ParseQuarantineName(std::string_view name, std::string* data_file, uint64_t* offset);

// The temp file WriteFileAtomically writes before renaming it over `path`.
std::string TempFilePath(std::string_view path);
bool IsTempFileName(std::string_view name);

// The key of the partition holding `ts` (UTC).
std::string PartitionKey(Partitioning mode, Timestamp ts);
// Which partitioning a well-formed key belongs to; false for anything else (also for
// impossible dates such as "2026-02-30").
bool ParsePartitionKey(std::string_view key, Partitioning* mode);
// [*start, *end) in ns of the partition `key` of `mode`; false when the key is malformed or
// belongs to another mode. "forever" spans [kMinTimestamp, kMaxTimestamp); a period whose end
// lies beyond the int64 range ends at kMaxTimestamp.
bool PartitionRange(Partitioning mode, std::string_view key, Timestamp* start, Timestamp* end);

// True when `path` looks like a database: it holds manifest.toml, catalog.json, a data-*.dat,
// a metric-*.ntm, an events-*.evt or its WAL (<dirname>.wal).
bool IsDatabaseDir(Env* env, const std::string& path);

// Parent directory of a path ("a/b/c" -> "a/b", "c" -> ".", "/c" -> "/").
std::string DirName(std::string_view path);
// Last component of a path ("a/b/c" -> "c").
std::string BaseName(std::string_view path);

}  // namespace nanotdb
