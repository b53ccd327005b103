// --init with plugins installed: their declared keys land in the commented default.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/config.h"
#include "server/init.h"

namespace nanotdb::server {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

TEST(InitPluginsTest, InstalledPluginsAddTheirCommentedKeys) {
  std::string text = RenderDefaultConfig(NANOTDB_FIXTURE_PLUGIN_DIR);
  EXPECT_THAT(text, HasSubstr("[plugins.fixture-good]\nenabled = true\n# what the fixture says\n"
                              "# greeting = \"hello\"\n# how many times\n# count = 3\n"));
  // Files that fail the loader's checks are left out.
  EXPECT_THAT(text, Not(HasSubstr("[plugins.fixture-wrong-abi]")));
  EXPECT_THAT(text, Not(HasSubstr("[plugins.fixture-no-entry]")));
  // The template's own plugins stay as they are.
  EXPECT_THAT(text, HasSubstr("[plugins.query-vm]\nenabled = true\n"));

  Result<EngineConfig> config = ParseEngineConfig(text, "engine.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_THAT(config->warnings, IsEmpty());
}

TEST(InitPluginsTest, WithoutPluginsTheTemplateIsUnchanged) {
  EXPECT_EQ(RenderDefaultConfig("/nonexistent-plugin-dir"), std::string(kDefaultEngineToml));
}

}  // namespace
}  // namespace nanotdb::server
