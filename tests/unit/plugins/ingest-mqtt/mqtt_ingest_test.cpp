// MqttIngest over a real storage engine and the core's WriterService: what is stored, the
// exact-type retry of type = "auto", counters and the rate-limited rejection log.
#include "mqtt_ingest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "server/core_services.h"

namespace nanotdb::mqtt {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr Timestamp kT0 = 1'780'000'000'000'000'000;

class MqttIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("nanotdb-mqtt-ingest-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    EngineOptions o;
    o.root = root_.string();
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
    writer_ = std::make_unique<server::EngineWriter>(*engine_, counters_);
    events_ = std::make_unique<server::EngineEvents>(*engine_);
  }
  void TearDown() override {
    ingest_.reset();
    events_.reset();
    writer_.reset();
    engine_.reset();
    fs::remove_all(root_);
  }
  void Make(const std::string& toml) {
    auto subs = ParseSubscriptions(toml, "mqtt");
    ASSERT_TRUE(subs.ok()) << subs.status().ToString();
    ingest_ = std::make_unique<MqttIngest>(
        *writer_, events_.get(), std::move(subs).value(),
        [this](LogLevel, std::string_view m) { logs_.emplace_back(m); });
  }
  // "value(type)" of every stored sample of db/key.
  std::vector<std::string> Stored(std::string_view db, std::string_view key) {
    std::vector<std::string> out;
    auto info = engine_->GetMetric(db, key);
    if (!info.ok()) return {"<" + info.status().message() + ">"};
    Status st = engine_->ReadRange(db, key, kMinTimestamp, kMaxTimestamp, 1, [&](const Sample& s) {
      Value v{info->type, s.bits};
      out.push_back(FormatValue(v) + (info->type == ValueType::kInt64 ? "i" : ""));
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  fs::path root_;
  server::CoreCounters counters_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<server::EngineWriter> writer_;
  std::unique_ptr<server::EngineEvents> events_;
  std::unique_ptr<MqttIngest> ingest_;
  std::vector<std::string> logs_;
};

TEST_F(MqttIngestTest, StoresExactValuesAndCounts) {
  Make(R"(
[[subscribe]]
topic = "s/+"
format = "text"
db = "home"
metric = "{1}"
)");
  ASSERT_TRUE(ingest_->Handle("s/big", "9007199254740993", false, kT0).ok());
  ASSERT_TRUE(ingest_->Handle("s/big", "-9223372036854775808", false, kT0 + 1).ok());
  ASSERT_TRUE(ingest_->Handle("s/f", "0.1", false, kT0).ok());
  ASSERT_TRUE(ingest_->Handle("s/f", "garbage", false, kT0 + 1).ok());
  ASSERT_TRUE(ingest_->Handle("nomatch", "1", false, kT0).ok());
  EXPECT_THAT(Stored("home", "big"), ElementsAre("9007199254740993i", "-9223372036854775808i"));
  EXPECT_THAT(Stored("home", "f"), ElementsAre("0.1"));
  const IngestCounters& c = ingest_->counters();
  EXPECT_EQ(c.messages, 5u);
  EXPECT_EQ(c.samples, 3u);
  EXPECT_EQ(c.rejected, 2u);
  EXPECT_EQ(c.unmatched, 1u);
  EXPECT_THAT(logs_,
              ElementsAre(HasSubstr("topic \"s/f\": value \"garbage\" is not a number"),
                          HasSubstr("topic \"nomatch\": no [[plugins.ingest-mqtt.subscribe]] "
                                    "filter matches")));
}

TEST_F(MqttIngestTest, AutoTypeFollowsTheSeriesWhenNothingIsLost) {
  Make(R"(
[[subscribe]]
topic = "t/+"
format = "text"
metric = "{1}"
)");
  // A float series takes a later integer as float64; an int series a later 3.0 as int64.
  ASSERT_TRUE(ingest_->Handle("t/temp", "21.5", false, kT0).ok());
  ASSERT_TRUE(ingest_->Handle("t/temp", "22", false, kT0 + 1).ok());
  ASSERT_TRUE(ingest_->Handle("t/count", "2", false, kT0).ok());
  ASSERT_TRUE(ingest_->Handle("t/count", "3.0", false, kT0 + 1).ok());
  EXPECT_THAT(Stored("mqtt", "temp"), ElementsAre("21.5", "22"));
  EXPECT_THAT(Stored("mqtt", "count"), ElementsAre("2i", "3i"));
  // What cannot be exact is refused, with the hint.
  ASSERT_TRUE(ingest_->Handle("t/count", "3.5", false, kT0 + 2).ok());
  ASSERT_TRUE(ingest_->Handle("t/temp", "9007199254740993", false, kT0 + 2).ok());
  EXPECT_THAT(Stored("mqtt", "count"), ElementsAre("2i", "3i"));
  EXPECT_THAT(Stored("mqtt", "temp"), ElementsAre("21.5", "22"));
  EXPECT_EQ(ingest_->counters().rejected, 2u);
  EXPECT_THAT(logs_, ElementsAre(HasSubstr("set type = \"float\" in this subscription"),
                                 HasSubstr("is float64, got int64 value 9007199254740993")));
}

TEST_F(MqttIngestTest, OutOfOrderAndBadNamesAreRejectedNotFatal) {
  Make(R"(
[[subscribe]]
topic = "j/+"
db = "{1}"
timestamp = "ts"
)");
  ASSERT_TRUE(ingest_->Handle("j/home", R"({"ts": 1780000000000000010, "v": 1})", false, kT0).ok());
  ASSERT_TRUE(ingest_->Handle("j/home", R"({"ts": 1780000000000000000, "v": 2})", false, kT0).ok());
  ASSERT_TRUE(ingest_->Handle("j/.bad", R"({"v": 3})", false, kT0).ok());
  EXPECT_THAT(Stored("home", "v"), ElementsAre("1i"));
  EXPECT_EQ(ingest_->counters().rejected, 2u);
  ASSERT_EQ(logs_.size(), 2u);
  EXPECT_THAT(logs_[0], HasSubstr("field \"v\": database \"home\": "));
  EXPECT_THAT(logs_[1], HasSubstr("database: "));
}

TEST_F(MqttIngestTest, RejectionLogIsRateLimited) {
  Make(R"(
[[subscribe]]
topic = "x"
format = "text"
metric = "x"
)");
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(ingest_->Handle("x", "bad", false, kT0).ok());
  EXPECT_EQ(ingest_->counters().rejected, 50u);
  EXPECT_EQ(logs_.size(), static_cast<size_t>(MqttIngest::kLogsPerMinute));
  ingest_->RejectOversized("x", 5000, 64);
  EXPECT_EQ(ingest_->counters().rejected, 51u);
  EXPECT_EQ(ingest_->counters().messages, 51u);
}

TEST_F(MqttIngestTest, RetainedMessagesCanBeSkipped) {
  Make(R"(
[[subscribe]]
topic = "r"
format = "text"
metric = "r"
retained = false
)");
  ASSERT_TRUE(ingest_->Handle("r", "1", true, kT0).ok());
  ASSERT_TRUE(ingest_->Handle("r", "2", false, kT0 + 1).ok());
  EXPECT_THAT(Stored("mqtt", "r"), ElementsAre("2i"));
  EXPECT_EQ(ingest_->counters().skipped_retained, 1u);
}

TEST_F(MqttIngestTest, EventSubscriptionsStoreEventsThroughTheEventService) {
  Make(R"(
[[subscribe]]
topic = "door/+"
kind = "event"
db = "{1}"
name = "door.open"
value = "open"

[[subscribe]]
topic = "sys/+"
kind = "event"
format = "text"
db = "internal"
)");
  ASSERT_TRUE(ingest_->Handle("door/home", R"({"open":true,"by":"cat"})", false, kT0).ok());
  ASSERT_TRUE(ingest_->Handle("door/home", R"({"open":false})", false, kT0 + 1).ok());
  std::vector<Event> stored;
  ASSERT_TRUE(engine_
                  ->ReadEvents("home", EventQuery{},
                               [&](const Event& e) {
                                 stored.push_back(e);
                                 return true;
                               })
                  .ok());
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].name, "door.open");
  EXPECT_EQ(stored[0].ts, kT0);
  EXPECT_EQ(stored[0].value->AsInt64(), 1);
  EXPECT_EQ(stored[0].payload, R"({"open":true,"by":"cat"})");
  EXPECT_EQ(stored[1].value->AsInt64(), 0);
  EXPECT_EQ(ingest_->counters().events.load(), 2u);
  EXPECT_EQ(ingest_->counters().samples.load(), 0u);
  // The reserved database refuses, as it does over HTTP: a rejection, not a failure.
  ASSERT_TRUE(ingest_->Handle("sys/boot", "1", false, kT0).ok());
  EXPECT_EQ(ingest_->counters().rejected.load(), 1u);
  ASSERT_EQ(logs_.size(), 1u);
  EXPECT_THAT(logs_[0], HasSubstr("topic \"sys/boot\": event \"sys/boot\": database \"internal\": "
                                  "database \"internal\" is reserved"));
}

}  // namespace
}  // namespace nanotdb::mqtt
