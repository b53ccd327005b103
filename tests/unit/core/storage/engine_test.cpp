#include "nanotdb/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "base/coding.h"
#include "storage/fault_env.h"
#include "storage/filenames.h"
#include "storage/wal.h"
#include "storage/wal_format.h"

namespace nanotdb {
namespace {

namespace fs = std::filesystem;

constexpr Timestamp kBase = 1'780'000'000'000'000'000;  // 2026-05-28

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("nanotdb-engine-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  EngineOptions Options() {
    EngineOptions o;
    o.root = root_.string();
    o.log = [this](LogLevel, std::string_view msg) { log_.emplace_back(msg); };
    // The samples here are months old: log them all, as for live data.
    o.manifest_defaults.wal_skip_before = 0;
    return o;
  }
  std::unique_ptr<Engine> OpenEngine(EngineOptions o) {
    auto e = Engine::Open(std::move(o));
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }
  std::unique_ptr<Engine> OpenEngine() { return OpenEngine(Options()); }

  static std::vector<Sample> ReadAll(const Engine& e, std::string_view db, std::string_view m,
                                     Timestamp from = kMinTimestamp, Timestamp to = kMaxTimestamp,
                                     uint32_t stride = 1) {
    std::vector<Sample> out;
    Status st = e.ReadRange(db, m, from, to, stride, [&](const Sample& s) {
      out.push_back(s);
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  WalReadReport Wal(std::string_view db) {
    WalReadReport r;
    Status st = ReadWal(
        Env::Default(), WalPath(root_.string(), db), [](const WalBatch&) { return Status::Ok(); },
        &r);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return r;
  }
  uint64_t WalRecords(std::string_view db) { return Wal(db).records; }

  fs::path root_;
  std::vector<std::string> log_;
};

TEST_F(EngineTest, WrittenSamplesReadBackInOrder) {
  auto e = OpenEngine();
  ASSERT_TRUE(e->Write("demo", "room.temp", kBase, Value::Float64(21.5f)).ok());
  ASSERT_TRUE(e->Write("demo", "room.temp", kBase + kSecond, Value::Float64(21.75f)).ok());
  ASSERT_TRUE(e->Write("demo", "door.opens", kBase, Value::Int64(3)).ok());
  auto temps = ReadAll(*e, "demo", "room.temp");
  ASSERT_EQ(temps.size(), 2u);
  EXPECT_EQ(temps[0].ts, kBase);
  EXPECT_FLOAT_EQ((Value{ValueType::kFloat64, temps[1].bits}.AsFloat64()), 21.75f);
  auto metrics = e->ListMetrics("demo");
  ASSERT_TRUE(metrics.ok());
  ASSERT_EQ(metrics->size(), 2u);
  EXPECT_EQ((*metrics)[0].name, "door.opens");
  EXPECT_EQ((*metrics)[0].type, ValueType::kInt64);
  EXPECT_EQ((*metrics)[1].last->ts, kBase + kSecond);
}

TEST_F(EngineTest, RandomSamplesSurviveCloseAndReopen) {
  std::mt19937_64 rng(42);
  std::map<std::string, std::vector<Sample>> expected;
  std::map<std::string, ValueType> types;
  {
    EngineOptions o = Options();
    o.manifest_defaults.page_max_records = 500;  // several frames per partition
    auto e = OpenEngine(o);
    std::vector<std::string> names;
    for (int i = 0; i < 12; ++i) {
      names.push_back("m" + std::to_string(i));
      types[names.back()] = i % 3 == 0 ? ValueType::kInt64 : ValueType::kFloat64;
    }
    std::map<std::string, Timestamp> next_ts;
    for (auto& n : names) next_ts[n] = kBase - 3 * kDay;
    std::vector<PointRef> batch;
    for (int round = 0; round < 40; ++round) {
      batch.clear();
      for (int k = 0; k < 100; ++k) {
        const std::string& n = names[rng() % names.size()];
        Timestamp ts = next_ts[n];
        next_ts[n] += static_cast<Timestamp>(rng() % (2 * kHour));  // 0 = equal timestamps
        Value v =
            types[n] == ValueType::kInt64
                ? Value::Int64(static_cast<int32_t>(rng()))
                : Value::Float64(static_cast<float>(static_cast<int32_t>(rng() % 100000)) / 100.0f);
        batch.push_back(PointRef{"rand", n, ts, v});
        expected[n].push_back(Sample{ts, v.bits});
      }
      auto r = e->WriteBatch(batch);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_TRUE(r->rejected.empty()) << r->rejected[0].second.ToString();
    }
    for (auto& [n, samples] : expected) EXPECT_EQ(ReadAll(*e, "rand", n), samples) << n;
    ASSERT_TRUE(e->Close().ok());
  }
  EXPECT_EQ(WalRecords("rand"), 0u);
  auto e = OpenEngine();
  for (auto& [n, samples] : expected) {
    EXPECT_EQ(ReadAll(*e, "rand", n), samples) << n;
    auto info = e->GetMetric("rand", n);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->type, types[n]);
    ASSERT_TRUE(info->last.has_value());
    EXPECT_EQ(*info->last, samples.back()) << n;
  }
}

TEST_F(EngineTest, TypeIsFixedAtFirstWrite) {
  auto e = OpenEngine();
  ASSERT_TRUE(e->Write("demo", "cpu.temp", kBase, Value::Float64(40.5f)).ok());
  Status st = e->Write("demo", "cpu.temp", kBase + 1, Value::Int64(42));
  EXPECT_EQ(st.code(), Status::Code::kTypeMismatch);
  EXPECT_EQ(st.message(), "metric \"cpu.temp\" is float64, got int64 value 42i");
  EXPECT_EQ(ReadAll(*e, "demo", "cpu.temp").size(), 1u);
}

TEST_F(EngineTest, OlderSampleIsRejectedAndEqualTimestampsAreKept) {
  auto e = OpenEngine();
  ASSERT_TRUE(e->Write("demo", "m", kBase, Value::Float64(1)).ok());
  ASSERT_TRUE(e->Write("demo", "m", kBase, Value::Float64(2)).ok());
  Status st = e->Write("demo", "m", kBase - 1, Value::Float64(3));
  EXPECT_EQ(st.code(), Status::Code::kOutOfOrder);
  EXPECT_NE(st.message().find("older than its last accepted sample"), std::string::npos);
  // Other metrics interleave freely.
  ASSERT_TRUE(e->Write("demo", "other", kBase - kHour, Value::Float64(9)).ok());
  auto s = ReadAll(*e, "demo", "m");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ((Value{ValueType::kFloat64, s[1].bits}).AsFloat64(), 2.0f);
}

TEST_F(EngineTest, OlderSampleIsRejectedAfterRestart) {
  {
    auto e = OpenEngine();
    ASSERT_TRUE(e->Write("demo", "m", kBase, Value::Float64(1)).ok());
  }
  auto e = OpenEngine();
  EXPECT_EQ(e->Write("demo", "m", kBase - kSecond, Value::Float64(2)).code(),
            Status::Code::kOutOfOrder);
}

TEST_F(EngineTest, BatchKeepsGoodPointsAndReportsBadOnes) {
  auto e = OpenEngine();
  std::vector<PointRef> batch = {
      {"demo", "a", kBase, Value::Float64(1)},
      {"demo", "bad/name", kBase, Value::Float64(1)},
      {"no such db!", "a", kBase, Value::Float64(1)},
      {"demo", "a", kBase + 1, Value::Int64(1)},
      {"demo", "a", kBase + 2, Value::Float64(2)},
  };
  auto r = e->WriteBatch(batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 2u);
  ASSERT_EQ(r->rejected.size(), 3u);
  EXPECT_EQ(r->rejected[0].first, 1u);
  EXPECT_NE(r->rejected[0].second.message().find("'/'"), std::string::npos);
  EXPECT_EQ(r->rejected[1].first, 2u);
  EXPECT_NE(r->rejected[1].second.message().find("invalid database name"), std::string::npos);
  EXPECT_EQ(r->rejected[2].first, 3u);
  EXPECT_EQ(ReadAll(*e, "demo", "a").size(), 2u);
  EXPECT_FALSE(fs::exists(root_ / "no such db!"));
}

TEST_F(EngineTest, ReadingNeverCreatesADatabase) {
  auto e = OpenEngine();
  EXPECT_TRUE(e->ListMetrics("ghost").status().IsNotFound());
  EXPECT_TRUE(e->GetMetric("ghost", "m").status().IsNotFound());
  EXPECT_FALSE(e->DatabaseExists("ghost"));
  EXPECT_FALSE(fs::exists(root_ / "ghost"));
  EXPECT_TRUE(e->ListDatabases(true).empty());
}

TEST_F(EngineTest, InternalDatabaseIsHiddenUnlessAsked) {
  auto e = OpenEngine();
  ASSERT_TRUE(e->Write("internal", "nanotdb.up", kBase, Value::Int64(1)).ok());
  ASSERT_TRUE(e->Write("app", "x", kBase, Value::Int64(1)).ok());
  EXPECT_EQ(e->ListDatabases(false), std::vector<std::string>{"app"});
  EXPECT_EQ(e->ListDatabases(true), (std::vector<std::string>{"app", "internal"}));
}

TEST_F(EngineTest, CleanCloseLeavesTheWalEmpty) {
  {
    auto e = OpenEngine();
    ASSERT_TRUE(e->Write("demo", "m", kBase, Value::Float64(1)).ok());
    EXPECT_GT(WalRecords("demo"), 0u);
  }
  EXPECT_EQ(WalRecords("demo"), 0u);
  EXPECT_TRUE(fs::exists(root_ / "demo" / "data-2026-05-28.dat"));
  EXPECT_TRUE(fs::exists(root_ / "demo" / "catalog.json"));
  EXPECT_TRUE(fs::exists(root_ / "demo" / "manifest.toml"));
}

TEST_F(EngineTest, UnflushedSamplesAreReplayedFromTheWal) {
  auto e = OpenEngine();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(e->Write("demo", "m", kBase + i * kSecond, Value::Float64(i)).ok());
  }
  // Copy the live root as a crash would leave it: WAL full, page never flushed.
  fs::path crashed = root_.string() + "-crashed";
  fs::remove_all(crashed);
  fs::copy(root_, crashed, fs::copy_options::recursive);
  EngineOptions o = Options();
  o.root = crashed.string();
  {
    auto e2 = OpenEngine(o);
    auto s = ReadAll(*e2, "demo", "m");
    EXPECT_EQ(s.size(), 50u);
    EXPECT_EQ(e2->GetMetric("demo", "m")->last->ts, kBase + 49 * kSecond);
  }
  fs::remove_all(crashed);
}

// Both copies of a metric's definition in the WAL damaged (its type-2 record and the batch
// after it): the database still opens with every other metric, the samples that cannot be
// named are left out and reported, the log is kept whole aside, and the id is never reused.
TEST_F(EngineTest, AWalMetricWhoseDefinitionsAreBothDamagedIsSetAsideAndTheRestOpens) {
  auto e = OpenEngine();
  ASSERT_TRUE(e->Write("demo", "keep", kBase, Value::Float64(0)).ok());
  for (int i = 1; i < 10; ++i) {
    const PointRef batch[] = {{"demo", "keep", kBase + i * kSecond, Value::Float64(i)},
                              {"demo", "lost", kBase + i * kSecond, Value::Int64(100 + i)}};
    auto r = e->WriteBatch(batch);
    ASSERT_TRUE(r.ok() && r->rejected.empty());
  }
  fs::path crashed = root_.string() + "-crashed";
  fs::remove_all(crashed);
  fs::copy(root_, crashed, fs::copy_options::recursive);
  e.reset();
  const fs::path wal = crashed / "demo" / "demo.wal";
  std::string bytes;
  {
    std::ifstream in(wal, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Records: [defs keep][batch keep][state x2]...[defs lost][batch keep+lost]...: damage the
  // second type-2 record and the record after it.
  std::vector<std::pair<uint64_t, char>> records;  // offset, type
  for (uint64_t at = kWalHeaderSize; at + kWalRecordHeaderSize <= bytes.size();) {
    records.emplace_back(at, bytes[at + 8]);
    at += kWalRecordHeaderSize + DecodeFixed32(bytes.data() + at);
  }
  int defs = 0;
  size_t victim = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].second == static_cast<char>(WalRecordType::kMetricDefs) && ++defs == 2) {
      victim = i;
    }
  }
  ASSERT_EQ(defs, 2);
  ASSERT_LT(victim + 1, records.size());
  bytes[records[victim].first + kWalRecordHeaderSize] ^= 0x11;
  bytes[records[victim + 1].first + kWalRecordHeaderSize + 1] ^= 0x11;
  { std::ofstream(wal, std::ios::binary | std::ios::trunc) << bytes; }

  EngineOptions o = Options();
  o.root = crashed.string();
  {
    auto e2 = OpenEngine(o);
    ASSERT_NE(e2, nullptr);
    EXPECT_EQ(ReadAll(*e2, "demo", "keep").size(), 9u);  // the damaged batch held one
    EXPECT_EQ(e2->GetMetric("demo", "lost").status().code(), Status::Code::kNotFound);
    auto placeholder = e2->GetMetric("demo", "recovered.id2");
    ASSERT_TRUE(placeholder.ok()) << placeholder.status().ToString();
    EXPECT_EQ(ReadAll(*e2, "demo", "recovered.id2").size(), 0u);
    std::string logged;
    for (const std::string& l : log_) logged += l + "\n";
    EXPECT_NE(logged.find("8 samples of metric id 2 (2026-05-28"), std::string::npos) << logged;
    EXPECT_NE(logged.find("both copies of the metric's definition are damaged"), std::string::npos)
        << logged;
    EXPECT_NE(logged.find("demo.wal.quarantine.0"), std::string::npos) << logged;
    std::ifstream aside(crashed / "demo" / "demo.wal.quarantine.0", std::ios::binary);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(aside), {}), bytes);
    // The id stays taken.
    ASSERT_TRUE(e2->Write("demo", "fresh", kBase + 20 * kSecond, Value::Float64(1)).ok());
    EXPECT_EQ(e2->GetMetric("demo", "fresh")->id, 3u);
  }
  // A crash before the log was emptied replays nothing into the placeholder either.
  {
    std::ofstream(wal, std::ios::binary | std::ios::trunc) << bytes;
    auto e3 = OpenEngine(o);
    ASSERT_NE(e3, nullptr);
    EXPECT_EQ(ReadAll(*e3, "demo", "recovered.id2").size(), 0u);
    EXPECT_EQ(ReadAll(*e3, "demo", "keep").size(), 9u);
    EXPECT_EQ(ReadAll(*e3, "demo", "fresh").size(), 1u);
  }
  fs::remove_all(crashed);
}

TEST_F(EngineTest, SamplesFlushedBeforeACrashAreNotReplayedTwice) {
  auto e = OpenEngine();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(e->Write("demo", "m", kBase + i * kSecond, Value::Float64(i)).ok());
  }
  fs::path wal = root_ / "demo" / "demo.wal";
  fs::path saved = root_.string() + "-wal";
  fs::copy_file(wal, saved, fs::copy_options::overwrite_existing);
  ASSERT_TRUE(e->Flush("demo").ok());
  e.reset();
  // A crash after the frame was written but before the WAL was emptied.
  fs::copy_file(saved, wal, fs::copy_options::overwrite_existing);
  fs::remove(saved);
  auto e2 = OpenEngine();
  EXPECT_EQ(ReadAll(*e2, "demo", "m").size(), 10u);
}

TEST_F(EngineTest, ReadOnlyEngineSeesEverythingAndChangesNothing) {
  auto writer = OpenEngine();
  ASSERT_TRUE(writer->Write("demo", "m", kBase, Value::Float64(1)).ok());
  ASSERT_TRUE(writer->Flush().ok());
  ASSERT_TRUE(writer->Write("demo", "m", kBase + kSecond, Value::Float64(2)).ok());
  auto wal_size = fs::file_size(root_ / "demo" / "demo.wal");
  EngineOptions o = Options();
  o.read_only = true;
  auto reader = OpenEngine(o);
  EXPECT_EQ(ReadAll(*reader, "demo", "m").size(), 2u);
  EXPECT_FALSE(reader->Write("demo", "m", kBase + 2 * kSecond, Value::Float64(3)).ok());
  auto summary = reader->Inspect("demo");
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->files.size(), 1u);
  EXPECT_EQ(summary->wal.samples, 1u);
  reader.reset();
  EXPECT_EQ(fs::file_size(root_ / "demo" / "demo.wal"), wal_size);
}

TEST_F(EngineTest, InspectPreviewsTheFirstAndLastSamplesOfTheWal) {
  auto e = OpenEngine();
  // 30 samples of two metrics (one int64, one float64): the first 12 and the last 12 are
  // previewed, with their metric names, times and values as they will be replayed.
  for (int i = 0; i < 15; ++i) {
    ASSERT_TRUE(e->Write("demo", "count", kBase + i * kSecond, Value::Int64(i)).ok());
    ASSERT_TRUE(e->Write("demo", "temp", kBase + i * kSecond, Value::Float64(20.5 + i)).ok());
  }
  auto summary = e->Inspect("demo");
  ASSERT_TRUE(summary.ok());
  const WalSummary& w = summary->wal;
  EXPECT_EQ(w.samples, 30u);
  ASSERT_EQ(w.first.size(), kWalPreviewSamples);
  ASSERT_EQ(w.last.size(), kWalPreviewSamples);
  EXPECT_EQ(w.first[0].metric, "count");
  EXPECT_EQ(w.first[0].ts, kBase);
  EXPECT_EQ(w.first[0].value.type, ValueType::kInt64);
  EXPECT_EQ(w.first[0].value.AsInt64(), 0);
  EXPECT_EQ(w.first[1].metric, "temp");
  EXPECT_EQ(w.first[1].value.AsFloat64(), 20.5);
  EXPECT_EQ(w.last.back().metric, "temp");
  EXPECT_EQ(w.last.back().ts, kBase + 14 * kSecond);
  EXPECT_EQ(w.last.back().value.AsFloat64(), 34.5);
  EXPECT_EQ(w.last.front().ts, kBase + 9 * kSecond);  // samples 18..29
  EXPECT_LT(w.first.back().record, w.last.front().record);
  // A flush empties the WAL, and the preview with it.
  ASSERT_TRUE(e->Flush("demo").ok());
  summary = e->Inspect("demo");
  ASSERT_TRUE(summary.ok());
  EXPECT_TRUE(summary->wal.first.empty());
  EXPECT_TRUE(summary->wal.last.empty());
}

TEST_F(EngineTest, ADatabaseThatCannotOpenIsReportedAndTheOthersServe) {
  {
    auto e = OpenEngine();
    ASSERT_TRUE(e->Write("good", "m", kBase, Value::Float64(1)).ok());
    ASSERT_TRUE(e->Write("bad", "m", kBase, Value::Float64(1)).ok());
  }
  const fs::path catalog = root_ / "bad" / "catalog.json";
  { std::ofstream(catalog, std::ios::trunc) << "{ this is not json"; }
  auto e = OpenEngine();
  EXPECT_EQ(e->ListDatabases(false), std::vector<std::string>{"good"});
  EXPECT_EQ(ReadAll(*e, "good", "m").size(), 1u);
  Status st = e->Write("bad", "m", kBase + 1, Value::Float64(2));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("catalog"), std::string::npos) << st.message();
  bool logged = false;
  for (const std::string& line : log_) logged |= line.find("left untouched") != std::string::npos;
  EXPECT_TRUE(logged);
  e.reset();
  std::ifstream in(catalog);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "{ this is not json");
}

// issue 8: with catalog.json deleted, the next new metric got id 1 and a query for it returned
// the old metric's samples. A missing, truncated or invalid catalog next to data files is now
// an error naming the file and pointing to nanocli recover; nothing is created or changed.
TEST_F(EngineTest, MissingOrBrokenCatalogNextToDataIsAnErrorNotAnEmptyCatalog) {
  {
    auto e = OpenEngine();
    ASSERT_TRUE(e->Write("demo", "cpu.usage_active", kBase, Value::Float64(1)).ok());
    ASSERT_TRUE(e->Write("demo", "mem.used", kBase, Value::Float64(2)).ok());
  }
  const fs::path catalog = root_ / "demo" / "catalog.json";
  std::string intact;
  {
    std::ifstream in(catalog);
    intact.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (const std::string& damage :
       {std::string("missing"), std::string("truncated"), std::string("invalid")}) {
    if (damage == "missing") fs::remove(catalog);
    if (damage == "truncated") std::ofstream(catalog, std::ios::trunc) << intact.substr(0, 40);
    if (damage == "invalid") std::ofstream(catalog, std::ios::trunc) << "[1, 2, 3]\n";
    log_.clear();
    auto e = OpenEngine();
    EXPECT_FALSE(e->DatabaseExists("demo")) << damage;
    Status st = e->Write("demo", "new.metric", kBase + 1, Value::Float64(3));
    ASSERT_FALSE(st.ok()) << damage;
    EXPECT_NE(st.message().find(catalog.string()), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("nanocli recover --root " + root_.string() + " --db demo"),
              std::string::npos)
        << st.message();
    e.reset();
    EXPECT_EQ(fs::exists(catalog), damage != "missing") << damage;
  }
  std::ofstream(catalog, std::ios::trunc) << intact;
  {
    auto e = OpenEngine();
    EXPECT_EQ(ReadAll(*e, "demo", "mem.used").size(), 1u);
    ASSERT_TRUE(e->Write("demo", "disk.used", kBase + 5, Value::Float64(4)).ok());
  }
  // An older copy of the catalog, put back after a metric was added, is refused too.
  std::ofstream(catalog, std::ios::trunc) << intact;
  auto e = OpenEngine();
  EXPECT_FALSE(e->DatabaseExists("demo"));
  Status st = e->Write("demo", "other", kBase + 6, Value::Float64(5));
  EXPECT_NE(st.message().find("does not name metric id 3 which the data files hold"),
            std::string::npos)
      << st.message();
}

TEST_F(EngineTest, SecondWriterOnTheSameRootIsRefused) {
  auto e = OpenEngine();
  auto second = Engine::Open(Options());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kBusy);
  EXPECT_NE(second.status().message().find(std::to_string(::getpid())), std::string::npos);
}

TEST_F(EngineTest, SamplesSpreadOverDaysLandInDailyPartitions) {
  EngineOptions o = Options();
  o.manifest_defaults.max_active_partitions = 1;
  auto e = OpenEngine(o);
  for (int d = 0; d < 4; ++d) {
    ASSERT_TRUE(e->Write("demo", "m", kBase + d * kDay, Value::Float64(d)).ok());
  }
  ASSERT_TRUE(e->Flush().ok());
  EXPECT_TRUE(fs::exists(root_ / "demo" / "data-2026-05-28.dat"));
  EXPECT_TRUE(fs::exists(root_ / "demo" / "data-2026-05-31.dat"));
  auto s = ReadAll(*e, "demo", "m", kBase + kDay, kBase + 2 * kDay);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].ts, kBase + kDay);
  EXPECT_EQ(ReadAll(*e, "demo", "m", kMinTimestamp, kMaxTimestamp, 2).size(), 2u);
}

// A read stops where its callback says so, in a data file, with or without a stride, and
// reads nothing of the later partitions or of the open page.
TEST_F(EngineTest, ReadStopsWhenTheCallbackSaysSo) {
  auto e = OpenEngine();
  for (int d = 0; d < 2; ++d) {
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(e->Write("demo", "m", kBase + d * kDay + i * kSecond, Value::Int64(i)).ok());
    }
  }
  ASSERT_TRUE(e->Flush().ok());
  ASSERT_TRUE(e->Write("demo", "m", kBase + 3 * kDay, Value::Int64(99)).ok());  // open page
  for (uint32_t stride : {1u, 3u}) {
    int calls = 0;
    ASSERT_TRUE(e->ReadRange("demo", "m", kMinTimestamp, kMaxTimestamp, stride, [&](const Sample&) {
                   return ++calls < 2;
                 }).ok());
    EXPECT_EQ(calls, 2) << "stride " << stride;
  }
  EXPECT_EQ(ReadAll(*e, "demo", "m").size(), 21u);
  EXPECT_EQ(ReadAll(*e, "demo", "m", kMinTimestamp, kMaxTimestamp, 3).size(), 7u);
}

TEST_F(EngineTest, RetentionDeletesPartitionsWhoseEndIsPastTheWindow) {
  EngineOptions o = Options();
  o.manifest_defaults.retention_action = RetentionAction::kDelete;
  o.manifest_defaults.retention_days = 2;
  auto e = OpenEngine(o);
  Timestamp now = Env::Default()->NowNanos();
  ASSERT_TRUE(e->Write("demo", "m", now - 10 * kDay, Value::Float64(1)).ok());
  ASSERT_TRUE(e->Write("demo", "m", now, Value::Float64(2)).ok());
  ASSERT_TRUE(e->Flush().ok());
  ASSERT_TRUE(e->Maintain().ok());
  auto s = ReadAll(*e, "demo", "m");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].ts, now);
}

// The disk budget deletes sealed partitions furthest through their retention window first:
// a raw database keeping 7 days gives way before a rollup database keeping a year, and each
// database keeps its newest partition.
TEST_F(EngineTest, DiskBudgetDeletesPartitionsFurthestThroughTheirRetentionFirst) {
  FaultInjectionEnv env(Env::Default());
  const Timestamp today = kBase - kBase % kDay;
  env.SetClock(today + 12 * kHour);
  auto days_of = [&](const std::string& db) {
    std::vector<int> days;
    for (int d = 0; d <= 40; ++d) {
      if (fs::exists(root_ / db /
                     ("data-" + PartitionKey(Partitioning::kDay, today - d * kDay) + ".dat"))) {
        days.push_back(d);
      }
    }
    return days;
  };
  std::mt19937_64 rng(7);
  auto fill = [&](Engine& e, const std::string& db, int days) {
    for (int d = days - 1; d >= 0; --d) {
      std::vector<PointRef> batch;
      for (int i = 0; i < 2000; ++i) {
        batch.push_back({db, "m", today - d * kDay + i * 10 * kSecond,
                         Value::Float64(static_cast<double>(rng() % 100000) / 7.0)});
      }
      ASSERT_TRUE(e.WriteBatch(batch).ok());
    }
    ASSERT_TRUE(e.Flush(db).ok());
  };
  EngineOptions o = Options();
  o.env = &env;
  o.manifest_defaults.retention_days = 7;
  {
    auto e = OpenEngine(o);
    fill(*e, "raw", 7);
  }
  o.manifest_defaults.retention_days = 365;
  auto e = OpenEngine(o);
  fill(*e, "rollup", 30);
  ASSERT_EQ(days_of("raw").size(), 7u);
  ASSERT_EQ(days_of("rollup").size(), 30u);

  // A budget three raw partitions short: the three oldest raw days go, no rollup day.
  uint64_t total = 0, raw_day = 0;
  for (const auto& f : fs::recursive_directory_iterator(root_)) {
    if (f.is_regular_file() && f.path().parent_path().filename() != "internal") {
      total += f.file_size();
    }
  }
  raw_day = fs::file_size(root_ / "raw" /
                          ("data-" + PartitionKey(Partitioning::kDay, today - 6 * kDay) + ".dat"));
  e.reset();
  o.max_disk_bytes = total - 2 * raw_day - raw_day / 2;
  e = OpenEngine(o);
  ASSERT_TRUE(e->Maintain().ok());
  EXPECT_EQ(days_of("raw"), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(days_of("rollup").size(), 30u);
  EXPECT_TRUE(std::any_of(log_.begin(), log_.end(), [](const std::string& l) {
    return l.find("disk budget: deleted data-") != std::string::npos &&
           l.find("max_disk_bytes") != std::string::npos;
  }));
  EXPECT_EQ(ReadAll(*e, "raw", "m").size(), 4u * 2000);

  // A budget nothing fits in: every database keeps only its newest partition, and says so.
  e.reset();
  o.max_disk_bytes = 1;
  log_.clear();
  e = OpenEngine(o);
  ASSERT_TRUE(e->Maintain().ok());
  EXPECT_EQ(days_of("raw"), (std::vector<int>{0}));
  EXPECT_EQ(days_of("rollup"), (std::vector<int>{0}));
  EXPECT_TRUE(std::any_of(log_.begin(), log_.end(), [](const std::string& l) {
    return l.find("nothing more can be deleted") != std::string::npos;
  }));
  EXPECT_EQ(ReadAll(*e, "rollup", "m").size(), 2000u);
}

TEST_F(EngineTest, BackfillOlderThanSkipBeforeBypassesTheWal) {
  EngineOptions o = Options();
  o.manifest_defaults.wal_skip_before = kHour;
  auto e = OpenEngine(o);
  Timestamp now = Env::Default()->NowNanos();
  ASSERT_TRUE(e->Write("demo", "m", now - 2 * kHour, Value::Float64(1)).ok());
  EXPECT_EQ(Wal("demo").samples, 0u);  // only the new metric's definition is logged
  ASSERT_TRUE(e->Write("demo", "m", now, Value::Float64(2)).ok());
  EXPECT_EQ(Wal("demo").samples, 1u);
  EXPECT_EQ(ReadAll(*e, "demo", "m").size(), 2u);
}

TEST_F(EngineTest, UnderFsyncAlwaysBackfillStillGoesThroughTheWal) {
  EngineOptions o = Options();
  o.manifest_defaults.wal_skip_before = kHour;
  o.durability.fsync_policy = FsyncPolicy::kAlways;
  auto e = OpenEngine(o);
  Timestamp now = Env::Default()->NowNanos();
  ASSERT_TRUE(e->Write("demo", "m", now - 3 * kHour, Value::Float64(1)).ok());
  EXPECT_EQ(Wal("demo").samples, 1u);  // acknowledged means on disk, whatever its age
}

TEST_F(EngineTest, ResentBatchIsStoredOnceAndCountedAsDuplicates) {
  auto e = OpenEngine();
  std::vector<PointRef> batch;
  for (int i = 0; i < 5; ++i) {
    batch.push_back({"demo", "a", kBase + i * kSecond, Value::Float64(i * 0.5)});
    batch.push_back({"demo", "b", kBase + i * kSecond, Value::Int64(i)});
  }
  auto first = e->WriteBatch(batch);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->accepted, 10u);
  EXPECT_EQ(first->duplicates, 0u);
  const uint64_t wal_samples = Wal("demo").samples;
  auto again = e->WriteBatch(batch);  // a client retrying after a lost answer
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->accepted, 0u);
  EXPECT_EQ(again->duplicates, 10u);
  EXPECT_TRUE(again->rejected.empty()) << again->rejected.front().second.ToString();
  EXPECT_EQ(Wal("demo").samples, wal_samples);  // nothing logged either
  EXPECT_EQ(ReadAll(*e, "demo", "a").size(), 5u);
  EXPECT_EQ(ReadAll(*e, "demo", "b").size(), 5u);

  // A different value at the newest timestamp is a new sample (equal timestamps are kept).
  auto other =
      e->WriteBatch(std::vector<PointRef>{{"demo", "a", kBase + 4 * kSecond, Value::Float64(9)}});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->accepted, 1u);
  EXPECT_EQ(ReadAll(*e, "demo", "a").size(), 6u);

  // After a flush the newest sample is still recognised; an older one is out of order.
  ASSERT_TRUE(e->Flush().ok());
  auto after =
      e->WriteBatch(std::vector<PointRef>{{"demo", "b", kBase + 4 * kSecond, Value::Int64(4)},
                                          {"demo", "b", kBase + 3 * kSecond, Value::Int64(3)}});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->duplicates, 1u);
  ASSERT_EQ(after->rejected.size(), 1u);
  EXPECT_EQ(after->rejected[0].second.code(), Status::Code::kOutOfOrder);
  EXPECT_EQ(ReadAll(*e, "demo", "b").size(), 5u);

  // The newest sample is known again after a restart, so a retry then is a no-op too.
  e.reset();
  e = OpenEngine();
  auto restarted =
      e->WriteBatch(std::vector<PointRef>{{"demo", "b", kBase + 4 * kSecond, Value::Int64(4)}});
  ASSERT_TRUE(restarted.ok());
  EXPECT_EQ(restarted->duplicates, 1u);
  EXPECT_EQ(ReadAll(*e, "demo", "b").size(), 5u);
}

TEST_F(EngineTest, TimestampsBeyondMaxFutureAreRejectedAndNeverBlockTheMetric) {
  auto e = OpenEngine();  // max_future defaults to 2 days
  const Timestamp now = Env::Default()->NowNanos();
  ASSERT_TRUE(e->Write("demo", "m", now, Value::Float64(1)).ok());
  // Accepted, INT64_MAX would become the metric's newest sample and every later sample would
  // be older than it: refused as out of order forever.
  for (Timestamp ts : {kMaxTimestamp, kMaxTimestamp - 1, now + 3 * kDay}) {
    Status st = e->Write("demo", "m", ts, Value::Float64(2));
    EXPECT_TRUE(st.IsInvalidArgument()) << ts << ": " << st.ToString();
    EXPECT_NE(st.message().find("timestamp " + std::to_string(ts)), std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find("more than 2d ahead of now: the limit is "), std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find("[ingest] max_future"), std::string::npos) << st.message();
  }
  // A new metric is not created by a refused point.
  EXPECT_TRUE(
      e->Write("demo", "future.only", kMaxTimestamp, Value::Float64(1)).IsInvalidArgument());
  EXPECT_FALSE(e->GetMetric("demo", "future.only").ok());
  // The metric goes on; a day ahead is inside the window.
  ASSERT_TRUE(e->Write("demo", "m", now + kSecond, Value::Float64(3)).ok());
  ASSERT_TRUE(e->Write("demo", "m", now + kDay, Value::Float64(4)).ok());
  EXPECT_EQ(ReadAll(*e, "demo", "m").size(), 3u);

  EngineOptions o = Options();
  o.max_future = kHour;
  e.reset();
  e = OpenEngine(o);
  Status st = e->Write("demo", "n", now + 2 * kHour, Value::Float64(1));
  EXPECT_NE(st.message().find("more than 1h ahead of now"), std::string::npos) << st.message();
}

// A write that would store nothing in a database that does not exist yet creates nothing:
// no directory for a batch of points from the far future or with bad series names.
TEST_F(EngineTest, AWriteStoringNothingCreatesNoDatabase) {
  auto e = OpenEngine();
  const Timestamp now = Env::Default()->NowNanos();
  std::vector<PointRef> batch = {{"ghost", "m", now + 30 * kDay, Value::Int64(1)},
                                 {"ghost", "bad{name", now, Value::Int64(1)}};
  auto r = e->WriteBatch(batch);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rejected.size(), 2u);
  EXPECT_NE(r->rejected[0].second.message().find("max_future"), std::string::npos);
  EXPECT_FALSE(fs::exists(root_ / "ghost"));
  EXPECT_TRUE(e->GetMetric("ghost", "m").status().IsNotFound());
  // One good point is enough to create it; the bad ones are still refused.
  batch.push_back({"ghost", "m", now, Value::Int64(2)});
  r = e->WriteBatch(batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected.size(), 2u);
  EXPECT_TRUE(fs::exists(root_ / "ghost"));
}

// A database without a WAL (a rollup destination) killed at any point of a flush that adds a
// metric still opens: the catalog on disk is written before any data file names the new id.
TEST_F(EngineTest, KilledFlushOfANewMetricWithoutAWalLeavesADatabaseThatOpens) {
  for (int n = 0; n < 12; ++n) {
    fs::remove_all(root_);
    FaultInjectionEnv env(Env::Default());
    EngineOptions o = Options();
    o.env = &env;
    o.manifest_defaults.wal_enabled = false;
    {
      auto e = OpenEngine(o);
      ASSERT_TRUE(e->Write("dest", "m1", kBase, Value::Int64(1)).ok());
      ASSERT_TRUE(e->Flush("dest").ok());
      ASSERT_TRUE(e->Write("dest", "m2", kBase + kSecond, Value::Int64(2)).ok());
      env.CrashAfterOperations(n);  // the process dies n operations into the flush
      (void)e->Flush("dest");
      e.reset();  // nothing after the "crash" reaches the disk, the close's flush included
    }
    env.ClearFaults();
    EngineOptions again = Options();
    auto reopened = Engine::Open(again);
    ASSERT_TRUE(reopened.ok()) << "crash after " << n
                               << " operations: " << reopened.status().ToString();
    EXPECT_EQ(ReadAll(**reopened, "dest", "m1").size(), 1u) << n;
  }
}

// Descriptors of this process open on `path`.
int OpenDescriptorsOn(const fs::path& path) {
  int n = 0;
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator("/proc/self/fd", ec)) {
    std::error_code link_ec;
    if (fs::read_symlink(fd.path(), link_ec) == path) ++n;
  }
  return n;
}

// An idle database with everything flushed closes its WAL and data files; the next write
// reopens the WAL, so that write is WAL-protected again.
TEST_F(EngineTest, IdleDatabaseClosesItsFilesAndTheNextWriteReopensThem) {
  FaultInjectionEnv env(Env::Default());
  env.SetClock(kBase);
  EngineOptions o = Options();
  o.env = &env;
  o.idle_close = 10 * kMinute;
  auto e = OpenEngine(o);
  ASSERT_TRUE(e->Write("demo", "m", kBase, Value::Int64(1)).ok());
  const fs::path wal = fs::canonical(WalPath(root_.string(), "demo"));
  EXPECT_EQ(OpenDescriptorsOn(wal), 1);
  env.AdvanceClock(11 * kMinute);
  ASSERT_TRUE(e->Maintain().ok());
  EXPECT_EQ(OpenDescriptorsOn(wal), 1) << "closed while a page was still unflushed";
  ASSERT_TRUE(e->Write("demo", "m", kBase + 11 * kMinute, Value::Int64(2)).ok());
  ASSERT_TRUE(e->Flush("demo").ok());
  env.AdvanceClock(5 * kMinute);
  ASSERT_TRUE(e->Maintain().ok());
  EXPECT_EQ(OpenDescriptorsOn(wal), 1) << "closed before idle_close passed since the last write";
  const fs::path data =
      fs::canonical(DataFilePath(root_.string(), "demo", PartitionKey(Partitioning::kDay, kBase)));
  EXPECT_EQ(ReadAll(*e, "demo", "m").size(), 2u);
  EXPECT_EQ(OpenDescriptorsOn(data), 2);  // the writer's and the kept reader's
  env.AdvanceClock(6 * kMinute);
  ASSERT_TRUE(e->Maintain().ok());
  EXPECT_EQ(OpenDescriptorsOn(wal), 0) << "an idle, flushed database kept its WAL open";
  EXPECT_EQ(OpenDescriptorsOn(data), 0) << "an idle database kept a data file open";
  EXPECT_EQ(ReadAll(*e, "demo", "m").size(), 2u);  // reads need no open writer
  EXPECT_EQ(OpenDescriptorsOn(data), 1);           // the query's reader is kept again

  ASSERT_TRUE(e->Write("demo", "m", kBase + kHour, Value::Int64(3)).ok());
  EXPECT_EQ(OpenDescriptorsOn(wal), 1);
  EXPECT_GT(fs::file_size(wal), 0u) << "the write after reopening skipped the WAL";
  // What the WAL holds is what a crash now would keep: a read-only engine replays it.
  EngineOptions ro = Options();
  ro.read_only = true;
  auto reader = OpenEngine(ro);
  EXPECT_EQ(ReadAll(*reader, "demo", "m").size(), 3u);
}

// Under fsync_policy = always the WAL fsync runs outside the database lock: concurrent
// writers share fsyncs, and every acknowledged sample is stored.
TEST_F(EngineTest, ConcurrentWritersUnderAlwaysShareFsyncs) {
  FaultInjectionEnv env(Env::Default());  // real fsyncs, counted
  EngineOptions o = Options();
  o.env = &env;
  o.durability.fsync_policy = FsyncPolicy::kAlways;
  auto e = OpenEngine(o);
  for (int w = 0; w < 4; ++w) {
    ASSERT_TRUE(e->Write("demo", "w" + std::to_string(w), kBase, Value::Int64(0)).ok());
  }
  env.ResetCounters();
  constexpr int kBatches = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      const std::string metric = "w" + std::to_string(w);
      for (int b = 1; b <= kBatches; ++b) {
        std::vector<PointRef> batch;
        for (int i = 0; i < 10; ++i) {
          batch.push_back({"demo", metric, kBase + (b * 10 + i) * kSecond, Value::Int64(b)});
        }
        auto r = e->WriteBatch(batch);
        if (!r.ok() || r->accepted != 10) ++failures;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);
  const auto c = env.counters();
  EXPECT_GE(c.appends, 4u * kBatches);
  EXPECT_LT(c.syncs, c.appends) << "no fsync was shared";
  for (int w = 0; w < 4; ++w) {
    EXPECT_EQ(ReadAll(*e, "demo", "w" + std::to_string(w)).size(), 1u + 10 * kBatches);
  }
}

TEST_F(EngineTest, WalCanBeSwitchedOff) {
  EngineOptions o = Options();
  o.manifest_defaults.wal_enabled = false;
  {
    auto e = OpenEngine(o);
    ASSERT_TRUE(e->Write("demo", "m", kBase, Value::Float64(1)).ok());
    EXPECT_FALSE(fs::exists(root_ / "demo" / "demo.wal"));
  }
  auto e = OpenEngine(o);
  EXPECT_EQ(ReadAll(*e, "demo", "m").size(), 1u);
}

TEST_F(EngineTest, ConcurrentReadersNeverSeeASampleTwice) {
  EngineOptions o = Options();
  o.manifest_defaults.page_max_records = 64;  // frequent flushes
  auto e = OpenEngine(o);
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!done) {
      Timestamp prev = kMinTimestamp;
      Status st = e->ReadRange("demo", "m", kMinTimestamp, kMaxTimestamp, 1, [&](const Sample& s) {
        if (s.ts <= prev) ++bad;
        prev = s.ts;
        return true;
      });
      if (!st.ok() && !st.IsNotFound()) ++bad;
    }
  });
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE(e->Write("demo", "m", kBase + i, Value::Float64(i)).ok());
  }
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(ReadAll(*e, "demo", "m").size(), 3000u);
}

TEST_F(EngineTest, CreateDatabaseWritesTheGivenManifestWithItsComment) {
  auto e = OpenEngine();
  ManifestSettings m;
  m.wal_enabled = false;
  m.partition = Partitioning::kMonth;
  Result<bool> created = e->CreateDatabase("dest", m, "# made for a test\n");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(*created);
  EXPECT_FALSE(*e->CreateDatabase("dest", ManifestSettings{}, ""));  // exists: unchanged
  Result<std::string> text = e->ManifestText("dest");
  ASSERT_TRUE(text.ok());
  EXPECT_TRUE(text->starts_with("# made for a test\n# NanoTDB database manifest")) << *text;
  EXPECT_EQ(e->GetManifest("dest")->partition, Partitioning::kMonth);
  e.reset();
  e = OpenEngine();  // the manifest is what a reopen reads
  EXPECT_FALSE(e->GetManifest("dest")->wal_enabled);
  EXPECT_TRUE(e->ManifestText("nope").status().IsNotFound());
}

TEST_F(EngineTest, ClearDatabaseKeepsOnlyTheManifestAndTheDatabaseStaysUsable) {
  auto e = OpenEngine();
  ASSERT_TRUE(e->Write("d", "m", kBase, Value::Float64(1)).ok());
  ASSERT_TRUE(e->Flush("d").ok());
  ASSERT_TRUE(e->Write("d", "m", kBase + kSecond, Value::Float64(2)).ok());  // in the WAL
  std::ofstream(root_ / "d" / "metric-2026-05.dat") << "derived";
  std::vector<std::string> removed;
  ASSERT_TRUE(e->ClearDatabase("d", &removed).ok());
  EXPECT_THAT(removed, ::testing::Contains(::testing::HasSubstr("metric-2026-05.dat")));
  EXPECT_THAT(removed, ::testing::Contains(::testing::HasSubstr("catalog.json")));
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(root_ / "d")) {
    left.push_back(entry.path().filename().string());
  }
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"d.wal", "manifest.toml"}));  // a fresh WAL
  EXPECT_TRUE(e->GetMetric("d", "m").status().IsNotFound());
  // An older sample is accepted again: nothing of the old series is left.
  ASSERT_TRUE(e->Write("d", "m", kBase - kSecond, Value::Float64(3)).ok());
  e.reset();
  e = OpenEngine();
  auto samples = ReadAll(*e, "d", "m");
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].ts, kBase - kSecond);
}

}  // namespace
}  // namespace nanotdb
