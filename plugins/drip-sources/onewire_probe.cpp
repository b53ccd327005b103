#include <set>

#include "probes.h"
#include "proc_parsers.h"

namespace nanotdb::drip {
namespace {

// A DS18B20 answers 85.000 °C when it was read before its first conversion (power-on reset).
constexpr int32_t kPowerOnMdeg = 85000;
constexpr int32_t kMinValidMdeg = -55000;  // the sensor's lower limit

class OnewireProbe final : public Probe {
 public:
  OnewireProbe(const HostFs& fs, const ProbeSettings& s, LogFn log)
      : fs_(fs),
        path_(s.onewire_path),
        auto_discover_(s.onewire_auto_discover),
        max_valid_mdeg_(s.onewire_max_valid_mdeg),
        names_(s.onewire_names),
        log_(std::move(log)) {}
  std::string_view name() const override { return "onewire"; }

  void Collect(const CycleTime&, std::vector<ProbeSample>* out) override {
    if (!fs_.Exists(path_)) {
      log_.Once("bus", LogLevel::kWarning,
                "onewire: no 1-wire bus at " + fs_.Path(path_) +
                    " (load the w1-gpio overlay, or set onewire = false)");
      return;
    }
    log_.Clear("bus");
    std::set<std::string> devices;
    for (const auto& [id, unused] : names_) devices.insert(id);
    if (auto_discover_) {
      for (const std::string& entry : fs_.ListDir(path_)) {
        if (entry.starts_with("28-")) devices.insert(entry);
      }
    }
    for (const std::string& id : devices) Read(id, out);
    out->push_back(IntSample("onewire.dropped", dropped_));
  }

 private:
  // Logs once per sensor and kind of failure (`kind`), however often it repeats.
  void Drop(const std::string& id, const char* kind, const std::string& reason) {
    ++dropped_;
    log_.Once(id + ":" + kind, LogLevel::kWarning,
              "onewire: " + id + ": reading dropped: " + reason +
                  " (further drops are counted in onewire.dropped)");
  }

  void Read(const std::string& id, std::vector<ProbeSample>* out) {
    Result<std::string> text = fs_.ReadFile(path_ + "/" + id + "/w1_slave", 4096);
    if (!text.ok()) {
      Drop(id, "read", text.status().message());
      return;
    }
    int32_t mdeg = 0;
    switch (ParseW1Slave(*text, &mdeg)) {
      case W1Read::kCrcError:
        Drop(id, "crc", "CRC check failed (NO)");
        return;
      case W1Read::kMalformed:
        Drop(id, "text", text->empty() ? "empty read" : "unreadable w1_slave text");
        return;
      case W1Read::kOk:
        break;
    }
    if (mdeg == kPowerOnMdeg) {
      Drop(id, "power-on", "power-on value 85.000");
      return;
    }
    if (mdeg > max_valid_mdeg_ || mdeg < kMinValidMdeg) {
      Drop(id, "range", "out of range " + std::to_string(mdeg) + " mdeg");
      return;
    }
    auto it = names_.find(id);
    const std::string name = it != names_.end() ? it->second : SanitizeNamePart(id);
    out->push_back(IntSample("temp." + name + ".mdeg", mdeg));
  }

  const HostFs& fs_;
  std::string path_;
  bool auto_discover_;
  int64_t max_valid_mdeg_;
  std::map<std::string, std::string> names_;
  ProbeLog log_;
  int64_t dropped_ = 0;
};

}  // namespace

std::unique_ptr<Probe> MakeOnewireProbe(const HostFs& fs, const ProbeSettings& s, LogFn log) {
  return std::make_unique<OnewireProbe>(fs, s, std::move(log));
}

}  // namespace nanotdb::drip
