// Data files (core/storage/data_file.cpp, frame.cpp): a damaged or arbitrary file opens (or
// is refused with a status), lists what is intact and reads every metric and every frame
// without crashing, skipped blocks reported.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_file.h"
#include "storage/data_file.h"
#include "storage/frame.h"

namespace {

using namespace nanotdb;

constexpr Timestamp kStart = 1'780'000'000'000'000'000;

// Three frames of two metrics (a float and an int column) with name records.
std::string ValidFile() {
  const std::string path = fuzz::ScratchPath("data-2026-05-28.dat");
  DataFileOpenReport report;
  auto w = DataFileWriter::Open(Env::Default(), path, &report);
  if (!w.ok()) std::abort();
  for (int f = 0; f < 3; ++f) {
    std::vector<Sample> a, b;
    for (int i = f * 40; i < (f + 1) * 40; ++i) {
      const Timestamp ts = kStart + i * 10'000'000'000LL;
      double v = 20.0 + (i % 13) * 0.25;
      uint64_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      a.push_back({ts, bits});
      b.push_back({ts, static_cast<uint64_t>(i) * 1000});
    }
    std::vector<ColumnInput> cols = {{1, ValueType::kFloat64, a}, {2, ValueType::kInt64, b}};
    std::string frame;
    if (!EncodeFrame(cols, FrameOptions{}, &frame).ok()) std::abort();
    std::vector<MetricName> names = {{1, ValueType::kFloat64, "temp{room=\"k\"}"},
                                     {2, ValueType::kInt64, "bytes"}};
    if (!(*w)->Append(frame, false, names).ok()) std::abort();
  }
  w->reset();
  return fuzz::ReadFile(path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string valid = ValidFile();
  static const std::string path = fuzz::ScratchPath("input.dat");
  fuzz::WriteFile(
      path, fuzz::Mutated(std::string_view(reinterpret_cast<const char*>(data), size), valid));
  auto reader = DataFileReader::Open(Env::Default(), path);
  if (!reader.ok()) return 0;
  for (const FrameIndexEntry& f : (*reader)->frames()) (void)f;
  for (MetricId id = 1; id <= 3; ++id) {
    std::vector<SkippedBlock> skipped;
    size_t samples = 0;
    Status st = (*reader)->ReadMetric(
        id, kMinTimestamp, kMaxTimestamp,
        [&](const Sample&) {
          ++samples;
          return true;
        },
        &skipped);
    // The unchanged file reads whole: the template is a real data file.
    if (size == 0 && (!st.ok() || !skipped.empty() || samples != (id <= 2 ? 120u : 0u))) {
      __builtin_trap();
    }
  }
  for (size_t i = 0; i < (*reader)->frames().size(); ++i) {
    std::vector<std::pair<MetricId, std::vector<Sample>>> out;
    (void)(*reader)->ReadFrame(i, &out);
  }
  return 0;
}
