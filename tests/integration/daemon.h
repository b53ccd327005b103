// Test harness for integration tests: runs the real `nanotdb` binary on a temporary data root
// and a free loopback port, and talks to it over HTTP.
//
// A Daemon owns its root directory (removed on destruction) and its child process: Stop()
// sends SIGTERM by PID and waits for a clean exit; the destructor SIGKILLs a daemon that is
// still running (a failed test), so no process outlives the test. Not thread-safe except
// Request(), which opens its own connection per call.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nanotdb::itest {

struct HttpResult {
  int status = 0;  // -1 when no HTTP answer arrived (connection refused, reset, timeout)
  std::string body;
  std::string content_type;
};

using Params = std::vector<std::pair<std::string, std::string>>;
using Headers = std::map<std::string, std::string>;

// Sets `key = value` (value as TOML literal text) in [section] of a TOML document, replacing
// an existing assignment of that key or adding the key (and the section) where missing.
std::string SetTomlKey(std::string_view toml, std::string_view section, std::string_view key,
                       std::string_view value);

// Runs a command (no shell) and returns its exit status and combined stdout+stderr.
std::pair<int, std::string> RunCommand(const std::vector<std::string>& argv);

class Daemon {
 public:
  // Creates a temporary root, runs `nanotdb --init --config <root>/engine.toml` and sets
  // listen = 127.0.0.1:<free port>, with the ui-dashboard and drip-sources plugins disabled.
  Daemon();
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Edits engine.toml (takes effect at the next Start).
  void Configure(std::string_view section, std::string_view key, std::string_view value);

  // Starts the daemon and waits (up to 15 s) until GET /health gets an HTTP answer.
  ::testing::AssertionResult Start();
  // SIGTERM, then waits up to 30 s for exit status 0.
  ::testing::AssertionResult Stop();
  // SIGKILL and reap.
  void Kill();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Talk HTTPS (any certificate accepted) from now on, for a daemon configured with TLS.
  void UseTls() { tls_ = true; }
  // Starts the daemon with this open-files limit (soft and hard), through prlimit.
  void LimitOpenFiles(int n) { open_files_limit_ = n; }

  HttpResult Request(const std::string& method, const std::string& path_and_query,
                     const std::string& body = "", const Headers& headers = {}) const;
  HttpResult Get(const std::string& path, const Params& params = {},
                 const Headers& headers = {}) const;
  HttpResult Post(const std::string& path, const std::string& body,
                  const std::string& content_type = "text/plain",
                  const Headers& headers = {}) const;

  const std::string& root() const { return root_; }
  std::string config_path() const { return root_ + "/engine.toml"; }
  int port() const { return port_; }
  // What the daemon wrote to stdout and stderr so far (for failure messages).
  std::string Log() const;

 private:
  std::string root_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool tls_ = false;
  int open_files_limit_ = 0;
};

}  // namespace nanotdb::itest
