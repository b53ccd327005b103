#include "server/auth.h"

#include <gtest/gtest.h>

namespace nanotdb::server {
namespace {

using Outcome = Authenticator::Outcome;

constexpr const char* kLoopback = "127.0.0.1:40000";
constexpr const char* kRemote = "192.168.1.20:40000";

Outcome Check(const Authenticator& auth, Role role, std::string_view header,
              std::string_view remote) {
  return auth.Check(role, header, remote).outcome;
}

TEST(AuthTest, WithoutTokensReadIsOpenAndWriteAdminAreLoopbackOnly) {
  Authenticator auth(AuthConfig{});
  EXPECT_EQ(Check(auth, Role::kRead, "", kRemote), Outcome::kAllow);
  EXPECT_EQ(Check(auth, Role::kWrite, "", kLoopback), Outcome::kAllow);
  EXPECT_EQ(Check(auth, Role::kAdmin, "", kLoopback), Outcome::kAllow);
  EXPECT_EQ(Check(auth, Role::kWrite, "", kRemote), Outcome::kForbidden);
  Authenticator::Decision d = auth.Check(Role::kAdmin, "", kRemote);
  EXPECT_EQ(d.outcome, Outcome::kForbidden);
  EXPECT_EQ(d.reason,
            "admin endpoints are served to loopback clients only; set [auth] admin_token in "
            "engine.toml to allow remote access");
}

TEST(AuthTest, LoopbackIsRecognisedForIpv4Ipv6AndMappedAddresses) {
  EXPECT_TRUE(Authenticator::IsLoopback("127.0.0.1:1"));
  EXPECT_TRUE(Authenticator::IsLoopback("127.8.9.10:1"));
  EXPECT_TRUE(Authenticator::IsLoopback("[::1]:8428"));
  EXPECT_TRUE(Authenticator::IsLoopback("[::ffff:127.0.0.1]:8428"));
  EXPECT_FALSE(Authenticator::IsLoopback("10.0.0.1:1"));
  EXPECT_FALSE(Authenticator::IsLoopback("[fe80::1]:1"));
  EXPECT_FALSE(Authenticator::IsLoopback("not-an-address"));
}

TEST(AuthTest, ConfiguredTokenIsRequiredEvenOnLoopback) {
  AuthConfig config;
  config.write_token = "w-token";
  Authenticator auth(config);
  EXPECT_EQ(Check(auth, Role::kWrite, "", kLoopback), Outcome::kUnauthorized);
  EXPECT_EQ(Check(auth, Role::kWrite, "Bearer w-token", kRemote), Outcome::kAllow);
  EXPECT_EQ(Check(auth, Role::kWrite, "bearer w-token", kRemote), Outcome::kAllow);
  EXPECT_EQ(Check(auth, Role::kWrite, "Bearer w-tokem", kRemote), Outcome::kUnauthorized);
  // InfluxDB 2.x clients send "Token <t>".
  EXPECT_EQ(Check(auth, Role::kWrite, "Token w-token", kRemote), Outcome::kAllow);
  EXPECT_EQ(Check(auth, Role::kWrite, "Token w-tokem", kRemote), Outcome::kUnauthorized);
  EXPECT_EQ(Check(auth, Role::kWrite, "Token ", kLoopback), Outcome::kUnauthorized);
  // read stays open; the write token also serves read.
  EXPECT_EQ(Check(auth, Role::kRead, "", kRemote), Outcome::kAllow);
  EXPECT_EQ(Check(auth, Role::kRead, "Bearer w-token", kRemote), Outcome::kAllow);
}

TEST(AuthTest, EmptyInfluxTokenIsNoCredential) {
  Authenticator open_auth{AuthConfig{}};
  EXPECT_EQ(Check(open_auth, Role::kWrite, "Token ", kLoopback), Outcome::kAllow);
  EXPECT_EQ(Check(open_auth, Role::kWrite, "Token", kRemote), Outcome::kForbidden);
}

TEST(AuthTest, RolesNestAdminOverWriteOverRead) {
  AuthConfig config;
  config.read_token = "r";
  config.write_token = "w";
  config.admin_token = "a";
  Authenticator auth(config);
  EXPECT_EQ(Check(auth, Role::kRead, "", kRemote), Outcome::kUnauthorized);
  EXPECT_EQ(Check(auth, Role::kRead, "Bearer r", kRemote), Outcome::kAllow);
  EXPECT_EQ(Check(auth, Role::kWrite, "Bearer r", kRemote), Outcome::kForbidden);
  EXPECT_EQ(Check(auth, Role::kWrite, "Bearer a", kRemote), Outcome::kAllow);
  EXPECT_EQ(Check(auth, Role::kAdmin, "Bearer w", kRemote), Outcome::kForbidden);
  EXPECT_EQ(Check(auth, Role::kAdmin, "Bearer a", kRemote), Outcome::kAllow);
}

TEST(AuthTest, UnprotectedRoleAllowsRemoteCallersWithAHigherToken) {
  AuthConfig config;
  config.admin_token = "a";
  Authenticator auth(config);
  // write has no token: loopback gets it freely, remote callers must prove admin.
  EXPECT_EQ(Check(auth, Role::kWrite, "", kLoopback), Outcome::kAllow);
  EXPECT_EQ(Check(auth, Role::kWrite, "", kRemote), Outcome::kUnauthorized);
  EXPECT_EQ(Check(auth, Role::kWrite, "Bearer a", kRemote), Outcome::kAllow);
}

TEST(AuthTest, BasicAuthUsersCarryTheirRole) {
  AuthConfig config;
  config.users.push_back(BasicUser{"ops", "pw", Role::kWrite});
  Authenticator auth(config);
  // "ops:pw" and "ops:bad" in base64.
  EXPECT_EQ(Check(auth, Role::kWrite, "Basic b3BzOnB3", kRemote), Outcome::kAllow);
  EXPECT_EQ(Check(auth, Role::kWrite, "Basic b3BzOmJhZA==", kRemote), Outcome::kUnauthorized);
  EXPECT_EQ(Check(auth, Role::kWrite, "", kLoopback), Outcome::kUnauthorized);
  EXPECT_EQ(Check(auth, Role::kAdmin, "Basic b3BzOnB3", kRemote), Outcome::kForbidden);
  EXPECT_EQ(Check(auth, Role::kAdmin, "Basic b3BzOnB3", kLoopback), Outcome::kAllow);
}

TEST(AuthTest, WrongCredentialsAreRefusedEvenWhereNoneAreNeeded) {
  Authenticator auth(AuthConfig{});
  EXPECT_EQ(Check(auth, Role::kRead, "Bearer guess", kLoopback), Outcome::kUnauthorized);
  EXPECT_EQ(Check(auth, Role::kRead, "Digest foo", kLoopback), Outcome::kUnauthorized);
}

}  // namespace
}  // namespace nanotdb::server
