#include "ui_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "assets.h"
#include "inspector_json.h"
#include "server/plugin_files.h"

namespace nanotdb::ui {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class FakeQuery : public QueryService {
 public:
  std::vector<std::string> ListDatabases(bool) noexcept override { return {"metrics", "broken"}; }
  bool DatabaseExists(std::string_view db) noexcept override {
    return db == "metrics" || db == "broken";
  }
  Result<std::vector<MetricInfo>> ListMetrics(std::string_view) noexcept override {
    MetricInfo m;
    m.name = "cpu.busy_pct";
    m.id = 1;
    m.last = Sample{1780308671000000000LL, Value::Float64(21.5f).bits};
    return std::vector<MetricInfo>{m};
  }
  Result<MetricInfo> GetMetric(std::string_view, std::string_view) noexcept override {
    return Status::NotFound("x");
  }
  Status ReadRange(std::string_view, std::string_view, Timestamp, Timestamp, uint32_t,
                   const std::function<bool(const Sample&)>&) noexcept override {
    return Status::Ok();
  }
  Status AggregateRange(std::string_view, std::string_view, Timestamp, Timestamp, int64_t,
                        const std::vector<Aggregate>&, std::vector<Bucket>*) noexcept override {
    return Status::Ok();
  }
  Result<std::vector<std::string>> SelectMetrics(std::string_view, std::string_view,
                                                 SelectorKind) noexcept override {
    return std::vector<std::string>{};
  }
  Result<std::vector<SeriesInfo>> SelectSeries(std::string_view, const std::vector<SeriesMatcher>&,
                                               size_t) noexcept override {
    return std::vector<SeriesInfo>{};
  }
  Result<std::vector<std::string>> LabelNames(std::string_view,
                                              const std::vector<SeriesMatcher>&) noexcept override {
    return std::vector<std::string>{};
  }
  Result<std::vector<std::string>> LabelValues(
      std::string_view, std::string_view, const std::vector<SeriesMatcher>&) noexcept override {
    return std::vector<std::string>{};
  }
};

class FakeMetadata : public MetadataService {
 public:
  Result<DatabaseSummary> InspectDatabase(std::string_view db) noexcept override {
    if (db == "broken") return Status::Corruption("catalog.json: checksum mismatch");
    DatabaseSummary s;
    s.name = std::string(db);
    s.metrics = 1;
    DataFileSummary f;
    f.name = "data-2026-06-01.dat";
    f.bytes = 1000;
    f.samples = 800;
    FrameSummary fr;
    fr.bytes = 1000;
    fr.raw_bytes = 9600;
    fr.samples = 800;
    fr.codec = "zstd";
    f.frames.push_back(fr);
    s.files.push_back(f);
    s.wal.bytes = 42;
    s.wal.first.push_back({0, "room.temp", 1780000000000000000, Value::Float64(21.5)});
    return s;
  }
  RuntimeInfo Runtime() noexcept override {
    RuntimeInfo r;
    r.version = "0.1.0";
    r.rss_bytes = 5 << 20;
    r.uptime_ns = 90 * kNanosPerSecond;
    r.plugins.push_back({"ui-dashboard", "0.1.0", "/x.so", "ui", ""});
    return r;
  }
  std::string EffectiveConfigToml() noexcept override { return "listen = \":8428\"\n"; }
};

class UiRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ui_routes_testXXXXXX";
    dir_ = mkdtemp(tmpl);
    files_ = std::make_unique<server::PluginFiles>(Env::Default(), dir_, "ui-dashboard");
    store_ = std::make_unique<DashboardStore>(
        *files_, *Gunzip(*FindAsset("/default/dashboard.json")), "", 50);
    services_.query = &query_;
    services_.metadata = &metadata_;
    services_.store = store_.get();
    for (auto& r : BuildUiRoutes(services_)) {
      routes_[r.path + (r.prefix ? "*" : "") + ":" + r.methods[0]] = r;
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  HttpResponse Call(const std::string& key, HttpRequest req) {
    auto it = routes_.find(key);
    EXPECT_NE(it, routes_.end()) << key;
    HttpResponse res;
    if (it != routes_.end()) it->second.handler(req, res);
    return res;
  }
  static HttpRequest Get(const std::string& path) {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    return r;
  }

  FakeQuery query_;
  FakeMetadata metadata_;
  std::string dir_;
  std::unique_ptr<server::PluginFiles> files_;
  std::unique_ptr<DashboardStore> store_;
  UiServices services_;
  std::map<std::string, RouteSpec> routes_;
};

TEST_F(UiRoutesTest, EveryPageIsEmbeddedAndServedGzippedWhenAccepted) {
  for (const char* key : {"/:GET", "/dashboard:GET", "/dashboard/edit:GET", "/explore:GET",
                          "/engine/:GET", "/api-tester:GET"}) {
    HttpRequest req = Get("/");
    req.headers["accept-encoding"] = "gzip, deflate";
    HttpResponse res = Call(key, req);
    EXPECT_EQ(res.status, 200) << key;
    EXPECT_THAT(res.content_type, HasSubstr("text/html"));
    ASSERT_GE(res.body.size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>(res.body[0]), 0x1f) << "gzip magic";
  }
}

TEST_F(UiRoutesTest, AssetsAreDecompressedForPlainClientsAndRevalidatedByEtag) {
  HttpResponse res = Call("/assets/*:GET", Get("/assets/vendor/uPlot.iife.min.js"));
  EXPECT_EQ(res.status, 200);
  EXPECT_THAT(res.body, HasSubstr("uPlot"));
  const EmbeddedAsset* a = FindAsset("/assets/vendor/uPlot.iife.min.js");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(res.body.size(), a->size);
  HttpRequest again = Get("/assets/vendor/uPlot.iife.min.js");
  again.headers["if-none-match"] = a->etag;
  EXPECT_EQ(Call("/assets/*:GET", again).status, 304);
  EXPECT_EQ(Call("/assets/*:GET", Get("/assets/nope.js")).status, 404);
  EXPECT_EQ(Call("/assets/*:GET", Get("/default/dashboard.json")).status, 404);
}

TEST_F(UiRoutesTest, DashboardConfigFallsBackToDefaultThenServesSavedFile) {
  HttpResponse got = Call("/api/dashboard-config:GET", Get("/api/dashboard-config"));
  EXPECT_EQ(got.status, 200);
  EXPECT_THAT(got.body, HasSubstr("system_snapshot"));
  HttpRequest put = Get("/api/dashboard-config");
  put.method = "PUT";
  put.body = R"({"title":"New","groups":[{"id":"g","widgets":["w"]}],
                 "widgets":{"w":{"type":"number","series":[{"metric":"m"}]}}})";
  HttpResponse saved = Call("/api/dashboard-config:PUT", put);
  EXPECT_EQ(saved.status, 200) << saved.body;
  EXPECT_THAT(saved.body, HasSubstr("\"ok\":true"));
  EXPECT_THAT(Call("/api/dashboard-config:GET", Get("/api/dashboard-config")).body,
              HasSubstr("\"New\""));
}

TEST_F(UiRoutesTest, RefusedDashboardAnswers400WithEveryMessage) {
  HttpRequest req = Get("/api/dashboard-config/validate");
  req.method = "POST";
  req.body = R"({"title":"","groups":[{"id":"g","widgets":["w"]}],"widgets":{}})";
  HttpResponse res = Call("/api/dashboard-config/validate:POST", req);
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("\"ok\":false"));
  EXPECT_THAT(res.body, HasSubstr("title"));
  EXPECT_THAT(res.body, HasSubstr("\\\"w\\\""));
  req.path = "/api/dashboard-config";
  req.method = "PUT";
  EXPECT_EQ(Call("/api/dashboard-config:PUT", req).status, 400);
}

TEST_F(UiRoutesTest, SavingNeedsAdminAndReadingDoesNot) {
  for (auto& r : BuildUiRoutes(services_)) {
    if (r.path.starts_with("/api/dashboard-config") && r.methods[0] != "GET") {
      EXPECT_EQ(r.max_body_bytes, 1u << 20) << r.path;
    }
    if (r.path == "/api/dashboard-config" && r.methods == std::vector<std::string>{"PUT"}) {
      EXPECT_EQ(r.role, Role::kAdmin);
    } else {
      EXPECT_EQ(r.role, Role::kRead) << r.path;
    }
  }
}

TEST_F(UiRoutesTest, OverviewReportsBrokenDatabaseInline) {
  HttpResponse res = Call("/api/engine/overview:GET", Get("/api/engine/overview"));
  EXPECT_EQ(res.status, 200);
  EXPECT_THAT(res.body, HasSubstr("\"resultType\":\"engine_overview\""));
  EXPECT_THAT(res.body, HasSubstr("checksum mismatch"));
  EXPECT_THAT(res.body, HasSubstr("\"bytes_per_sample\":1.25"));
  EXPECT_THAT(res.body, HasSubstr("settings_toml"));
}

TEST_F(UiRoutesTest, DatabaseDetailListsFramesAndMetricsOr404) {
  HttpRequest req = Get("/api/engine/database");
  req.params = {{"db", "metrics"}};
  HttpResponse res = Call("/api/engine/database:GET", req);
  EXPECT_EQ(res.status, 200);
  EXPECT_THAT(res.body, HasSubstr("\"codec\":\"zstd\""));
  EXPECT_THAT(res.body, HasSubstr("\"last_value\":\"21.5\""));
  EXPECT_THAT(res.body, HasSubstr("\"last_utc\":\"2026-06-01T10:11:11Z\""));
  // The WAL preview: each sample with its record, metric, time, type and value.
  EXPECT_THAT(res.body, HasSubstr("\"preview\":{\"first\":[{\"record\":0,\"metric\":\"room.temp\","
                                  "\"ts\":1780000000000000000,\"utc\":\"2026-05-28T20:26:40Z\","
                                  "\"type\":\"float64\",\"value\":\"21.5\"}],\"last\":[]}"));
  req.params = {{"db", "nope"}};
  HttpResponse missing = Call("/api/engine/database:GET", req);
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("database not found: nope"));
  req.params.clear();
  EXPECT_EQ(Call("/api/engine/database:GET", req).status, 400);
}

TEST_F(UiRoutesTest, RuntimeListsPluginsAndInspectorWithoutServicesIs503) {
  HttpResponse res = Call("/api/engine/runtime:GET", Get("/api/engine/runtime"));
  EXPECT_THAT(res.body, HasSubstr("\"rss_bytes\":5242880"));
  EXPECT_THAT(res.body, HasSubstr("\"uptime\":\"1m30s\""));
  EXPECT_THAT(res.body, HasSubstr("ui-dashboard"));
  services_.metadata = nullptr;
  for (auto& r : BuildUiRoutes(services_)) {
    if (r.path != "/api/engine/runtime") continue;
    HttpResponse none;
    r.handler(Get("/api/engine/runtime"), none);
    EXPECT_EQ(none.status, 503);
    EXPECT_THAT(none.body, HasSubstr("metadata"));
  }
}

TEST_F(UiRoutesTest, UiConfigCarriesTitleAndRefresh) {
  HttpResponse res = Call("/api/ui/config:GET", Get("/api/ui/config"));
  EXPECT_THAT(res.body, HasSubstr("\"refresh_seconds\":10"));
  EXPECT_THAT(res.body, Not(HasSubstr("error")));
}

}  // namespace
}  // namespace nanotdb::ui
