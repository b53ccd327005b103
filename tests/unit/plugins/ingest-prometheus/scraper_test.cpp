// The scraper against a real HTTP server on loopback (Poco's), serving fixed expositions.
#include "scraper.h"

#include <Poco/DeflatingStream.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "tests/unit/plugins/ingest-prometheus/test_writer.h"

namespace nanotdb::prom {
namespace {

constexpr int64_t kSec = 1'000'000'000;

struct Served {
  std::string content_type = "text/plain; version=0.0.4";
  std::string body;
  int status = 200;
  int delay_ms = 0;
  bool gzip = false;
  std::atomic<int> requests{0};
  std::string accept, accept_encoding, authorization;  // of the last request
};

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(Served& s) : s_(s) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    ++s_.requests;
    s_.accept = req.get("Accept", "");
    s_.accept_encoding = req.get("Accept-Encoding", "");
    s_.authorization = req.get("Authorization", "");
    if (s_.delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(s_.delay_ms));
    resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(s_.status));
    resp.setContentType(s_.content_type);
    if (s_.gzip) {
      resp.set("Content-Encoding", "gzip");
      std::ostream& out = resp.send();
      Poco::DeflatingOutputStream gz(out, Poco::DeflatingStreamBuf::STREAM_GZIP);
      gz << s_.body;
      gz.close();
    } else {
      resp.send() << s_.body;
    }
  }

 private:
  Served& s_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(Served& s) : s_(s) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(s_);
  }

 private:
  Served& s_;
};

class ScraperTest : public ::testing::Test {
 protected:
  ScraperTest()
      : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)),
        server_(new Factory(served_), socket_, new Poco::Net::HTTPServerParams) {
    server_.start();
  }
  ~ScraperTest() override {
    server_.stopAll(true);
    // A handler still sleeping (delay_ms) touches served_ when it wakes: wait for it (ASan:
    // heap-use-after-free after SlowTargetIsCutAtTheTimeout).
    while (server_.currentConnections() > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  ScrapeJob Job(int64_t timeout_ns = 5 * kSec) {
    ScrapeJob job;
    job.job_name = "node";
    job.targets = {*ParseScrapeTarget("127.0.0.1:" + std::to_string(socket_.address().port()))};
    job.interval_ns = 10 * kSec;
    job.timeout_ns = timeout_ns;
    job.db = "scraped";
    job.labels = {{"site", "attic"}};
    return job;
  }
  std::map<std::string, double> Stored() const {
    std::map<std::string, double> out;
    for (const StoredPoint& p : writer_.stored) out[p.key] = p.value.AsDouble();
    return out;
  }
  std::string Instance() const { return "127.0.0.1:" + std::to_string(socket_.address().port()); }

  Served served_;
  Poco::Net::ServerSocket socket_;
  Poco::Net::HTTPServer server_;
  FakeWriter writer_;
  MetadataStore metadata_;
};

TEST_F(ScraperTest, SamplesGetJobInstanceAndExtraLabelsPlusReportSeries) {
  served_.body =
      "# HELP temp Room temperature.\n# TYPE temp gauge\n"
      "temp{room=\"kitchen\"} 21.5\n"
      "clash{job=\"theirs\",instance=\"x\"} 2 1715000000000\n";
  ScrapeJob job = Job();
  Scraper scraper(writer_, metadata_, {job}, {});
  ScrapeResult r = scraper.ScrapeOnce(job, job.targets[0]);
  EXPECT_TRUE(r.up) << r.error;
  EXPECT_EQ(r.samples_scraped, 2u);
  EXPECT_EQ(r.stored, 5u);
  const std::string t = "instance=\"" + Instance() + "\",job=\"node\",site=\"attic\"";
  std::map<std::string, double> stored = Stored();
  const std::string instance = "instance=\"" + Instance() + "\",job=\"node\"";
  EXPECT_EQ(stored.at("temp{" + instance + ",room=\"kitchen\",site=\"attic\"}"), 21.5);
  EXPECT_EQ(stored.at("clash{exported_instance=\"x\",exported_job=\"theirs\"," + t + "}"), 2);
  EXPECT_EQ(stored.at("up{" + t + "}"), 1);
  EXPECT_EQ(stored.at("scrape_samples_scraped{" + t + "}"), 2);
  EXPECT_GT(stored.at("scrape_duration_seconds{" + t + "}"), 0);
  EXPECT_LT(stored.at("scrape_duration_seconds{" + t + "}"), 5);
  for (const StoredPoint& p : writer_.stored) {
    EXPECT_EQ(p.db, "scraped");
    if (p.key.starts_with("clash")) EXPECT_EQ(p.ts, 1715000000000LL * 1'000'000);
  }
  EXPECT_EQ(metadata_.List("temp", 0, 0)[0].second[0],
            (MetricMetadata{"gauge", "Room temperature.", ""}));
  EXPECT_NE(served_.accept.find("application/openmetrics-text"), std::string::npos);
  EXPECT_EQ(served_.accept_encoding, "gzip");
  EXPECT_EQ(served_.authorization, "");
}

TEST_F(ScraperTest, BearerTokenIsSent) {
  served_.body = "homeassistant_entity_available{entity=\"sensor.kitchen\"} 1.0\n";
  ScrapeJob job = Job();
  job.bearer_token = "ha-long-lived-token";
  Scraper scraper(writer_, metadata_, {job}, {});
  EXPECT_TRUE(scraper.ScrapeOnce(job, job.targets[0]).up);
  EXPECT_EQ(served_.authorization, "Bearer ha-long-lived-token");
}

TEST_F(ScraperTest, GzipAndOpenMetricsAreDecoded) {
  served_.gzip = true;
  served_.content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  served_.body = "# TYPE c counter\nc_total 7 1715000000.5\n# EOF\n";
  ScrapeJob job = Job();
  Scraper scraper(writer_, metadata_, {job}, {});
  ScrapeResult r = scraper.ScrapeOnce(job, job.targets[0]);
  ASSERT_TRUE(r.up) << r.error;
  EXPECT_EQ(r.rejected, 0u) << r.first_rejection;
  ASSERT_FALSE(writer_.stored.empty());
  EXPECT_EQ(writer_.stored[0].ts, 1715000000500000000LL);
  EXPECT_EQ(writer_.stored[0].value.AsDouble(), 7);
}

TEST_F(ScraperTest, HttpErrorAndRefusedConnectionWriteUpZero) {
  served_.status = 503;
  ScrapeJob job = Job();
  Scraper scraper(writer_, metadata_, {job}, {});
  ScrapeResult r = scraper.ScrapeOnce(job, job.targets[0]);
  EXPECT_FALSE(r.up);
  EXPECT_EQ(r.error, "server returned HTTP status 503 Service Unavailable");
  const std::string t = "instance=\"" + Instance() + "\",job=\"node\",site=\"attic\"";
  EXPECT_EQ(Stored().at("up{" + t + "}"), 0);

  ScrapeJob closed = Job();
  closed.targets = {*ParseScrapeTarget("127.0.0.1:1")};
  r = scraper.ScrapeOnce(closed, closed.targets[0]);
  EXPECT_FALSE(r.up);
  EXPECT_NE(r.error.find("refused"), std::string::npos) << r.error;
}

TEST_F(ScraperTest, SlowTargetIsCutAtTheTimeout) {
  served_.delay_ms = 1500;
  ScrapeJob job = Job(300'000'000);
  Scraper scraper(writer_, metadata_, {job}, {});
  auto t0 = std::chrono::steady_clock::now();
  ScrapeResult r = scraper.ScrapeOnce(job, job.targets[0]);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_FALSE(r.up);
  EXPECT_EQ(r.error, "scrape timed out after 300ms");
  EXPECT_LT(took, std::chrono::milliseconds(1500));
}

TEST_F(ScraperTest, SchedulerScrapesRightAwayAndStopInterruptsAFetch) {
  served_.body = "a 1\n";
  ScrapeJob job = Job();
  job.interval_ns = kSec / 5;
  job.timeout_ns = kSec / 10;
  Scraper scraper(writer_, metadata_, {job}, {});
  scraper.Start();
  for (int i = 0; i < 100 && served_.requests < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  scraper.Stop();
  EXPECT_GE(served_.requests.load(), 3);

  served_.delay_ms = 1500;
  ScrapeJob slow = Job(5 * kSec);
  Scraper stuck(writer_, metadata_, {slow}, {});
  stuck.Start();
  for (int i = 0; i < 100 && served_.requests < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto t0 = std::chrono::steady_clock::now();
  stuck.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1000));
}

}  // namespace
}  // namespace nanotdb::prom
