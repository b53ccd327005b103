// DripConfig: drip.toml, read and checked. Three tables: [drip] (where to send), [buffer]
// (what to keep while the server is away) and [collect] (the probes: exactly the keys of
// [plugins.drip-sources] in engine.toml). etc/drip.toml documents every key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nanotdb/status.h"
#include "settings.h"

namespace nanotdb::drip {

struct DripConfig {
  std::string server_url;  // "http://host:port[/prefix]"
  std::string token;       // bearer token for the write role; "" = none
  int64_t timeout_ns = 0;  // connect / send / receive timeout of one request
  size_t max_post_samples = 0;
  size_t buffer_max_samples = 0;
  std::string spill_file;  // "" = no spill file
  ProbeSettings probes;
};

// Errors read "<path>:<line>: <table>.<key>: <problem>" (or "<path>: <problem>" when the
// problem has no line); unknown keys and tables are appended to *warnings the same way.
Result<DripConfig> LoadDripConfig(const std::string& path, std::vector<std::string>* warnings);

}  // namespace nanotdb::drip
