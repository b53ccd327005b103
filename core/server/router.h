// Router: the core's one route table. Plugins add routes through HttpService; the HTTP server
// asks for the route of each request's path and method.
//
// Matching: an exact path wins; otherwise the longest prefix route whose path equals the
// request path or is followed in it by '/' (a prefix route "/assets" or "/assets/" matches
// "/assets/app.js", never "/assetsx"). Several routes may share a path when their methods
// differ (GET /api/dashboard-config for readers, PUT for admins), each with its own role.
// Thread-safe: routes may be added while requests are served; a matched route stays valid for
// as long as the caller holds it.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/services/http.h"

namespace nanotdb::server {

struct RouteMatch {
  std::shared_ptr<const RouteSpec> route;  // null when no route serves this path and method
  bool path_known = false;                 // some route serves the path (so: 405, not 404)
  std::string allow;                       // methods served on the path: "GET, HEAD, PUT"
};

class Router final : public HttpService {
 public:
  Router() = default;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // InvalidArgument for a path not starting with '/', no handler or no methods; AlreadyExists
  // when a route with the same path and prefix flag already serves one of its methods.
  Status AddRoute(RouteSpec route) noexcept override;
  // HEAD is served by a GET route.
  RouteMatch Match(std::string_view path, std::string_view method) const;

 private:
  using Routes = std::vector<std::shared_ptr<const RouteSpec>>;
  mutable std::shared_mutex mu_;
  std::map<std::string, Routes, std::less<>> exact_;   // guarded by mu_
  std::map<std::string, Routes, std::less<>> prefix_;  // guarded by mu_
};

}  // namespace nanotdb::server
