#include <map>

#include "probes.h"
#include "proc_parsers.h"

namespace nanotdb::drip {
namespace {

constexpr const char* kNetFields[8] = {"rx_bytes", "rx_packets", "rx_errors", "rx_drop",
                                       "tx_bytes", "tx_packets", "tx_errors", "tx_drop"};

class NetworkProbe final : public Probe {
 public:
  NetworkProbe(const HostFs& fs, const ProbeSettings& s, LogFn log)
      : fs_(fs), skip_(s.network_skip), log_(std::move(log)) {}
  std::string_view name() const override { return "network"; }

  void Collect(const CycleTime& now, std::vector<ProbeSample>* out) override {
    Result<std::string> text = fs_.ReadFile("/proc/net/dev");
    if (!text.ok()) {
      log_.Once("read", LogLevel::kWarning, "network: " + text.status().message());
      return;
    }
    log_.Clear("read");
    size_t malformed = 0;
    std::vector<NetDevStat> ifaces = ParseNetDev(*text, &malformed);
    if (malformed > 0) {
      log_.Once("malformed", LogLevel::kWarning,
                "network: skipped " + std::to_string(malformed) + " malformed line(s) in " +
                    fs_.Path("/proc/net/dev"));
    }
    std::map<std::string, Previous> next;
    for (const NetDevStat& s : ifaces) {
      if (MatchesAnyGlob(s.name, skip_)) continue;
      const std::string prefix = "net." + SanitizeNamePart(s.name) + ".";
      for (size_t i = 0; i < 8; ++i) {
        out->push_back(FloatSample(prefix + kNetFields[i], static_cast<double>(s.fields[i])));
      }
      Previous cur{now.monotonic_ns, s.fields[0], s.fields[4]};
      auto it = previous_.find(s.name);
      if (it != previous_.end()) {
        double seconds = static_cast<double>(cur.monotonic_ns - it->second.monotonic_ns) / 1e9;
        std::optional<uint64_t> rx = CounterDelta(it->second.rx_bytes, cur.rx_bytes);
        std::optional<uint64_t> tx = CounterDelta(it->second.tx_bytes, cur.tx_bytes);
        if (seconds > 0 && rx && tx) {
          out->push_back(
              FloatSample(prefix + "rx_kbps", static_cast<double>(*rx) / 1024 / seconds));
          out->push_back(
              FloatSample(prefix + "tx_kbps", static_cast<double>(*tx) / 1024 / seconds));
        }
      }
      next.emplace(s.name, cur);
    }
    previous_ = std::move(next);
  }

 private:
  struct Previous {
    int64_t monotonic_ns;
    uint64_t rx_bytes, tx_bytes;
  };
  const HostFs& fs_;
  std::vector<std::string> skip_;
  ProbeLog log_;
  std::map<std::string, Previous> previous_;
};

}  // namespace

std::unique_ptr<Probe> MakeNetworkProbe(const HostFs& fs, const ProbeSettings& s, LogFn log) {
  return std::make_unique<NetworkProbe>(fs, s, std::move(log));
}

}  // namespace nanotdb::drip
