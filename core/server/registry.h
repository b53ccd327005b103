// ServiceRegistry: services published by the core and by plugins, found by name + version.
//
// The registry does not own the services: each publisher keeps its service alive until every
// plugin has stopped. Registration happens during startup (core, then plugin Register calls);
// lookups may come from any thread. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nanotdb/status.h"

namespace nanotdb::server {

class ServiceRegistry {
 public:
  ServiceRegistry() = default;
  ServiceRegistry(const ServiceRegistry&) = delete;
  ServiceRegistry& operator=(const ServiceRegistry&) = delete;

  // AlreadyExists (naming the first publisher) when name + version is taken; InvalidArgument
  // for an empty name or a null service.
  Status Register(std::string_view name, uint32_t version, void* service,
                  std::string_view publisher);
  void* Find(std::string_view name, uint32_t version) const;
  // Removes every service `publisher` registered (a plugin that failed and was disabled).
  void Withdraw(std::string_view publisher);

  // Typed helpers for interfaces declaring kServiceName / kServiceVersion.
  template <typename T>
  Status Publish(T* service, std::string_view publisher) {
    return Register(T::kServiceName, T::kServiceVersion, service, publisher);
  }
  template <typename T>
  T* Get() const {
    return static_cast<T*>(Find(T::kServiceName, T::kServiceVersion));
  }

  // "name v1 (publisher)" for every service, sorted.
  std::vector<std::string> Describe() const;

 private:
  struct Entry {
    void* service;
    std::string publisher;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, uint32_t>, Entry, std::less<>> services_;  // guarded by mu_
};

}  // namespace nanotdb::server
