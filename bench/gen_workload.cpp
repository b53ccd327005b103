// nanotdb-workload: writes the deterministic host workload (bench/workload.h) as line
// protocol, in time order, for imports and HTTP ingest benchmarks.
//
//   nanotdb-workload --metrics 84|1000 --days N [--profile host|drip] [--db host]
//                    [--start 2026-01-01] [--seed 1] --out FILE.lp
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench/workload.h"
#include "nanotdb/status.h"
#include "nanotdb/time_util.h"
#include "nanotdb/types.h"

namespace {

constexpr const char* kUsage =
    "usage: nanotdb-workload --metrics N --days N [--profile host|drip] [--db host] "
    "[--start YYYY-MM-DD] [--seed 1] "
    "--out FILE.lp\n";

int Fail(const std::string& msg) {
  std::fprintf(stderr, "nanotdb-workload: %s\n%s", msg.c_str(), kUsage);
  return 2;
}

bool ParseInt(const char* s, long long lo, long long hi, long long* out) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using nanotdb::bench::WorkloadOptions;
  WorkloadOptions opts;
  std::string db = "host", out_path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) return Fail("missing value after " + std::string(flag));
    const char* value = argv[++i];
    long long n = 0;
    if (flag == "--metrics") {
      if (!ParseInt(value, 1, 1000000, &n)) return Fail("--metrics wants 1..1000000");
      opts.metrics = static_cast<int>(n);
    } else if (flag == "--days") {
      if (!ParseInt(value, 1, 3650, &n)) return Fail("--days wants 1..3650");
      opts.days = static_cast<int>(n);
    } else if (flag == "--seed") {
      if (!ParseInt(value, 0, INT64_MAX, &n)) return Fail("--seed wants a non-negative integer");
      opts.seed = static_cast<uint64_t>(n);
    } else if (flag == "--profile") {
      const std::string_view p = value;
      if (p == "host") {
        opts.profile = nanotdb::bench::WorkloadProfile::kHost;
      } else if (p == "drip") {
        opts.profile = nanotdb::bench::WorkloadProfile::kDrip;
      } else {
        return Fail("--profile wants host or drip");
      }
    } else if (flag == "--db") {
      if (auto s = nanotdb::ValidateDatabaseName(value); !s.ok()) return Fail(s.message());
      db = value;
    } else if (flag == "--start") {
      int y = 0;
      unsigned m = 0, d = 0;
      char tail = 0;
      if (std::sscanf(value, "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
          d > 31) {
        return Fail("--start wants a UTC date YYYY-MM-DD, got \"" + std::string(value) + "\"");
      }
      opts.start = nanotdb::DaysFromCivil(y, m, d) * 86400 * nanotdb::kNanosPerSecond;
    } else if (flag == "--out") {
      out_path = value;
    } else {
      return Fail("unknown option " + std::string(flag));
    }
  }
  if (out_path.empty()) return Fail("--out FILE is required");

  FILE* out = std::fopen(out_path.c_str(), "wb");
  if (out == nullptr) return Fail(out_path + ": " + std::strerror(errno));
  nanotdb::bench::Workload w(opts);
  std::vector<std::string> prefixes;
  for (const auto& m : w.metrics()) prefixes.push_back(db + "/" + m.name + " ");
  std::string buf;
  nanotdb::Timestamp ts;
  std::vector<uint64_t> values;
  while (w.Next(&ts, &values)) {
    const std::string stamp = " " + std::to_string(ts) + "\n";
    for (size_t i = 0; i < values.size(); ++i) {
      buf += prefixes[i];
      buf += nanotdb::FormatValue(nanotdb::Value{w.metrics()[i].type, values[i]});
      if (nanotdb::IsIntegerType(w.metrics()[i].type)) buf += 'i';
      buf += stamp;
    }
    if (buf.size() > (1 << 20)) {
      if (std::fwrite(buf.data(), 1, buf.size(), out) != buf.size()) break;
      buf.clear();
    }
  }
  const bool ok = std::fwrite(buf.data(), 1, buf.size(), out) == buf.size();
  if (std::fclose(out) != 0 || !ok) return Fail(out_path + ": write failed");
  return 0;
}
