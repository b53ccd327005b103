// Authenticator: who may call a route of a given role (DESIGN §6).
//
// Roles nest: admin ⊃ write ⊃ read. Credentials are a Bearer token (read_token, write_token,
// admin_token of [auth]) or HTTP basic auth of an [[auth.user]]. A role is "protected" when a
// token or a user of exactly that role is configured; then callers need credentials of that
// role or a higher one. An unprotected role is served without credentials to loopback clients
// only, except read, which is then open to everyone. Wrong credentials are always refused.
// Immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "nanotdb/services/http.h"
#include "server/config.h"

namespace nanotdb::server {

class Authenticator {
 public:
  enum class Outcome { kAllow, kUnauthorized /* 401 */, kForbidden /* 403 */ };
  struct Decision {
    Outcome outcome = Outcome::kAllow;
    std::string reason;  // for the error envelope; empty on kAllow
  };

  explicit Authenticator(AuthConfig config);

  // `authorization` is the Authorization header ("" when absent); `remote_addr` is
  // "host:port" as in HttpRequest ("[::1]:5000" for IPv6).
  Decision Check(Role required, std::string_view authorization, std::string_view remote_addr) const;

  static bool IsLoopback(std::string_view remote_addr);

 private:
  bool Protected(Role role) const;
  // The role proven by the header; false when the header matches nothing.
  bool Identify(std::string_view authorization, Role* role) const;

  AuthConfig config_;
};

}  // namespace nanotdb::server
