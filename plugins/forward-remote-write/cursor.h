// The durable cursor of one endpoint: for every series it forwards, how far the receiver has
// acknowledged it. The samples themselves stay where storage keeps them; the cursor is all the
// forwarder adds on disk (one line per series), written atomically by the caller
// (PluginFilesService::Write) after every acknowledged request. docs/format/forward-cursor.md
// shows the text format. Pure functions and a value type; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb::forward {

// Samples of the series with ts < `ts` are acknowledged, and so are the first `at_ts` samples
// stamped exactly `ts` (a series may hold several samples at one timestamp, kept in arrival
// order). A series not in the cursor starts at the cursor's origin: {origin, 0}.
struct SeriesPosition {
  Timestamp ts = 0;
  uint32_t at_ts = 0;
  bool operator==(const SeriesPosition&) const = default;
};

struct Cursor {
  Timestamp origin = 0;  // where series not listed start (first start minus backfill)
  // (database, series key) -> position
  std::map<std::pair<std::string, std::string>, SeriesPosition, std::less<>> series;

  SeriesPosition Position(const std::string& db, const std::string& key) const;
  bool operator==(const Cursor&) const = default;
};

std::string RenderCursor(const Cursor& cursor);
// InvalidArgument naming the line for a damaged or unknown-version text.
Result<Cursor> ParseCursor(std::string_view text);

}  // namespace nanotdb::forward
