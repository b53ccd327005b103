#include "storage/page.h"

#include <gtest/gtest.h>

namespace nanotdb {
namespace {

TEST(OpenPageTest, ColumnsAreOrderedByMetricIdAndKeepArrivalOrder) {
  OpenPage page("2026-05-28", 0);
  page.Add(7, ValueType::kInt64, Sample{10, 1});
  page.Add(2, ValueType::kFloat64, Sample{11, 2});
  page.Add(7, ValueType::kInt64, Sample{10, 3});
  EXPECT_EQ(page.samples(), 3u);
  EXPECT_EQ(page.bytes(), 3 * sizeof(Sample));
  auto cols = page.Columns();
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[0].id, 2u);
  EXPECT_EQ(cols[1].id, 7u);
  ASSERT_EQ(cols[1].samples.size(), 2u);
  EXPECT_EQ(cols[1].samples[1].bits, 3u);
}

TEST(OpenPageTest, CollectReturnsOnlyTheRequestedRange) {
  OpenPage page("k", 0);
  for (int i = 0; i < 10; ++i) page.Add(1, ValueType::kInt64, Sample{i * 10, uint64_t(i)});
  std::vector<Sample> out;
  page.Collect(1, 25, 60, &out);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out.front().ts, 30);
  EXPECT_EQ(out.back().ts, 60);
  out.clear();
  page.Collect(2, 0, 100, &out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace nanotdb
