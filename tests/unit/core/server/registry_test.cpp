#include "server/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nanotdb::server {
namespace {

struct Greeter {
  static constexpr const char* kServiceName = "test.greeter";
  static constexpr uint32_t kServiceVersion = 2;
};

TEST(RegistryTest, ServicesAreFoundByNameAndVersion) {
  ServiceRegistry registry;
  Greeter greeter;
  ASSERT_TRUE(registry.Publish(&greeter, "core").ok());
  EXPECT_EQ(registry.Get<Greeter>(), &greeter);
  EXPECT_EQ(registry.Find("test.greeter", 2), &greeter);
  EXPECT_EQ(registry.Find("test.greeter", 1), nullptr);
  EXPECT_EQ(registry.Find("test.other", 2), nullptr);
}

TEST(RegistryTest, SecondPublisherOfTheSameServiceIsRefusedByName) {
  ServiceRegistry registry;
  Greeter a, b;
  ASSERT_TRUE(registry.Publish(&a, "plugin one").ok());
  Status st = registry.Publish(&b, "plugin two");
  EXPECT_EQ(st.code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(st.message(),
            "service test.greeter v2 is already registered by plugin one (plugin two tried "
            "again)");
  EXPECT_EQ(registry.Get<Greeter>(), &a);
  EXPECT_THAT(registry.Describe(), ::testing::ElementsAre("test.greeter v2 (plugin one)"));
}

TEST(RegistryTest, NullServiceIsRefused) {
  ServiceRegistry registry;
  EXPECT_TRUE(registry.Register("x", 1, nullptr, "p").IsInvalidArgument());
}

}  // namespace
}  // namespace nanotdb::server
