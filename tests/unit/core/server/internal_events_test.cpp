#include "server/internal_events.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "nanotdb/engine.h"

namespace nanotdb::server {
namespace {

constexpr Timestamp kNow = 1767225600000000000;  // 2026-01-01T00:00:00Z

// A real engine on a temporary root and InternalEvents with clocks the test moves.
class InternalEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nanotdb-internal-events-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    EngineOptions o;
    o.root = root_;
    auto engine = Engine::Open(o);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(*engine);
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(root_);
  }
  std::unique_ptr<InternalEvents> Make(size_t depth) {
    InternalEventsOptions o;
    o.queue_depth = depth;
    o.now = [this] { return wall_; };
    o.mono = [this] { return mono_; };
    o.log = [this](LogLevel, std::string_view m) { log_ += std::string(m) + "\n"; };
    return std::make_unique<InternalEvents>(std::move(o));
  }
  std::vector<Event> Stored() {
    std::vector<Event> out;
    Status st = engine_->ReadEvents(kInternalDatabase, EventQuery{}, [&](const Event& e) {
      out.push_back(e);
      return true;
    });
    EXPECT_TRUE(st.ok() || st.IsNotFound()) << st.ToString();
    return out;
  }
  std::vector<std::string> Names() {
    std::vector<std::string> out;
    for (const Event& e : Stored()) out.push_back(e.name);
    return out;
  }

  std::string root_;
  std::unique_ptr<Engine> engine_;
  Timestamp wall_ = kNow;
  int64_t mono_ = 1'000'000'000'000;
  std::string log_;
};

TEST_F(InternalEventsTest, QueuedEventsReachTheInternalDatabaseOnlyWhenDrained) {
  auto ie = Make(16);
  EXPECT_TRUE(ie->Emit("nanotdb.started", std::nullopt, R"({"version":"x"})"));
  EXPECT_TRUE(Names().empty());  // nothing written on the caller's thread
  ie->Drain(*engine_);
  std::vector<Event> stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].name, "nanotdb.started");
  EXPECT_EQ(stored[0].ts, kNow);
  EXPECT_EQ(stored[0].payload, R"({"version":"x"})");
  EXPECT_EQ(ie->emitted_total(), 1u);
}

TEST_F(InternalEventsTest, AFullQueueDropsAndTheNextDrainStoresTheCount) {
  auto ie = Make(16);
  for (int i = 0; i < 100; ++i) ie->Emit("flood", Value::Int64(i), "");
  EXPECT_EQ(ie->dropped_total(), 84u);
  ie->Drain(*engine_);
  std::vector<Event> stored = Stored();
  ASSERT_EQ(stored.size(), 17u);
  const Event& dropped = stored.back();
  EXPECT_EQ(dropped.name, "nanotdb.internal_events.dropped");
  ASSERT_TRUE(dropped.value.has_value());
  EXPECT_EQ(dropped.value->AsInt64(), 84);
  EXPECT_EQ(dropped.payload, R"({"dropped":84,"dropped_total":84,"queue_depth":16})");
  // Counted once: a quiet second drain adds nothing.
  ie->Drain(*engine_);
  EXPECT_EQ(Stored().size(), 17u);
}

TEST_F(InternalEventsTest, NoticesAboutTheInternalDatabaseItselfAreNotRecorded) {
  auto ie = Make(16);
  ie->Notice(EngineNotice{"nanotdb.partition.flushed", "internal", Value::Int64(3), "{}"});
  ie->Notice(EngineNotice{"nanotdb.partition.flushed", "home", Value::Int64(5), "{}"});
  ie->Drain(*engine_);
  std::vector<Event> stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].value->AsInt64(), 5);
}

TEST_F(InternalEventsTest, AuthFailuresAreRateLimitedAndTheRestCountedPerWindow) {
  auto ie = Make(4096);
  for (int i = 0; i < 1000; ++i) ie->AuthFailure("10.0.0.9", "POST", "/write", 401, "bad token");
  ie->Drain(*engine_);
  EXPECT_EQ(Names(), std::vector<std::string>(10, "nanotdb.auth.failure"));
  const Event first = Stored().front();
  EXPECT_EQ(first.payload, R"({"remote":"10.0.0.9","method":"POST","path":"/write","status":401,)"
                           R"("reason":"bad token"})");
  // The count comes when the minute is over, as one event.
  mono_ += 30 * kSecond;
  ie->Drain(*engine_);
  EXPECT_EQ(Stored().size(), 10u);
  mono_ += 31 * kSecond;
  ie->Drain(*engine_);
  std::vector<Event> stored = Stored();
  ASSERT_EQ(stored.size(), 11u);
  EXPECT_EQ(stored.back().name, "nanotdb.auth.failure.suppressed");
  EXPECT_EQ(stored.back().value->AsInt64(), 990);
  // A new window lets the next ones through again.
  ie->AuthFailure("10.0.0.9", "GET", "/api/v1/query", 403, "no");
  ie->Drain(*engine_);
  EXPECT_EQ(Stored().size(), 12u);
}

TEST_F(InternalEventsTest, DiskRefusalsBecomeOneEventPerMinuteAndACount) {
  auto ie = Make(4096);
  for (int i = 0; i < 50; ++i) ie->DiskRefusal("ingest refused: 10 bytes free");
  mono_ += 61 * kSecond;
  ie->Drain(*engine_);
  EXPECT_EQ(Names(),
            (std::vector<std::string>{"nanotdb.disk.refused", "nanotdb.disk.refused.suppressed"}));
  EXPECT_EQ(Stored().back().value->AsInt64(), 49);
}

TEST_F(InternalEventsTest, PluginEventsMustBeValidWithJsonPayloads) {
  auto ie = Make(16);
  Event bad_name;
  bad_name.name = "";
  EXPECT_FALSE(ie->Emit(bad_name));
  Event bad_payload;
  bad_payload.name = "nanotdb.rollup.window.done";
  bad_payload.payload = "{not json";
  EXPECT_FALSE(ie->Emit(bad_payload));
  Event good = bad_payload;
  good.payload = R"({ "job" : "temp_1h" })";
  good.ts = kNow - kSecond;
  EXPECT_TRUE(ie->Emit(good));
  ie->Drain(*engine_);
  std::vector<Event> stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].payload, R"({"job":"temp_1h"})");
  EXPECT_EQ(stored[0].ts, kNow - kSecond);
}

TEST_F(InternalEventsTest, DisabledRecordsNothing) {
  InternalEventsOptions o;
  o.enabled = false;
  o.now = [] { return kNow; };
  o.mono = [] { return int64_t{0}; };
  InternalEvents ie(std::move(o));
  EXPECT_FALSE(ie.Emit("nanotdb.started", std::nullopt, ""));
  ie.AuthFailure("1.2.3.4", "GET", "/", 401, "x");
  ie.Drain(*engine_);
  EXPECT_TRUE(Names().empty());
  EXPECT_FALSE(engine_->DatabaseExists(kInternalDatabase));
}

}  // namespace
}  // namespace nanotdb::server
