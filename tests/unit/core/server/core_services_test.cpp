// The core's services as plugins see them: the reserved `internal` database (only the daemon's
// self-stats write it, through the engine) is refused by every service that writes, creates or
// clears, whatever plugin calls it; other databases in the same call are served.
#include "server/core_services.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace nanotdb::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr Timestamp kTs = 1'780'000'000'000'000'000;

class CoreServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("nanotdb-core-services-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    EngineOptions o;
    o.root = root_.string();
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
  }
  void TearDown() override {
    engine_.reset();
    fs::remove_all(root_);
  }
  fs::path root_;
  std::unique_ptr<Engine> engine_;
  CoreCounters counters_;
};

TEST_F(CoreServicesTest, TheInternalDatabaseIsRefusedToEveryWriterCreatorAndClearer) {
  EngineWriter writer(*engine_, counters_);
  std::vector<PointRef> points = {{"internal", "forged", kTs, Value::Float64(1)},
                                  {"demo", "ok", kTs, Value::Float64(2)}};
  Result<BatchResult> batch = writer.WriteBatch(points);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->accepted, 1u);
  ASSERT_EQ(batch->rejected.size(), 1u);
  EXPECT_EQ(batch->rejected[0].first, 0u);
  EXPECT_THAT(batch->rejected[0].second.message(), HasSubstr("database \"internal\" is reserved"));

  EngineEvents events(*engine_);
  Event e;
  e.name = "forged";
  e.ts = kTs;
  Result<EventWriteResult> written = events.WriteEvents("internal", {&e, 1});
  ASSERT_FALSE(written.ok());
  EXPECT_THAT(written.status().message(), HasSubstr("database \"internal\" is reserved"));

  EngineDatabases databases(*engine_, ManifestSettings{});
  Result<bool> created = databases.CreateDatabase("internal", ManifestSettings{}, "forged");
  ASSERT_FALSE(created.ok());
  EXPECT_THAT(created.status().message(), HasSubstr("reserved for nanotdb's self-stats"));
  ASSERT_TRUE(engine_->Write("internal", "nanotdb.self", kTs, Value::Float64(3)).ok());
  std::vector<std::string> removed;
  Status cleared = databases.ClearDatabase("internal", &removed);
  EXPECT_THAT(cleared.message(), HasSubstr("\"internal\" is reserved: it cannot be cleared"));
  EXPECT_TRUE(removed.empty());
  EXPECT_TRUE(engine_->DatabaseExists("internal"));  // what self-stats wrote is still there
}

}  // namespace
}  // namespace nanotdb::server
