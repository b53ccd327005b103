#include "server/router.h"

#include <gtest/gtest.h>

namespace nanotdb::server {
namespace {

RouteSpec Route(std::string path, bool prefix = false) {
  RouteSpec r;
  r.path = std::move(path);
  r.prefix = prefix;
  r.handler = [](const HttpRequest&, HttpResponse&) {};
  return r;
}

std::string MatchedPath(const Router& router, std::string_view path) {
  auto route = router.Match(path, "GET").route;
  return route == nullptr ? "<none>" : route->path + (route->prefix ? "*" : "");
}

TEST(RouterTest, ExactRouteMatchesOnlyItsPath) {
  Router router;
  ASSERT_TRUE(router.AddRoute(Route("/api/v1/query")).ok());
  EXPECT_EQ(MatchedPath(router, "/api/v1/query"), "/api/v1/query");
  EXPECT_EQ(MatchedPath(router, "/api/v1/query_range"), "<none>");
  EXPECT_EQ(MatchedPath(router, "/api/v1/query/"), "<none>");
}

TEST(RouterTest, PrefixRouteMatchesBelowItAtPathBoundaries) {
  Router router;
  ASSERT_TRUE(router.AddRoute(Route("/assets", true)).ok());
  EXPECT_EQ(MatchedPath(router, "/assets"), "/assets*");
  EXPECT_EQ(MatchedPath(router, "/assets/app.js"), "/assets*");
  EXPECT_EQ(MatchedPath(router, "/assetsx"), "<none>");
}

TEST(RouterTest, PrefixEndingInSlashMatchesEverythingBelow) {
  Router router;
  ASSERT_TRUE(router.AddRoute(Route("/dashboard/", true)).ok());
  EXPECT_EQ(MatchedPath(router, "/dashboard/edit"), "/dashboard/*");
  EXPECT_EQ(MatchedPath(router, "/dashboard"), "<none>");
}

TEST(RouterTest, ExactWinsOverPrefixAndLongestPrefixWins) {
  Router router;
  ASSERT_TRUE(router.AddRoute(Route("/", true)).ok());
  ASSERT_TRUE(router.AddRoute(Route("/api/engine", true)).ok());
  ASSERT_TRUE(router.AddRoute(Route("/api/engine/overview")).ok());
  EXPECT_EQ(MatchedPath(router, "/api/engine/overview"), "/api/engine/overview");
  EXPECT_EQ(MatchedPath(router, "/api/engine/files"), "/api/engine*");
  EXPECT_EQ(MatchedPath(router, "/index.html"), "/*");
}

TEST(RouterTest, DuplicateRouteIsRefusedButExactAndPrefixMayShareAPath) {
  Router router;
  ASSERT_TRUE(router.AddRoute(Route("/explore")).ok());
  Status st = router.AddRoute(Route("/explore"));
  EXPECT_EQ(st.code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(st.message(), "GET route /explore is already registered by another plugin");
  EXPECT_TRUE(router.AddRoute(Route("/explore", true)).ok());
  EXPECT_EQ(router.AddRoute(Route("/explore", true)).message(),
            "GET prefix route /explore is already registered by another plugin");
}

TEST(RouterTest, RoutesMayShareAPathWithDifferentMethodsAndRoles) {
  Router router;
  RouteSpec get = Route("/api/dashboard-config");
  RouteSpec put = Route("/api/dashboard-config");
  put.methods = {"PUT"};
  put.role = Role::kAdmin;
  ASSERT_TRUE(router.AddRoute(get).ok());
  ASSERT_TRUE(router.AddRoute(put).ok());
  EXPECT_EQ(router.Match("/api/dashboard-config", "PUT").route->role, Role::kAdmin);
  EXPECT_EQ(router.Match("/api/dashboard-config", "HEAD").route->role, Role::kRead);
  RouteMatch none = router.Match("/api/dashboard-config", "DELETE");
  EXPECT_EQ(none.route, nullptr);
  EXPECT_TRUE(none.path_known);
  EXPECT_EQ(none.allow, "GET, HEAD, PUT");
  EXPECT_TRUE(router.AddRoute(put).code() == Status::Code::kAlreadyExists);
}

TEST(RouterTest, MalformedRoutesAreRefused) {
  Router router;
  EXPECT_TRUE(router.AddRoute(Route("api")).IsInvalidArgument());
  RouteSpec no_handler = Route("/x");
  no_handler.handler = nullptr;
  EXPECT_TRUE(router.AddRoute(no_handler).IsInvalidArgument());
  RouteSpec no_methods = Route("/y");
  no_methods.methods.clear();
  EXPECT_TRUE(router.AddRoute(no_methods).IsInvalidArgument());
}

}  // namespace
}  // namespace nanotdb::server
