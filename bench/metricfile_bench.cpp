// metricfile_bench: what a metric file costs and how fast one series reads back, on the
// deterministic workloads (bench/workload.h), beside the partition written whole as one frame
// (what `nanocli import` writes).
//
//   metricfile_bench [--profile host|drip] [--metrics N] [--days N] [--breakdown] [--engine]
//
// --engine also times full-day Engine::ReadRange of every metric (what a server does for a
// range query, before formatting the answer) from the data file and from the metric file.
//
// Prints bytes/sample of the whole-day frame and of the metric file, checks that every series
// reads back bit for bit, and times a full-day read of each series from the file in memory
// (median of 21 reads, the time block decoded once and kept as a reader does).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "accelerator.h"
#include "bench/workload.h"
#include "builder.h"
#include "metric_file.h"
#include "nanotdb/engine.h"
#include "series_codec.h"
#include "server/core_services.h"
#include "storage/frame.h"

namespace nanotdb::bench {
namespace {

// Through the engine's read path, as the server reads: the day written whole (one frame, as
// nanocli import writes it), then rebuilt into a metric file with the raw data deleted.
int EngineReads(const WorkloadOptions& opts, const std::vector<WorkloadMetric>& metrics,
                const std::vector<std::vector<Sample>>& columns) {
  const std::string root =
      (std::filesystem::temp_directory_path() / ("metricfile_bench_" + std::to_string(::getpid())))
          .string();
  std::filesystem::remove_all(root);
  metricfiles::MetricFileAccelerator accelerator;
  auto time_reads = [&](Engine& e) {
    std::vector<double> per_metric;
    std::vector<Sample> out;
    for (const WorkloadMetric& m : metrics) {
      std::vector<double> runs;
      for (int r = 0; r < 21; ++r) {
        out.clear();
        const auto a = std::chrono::steady_clock::now();
        Status st = e.ReadRange("bench", m.name, opts.start,
                                opts.start + opts.days * 86400 * kNanosPerSecond - 1, 1,
                                [&](const Sample& s) {
                                  out.push_back(s);
                                  return true;
                                });
        runs.push_back(
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a)
                .count());
        if (!st.ok()) {
          std::fprintf(stderr, "%s: %s\n", m.name.c_str(), st.ToString().c_str());
          std::abort();
        }
      }
      std::nth_element(runs.begin(), runs.begin() + 10, runs.end());
      per_metric.push_back(runs[10]);
    }
    std::sort(per_metric.begin(), per_metric.end());
    return std::pair{per_metric[per_metric.size() / 2], per_metric.back()};
  };
  EngineOptions eo;
  eo.root = root;
  eo.bulk_load = true;
  eo.max_future = 0;
  auto engine = Engine::Open(eo);
  if (!engine.ok()) {
    std::fprintf(stderr, "open: %s\n", engine.status().ToString().c_str());
    return 1;
  }
  Engine& e = **engine;
  std::vector<PointRef> batch;
  for (size_t i = 0; i < columns.front().size(); ++i) {
    for (size_t m = 0; m < metrics.size(); ++m) {
      batch.push_back(PointRef{"bench", metrics[m].name, columns[m][i].ts,
                               Value{metrics[m].type, columns[m][i].bits}});
    }
  }
  if (auto r = e.WriteBatch(batch); !r.ok() || !r->rejected.empty() || !e.Flush("bench").ok()) {
    std::fprintf(stderr, "write failed\n");
    return 1;
  }
  const auto [raw_median, raw_max] = time_reads(e);
  server::EnginePartitions partitions(e);
  metricfiles::MetricFileBuilder builder(partitions);
  metricfiles::BuildOptions bo;
  bo.raw_action = RawAction::kDelete;
  std::vector<metricfiles::BuildReport> reports;
  if (Status st = builder.BuildDatabase("bench", bo, &reports); !st.ok()) {
    std::fprintf(stderr, "build: %s\n", st.ToString().c_str());
    return 1;
  }
  e.SetReadAccelerator(&accelerator);
  const auto [mf_median, mf_max] = time_reads(e);
  std::printf(
      "engine ReadRange, full day of one metric (median of 21 per metric): data file "
      "median %.0f us (slowest metric %.0f us); metric file median %.0f us (slowest "
      "%.0f us)\n",
      raw_median, raw_max, mf_median, mf_max);
  std::filesystem::remove_all(root);
  return 0;
}

int Run(int argc, char** argv) {
  WorkloadOptions opts;
  bool breakdown = false, engine = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--profile" && i + 1 < argc) {
      const std::string p = argv[++i];
      if (p == "host") {
        opts.profile = WorkloadProfile::kHost;
      } else if (p == "drip") {
        opts.profile = WorkloadProfile::kDrip;
      } else {
        std::fprintf(stderr, "unknown profile %s (host|drip)\n", p.c_str());
        return 2;
      }
    } else if (a == "--metrics" && i + 1 < argc) {
      opts.metrics = std::atoi(argv[++i]);
    } else if (a == "--days" && i + 1 < argc) {
      opts.days = std::atoi(argv[++i]);
    } else if (a == "--breakdown") {
      breakdown = true;
    } else if (a == "--engine") {
      engine = true;
    } else {
      std::fprintf(stderr,
                   "usage: metricfile_bench [--profile host|drip] [--metrics N] [--days N] "
                   "[--breakdown] [--engine]\n");
      return 2;
    }
  }
  std::vector<WorkloadMetric> metrics;
  const auto columns = GenerateColumns(opts, &metrics);
  uint64_t samples = 0;
  for (const auto& c : columns) samples += c.size();

  std::vector<ColumnInput> in;
  for (size_t m = 0; m < columns.size(); ++m) {
    in.push_back({static_cast<MetricId>(m + 1), metrics[m].type, columns[m]});
  }
  std::string frame;
  if (Status st = EncodeFrame(in, FrameOptions{}, &frame); !st.ok()) {
    std::fprintf(stderr, "EncodeFrame: %s\n", st.ToString().c_str());
    return 1;
  }

  const FrameHeader frame_header = ParseFrameHeader(frame).value();
  std::vector<metricfiles::SeriesInput> series;
  for (size_t m = 0; m < columns.size(); ++m) {
    series.push_back({static_cast<MetricId>(m + 1), metrics[m].type, metrics[m].name, columns[m]});
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto file = metricfiles::EncodeMetricFile(series, {frame.size() + 16, 1});
  const double build_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!file.ok()) {
    std::fprintf(stderr, "EncodeMetricFile: %s\n", file.status().ToString().c_str());
    return 1;
  }
  const uint64_t file_bytes = file->size();
  auto reader = metricfiles::MetricFileReader::Open(metricfiles::MemorySource(*file), "bench");
  if (!reader.ok()) {
    std::fprintf(stderr, "open: %s\n", reader.status().ToString().c_str());
    return 1;
  }
  double entropy_bits = 0;
  for (size_t m = 0; m < columns.size(); ++m) {
    std::vector<uint64_t> bits;
    for (const Sample& s : columns[m]) bits.push_back(s.bits);
    entropy_bits += metricfiles::BestOrder0EntropyBits(metrics[m].type, bits);
  }
  std::vector<double> medians;
  std::vector<Sample> out;
  for (size_t m = 0; m < columns.size(); ++m) {
    std::vector<double> runs;
    for (int r = 0; r < 21; ++r) {
      out.clear();
      const auto a = std::chrono::steady_clock::now();
      Status st = (*reader)->ReadAll(static_cast<MetricId>(m + 1), &out);
      runs.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count());
      if (!st.ok() || out != columns[m]) {
        std::fprintf(stderr, "%s does not read back: %s\n", metrics[m].name.c_str(),
                     st.ToString().c_str());
        return 1;
      }
    }
    std::nth_element(runs.begin(), runs.begin() + 10, runs.end());
    medians.push_back(runs[10]);
    if (breakdown) {
      const auto* e = (*reader)->Find(static_cast<MetricId>(m + 1));
      std::string block;
      metricfiles::ValueDomain d{};
      std::string bytes = file->substr(e->values.offset, e->values.bytes);
      metricfiles::BlockDomain(bytes, &d);
      const FrameColumnInfo* col = frame_header.Find(static_cast<MetricId>(m + 1));
      // The value block's decoding alone (no checksum, no samples handed out).
      std::vector<double> decodes;
      std::vector<uint64_t> values;
      for (int r = 0; r < 21; ++r) {
        values.clear();
        const auto a = std::chrono::steady_clock::now();
        Status st = metricfiles::DecodeValues(e->type, bytes, e->count, &values);
        decodes.push_back(
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a)
                .count());
        if (!st.ok()) std::abort();
      }
      std::nth_element(decodes.begin(), decodes.begin() + 10, decodes.end());
      std::printf("%-36s %-8s %8.3f B/sample (frame %.3f) %8.1f us (values decoded in %.1f us)\n",
                  metrics[m].name.c_str(), metricfiles::DomainName(d),
                  static_cast<double>(e->values.bytes) / e->count,
                  static_cast<double>(col->values.stored_len) / e->count, runs[10], decodes[10]);
    }
  }
  std::vector<double> sorted = medians;
  std::sort(sorted.begin(), sorted.end());
  uint64_t time_bytes = 0;
  for (const auto& t : (*reader)->time_blocks()) time_bytes += t.place.bytes;
  std::printf("profile %s, %zu metrics x %d day(s), %llu samples\n",
              opts.profile == WorkloadProfile::kHost ? "host" : "drip", metrics.size(), opts.days,
              static_cast<unsigned long long>(samples));
  std::printf("partition written whole (one frame): %.3f bytes/sample\n",
              static_cast<double>(frame.size() + 16) / samples);
  std::printf("metric file: %.3f bytes/sample (%llu bytes; time blocks %.3f), built in %.0f ms\n",
              static_cast<double>(file_bytes) / samples,
              static_cast<unsigned long long>(file_bytes),
              static_cast<double>(time_bytes) / samples, build_ms);
  std::printf("order-0 entropy of the best per-metric transform: %.3f bytes/sample\n",
              entropy_bits / 8 / samples);
  std::printf("full-day read of one series (in memory): median %.1f us, slowest series %.1f us\n",
              sorted[sorted.size() / 2], sorted.back());
  return engine ? EngineReads(opts, metrics, columns) : 0;
}

}  // namespace
}  // namespace nanotdb::bench

int main(int argc, char** argv) { return nanotdb::bench::Run(argc, argv); }
