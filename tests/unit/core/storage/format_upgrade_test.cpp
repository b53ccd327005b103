// A data root written by the last build with 4-byte values (tests/fixtures/format-v1) opens with
// this build, reads back exactly what that build exported, is upgraded in place, and then
// stores 64-bit values exactly.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "nanotdb/engine.h"
#include "nanotdb/time_util.h"
#include "storage/filenames.h"
#include "storage/wal.h"
#include "storage/wal_format.h"

namespace nanotdb {
namespace {

namespace fs = std::filesystem;

constexpr char kFixture[] = "tests/fixtures/format-v1";

struct Expected {
  Timestamp ts;
  Value value;
};

// expected-export.lp: `legacy/<metric> <value> YYYY-MM-DD HH:MM:SS.nnnnnnnnn`, as the old
// build exported it.
std::map<std::string, std::vector<Expected>> ReadExpected() {
  std::map<std::string, std::vector<Expected>> out;
  std::ifstream in(std::string(kFixture) + "/expected-export.lp");
  std::string line;
  while (std::getline(in, line)) {
    const size_t sp = line.find(' ');
    const size_t sp2 = line.find(' ', sp + 1);
    const std::string metric = line.substr(line.find('/') + 1, sp - line.find('/') - 1);
    const std::string value = line.substr(sp + 1, sp2 - sp - 1);
    auto ts = ParseLineTimestamp(line.substr(sp2 + 1), 0);
    EXPECT_TRUE(ts.ok()) << line;
    Expected e{*ts, {}};
    std::string why;
    if (value.back() == 'i') {
      int64_t v;
      EXPECT_TRUE(ParseInt64(value.substr(0, value.size() - 1), &v, &why)) << line;
      e.value = Value::Int64(v);
    } else {
      double v;
      EXPECT_TRUE(ParseFloat64(value, &v, &why)) << line;
      e.value = Value::Float64(v);
    }
    out[metric].push_back(e);
  }
  return out;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class FormatUpgradeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("nanotdb-upgrade-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::copy(std::string(kFixture) + "/root", root_, fs::copy_options::recursive);
    expected_ = ReadExpected();
    ASSERT_EQ(expected_.size(), 5u);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<Engine> Open(bool read_only) {
    EngineOptions o;
    o.root = root_.string();
    o.read_only = read_only;
    o.manifest_defaults.wal_skip_before = 0;
    auto e = Engine::Open(std::move(o));
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }

  // Every metric holds exactly the samples the old build exported, bit for bit (a NaN as a
  // NaN), and its type is the 64-bit type of the old one.
  void ExpectReadsLikeTheOldBuild(const Engine& e) {
    auto metrics = e.ListMetrics("legacy");
    ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
    ASSERT_EQ(metrics->size(), expected_.size());
    for (const MetricInfo& m : *metrics) {
      const auto& want = expected_.at(m.name);
      EXPECT_EQ(m.type, want.front().value.type) << m.name;
      std::vector<Sample> got;
      ASSERT_TRUE(
          e.ReadRange("legacy", m.name, kMinTimestamp, kMaxTimestamp, 1, [&](const Sample& s) {
             got.push_back(s);
             return true;
           }).ok());
      ASSERT_EQ(got.size(), want.size()) << m.name;
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i].ts, want[i].ts) << m.name << " #" << i;
        const Value v{m.type, got[i].bits};
        if (m.type == ValueType::kFloat64 && std::isnan(want[i].value.AsFloat64())) {
          EXPECT_TRUE(std::isnan(v.AsFloat64())) << m.name << " #" << i;
        } else {
          EXPECT_EQ(got[i].bits, want[i].value.bits)
              << m.name << " #" << i << ": " << FormatValue(v) << " vs "
              << FormatValue(want[i].value);
        }
      }
      ASSERT_TRUE(m.last.has_value());
      EXPECT_EQ(m.last->ts, want.back().ts) << m.name;
    }
  }

  fs::path root_;
  std::map<std::string, std::vector<Expected>> expected_;
};

TEST_F(FormatUpgradeTest, ReadOnlyOpenReadsLikeTheOldBuildAndChangesNoFile) {
  std::map<std::string, std::string> before;
  for (const auto& f : fs::directory_iterator(root_ / "legacy")) {
    before[f.path().filename()] = Slurp(f.path());
  }
  {
    auto e = Open(true);
    ASSERT_NE(e, nullptr);
    ExpectReadsLikeTheOldBuild(*e);
  }
  std::map<std::string, std::string> after;
  for (const auto& f : fs::directory_iterator(root_ / "legacy")) {
    after[f.path().filename()] = Slurp(f.path());
  }
  EXPECT_EQ(after, before);
}

TEST_F(FormatUpgradeTest, OpenUpgradesInPlaceAndThenStores64BitValuesExactly) {
  {
    auto e = Open(false);
    ASSERT_NE(e, nullptr);
    ExpectReadsLikeTheOldBuild(*e);
    // The catalog says int64/float64 and the WAL (its 200 replayed samples now in a data file)
    // was started over as version 2.
    const std::string catalog = Slurp(root_ / "legacy" / "catalog.json");
    EXPECT_EQ(catalog.find("int32"), std::string::npos) << catalog;
    EXPECT_EQ(catalog.find("float32"), std::string::npos) << catalog;
    EXPECT_NE(catalog.find("\"wal.only\", \"id\": 4, \"type\": \"int64\""), std::string::npos)
        << catalog;
    const std::string wal = Slurp(WalPath(root_.string(), "legacy"));
    ASSERT_GE(wal.size(), kWalHeaderSize);
    EXPECT_EQ(wal[8], static_cast<char>(kWalVersion));

    const Timestamp t = expected_.at("door.opened").back().ts + kNanosPerSecond;
    ASSERT_TRUE(e->Write("legacy", "door.opened", t, Value::Int64(5000000000)).ok());
    ASSERT_TRUE(e->Write("legacy", "room.temp", t, Value::Float64(1.796196412e+09)).ok());
    ASSERT_TRUE(e->Write("legacy", "mem.free_bytes", t, Value::Float64(218927059)).ok());
    Status mismatch = e->Write("legacy", "door.opened", t + 1, Value::Float64(1.5));
    EXPECT_EQ(mismatch.message(), "metric \"door.opened\" is int64, got float64 value 1.5");
    expected_["door.opened"].push_back({t, Value::Int64(5000000000)});
    expected_["room.temp"].push_back({t, Value::Float64(1.796196412e+09)});
    expected_["mem.free_bytes"].push_back({t, Value::Float64(218927059)});
    ExpectReadsLikeTheOldBuild(*e);
  }
  // Again after a clean close (frames mixing 4-byte and 64-bit columns of one metric) and
  // once more to show the upgrade happens only once.
  for (int round = 0; round < 2; ++round) {
    auto e = Open(false);
    ASSERT_NE(e, nullptr);
    ExpectReadsLikeTheOldBuild(*e);
  }
}

// A root written by the last build of data file format version 2 (tests/fixtures/format-v2),
// holding a sample at INT64_MAX as builds before [ingest] max_future accepted.
class FormatV2Test : public ::testing::Test {
 protected:
  static constexpr char kV2[] = "tests/fixtures/format-v2";
  static constexpr Timestamp kDay1 = 1767225600LL * kNanosPerSecond;  // 2026-01-01

  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("nanotdb-v2-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::copy(std::string(kV2) + "/root", root_, fs::copy_options::recursive);
    std::ifstream in(std::string(kV2) + "/expected-export.lp");
    std::string line;
    while (std::getline(in, line)) {
      const size_t sp = line.find(' '), sp2 = line.find(' ', sp + 1);
      auto ts = ParseLineTimestamp(line.substr(sp2 + 1), 0);
      ASSERT_TRUE(ts.ok()) << line;
      expected_[line.substr(3, sp - 3)].push_back({*ts, line.substr(sp + 1, sp2 - sp - 1)});
    }
    ASSERT_EQ(expected_.size(), 4u);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<Engine> Open(bool read_only) {
    EngineOptions o;
    o.root = root_.string();
    o.read_only = read_only;
    o.log = [this](LogLevel, std::string_view m) { log_ += std::string(m) + "\n"; };
    auto e = Engine::Open(std::move(o));
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }

  // (ts, value as exported) of every sample of `metric`.
  static std::vector<std::pair<Timestamp, std::string>> Read(const Engine& e,
                                                             const std::string& metric) {
    auto info = e.GetMetric("v2", metric);
    EXPECT_TRUE(info.ok()) << metric;
    std::vector<std::pair<Timestamp, std::string>> out;
    EXPECT_TRUE(e.ReadRange("v2", metric, kMinTimestamp, kMaxTimestamp, 1, [&](const Sample& s) {
                   std::string v = FormatValue(Value{info->type, s.bits});
                   if (info->type == ValueType::kInt64) v += "i";
                   out.emplace_back(s.ts, v);
                   return true;
                 }).ok());
    return out;
  }

  uint16_t FileVersion(const std::string& key) {
    std::ifstream in(root_ / "v2" / ("data-" + key + ".dat"), std::ios::binary);
    char head[6] = {};
    in.read(head, 6);
    return static_cast<uint16_t>(static_cast<uint8_t>(head[4]) |
                                 (static_cast<uint8_t>(head[5]) << 8));
  }

  fs::path root_;
  std::map<std::string, std::vector<std::pair<Timestamp, std::string>>> expected_;
  std::string log_;
};

TEST_F(FormatV2Test, ReadOnlyOpenReadsLikeTheOldBuildAndChangesNoFile) {
  std::map<std::string, std::string> before;
  for (const auto& f : fs::directory_iterator(root_ / "v2")) {
    before[f.path().filename()] = Slurp(f.path());
  }
  {
    auto e = Open(true);
    ASSERT_NE(e, nullptr);
    for (const auto& [metric, want] : expected_) EXPECT_EQ(Read(*e, metric), want) << metric;
  }
  std::map<std::string, std::string> after;
  for (const auto& f : fs::directory_iterator(root_ / "v2")) {
    after[f.path().filename()] = Slurp(f.path());
  }
  EXPECT_EQ(after, before);
}

TEST_F(FormatV2Test, OldFilesStayVersion2AndNewOnesGetRepairBytes) {
  {
    auto e = Open(false);
    ASSERT_NE(e, nullptr);
    const Timestamp t = expected_.at("room.temp").back().first + 10 * kNanosPerSecond;
    ASSERT_TRUE(e->Write("v2", "room.temp", t, Value::Float64(21.25)).ok());
    ASSERT_TRUE(e->Write("v2", "room.temp", kDay1 + 2 * kDay, Value::Float64(22.5)).ok());
    expected_["room.temp"].push_back({t, "21.25"});
    expected_["room.temp"].push_back({kDay1 + 2 * kDay, "22.5"});
  }
  EXPECT_EQ(FileVersion("2026-01-02"), 2);
  EXPECT_EQ(FileVersion("2026-01-03"), 3);
  auto e = Open(true);
  ASSERT_NE(e, nullptr);
  for (const auto& [metric, want] : expected_) EXPECT_EQ(Read(*e, metric), want) << metric;
}

// Builds before [ingest] max_future stored a sample at INT64_MAX, after which every later
// sample of its metric was refused as out of order. Now the metric takes samples again, ordered
// after its newest sample within the limit, and the old sample stays stored and read.
TEST_F(FormatV2Test, AMetricHoldingAnInt64MaxSampleIsWritableAgain) {
  auto& want = expected_.at("clock.bad");
  ASSERT_EQ(want.back().first, kMaxTimestamp);
  const Timestamp sane_last = want[want.size() - 2].first;
  {
    auto e = Open(false);
    ASSERT_NE(e, nullptr);
    EXPECT_NE(log_.find("metric \"clock.bad\" holds a sample at 2262-04-11 23:47:16.854775807"),
              std::string::npos)
        << log_;
    EXPECT_NE(log_.find("new samples are ordered after its newest sample before that"),
              std::string::npos)
        << log_;
    auto info = e->GetMetric("v2", "clock.bad");
    ASSERT_TRUE(info.ok());
    ASSERT_TRUE(info->last.has_value());
    EXPECT_EQ(info->last->ts, sane_last);
    // Still ordered: older than its newest sample within the limit is refused.
    Status older = e->Write("v2", "clock.bad", sane_last - 1, Value::Float64(1));
    EXPECT_EQ(older.code(), Status::Code::kOutOfOrder) << older.ToString();
    ASSERT_TRUE(e->Write("v2", "clock.bad", kDay1 + kDay, Value::Float64(2)).ok());
    want.insert(want.end() - 1, {kDay1 + kDay, "2"});
    EXPECT_EQ(Read(*e, "clock.bad"), want);
  }
  // And after a restart (the new sample now in a data file), again.
  auto e = Open(false);
  ASSERT_NE(e, nullptr);
  ASSERT_TRUE(e->Write("v2", "clock.bad", kDay1 + kDay + kNanosPerSecond, Value::Float64(3)).ok());
  want.insert(want.end() - 1, {kDay1 + kDay + kNanosPerSecond, "3"});
  EXPECT_EQ(Read(*e, "clock.bad"), want);
}

}  // namespace
}  // namespace nanotdb
