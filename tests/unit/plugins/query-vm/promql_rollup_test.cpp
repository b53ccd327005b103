// PromQL *_over_time range queries from rollups (promql_rollup.h) against the evaluator over raw
// samples, on a real engine whose data has gaps and samples exactly on the period boundaries.
#include "promql_rollup.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "promql_parser.h"
#include "roller.h"
#include "rollup_reader.h"
#include "server/core_services.h"
#include "server/plugin_files.h"

namespace nanotdb::queryvm {
namespace {

namespace fs = std::filesystem;

constexpr Timestamp kBase = 1'767'225'600 * kSecond;  // 2026-01-01 00:00:00 UTC
constexpr int64_t kMs = 1'000'000;

// The source as retention leaves it: raw samples before `from` are gone (the rollups made
// from them stay).
class RetainedSource final : public promql::SeriesSource {
 public:
  RetainedSource(promql::SeriesSource& inner, Timestamp from) : inner_(inner), from_(from) {}
  Status Select(const std::vector<LabelMatcher>& m,
                std::vector<promql::StoredSeries>* out) override {
    return inner_.Select(m, out);
  }
  Status Read(const promql::StoredSeries& s, Timestamp from, Timestamp to,
              const std::function<bool(Timestamp, double)>& fn) override {
    if (to < from_) return Status::Ok();
    return inner_.Read(s, std::max(from, from_), to, fn);
  }

 private:
  promql::SeriesSource& inner_;
  Timestamp from_;
};

class PromqlRollupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("nanotdb-promql-rollup-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    EngineOptions o;
    o.root = root_.string();
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
    query_ = std::make_unique<server::EngineQuery>(*engine_, counters_);
    writer_ = std::make_unique<server::EngineWriter>(*engine_, counters_);
    databases_ = std::make_unique<server::EngineDatabases>(*engine_, ManifestSettings{});
    files_ = std::make_unique<server::PluginFiles>(Env::Default(), root_.string(), "rollup");
    reader_ = std::make_unique<rollup::RollupReader>(*query_, *databases_);
    catalog_ = std::make_unique<promql::CatalogSeriesSource>(*query_, "src");

    // Two days at 10 s (samples on every hour boundary), an hour and some minutes missing.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> dist(-20, 20);
    for (Timestamp t = kBase; t < kBase + 2 * kDay + 35 * kMinute; t += 10 * kSecond) {
      const int64_t minute = (t - kBase) / kMinute;
      if ((minute >= 600 && minute < 660) || minute % 131 >= 125) continue;
      for (const char* m : {"temp{room=\"kitchen\"}", "temp{room=\"hall\"}"}) {
        ASSERT_TRUE(
            engine_->Write("src", m, t, Value::Float64(std::round(dist(rng) * 100) / 100)).ok());
      }
    }
    std::ofstream(root_ / "src" / "manifest.toml", std::ios::app)
        << "\n[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"h\"\nsource_pattern = "
           "\"temp\"\ninterval = \"1h\"\ndestination_db = \"src_1h\"\n"
           "aggregates = [\"min\", \"max\", \"sum\", \"count\"]\n";
    rollup::RollupServices s;
    s.query = query_.get();
    s.writer = writer_.get();
    s.databases = databases_.get();
    s.files = files_.get();
    s.now = [] { return kBase + 2 * kDay + 35 * kMinute; };
    rollup::Roller roller(std::move(s));
    ASSERT_TRUE(roller.RunOnce().errors.empty());
  }
  void TearDown() override {
    catalog_.reset();
    reader_.reset();
    engine_.reset();
    fs::remove_all(root_);
  }

  // The rollup path over raw samples kept from the second day on (retention deleted the
  // first day's; its rollups stay) against the evaluator over every raw sample: equal where a
  // step's window lies in the kept samples; where it reaches into the deleted day, equal to the
  // evaluator over [t - range, t) (the periods: a sample stamped exactly t counts in the next
  // window), computed here by evaluating at t - 1ms over range - 1ms.
  void ExpectSameAsEvaluator(const std::string& text, Timestamp start, Timestamp end, int64_t step,
                             bool want_rollups = true) {
    SCOPED_TRACE(text);
    auto root = promql::ParseExpr(text, promql::ParseLimits{});
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    promql::Evaluator ev(*catalog_, promql::EvalOptions{});
    Result<promql::QueryResult> exact = ev.Run(**root, start, end, step);
    ASSERT_TRUE(exact.ok()) << exact.status().ToString();
    promql::QueryResult got;
    std::vector<RollupAnswer> answers;
    bool answered = false;
    const Timestamp kept = kBase + kDay;
    RetainedSource retained(*catalog_, kept);
    promql::Evaluator tail_ev(retained, promql::EvalOptions{});
    Status st = TryRollupRangeQuery(
        **root, retained, *reader_, start, end, step, 1'000'000,
        [&](Timestamp a, Timestamp b) { return tail_ev.Run(**root, a, b, step); }, &got, &answers,
        &answered);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_EQ(answered, want_rollups);
    if (!answered) return;
    promql::Node* sel = (*root)->args[0].get();
    ASSERT_EQ(sel->kind, promql::Node::Kind::kMatrixSelector);
    const int64_t range = sel->range;
    sel->range -= kMs;
    promql::Evaluator ev_periods(*catalog_, promql::EvalOptions{});
    Result<promql::QueryResult> periods = ev_periods.Run(**root, start - kMs, end - kMs, step);
    ASSERT_TRUE(periods.ok()) << periods.status().ToString();
    ASSERT_EQ(got.steps, exact->steps);
    ASSERT_EQ(answers.size(), 2u);
    EXPECT_EQ(answers[0].info.levels[0].db, "src_1h");
    auto by_labels = [](const promql::StepSeries& a, const promql::StepSeries& b) {
      return a.labels < b.labels;
    };
    std::sort(exact->vector.begin(), exact->vector.end(), by_labels);
    std::sort(periods->vector.begin(), periods->vector.end(), by_labels);
    std::sort(got.vector.begin(), got.vector.end(), by_labels);
    ASSERT_EQ(got.vector.size(), exact->vector.size());
    ASSERT_EQ(periods->vector.size(), exact->vector.size());
    size_t from_rollups = 0, from_raw = 0;
    for (size_t k = 0; k < got.vector.size(); ++k) {
      const promql::StepSeries& b = got.vector[k];
      ASSERT_EQ(exact->vector[k].labels, b.labels);
      for (size_t i = 0; i < b.v.size(); ++i) {
        const bool deleted = got.steps[i] < kept;  // the samples on t are gone
        const promql::StepSeries& a = deleted ? periods->vector[k] : exact->vector[k];
        ASSERT_EQ(a.has[i], b.has[i]) << "step " << i;
        if (!a.has[i]) continue;
        ++(deleted ? from_rollups : from_raw);
        ASSERT_NEAR(a.v[i], b.v[i], 1e-9 * std::max(1.0, std::abs(a.v[i]))) << "step " << i;
      }
    }
    EXPECT_GE(from_rollups, 5u);
    EXPECT_GE(from_raw, 5u);
  }

  fs::path root_;
  server::CoreCounters counters_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<server::EngineQuery> query_;
  std::unique_ptr<server::EngineWriter> writer_;
  std::unique_ptr<server::EngineDatabases> databases_;
  std::unique_ptr<server::PluginFiles> files_;
  std::unique_ptr<rollup::RollupReader> reader_;
  std::unique_ptr<promql::CatalogSeriesSource> catalog_;
};

TEST_F(PromqlRollupTest, OverTimeFunctionsEqualTheEvaluatorOverRawSamples) {
  const Timestamp end = kBase + 2 * kDay + 35 * kMinute;
  for (const char* f : {"avg", "min", "max", "sum", "count"}) {
    const std::string fn = std::string(f) + "_over_time";
    // Windows equal to the step, longer than it, shorter than it; the tail not rolled up.
    ExpectSameAsEvaluator(fn + "({db=\"src\"}[3h])", kBase, end, 3 * kHour);
    ExpectSameAsEvaluator(fn + "({__name__=~\".*temp\"}[6h])", kBase + 4 * kHour, end, 2 * kHour);
    ExpectSameAsEvaluator("(" + fn + "(src/room.temp[1h]) or " + fn + "(src/hall.temp[1h]))", kBase,
                          end, kHour, false);
    ExpectSameAsEvaluator(fn + "({db=\"src\"}[1h])", kBase, end, 4 * kHour);
  }
}

TEST_F(PromqlRollupTest, QueriesOffThePeriodGridAreLeftToTheEvaluator) {
  const Timestamp end = kBase + 2 * kDay;
  ExpectSameAsEvaluator("avg_over_time({db=\"src\"}[3h])", kBase + 5 * kMinute, end, 3 * kHour,
                        false);
  ExpectSameAsEvaluator("avg_over_time({db=\"src\"}[90m])", kBase, end, 3 * kHour, false);
  ExpectSameAsEvaluator("avg_over_time({db=\"src\"}[3h] offset 1h)", kBase, end, 3 * kHour, false);
  ExpectSameAsEvaluator("rate({db=\"src\"}[3h])", kBase, end, 3 * kHour, false);
  // Every window inside the raw samples: the evaluator reads them as fast.
  ExpectSameAsEvaluator("avg_over_time({db=\"src\"}[3h])", kBase + 30 * kHour, end, 3 * kHour,
                        false);
  ExpectSameAsEvaluator("quantile_over_time(0.5, {db=\"src\"}[3h])", kBase, end, 3 * kHour, false);
}

}  // namespace
}  // namespace nanotdb::queryvm
