// `nanotdb --init`: writes the commented default engine.toml (etc/engine.toml, embedded at
// build time, completed with the settings every installed plugin declares) and, when the build
// embedded one, a default dashboard.json into the root.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"
#include "server/builtin_plugins.h"

namespace nanotdb::server {

extern const std::string_view kDefaultEngineToml;
extern const std::string_view kDefaultDashboardJson;  // empty when the build had none

// The default engine.toml: kDefaultEngineToml where each [plugins.<name>] table whose plugin is
// built in (`builtins`) or whose nanotdb-<name>.so is in `plugin_dir` gets the plugin's declared
// keys as commented lines
// ("# <help>" then "# <key> = <default>"), and plugins found in `plugin_dir` that the template
// does not list are appended, enabled. Plugin files are mapped only to read their descriptors;
// files that fail the loader's checks are left out.
std::string RenderDefaultConfig(const std::string& plugin_dir,
                                std::span<const PluginEntryFn> builtins = {});

// Creates the root (PATH's directory) if needed, writes RenderDefaultConfig(plugin_dir) to PATH
// and, when absent in the root, dashboard.json. AlreadyExists (naming the path) when PATH
// exists: never overwrites. *written lists the files created.
Status InitRoot(const std::string& path, const std::string& plugin_dir,
                std::vector<std::string>* written, std::span<const PluginEntryFn> builtins = {});

}  // namespace nanotdb::server
