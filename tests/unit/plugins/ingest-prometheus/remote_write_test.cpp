#include "remote_write.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include <cmath>
#include <cstring>

#include "nanotdb/remote_write.h"
#include "tests/unit/plugins/ingest-prometheus/test_writer.h"

namespace nanotdb::prom {
namespace {

remote::TimeSeries* AddSeries(remote::WriteRequest* req,
                              std::vector<std::pair<std::string, std::string>> labels) {
  remote::TimeSeries* ts = req->add_timeseries();
  for (auto& [name, value] : labels) {
    remote::Label* l = ts->add_labels();
    l->set_name(name);
    l->set_value(value);
  }
  return ts;
}

void AddSample(remote::TimeSeries* ts, double v, int64_t ms) {
  remote::Sample* s = ts->add_samples();
  s->set_value(v);
  s->set_timestamp(ms);
}

std::string Snappy(const std::string& raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

class RemoteWriteTest : public ::testing::Test {
 protected:
  HttpResponse Post(std::string body, std::string encoding = "snappy",
                    std::vector<std::pair<std::string, std::string>> params = {}) {
    RemoteWriteOptions options;
    options.max_decoded_bytes = max_decoded_;
    RemoteWriteHandler handler(writer_, metadata_, options);
    HttpRequest req;
    req.method = "POST";
    req.path = "/api/v1/write";
    req.params = std::move(params);
    if (!encoding.empty()) req.headers["content-encoding"] = encoding;
    req.headers["content-type"] = "application/x-protobuf";
    req.body = std::move(body);
    HttpResponse resp;
    handler.Handle(req, resp);
    return resp;
  }

  FakeWriter writer_;
  MetadataStore metadata_;
  uint64_t max_decoded_ = 64 << 20;
};

TEST_F(RemoteWriteTest, SeriesAndSamplesAreStoredExactly) {
  remote::WriteRequest req;
  remote::TimeSeries* a = AddSeries(
      &req, {{"__name__", "node_boot_time_seconds"}, {"job", "node"}, {"instance", "a:9100"}});
  AddSample(a, 1.796196412e+09, 1715000000000);
  AddSample(a, 1.796196413e+09, 1715000015000);
  remote::TimeSeries* b = AddSeries(&req, {{"__name__", "x"}, {"db", "clash"}});
  AddSample(b, std::nan(""), 1715000000123);
  remote::Metadata* m = req.add_metadata();
  m->set_type(remote::Metadata::GAUGE);
  m->set_metric_family_name("node_boot_time_seconds");
  m->set_help("Node boot time, in unixtime.");

  HttpResponse resp = Post(Snappy(req.SerializeAsString()), "snappy", {{"db", "prom"}});
  EXPECT_EQ(resp.status, 204) << resp.body;
  EXPECT_TRUE(resp.body.empty());
  ASSERT_EQ(writer_.stored.size(), 3u);
  EXPECT_EQ(writer_.stored[0].db, "prom");
  EXPECT_EQ(writer_.stored[0].key, "node_boot_time_seconds{instance=\"a:9100\",job=\"node\"}");
  EXPECT_EQ(writer_.stored[0].ts, 1715000000000LL * 1'000'000);
  EXPECT_EQ(writer_.stored[1].ts, 1715000015000LL * 1'000'000);
  EXPECT_EQ(writer_.stored[2].key, "x{exported_db=\"clash\"}");
  EXPECT_TRUE(std::isnan(writer_.stored[2].value.AsDouble()));
  EXPECT_EQ(writer_.stored[2].ts, 1715000000123LL * 1'000'000);
  EXPECT_EQ(metadata_.List("node_boot_time_seconds", 0, 0)[0].second[0],
            (MetricMetadata{"gauge", "Node boot time, in unixtime.", ""}));
}

TEST_F(RemoteWriteTest, BodyWithoutContentEncodingIsReadAsSnappy) {
  remote::WriteRequest req;
  AddSample(AddSeries(&req, {{"__name__", "up"}}), 1, 1715000000000);
  EXPECT_EQ(Post(Snappy(req.SerializeAsString()), "").status, 204);
  EXPECT_EQ(writer_.stored.size(), 1u);
}

TEST_F(RemoteWriteTest, BadSeriesAreRefusedAndTheRestStored) {
  remote::WriteRequest req;
  AddSample(AddSeries(&req, {{"job", "x"}}), 1, 1715000000000);
  AddSample(AddSeries(&req, {{"__name__", "ok"}}), 2, 1715000000000);
  AddSample(AddSeries(&req, {{"__name__", "refused_old"}}), 3, 1715000000000);
  remote::TimeSeries* h = AddSeries(&req, {{"__name__", "native"}});
  h->add_histograms("\x08\x01");
  AddSample(AddSeries(&req, {{"__name__", "bad"}, {"__reserved", "v"}}), 4, 1715000000000);
  HttpResponse resp = Post(Snappy(req.SerializeAsString()));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(resp.body,
            "stored 1 samples, rejected 4\n"
            "series 1 has no __name__ label\n"
            "refused_old: older than the last sample\n"
            "series 4 (native) has 1 native histogram samples, which nanotdb does not store "
            "(send classic histograms: _bucket/_sum/_count series)\n"
            "series 5: label name \"__reserved\" is reserved (names starting with \"__\")\n");
  ASSERT_EQ(writer_.stored.size(), 1u);
  EXPECT_EQ(writer_.stored[0].key, "ok");
}

TEST_F(RemoteWriteTest, UndecodableBodiesAre400) {
  HttpResponse resp = Post("definitely not snappy");
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(resp.body, "damaged snappy body: it does not decompress\n");
  resp = Post(Snappy("\xff\xff\xff garbage that is no protobuf"));
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(resp.body.find("body is not a protobuf prometheus WriteRequest"), std::string::npos)
      << resp.body;
  EXPECT_TRUE(writer_.stored.empty());
}

TEST_F(RemoteWriteTest, DecodedSizeIsBounded) {
  max_decoded_ = 1000;
  remote::WriteRequest req;
  remote::TimeSeries* ts = AddSeries(&req, {{"__name__", "big"}});
  for (int i = 0; i < 200; ++i) AddSample(ts, i, 1715000000000 + i);
  HttpResponse resp = Post(Snappy(req.SerializeAsString()));
  EXPECT_EQ(resp.status, 413);
  EXPECT_NE(resp.body.find("exceeds the limit of 1000 bytes"), std::string::npos) << resp.body;
  EXPECT_TRUE(writer_.stored.empty());
}

TEST_F(RemoteWriteTest, StorageFailureIs500SoTheSenderRetries) {
  writer_.fail = true;
  remote::WriteRequest req;
  AddSample(AddSeries(&req, {{"__name__", "up"}}), 1, 1715000000000);
  HttpResponse resp = Post(Snappy(req.SerializeAsString()));
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(resp.body,
            "storage failed after 0 samples were stored: disk full writing prometheus.wal\n");
}

}  // namespace
}  // namespace nanotdb::prom
