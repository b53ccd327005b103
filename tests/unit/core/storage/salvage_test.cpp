// Damage is contained: every byte of a small partition is flipped in turn, once for a partition
// written whole (as import writes it) and once for one written frame by frame (as live ingest
// writes it). The repair bytes correct every flip but one in a frame's header length, which
// costs that frame; reads return every other sample, never a changed one, and report whatever
// they left out; a write into the damaged partition afterwards keeps every intact frame.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "nanotdb/engine.h"
#include "storage/data_file.h"
#include "storage/filenames.h"
#include "storage/frame_format.h"

namespace nanotdb {
namespace {

namespace fs = std::filesystem;

constexpr Timestamp kDay0 = 1'779'926'400'000'000'000;  // 2026-05-28T00:00:00Z
constexpr Timestamp kStep = 10 * kSecond;
const char* const kMetrics[] = {"cpu", "mem", "temp"};
constexpr int kSamplesPerMetric = 120;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void WriteFile(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Per frame of the intact file: its byte range and, per metric id, its samples.
struct FrameMap {
  uint64_t offset = 0, header_bytes = 0, frame_bytes = 0;
  std::map<MetricId, std::vector<Sample>> samples;
};

class SalvageTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("nanotdb-salvage-test-" + std::to_string(::getpid()) +
                                         "-" + std::to_string(GetParam()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  EngineOptions Options(bool read_only) {
    EngineOptions o;
    o.root = root_.string();
    o.read_only = read_only;
    o.manifest_defaults.wal_skip_before = 0;
    if (!GetParam()) {
      // Live ingest: a frame every 40 samples of each metric.
      o.manifest_defaults.page_max_records = 40 * 3;
    } else {
      o.bulk_load = true;
    }
    return o;
  }

  void Populate() {
    auto e = Engine::Open(Options(false));
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    for (int i = 0; i < kSamplesPerMetric; ++i) {
      std::vector<PointRef> batch;
      for (int m = 0; m < 3; ++m) {
        Value v = m == 0 ? Value::Int64(i * 7 + 1) : Value::Float64(20.5 + (i * (m + 3)) % 11);
        batch.push_back(PointRef{"demo", kMetrics[m], kDay0 + i * kStep, v});
      }
      auto r = (*e)->WriteBatch(batch);
      ASSERT_TRUE(r.ok() && r->rejected.empty());
    }
    ASSERT_TRUE((*e)->Close().ok());
    path_ = DataFilePath(root_.string(), "demo", PartitionKey(Partitioning::kDay, kDay0));
    intact_ = ReadFile(path_);

    auto reader = DataFileReader::Open(Env::Default(), path_);
    ASSERT_TRUE(reader.ok());
    ASSERT_EQ((*reader)->frames().size(), GetParam() ? 1u : 3u);
    for (size_t f = 0; f < (*reader)->frames().size(); ++f) {
      const FrameIndexEntry& e = (*reader)->frames()[f];
      FrameMap fm;
      fm.offset = e.offset;
      fm.header_bytes = e.header.header_bytes;
      fm.frame_bytes = e.header.frame_bytes;
      std::vector<std::pair<MetricId, std::vector<Sample>>> cols;
      ASSERT_TRUE((*reader)->ReadFrame(f, &cols).ok());
      for (auto& [id, s] : cols) fm.samples[id] = std::move(s);
      frames_.push_back(std::move(fm));
    }
    auto ro = Engine::Open(Options(true));
    ASSERT_TRUE(ro.ok());
    for (const char* m : kMetrics) {
      auto info = (*ro)->GetMetric("demo", m);
      ASSERT_TRUE(info.ok());
      ids_[m] = info->id;
    }
  }

  // Whether a flip at `at` may cost frame f's column `id`: only one in the frame's header
  // length, since the repair bytes of the header and blocks (format version 3) correct one
  // damaged byte anywhere else.
  bool MayLose(uint64_t at, const FrameMap& f) const {
    return at >= f.offset + 8 && at < f.offset + 12;
  }

  // Reads every metric and checks it against the intact frames: each frame's column is
  // there whole or absent (only when the flip may hit it), and every absence is reported
  // (before a write; a write moves a damaged tail aside, which it logs).
  void CheckReads(const Engine& e, uint64_t at, bool with_extra) {
    for (const char* m : kMetrics) {
      const MetricId id = ids_[m];
      std::vector<Sample> got;
      ReadReport report;
      Status st = e.ReadRange(
          "demo", m, kMinTimestamp, kMaxTimestamp, 1,
          [&](const Sample& s) {
            got.push_back(s);
            return true;
          },
          &report);
      ASSERT_TRUE(st.ok()) << "flip at " << at << ": " << st.ToString();
      size_t pos = 0;
      bool lost = false;
      for (const FrameMap& f : frames_) {
        const std::vector<Sample>& want = f.samples.at(id);
        if (got.size() - pos >= want.size() &&
            std::equal(want.begin(), want.end(), got.begin() + pos)) {
          pos += want.size();
          continue;
        }
        ASSERT_TRUE(MayLose(at, f))
            << "flip at " << at << " cost " << m << " in the frame at " << f.offset;
        lost = true;
      }
      if (with_extra && id == ids_["cpu"]) {
        ASSERT_EQ(got.size() - pos, 1u) << "flip at " << at;
        EXPECT_EQ(got[pos].ts, kDay0 + kSamplesPerMetric * kStep);
        ++pos;
      }
      ASSERT_EQ(pos, got.size()) << "flip at " << at << ": " << m << " returned extra samples";
      if (lost && !with_extra)
        EXPECT_FALSE(report.empty()) << "flip at " << at << " lost " << m << " silently";
    }
  }

  uint64_t IntactBytesAfterFlip(uint64_t at) const {
    uint64_t n = data_format::kFileHeaderSize;
    for (const FrameMap& f : frames_) {
      if (at < f.offset || at >= f.offset + f.header_bytes) n += f.frame_bytes;
    }
    return n;
  }

  fs::path root_;
  std::string path_;
  std::string intact_;
  std::vector<FrameMap> frames_;
  std::map<std::string, MetricId> ids_;
};

TEST_P(SalvageTest, EveryFlipIsRepairedOrCostsOnlyItsFrame) {
  Populate();
  for (uint64_t at = 0; at < intact_.size(); ++at) {
    std::string bad = intact_;
    bad[at] = static_cast<char>(bad[at] ^ 0x5a);
    WriteFile(path_, bad);
    auto e = Engine::Open(Options(true));
    ASSERT_TRUE(e.ok()) << "flip at " << at << ": " << e.status().ToString();
    CheckReads(**e, at, /*with_extra=*/false);
  }
}

TEST_P(SalvageTest, WritingIntoADamagedPartitionKeepsEveryIntactFrame) {
  Populate();
  const uint64_t stride = GetParam() ? 1 : 3;  // every byte of the one-frame file
  for (uint64_t at = 0; at < intact_.size(); at += stride) {
    std::string bad = intact_;
    bad[at] = static_cast<char>(bad[at] ^ 0x5a);
    WriteFile(path_, bad);
    for (const auto& entry : fs::directory_iterator(root_ / "demo")) {
      if (entry.path().string().find(".quarantine.") != std::string::npos) fs::remove(entry);
    }
    {
      auto e = Engine::Open(Options(false));
      ASSERT_TRUE(e.ok()) << "flip at " << at << ": " << e.status().ToString();
      ASSERT_TRUE(
          (*e)->Write("demo", "cpu", kDay0 + kSamplesPerMetric * kStep, Value::Int64(5)).ok());
      ASSERT_TRUE((*e)->Close().ok());
    }
    const std::string after = ReadFile(path_);
    ASSERT_GE(after.size(), IntactBytesAfterFlip(at)) << "flip at " << at;
    // What was cut from the end was moved aside first, unless it could only be torn.
    uint64_t quarantined = 0;
    for (const auto& entry : fs::directory_iterator(root_ / "demo")) {
      std::string data_file;
      uint64_t offset;
      if (ParseQuarantineName(entry.path().filename().string(), &data_file, &offset)) {
        EXPECT_EQ(data_file, BaseName(path_));
        EXPECT_EQ(ReadFile(entry.path()), bad.substr(offset, ReadFile(entry.path()).size()));
        quarantined += fs::file_size(entry);
      }
    }
    EXPECT_GE(after.size() + quarantined, bad.size()) << "flip at " << at;
    auto ro = Engine::Open(Options(true));
    ASSERT_TRUE(ro.ok());
    CheckReads(**ro, at, /*with_extra=*/true);
    WriteFile(path_, intact_);
  }
}

INSTANTIATE_TEST_SUITE_P(Partitions, SalvageTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Imported" : "LiveIngest"; });

}  // namespace
}  // namespace nanotdb
