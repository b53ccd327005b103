// The daemon assembled over a real engine and real sockets: startup, core routes, HTTP
// behaviour through Poco, startup failures and clean shutdown.
#include "server/daemon.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "nanotdb/engine.h"
#include "server/gzip.h"

namespace nanotdb::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct Reply {
  int status = 0;
  std::string body;
  std::string content_encoding;
};

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("nanotdb-daemon-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    daemon_.reset();
    fs::remove_all(root_);
  }

  Status Start(const std::string& extra) {
    std::string text =
        "[engine]\nlisten = \"127.0.0.1:0\"\n[[logging.logger]]\noutput = \"" +
        (root_ / "nanotdb.log").string() +
        "\"\nlevel = \"trace\"\n[plugins]\ndir = \"" NANOTDB_FIXTURE_PLUGIN_DIR "\"\n" + extra;
    Result<EngineConfig> config = ParseEngineConfig(text, (root_ / "engine.toml").string());
    if (!config.ok()) return config.status();
    daemon_ = std::make_unique<Daemon>(std::move(config).value());
    return daemon_->Start();
  }

  Reply Send(const std::string& method, const std::string& path, const std::string& body = "",
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    Poco::Net::HTTPClientSession session("127.0.0.1", daemon_->port());
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers) request.set(k, v);
    if (!body.empty() || method == "POST") request.setContentLength(body.size());
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    Reply reply;
    reply.status = response.getStatus();
    reply.content_encoding = response.get("Content-Encoding", "");
    Poco::StreamCopier::copyToString(in, reply.body);
    return reply;
  }

  std::string Log() {
    std::ifstream in(root_ / "nanotdb.log");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  fs::path root_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(DaemonTest, ServesHealthAndMetricsThenShutsDownCleanly) {
  ASSERT_TRUE(Start("[plugins.fixture-good]\n").ok());
  ASSERT_NE(daemon_->port(), 0);
  Reply health = Send("GET", "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "{\"status\":\"ok\"}\n");
  Reply metrics = Send("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("nanotdb_http_requests_2xx_total 1\n"));
  EXPECT_THAT(metrics.body, HasSubstr("# TYPE nanotdb_process_rss_bytes gauge\n"));
  EXPECT_THAT(metrics.body, HasSubstr("# TYPE nanotdb_storage_reader_cache_hits_total counter\n"));
  EXPECT_THAT(metrics.body, HasSubstr("# TYPE nanotdb_storage_reader_cache_files gauge\n"));
  EXPECT_EQ(Send("GET", "/api/v1/unknown").status, 404);
  EXPECT_EQ(Send("DELETE", "/metrics").status, 405);
  daemon_->Shutdown();

  std::string log = Log();
  EXPECT_THAT(log, HasSubstr("plugin fixture-good 0.0.1 started"));
  EXPECT_THAT(log, HasSubstr("fixture-good: fixture started"));
  EXPECT_THAT(log, HasSubstr("listening on 127.0.0.1:"));
  EXPECT_THAT(log, HasSubstr("TRACE http GET /health 200"));
  EXPECT_THAT(log, HasSubstr("storage flushed and closed"));

  // The final self-stats snapshot reached the internal database and the WAL was emptied.
  EngineOptions options;
  options.root = root_.string();
  options.read_only = true;
  Result<std::unique_ptr<Engine>> engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  Result<MetricInfo> samples = (*engine)->GetMetric("internal", "nanotdb.ingest.samples_total");
  ASSERT_TRUE(samples.ok()) << samples.status().ToString();
  Result<DatabaseSummary> summary = (*engine)->Inspect("internal");
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->wal.records, 0u);
  EXPECT_EQ(summary->open_page_samples, 0u);
}

TEST_F(DaemonTest, GzipTravelsBothWaysOverRealSockets) {
  ASSERT_TRUE(Start("").ok());
  Reply posted =
      Send("POST", "/health", GzipCompress("ignored body"), {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(posted.status, 200);
  Reply metrics = Send("GET", "/metrics", "", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(metrics.status, 200);
  ASSERT_EQ(metrics.content_encoding, "gzip");
  std::string text;
  bool too_large = false;
  ASSERT_TRUE(GzipDecompress(metrics.body, 1 << 20, &text, &too_large).ok());
  EXPECT_THAT(text, HasSubstr("nanotdb_ingest_samples_total"));
}

TEST_F(DaemonTest, OversizedBodyGets413NamingTheLimit) {
  ASSERT_TRUE(Start("[http]\nmax_body_bytes = 1024\n").ok());
  Reply r = Send("POST", "/health", std::string(5000, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.body, HasSubstr("exceeds the limit of 1024 bytes"));
  EXPECT_EQ(Send("GET", "/health").status, 200);  // the server carries on
}

TEST_F(DaemonTest, BodylessPostDoesNotWaitForTheClient) {
  ASSERT_TRUE(Start("[http]\nread_timeout = \"30s\"\n").ok());
  Poco::Net::HTTPClientSession session("127.0.0.1", daemon_->port());
  Poco::Net::HTTPRequest request("POST", "/health", Poco::Net::HTTPMessage::HTTP_1_1);
  session.setTimeout(Poco::Timespan(5, 0));
  session.sendRequest(request);  // neither Content-Length nor chunked: no body
  Poco::Net::HTTPResponse response;
  session.receiveResponse(response);
  EXPECT_EQ(response.getStatus(), 200);
}

TEST_F(DaemonTest, BusyPortFailsStartupNamingTheAddress) {
  Poco::Net::ServerSocket taken(Poco::Net::SocketAddress("127.0.0.1", 0));
  std::string address = "127.0.0.1:" + std::to_string(taken.address().port());
  Result<EngineConfig> config =
      ParseEngineConfig("[engine]\nlisten = \"" + address + "\"\n[stats]\nenabled = false\n",
                        (root_ / "engine.toml").string());
  ASSERT_TRUE(config.ok());
  Daemon daemon(std::move(config).value());
  Status st = daemon.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("cannot listen on " + address));
  daemon.Shutdown();
}

TEST_F(DaemonTest, PluginsFailingStartOrRegisterAreDisabledWhileTheRestServe) {
  ASSERT_TRUE(Start("[plugins.fixture-good]\n[plugins.fixture-throws-in-start]\n"
                    "[plugins.fixture-start-error]\n[plugins.fixture-register-error]\n")
                  .ok());
  EXPECT_EQ(Send("GET", "/health").status, 200);
  Reply good = Send("GET", "/fixture-good");
  EXPECT_EQ(good.status, 200);
  EXPECT_EQ(good.body, "{\"fixture\":\"fixture-good\"}\n");
  // The failed plugins' routes stay known but never reach their code again.
  Reply thrown = Send("GET", "/fixture-throws-in-start");
  EXPECT_EQ(thrown.status, 503);
  EXPECT_EQ(thrown.body,
            "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"plugin "
            "fixture-throws-in-start failed to start: Start threw: fixture exploded in Start; it "
            "is disabled, the other plugins keep running\"}\n");
  Reply failed = Send("GET", "/fixture-start-error");
  EXPECT_EQ(failed.status, 503);
  EXPECT_THAT(failed.body, HasSubstr("failed to start: fixture cannot reach its bus"));
  EXPECT_EQ(Send("GET", "/fixture-register-error").status, 404);  // never started
  daemon_->Shutdown();

  std::string log = Log();
  EXPECT_THAT(log, HasSubstr("plugin fixture-good 0.0.1 started"));
  EXPECT_THAT(log, HasSubstr("ERROR plugin fixture-throws-in-start failed to start: Start threw: "
                             "fixture exploded in Start; it is disabled"));
  EXPECT_THAT(log, HasSubstr("ERROR plugin fixture-start-error failed to start: fixture cannot "
                             "reach its bus; it is disabled"));
  EXPECT_THAT(log, HasSubstr("ERROR plugin fixture-register-error failed to register: fixture "
                             "refuses to register; it is disabled"));
  EXPECT_THAT(log, HasSubstr("storage flushed and closed"));
}

TEST_F(DaemonTest, InvalidManifestDefaultsStopStartup) {
  Status st = Start("[manifest_defaults.page]\nmax_records = 0\n");
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("engine.toml"));
}

TEST_F(DaemonTest, WarningsOfEveryKindReachTheLog) {
  ASSERT_TRUE(Start("[plugins.fixture-good]\ngreting = 1\n[bogus]\nx = 1\n").ok());
  daemon_->Shutdown();
  std::string log = Log();
  EXPECT_THAT(log, HasSubstr("WARN  " + (root_ / "engine.toml").string() +
                             ":10: unknown key \"bogus\" (ignored)"));
  EXPECT_THAT(log, HasSubstr("unknown key \"plugins.fixture-good.greting\""));
}

TEST_F(DaemonTest, CheckValidatesPluginsWithoutOpeningTheEngineOrListening) {
  Result<EngineConfig> config = ParseEngineConfig("[plugins]\ndir = \"" NANOTDB_FIXTURE_PLUGIN_DIR
                                                  "\"\n[plugins.fixture-good]\ncount = 2\n"
                                                  "colour = \"red\"\n",
                                                  (root_ / "engine.toml").string());
  ASSERT_TRUE(config.ok());
  Daemon daemon(std::move(config).value());
  std::vector<std::string> warnings;
  ASSERT_TRUE(daemon.Check(&warnings).ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr(":5: unknown key \"plugins.fixture-good.colour\""));
  EXPECT_FALSE(fs::exists(root_ / ".lock"));  // the engine was never opened
  EXPECT_EQ(daemon.port(), 0);
}

}  // namespace
}  // namespace nanotdb::server
