// Every plugin .so exports exactly one dynamic symbol, nanotdb_plugin_v1 (DESIGN §3): checked
// with `nm -D --defined-only` on the built plugins and on the good test fixture. And no plugin
// carries a copy of the core's storage engine or server: they link the SDK alone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::vector<std::string> ExportedSymbols(const std::string& path) {
  std::vector<std::string> symbols;
  std::string command = "nm -D --defined-only '" + path + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {"<cannot run nm>"};
  char line[1024];
  while (std::fgets(line, sizeof(line), pipe) != nullptr) {
    std::istringstream fields(line);
    std::string address, type, name;
    fields >> address >> type >> name;
    symbols.push_back(name.empty() ? std::string(line) : name);
  }
  pclose(pipe);
  return symbols;
}

// Defined functions of the core (storage engine, core query, server) found in `path`.
std::vector<std::string> CoreFunctions(const std::string& path) {
  std::vector<std::string> found;
  std::string command = "nm -C --defined-only '" + path + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {"<cannot run nm>"};
  char line[4096];
  const char* kCore[] = {"nanotdb::Engine::",
                         "nanotdb::Wal",
                         "nanotdb::Catalog",
                         "nanotdb::Env::Default",
                         "nanotdb::WriteFileAtomically",
                         "nanotdb::AggregateRange(",
                         "nanotdb::SelectMetrics(",
                         "nanotdb::server::",
                         "nanotdb::Crc32c"};
  while (std::fgets(line, sizeof(line), pipe) != nullptr) {
    // "<address> <type> <demangled name>": judge the name's start, not its parameter types.
    std::string_view text(line);
    size_t name_at = text.find(' ', text.find(' ') + 1);
    if (name_at == std::string_view::npos) continue;
    std::string_view name = text.substr(name_at + 1);
    for (const char* core : kCore) {
      if (name.starts_with(core)) found.emplace_back(name);
    }
  }
  pclose(pipe);
  return found;
}

std::vector<std::string> PluginFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".so") files.push_back(entry.path().string());
  }
  return files;
}

TEST(PluginExportsTest, GoodFixtureExportsOnlyTheEntrySymbol) {
  std::string path = std::string(NANOTDB_FIXTURE_PLUGIN_DIR) + "/nanotdb-fixture-good.so";
#ifdef NANOTDB_SANITIZED
  GTEST_SKIP() << "sanitized builds export the sanitizer's symbols too (scripts/run-sanitized)";
#endif
  EXPECT_THAT(ExportedSymbols(path), ::testing::ElementsAre("nanotdb_plugin_v1"));
}

TEST(PluginExportsTest, EveryBuiltPluginExportsOnlyTheEntrySymbol) {
  std::vector<std::string> files = PluginFiles(NANOTDB_PLUGIN_OUTPUT_DIR);
  if (files.empty()) GTEST_SKIP() << "no plugin built yet in " << NANOTDB_PLUGIN_OUTPUT_DIR;
  for (const std::string& file : files) {
    EXPECT_THAT(ExportedSymbols(file), ::testing::ElementsAre("nanotdb_plugin_v1")) << file;
  }
}

TEST(PluginExportsTest, NoPluginCarriesCoreCode) {
  std::vector<std::string> files = PluginFiles(NANOTDB_PLUGIN_OUTPUT_DIR);
  if (files.empty()) GTEST_SKIP() << "no plugin built yet in " << NANOTDB_PLUGIN_OUTPUT_DIR;
  for (const std::string& file : files) {
    EXPECT_THAT(CoreFunctions(file), ::testing::IsEmpty()) << file;
  }
}

}  // namespace
