#include "server/router.h"

#include <mutex>

namespace nanotdb::server {

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
    if (!table.try_emplace(path, std::move(spec)).second) {
      return Status::AlreadyExists(kind + path + " is already registered by another plugin");
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cannot add route: ") + e.what());
  }
}

std::shared_ptr<const RouteSpec> Router::Match(std::string_view path) const {
  std::shared_lock lock(mu_);
  if (auto it = exact_.find(path); it != exact_.end()) return it->second;
  std::shared_ptr<const RouteSpec> best;
  size_t best_len = 0;
  for (const auto& [prefix, spec] : prefix_) {
    if (prefix.size() < best_len || path.substr(0, prefix.size()) != prefix) continue;
    bool boundary =
        path.size() == prefix.size() || prefix.back() == '/' || path[prefix.size()] == '/';
    if (!boundary) continue;
    best = spec;
    best_len = prefix.size();
  }
  return best;
}

}  // namespace nanotdb::server
