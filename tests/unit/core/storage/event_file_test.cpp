#include "storage/event_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "storage/event_format.h"
#include "storage/event_store.h"
#include "storage/fault_env.h"
#include "storage/filenames.h"

namespace nanotdb {
namespace {

constexpr Timestamp kDay1 = 1767225600000000000;  // 2026-01-01T00:00:00Z

Event Make(std::string name, Timestamp ts, std::optional<Value> v = std::nullopt,
           std::string payload = "") {
  Event e;
  e.name = std::move(name);
  e.ts = ts;
  e.value = v;
  e.payload = std::move(payload);
  return e;
}

class EventFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nanotdb-event-file-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    std::filesystem::create_directories(root_ + "/db");
    path_ = EventFilePath(root_, "db", "2026-01-01");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string ReadAll(const std::string& path) const {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void WriteAll(const std::string& path, const std::string& bytes) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  // Appends one block per event of `events` (so each costs one block); returns block offsets.
  std::vector<uint64_t> AppendBlocks(const std::vector<Event>& events) {
    EventFileOpenReport report;
    auto w = EventFileWriter::Open(Env::Default(), path_, &report);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    std::vector<uint64_t> offsets;
    for (const Event& e : events) {
      std::string block;
      EXPECT_TRUE(EncodeEventBlock(std::span<const Event>(&e, 1), &block).ok());
      offsets.push_back((*w)->size());
      EXPECT_TRUE((*w)->Append(block, true).ok());
    }
    return offsets;
  }
  std::unique_ptr<EventStore> Store(Env* env = Env::Default(), bool sync = true) {
    EventStoreOptions o;
    o.env = env;
    o.root = root_;
    o.db = "db";
    o.sync_every_write = sync;
    auto s = EventStore::Open(std::move(o));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(*s);
  }
  std::vector<Event> ReadAllEvents(EventStore& s, EventReadReport* report,
                                   EventQuery q = EventQuery{}) {
    std::vector<Event> out;
    EXPECT_TRUE(s.Read(
                     q,
                     [&](const Event& e) {
                       out.push_back(e);
                       return true;
                     },
                     report)
                    .ok());
    return out;
  }

  std::string root_, path_;
};

TEST_F(EventFileTest, BlockRoundTripKeepsEveryFieldBitForBit) {
  std::vector<Event> in = {
      Make("deploy", kDay1 + 5, Value::Int64(-9223372036854775807LL - 1), R"({"v":"1.2"})"),
      Make("door.open", kDay1, std::nullopt, ""),
      Make("temp spike", kDay1 + 5, Value::Float64(std::nan("7")), "[1,2]"),
      Make(std::string(kMaxEventNameBytes, 'x'), kDay1 - 3, Value::Float64(-0.0),
           std::string(kMaxEventPayloadBytes, 'p')),
  };
  std::string block;
  ASSERT_TRUE(EncodeEventBlock(in, &block).ok());
  std::vector<Event> out;
  ASSERT_TRUE(DecodeEventBlock(block, &out).ok());
  EXPECT_EQ(out, in);
}

TEST_F(EventFileTest, AnyFlippedByteOfABlockIsCorruption) {
  std::vector<Event> in = {Make("a", kDay1, Value::Int64(1), "{}")};
  std::string block;
  ASSERT_TRUE(EncodeEventBlock(in, &block).ok());
  for (size_t i = 0; i < block.size(); ++i) {
    std::string bad = block;
    bad[i] ^= 0x10;
    std::vector<Event> out;
    EXPECT_TRUE(DecodeEventBlock(bad, &out).IsCorruption()) << "byte " << i;
    EXPECT_TRUE(out.empty());
  }
}

TEST_F(EventFileTest, DamagedMiddleBlockCostsOnlyThatBlock) {
  auto offsets = AppendBlocks({Make("a", kDay1 + 1), Make("b", kDay1 + 2), Make("c", kDay1 + 3)});
  std::string bytes = ReadAll(path_);
  bytes[offsets[1] + event_format::kBlockPrefixSize + 1] ^= 0x01;  // inside b's body
  WriteAll(path_, bytes);

  EventFileScan scan;
  ASSERT_TRUE(ScanEventFile(bytes, path_, &scan).ok());
  ASSERT_EQ(scan.blocks.size(), 2u);
  ASSERT_EQ(scan.damaged.size(), 1u);
  EXPECT_EQ(scan.damaged[0].offset, offsets[1]);
  EXPECT_EQ(scan.damaged[0].bytes, offsets[2] - offsets[1]);
  EXPECT_EQ(scan.tail(), nullptr);

  auto store = Store();
  EventReadReport report;
  std::vector<Event> got = ReadAllEvents(*store, &report);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].name, "a");
  EXPECT_EQ(got[1].name, "c");
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_NE(report.skipped[0].find("db/events-2026-01-01.evt offset " + std::to_string(offsets[1])),
            std::string::npos)
      << report.skipped[0];
  EXPECT_NE(report.skipped[0].find("block checksum mismatch"), std::string::npos);
}

TEST_F(EventFileTest, DamagedPrefixResynchronisesOnTheNextBlock) {
  auto offsets = AppendBlocks({Make("a", kDay1 + 1), Make("b", kDay1 + 2), Make("c", kDay1 + 3)});
  std::string bytes = ReadAll(path_);
  bytes[offsets[1] + 5] ^= 0x40;  // b's length: its prefix no longer verifies
  EventFileScan scan;
  ASSERT_TRUE(ScanEventFile(bytes, path_, &scan).ok());
  ASSERT_EQ(scan.blocks.size(), 2u);
  EXPECT_EQ(scan.blocks[1].offset, offsets[2]);
  ASSERT_EQ(scan.damaged.size(), 1u);
  EXPECT_EQ(scan.damaged[0].bytes, offsets[2] - offsets[1]);
}

TEST_F(EventFileTest, TornTailIsCutOnOpenWithoutQuarantine) {
  auto offsets = AppendBlocks({Make("a", kDay1 + 1), Make("b", kDay1 + 2, Value::Int64(7))});
  const std::string bytes = ReadAll(path_);
  for (size_t cut : {offsets[1] + 3, offsets[1] + 20, bytes.size() - 1}) {
    WriteAll(path_, bytes.substr(0, cut));
    EventFileOpenReport report;
    auto w = EventFileWriter::Open(Env::Default(), path_, &report);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_NE(report.dropped.find("cut torn tail at offset " + std::to_string(offsets[1])),
              std::string::npos)
        << report.dropped;
    EXPECT_TRUE(report.quarantined.empty());
    EXPECT_EQ((*w)->size(), offsets[1]);
  }
  std::vector<std::string> names;
  ASSERT_TRUE(Env::Default()->GetChildren(root_ + "/db", &names).ok());
  EXPECT_EQ(names, std::vector<std::string>{"events-2026-01-01.evt"});
}

TEST_F(EventFileTest, DamagedTailIsQuarantinedBeforeItIsCut) {
  auto offsets = AppendBlocks({Make("a", kDay1 + 1), Make("b", kDay1 + 2)});
  std::string bytes = ReadAll(path_);
  const std::string tail = bytes.substr(offsets[1]);
  bytes[bytes.size() - 6] ^= 0x01;
  WriteAll(path_, bytes);
  EventFileOpenReport report;
  auto w = EventFileWriter::Open(Env::Default(), path_, &report);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(report.quarantined, QuarantinePath(path_, offsets[1]));
  std::string aside = ReadAll(report.quarantined);
  EXPECT_EQ(aside.size(), tail.size());
  EXPECT_EQ((*w)->size(), offsets[1]);
}

TEST_F(EventFileTest, NotAnEventsFileIsRefusedAndLeftUntouched) {
  const std::string junk = "this is not an events file at all, 48 bytes....";
  WriteAll(path_, junk);
  EventFileOpenReport report;
  auto w = EventFileWriter::Open(Env::Default(), path_, &report);
  EXPECT_TRUE(w.status().IsCorruption()) << w.status().ToString();
  EXPECT_EQ(ReadAll(path_), junk);
}

TEST_F(EventFileTest, StoreReadsInTimeOrderAcrossPartitionsWithNameFilterAndLimit) {
  auto store = Store();
  std::vector<Event> in = {
      Make("b", kDay1 + kDay + 10), Make("a", kDay1 + 30),
      Make("a", kDay1 + 10),        Make("a", kDay1 + kDay + 5, Value::Float64(2.5)),
      Make("b", kDay1 + 10),
  };
  EventWriteResult r;
  ASSERT_TRUE(store->Write(in, &r).ok());
  EXPECT_EQ(r.written, 5u);
  EXPECT_TRUE(r.rejected.empty());

  EventReadReport report;
  std::vector<Event> all = ReadAllEvents(*store, &report);
  ASSERT_EQ(all.size(), 5u);
  std::vector<Timestamp> ts;
  for (const Event& e : all) ts.push_back(e.ts);
  EXPECT_TRUE(std::is_sorted(ts.begin(), ts.end()));
  EXPECT_EQ(all[0].name, "a");  // equal times keep the order they were stored in
  EXPECT_EQ(all[1].name, "b");

  EventQuery q;
  q.name = "a";
  q.from = kDay1 + 20;
  std::vector<Event> a = ReadAllEvents(*store, &report, q);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[1].value->AsFloat64(), 2.5);
  q.limit = 1;
  EXPECT_EQ(ReadAllEvents(*store, &report, q).size(), 1u);
  EXPECT_TRUE(report.skipped.empty());

  std::vector<EventCount> counts;
  ASSERT_TRUE(store->Count(EventQuery{}, kDay, &counts, nullptr).ok());
  ASSERT_EQ(counts.size(), 4u);
  EXPECT_EQ(counts[0].name, "a");
  EXPECT_EQ(counts[0].bucket, kDay1);
  EXPECT_EQ(counts[0].count, 2u);
  EXPECT_EQ(counts[3].name, "b");
  EXPECT_EQ(counts[3].bucket, kDay1 + kDay);

  // A new store (a restart) finds the files.
  store.reset();
  store = Store();
  EXPECT_EQ(ReadAllEvents(*store, &report).size(), 5u);
}

TEST_F(EventFileTest, InvalidEventsAreRejectedByIndexAndTheRestStored) {
  auto store = Store();
  std::vector<Event> in = {
      Make("ok", kDay1), Make("", kDay1), Make("bad\nname", kDay1),
      Make("big", kDay1, std::nullopt, std::string(kMaxEventPayloadBytes + 1, 'x')),
      Make("ok2", kDay1)};
  EventWriteResult r;
  ASSERT_TRUE(store->Write(in, &r).ok());
  EXPECT_EQ(r.written, 2u);
  ASSERT_EQ(r.rejected.size(), 3u);
  EXPECT_EQ(r.rejected[0].first, 1u);
  EXPECT_EQ(r.rejected[0].second.message(), "event name is empty");
  EXPECT_EQ(r.rejected[1].second.message(),
            "event name \"bad\nname\" has a control character at byte 3");
  EXPECT_EQ(r.rejected[2].second.message(),
            "event \"big\": payload is 65537 bytes, more than the limit of 65536");
  EventReadReport report;
  EXPECT_EQ(ReadAllEvents(*store, &report).size(), 2u);
}

TEST_F(EventFileTest, FailedFsyncUnderAlwaysIsAnErrorAndTheEventIsNotKept) {
  FaultInjectionEnv env(Env::Default());
  auto store = Store(&env, /*sync=*/true);
  EventWriteResult r;
  std::vector<Event> first = {Make("kept", kDay1)};
  ASSERT_TRUE(store->Write(first, &r).ok());
  env.SetSyncFailure(true);
  std::vector<Event> second = {Make("lost", kDay1 + 1)};
  EXPECT_FALSE(store->Write(second, &r).ok());
  env.ClearFaults();
  EventReadReport report;
  std::vector<Event> got = ReadAllEvents(*store, &report);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].name, "kept");
}

TEST_F(EventFileTest, PowerLossKeepsEveryAcknowledgedEventUnderAlways) {
  FaultInjectionEnv env(Env::Default());
  env.SetPassSyncsThrough(false);
  {
    auto store = Store(&env, /*sync=*/true);
    for (int i = 0; i < 20; ++i) {
      std::vector<Event> one = {Make("e" + std::to_string(i), kDay1 + i)};
      EventWriteResult r;
      ASSERT_TRUE(store->Write(one, &r).ok());
    }
    ASSERT_TRUE(env.DropUnsyncedData().ok());
  }
  auto store = Store(&env, true);
  EventReadReport report;
  EXPECT_EQ(ReadAllEvents(*store, &report).size(), 20u);
  EXPECT_TRUE(report.skipped.empty());
}

}  // namespace
}  // namespace nanotdb
