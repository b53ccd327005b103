#include "proc_parsers.h"

#include <charconv>

namespace nanotdb::drip {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Splits one line into blank-separated fields.
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsBlank(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !IsBlank(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// Calls fn(line) for each line (without the '\n').
template <typename Fn>
void ForEachLine(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

template <typename T>
bool ToNumber(std::string_view s, T* out) {
  if (s.empty()) return false;
  auto res = std::from_chars(s.data(), s.data() + s.size(), *out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

bool ToDouble(std::string_view s, double* out) {
  if (s.empty()) return false;
  auto res = std::from_chars(s.data(), s.data() + s.size(), *out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

}  // namespace

bool ParseProcStatCpu(std::string_view text, CpuTimes* out) {
  bool found = false;
  ForEachLine(text, [&](std::string_view line) {
    if (found) return;
    std::vector<std::string_view> f = Fields(line);
    if (f.empty() || f[0] != "cpu") return;
    found = true;
    uint64_t* dst[] = {&out->user,   &out->nice, &out->system,  &out->idle,
                       &out->iowait, &out->irq,  &out->softirq, &out->steal};
    // Kernels before 2.6.11 lack steal; anything shorter than user..idle is malformed.
    if (f.size() < 5) {
      found = false;
      return;
    }
    for (size_t i = 0; i < 8; ++i) {
      *dst[i] = 0;
      if (i + 1 < f.size() && !ToNumber(f[i + 1], dst[i])) found = false;
    }
  });
  return found;
}

std::optional<uint64_t> FindKeyedValue(std::string_view text, std::string_view key) {
  std::optional<uint64_t> result;
  ForEachLine(text, [&](std::string_view line) {
    if (result || line.size() <= key.size() || line.substr(0, key.size()) != key) return;
    char sep = line[key.size()];
    if (sep != ':' && !IsBlank(sep)) return;
    std::vector<std::string_view> f = Fields(line.substr(key.size() + 1));
    uint64_t v;
    if (!f.empty() && ToNumber(f[0], &v)) result = v;
  });
  return result;
}

bool ParseLoadavg(std::string_view text, LoadAvg* out) {
  std::vector<std::string_view> f = Fields(text.substr(0, text.find('\n')));
  if (f.size() < 4) return false;
  size_t slash = f[3].find('/');
  if (slash == std::string_view::npos) return false;
  return ToDouble(f[0], &out->load1) && ToDouble(f[1], &out->load5) &&
         ToDouble(f[2], &out->load15) && ToNumber(f[3].substr(0, slash), &out->procs_running) &&
         ToNumber(f[3].substr(slash + 1), &out->procs_total);
}

bool ParseUptime(std::string_view text, double* seconds) {
  std::vector<std::string_view> f = Fields(text.substr(0, text.find('\n')));
  return !f.empty() && ToDouble(f[0], seconds) && *seconds >= 0;
}

std::vector<DiskStat> ParseDiskstats(std::string_view text, size_t* malformed_lines) {
  std::vector<DiskStat> out;
  *malformed_lines = 0;
  ForEachLine(text, [&](std::string_view line) {
    std::vector<std::string_view> f = Fields(line);
    if (f.empty()) return;
    DiskStat d;
    bool ok = f.size() >= 14;
    for (size_t i = 0; ok && i < 11; ++i) ok = ToNumber(f[3 + i], &d.fields[i]);
    if (!ok) {
      ++*malformed_lines;
      return;
    }
    d.name = std::string(f[2]);
    out.push_back(std::move(d));
  });
  return out;
}

std::vector<NetDevStat> ParseNetDev(std::string_view text, size_t* malformed_lines) {
  std::vector<NetDevStat> out;
  *malformed_lines = 0;
  ForEachLine(text, [&](std::string_view line) {
    // The two header lines contain '|'; data lines are "  eth0: 123 456 ...".
    size_t colon = line.find(':');
    if (line.find('|') != std::string_view::npos) return;
    if (colon == std::string_view::npos) {
      if (!Fields(line).empty()) ++*malformed_lines;
      return;
    }
    std::vector<std::string_view> name = Fields(line.substr(0, colon));
    std::vector<std::string_view> f = Fields(line.substr(colon + 1));
    NetDevStat s;
    // Receive: bytes packets errs drop fifo frame compressed multicast; transmit likewise.
    static constexpr size_t kColumns[8] = {0, 1, 2, 3, 8, 9, 10, 11};
    bool ok = name.size() == 1 && f.size() >= 16;
    for (size_t i = 0; ok && i < 8; ++i) ok = ToNumber(f[kColumns[i]], &s.fields[i]);
    if (!ok) {
      ++*malformed_lines;
      return;
    }
    s.name = std::string(name[0]);
    out.push_back(std::move(s));
  });
  return out;
}

namespace {
std::string DecodeMountField(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool octal = true;
      for (size_t k = 1; k <= 3; ++k) {
        char c = s[i + k];
        if (c < '0' || c > '7') octal = false;
        v = v * 8 + (c - '0');
      }
      if (octal) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}
}  // namespace

std::vector<MountEntry> ParseMounts(std::string_view text) {
  std::vector<MountEntry> out;
  ForEachLine(text, [&](std::string_view line) {
    std::vector<std::string_view> f = Fields(line);
    if (f.size() < 3) return;
    out.push_back({DecodeMountField(f[0]), DecodeMountField(f[1]), std::string(f[2])});
  });
  return out;
}

bool ParsePidStat(std::string_view text, PidStat* out) {
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return false;
  }
  out->comm = std::string(text.substr(open + 1, close - open - 1));
  // Fields after comm start at field 3 (state); utime is field 14, stime 15, vsize 23, rss 24.
  std::vector<std::string_view> f =
      Fields(text.substr(close + 1, text.find('\n', close) - close - 1));
  if (f.size() < 22) return false;
  return ToNumber(f[11], &out->utime) && ToNumber(f[12], &out->stime) &&
         ToNumber(f[20], &out->vsize) && ToNumber(f[21], &out->rss_pages);
}

W1Read ParseW1Slave(std::string_view text, int32_t* millidegrees) {
  std::string_view first = text.substr(0, text.find('\n'));
  std::string_view rest =
      first.size() < text.size() ? text.substr(first.size() + 1) : std::string_view();
  std::string_view second = rest.substr(0, rest.find('\n'));
  std::vector<std::string_view> f1 = Fields(first);
  if (f1.empty() || first.find("crc=") == std::string_view::npos) return W1Read::kMalformed;
  if (f1.back() == "NO") return W1Read::kCrcError;
  if (f1.back() != "YES") return W1Read::kMalformed;
  size_t t = second.find("t=");
  if (t == std::string_view::npos) return W1Read::kMalformed;
  std::vector<std::string_view> f2 = Fields(second.substr(t + 2));
  int32_t v;
  if (f2.empty() || !ToNumber(f2[0], &v)) return W1Read::kMalformed;
  *millidegrees = v;
  return W1Read::kOk;
}

}  // namespace nanotdb::drip
