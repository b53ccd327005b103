// The Forwarder over a real storage engine and the core's services, posting to a receiver
// double that decodes what it gets and answers as told; the clock is set by the test.
#include "forwarder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <map>

#include "nanotdb/remote_write.h"
#include "server/core_services.h"
#include "server/plugin_files.h"

namespace nanotdb::forward {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr Timestamp kBase = 1'767'225'600 * kSecond;  // 2026-01-01 00:00:00 UTC

struct Received {
  std::string series;  // labels as name=value,...
  int64_t ms;
  double value;
  bool operator<(const Received& o) const {
    return std::tie(series, ms) < std::tie(o.series, o.ms);
  }
};

// Decodes every request; answers with the queued statuses, then 204.
class Receiver final : public Transport {
 public:
  PostOutcome Post(const std::string& body) override {
    ++posts;
    int status = 204;
    if (!answers.empty()) {
      status = answers.front();
      answers.pop_front();
    }
    if (status < 200 || status >= 300) return PostOutcome{status, "told to fail"};
    std::string raw;
    bool too_large = false;
    EXPECT_TRUE(remote::SnappyDecode(body, 1 << 30, &raw, &too_large).ok());
    remote::WriteRequest req;
    EXPECT_TRUE(req.ParseFromString(raw));
    std::vector<int64_t> stamps;
    for (const remote::TimeSeries& ts : req.timeseries()) {
      std::string name;
      std::string prev;
      for (const remote::Label& l : ts.labels()) {
        EXPECT_LT(prev, l.name()) << "labels must be sorted";
        prev = l.name();
        name += l.name() + "=" + l.value() + ",";
      }
      for (const remote::Sample& s : ts.samples()) {
        samples.push_back({name, s.timestamp(), s.value()});
        stamps.push_back(s.timestamp());
      }
    }
    requests.push_back(stamps);
    return PostOutcome{status, ""};
  }
  void Abort() override {}

  std::deque<int> answers;
  int posts = 0;
  std::vector<Received> samples;
  std::vector<std::vector<int64_t>> requests;  // stamps of each acknowledged request
};

class ForwarderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("nanotdb-forwarder-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    EngineOptions o;
    o.root = root_.string();
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
    query_ = std::make_unique<server::EngineQuery>(*engine_, counters_);
    files_ = std::make_unique<server::PluginFiles>(Env::Default(), root_.string(),
                                                   "forward-remote-write");
    config_.name = "test";
    config_.url = "http://127.0.0.1:1/api/v1/write";
    config_.external_labels = {{"instance", "box"}};
    config_.window = 100 * kSecond;
    config_.max_samples_per_send = 30;
    config_.backfill = 2 * 3600 * kSecond;
  }
  void TearDown() override {
    forwarder_.reset();
    engine_.reset();
    fs::remove_all(root_);
  }
  // A new forwarder over the same files, as after a restart.
  Receiver* Make() {
    forwarder_.reset();
    auto receiver = std::make_unique<Receiver>();
    Receiver* r = receiver.get();
    ForwarderServices s{query_.get(), files_.get(),
                        [this](LogLevel, std::string_view m) { log_.emplace_back(m); },
                        [this] { return now_; }};
    forwarder_ = std::make_unique<Forwarder>(config_, s, std::move(receiver));
    EXPECT_TRUE(forwarder_->Load().ok());
    return r;
  }
  void Write(std::string_view db, std::string_view key, Timestamp ts, double v) {
    ASSERT_TRUE(engine_->Write(db, key, ts, Value::Float64(v)).ok());
  }
  // Rounds until one is idle; fails after `limit` rounds.
  void Drain(int limit = 1000) {
    for (int i = 0; i < limit; ++i) {
      if (forwarder_->RunRound() == Forwarder::Round::kIdle) return;
    }
    ADD_FAILURE() << "not idle after " << limit << " rounds";
  }
  double Stat(const std::string& name, const std::string& reason = "") {
    for (const StatValue& v : forwarder_->Stats()) {
      if (v.name != name) continue;
      if (!reason.empty() && (v.labels.size() < 2 || v.labels[1].value != reason)) continue;
      return v.value;
    }
    return -1;
  }

  fs::path root_;
  server::CoreCounters counters_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<server::EngineQuery> query_;
  std::unique_ptr<server::PluginFiles> files_;
  EndpointConfig config_;
  std::unique_ptr<Forwarder> forwarder_;
  std::vector<std::string> log_;
  Timestamp now_ = kBase + 1000 * kSecond;
};

TEST_F(ForwarderTest, SendsEverySampleOnceInTimeWindowsWithItsLabels) {
  for (int i = 0; i < 100; ++i) {
    Write("home", "cpu.usage{core=\"0\"}", kBase + i * 10 * kSecond, i * 0.5);
    Write("home", "mem", kBase + i * 10 * kSecond, 1e9 + i);
  }
  Write("other", "x", kBase, 1);
  config_.databases = {"home"};
  Receiver* r = Make();
  Drain();
  ASSERT_EQ(r->samples.size(), 200u);
  std::sort(r->samples.begin(), r->samples.end());
  EXPECT_EQ(r->samples[0].series, "__name__=cpu_usage,core=0,db=home,instance=box,");
  EXPECT_EQ(r->samples[0].ms, kBase / 1'000'000);
  EXPECT_EQ(r->samples[99].value, 49.5);
  EXPECT_EQ(r->samples[100].series, "__name__=mem,db=home,instance=box,");
  // Requests follow time: none starts more than a window before the previous one's start.
  int64_t prev = 0;
  for (const auto& stamps : r->requests) {
    ASSERT_FALSE(stamps.empty());
    EXPECT_LE(stamps.size(), 30u);
    int64_t first = *std::min_element(stamps.begin(), stamps.end());
    EXPECT_GE(first, prev - 100'000);
    prev = first;
  }
  EXPECT_EQ(Stat("nanotdb.forward.sent_samples_total"), 200);
  EXPECT_EQ(Stat("nanotdb.forward.pending_samples"), 0);
  EXPECT_EQ(Stat("nanotdb.forward.lag_seconds"), 0);
  EXPECT_EQ(Stat("nanotdb.forward.series"), 2);
}

TEST_F(ForwarderTest, FailuresAreRetriedAndARestartResumesWithoutLossOrDuplicates) {
  for (int i = 0; i < 50; ++i) Write("home", "t", kBase + i * kSecond, i);
  Receiver* r = Make();
  r->answers = {503, 0, 429, 204, 503};  // 0: no answer (refused, timed out)
  EXPECT_EQ(forwarder_->RunRound(), Forwarder::Round::kFailed);
  EXPECT_EQ(forwarder_->RunRound(), Forwarder::Round::kFailed);
  EXPECT_EQ(forwarder_->RunRound(), Forwarder::Round::kFailed);
  EXPECT_EQ(Stat("nanotdb.forward.pending_samples"), 50);
  EXPECT_GT(Stat("nanotdb.forward.lag_seconds"), 900);
  EXPECT_EQ(forwarder_->RunRound(), Forwarder::Round::kFailed);  // 30 acknowledged, then 503
  EXPECT_EQ(Stat("nanotdb.forward.failed_requests_total"), 4);
  EXPECT_EQ(Stat("nanotdb.forward.requests_total"), 4);  // answered: all but the status 0
  ASSERT_EQ(r->samples.size(), 30u);

  for (int i = 50; i < 80; ++i) Write("home", "t", kBase + i * kSecond, i);
  r = Make();  // restart: the cursor file says where it was
  now_ += 10 * kSecond;
  Drain();
  ASSERT_EQ(r->samples.size(), 50u);
  EXPECT_EQ(r->samples.front().value, 30);
  EXPECT_EQ(r->samples.back().value, 79);
  auto cursor = files_->Read("test.cursor");
  ASSERT_TRUE(cursor.ok());
  EXPECT_THAT(*cursor, HasSubstr("home\tt\t" + std::to_string(kBase + 79 * kSecond) + "\t1\n"));
}

TEST_F(ForwarderTest, SamplesWrittenAfterARoundAreSentByTheNextOnes) {
  Receiver* r = Make();
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 7; ++i)
      Write("home", "t", kBase + (round * 7 + i) * kSecond, round * 7 + i);
    now_ += 10 * kSecond;  // past the series list's refresh
    Drain();
  }
  ASSERT_EQ(r->samples.size(), 35u);
  for (size_t i = 0; i < r->samples.size(); ++i) EXPECT_EQ(r->samples[i].value, i);
}

TEST_F(ForwarderTest, AFailedRequestIsReadAgainFromTheCursor) {
  for (int i = 0; i < 100; ++i) Write("home", "t", kBase + i * kSecond, i);
  config_.max_samples_per_send = 10;
  Receiver* r = Make();
  r->answers = {204, 204, 503, 204, 0};
  EXPECT_EQ(forwarder_->RunRound(), Forwarder::Round::kFailed);  // 20 acknowledged
  EXPECT_EQ(forwarder_->RunRound(), Forwarder::Round::kFailed);  // 10 more, then no answer
  Drain();
  ASSERT_EQ(r->samples.size(), 100u);
  for (size_t i = 0; i < r->samples.size(); ++i) EXPECT_EQ(r->samples[i].value, i);
}

TEST_F(ForwarderTest, EqualTimestampsSplitAcrossRequestsAreSentOnce) {
  Write("home", "t", kBase, 1);
  Write("home", "t", kBase, 2);
  Write("home", "t", kBase, 3);
  Write("home", "t", kBase + kSecond, 4);
  config_.max_samples_per_send = 1;
  Receiver* r = Make();
  Drain();
  ASSERT_EQ(r->samples.size(), 4u);
  EXPECT_EQ(r->samples[2].value, 3);
  EXPECT_EQ(r->samples[3].value, 4);
}

TEST_F(ForwarderTest, RefusedSamplesAreDroppedCountedAndNotResent) {
  for (int i = 0; i < 10; ++i) Write("home", "t", kBase + i * kSecond, i);
  config_.max_samples_per_send = 5;
  Receiver* r = Make();
  r->answers = {401, 404, 400};  // credentials and URL are fixable: retried; 400 is not
  EXPECT_EQ(forwarder_->RunRound(), Forwarder::Round::kFailed);
  EXPECT_EQ(forwarder_->RunRound(), Forwarder::Round::kFailed);
  Drain();
  EXPECT_EQ(Stat("nanotdb.forward.dropped_samples_total", "rejected"), 5);
  ASSERT_EQ(r->samples.size(), 5u);
  EXPECT_EQ(r->samples[0].value, 5);
  EXPECT_THAT(log_, testing::Contains(HasSubstr("refused 5 samples with HTTP 400")));
}

TEST_F(ForwarderTest, ANewEndpointStartsAtBackfill) {
  for (int i = 0; i < 100; ++i) Write("home", "t", kBase + i * 10 * kSecond, i);
  config_.backfill = 400 * kSecond;  // now = kBase + 1000 s
  Receiver* r = Make();
  Drain();
  ASSERT_EQ(r->samples.size(), 40u);
  EXPECT_EQ(r->samples.front().value, 60);
}

TEST_F(ForwarderTest, SamplesOlderThanMaxLagAreDroppedAndCountedExactly) {
  for (int i = 0; i < 100; ++i) Write("home", "t", kBase + i * 10 * kSecond, i);
  config_.max_lag = 500 * kSecond;
  config_.backfill = 500 * kSecond;  // now = kBase + 1000 s: from kBase + 500 s
  Receiver* r = Make();
  r->answers = {503};
  EXPECT_EQ(forwarder_->RunRound(), Forwarder::Round::kFailed);
  EXPECT_EQ(Stat("nanotdb.forward.dropped_samples_total", "max_lag"), 0);
  now_ += 300 * kSecond;  // the outage lasts: samples before kBase + 800 s are past max_lag
  Drain();
  EXPECT_EQ(Stat("nanotdb.forward.dropped_samples_total", "max_lag"), 30);
  ASSERT_EQ(r->samples.size(), 20u);
  EXPECT_EQ(r->samples.front().value, 80);
  EXPECT_THAT(log_, testing::Contains(HasSubstr("dropped 30 samples older than max_lag")));
}

}  // namespace
}  // namespace nanotdb::forward
