// Rollup checkpoints of one source database: for each job key ("<id>" for a source_metric
// job, "<id>::<series key>" for each metric a source_pattern job matched), the end of the last
// period whose rollup is durable in the destination. Text, one "<key>,<period_end_ns>" line
// per job sorted by key (docs/rollups.md); stored by the caller with an atomic replace.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "nanotdb/status.h"

namespace nanotdb::rollup {

using Checkpoints = std::map<std::string, int64_t, std::less<>>;

// The checkpoints of source database `db` among the plugin's files (PluginFilesService):
// "<db>/<rollups.checkpoint_file>".
std::string CheckpointName(std::string_view db, std::string_view checkpoint_file);

std::string RenderCheckpoints(const Checkpoints& checkpoints);
// InvalidArgument naming the line for anything but "<key>,<integer>" lines; a key repeated
// later wins (the reference appended lines).
Result<Checkpoints> ParseCheckpoints(std::string_view text);

}  // namespace nanotdb::rollup
