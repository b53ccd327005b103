// Settings of the storage engine: engine-wide durability and per-database manifest settings.
// Parsed from engine.toml ([wal], [durability], [manifest_defaults]) by the daemon and from
// <db>/manifest.toml by the storage engine; documented key by key in docs/configuration.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nanotdb/types.h"

namespace nanotdb {

inline constexpr int64_t kSecond = kNanosPerSecond;
inline constexpr int64_t kMinute = 60 * kSecond;
inline constexpr int64_t kHour = 60 * kMinute;
inline constexpr int64_t kDay = 24 * kHour;

enum class DurabilityProfile { kStrict, kBalanced, kThroughput };
enum class FsyncPolicy { kSegment, kAlways };
enum class Partitioning { kDay, kMonth, kYear, kForever };
enum class RetentionAction { kKeep, kDelete };

const char* DurabilityProfileName(DurabilityProfile p);  // "strict" ...
const char* FsyncPolicyName(FsyncPolicy p);              // "segment" | "always"
const char* PartitioningName(Partitioning p);            // "day" ...
const char* RetentionActionName(RetentionAction a);      // "keep" | "delete"
bool ParseDurabilityProfile(std::string_view s, DurabilityProfile* out);
bool ParseFsyncPolicy(std::string_view s, FsyncPolicy* out);
bool ParsePartitioning(std::string_view s, Partitioning* out);  // case-insensitive
bool ParseRetentionAction(std::string_view s, RetentionAction* out);

// Engine-wide durability ([wal] and [durability] in engine.toml).
struct DurabilityOptions {
  // strict: fsync data file and write catalog on every page flush; balanced: fsync data file,
  // catalog at WAL reset/close; throughput: neither (the OS writes back).
  DurabilityProfile profile = DurabilityProfile::kStrict;
  // always: fsync the WAL before a write is acknowledged; segment: fsync at WAL reset and on
  // every append once the WAL is larger than wal_max_segment_size.
  FsyncPolicy fsync_policy = FsyncPolicy::kSegment;
  uint64_t wal_max_segment_size = 64ull << 20;

  // Under fsync_policy = always the WAL is emptied after a flush only once the data file is
  // fsynced, whatever the profile: an acknowledged sample is on disk until it is deleted.
  bool SyncDataOnFlush() const {
    return profile != DurabilityProfile::kThroughput || fsync_policy == FsyncPolicy::kAlways;
  }
  bool WriteCatalogOnFlush() const { return profile == DurabilityProfile::kStrict; }
};

// Per-database settings (<db>/manifest.toml; defaults from [manifest_defaults]).
struct ManifestSettings {
  // [retention]
  Partitioning partition = Partitioning::kDay;
  int retention_days = 30;  // a partition is expired once its END is this many days old
  RetentionAction retention_action = RetentionAction::kKeep;
  int max_active_partitions = 2;  // partitions with an open page at once

  // [wal]
  bool wal_enabled = true;
  int64_t wal_skip_before = kHour;  // samples older than now - this bypass the WAL; 0 = never

  // [page]: an open page is flushed as one frame when any limit is reached. Frames need
  // hundreds of samples per metric to compress well; the WAL protects the open page.
  uint32_t page_max_records = 262144;
  uint64_t page_max_bytes = 4ull << 20;  // in-memory estimate, 12 bytes per sample
  int64_t page_max_age = 2 * kHour;
};

}  // namespace nanotdb
