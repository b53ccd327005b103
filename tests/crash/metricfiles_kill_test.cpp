// kill -9 while the daemon rewrites sealed partitions into metric files (build_on_seal, on by
// default, with raw_ingest_action = "delete", the one that removes raw data): after every kill
// the restarted daemon answers every sample of the sealed days exactly once and in order, and
// acknowledged live samples written meanwhile survive; in the end every sealed day is held by
// its metric file alone.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/daemon.h"

namespace nanotdb::itest {
namespace {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr int64_t kNanos = 1'000'000'000;
constexpr int64_t kDay = 86400 * kNanos;
constexpr int kSeries = 24;
constexpr int kDays = 4;
constexpr int64_t kStep = 30 * kNanos;
constexpr int kPerDay = static_cast<int>(kDay / kStep);

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sample i of series k: a value naming both, so a sample lost, doubled or moved shows.
int64_t Value(int k, int i) { return int64_t{k} * 1'000'000 + i; }

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

// Names and sizes of the files in a database directory.
std::map<std::string, uintmax_t> Listing(const fs::path& dir) {
  std::map<std::string, uintmax_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::error_code size_ec;
    const uintmax_t size = e.is_regular_file(size_ec) ? e.file_size(size_ec) : 0;
    out[e.path().filename().string()] = size_ec ? 0 : size;
  }
  return out;
}

std::string Names(const std::map<std::string, uintmax_t>& listing) {
  std::string out;
  for (const auto& [name, size] : listing) out += " " + name;
  return out;
}

TEST(MetricFilesKillTest, KillNineDuringBuildOnSealLosesAndDoublesNothing) {
  Daemon d;
  d.Configure("wal", "fsync_policy", "\"always\"");
  d.Configure("plugins.metricfiles", "raw_ingest_action", "\"delete\"");
  d.Configure("plugins.metricfiles", "check_interval", "\"1s\"");
  // Three whole days, ending at least two days before now: sealed whatever the time.
  const int64_t first_day = (NowNs() / kDay - kDays - 2) * kDay;
  {
    std::ofstream lp(d.root() + "/old.lp");
    for (int k = 0; k < kSeries; ++k) {
      for (int i = 0; i < kDays * kPerDay; ++i) {
        lp << "sealed/s" << k << " " << Value(k, i) << "i " << (first_day + i * kStep) << "\n";
      }
    }
  }
  auto [code, out] =
      RunCommand({NANOCLI_BIN, "import", "--root", d.root(), "--in", d.root() + "/old.lp"});
  ASSERT_EQ(code, 0) << out;
  const fs::path dir = fs::path(d.root()) / "sealed";
  std::vector<std::string> days;
  for (const auto& [name, size] : Listing(dir)) {
    if (name.starts_with("data-") && name.ends_with(".dat")) days.push_back(name.substr(5, 10));
  }
  ASSERT_EQ(days.size(), static_cast<size_t>(kDays)) << Names(Listing(dir));

  // The sealed series as nanocli export writes them (offline: data files, metric files, WAL).
  auto exported = [&] {
    const std::string file = d.root() + "/sealed.lp";
    auto [rc, text] =
        RunCommand({NANOCLI_BIN, "export", "--root", d.root(), "--db", "sealed", "--out", file});
    EXPECT_EQ(rc, 0) << text;
    std::ifstream in(file);
    std::string out;
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("sealed/s")) out += line + "\n";  // not the live series
    }
    return out;
  };
  const std::string expected = exported();
  ASSERT_EQ(std::count(expected.begin(), expected.end(), '\n'), kSeries * kDays * kPerDay);

  auto check_sealed = [&](int round, int every) {
    for (int k = 0; k < kSeries; k += every) {
      const std::string target = "sealed/s" + std::to_string(k);
      std::vector<int64_t> stored =
          StoredValues(d, target, first_day, first_day + kDays * kDay - 1);
      ASSERT_EQ(stored.size(), static_cast<size_t>(kDays * kPerDay))
          << target << " after kill " << round << ", files:" << Names(Listing(dir)) << "\n"
          << d.Log();
      for (int i = 0; i < kDays * kPerDay; ++i) {
        ASSERT_EQ(stored[i], Value(k, i))
            << target << " sample " << i << " after kill " << round << "\n"
            << d.Log();
      }
    }
  };

  // Live samples (fsync "always"), acknowledged ones must all come back.
  const int64_t live_base = NowNs() - 60 * kNanos;
  int64_t next_live = 1;
  std::vector<int64_t> acked;
  auto check_live = [&] {
    std::vector<int64_t> stored =
        StoredValues(d, "sealed/live", live_base, live_base + 3600 * kNanos);
    std::set<int64_t> live_set(stored.begin(), stored.end());
    ASSERT_EQ(live_set.size(), stored.size()) << "a live sample stored twice";
    for (int64_t v : acked) ASSERT_TRUE(live_set.count(v)) << "live sample " << v << " lost";
  };
  // A step the builder took since `before`: a file appeared (a temporary metric file, a
  // metric file renamed into place) or went (a temporary renamed, a data file deleted).
  auto changed_since = [&](const std::map<std::string, uintmax_t>& before) {
    const auto now = Listing(dir);
    for (const auto& [name, size] : now) {
      if (!name.ends_with(".wal") && before.count(name) == 0) return true;
    }
    for (const auto& [name, size] : before) {
      if (!name.ends_with(".wal") && now.count(name) == 0) return true;
    }
    return false;
  };
  // The pid of this test's daemon, from the root's lock file (0 until it holds the lock).
  auto daemon_pid = [&]() -> pid_t {
    std::ifstream lock(d.root() + "/.lock");
    long pid = 0;
    if (!(lock >> pid) || pid <= 0) return 0;
    std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    return args.find(d.config_path()) != std::string::npos ? static_cast<pid_t>(pid) : 0;
  };
  // Every sealed day in its metric file alone.
  auto all_built = [&] {
    const auto now = Listing(dir);
    for (const std::string& day : days) {
      if (now.count("data-" + day + ".dat") != 0 || now.count("metric-" + day + ".ntm") == 0) {
        return false;
      }
    }
    return true;
  };
  int kills_mid_build = 0;
  for (int round = 0; round < 40; ++round) {
    // The builder starts with the daemon, so the kill may come before it serves: a thread
    // watches the directory and kills at the builder's first step.
    const std::map<std::string, uintmax_t> before = Listing(dir);
    std::atomic<bool> killed{false}, give_up{false};
    std::thread killer([&] {
      while (!give_up && !changed_since(before)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      while (!give_up) {
        if (const pid_t pid = daemon_pid(); pid > 0) {
          ::kill(pid, SIGKILL);
          killed = true;
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
    const bool started = d.Start();  // false when killed while starting
    std::atomic<bool> stop{false};
    std::thread live([&] {
      while (started && !stop) {
        std::string lines;
        std::vector<int64_t> batch;
        for (int i = 0; i < 10; ++i, ++next_live) {
          lines += "sealed/live " + std::to_string(next_live) + "i " +
                   std::to_string(live_base + next_live * 1'000'000) + "\n";
          batch.push_back(next_live);
        }
        if (d.Post("/api/v1/import", lines, "text/plain").status != 200) break;
        acked.insert(acked.end(), batch.begin(), batch.end());
      }
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!killed && !all_built() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    give_up = true;
    killer.join();
    stop = true;
    live.join();
    d.Kill();  // reaps the killed daemon, or kills one that had nothing left to build
    if (!killed) break;
    ++kills_mid_build;
    std::cout << "kill " << round << (started ? "" : " (while starting)") << " with"
              << Names(Listing(dir)) << "\n";
    // On disk after the kill: every sealed sample exactly once.
    ASSERT_EQ(exported(), expected) << "after kill " << round << ", files:" << Names(Listing(dir));
    // The daemon answers from what the kill left, the builder held off meanwhile.
    d.Configure("plugins.metricfiles", "build_on_seal", "false");
    const std::map<std::string, uintmax_t> held = Listing(dir);
    ASSERT_TRUE(d.Start());
    check_sealed(round, 5);
    check_live();
    d.Kill();
    EXPECT_FALSE(changed_since(held)) << "built with build_on_seal = false:" << Names(Listing(dir));
    d.Configure("plugins.metricfiles", "build_on_seal", "true");
  }
  EXPECT_GE(kills_mid_build, 1);

  // Let the builder finish, then: only metric files hold the sealed days, and they answer.
  ASSERT_TRUE(d.Start());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!all_built() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(all_built()) << Names(Listing(dir)) << "\n" << d.Log();
  check_sealed(-1, 1);
  check_live();
  ASSERT_TRUE(d.Stop());
  EXPECT_EQ(exported(), expected);
}

}  // namespace
}  // namespace nanotdb::itest
