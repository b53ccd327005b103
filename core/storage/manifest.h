// The manifest: a database's settings in <db>/manifest.toml (docs/format/manifest.md), mapped
// onto ManifestSettings (nanotdb/options.h). Written with every key and a comment saying what
// it means; edited by people; read when the database opens.
//
// Sections: [retention] partition, retention_days, retention_action, max_active_partitions;
// [wal] enabled, skip_before; [page] max_records, max_bytes, max_age; plus a top-level
// format_version = 1. [rollups] and [metricfiles] belong to plugins and are skipped silently.
// Durations are strings ("10s", "1h30m", "2d"; base/time_util.h).
//
// Free functions; thread-safe; never throw.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/env.h"
#include "nanotdb/options.h"
#include "nanotdb/status.h"

namespace nanotdb {

inline constexpr int kManifestFormatVersion = 1;

// The whole file: every key with its value and a comment, ending in a newline.
std::string RenderManifest(const ManifestSettings& settings);

// Writes RenderManifest(settings) to `path` with WriteFileAtomically.
Status SaveManifest(Env* env, const std::string& path, const ManifestSettings& settings);

// Reads `path` and applies it over *inout (keys the file lacks keep their value). NotFound when
// the file does not exist; InvalidArgument "<path>:<line>: ..." for TOML syntax errors and bad
// values. Unknown keys add a warning "<path>:<line>: unknown key ... (ignored)". On error
// *inout is unchanged.
Status LoadManifest(Env* env, const std::string& path, ManifestSettings* inout,
                    std::vector<std::string>* warnings);

// Applies a parsed table laid out like manifest.toml (also engine.toml's [manifest_defaults])
// over *inout. `source` names the file in messages ("<source>:<line>: page.max_records: 0 is
// out of range (1..1048576)"). Validates every value before changing anything: on error
// *inout is unchanged. `warnings` may be null.
Status ApplyManifestTable(const toml::table& table, std::string_view source,
                          ManifestSettings* inout, std::vector<std::string>* warnings);

}  // namespace nanotdb
