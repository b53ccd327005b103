#include "drip_config.h"

#include "http_sender.h"
#include "toml_config.h"

namespace nanotdb::drip {
namespace {

constexpr ConfigKey kDripKeys[] = {
    {"server_url", ConfigType::kString, "\"http://127.0.0.1:8428\"", "nanotdb server"},
    {"token", ConfigType::kString, "\"\"", "bearer token of the write role"},
    {"timeout", ConfigType::kDuration, "\"10s\"", "per-request timeout"},
    {"max_post_samples", ConfigType::kInt, "5000", "samples per HTTP request at most"},
};
constexpr ConfigKey kBufferKeys[] = {
    {"max_samples", ConfigType::kInt, "50000", "samples kept while the server is unreachable"},
    {"spill_file", ConfigType::kString, "\"\"", "queue saved here on exit, reloaded on start"},
};

Result<std::unique_ptr<TomlPluginConfig>> Section(const toml::table& doc, const std::string& path,
                                                  const std::string& name,
                                                  std::span<const ConfigKey> keys,
                                                  const std::vector<std::string>& sub_tables,
                                                  std::vector<std::string>* warnings) {
  static const toml::table kEmpty;
  const toml::node* node = doc.get(name);
  if (node != nullptr && !node->is_table()) {
    return Status::InvalidArgument(path + ":" + std::to_string(node->source().begin.line) + ": " +
                                   name + " must be a table ([" + name + "])");
  }
  return TomlPluginConfig::Create(node ? *node->as_table() : kEmpty, path, name, keys, sub_tables,
                                  warnings);
}

}  // namespace

Result<DripConfig> LoadDripConfig(const std::string& path, std::vector<std::string>* warnings) {
  NANOTDB_ASSIGN_OR_RETURN(toml::table doc, ParseTomlFile(path));
  for (const auto& [key, node] : doc) {
    std::string k(key.str());
    if (k != "drip" && k != "buffer" && k != "collect") {
      warnings->push_back(path + ":" + std::to_string(node.source().begin.line) +
                          ": unknown table or key \"" + k +
                          "\" (ignored; drip.toml has [drip], [buffer] and [collect])");
    }
  }
  NANOTDB_ASSIGN_OR_RETURN(auto drip, Section(doc, path, "drip", kDripKeys, {}, warnings));
  NANOTDB_ASSIGN_OR_RETURN(auto buffer, Section(doc, path, "buffer", kBufferKeys, {}, warnings));
  NANOTDB_ASSIGN_OR_RETURN(auto collect, Section(doc, path, "collect", ProbeConfigKeys(),
                                                 {"intervals", "onewire_names"}, warnings));
  DripConfig cfg;
  cfg.server_url = drip->GetString("server_url");
  HttpUrl url;
  std::string why;
  if (!ParseHttpUrl(cfg.server_url, &url, &why)) {
    return Status::InvalidArgument(path +
                                   ": drip.server_url: expected \"http://host:port\", got \"" +
                                   cfg.server_url + "\" (" + why + ")");
  }
  while (!cfg.server_url.empty() && cfg.server_url.back() == '/') cfg.server_url.pop_back();
  cfg.token = drip->GetString("token");
  cfg.timeout_ns = drip->GetDuration("timeout");
  if (cfg.timeout_ns < kNanosPerSecond / 10) {
    return Status::InvalidArgument(path + ": drip.timeout: must be at least 100ms");
  }
  int64_t max_post = drip->GetInt("max_post_samples");
  if (max_post < 1) {
    return Status::InvalidArgument(path + ": drip.max_post_samples: must be at least 1, got " +
                                   std::to_string(max_post));
  }
  cfg.max_post_samples = static_cast<size_t>(max_post);
  int64_t max_samples = buffer->GetInt("max_samples");
  if (max_samples < 1) {
    return Status::InvalidArgument(path + ": buffer.max_samples: must be at least 1, got " +
                                   std::to_string(max_samples));
  }
  cfg.buffer_max_samples = static_cast<size_t>(max_samples);
  cfg.spill_file = buffer->GetString("spill_file");
  Result<ProbeSettings> probes = ProbeSettingsFromConfig(*collect);
  if (!probes.ok()) return probes.status().WithContext(path + ": collect");
  cfg.probes = std::move(probes).value();
  return cfg;
}

}  // namespace nanotdb::drip
