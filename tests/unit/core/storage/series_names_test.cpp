// Catalog names that are not canonical series keys (tests/fixtures/series-names): a writable open
// renames those it safely can to their canonical key and keeps the others readable by their
// exact name; a read-only open does the same in memory only.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nanotdb/engine.h"
#include "storage/filenames.h"

namespace nanotdb {
namespace {

namespace fs = std::filesystem;

constexpr char kFixture[] = "tests/fixtures/series-names/root";
constexpr Timestamp kDay = 1779580800LL * 1'000'000'000;  // 2026-05-24 00:00:00 UTC
constexpr Timestamp kS = 1'000'000'000;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class SeriesNamesFixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("nanotdb-series-names-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::copy(kFixture, root_, fs::copy_options::recursive);
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
  static std::vector<Sample> Read(const Engine& e, std::string_view name) {
    std::vector<Sample> out;
    Status st = e.ReadRange("names", name, kMinTimestamp, kMaxTimestamp, 1, [&](const Sample& s) {
      out.push_back(s);
      return true;
    });
    EXPECT_TRUE(st.ok()) << name << ": " << st.ToString();
    return out;
  }
  static std::vector<std::string> Names(const Engine& e) {
    std::vector<std::string> out;
    Result<std::vector<MetricInfo>> metrics = e.ListMetrics("names");
    EXPECT_TRUE(metrics.ok()) << metrics.status().ToString();
    if (metrics.ok()) {
      for (const MetricInfo& m : *metrics) out.push_back(m.name);
    }
    return out;
  }
  // Every sample reads back as the fixture's README says, by canonical or exact names.
  void ExpectData(const Engine& e) {
    EXPECT_EQ(Read(e, "cpu{a=\"2\",b=\"1\"}"),
              (std::vector<Sample>{{kDay + 5 * kS, Value::Float64(1).bits},
                                   {kDay + 15 * kS, Value::Float64(2).bits}}));
    EXPECT_EQ(Read(e, "cpu{ a=\"2\", b=\"1\" }"),
              (std::vector<Sample>{{kDay + 5 * kS, Value::Float64(3).bits}}));
    EXPECT_EQ(Read(e, "mem{host=\"x\"}"),
              (std::vector<Sample>{{kDay + 5 * kS, Value::Int64(4).bits},
                                   {kDay + 25 * kS, Value::Int64(INT64_MIN).bits}}));
    ASSERT_EQ(Read(e, "weird{name").size(), 1u);
    EXPECT_TRUE(std::isnan(Value{ValueType::kFloat64, Read(e, "weird{name")[0].bits}.AsDouble()));
    EXPECT_EQ(Read(e, "up"),
              (std::vector<Sample>{{kDay + 5 * kS, Value::Float64(1796196412).bits}}));
    EXPECT_EQ(Read(e, "disk{dev=\"sda\"}"),
              (std::vector<Sample>{{kDay + 5 * kS, Value::Float64(5e-324).bits}}));
    // The older spelling of a renamed series still finds it.
    EXPECT_EQ(Read(e, "mem{host='x'}").size(), 2u);
    // Selection by label sees the canonical series; the others by their whole name.
    auto sel =
        e.SelectSeries("names", std::vector<SeriesMatcher>{{"b", SeriesMatcher::Op::kEqual, "1"}});
    ASSERT_TRUE(sel.ok());
    ASSERT_EQ(sel->size(), 1u);
    EXPECT_EQ((*sel)[0].key, "cpu{a=\"2\",b=\"1\"}");
    sel = e.SelectSeries(
        "names", std::vector<SeriesMatcher>{{"__name__", SeriesMatcher::Op::kEqual, "weird{name"}});
    ASSERT_TRUE(sel.ok());
    EXPECT_EQ(sel->size(), 1u);
  }

  const std::vector<std::string> kCanonical = {"cpu{ a=\"2\", b=\"1\" }",
                                               "cpu{a=\"2\",b=\"1\"}",
                                               "disk{dev=\"sda\"}",
                                               "mem{host=\"x\"}",
                                               "up",
                                               "weird{name"};
  fs::path root_;
  std::string log_;
};

TEST_F(SeriesNamesFixtureTest, ReadOnlyOpenCanonicalisesInMemoryAndChangesNoFile) {
  const std::string catalog = Slurp(root_ / "names" / "catalog.json");
  {
    auto e = Open(true);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(Names(*e), kCanonical);
    ExpectData(*e);
  }
  EXPECT_EQ(Slurp(root_ / "names" / "catalog.json"), catalog);
}

TEST_F(SeriesNamesFixtureTest, WritableOpenRenamesInPlaceAndLogsWhatItKept) {
  {
    auto e = Open(false);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(Names(*e), kCanonical);
    ExpectData(*e);
    // New samples of a renamed series, by any spelling, go to it.
    ASSERT_TRUE(e->Write("names", "cpu{b='1',a='2'}", kDay + 60 * kS, Value::Float64(9)).ok());
    EXPECT_EQ(Read(*e, "cpu{a=\"2\",b=\"1\"}").size(), 3u);
  }
  EXPECT_NE(
      log_.find("series cpu{b=\"1\",a=\"2\"} renamed to its canonical key cpu{a=\"2\",b=\"1\"}"),
      std::string::npos)
      << log_;
  EXPECT_NE(log_.find("1 catalog names do not parse as series keys and are kept as they are, "
                      "readable by their exact name; the first: weird{name"),
            std::string::npos)
      << log_;
  EXPECT_NE(log_.find("1 catalog names are other spellings of a stored series"), std::string::npos)
      << log_;
  const std::string catalog = Slurp(root_ / "names" / "catalog.json");
  EXPECT_NE(catalog.find("{\"name\": \"mem{host=\\\"x\\\"}\", \"id\": 3, \"type\": \"int64\"}"),
            std::string::npos)
      << catalog;
  EXPECT_EQ(catalog.find("mem{host='x'}"), std::string::npos) << catalog;
  // Reopened: nothing left to rename, every sample still there.
  log_.clear();
  auto e = Open(false);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(log_.find("renamed"), std::string::npos) << log_;
  EXPECT_EQ(Names(*e), kCanonical);
  EXPECT_EQ(Read(*e, "cpu{a=\"2\",b=\"1\"}").size(), 3u);
  EXPECT_EQ(Read(*e, "mem{host=\"x\"}").size(), 2u);
  EXPECT_EQ(Read(*e, "weird{name").size(), 1u);
}

}  // namespace
}  // namespace nanotdb
