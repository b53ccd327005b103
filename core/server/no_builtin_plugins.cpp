// The daemon that loads every plugin from its .so file has none compiled in.
#include "server/builtin_plugins.h"

namespace nanotdb::server {

std::span<const PluginEntryFn> BuiltinPlugins() { return {}; }

}  // namespace nanotdb::server
