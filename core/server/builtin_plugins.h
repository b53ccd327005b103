// Plugins compiled into the executable (the one-binary build, -DNANOTDB_STATIC_PLUGINS=ON, or
// the nanotdb-static target). Each is the entry function NANOTDB_PLUGIN defines, renamed per
// plugin (nanotdb_builtin_<name>) so that several fit in one binary. They are still switched on
// and off by engine.toml: the host takes a built-in plugin's descriptor instead of mapping
// <plugins.dir>/nanotdb-<name>.so, and checks and drives it exactly like a loaded one.
#pragma once

#include <span>

#include "nanotdb/plugin.h"

namespace nanotdb::server {

using PluginEntryFn = const PluginDescriptor* (*)();

// Defined by each executable: by the generated builtin_plugins.cpp of the one-binary build, and
// as an empty list by no_builtin_plugins.cpp of the daemon that loads every plugin from .so files.
std::span<const PluginEntryFn> BuiltinPlugins();

// The built-in plugin called `name`, or nullptr.
const PluginDescriptor* FindBuiltinPlugin(std::span<const PluginEntryFn> builtins,
                                          std::string_view name);

}  // namespace nanotdb::server
