#include "server/registry.h"

namespace nanotdb::server {

Status ServiceRegistry::Register(std::string_view name, uint32_t version, void* service,
                                 std::string_view publisher) {
  if (name.empty() || service == nullptr) {
    return Status::InvalidArgument(std::string(publisher) +
                                   " tried to register a service without a name or object");
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] =
      services_.try_emplace({std::string(name), version}, Entry{service, std::string(publisher)});
  if (!inserted) {
    return Status::AlreadyExists("service " + std::string(name) + " v" + std::to_string(version) +
                                 " is already registered by " + it->second.publisher + " (" +
                                 std::string(publisher) + " tried again)");
  }
  return Status::Ok();
}

void* ServiceRegistry::Find(std::string_view name, uint32_t version) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = services_.find(std::pair<std::string, uint32_t>(name, version));
  return it == services_.end() ? nullptr : it->second.service;
}

void ServiceRegistry::Withdraw(std::string_view publisher) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(services_, [&](const auto& entry) { return entry.second.publisher == publisher; });
}

std::vector<std::string> ServiceRegistry::Describe() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [key, entry] : services_) {
    out.push_back(key.first + " v" + std::to_string(key.second) + " (" + entry.publisher + ")");
  }
  return out;
}

}  // namespace nanotdb::server
