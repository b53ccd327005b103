// Power loss under every durability setting: the fault Env drops whatever was not synced, and
// the database must open and keep exactly what its settings promise.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "nanotdb/engine.h"
#include "storage/fault_env.h"

namespace nanotdb {
namespace {

namespace fs = std::filesystem;
constexpr Timestamp kBase = 1'780'000'000'000'000'000;

struct Setting {
  const char* name;
  DurabilityProfile profile;
  FsyncPolicy fsync;
  bool every_ack_survives;  // fsync_policy = always
  bool flushed_survive;     // data files are fsynced at flush
  // Keep the default manifest (wal.skip_before = 1h: these old samples skip the WAL unless
  // fsync_policy is always) instead of sending every sample through the WAL.
  bool default_manifest = false;
};

class PowerLossTest : public ::testing::TestWithParam<Setting> {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("nanotdb-crash-" + std::to_string(::getpid()) + "-" + GetParam().name);
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  EngineOptions Options(Env* env) {
    EngineOptions o;
    o.root = root_.string();
    o.env = env;
    o.durability.profile = GetParam().profile;
    o.durability.fsync_policy = GetParam().fsync;
    if (!GetParam().default_manifest) o.manifest_defaults.wal_skip_before = 0;
    return o;
  }

  // Writes `n` samples per metric in small batches; returns what was acknowledged.
  void WriteSamples(Engine& e, int from, int n, std::map<std::string, std::vector<Sample>>* acked) {
    for (int i = from; i < from + n; ++i) {
      std::vector<PointRef> batch;
      for (const char* m : {"a", "b", "c"}) {
        batch.push_back(PointRef{"db", m, kBase + i * kSecond, Value::Float64(float(i))});
      }
      auto r = e.WriteBatch(batch);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      for (const PointRef& p : batch)
        (*acked)[std::string(p.metric)].push_back({p.ts, p.value.bits});
    }
  }

  std::vector<Sample> Read(Engine& e, const char* m) {
    std::vector<Sample> out;
    Status st = e.ReadRange("db", m, kMinTimestamp, kMaxTimestamp, 1, [&](const Sample& s) {
      out.push_back(s);
      return true;
    });
    if (!st.IsNotFound()) EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  fs::path root_;
};

TEST_P(PowerLossTest, DatabaseOpensAndKeepsWhatTheSettingsPromise) {
  FaultInjectionEnv env(Env::Default());
  std::map<std::string, std::vector<Sample>> acked;
  size_t flushed_per_metric = 0;
  {
    auto e = Engine::Open(Options(&env));
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    WriteSamples(**e, 0, 40, &acked);
    ASSERT_TRUE((*e)->Flush().ok());
    flushed_per_metric = 40;
    WriteSamples(**e, 40, 25, &acked);
    env.CrashAfterOperations(0);  // the process dies here: nothing else reaches the disk
  }
  ASSERT_TRUE(env.DropUnsyncedData().ok());

  auto e = Engine::Open(Options(&env));
  ASSERT_TRUE(e.ok()) << "database must open after power loss: " << e.status().ToString();
  for (const char* m : {"a", "b", "c"}) {
    std::vector<Sample> got = Read(**e, m);
    const std::vector<Sample>& want = acked[m];
    // Whatever survives is a prefix of what was acknowledged: no garbage, no reordering.
    ASSERT_LE(got.size(), want.size()) << m;
    EXPECT_TRUE(std::equal(got.begin(), got.end(), want.begin())) << m;
    if (GetParam().every_ack_survives) EXPECT_EQ(got.size(), want.size()) << m;
    if (GetParam().flushed_survive) EXPECT_GE(got.size(), flushed_per_metric) << m;
  }
  // And the database keeps working.
  EXPECT_TRUE((*e)->Write("db", "a", kBase + 1000 * kSecond, Value::Float64(1)).ok());
}

TEST_P(PowerLossTest, CrashAtEveryOperationLeavesAnOpenableDatabase) {
  for (int64_t crash_at = 0; crash_at < 60; ++crash_at) {
    fs::remove_all(root_);
    fs::create_directories(root_);
    FaultInjectionEnv env(Env::Default());
    std::map<std::string, std::vector<Sample>> acked;
    {
      auto e = Engine::Open(Options(&env));
      ASSERT_TRUE(e.ok());
      env.CrashAfterOperations(crash_at);
      for (int i = 0; i < 30; ++i) {
        std::vector<PointRef> batch;
        for (const char* m : {"a", "b"}) {
          batch.push_back(PointRef{"db", m, kBase + i * kSecond, Value::Float64(float(i))});
        }
        auto r = (*e)->WriteBatch(batch);
        if (!r.ok() || !r->rejected.empty()) break;  // failed writes are not acknowledged
        for (const PointRef& p : batch)
          acked[std::string(p.metric)].push_back({p.ts, p.value.bits});
        if (i == 15 && !(*e)->Flush().ok()) break;
      }
    }
    ASSERT_TRUE(env.DropUnsyncedData().ok());
    auto e = Engine::Open(Options(&env));
    ASSERT_TRUE(e.ok()) << "crash after " << crash_at << " operations: " << e.status().ToString();
    for (const char* m : {"a", "b"}) {
      std::vector<Sample> got = Read(**e, m);
      const std::vector<Sample>& want = acked[m];
      ASSERT_LE(got.size(), want.size()) << "crash_at=" << crash_at << " metric " << m;
      EXPECT_TRUE(std::equal(got.begin(), got.end(), want.begin()))
          << "crash_at=" << crash_at << " metric " << m;
      if (GetParam().every_ack_survives) {
        EXPECT_EQ(got.size(), want.size()) << "crash_at=" << crash_at << " metric " << m;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Settings, PowerLossTest,
    ::testing::Values(
        Setting{"always_strict", DurabilityProfile::kStrict, FsyncPolicy::kAlways, true, true},
        Setting{"always_balanced", DurabilityProfile::kBalanced, FsyncPolicy::kAlways, true, true},
        Setting{"always_throughput", DurabilityProfile::kThroughput, FsyncPolicy::kAlways, true,
                true},
        Setting{"always_strict_default_manifest", DurabilityProfile::kStrict, FsyncPolicy::kAlways,
                true, true, true},
        Setting{"segment_strict_default_manifest", DurabilityProfile::kStrict,
                FsyncPolicy::kSegment, false, true, true},
        Setting{"segment_strict", DurabilityProfile::kStrict, FsyncPolicy::kSegment, false, true},
        Setting{"segment_balanced", DurabilityProfile::kBalanced, FsyncPolicy::kSegment, false,
                true},
        Setting{"segment_throughput", DurabilityProfile::kThroughput, FsyncPolicy::kSegment, false,
                false}),
    [](const ::testing::TestParamInfo<Setting>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace nanotdb
