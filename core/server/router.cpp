#include "server/router.h"

#include <algorithm>
#include <mutex>

namespace nanotdb::server {
namespace {

bool Serves(const RouteSpec& route, std::string_view method) {
  for (const std::string& m : route.methods) {
    if (m == method || (method == "HEAD" && m == "GET")) return true;
  }
  return false;
}

}  // namespace

Status Router::AddRoute(RouteSpec route) noexcept {
  try {
    if (route.path.empty() || route.path.front() != '/') {
      return Status::InvalidArgument("route path \"" + route.path + "\" must start with '/'");
    }
    if (!route.handler || route.methods.empty()) {
      return Status::InvalidArgument("route " + route.path + " needs a handler and a method");
    }
    auto& table = route.prefix ? prefix_ : exact_;
    std::string path = route.path;
    std::string kind = route.prefix ? "prefix route " : "route ";
    auto spec = std::make_shared<const RouteSpec>(std::move(route));
    std::unique_lock lock(mu_);
    Routes& routes = table[path];
    for (const auto& existing : routes) {
      for (const std::string& m : spec->methods) {
        if (Serves(*existing, m)) {
          return Status::AlreadyExists(m + " " + kind + path +
                                       " is already registered by another plugin");
        }
      }
    }
    routes.push_back(std::move(spec));
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cannot add route: ") + e.what());
  }
}

RouteMatch Router::Match(std::string_view path, std::string_view method) const {
  std::shared_lock lock(mu_);
  const Routes* routes = nullptr;
  if (auto it = exact_.find(path); it != exact_.end()) {
    routes = &it->second;
  } else {
    size_t best_len = 0;
    for (const auto& [prefix, candidates] : prefix_) {
      if (prefix.size() < best_len || path.substr(0, prefix.size()) != prefix) continue;
      bool boundary =
          path.size() == prefix.size() || prefix.back() == '/' || path[prefix.size()] == '/';
      if (!boundary) continue;
      routes = &candidates;
      best_len = prefix.size();
    }
  }
  RouteMatch out;
  if (routes == nullptr || routes->empty()) return out;
  out.path_known = true;
  for (const auto& r : *routes) {
    if (out.route == nullptr && Serves(*r, method)) out.route = r;
    for (const std::string& m : r->methods) {
      if (!out.allow.empty()) out.allow += ", ";
      out.allow += m;
      if (m == "GET") out.allow += ", HEAD";
    }
  }
  return out;
}

}  // namespace nanotdb::server
