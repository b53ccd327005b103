// Codec micro-benchmarks on the deterministic host workload (bench/workload.h): encode a day
// as frames the way live ingest writes them (720 cycles = a 2 h page per frame) and as one
// frame for the whole day (a partition rewritten whole), decode one metric, decode a frame.
// The bytes_per_sample counters are the disk budgets of DESIGN.md §9.
//
//   codec_bench [benchmark flags]          run the benchmarks
//   codec_bench --breakdown [METRICS]      print bytes/sample per metric and per block kind
#include <benchmark/benchmark.h>
#include <zstd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "base/coding.h"
#include "bench/workload.h"
#include "storage/column_codec.h"
#include "storage/frame.h"

namespace nanotdb::bench {
namespace {

constexpr size_t kLiveCycles = 720;  // 2 h at 10 s: the default page.max_age
constexpr size_t kDayCycles = 8640;

struct Dataset {
  std::vector<WorkloadMetric> metrics;
  std::vector<std::vector<Sample>> columns;
  uint64_t samples = 0;
};

const Dataset& HostDay(int metrics) {
  static std::map<int, Dataset> cache;
  auto [it, inserted] = cache.try_emplace(metrics);
  if (inserted) {
    WorkloadOptions opts;
    opts.metrics = metrics;
    it->second.columns = GenerateColumns(opts, &it->second.metrics);
    for (const auto& c : it->second.columns) it->second.samples += c.size();
  }
  return it->second;
}

// Encodes the dataset as consecutive frames of `cycles` samples per metric.
std::vector<std::string> EncodeFrames(const Dataset& d, size_t cycles, int level) {
  std::vector<std::string> frames;
  const size_t total = d.columns.front().size();
  for (size_t from = 0; from < total; from += cycles) {
    std::vector<ColumnInput> in;
    for (size_t m = 0; m < d.columns.size(); ++m) {
      const auto& c = d.columns[m];
      in.push_back({static_cast<MetricId>(m + 1), d.metrics[m].type,
                    std::span<const Sample>(c).subspan(from, std::min(cycles, total - from))});
    }
    frames.emplace_back();
    Status s = EncodeFrame(in, FrameOptions{level}, &frames.back());
    if (!s.ok()) {
      std::fprintf(stderr, "EncodeFrame: %s\n", s.ToString().c_str());
      std::abort();
    }
  }
  return frames;
}

uint64_t TotalBytes(const std::vector<std::string>& frames) {
  uint64_t n = 0;
  for (const auto& f : frames) n += f.size();
  return n;
}

void BM_EncodeDay(benchmark::State& state) {
  const Dataset& d = HostDay(static_cast<int>(state.range(0)));
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto frames = EncodeFrames(d, state.range(1), static_cast<int>(state.range(2)));
    bytes = TotalBytes(frames);
    benchmark::DoNotOptimize(frames.data());
  }
  state.counters["bytes_per_sample"] = static_cast<double>(bytes) / d.samples;
  state.counters["samples_per_s"] = benchmark::Counter(
      static_cast<double>(d.samples), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EncodeDay)
    ->ArgNames({"metrics", "cycles_per_frame", "zstd"})
    ->Args({84, kLiveCycles, 3})
    ->Args({84, kDayCycles, 3})
    ->Args({84, kDayCycles, 19})
    ->Args({1000, kLiveCycles, 3})
    ->Args({1000, kDayCycles, 3})
    ->Unit(benchmark::kMillisecond);

// Reads one metric for the whole day, frame by frame, as a range query does.
void BM_DecodeMetricDay(benchmark::State& state) {
  const Dataset& d = HostDay(84);
  const auto frames = EncodeFrames(d, state.range(0), 3);
  std::vector<FrameHeader> headers;
  for (const auto& f : frames) headers.push_back(ParseFrameHeader(f).value());
  std::vector<Sample> out;
  for (auto _ : state) {
    out.clear();
    for (size_t i = 0; i < frames.size(); ++i) {
      if (!DecodeFrameColumn(frames[i], headers[i], 1, &out).ok()) std::abort();
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["ns_per_sample"] = benchmark::Counter(
      static_cast<double>(out.size()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_DecodeMetricDay)->ArgName("cycles_per_frame")->Arg(kLiveCycles)->Arg(kDayCycles);

void BM_ParseFrameHeader(benchmark::State& state) {
  const auto frames = EncodeFrames(HostDay(static_cast<int>(state.range(0))), kLiveCycles, 3);
  for (auto _ : state) benchmark::DoNotOptimize(ParseFrameHeader(frames[0]).ok());
}
BENCHMARK(BM_ParseFrameHeader)->ArgName("metrics")->Arg(84)->Arg(1000);

const char* EncodingName(BlockEncoding e) {
  switch (e) {
    case BlockEncoding::kTimestamps:
      return "timestamps";
    case BlockEncoding::kInt32Delta:
      return "int32";
    case BlockEncoding::kFloatDecimal:
      return "decimal32";
    case BlockEncoding::kFloatXor:
      return "xor32";
    case BlockEncoding::kInt64Delta:
      return "int64";
    case BlockEncoding::kFloat64Decimal:
      return "decimal";
    case BlockEncoding::kFloat64Xor:
      return "xor";
  }
  return "?";
}

// The plain scheme DESIGN.md §4 compares against: whole-day columns of value deltas (of the
// 64-bit pattern) as zigzag varints, zstd -3, plus the shared timestamp column coded the same
// way once; no decimal scaling, divisors, order choice or XOR.
double PlainBaseline(const Dataset& d) {
  auto zstd_size = [](const std::string& raw) {
    std::string z(ZSTD_compressBound(raw.size()), '\0');
    return ZSTD_compress(z.data(), z.size(), raw.data(), raw.size(), 3);
  };
  std::string ts;
  const auto& first = d.columns.front();
  for (size_t i = 0; i < first.size(); ++i) {
    PutVarint64(&ts, ZigZagEncode64(i == 0 ? first[i].ts : first[i].ts - first[i - 1].ts));
  }
  uint64_t bytes = zstd_size(ts);
  for (const auto& c : d.columns) {
    std::string raw;
    for (size_t i = 0; i < c.size(); ++i) {
      const uint64_t prev = i == 0 ? 0 : c[i - 1].bits;
      PutVarint64(&raw, ZigZagEncode64(static_cast<int64_t>(c[i].bits - prev)));
    }
    bytes += zstd_size(raw);
  }
  return static_cast<double>(bytes) / d.samples;
}

// Per-metric cost of value blocks (and the timestamp blocks' share) in both frame shapes.
int Breakdown(int metrics) {
  const Dataset& d = HostDay(metrics);
  std::printf("%-34s %-8s %10s %10s\n", "metric", "encoding", "live B/s", "day B/s");
  std::vector<std::vector<FrameHeader>> shapes;
  std::vector<uint64_t> totals;
  for (size_t cycles : {kLiveCycles, kDayCycles}) {
    const auto frames = EncodeFrames(d, cycles, 3);
    totals.push_back(TotalBytes(frames));
    shapes.emplace_back();
    for (const auto& f : frames) shapes.back().push_back(ParseFrameHeader(f).value());
  }
  auto value_bytes = [&](size_t shape, MetricId id) {
    uint64_t n = 0;
    for (const auto& h : shapes[shape]) n += h.Find(id)->values.stored_len;
    return n;
  };
  for (size_t m = 0; m < d.metrics.size(); ++m) {
    const double count = static_cast<double>(d.columns[m].size());
    const auto day = std::span<const Sample>(d.columns[m]);
    std::printf("%-34s %-8s %10.3f %10.3f\n", d.metrics[m].name.c_str(),
                EncodingName(ChooseValueEncoding(d.metrics[m].type, day)),
                value_bytes(0, m + 1) / count, value_bytes(1, m + 1) / count);
  }
  for (size_t shape = 0; shape < 2; ++shape) {
    uint64_t ts = 0, header = 0;
    for (const auto& h : shapes[shape]) {
      header += h.header_bytes;
      for (const auto& t : h.ts_blocks) ts += t.block.stored_len;
    }
    std::printf("%s: %.3f bytes/sample (timestamps %.3f, headers %.3f), %zu frames\n",
                shape == 0 ? "live frames (720 cycles)" : "whole-day frame",
                static_cast<double>(totals[shape]) / d.samples, static_cast<double>(ts) / d.samples,
                static_cast<double>(header) / d.samples, shapes[shape].size());
  }
  std::printf("plain delta+varint+zstd per day column (baseline): %.3f bytes/sample\n",
              PlainBaseline(d));
  return 0;
}

}  // namespace
}  // namespace nanotdb::bench

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--breakdown") == 0) {
    return nanotdb::bench::Breakdown(argc >= 3 ? std::atoi(argv[2]) : 84);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
