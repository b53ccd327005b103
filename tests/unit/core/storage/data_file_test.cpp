#include "storage/data_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <bit>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/repair_code.h"
#include "storage/filenames.h"
#include "storage/frame_format.h"

namespace nanotdb {
namespace {

uint64_t Bits64(double v) { return std::bit_cast<uint64_t>(v); }

constexpr Timestamp kStart = 1767225600000000000;  // 2026-01-01T00:00:00Z
constexpr Timestamp kStep = 10 * kNanosPerSecond;

class DataFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nanotdb-data-file-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/data-2026-01-01.dat";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Frame `f` holds metrics 1 (float64) and 2 (int64), `n` samples each, starting at sample
  // index f * n; without repair bytes for files of versions before 3.
  static std::string MakeFrame(int f, int n = 50, bool repair_bytes = true) {
    std::vector<Sample> a, b;
    for (int i = f * n; i < (f + 1) * n; ++i) {
      const Timestamp ts = kStart + i * kStep;
      a.push_back({ts, Bits64(20.0f + (i % 17) * 0.5f)});
      b.push_back({ts, static_cast<uint64_t>(i * 1000)});
    }
    std::vector<ColumnInput> cols = {{1, ValueType::kFloat64, a}, {2, ValueType::kInt64, b}};
    std::string out;
    FrameOptions opts;
    opts.repair_bytes = repair_bytes;
    EXPECT_TRUE(EncodeFrame(cols, opts, &out).ok());
    return out;
  }

  // Damages the byte at `at` and one more of the same repair codeword of the `len`-byte region
  // starting at `region` (a header or a block): more than its repair bytes correct.
  static void DamageBeyondRepair(std::string* bytes, uint64_t region, uint64_t len, uint64_t at) {
    const uint64_t m = RepairBytes(len) / 2;
    ASSERT_LT(at + m, region + len);
    (*bytes)[at] = static_cast<char>((*bytes)[at] ^ 0x01);
    (*bytes)[at + m] = static_cast<char>((*bytes)[at + m] ^ 0x20);
  }

  void WriteFrames(int count) {
    DataFileOpenReport report;
    auto w = DataFileWriter::Open(Env::Default(), path_, &report);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    for (int f = 0; f < count; ++f) {
      frame_offsets_.push_back((*w)->size());
      ASSERT_TRUE((*w)->Append(MakeFrame(f), /*sync=*/false).ok());
    }
  }

  std::string ReadAll() {
    std::ifstream in(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void WriteAll(const std::string& bytes) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << bytes;
  }

  std::vector<Sample> ReadMetric(const DataFileReader& r, MetricId id, Timestamp from, Timestamp to,
                                 Status* status = nullptr) {
    std::vector<Sample> out;
    Status s = r.ReadMetric(id, from, to, [&](const Sample& x) {
      out.push_back(x);
      return true;
    });
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    return out;
  }

  std::string dir_, path_;
  std::vector<uint64_t> frame_offsets_;
};

TEST_F(DataFileTest, NewFileGetsHeaderAndFramesReadBack) {
  WriteFrames(3);
  EXPECT_EQ(ReadAll().substr(0, 4), "NTDF");
  auto r = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->error(), "");
  ASSERT_EQ((*r)->frames().size(), 3u);
  EXPECT_EQ((*r)->frames()[1].offset, frame_offsets_[1]);
  const auto all = ReadMetric(**r, 2, kMinTimestamp, kMaxTimestamp);
  ASSERT_EQ(all.size(), 150u);
  for (int i = 0; i < 150; ++i) EXPECT_EQ(all[i].bits, static_cast<uint64_t>(i * 1000));
  const auto some = ReadMetric(**r, 1, kStart + 40 * kStep, kStart + 60 * kStep);
  ASSERT_EQ(some.size(), 21u);
  EXPECT_EQ(some.front().ts, kStart + 40 * kStep);
  EXPECT_EQ(some.back().ts, kStart + 60 * kStep);
  EXPECT_TRUE(ReadMetric(**r, 9, kMinTimestamp, kMaxTimestamp).empty());

  std::vector<std::pair<MetricId, std::vector<Sample>>> frame;
  ASSERT_TRUE((*r)->ReadFrame(2, &frame).ok());
  ASSERT_EQ(frame.size(), 2u);
  EXPECT_EQ(frame[0].first, 1u);
  EXPECT_EQ(frame[1].second.front().bits, 100u * 1000);
  EXPECT_FALSE((*r)->ReadFrame(3, &frame).ok());
}

TEST_F(DataFileTest, CallbackCanStopTheRead) {
  WriteFrames(2);
  auto r = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(r.ok());
  int seen = 0;
  ASSERT_TRUE(
      (*r)->ReadMetric(1, kMinTimestamp, kMaxTimestamp, [&](const Sample&) { return ++seen < 5; })
          .ok());
  EXPECT_EQ(seen, 5);
}

TEST_F(DataFileTest, ReopenAppendsAfterExistingFrames) {
  WriteFrames(2);
  DataFileOpenReport report;
  auto w = DataFileWriter::Open(Env::Default(), path_, &report);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(report.frames, 2u);
  EXPECT_EQ(report.dropped, "");
  EXPECT_EQ(report.valid_bytes, report.file_bytes);
  ASSERT_TRUE((*w)->Append(MakeFrame(2), /*sync=*/true).ok());
  auto r = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->frames().size(), 3u);
  EXPECT_EQ(ReadMetric(**r, 1, kMinTimestamp, kMaxTimestamp).size(), 150u);
}

TEST_F(DataFileTest, TornTailIsTruncatedOnOpenAtEveryOffset) {
  WriteFrames(3);
  const std::string whole = ReadAll();
  const uint64_t last = frame_offsets_[2];
  for (uint64_t cut = last + 1; cut < whole.size(); ++cut) {
    WriteAll(whole.substr(0, cut));
    auto r = DataFileReader::Open(Env::Default(), path_);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)->frames().size(), 2u) << cut;
    EXPECT_NE((*r)->error().find("tail at offset " + std::to_string(last)), std::string::npos)
        << cut;

    DataFileOpenReport report;
    auto w = DataFileWriter::Open(Env::Default(), path_, &report);
    ASSERT_TRUE(w.ok()) << cut;
    EXPECT_EQ(report.file_bytes, cut);
    EXPECT_EQ(report.valid_bytes, last) << cut;
    EXPECT_EQ(report.frames, 2u);
    EXPECT_NE(report.dropped.find("offset " + std::to_string(last)), std::string::npos)
        << report.dropped;
    EXPECT_EQ((*w)->size(), last);
    ASSERT_TRUE((*w)->Append(MakeFrame(2), false).ok());
    w->reset();
    ASSERT_EQ(ReadAll(), whole) << cut;
  }
}

TEST_F(DataFileTest, TornFileHeaderIsRewritten) {
  const std::string header = EncodeDataFileHeader();
  for (size_t cut = 0; cut < header.size(); ++cut) {
    WriteAll(header.substr(0, cut));
    DataFileOpenReport report;
    auto w = DataFileWriter::Open(Env::Default(), path_, &report);
    ASSERT_TRUE(w.ok()) << cut;
    EXPECT_EQ((*w)->size(), header.size());
    EXPECT_EQ(report.dropped.empty(), cut == 0);
  }
}

TEST_F(DataFileTest, ForeignFileIsRefusedAndLeftUntouched) {
  WriteAll("this is not a data file at all");
  DataFileOpenReport report;
  auto w = DataFileWriter::Open(Env::Default(), path_, &report);
  ASSERT_FALSE(w.ok());
  EXPECT_TRUE(w.status().IsCorruption());
  EXPECT_NE(w.status().message().find(path_), std::string::npos);
  EXPECT_FALSE(DataFileReader::Open(Env::Default(), path_).ok());
  EXPECT_EQ(ReadAll(), "this is not a data file at all");
  WriteAll("NX");  // short, and not the start of our header
  EXPECT_FALSE(DataFileWriter::Open(Env::Default(), path_, &report).ok());
}

TEST_F(DataFileTest, UnknownVersionIsRefusedAndLeftUntouched) {
  std::string header = EncodeDataFileHeader().substr(0, 12);
  header[4] = 9;
  PutFixed32(&header, Crc32c(header));
  WriteAll(header);
  auto r = DataFileReader::Open(Env::Default(), path_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnsupported);
  EXPECT_NE(r.status().message().find("version 9"), std::string::npos);
  DataFileOpenReport report;
  EXPECT_FALSE(DataFileWriter::Open(Env::Default(), path_, &report).ok());
  EXPECT_EQ(ReadAll(), header);
}

TEST_F(DataFileTest, CorruptMiddleFrameHeaderIsSkippedAndLaterFramesRead) {
  WriteFrames(3);
  std::string bytes = ReadAll();
  const uint64_t header_bytes = DecodeFixed32(bytes.data() + frame_offsets_[1] + 8);
  // Inside the second frame's directory.
  DamageBeyondRepair(&bytes, frame_offsets_[1], header_bytes, frame_offsets_[1] + 20);
  WriteAll(bytes);
  auto r = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ((*r)->frames().size(), 2u);
  EXPECT_EQ((*r)->frames()[1].offset, frame_offsets_[2]);
  EXPECT_NE((*r)->error().find("offset " + std::to_string(frame_offsets_[1])), std::string::npos)
      << (*r)->error();
  const auto samples = ReadMetric(**r, 2, kMinTimestamp, kMaxTimestamp);
  ASSERT_EQ(samples.size(), 100u);
  EXPECT_EQ(samples[50].bits, 100u * 1000);

  // The writer keeps the damaged frame in place (it is not a tail) and reports it.
  DataFileOpenReport report;
  auto w = DataFileWriter::Open(Env::Default(), path_, &report);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(report.dropped, "");
  EXPECT_NE(report.damaged, "");
  EXPECT_EQ(report.valid_bytes, bytes.size());
}

TEST_F(DataFileTest, CorruptBlockNamesFileOffsetAndMetric) {
  WriteFrames(2);
  auto clean = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(clean.ok());
  const FrameIndexEntry& e = (*clean)->frames()[1];
  const FrameColumnInfo* col = e.header.Find(2);
  std::string bytes = ReadAll();
  DamageBeyondRepair(&bytes, e.offset + col->values.offset, col->values.stored_len,
                     e.offset + col->values.offset);
  WriteAll(bytes);
  auto r = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->frames().size(), 2u);
  Status s;
  ReadMetric(**r, 2, kMinTimestamp, kMaxTimestamp, &s);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find(path_), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("offset " + std::to_string(e.offset)), std::string::npos);
  EXPECT_NE(s.message().find("metric id 2"), std::string::npos);
  EXPECT_EQ(ReadMetric(**r, 1, kMinTimestamp, kMaxTimestamp).size(), 100u);
  // The frame before the damage still reads when the range excludes the damaged one.
  EXPECT_EQ(ReadMetric(**r, 2, kStart, kStart + 49 * kStep).size(), 50u);
}

TEST_F(DataFileTest, DamagedBlockIsSkippedAndReportedWhenAsked) {
  WriteFrames(3);
  auto clean = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(clean.ok());
  const FrameIndexEntry& e = (*clean)->frames()[1];
  std::string bytes = ReadAll();
  const BlockRef& v = e.header.Find(2)->values;
  DamageBeyondRepair(&bytes, e.offset + v.offset, v.stored_len, e.offset + v.offset + 1);
  WriteAll(bytes);
  auto r = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(r.ok());
  std::vector<Sample> got;
  std::vector<SkippedBlock> skipped;
  ASSERT_TRUE((*r)->ReadMetric(
                      2, kMinTimestamp, kMaxTimestamp,
                      [&](const Sample& s) {
                        got.push_back(s);
                        return true;
                      },
                      &skipped)
                  .ok());
  ASSERT_EQ(got.size(), 100u);
  EXPECT_EQ(got[49].bits, 49u * 1000);
  EXPECT_EQ(got[50].bits, 100u * 1000);  // frame 2 follows frame 0
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].frame_offset, e.offset);
  EXPECT_EQ(skipped[0].id, 2u);
  EXPECT_EQ(skipped[0].samples, 50u);
  EXPECT_EQ(skipped[0].min_ts, kStart + 50 * kStep);
  EXPECT_EQ(skipped[0].max_ts, kStart + 99 * kStep);
  EXPECT_NE(skipped[0].reason.find("checksum"), std::string::npos) << skipped[0].reason;
}

TEST_F(DataFileTest, DamagedFileHeaderCostsNoFrame) {
  WriteFrames(2);
  std::string bytes = ReadAll();
  bytes[5] ^= 0x01;  // the version field: the header checksum no longer matches
  WriteAll(bytes);
  auto r = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->frames().size(), 2u);
  ASSERT_EQ((*r)->damaged().size(), 1u);
  EXPECT_EQ((*r)->damaged()[0].offset, 0u);
  EXPECT_NE((*r)->error().find("file header"), std::string::npos) << (*r)->error();
  EXPECT_EQ(ReadMetric(**r, 1, kMinTimestamp, kMaxTimestamp).size(), 100u);
  DataFileOpenReport report;
  auto w = DataFileWriter::Open(Env::Default(), path_, &report);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(report.valid_bytes, bytes.size());
  ASSERT_TRUE((*w)->Append(MakeFrame(2), false).ok());
  w->reset();
  auto again = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ReadMetric(**again, 2, kMinTimestamp, kMaxTimestamp).size(), 150u);
}

TEST_F(DataFileTest, DamagedLastFrameIsQuarantinedBeforeItIsCut) {
  WriteFrames(2);
  const std::string intact = ReadAll();
  std::string bytes = intact;
  const uint64_t header_bytes = DecodeFixed32(bytes.data() + frame_offsets_[1] + 8);
  // The last frame's directory.
  DamageBeyondRepair(&bytes, frame_offsets_[1], header_bytes, frame_offsets_[1] + 20);
  WriteAll(bytes);
  DataFileOpenReport report;
  auto w = DataFileWriter::Open(Env::Default(), path_, &report);
  ASSERT_TRUE(w.ok());
  const std::string aside = QuarantinePath(path_, frame_offsets_[1]);
  EXPECT_EQ(report.quarantined, aside);
  EXPECT_NE(report.dropped.find(aside), std::string::npos) << report.dropped;
  EXPECT_EQ(report.valid_bytes, frame_offsets_[1]);
  std::ifstream in(aside, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), bytes.substr(frame_offsets_[1]));
  ASSERT_TRUE((*w)->Append(MakeFrame(2), false).ok());
  w->reset();
  auto r = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->error(), "");
  EXPECT_EQ(ReadMetric(**r, 1, kMinTimestamp, kMaxTimestamp).size(), 100u);
}

TEST_F(DataFileTest, OnlyAProvablyTornTailIsCutWithoutQuarantine) {
  WriteFrames(2);
  const std::string whole = ReadAll();
  // The last frame's header is intact but its blocks never made it to disk.
  WriteAll(whole.substr(0, whole.size() - 3));
  DataFileOpenReport report;
  ASSERT_TRUE(DataFileWriter::Open(Env::Default(), path_, &report).ok());
  EXPECT_EQ(report.quarantined, "");
  EXPECT_NE(report.dropped.find("torn"), std::string::npos) << report.dropped;
  // Zeros a crash left where an append was going.
  WriteAll(whole.substr(0, frame_offsets_[1]) + std::string(300, '\0'));
  ASSERT_TRUE(DataFileWriter::Open(Env::Default(), path_, &report).ok());
  EXPECT_EQ(report.quarantined, "");
  EXPECT_EQ(report.valid_bytes, frame_offsets_[1]);
  EXPECT_FALSE(std::filesystem::exists(QuarantinePath(path_, frame_offsets_[1])));
}

TEST_F(DataFileTest, NameRecordsNameEachMetricOnceAndSurviveReopen) {
  {
    DataFileOpenReport report;
    auto w = DataFileWriter::Open(Env::Default(), path_, &report);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ((*w)->version(), data_format::kFileVersion);
    const std::vector<MetricName> names = {{1, ValueType::kFloat64, "room.temp"},
                                           {2, ValueType::kInt64, "door"}};
    ASSERT_TRUE((*w)->Append(MakeFrame(0), false, names).ok());
    const uint64_t after_first = (*w)->size();
    ASSERT_TRUE((*w)->Append(MakeFrame(1), false, names).ok());
    EXPECT_EQ((*w)->size() - after_first, MakeFrame(1).size()) << "named twice";
  }
  DataFileOpenReport report;
  auto w = DataFileWriter::Open(Env::Default(), path_, &report);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(report.damaged, "");
  const uint64_t before = (*w)->size();
  const std::vector<MetricName> more = {{1, ValueType::kFloat64, "room.temp"},
                                        {2, ValueType::kInt64, "door"},
                                        {3, ValueType::kInt64, "new"}};
  ASSERT_TRUE((*w)->Append(MakeFrame(2), false, more).ok());
  EXPECT_EQ((*w)->size() - before,
            MakeFrame(2).size() + EncodeNameRecord(std::span(more).subspan(2)).size());
  w->reset();
  auto r = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->error(), "");
  EXPECT_EQ((*r)->frames().size(), 3u);
  EXPECT_EQ((*r)->names(), more);
  EXPECT_EQ(ReadMetric(**r, 2, kMinTimestamp, kMaxTimestamp).size(), 150u);
}

TEST_F(DataFileTest, DamagedNameRecordIsSkippedLikeAFrame) {
  {
    DataFileOpenReport report;
    auto w = DataFileWriter::Open(Env::Default(), path_, &report);
    ASSERT_TRUE(w.ok());
    const std::vector<MetricName> names = {{1, ValueType::kFloat64, "a"}};
    ASSERT_TRUE((*w)->Append(MakeFrame(0), false, names).ok());
  }
  std::string bytes = ReadAll();
  bytes[data_format::kFileHeaderSize + 10] ^= 0x01;
  WriteAll(bytes);
  auto r = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)->names().empty());
  ASSERT_EQ((*r)->frames().size(), 1u);
  EXPECT_NE((*r)->error().find("name record"), std::string::npos) << (*r)->error();
}

TEST_F(DataFileTest, Version1FilesOpenAndStayVersion1) {
  WriteAll(EncodeDataFileHeader(1) + MakeFrame(0, 50, false));
  DataFileOpenReport report;
  auto w = DataFileWriter::Open(Env::Default(), path_, &report);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ((*w)->version(), 1);
  EXPECT_FALSE((*w)->frame_options().repair_bytes);
  const std::vector<MetricName> names = {{1, ValueType::kFloat64, "a"}};
  ASSERT_TRUE((*w)->Append(MakeFrame(1, 50, false), false, names).ok());
  w->reset();
  EXPECT_EQ(ReadAll(), EncodeDataFileHeader(1) + MakeFrame(0, 50, false) + MakeFrame(1, 50, false));
  auto r = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->version(), 1);
  EXPECT_EQ(ReadMetric(**r, 1, kMinTimestamp, kMaxTimestamp).size(), 100u);
}

TEST_F(DataFileTest, Version2FilesOpenAndStayVersion2WithoutRepairBytes) {
  WriteAll(EncodeDataFileHeader(2) + MakeFrame(0, 50, false));
  DataFileOpenReport report;
  auto w = DataFileWriter::Open(Env::Default(), path_, &report);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ((*w)->version(), 2);
  EXPECT_FALSE((*w)->frame_options().repair_bytes);
  const std::vector<MetricName> names = {{1, ValueType::kFloat64, "a"}};
  ASSERT_TRUE((*w)->Append(MakeFrame(1, 50, false), false, names).ok());
  w->reset();
  auto r = DataFileReader::Open(Env::Default(), path_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->version(), 2);
  EXPECT_EQ((*r)->error(), "");
  ASSERT_EQ((*r)->frames().size(), 2u);
  EXPECT_FALSE((*r)->frames()[0].header.repair_bytes);
  EXPECT_EQ((*r)->names().size(), 1u);
  EXPECT_EQ(ReadMetric(**r, 1, kMinTimestamp, kMaxTimestamp).size(), 100u);
}

// Version 3: one damaged byte anywhere in a frame, whatever its new value, is repaired: every
// sample reads back and nothing is reported, except in the frame's header length (the repair
// bytes are found through it), where the damage is detected.
TEST_F(DataFileTest, OneDamagedByteAnywhereInAFrameIsRepaired) {
  WriteFrames(2);
  const std::string whole = ReadAll();
  std::vector<Sample> expected[3];
  {
    auto r = DataFileReader::Open(Env::Default(), path_);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE((*r)->frames()[0].header.repair_bytes);
    for (MetricId id : {1, 2}) expected[id] = ReadMetric(**r, id, kMinTimestamp, kMaxTimestamp);
  }
  int detected = 0;
  for (size_t i = data_format::kFileHeaderSize; i < whole.size(); ++i) {
    const bool length_field = (i >= frame_offsets_[0] + 8 && i < frame_offsets_[0] + 12) ||
                              (i >= frame_offsets_[1] + 8 && i < frame_offsets_[1] + 12);
    for (int x : {0x01, 0x80, 0xff}) {
      std::string bad = whole;
      bad[i] = static_cast<char>(bad[i] ^ x);
      WriteAll(bad);
      auto r = DataFileReader::Open(Env::Default(), path_);
      ASSERT_TRUE(r.ok()) << "flip at " << i << ": " << r.status().ToString();
      if (length_field) {
        detected += !(*r)->error().empty();
        continue;
      }
      ASSERT_EQ((*r)->error(), "") << "flip at " << i << " x " << x;
      for (MetricId id : {1, 2}) {
        ASSERT_EQ(ReadMetric(**r, id, kMinTimestamp, kMaxTimestamp), expected[id])
            << "flip at " << i << " x " << x;
      }
    }
  }
  EXPECT_GT(detected, 0);
}

// Flips every byte of a one-frame file: opening and reading never crash and never return
// samples that differ from what was written.
TEST_F(DataFileTest, EveryFlippedByteIsDetectedOrHarmless) {
  WriteFrames(1);
  const std::string whole = ReadAll();
  std::vector<Sample> expected[3];
  {
    auto r = DataFileReader::Open(Env::Default(), path_);
    ASSERT_TRUE(r.ok());
    for (MetricId id : {1, 2}) expected[id] = ReadMetric(**r, id, kMinTimestamp, kMaxTimestamp);
  }
  for (size_t i = 0; i < whole.size(); ++i) {
    std::string bad = whole;
    bad[i] = static_cast<char>(~bad[i]);
    WriteAll(bad);
    auto r = DataFileReader::Open(Env::Default(), path_);
    ASSERT_TRUE(r.ok()) << "flip at " << i << ": " << r.status().ToString();
    for (MetricId id : {1, 2}) {
      Status s;
      const auto got = ReadMetric(**r, id, kMinTimestamp, kMaxTimestamp, &s);
      if (s.ok() && !got.empty()) EXPECT_EQ(got, expected[id]) << i;
      if (!s.ok()) EXPECT_TRUE(s.IsCorruption()) << i;
    }
    const bool any_lost = (*r)->frames().empty() || !(*r)->error().empty();
    Status s1, s2;
    const bool repaired = ReadMetric(**r, 1, kMinTimestamp, kMaxTimestamp, &s1) == expected[1] &&
                          ReadMetric(**r, 2, kMinTimestamp, kMaxTimestamp, &s2) == expected[2];
    EXPECT_TRUE(any_lost || !s1.ok() || !s2.ok() || repaired)
        << "flip at " << i << " went unnoticed";
  }
}

}  // namespace
}  // namespace nanotdb
