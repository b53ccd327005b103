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

}  // namespace
}  // namespace nanotdb
