#include "bench/workload.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <numbers>

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
