#include "metadata_store.h"

#include <gtest/gtest.h>

namespace nanotdb::prom {
namespace {

TEST(MetadataStoreTest, VariantsMostRecentFirstAndBounded) {
  MetadataStore store(/*max_families=*/2);
  store.Record("a", {"gauge", "one", ""});
  store.Record("a", {"gauge", "two", ""});
  store.Record("a", {"gauge", "one", ""});  // seen again: moves to the front
  auto listed = store.List("a", 0, 0);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].second,
            (std::vector<MetricMetadata>{{"gauge", "one", ""}, {"gauge", "two", ""}}));
  for (int i = 0; i < 10; ++i) store.Record("a", {"gauge", std::to_string(i), ""});
  EXPECT_EQ(store.List("a", 0, 0)[0].second.size(), MetadataStore::kMaxVariantsPerFamily);
  EXPECT_EQ(store.List("a", 0, 1)[0].second.size(), 1u);

  store.Record("b", {"counter", "", ""});
  store.Record("c", {"counter", "", ""});  // over max_families
  EXPECT_EQ(store.dropped(), 1u);
  auto all = store.List("", 0, 0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].first, "a");
  EXPECT_EQ(all[1].first, "b");
  EXPECT_EQ(store.List("", 1, 0).size(), 1u);
  EXPECT_TRUE(store.List("zzz", 0, 0).empty());
}

}  // namespace
}  // namespace nanotdb::prom
