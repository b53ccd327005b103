// The nanocli commands. Each takes the words after its name and returns the process exit code
// (cli_common.h: 0 ok, 1 failed, 2 usage, 3 partial); each answers --help from its CommandSpec.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cli_common.h"

namespace nanotdb::cli {

const CommandSpec& InspectSpec();  // inspect_cmd.cpp
int RunInspect(std::span<const std::string> args);

const CommandSpec& ImportSpec();  // import_cmd.cpp
int RunImport(std::span<const std::string> args);

const CommandSpec& ExportSpec();  // export_cmd.cpp
int RunExport(std::span<const std::string> args);

const CommandSpec& QuerySpec();  // query_cmd.cpp
int RunQuery(std::span<const std::string> args);

const CommandSpec& RollupSpec();  // rollup_cmd.cpp
int RunRollup(std::span<const std::string> args);

// One incremental rollup pass over an open write engine (what the daemon's rollup plugin does
// every interval): run by import so the rollups of imported data exist right away.
struct RollupPassSummary {
  uint64_t jobs = 0;
  uint64_t points = 0;
  std::vector<std::string> errors;
};
RollupPassSummary RunRollupPass(Engine& engine, const std::string& root);

const CommandSpec& BuildSpec();  // metric_cmd.cpp: build metric
int RunBuild(std::span<const std::string> args);
// inspect metric (args include the word "metric"); called by RunInspect.
int RunInspectMetric(std::span<const std::string> args);

const CommandSpec& RecoverSpec();  // recover_cmd.cpp
int RunRecover(std::span<const std::string> args);

const CommandSpec& CompactSpec();  // recover_cmd.cpp
int RunCompact(std::span<const std::string> args);

}  // namespace nanotdb::cli
