#include "storage/filenames.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "nanotdb/time_util.h"

namespace nanotdb {
namespace {

Timestamp Utc(int y, unsigned m, unsigned d, int64_t hours = 0) {
  return DaysFromCivil(y, m, d) * kDay + hours * kHour;
}

TEST(FilenamesTest, DatabasePathsFollowTheLayout) {
  EXPECT_EQ(DatabaseDir("/data", "home"), "/data/home");
  EXPECT_EQ(DatabaseDir("/data/", "home"), "/data/home");
  EXPECT_EQ(WalPath("/data", "home"), "/data/home/home.wal");
  EXPECT_EQ(CatalogPath("/data", "home"), "/data/home/catalog.json");
  EXPECT_EQ(ManifestPath("/data", "home"), "/data/home/manifest.toml");
  EXPECT_EQ(LockPath("/data"), "/data/.lock");
  EXPECT_EQ(DataFilePath("/data", "home", "2026-05-24"), "/data/home/data-2026-05-24.dat");
  EXPECT_EQ(TempFilePath("/data/home/catalog.json"), "/data/home/catalog.json.tmp");
  EXPECT_TRUE(IsTempFileName("catalog.json.tmp"));
  EXPECT_FALSE(IsTempFileName(".tmp"));
  EXPECT_FALSE(IsTempFileName("catalog.json"));
}

TEST(FilenamesTest, DataFileNamesRoundTripForEveryPartitioning) {
  for (std::string key : {"2026-05-24", "2026-05", "2026", "forever"}) {
    std::string parsed;
    ASSERT_TRUE(ParseDataFileName(DataFileName(key), &parsed)) << key;
    EXPECT_EQ(parsed, key);
  }
}

TEST(FilenamesTest, ForeignAndMalformedNamesAreNotDataFiles) {
  std::string key = "untouched";
  for (std::string name :
       {"data-.dat", "data-2026-13.dat", "data-2026-02-30.dat", "data-2026-5-24.dat",
        "data-20x6.dat", "data-2026-05-24.dat.tmp", "metric-2026-05-24.dat", "data-2026.wal",
        "data-Forever.dat", "data-2026-05-24-01.dat", "data.dat", ""}) {
    EXPECT_FALSE(ParseDataFileName(name, &key)) << name;
  }
  EXPECT_EQ(key, "untouched");
  std::string leap;
  EXPECT_TRUE(ParseDataFileName("data-2024-02-29.dat", &leap));
  EXPECT_FALSE(ParseDataFileName("data-2023-02-29.dat", &leap));
}

TEST(FilenamesTest, PartitionKeyUsesUtcCalendarPeriods) {
  Timestamp ts = Utc(2026, 5, 24, 23) + 59 * kMinute;
  EXPECT_EQ(PartitionKey(Partitioning::kDay, ts), "2026-05-24");
  EXPECT_EQ(PartitionKey(Partitioning::kMonth, ts), "2026-05");
  EXPECT_EQ(PartitionKey(Partitioning::kYear, ts), "2026");
  EXPECT_EQ(PartitionKey(Partitioning::kForever, ts), "forever");
  EXPECT_EQ(PartitionKey(Partitioning::kDay, Utc(2026, 5, 25)), "2026-05-25");
  EXPECT_EQ(PartitionKey(Partitioning::kDay, Utc(2026, 5, 25) - 1), "2026-05-24");
}

TEST(FilenamesTest, TimesBefore1970FloorToTheRightDay) {
  EXPECT_EQ(PartitionKey(Partitioning::kDay, -1), "1969-12-31");
  EXPECT_EQ(PartitionKey(Partitioning::kDay, 0), "1970-01-01");
  EXPECT_EQ(PartitionKey(Partitioning::kDay, -kDay), "1969-12-31");
  EXPECT_EQ(PartitionKey(Partitioning::kYear, kMinTimestamp), "1677");
  EXPECT_EQ(PartitionKey(Partitioning::kYear, kMaxTimestamp), "2262");
}

TEST(FilenamesTest, PartitionRangeIsHalfOpenAndContainsItsKeysTimes) {
  Timestamp start, end;
  ASSERT_TRUE(PartitionRange(Partitioning::kDay, "2026-05-24", &start, &end));
  EXPECT_EQ(start, Utc(2026, 5, 24));
  EXPECT_EQ(end, Utc(2026, 5, 25));
  ASSERT_TRUE(PartitionRange(Partitioning::kMonth, "2026-12", &start, &end));
  EXPECT_EQ(start, Utc(2026, 12, 1));
  EXPECT_EQ(end, Utc(2027, 1, 1));
  ASSERT_TRUE(PartitionRange(Partitioning::kMonth, "2024-02", &start, &end));
  EXPECT_EQ(end - start, 29 * kDay);
  ASSERT_TRUE(PartitionRange(Partitioning::kYear, "2026", &start, &end));
  EXPECT_EQ(start, Utc(2026, 1, 1));
  EXPECT_EQ(end, Utc(2027, 1, 1));
  ASSERT_TRUE(PartitionRange(Partitioning::kForever, "forever", &start, &end));
  EXPECT_EQ(start, kMinTimestamp);
  EXPECT_EQ(end, kMaxTimestamp);

  for (Partitioning mode : {Partitioning::kDay, Partitioning::kMonth, Partitioning::kYear}) {
    for (Timestamp ts :
         {Utc(2026, 1, 1), Utc(2026, 3, 31, 23), Utc(1999, 12, 31, 12), Timestamp{-1}}) {
      ASSERT_TRUE(PartitionRange(mode, PartitionKey(mode, ts), &start, &end));
      EXPECT_LE(start, ts);
      EXPECT_LT(ts, end);
    }
  }
}

TEST(FilenamesTest, PartitionRangeRejectsWrongModeAndUnrepresentableKeys) {
  Timestamp start = 7, end = 7;
  EXPECT_FALSE(PartitionRange(Partitioning::kDay, "2026-05", &start, &end));
  EXPECT_FALSE(PartitionRange(Partitioning::kYear, "forever", &start, &end));
  EXPECT_FALSE(PartitionRange(Partitioning::kDay, "2026-02-30", &start, &end));
  EXPECT_FALSE(PartitionRange(Partitioning::kYear, "1500", &start, &end));
  EXPECT_FALSE(PartitionRange(Partitioning::kYear, "9999", &start, &end));
  EXPECT_EQ(start, 7);
  ASSERT_TRUE(PartitionRange(Partitioning::kYear, "2262", &start, &end));
  EXPECT_EQ(end, kMaxTimestamp);
  ASSERT_TRUE(PartitionRange(Partitioning::kYear, "1677", &start, &end));
  EXPECT_EQ(start, kMinTimestamp);
}

TEST(FilenamesTest, ParsePartitionKeyTellsTheMode) {
  Partitioning mode;
  ASSERT_TRUE(ParsePartitionKey("2026-05-24", &mode));
  EXPECT_EQ(mode, Partitioning::kDay);
  ASSERT_TRUE(ParsePartitionKey("2026-05", &mode));
  EXPECT_EQ(mode, Partitioning::kMonth);
  ASSERT_TRUE(ParsePartitionKey("2026", &mode));
  EXPECT_EQ(mode, Partitioning::kYear);
  ASSERT_TRUE(ParsePartitionKey("forever", &mode));
  EXPECT_EQ(mode, Partitioning::kForever);
  EXPECT_FALSE(ParsePartitionKey("2026-00", &mode));
  EXPECT_FALSE(ParsePartitionKey("26", &mode));
}

TEST(FilenamesTest, DirNameAndBaseName) {
  EXPECT_EQ(DirName("/data/home/catalog.json"), "/data/home");
  EXPECT_EQ(DirName("catalog.json"), ".");
  EXPECT_EQ(DirName("/x"), "/");
  EXPECT_EQ(DirName("/data/home/"), "/data");
  EXPECT_EQ(BaseName("/data/home"), "home");
  EXPECT_EQ(BaseName("/data/home/"), "home");
  EXPECT_EQ(BaseName("home"), "home");
}

TEST(FilenamesTest, IsDatabaseDirLooksForAnyOfItsFiles) {
  char tmpl[] = "/tmp/nanotdb-names-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string root = tmpl;
  Env* env = Env::Default();
  auto touch = [&](const std::string& path) {
    auto f = env->NewWritableFile(path, true);
    ASSERT_TRUE(f.ok());
  };
  for (std::string name : {"a", "b", "c", "d", "plain"}) {
    ASSERT_TRUE(env->CreateDirIfMissing(DatabaseDir(root, name)).ok());
  }
  touch(ManifestPath(root, "a"));
  touch(CatalogPath(root, "b"));
  touch(DataFilePath(root, "c", "2026-05-24"));
  touch(WalPath(root, "d"));
  touch(DatabaseDir(root, "plain") + "/notes.txt");
  touch(DatabaseDir(root, "plain") + "/other.wal");
  for (std::string name : {"a", "b", "c", "d"}) {
    EXPECT_TRUE(IsDatabaseDir(env, DatabaseDir(root, name))) << name;
  }
  EXPECT_FALSE(IsDatabaseDir(env, DatabaseDir(root, "plain")));
  EXPECT_FALSE(IsDatabaseDir(env, DatabaseDir(root, "missing")));
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace nanotdb
