#include "server/auth.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Net/IPAddress.h>

#include <sstream>

namespace nanotdb::server {
namespace {

// Compares in time independent of where the strings differ, so tokens cannot be guessed byte
// by byte from response times.
bool SecretEquals(std::string_view given, std::string_view expected) {
  if (expected.empty()) return false;
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  }
  return diff == 0;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

// "Token" alone or followed by blanks: an InfluxDB client configured without a token.
bool IsEmptyInfluxToken(std::string_view s) {
  if (!StartsWithNoCase(s, "token")) return false;
  return s.find_first_not_of(" \t", 5) == std::string_view::npos;
}

}  // namespace

Authenticator::Authenticator(AuthConfig config) : config_(std::move(config)) {}

bool Authenticator::Protected(Role role) const {
  const std::string& token = role == Role::kAdmin   ? config_.admin_token
                             : role == Role::kWrite ? config_.write_token
                                                    : config_.read_token;
  if (!token.empty()) return true;
  for (const BasicUser& user : config_.users) {
    if (user.role == role) return true;
  }
  return false;
}

bool Authenticator::Identify(std::string_view authorization, Role* role) const {
  // "Token <t>" is what InfluxDB 2.x clients (Telegraf's influxdb_v2 output) send.
  const bool bearer = StartsWithNoCase(authorization, "bearer ");
  if (bearer || StartsWithNoCase(authorization, "token ")) {
    std::string_view token = authorization.substr(bearer ? 7 : 6);
    bool admin = SecretEquals(token, config_.admin_token);
    bool write = SecretEquals(token, config_.write_token);
    bool read = SecretEquals(token, config_.read_token);
    if (admin)
      *role = Role::kAdmin;
    else if (write)
      *role = Role::kWrite;
    else if (read)
      *role = Role::kRead;
    return admin || write || read;
  }
  if (StartsWithNoCase(authorization, "basic ")) {
    std::string decoded;
    try {
      std::istringstream in(std::string(authorization.substr(6)));
      Poco::Base64Decoder decoder(in);
      decoded.assign(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
    } catch (const std::exception&) {
      return false;
    }
    size_t colon = decoded.find(':');
    if (colon == std::string::npos) return false;
    std::string_view name = std::string_view(decoded).substr(0, colon);
    std::string_view password = std::string_view(decoded).substr(colon + 1);
    bool found = false;
    for (const BasicUser& user : config_.users) {
      if (user.name == name && SecretEquals(password, user.password) && !found) {
        *role = user.role;
        found = true;
      }
    }
    return found;
  }
  return false;
}

bool Authenticator::IsLoopback(std::string_view remote_addr) {
  std::string_view host = remote_addr;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    host = close == std::string_view::npos ? host.substr(1) : host.substr(1, close - 1);
  } else if (host.find(':') != host.rfind(':')) {
    // Bare IPv6 without a port.
  } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  Poco::Net::IPAddress ip;
  if (!Poco::Net::IPAddress::tryParse(std::string(host), ip)) return false;
  if (ip.isLoopback()) return true;
  // An IPv4 loopback client reaching a dual-stack socket: ::ffff:127.0.0.1.
  return ip.family() == Poco::Net::IPAddress::IPv6 && ip.isIPv4Mapped() &&
         ip.toString().rfind("::ffff:127.", 0) == 0;
}

Authenticator::Decision Authenticator::Check(Role required, std::string_view authorization,
                                             std::string_view remote_addr) const {
  const std::string role_name = RoleName(required);
  Role caller = Role::kRead;
  bool identified = false;
  // An empty "Token " (InfluxDB clients configured without a token) is no credential at all.
  if (!authorization.empty() && !IsEmptyInfluxToken(authorization)) {
    identified = Identify(authorization, &caller);
    if (!identified) {
      return {Outcome::kUnauthorized, "invalid credentials (check the token or user/password)"};
    }
  }
  if (identified && caller >= required) return {};
  bool loopback = IsLoopback(remote_addr);
  if (!Protected(required)) {
    if (required == Role::kRead || loopback) return {};
  }
  if (identified) {
    return {Outcome::kForbidden, "these credentials do not grant the " + role_name + " role"};
  }
  bool any_credentials = false;
  for (Role r : {Role::kRead, Role::kWrite, Role::kAdmin}) {
    if (r >= required && Protected(r)) any_credentials = true;
  }
  if (!any_credentials) {
    return {Outcome::kForbidden, role_name +
                                     " endpoints are served to loopback clients only; set "
                                     "[auth] " +
                                     role_name + "_token in engine.toml to allow remote access"};
  }
  return {Outcome::kUnauthorized, "credentials for the " + role_name + " role are required"};
}

}  // namespace nanotdb::server
