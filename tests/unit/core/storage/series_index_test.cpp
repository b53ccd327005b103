#include "storage/series_index.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "nanotdb/engine.h"

namespace nanotdb {
namespace {

namespace fs = std::filesystem;
using Op = SeriesMatcher::Op;

constexpr Timestamp kBase = 1'780'000'000'000'000'000;

std::vector<CompiledSeriesMatcher> Compile(std::vector<SeriesMatcher> m) {
  auto c = CompileSeriesMatchers(m);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : std::vector<CompiledSeriesMatcher>{};
}

class SeriesIndexTest : public ::testing::Test {
 protected:
  SeriesIndexTest() {
    names_ = {
        "up",                                            // 1
        "up{instance=\"a:9100\",job=\"node\"}",          // 2
        "up{instance=\"b:9100\",job=\"node\"}",          // 3
        "up{instance=\"c:9090\",job=\"prometheus\"}",    // 4
        "node_load1{instance=\"a:9100\",job=\"node\"}",  // 5
        "node_load1{instance=\"b:9100\"}",               // 6
        "room.temp",                                     // 7
        "cpu{mode=\"idle\\\"x\\\\\"}",                   // 8 (escaped value)
        "weird{name",                                    // 9 (does not parse)
    };
    for (size_t i = 0; i < names_.size(); ++i) index_.Add(static_cast<MetricId>(i + 1), names_[i]);
  }
  std::vector<MetricId> Select(std::vector<SeriesMatcher> m) {
    return index_.Select(Compile(std::move(m)));
  }
  std::vector<std::string> names_;
  SeriesIndex index_;
};

TEST_F(SeriesIndexTest, EqualityIntersectsPostings) {
  EXPECT_EQ(Select({{"__name__", Op::kEqual, "up"}}), (std::vector<MetricId>{1, 2, 3, 4}));
  EXPECT_EQ(Select({{"__name__", Op::kEqual, "up"}, {"job", Op::kEqual, "node"}}),
            (std::vector<MetricId>{2, 3}));
  EXPECT_EQ(Select({{"job", Op::kEqual, "node"}, {"instance", Op::kEqual, "a:9100"}}),
            (std::vector<MetricId>{2, 5}));
  EXPECT_TRUE(Select({{"job", Op::kEqual, "nope"}}).empty());
  EXPECT_TRUE(Select({{"nolabel", Op::kEqual, "x"}}).empty());
  EXPECT_EQ(Select({}).size(), names_.size());
}

TEST_F(SeriesIndexTest, EmptyValueMeansTheLabelIsAbsent) {
  // As in Prometheus: job="" selects the series without a job, job!="" those with one.
  EXPECT_EQ(Select({{"job", Op::kEqual, ""}}), (std::vector<MetricId>{1, 6, 7, 8, 9}));
  EXPECT_EQ(Select({{"__name__", Op::kEqual, "up"}, {"job", Op::kEqual, ""}}),
            (std::vector<MetricId>{1}));
  EXPECT_EQ(Select({{"job", Op::kNotEqual, ""}}), (std::vector<MetricId>{2, 3, 4, 5}));
  EXPECT_EQ(Select({{"nolabel", Op::kEqual, ""}}).size(), names_.size());
}

TEST_F(SeriesIndexTest, NotEqualKeepsSeriesWithoutTheLabel) {
  EXPECT_EQ(Select({{"__name__", Op::kEqual, "up"}, {"job", Op::kNotEqual, "node"}}),
            (std::vector<MetricId>{1, 4}));
  EXPECT_EQ(Select({{"__name__", Op::kNotEqual, "up"}}), (std::vector<MetricId>{5, 6, 7, 8, 9}));
}

TEST_F(SeriesIndexTest, RegexesAreAnchoredAtBothEnds) {
  EXPECT_EQ(Select({{"instance", Op::kRegex, "a:.*|b:.*"}}), (std::vector<MetricId>{2, 3, 5, 6}));
  EXPECT_TRUE(Select({{"instance", Op::kRegex, "9100"}}).empty());  // not a substring search
  EXPECT_EQ(Select({{"instance", Op::kRegex, ".*:9090"}}), (std::vector<MetricId>{4}));
  EXPECT_EQ(Select({{"__name__", Op::kRegex, "node_.*"}}), (std::vector<MetricId>{5, 6}));
  // A regex that matches "" also accepts series without the label.
  EXPECT_EQ(Select({{"__name__", Op::kEqual, "node_load1"}, {"job", Op::kRegex, "node|"}}),
            (std::vector<MetricId>{5, 6}));
  EXPECT_EQ(Select({{"__name__", Op::kEqual, "up"}, {"job", Op::kRegex, ".*"}}),
            (std::vector<MetricId>{1, 2, 3, 4}));
  EXPECT_EQ(Select({{"__name__", Op::kEqual, "up"}, {"job", Op::kRegex, ".+"}}),
            (std::vector<MetricId>{2, 3, 4}));
}

TEST_F(SeriesIndexTest, NegativeRegexes) {
  EXPECT_EQ(Select({{"__name__", Op::kEqual, "up"}, {"job", Op::kNotRegex, "node"}}),
            (std::vector<MetricId>{1, 4}));
  EXPECT_EQ(Select({{"__name__", Op::kEqual, "up"}, {"job", Op::kNotRegex, ".*"}}),
            (std::vector<MetricId>{}));
  EXPECT_EQ(Select({{"__name__", Op::kEqual, "up"}, {"job", Op::kNotRegex, ""}}),
            (std::vector<MetricId>{2, 3, 4}));
}

TEST_F(SeriesIndexTest, ValuesAreUnescapedAndUnparsableNamesAreWholeMetrics) {
  EXPECT_EQ(Select({{"mode", Op::kEqual, "idle\"x\\"}}), (std::vector<MetricId>{8}));
  EXPECT_EQ(Select({{"__name__", Op::kEqual, "weird{name"}}), (std::vector<MetricId>{9}));
  ASSERT_NE(index_.Find(9), nullptr);
  EXPECT_TRUE(index_.Find(9)->labels.empty());
}

TEST_F(SeriesIndexTest, LabelNamesAndValues) {
  EXPECT_EQ(index_.LabelNames(nullptr), (std::vector<std::string>{"instance", "job", "mode"}));
  EXPECT_EQ(index_.LabelValues("job", nullptr), (std::vector<std::string>{"node", "prometheus"}));
  EXPECT_EQ(index_.LabelValues("__name__", nullptr),
            (std::vector<std::string>{"cpu", "node_load1", "room.temp", "up", "weird{name"}));
  std::vector<MetricId> ids = Select({{"__name__", Op::kEqual, "node_load1"}});
  EXPECT_EQ(index_.LabelNames(&ids), (std::vector<std::string>{"instance", "job"}));
  EXPECT_EQ(index_.LabelValues("instance", &ids), (std::vector<std::string>{"a:9100", "b:9100"}));
  EXPECT_TRUE(index_.LabelValues("nope", nullptr).empty());
}

TEST_F(SeriesIndexTest, ReAddingAnIdReplacesItsPostings) {
  index_.Add(2, "up{instance=\"z\",job=\"other\"}");
  EXPECT_EQ(Select({{"job", Op::kEqual, "node"}}), (std::vector<MetricId>{3, 5}));
  EXPECT_EQ(Select({{"job", Op::kEqual, "other"}}), (std::vector<MetricId>{2}));
  EXPECT_EQ(index_.size(), names_.size());
}

TEST_F(SeriesIndexTest, BadRegexNamesTheLabel) {
  auto c = CompileSeriesMatchers(std::vector<SeriesMatcher>{{"job", Op::kRegex, "("}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("invalid regex \"(\" for label \"job\""), std::string::npos)
      << c.status().message();
}

// The index agrees with matching every parsed key, on random series and matchers.
TEST(SeriesIndexRandomTest, AgreesWithAFullScan) {
  std::mt19937 rng(7);
  const std::vector<std::string> values = {"a", "b", "c", "ab", ""};
  SeriesIndex index;
  std::vector<SeriesName> all;
  for (MetricId id = 1; id <= 300; ++id) {
    Labels labels;
    for (const char* name : {"x", "y", "z"}) {
      labels.push_back({name, values[rng() % values.size()]});
    }
    auto key = MakeSeriesKey("m" + std::to_string(rng() % 4), labels);
    ASSERT_TRUE(key.ok());
    index.Add(id, *key);
    all.push_back(*ParseSeriesKey(*key));
  }
  const std::vector<std::string> patterns = {"a", "a|b", "a.*", ".*", "", "b?"};
  for (int round = 0; round < 500; ++round) {
    std::vector<SeriesMatcher> m;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
      const char* names[] = {"x", "y", "z", "w", "__name__"};
      SeriesMatcher sm{names[rng() % 5], static_cast<Op>(rng() % 4), ""};
      sm.value = sm.name == "__name__" ? "m" + std::to_string(rng() % 5)
                                       : patterns[rng() % patterns.size()];
      m.push_back(sm);
    }
    auto compiled = Compile(m);
    std::vector<MetricId> want;
    for (size_t i = 0; i < all.size(); ++i) {
      bool ok = true;
      for (const CompiledSeriesMatcher& c : compiled) {
        std::string v = all[i].metric;
        if (c.matcher.name != "__name__") {
          v.clear();
          for (const Label& l : all[i].labels) {
            if (l.name == c.matcher.name) v = l.value;
          }
        }
        ok &= c.Matches(v);
      }
      if (ok) want.push_back(static_cast<MetricId>(i + 1));
    }
    ASSERT_EQ(index.Select(compiled), want) << "round " << round;
  }
}

TEST(CanonicalSeriesNameTest, LabelsAreSortedAndCheckedPlainNamesKept) {
  EXPECT_EQ(*CanonicalSeriesName("room.temp"), "room.temp");
  EXPECT_EQ(*CanonicalSeriesName("cpu{ b='1', a=\"2\", }"), "cpu{a=\"2\",b=\"1\"}");
  EXPECT_EQ(*CanonicalSeriesName("cpu{a=\"\"}"), "cpu");
  EXPECT_EQ(*CanonicalSeriesName("hass{friendly_name=\"Living room\"}"),
            "hass{friendly_name=\"Living room\"}");
  EXPECT_FALSE(CanonicalSeriesName("cpu{a=1}").ok());
  EXPECT_FALSE(CanonicalSeriesName("cpu{__x=\"1\"}").ok());
  EXPECT_FALSE(CanonicalSeriesName("has space").ok());
  // Keys longer than a metric name may be (node_exporter's overlay mount points) are kept.
  EXPECT_TRUE(CanonicalSeriesName("m{a=\"" + std::string(300, 'x') + "\"}").ok());
  std::string too_long = "m{";
  for (char l = 'a'; l < 'f'; ++l)
    too_long += std::string(1, l) + "=\"" + std::string(900, 'x') + "\",";
  too_long += "}";
  Result<std::string> long_key = CanonicalSeriesName(too_long);
  ASSERT_FALSE(long_key.ok());
  EXPECT_NE(long_key.status().message().find("4096"), std::string::npos)
      << long_key.status().ToString();
}

// Through the engine: the index is built on open and kept on write.
class SeriesSelectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("nanotdb-series-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::unique_ptr<Engine> Open(size_t max_series = 0) {
    EngineOptions o;
    o.root = root_.string();
    o.max_series_per_database = max_series;
    o.manifest_defaults.wal_skip_before = 0;
    auto e = Engine::Open(std::move(o));
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }
  static std::vector<std::string> Keys(const Engine& e, std::vector<SeriesMatcher> m,
                                       size_t limit = 0) {
    auto r = e.SelectSeries("demo", m, limit);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const SeriesInfo& s : *r) out.push_back(s.key);
    }
    return out;
  }
  fs::path root_;
};

TEST_F(SeriesSelectionTest, WritesAreIndexedAndTheIndexIsRebuiltOnOpen) {
  {
    auto e = Open();
    ASSERT_TRUE(e->Write("demo", "up{job=\"node\",instance=\"a\"}", kBase, Value::Float64(1)).ok());
    ASSERT_TRUE(e->Write("demo", "up{instance=\"b\",job=\"node\"}", kBase, Value::Float64(0)).ok());
    ASSERT_TRUE(e->Write("demo", "room.temp", kBase, Value::Float64(21.5)).ok());
    // Another spelling of a stored key is that series.
    ASSERT_TRUE(
        e->Write("demo", "up{ job='node', instance=\"a\" }", kBase + 1, Value::Float64(1)).ok());
    EXPECT_EQ(Keys(*e, {{"job", Op::kEqual, "node"}}),
              (std::vector<std::string>{"up{instance=\"a\",job=\"node\"}",
                                        "up{instance=\"b\",job=\"node\"}"}));
    auto r = e->SelectSeries("demo", std::vector<SeriesMatcher>{{"instance", Op::kEqual, "a"}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].metric, "up");
    EXPECT_EQ((*r)[0].labels, (Labels{{"instance", "a"}, {"job", "node"}}));
    ASSERT_TRUE((*r)[0].last.has_value());
    EXPECT_EQ((*r)[0].last->ts, kBase + 1);
    EXPECT_EQ(e->ListMetrics("demo")->size(), 3u);
  }
  auto e = Open();
  EXPECT_EQ(Keys(*e, {{"__name__", Op::kEqual, "up"}, {"instance", Op::kRegex, "b|c"}}),
            (std::vector<std::string>{"up{instance=\"b\",job=\"node\"}"}));
  EXPECT_EQ(Keys(*e, {}, 2).size(), 2u);
  EXPECT_EQ(*e->LabelNames("demo", {}), (std::vector<std::string>{"instance", "job"}));
  EXPECT_EQ(*e->LabelValues("demo", "__name__", {}), (std::vector<std::string>{"room.temp", "up"}));
  // Reading by another spelling finds the series too.
  auto m = e->GetMetric("demo", "up{job=\"node\", instance=\"a\"}");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->name, "up{instance=\"a\",job=\"node\"}");
  EXPECT_TRUE(e->SelectSeries("nope", std::vector<SeriesMatcher>{}).status().IsNotFound());
  EXPECT_TRUE(e->SelectSeries("demo", std::vector<SeriesMatcher>{{"a", Op::kRegex, "("}})
                  .status()
                  .IsInvalidArgument());
}

// A series key of a few hundred bytes (a Docker overlay mount point as node_exporter labels
// it) survives the WAL, a flush and a reopen.
TEST_F(SeriesSelectionTest, LongSeriesKeysSurviveWalReplayAndFlush) {
  const std::string mount =
      "/var/lib/docker/overlay2/" + std::string(64, 'a') + "/merged/" + std::string(200, 'b');
  const std::string key =
      "node_filesystem_avail_bytes{device=\"overlay\",fstype=\"overlay\","
      "mountpoint=\"" +
      mount + "\"}";
  ASSERT_GT(key.size(), 255u);
  {
    auto e = Open();
    ASSERT_TRUE(e->Write("demo", key, kBase, Value::Float64(1.5e9)).ok());
  }
  {
    auto e = Open();  // from the WAL
    auto m = e->GetMetric("demo", key);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(Keys(*e, {{"mountpoint", Op::kEqual, mount}}), std::vector<std::string>{key});
    ASSERT_TRUE(e->Flush().ok());
  }
  auto e = Open();  // from catalog and data files
  EXPECT_EQ(Keys(*e, {{"mountpoint", Op::kEqual, mount}}), std::vector<std::string>{key});
}

TEST_F(SeriesSelectionTest, LabelValuesWithSpacesAreStoredAndBadKeysRefused) {
  auto e = Open();
  ASSERT_TRUE(
      e->Write("demo", "hass{friendly_name=\"Living room\"}", kBase, Value::Float64(1)).ok());
  EXPECT_EQ(Keys(*e, {{"friendly_name", Op::kEqual, "Living room"}}).size(), 1u);
  Status st = e->Write("demo", "cpu{a=1}", kBase, Value::Float64(1));
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("expected a quoted value for label \"a\""), std::string::npos)
      << st.message();
}

TEST_F(SeriesSelectionTest, SeriesPastTheLimitAreRefusedOthersKept) {
  auto e = Open(2);
  std::vector<std::string> names = {"a{x=\"1\"}", "a{x=\"2\"}", "a{x=\"3\"}", "a{x=\"1\"}"};
  std::vector<PointRef> points;
  for (size_t i = 0; i < names.size(); ++i) {
    points.push_back({"demo", names[i], kBase + static_cast<Timestamp>(i), Value::Float64(1)});
  }
  auto r = e->WriteBatch(points);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 3u);
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(r->rejected[0].first, 2u);
  EXPECT_EQ(r->rejected[0].second.message(),
            "database \"demo\" already holds 2 series, the limit ([storage] "
            "max_series_per_database = 2); series \"a{x=\"3\"}\" was not created");
  // Existing series keep taking samples; other databases have their own count.
  EXPECT_TRUE(e->Write("demo", "a{x=\"2\"}", kBase + 10, Value::Float64(2)).ok());
  EXPECT_TRUE(e->Write("other", "a{x=\"3\"}", kBase, Value::Float64(2)).ok());
  EXPECT_EQ(Keys(*e, {}).size(), 2u);
}

}  // namespace
}  // namespace nanotdb
