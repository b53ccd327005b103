// Router: the core's one route table. Plugins add routes through HttpService; the HTTP server
// asks for the route of each request path.
//
// Matching: an exact route wins; otherwise the longest prefix route whose path equals the
// request path or is followed in it by '/' (a prefix route "/assets" or "/assets/" matches
// "/assets/app.js", never "/assetsx"). Thread-safe: routes may be added while requests are
// served; a matched route stays valid for as long as the caller holds it.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "nanotdb/services/http.h"

namespace nanotdb::server {

class Router final : public HttpService {
 public:
  Router() = default;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // InvalidArgument for a path not starting with '/', no handler or no methods; AlreadyExists
  // when the same path and prefix flag is taken.
  Status AddRoute(RouteSpec route) noexcept override;
  std::shared_ptr<const RouteSpec> Match(std::string_view path) const;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const RouteSpec>, std::less<>> exact_;   // guarded by mu_
  std::map<std::string, std::shared_ptr<const RouteSpec>, std::less<>> prefix_;  // guarded by mu_
};

}  // namespace nanotdb::server
