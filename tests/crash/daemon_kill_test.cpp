// kill -9 loops against the real nanotdb daemon with fsync_policy = "always": every sample of
// every 2xx answer must be there after a restart, whatever its age (samples older than the
// manifest's wal.skip_before included) and however many clients write at once.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/integration/daemon.h"

namespace nanotdb::itest {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr int64_t kNanos = 1'000'000'000;
constexpr int64_t kMillis = 1'000'000;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The int values of `target` stored in [from, to], in time order.
std::vector<int64_t> StoredValues(const Daemon& d, const std::string& target, int64_t from,
                                  int64_t to) {
  HttpResult r = d.Get("/api/v1/query_range", {{"query", target},
                                               {"start", std::to_string(from)},
                                               {"end", std::to_string(to)},
                                               {"timestamp_unit", "ns"}});
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<int64_t> out;
  try {
    Object::Ptr json = Poco::JSON::Parser().parse(r.body).extract<Object::Ptr>();
    Array::Ptr result = json->getObject("data")->getArray("result");
    if (result->size() == 0) return out;
    Array::Ptr values = result->getObject(0)->getArray("values");
    for (size_t i = 0; i < values->size(); ++i) {
      out.push_back(std::stoll(values->getArray(static_cast<unsigned>(i))->get(1).toString()));
    }
  } catch (const Poco::Exception& e) {
    ADD_FAILURE() << "bad query answer (" << e.displayText() << "): " << r.body;
  }
  return out;
}

// `writers` clients post 20-sample batches of their own metric crash/w<i> (values 1, 2, 3, ...
// at base + value ms) until the daemon is killed; after each of `rounds` kills the daemon is
// restarted and every acknowledged value must be stored, none that was never sent.
void KillLoop(int writers, int64_t age, int rounds) {
  Daemon d;
  d.Configure("wal", "fsync_policy", "\"always\"");
  const int64_t base = NowNs() - age;
  std::vector<int64_t> next(writers, 1);
  std::vector<std::vector<int64_t>> acked(writers);
  for (int round = 0; round < rounds; ++round) {
    ASSERT_TRUE(d.Start());
    std::atomic<bool> stop{false};
    // Batches acknowledged in this round, per writer: the kill waits for one each, so a slow
    // (loaded) machine cannot kill before a writer got its first answer.
    std::vector<std::atomic<int>> round_acks(writers);
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&, w] {
        const std::string metric = "crash/w" + std::to_string(w) + " ";
        while (!stop) {
          std::string lines;
          std::vector<int64_t> batch;
          for (int i = 0; i < 20; ++i, ++next[w]) {
            lines += metric + std::to_string(next[w]) + "i " +
                     std::to_string(base + next[w] * kMillis) + "\n";
            batch.push_back(next[w]);
          }
          HttpResult r = d.Post("/api/v1/import", lines, "text/plain");
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
    for (int w = 0; w < writers; ++w) {
      const std::string target = "crash/w" + std::to_string(w);
      ASSERT_FALSE(acked[w].empty()) << target << ": no batch acknowledged before the kill";
      std::vector<int64_t> stored = StoredValues(d, target, base, base + 3600 * kNanos);
      for (size_t i = 1; i < stored.size(); ++i) {
        ASSERT_LT(stored[i - 1], stored[i]) << target << ": values out of order at " << i;
      }
      ASSERT_FALSE(stored.empty()) << target;
      ASSERT_LT(stored.back(), next[w]) << target << ": a value that was never sent";
      size_t lost = 0;
      for (int64_t v : acked[w]) lost += !std::binary_search(stored.begin(), stored.end(), v);
      ASSERT_EQ(lost, 0u) << target << ": " << lost << " of " << acked[w].size()
                          << " acknowledged samples lost in round " << round << "\n"
                          << d.Log();
    }
    ASSERT_TRUE(d.Stop());
  }
}

// Three hours old: older than the default wal.skip_before (1h), which under "always" must not
// let them bypass the WAL.
TEST(DaemonKillTest, AlwaysKeepsEveryAcknowledgedSampleOlderThanSkipBefore) {
  KillLoop(1, 3 * 3600 * kNanos, 3);
}

TEST(DaemonKillTest, AlwaysKeepsEveryAcknowledgedSampleOfFourConcurrentWriters) {
  KillLoop(4, 60 * kNanos, 3);
}

}  // namespace
}  // namespace nanotdb::itest
