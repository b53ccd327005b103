// kill -9 against the real daemon with fsync_policy = "always": every event of every 2xx answer
// to POST /api/v1/events is there after a restart, none that was never sent.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "tests/integration/daemon.h"

namespace nanotdb::itest {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// The values of the events named `name` in database crash.
std::vector<int64_t> StoredValues(const Daemon& d, const std::string& name) {
  HttpResult r = d.Get("/api/v1/events", {{"db", "crash"}, {"name", name}, {"limit", "100000"}});
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<int64_t> out;
  try {
    Object::Ptr json = Poco::JSON::Parser().parse(r.body).extract<Object::Ptr>();
    Array::Ptr events = json->getObject("data")->getArray("events");
    for (size_t i = 0; i < events->size(); ++i) {
      out.push_back(events->getObject(static_cast<unsigned>(i))->getValue<int64_t>("value"));
    }
  } catch (const Poco::Exception& e) {
    ADD_FAILURE() << "bad answer (" << e.displayText() << "): " << r.body;
  }
  return out;
}

TEST(EventsKillTest, AlwaysKeepsEveryAcknowledgedEventOfTwoConcurrentWriters) {
  Daemon d;
  d.Configure("wal", "fsync_policy", "\"always\"");
  constexpr int kWriters = 2;
  std::vector<int64_t> next(kWriters, 1);
  std::vector<std::vector<int64_t>> acked(kWriters);
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(d.Start());
    std::atomic<bool> stop{false};
    std::vector<std::atomic<int>> round_acks(kWriters);
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        const std::string name = "w" + std::to_string(w);
        while (!stop) {
          std::string body = "[";
          std::vector<int64_t> batch;
          for (int i = 0; i < 5; ++i, ++next[w]) {
            if (i) body += ",";
            body += "{\"name\":\"" + name + "\",\"value\":" + std::to_string(next[w]) +
                    ",\"payload\":{\"round\":" + std::to_string(round) + "}}";
            batch.push_back(next[w]);
          }
          body += "]";
          HttpResult r = d.Post("/api/v1/events?db=crash", body, "application/json");
          if (r.status != 200) break;
          acked[w].insert(acked[w].end(), batch.begin(), batch.end());
          ++round_acks[w];
        }
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline &&
           !std::all_of(round_acks.begin(), round_acks.end(),
                        [](const std::atomic<int>& n) { return n.load() > 0; })) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + 150 * round));
    d.Kill();
    stop = true;
    for (std::thread& t : threads) t.join();

    ASSERT_TRUE(d.Start());
    for (int w = 0; w < kWriters; ++w) {
      const std::string name = "w" + std::to_string(w);
      ASSERT_FALSE(acked[w].empty()) << name << ": no write acknowledged before the kill";
      std::vector<int64_t> stored = StoredValues(d, name);
      std::set<int64_t> unique(stored.begin(), stored.end());
      ASSERT_EQ(unique.size(), stored.size()) << name << ": an event stored twice";
      ASSERT_FALSE(stored.empty());
      ASSERT_LT(*unique.rbegin(), next[w]) << name << ": an event that was never sent";
      size_t lost = 0;
      for (int64_t v : acked[w]) lost += unique.count(v) == 0;
      ASSERT_EQ(lost, 0u) << name << ": " << lost << " of " << acked[w].size()
                          << " acknowledged events lost in round " << round << "\n"
                          << d.Log();
    }
    ASSERT_TRUE(d.Stop());
  }
}

}  // namespace
}  // namespace nanotdb::itest
