// The plugin adapter driven through its descriptor, as the host drives it, with a fake
// context and writer (no .so is loaded).
#include "nanotdb/plugin.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "drip_test_util.h"
#include "nanotdb/services/writer.h"
#include "settings.h"
#include "toml_config.h"

extern "C" const nanotdb::PluginDescriptor* nanotdb_plugin_v1();

namespace nanotdb::drip {
namespace {

struct StoredPoint {
  std::string db, metric;
  Timestamp ts;
  Value value;
};

class FakeWriter final : public WriterService {
 public:
  Result<BatchResult> WriteBatch(std::span<const PointRef> points) noexcept override {
    std::lock_guard lock(mu_);
    std::vector<StoredPoint>& batch = batches_.emplace_back();
    for (const PointRef& p : points) {
      batch.push_back({std::string(p.db), std::string(p.metric), p.ts, p.value});
    }
    cv_.notify_all();
    BatchResult r;
    r.accepted = points.size();
    return r;
  }
  std::vector<std::vector<StoredPoint>> WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return batches_.size() >= n; });
    return batches_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::vector<StoredPoint>> batches_;
};

class FakeContext final : public PluginContext {
 public:
  FakeContext(const std::string& toml, WriterService* writer, std::string root)
      : writer_(writer), root_(std::move(root)) {
    Result<toml::table> t = ParseToml(toml, "engine.toml");
    EXPECT_TRUE(t.ok());
    auto cfg = TomlPluginConfig::Create(*t, "engine.toml", "plugins.drip-sources",
                                        ProbeConfigKeys(), {"intervals", "onewire_names"}, nullptr);
    EXPECT_TRUE(cfg.ok()) << cfg.status().ToString();
    config_ = std::move(cfg).value();
  }
  Status RegisterService(std::string_view, uint32_t, void*) noexcept override {
    return Status::Ok();
  }
  void* FindService(std::string_view name, uint32_t version) noexcept override {
    bool match = name == WriterService::kServiceName && version == WriterService::kServiceVersion;
    return match ? writer_ : nullptr;
  }
  const PluginConfig& config() const noexcept override { return *config_; }
  void Log(LogLevel, std::string_view message) noexcept override {
    std::lock_guard lock(mu_);
    logs.emplace_back(message);
  }
  const std::string& root() const noexcept override { return root_; }

  std::mutex mu_;
  std::vector<std::string> logs;

 private:
  WriterService* writer_;
  std::string root_;
  std::unique_ptr<TomlPluginConfig> config_;
};

struct PluginDeleter {
  void operator()(Plugin* p) const { nanotdb_plugin_v1()->destroy(p); }
};
std::unique_ptr<Plugin, PluginDeleter> NewPlugin() {
  return std::unique_ptr<Plugin, PluginDeleter>(nanotdb_plugin_v1()->create());
}

TEST(DripSourcesPluginTest, DescriptorNamesThePluginAndDeclaresEveryKey) {
  const PluginDescriptor* d = nanotdb_plugin_v1();
  EXPECT_EQ(d->abi_version, NANOTDB_PLUGIN_ABI_VERSION);
  EXPECT_EQ(d->descriptor_size, sizeof(PluginDescriptor));
  EXPECT_STREQ(d->name, "drip-sources");
  EXPECT_STREQ(d->toolchain, NANOTDB_TOOLCHAIN_FINGERPRINT);
  EXPECT_EQ(d->config_key_count, ProbeConfigKeys().size());
  EXPECT_STREQ(d->config_keys[0].name, "database");
}

TEST(DripSourcesPluginTest, CyclesGoThroughTheWriterWithOneTimestampEach) {
  FixtureRoot root("pi4");
  FakeWriter writer;
  FakeContext ctx(
      "database = \"host\"\ninterval = \"200ms\"\nroot = \"" + root.path() + "\"\ndisk = false\n",
      &writer, root.path());
  auto plugin = NewPlugin();
  ASSERT_TRUE(plugin->Register(ctx).ok());
  Status st = plugin->Start(ctx);
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto batches = writer.WaitFor(2);
  plugin->Stop();
  ASSERT_GE(batches.size(), 2u);
  for (const auto& batch : batches) {
    ASSERT_FALSE(batch.empty());
    for (const StoredPoint& p : batch) {
      EXPECT_EQ(p.db, "host");
      EXPECT_EQ(p.ts, batch[0].ts);
    }
    EXPECT_EQ(batch[0].ts % (200 * 1000 * 1000), 0) << "cycles fall on multiples of interval";
  }
  EXPECT_LT(batches[0][0].ts, batches[1][0].ts);
  bool saw_mem = false;
  for (const StoredPoint& p : batches[0]) {
    if (p.metric == "mem.total") {
      saw_mem = true;
      EXPECT_EQ(p.value.AsInt64(), 3884512);
    }
  }
  EXPECT_TRUE(saw_mem);
}

TEST(DripSourcesPluginTest, BadSettingFailsStartNamingTheSectionAndKey) {
  FakeWriter writer;
  FakeContext ctx("sd_probe_bytes = 0\n", &writer, "/tmp");
  auto plugin = NewPlugin();
  Status st = plugin->Start(ctx);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("[plugins.drip-sources]: sd_probe_bytes: must be between"),
            std::string::npos)
      << st.message();
  plugin->Stop();
}

TEST(DripSourcesPluginTest, MissingWriterServiceFailsStart) {
  FakeContext ctx("", nullptr, "/tmp");
  auto plugin = NewPlugin();
  Status st = plugin->Start(ctx);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("nanotdb.writer"), std::string::npos);
  plugin->Stop();
}

}  // namespace
}  // namespace nanotdb::drip
