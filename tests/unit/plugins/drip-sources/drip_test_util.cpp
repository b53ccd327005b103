#include "drip_test_util.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace nanotdb::drip {
namespace fs = std::filesystem;

FixtureRoot::FixtureRoot(const std::string& scenario) {
  std::string tmpl = (fs::temp_directory_path() / "drip-fixture-XXXXXX").string();
  char* dir = mkdtemp(tmpl.data());
  EXPECT_NE(dir, nullptr);
  path_ = tmpl;
  if (!scenario.empty()) Overlay(scenario);
}

FixtureRoot::~FixtureRoot() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void FixtureRoot::Overlay(const std::string& scenario) {
  fs::copy(fs::path(DRIP_FIXTURE_DIR) / scenario, path_,
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

size_t LogRecorder::Count(std::string_view needle) const {
  size_t n = 0;
  for (const std::string& l : lines) n += l.find(needle) != std::string::npos;
  return n;
}

std::optional<Value> FindSample(const std::vector<ProbeSample>& samples, std::string_view metric) {
  for (const ProbeSample& s : samples) {
    if (s.metric == metric) return s.value;
  }
  return std::nullopt;
}

bool HasMetricWithPrefix(const std::vector<ProbeSample>& samples, std::string_view prefix) {
  for (const ProbeSample& s : samples) {
    if (s.metric.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace nanotdb::drip

#include "toml_config.h"

namespace nanotdb::drip {
ProbeSettings SettingsFromToml(const std::string& toml) {
  Result<toml::table> t = ParseToml(toml, "test.toml");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  auto cfg = TomlPluginConfig::Create(*t, "test.toml", "collect", ProbeConfigKeys(),
                                      {"intervals", "onewire_names"}, nullptr);
  EXPECT_TRUE(cfg.ok()) << cfg.status().ToString();
  Result<ProbeSettings> s = ProbeSettingsFromConfig(**cfg);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : ProbeSettings{};
}
}  // namespace nanotdb::drip
