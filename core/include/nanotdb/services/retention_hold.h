// RetentionHoldService ("nanotdb.retention-hold" v1): raw data a plugin still needs, so the
// core's retention keeps it (docs/storage.md, "Retention holds"). The rollup plugin publishes it
// at Register: a database's partitions stay until its rollup jobs have rolled them up.
//
// The core asks from its maintenance thread, holding no database lock, only when retention or
// the disk budget is about to delete partitions of `db` (and then at most every 10 s while the
// hold keeps some). Implementations may call the core's read services; they must answer quickly
// and never wait for long work (a running rollup pass). Thread-safe; nothing throws. One plugin
// publishes it (the registry takes one publisher per name and version).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "nanotdb/types.h"

namespace nanotdb {

// Raw data of one database that some component still needs: retention keeps every partition
// whose range ends after `from`; the disk budget deletes held partitions too and says what was
// lost.
struct RetentionHold {
  Timestamp from = kMaxTimestamp;  // earliest timestamp still needed; kMaxTimestamp: none
  // Who needs it and why, for the log: `rollup job "temp_1h" (room.temp{room="kitchen"} ->
  // sensors_1h, 1h) has not rolled up data from 2026-11-20T00:00:00Z`.
  std::string holder;
  bool holds() const { return from != kMaxTimestamp; }
};
// What Engine::Maintain asks, with no lock held (the daemon answers from this service).
using RetentionHoldFn = std::function<RetentionHold(std::string_view db)>;

class RetentionHoldService {
 public:
  static constexpr const char* kServiceName = "nanotdb.retention-hold";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~RetentionHoldService() = default;

  // The earliest timestamp of `db` still needed and who needs it: retention keeps every partition
  // whose range ends after it. A plugin that cannot tell (its configuration of `db` is broken)
  // holds everything (kMinTimestamp) and says why in `holder`; one that needs nothing returns the
  // default.
  virtual RetentionHold HoldFor(std::string_view db) noexcept = 0;
};

}  // namespace nanotdb
