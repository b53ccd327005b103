// Helpers shared by the drip-sources tests: fixture host roots in a temp directory, a log
// recorder and sample lookup.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "probe.h"

namespace nanotdb::drip {

// A temp directory holding a copy of tests/fixtures/proc/<scenario>; Overlay copies another
// scenario over it (cycle 2). Removed on destruction.
class FixtureRoot {
 public:
  explicit FixtureRoot(const std::string& scenario);
  ~FixtureRoot();
  FixtureRoot(const FixtureRoot&) = delete;
  FixtureRoot& operator=(const FixtureRoot&) = delete;
  void Overlay(const std::string& scenario);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct LogRecorder {
  std::vector<std::string> lines;
  LogFn fn() {
    return [this](LogLevel, std::string_view m) { lines.emplace_back(m); };
  }
  size_t Count(std::string_view needle) const;
};

std::optional<Value> FindSample(const std::vector<ProbeSample>& samples, std::string_view metric);
bool HasMetricWithPrefix(const std::vector<ProbeSample>& samples, std::string_view prefix);

}  // namespace nanotdb::drip

#include "settings.h"

namespace nanotdb::drip {
// Settings as [collect] with `toml` (default keys otherwise); fails the test on error.
ProbeSettings SettingsFromToml(const std::string& toml);
}  // namespace nanotdb::drip
