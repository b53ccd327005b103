// `nanotdb --init`: writes the commented default engine.toml (etc/engine.toml, embedded at
// build time) and, when the build embedded one, a default dashboard.json into the root.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"

namespace nanotdb::server {

extern const std::string_view kDefaultEngineToml;
extern const std::string_view kDefaultDashboardJson;  // empty when the build had none

// Creates the root (PATH's directory) if needed, writes PATH and, when absent in the root,
// dashboard.json. AlreadyExists (naming the path) when PATH exists: never overwrites.
// *written lists the files created.
Status InitRoot(const std::string& path, std::vector<std::string>* written);

}  // namespace nanotdb::server
