#include "bench/workload.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numbers>
#include <tuple>

namespace nanotdb::bench {
namespace {

constexpr int kCores = 4;
constexpr int kTicksPerCore = 1000;  // 100 Hz kernel ticks over 10 s
constexpr int kHostMetrics = 84;

// The workload's values are what a host agent prints: gauges with the ~7 significant digits of
// a float32 (as text, the shortest decimal of the float32 nearest to v) and 32-bit counters
// that wrap, so its line protocol is the same text as when NanoTDB stored 4-byte values.
uint64_t F(double v) { return std::bit_cast<uint64_t>(WidenFloat32(static_cast<float>(v))); }
uint64_t I(int64_t v) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
}
double Round(double v, double step) { return std::round(v / step) * step; }

}  // namespace

// Machine-wide state shared by the metrics of one cycle. Only std::mt19937_64 (whose output
// the standard fixes) and hand-written distributions are used, so runs are reproducible.
struct Workload::Host {
  explicit Host(uint64_t seed) : rng(seed) {}

  double Uniform() { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
  double Normal() {  // Box-Muller
    const double u = 1.0 - Uniform(), v = Uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2 * std::numbers::pi * v);
  }
  int Poisson(double mean) {  // Knuth for small means, a rounded normal beyond
    if (mean > 30)
      return std::max(0, static_cast<int>(std::lround(mean + std::sqrt(mean) * Normal())));
    const double limit = std::exp(-mean);
    int k = 0;
    for (double p = Uniform(); p > limit; p *= Uniform()) ++k;
    return k;
  }
  bool Chance(double p) { return Uniform() < p; }

  void Advance(double seconds_of_day) {
    // Busy in the evening, quiet at night, with a cron burst every 15 minutes.
    diurnal = 0.5 + 0.5 * std::sin(2 * std::numbers::pi * (seconds_of_day / 86400.0 - 0.4));
    const bool cron = std::fmod(seconds_of_day, 900.0) < 30.0;
    busy_total = 0;
    for (int c = 0; c < kCores; ++c) {
      auto& t = ticks[c];
      const double load = 40 + 120 * diurnal + (cron ? 300 : 0);
      t[kUser] = std::clamp<int>(std::lround(load * (0.8 + 0.4 * Uniform()) + 15 * Normal()), 0,
                                 kTicksPerCore);
      t[kSystem] = std::clamp<int>(std::lround(t[kUser] * 0.3 + 6 * Normal()), 0, 300);
      t[kIowait] = Chance(0.2) ? Poisson(8) : 0;
      t[kIrq] = Poisson(0.5);
      t[kSoftirq] = Poisson(3);
      t[kNice] = Chance(0.05) ? Poisson(20) : 0;
      t[kSteal] = 0;
      int used = 0;
      for (int s = 0; s < kIdle; ++s) used += t[s];
      if (used > kTicksPerCore) {
        t[kUser] -= used - kTicksPerCore;
        used = kTicksPerCore;
      }
      t[kIdle] = kTicksPerCore - used;
      busy_total += used;
    }
    runnable = busy_total / double(kTicksPerCore) + (Chance(0.3) ? Poisson(1) : 0);
  }

  enum State { kUser, kSystem, kIowait, kIrq, kSoftirq, kNice, kSteal, kIdle, kStates };
  std::mt19937_64 rng;
  double diurnal = 0;
  std::array<std::array<int, kStates>, kCores> ticks{};
  int busy_total = 0;
  double runnable = 0;
};

Workload::~Workload() = default;

Workload::Workload(const WorkloadOptions& opts)
    : opts_(opts), host_(std::make_unique<Host>(opts.seed)) {
  cycles_ = static_cast<uint64_t>(opts.days) * 86400 * kNanosPerSecond / opts.interval;
  if (opts.profile == WorkloadProfile::kDrip) {
    AddDripMetrics();
    if (opts.metrics < static_cast<int>(metrics_.size())) {
      metrics_.resize(std::max(opts.metrics, 0));
      gens_.resize(metrics_.size());
    }
    return;
  }
  Host& h = *host_;
  auto add = [&](std::string name, ValueType type, std::function<uint64_t()> gen) {
    metrics_.push_back({std::move(name), type});
    gens_.push_back(std::move(gen));
  };
  constexpr auto kF = ValueType::kFloat64;
  constexpr auto kI = ValueType::kInt64;

  // CPU: whole machine in 1/4000 steps (0.025 %), per core in 0.1 % steps.
  static constexpr const char* kStateNames[] = {"user",    "system", "iowait", "irq",
                                                "softirq", "nice",   "steal",  "idle"};
  for (int s = 0; s < Host::kStates; ++s) {
    add(std::string("cpu.usage_") + kStateNames[s], kF, [&h, s] {
      int sum = 0;
      for (int c = 0; c < kCores; ++c) sum += h.ticks[c][s];
      return F(sum / (kCores * 10.0));
    });
  }
  for (int c = 0; c < kCores; ++c) {
    for (int s : {Host::kUser, Host::kSystem, Host::kIdle}) {
      add("cpu" + std::to_string(c) + ".usage_" + kStateNames[s], kF,
          [&h, c, s] { return F(h.ticks[c][s] / 10.0); });
    }
  }
  // Load averages: exponentially damped runnable counts, two decimals like /proc/loadavg.
  for (auto [name, minutes] : {std::pair{"load1", 1.0}, {"load5", 5.0}, {"load15", 15.0}}) {
    add(std::string("system.") + name, kF, [&h, m = minutes, avg = 0.5]() mutable {
      const double e = std::exp(-10.0 / (60.0 * m));
      avg = avg * e + h.runnable * (1 - e);
      return F(Round(avg, 0.01));
    });
  }
  // Memory, in bytes as float32 (a 4 GiB host does not fit int32), moving in 4 KiB pages.
  struct Mem {
    double total = 4022345728, available = 2.9e9, cached = 1.6e9, buffers = 92e6, swap = 0;
  };
  auto mem = std::make_shared<Mem>();
  add("mem.total_bytes", kF, [mem] { return F(mem->total); });
  add("mem.available_bytes", kF, [&h, mem] {
    if (h.Chance(0.7)) mem->available += 4096 * std::round(60 * h.Normal());
    if (h.Chance(0.002)) mem->available -= 4096 * std::round(20000 * h.Uniform());
    mem->available = std::clamp(mem->available + 4096 * (h.Chance(0.01) ? 2000 : 0), 1.5e9, 3.6e9);
    return F(mem->available);
  });
  add("mem.free_bytes", kF, [mem] { return F(mem->available - mem->cached - mem->buffers); });
  add("mem.cached_bytes", kF, [&h, mem] {
    if (h.Chance(0.3)) mem->cached += 4096 * std::round(30 * h.Normal());
    return F(mem->cached);
  });
  add("mem.buffers_bytes", kF, [&h, mem] {
    if (h.Chance(0.1)) mem->buffers += 4096 * h.Poisson(2);
    return F(mem->buffers);
  });
  add("mem.used_bytes", kF, [mem] { return F(mem->total - mem->available); });
  add("mem.used_percent", kF,
      [mem] { return F(Round(100 * (1 - mem->available / mem->total), 0.1)); });
  add("swap.total_bytes", kF, [] { return F(1073737728); });
  add("swap.used_bytes", kF, [&h, mem] {
    if (h.Chance(0.001)) mem->swap += 4096 * h.Poisson(50);
    return F(mem->swap);
  });
  // Block devices: monotonic 32-bit counters (they wrap), bursts of journal writes.
  for (const char* dev : {"mmcblk0", "sda"}) {
    struct Disk {
      uint32_t read_bytes = 0, write_bytes = 0, reads = 0, writes = 0, io_ms = 0;
      int pending = 0;
    };
    auto d = std::make_shared<Disk>();
    const bool sda = std::string(dev) == "sda";
    const double activity = sda ? 3.0 : 1.0;
    if (sda) d->write_bytes = 1900000000;  // weeks of uptime: wraps past 2^31 today
    const std::string p = std::string("disk.") + dev + ".";
    add(p + "writes", kI, [&h, d, activity] {
      d->pending = h.Chance(0.6) ? h.Poisson(4 * activity * (0.5 + h.diurnal)) : 0;
      d->writes += d->pending;
      return I(d->writes);
    });
    add(p + "write_bytes", kI, [&h, d] {
      for (int i = 0; i < d->pending; ++i) d->write_bytes += 4096 * (1 + h.Poisson(3));
      return I(d->write_bytes);
    });
    add(p + "reads", kI, [&h, d, activity] {
      d->pending = h.Chance(0.05 * activity) ? h.Poisson(10) : 0;
      d->reads += d->pending;
      return I(d->reads);
    });
    add(p + "read_bytes", kI, [&h, d] {
      for (int i = 0; i < d->pending; ++i) d->read_bytes += 4096 * (1 + h.Poisson(7));
      return I(d->read_bytes);
    });
    add(p + "io_time_ms", kI, [&h, d] {
      d->io_ms += d->pending * 3 + (h.Chance(0.5) ? h.Poisson(6) : 0);
      return I(d->io_ms);
    });
  }
  // Root filesystem: slow growth from logs and data.
  auto used = std::make_shared<double>(11.2e9);
  constexpr double kDiskTotal = 31.3e9;
  add("disk.root.total_bytes", kF, [] { return F(kDiskTotal); });
  add("disk.root.used_bytes", kF, [&h, used] {
    if (h.Chance(0.5)) *used += 4096 * h.Poisson(6);
    return F(*used);
  });
  add("disk.root.free_bytes", kF, [used] { return F(kDiskTotal - *used); });
  add("disk.root.used_percent", kF, [used] { return F(Round(100 * *used / kDiskTotal, 0.01)); });
  add("disk.root.inodes_used", kI, [&h, n = 184233]() mutable {
    if (h.Chance(0.05)) n += h.Poisson(1) - h.Poisson(1);
    return I(n);
  });
  // Network: eth0 carries traffic, wlan0 a little, lo the local scrapes; counters wrap.
  for (auto [iface, rate] : {std::pair{"eth0", 40.0}, {"wlan0", 2.0}, {"lo", 12.0}}) {
    struct Net {
      uint32_t rx_bytes = 0, tx_bytes = 0, rx_packets = 0, tx_packets = 0;
      int rx = 0, tx = 0;
    };
    auto n = std::make_shared<Net>();
    if (std::string(iface) == "eth0") n->rx_bytes = 2120000000;  // wraps past 2^31 today
    const std::string p = std::string("net.") + iface + ".";
    add(p + "rx_packets", kI, [&h, n, r = rate] {
      n->rx = h.Poisson(r * (0.6 + 0.8 * h.diurnal));
      n->rx_packets += n->rx;
      return I(n->rx_packets);
    });
    add(p + "rx_bytes", kI, [&h, n] {
      n->rx_bytes += n->rx * 66 + 40 * h.Poisson(n->rx * 4.0);
      return I(n->rx_bytes);
    });
    add(p + "tx_packets", kI, [&h, n, r = rate] {
      n->tx = h.Poisson(r * 0.7 * (0.6 + 0.8 * h.diurnal));
      n->tx_packets += n->tx;
      return I(n->tx_packets);
    });
    add(p + "tx_bytes", kI, [&h, n] {
      n->tx_bytes += n->tx * 66 + 40 * h.Poisson(n->tx * 6.0);
      return I(n->tx_bytes);
    });
  }
  add("net.eth0.rx_errors", kI, [] { return I(0); });
  add("net.eth0.rx_dropped", kI, [&h, n = 12]() mutable {
    if (h.Chance(0.01)) ++n;
    return I(n);
  });
  add("net.eth0.tx_errors", kI, [] { return I(0); });
  add("net.eth0.tx_dropped", kI, [] { return I(0); });
  // Temperatures: the SoC sensor in millidegrees with noise, 1-wire sensors in 0.1 steps.
  add("sensors.cpu_temp_c", kF, [&h, drift = 0.0]() mutable {
    drift = 0.999 * drift + 0.05 * h.Normal();
    return F(Round(44 + 12 * h.diurnal + h.busy_total / 400.0 + drift + 0.4 * h.Normal(), 0.001));
  });
  add("sensors.ambient_c", kF, [&h, t = 21.0]() mutable {
    t += 0.01 * h.Normal() + 0.0004 * (h.diurnal - 0.5);
    return F(Round(t, 0.1));
  });
  add("sensors.outdoor_c", kF, [&h, base = 4.0]() mutable {
    base += 0.005 * h.Normal();
    return F(Round(base + 6 * h.diurnal + 0.05 * h.Normal(), 0.1));
  });
  add("sensors.humidity_percent", kF, [&h, v = 48.0]() mutable {
    v = std::clamp(v + 0.05 * h.Normal() - 0.004 * (h.diurnal - 0.5), 20.0, 90.0);
    return F(Round(v, 0.1));
  });
  // Near-constant gauges and process counts.
  add("system.uptime_s", kI, [&h, up = int64_t{1843211}, frac = 0.0]() mutable {
    frac += 10 + 0.002 * h.Normal();
    up += static_cast<int64_t>(frac);
    frac -= std::floor(frac);
    return I(up);
  });
  add("system.boot_time_s", kI, [] { return I(1765382389); });
  add("system.num_cpus", kI, [] { return I(kCores); });
  add("system.users", kI, [&h, n = 1]() mutable {
    if (h.Chance(0.0005)) n = n == 1 ? 2 : 1;
    return I(n);
  });
  add("system.entropy_avail", kI, [] { return I(256); });
  add("system.open_files", kI, [&h, n = 1184.0]() mutable {
    n = std::clamp(n + (h.Chance(0.4) ? std::round(3 * h.Normal()) : 0), 900.0, 1600.0);
    return I(static_cast<int64_t>(n));
  });
  add("processes.total", kI, [&h, n = 187.0]() mutable {
    n = std::clamp(n + (h.Chance(0.3) ? std::round(1.5 * h.Normal()) : 0), 150.0, 260.0);
    return I(static_cast<int64_t>(n));
  });
  add("processes.running", kI, [&h] { return I(1 + h.Poisson(h.runnable * 0.5)); });
  add("processes.blocked", kI, [&h] { return I(h.Chance(0.1) ? 1 : 0); });
  add("processes.zombies", kI, [] { return I(0); });
  add("processes.threads", kI, [&h, n = 412.0]() mutable {
    n = std::clamp(n + (h.Chance(0.4) ? std::round(2 * h.Normal()) : 0), 300.0, 600.0);
    return I(static_cast<int64_t>(n));
  });
  add("cpu.freq_mhz", kI, [&h] { return I(h.busy_total > 600 ? 1800 : 600); });
  add("cpu.throttled", kI, [] { return I(0); });
  // The daemon's own process.
  add("process.nanotdb.rss_bytes", kF, [&h, rss = 9.6e6]() mutable {
    if (h.Chance(0.2)) rss += 4096 * std::round(4 * h.Normal());
    return F(std::max(rss, 6e6));
  });
  add("process.nanotdb.cpu_percent", kF,
      [&h] { return F(Round(std::max(0.0, 0.3 + 0.2 * h.Normal()), 0.1)); });
  add("process.nanotdb.threads", kI, [] { return I(9); });
  add("process.nanotdb.open_fds", kI, [&h, n = 23]() mutable {
    if (h.Chance(0.02)) n += h.Chance(0.5) ? 1 : -1;
    return I(n);
  });

  // Beyond the host set: five metrics for each of as many processes as needed.
  for (int p = 0; static_cast<int>(metrics_.size()) < opts.metrics; ++p) {
    char name[32];
    std::snprintf(name, sizeof name, "process.p%03d.", p);
    const std::string base = name;
    const double weight = 0.2 + 2.0 * h.Uniform();
    auto state = std::make_shared<std::array<double, 4>>(
        std::array<double, 4>{0, 2e6 + 5e7 * h.Uniform(), 0, 0});
    std::vector<std::pair<std::string, std::function<uint64_t()>>> fields = {
        {"cpu_percent",
         [&h, weight] {
           return F(Round(std::max(0.0, weight * h.diurnal + 0.3 * h.Normal()), 0.1));
         }},
        {"rss_bytes",
         [&h, state] {
           if (h.Chance(0.1)) (*state)[1] += 4096 * std::round(8 * h.Normal());
           return F(std::max((*state)[1], 1e6));
         }},
        {"threads", [n = 1 + static_cast<int>(8 * h.Uniform())] { return I(n); }},
        {"read_bytes",
         [&h, state] {
           if (h.Chance(0.02)) (*state)[2] += 4096 * h.Poisson(5);
           return F((*state)[2]);
         }},
        {"write_bytes",
         [&h, state, weight] {
           if (h.Chance(0.1 * weight)) (*state)[3] += 4096 * h.Poisson(3);
           return F((*state)[3]);
         }},
    };
    for (auto& [field, gen] : fields) {
      if (static_cast<int>(metrics_.size()) >= opts.metrics) break;
      add(base + field, field == "threads" ? kI : kF, std::move(gen));
    }
  }
  if (opts.metrics < static_cast<int>(metrics_.size())) {
    metrics_.resize(std::max(opts.metrics, 0));
    gens_.resize(metrics_.size());
  }
  static_assert(kHostMetrics == 84);
}

// The drip collector's metrics (docs/drip.md) as a Raspberry Pi 4 with weeks of uptime posts
// them. What makes real host data noisy is kept: counters since boot are large, so their
// float32 rounding (ulp 8..256) adds noise to every step; rates and percentages are computed
// over the measured interval (10 s plus a few ms of scheduling jitter) and keep a float32's
// ~7 significant digits; /proc/meminfo moves by a few kB most cycles; the SoC sensor steps in
// 487 mdeg and the DS18B20s in 62.5 mdeg (and drop readings); the SD probe times an fsync.
void Workload::AddDripMetrics() {
  Host& h = *host_;
  auto add = [&](std::string name, ValueType type, std::function<uint64_t()> gen) {
    metrics_.push_back({std::move(name), type});
    gens_.push_back(std::move(gen));
  };
  constexpr auto kF = ValueType::kFloat64;
  constexpr auto kI = ValueType::kInt64;
  struct Cycle {
    double seconds = 10;  // measured interval since the previous collection
    std::array<uint64_t, Host::kStates> jiffies{};
    std::array<uint64_t, Host::kStates> prev{};
  };
  auto cyc = std::make_shared<Cycle>();
  // Weeks of uptime at 100 Hz on 4 cores.
  const uint64_t boot_jiffies = 1843211ull * 100 * kCores;
  const double share[Host::kStates] = {0.08, 0.002, 0.03, 0.0005, 0.004, 0.001, 0, 0};
  for (int s = 0; s < Host::kStates; ++s) {
    cyc->jiffies[s] = static_cast<uint64_t>(boot_jiffies * share[s]);
  }
  cyc->jiffies[Host::kIdle] = boot_jiffies - boot_jiffies / 8;
  static constexpr const char* kStateNames[] = {"user",    "system", "iowait", "irq",
                                                "softirq", "nice",   "steal",  "idle"};
  // cpu.* in /proc/stat order; the first one starts the cycle.
  for (int s : {Host::kUser, Host::kNice, Host::kSystem, Host::kIdle, Host::kIowait, Host::kIrq,
                Host::kSoftirq, Host::kSteal}) {
    add(std::string("cpu.") + kStateNames[s], kF, [&h, cyc, s] {
      if (s == Host::kUser) {
        cyc->seconds = 10 + 0.002 * h.Normal() + (h.Chance(0.02) ? 0.05 * h.Uniform() : 0);
        cyc->prev = cyc->jiffies;
        for (int k = 0; k < Host::kStates; ++k) {
          int sum = 0;
          for (int c = 0; c < kCores; ++c) sum += h.ticks[c][k];
          // ticks are per 1/1000 of 10 s; real states wander more than the host model's
          cyc->jiffies[k] +=
              static_cast<uint64_t>(sum / 10) + (k == Host::kIdle ? 0 : h.Poisson(60));
        }
      }
      return F(static_cast<double>(cyc->jiffies[s]));
    });
  }
  add("cpu.busy_pct", kF, [cyc] {
    uint64_t total = 0, idle = 0;
    for (int k = 0; k < Host::kStates; ++k) total += cyc->jiffies[k] - cyc->prev[k];
    idle = cyc->jiffies[Host::kIdle] - cyc->prev[Host::kIdle] + cyc->jiffies[Host::kIowait] -
           cyc->prev[Host::kIowait];
    return F(total == 0 ? 0.0 : 100.0 * static_cast<double>(total - idle) / total);
  });
  add("cpu.temp_mdeg", kI, [&h, drift = 0.0]() mutable {
    drift = 0.998 * drift + 0.08 * h.Normal();
    const double c = 46 + 10 * h.diurnal + h.busy_total / 300.0 + drift + 1.5 * h.Normal();
    return I(static_cast<int64_t>(std::lround(c / 0.487)) * 487);
  });
  add("cpu.freq_khz", kI, [&h] { return I(h.busy_total > 700 ? 1500000 : 600000); });
  // /proc/meminfo, kB.
  struct Mem {
    int64_t total = 3884360, free = 1210000, available = 2830000, buffers = 91000, cached = 1480000,
            swapcached = 1200, swapfree = 98000;
  };
  auto mem = std::make_shared<Mem>();
  add("mem.total", kI, [mem] { return I(mem->total); });
  add("mem.free", kI, [&h, mem] {
    mem->free += static_cast<int64_t>(std::lround(2500 * h.Normal())) +
                 (h.Chance(0.003) ? -static_cast<int64_t>(40000 * h.Uniform()) : 0);
    mem->free = std::clamp<int64_t>(mem->free, 400000, 2000000);
    return I(mem->free);
  });
  add("mem.available", kI, [&h, mem] {
    mem->available = mem->free + mem->cached / 2 + static_cast<int64_t>(2500 * h.Normal());
    return I(mem->available);
  });
  add("mem.buffers", kI, [&h, mem] {
    if (h.Chance(0.6)) mem->buffers += 4 * (h.Poisson(6) - h.Poisson(5));
    return I(mem->buffers);
  });
  add("mem.cached", kI, [&h, mem] {
    if (h.Chance(0.8)) mem->cached += 4 * static_cast<int64_t>(std::lround(250 * h.Normal()));
    return I(mem->cached);
  });
  add("mem.swapcached", kI, [&h, mem] {
    if (h.Chance(0.01)) mem->swapcached += 4 * (h.Poisson(1) - h.Poisson(1));
    return I(mem->swapcached);
  });
  add("mem.swaptotal", kI, [] { return I(102396); });
  add("mem.swapfree", kI, [&h, mem] {
    if (h.Chance(0.005)) mem->swapfree -= 4 * h.Poisson(3);
    return I(mem->swapfree);
  });
  // /proc/loadavg.
  auto load = std::make_shared<std::array<double, 3>>(std::array<double, 3>{0.4, 0.5, 0.5});
  int index = 0;
  for (double minutes : {1.0, 5.0, 15.0}) {
    add(std::string("sys.load") + std::to_string(static_cast<int>(minutes)), kF,
        [&h, load, index, minutes] {
          const double e = std::exp(-10.0 / (60.0 * minutes));
          (*load)[index] = (*load)[index] * e + h.runnable * (1 - e);
          return F(Round((*load)[index], 0.01));
        });
    ++index;
  }
  add("sys.procs_running", kI, [&h] { return I(1 + h.Poisson(h.runnable * 0.5)); });
  add("sys.procs_total", kI, [&h, n = 231.0]() mutable {
    n = std::clamp(n + std::round(4 * h.Normal()), 180.0, 320.0);
    return I(static_cast<int64_t>(n));
  });
  add("sys.uptime_sec", kI, [cyc, up = 1843211.0]() mutable {
    up += cyc->seconds;
    return I(static_cast<int64_t>(up));
  });
  // /proc/diskstats of the SD card: counters since boot (floats), in-flight, rates.
  struct Disk {
    uint64_t f[10] = {2184431, 48821,     151288820, 1921880,  11874220,
                      9612044, 398822112, 88122011,  61231880, 152200013};
    uint64_t d[10] = {};
    int in_flight = 0;
  };
  auto disk = std::make_shared<Disk>();
  static constexpr const char* kDiskFields[] = {
      "reads",         "reads_merged",  "read_sectors", "read_ms", "writes",
      "writes_merged", "write_sectors", "write_ms",     "io_ms",   "io_weighted_ms"};
  for (int i = 0; i < 10; ++i) {
    add(std::string("disk.mmcblk0.") + kDiskFields[i], kF, [&h, disk, i] {
      if (i == 0) {
        Disk& k = *disk;
        const int reads = h.Chance(0.4) ? h.Poisson(10 * std::exp(h.Normal())) : 0;
        const int writes =
            h.Chance(0.9) ? h.Poisson(40 * (0.5 + h.diurnal) * std::exp(0.8 * h.Normal())) : 0;
        k.d[0] = reads;
        k.d[1] = reads > 0 ? h.Poisson(reads * 0.3) : 0;
        k.d[2] = reads > 0 ? 8 * (reads + h.Poisson(reads * 6.0)) : 0;
        k.d[3] = reads > 0 ? h.Poisson(reads * 1.5) : 0;
        k.d[4] = writes;
        k.d[5] = writes > 0 ? h.Poisson(writes * 0.8) : 0;
        k.d[6] = writes > 0 ? 8 * (writes + h.Poisson(writes * 3.0)) : 0;
        k.d[7] = writes > 0 ? h.Poisson(writes * 4.0) : 0;
        k.d[8] = std::min<uint64_t>(10000, k.d[3] + k.d[7] / 2 + h.Poisson(20));
        k.d[9] = k.d[3] + k.d[7] + h.Poisson(40);
        for (int j = 0; j < 10; ++j) k.f[j] += k.d[j];
        k.in_flight = h.Chance(0.03) ? 1 : 0;
      }
      return F(static_cast<double>(disk->f[i]));
    });
  }
  add("disk.mmcblk0.io_in_progress", kI, [disk] { return I(disk->in_flight); });
  add("disk.mmcblk0.busy_pct", kF, [disk, cyc] {
    return F(std::min(100.0, static_cast<double>(disk->d[8]) / (cyc->seconds * 10.0)));
  });
  add("disk.mmcblk0.iops", kF,
      [disk, cyc] { return F(static_cast<double>(disk->d[0] + disk->d[4]) / cyc->seconds); });
  add("disk.mmcblk0.read_kbps", kF,
      [disk, cyc] { return F(static_cast<double>(disk->d[2]) * 512 / 1024 / cyc->seconds); });
  add("disk.mmcblk0.write_kbps", kF,
      [disk, cyc] { return F(static_cast<double>(disk->d[6]) * 512 / 1024 / cyc->seconds); });
  // statvfs of / and /boot/firmware.
  struct Fs {
    double total, used, reserved;
  };
  for (auto [mount, total, used, growth] : {std::tuple{"root", 31045632000.0, 11236421632.0, 0.95},
                                            {"boot_firmware", 535805952.0, 66715648.0, 0.0}}) {
    auto fs = std::make_shared<Fs>(Fs{total, used, total * 0.05});
    const std::string p = std::string("diskfs.") + mount + ".";
    add(p + "bytes_total", kF, [fs] { return F(fs->total); });
    add(p + "bytes_used", kF, [&h, fs, growth = growth] {
      if (growth > 0 && h.Chance(growth)) fs->used += 4096.0 * (h.Poisson(40) - h.Poisson(30));
      return F(fs->used);
    });
    add(p + "bytes_free", kF, [fs] { return F(fs->total - fs->used); });
    add(p + "bytes_avail", kF, [fs] { return F(fs->total - fs->used - fs->reserved); });
    add(p + "used_pct", kF,
        [fs] { return F(100.0 * fs->used / (fs->used + (fs->total - fs->used - fs->reserved))); });
  }
  // /proc/vmstat paging counters.
  auto vm = std::make_shared<std::array<uint64_t, 4>>(
      std::array<uint64_t, 4>{75644410, 199411056, 1288, 4210});
  static constexpr const char* kVmFields[] = {"pgpgin", "pgpgout", "pswpin", "pswpout"};
  for (int i = 0; i < 4; ++i) {
    add(std::string("io.") + kVmFields[i], kF, [&h, vm, disk, i] {
      if (i == 0) (*vm)[0] += disk->d[2] / 2;
      if (i == 1) (*vm)[1] += disk->d[6] / 2 + h.Poisson(2);
      if (i == 2 && h.Chance(0.002)) (*vm)[2] += h.Poisson(4);
      if (i == 3 && h.Chance(0.003)) (*vm)[3] += h.Poisson(4);
      return F(static_cast<double>((*vm)[i]));
    });
  }
  // /proc/net/dev: eth0 carries the traffic, wlan0 a trickle.
  for (auto [iface, rate] : {std::pair{"eth0", 400.0}, {"wlan0", 25.0}}) {
    struct Net {
      uint64_t f[8];
      uint64_t drx = 0, dtx = 0;
    };
    auto n = std::make_shared<Net>();
    const bool eth = std::string(iface) == "eth0";
    *n = Net{{eth ? 48201100512ull : 611202030ull, eth ? 61200331ull : 1200412ull, 0,
              eth ? 2210ull : 88ull, eth ? 9120044102ull : 90221144ull,
              eth ? 33100221ull : 800233ull, 0, 0},
             0,
             0};
    static constexpr const char* kNetFields[] = {"rx_bytes", "rx_packets", "rx_errors", "rx_drop",
                                                 "tx_bytes", "tx_packets", "tx_errors", "tx_drop"};
    const std::string p = std::string("net.") + iface + ".";
    for (int i = 0; i < 8; ++i) {
      add(p + kNetFields[i], kF, [&h, n, i, r = rate] {
        if (i == 0) {
          // Traffic comes in bursts: a log-normal factor on the mean.
          const double burst = (0.4 + 1.2 * h.diurnal) * std::exp(1.0 * h.Normal());
          const int rx = h.Poisson(r * 10 * burst);
          const int tx = h.Poisson(r * 7 * burst * std::exp(0.5 * h.Normal()));
          n->drx = static_cast<uint64_t>(rx) * 66 + 60 * h.Poisson(rx * 5.0);
          n->dtx = static_cast<uint64_t>(tx) * 66 + 60 * h.Poisson(tx * 8.0);
          n->f[0] += n->drx;
          n->f[1] += rx;
          n->f[4] += n->dtx;
          n->f[5] += tx;
          if (h.Chance(0.004)) ++n->f[3];
        }
        return F(static_cast<double>(n->f[i]));
      });
    }
    add(p + "rx_kbps", kF,
        [n, cyc] { return F(static_cast<double>(n->drx) / 1024 / cyc->seconds); });
    add(p + "tx_kbps", kF,
        [n, cyc] { return F(static_cast<double>(n->dtx) / 1024 / cyc->seconds); });
  }
  // The process probe for nanotdb itself.
  auto proc = std::make_shared<std::array<double, 2>>(std::array<double, 2>{10240000, 61440000});
  add("proc.nanotdb.count", kI, [] { return I(1); });
  add("proc.nanotdb.rss_bytes", kF, [&h, proc] {
    if (h.Chance(0.6)) (*proc)[0] += 4096 * std::round(6 * h.Normal());
    return F((*proc)[0]);
  });
  add("proc.nanotdb.vsize_bytes", kF, [&h, proc] {
    if (h.Chance(0.01)) (*proc)[1] += 4096 * std::round(64 * h.Normal());
    return F((*proc)[1]);
  });
  add("proc.nanotdb.cpu_pct", kF, [&h, cyc] {
    const int ticks = h.Poisson(3 + 4 * h.diurnal);  // 10 ms each
    return F(100.0 * ticks * 0.01 / cyc->seconds);
  });
  // DS18B20 sensors (62.5 mdeg steps; a dropped reading repeats nothing: it is counted).
  auto dropped = std::make_shared<int64_t>(0);
  for (auto [name, base, swing] : {std::tuple{"garden", 8.0, 6.0},
                                   {"room", 21.5, 1.0},
                                   {"attic", 14.0, 9.0},
                                   {"shed", 10.0, 5.0}}) {
    add(std::string("temp.") + name + ".mdeg", kI,
        [&h, dropped, t = base, base = base, swing = swing]() mutable {
          t += 0.02 * h.Normal() + 0.01 * (base + swing * (h.diurnal - 0.5) - t);
          if (h.Chance(0.0005)) ++*dropped;
          const double read = t + 0.5 * h.Normal();
          return I(static_cast<int64_t>(std::lround(read / 0.0625)) * 625 / 10);
        });
  }
  add("onewire.dropped", kI, [dropped] { return I(*dropped); });
  add("disk.sd_write_probe_ms", kF, [&h] {
    const double ms = 3.2 + 1.5 * std::abs(h.Normal()) + (h.Chance(0.05) ? 20 * h.Uniform() : 0);
    return F(ms);
  });
}

bool Workload::Next(Timestamp* ts, std::vector<uint64_t>* values) {
  if (cycle_ >= cycles_) return false;
  Host& h = *host_;
  const Timestamp nominal = opts_.start + static_cast<Timestamp>(cycle_) * opts_.interval;
  // The collector wakes a few ms late; the stamp is taken once for the whole cycle.
  *ts = nominal + static_cast<Timestamp>(h.Uniform() * 4e6) + h.Poisson(1.0) * 1000000;
  const double seconds_of_day =
      static_cast<double>(((nominal % (86400 * kNanosPerSecond)) + 86400 * kNanosPerSecond) %
                          (86400 * kNanosPerSecond)) /
      kNanosPerSecond;
  h.Advance(seconds_of_day);
  values->resize(gens_.size());
  for (size_t i = 0; i < gens_.size(); ++i) (*values)[i] = gens_[i]();
  ++cycle_;
  return true;
}

std::vector<std::vector<Sample>> GenerateColumns(const WorkloadOptions& opts,
                                                 std::vector<WorkloadMetric>* metrics) {
  Workload w(opts);
  *metrics = w.metrics();
  std::vector<std::vector<Sample>> cols(metrics->size());
  for (auto& c : cols) c.reserve(w.cycles());
  Timestamp ts;
  std::vector<uint64_t> values;
  while (w.Next(&ts, &values)) {
    for (size_t i = 0; i < cols.size(); ++i) cols[i].push_back(Sample{ts, values[i]});
  }
  return cols;
}

}  // namespace nanotdb::bench
