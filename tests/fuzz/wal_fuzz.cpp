// WAL replay (core/storage/wal.cpp): a damaged or arbitrary log replays what is intact and
// reports the rest; it never crashes, and every replayed batch is well formed.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_file.h"
#include "storage/wal.h"

namespace {

using namespace nanotdb;

// A log of 70 batches (past a state record every 64), with new metrics, ints and floats.
std::string ValidWal() {
  const std::string path = fuzz::ScratchPath("valid.wal");
  auto wal = WalWriter::Open(
      Env::Default(), path, WalOptions{}, [](const WalBatch&) { return Status::Ok(); }, nullptr);
  if (!wal.ok()) std::abort();
  for (int b = 0; b < 70; ++b) {
    WalBatch batch;
    if (b < 3)
      batch.new_metrics.push_back({static_cast<MetricId>(b + 1),
                                   b == 1 ? ValueType::kInt64 : ValueType::kFloat64,
                                   "m" + std::to_string(b) + "{k=\"v\"}"});
    for (MetricId id = 1; id <= 3 && id <= static_cast<MetricId>(b + 1); ++id) {
      batch.samples.push_back({id, 1'780'000'000'000'000'000 + b * 10'000'000'000LL,
                               static_cast<uint64_t>(b * 7919 + id)});
    }
    if (!(*wal)->Append(batch).ok()) std::abort();
  }
  wal->reset();
  return fuzz::ReadFile(path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string valid = ValidWal();
  static const std::string path = fuzz::ScratchPath("input.wal");
  fuzz::WriteFile(
      path, fuzz::Mutated(std::string_view(reinterpret_cast<const char*>(data), size), valid));
  WalReadReport report;
  Status st = ReadWal(
      Env::Default(), path,
      [](const WalBatch& b) {
        for (const WalMetricDef& d : b.new_metrics) {
          if (d.id == 0 || d.name.empty()) __builtin_trap();
        }
        for (const WalSample& s : b.samples) {
          if (s.id == 0) __builtin_trap();
        }
        return Status::Ok();
      },
      &report);
  (void)st;
  if (report.valid_bytes > report.file_bytes) __builtin_trap();
  // The unchanged log replays whole: the template is a real log.
  if (size == 0 && (!st.ok() || report.records < 70 || !report.damaged.empty())) __builtin_trap();
  return 0;
}
