#include "tests/integration/daemon.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

extern char** environ;

namespace nanotdb::itest {
namespace {

using Clock = std::chrono::steady_clock;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// A loopback port nobody listens on right now.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// Spawns argv with stdout and stderr appended to `output` (no shell).
pid_t Spawn(const std::vector<std::string>& argv, const std::string& output) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// Waits for `pid` up to `timeout`; true with *status set when it exited.
bool WaitFor(pid_t pid, std::chrono::milliseconds timeout, int* status) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 || Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

std::string SetTomlKey(std::string_view toml, std::string_view section, std::string_view key,
                       std::string_view value) {
  // Built by appending: `"literal" + std::string` trips a GCC 12 -Wrestrict false positive.
  std::string header = "[";
  header.append(section).append("]");
  const std::string assignment = std::string(key) + " = " + std::string(value);
  std::vector<std::string> lines;
  std::istringstream in{std::string(toml)};
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  size_t start = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == header) start = i;
  }
  if (start == lines.size()) {
    lines.push_back(header);
    lines.push_back(assignment);
  } else {
    size_t end = start + 1;
    while (end < lines.size() && !lines[end].starts_with("[")) ++end;
    auto assigns_key = [&](std::string_view line) {
      if (!line.starts_with(key)) return false;
      size_t eq = line.find_first_not_of(' ', key.size());
      return eq != std::string_view::npos && line[eq] == '=';
    };
    bool replaced = false;
    for (size_t i = start + 1; i < end && !replaced; ++i) {
      if (assigns_key(lines[i])) {
        lines[i] = assignment;
        replaced = true;
      }
    }
    if (!replaced) lines.insert(lines.begin() + static_cast<long>(start) + 1, assignment);
  }
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

std::pair<int, std::string> RunCommand(const std::vector<std::string>& argv) {
  char tmpl[] = "/tmp/nanotdb-itest-cmd-XXXXXX";
  int fd = mkstemp(tmpl);
  close(fd);
  pid_t pid = Spawn(argv, tmpl);
  int status = -1;
  if (pid < 0 || !WaitFor(pid, std::chrono::seconds(60), &status)) {
    if (pid > 0) kill(pid, SIGKILL);
    status = -1;
  }
  std::string output = ReadFile(tmpl);
  std::filesystem::remove(tmpl);
  int code = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return {code, output};
}

Daemon::Daemon() {
  char tmpl[] = "/tmp/nanotdb-itest-XXXXXX";
  root_ = mkdtemp(tmpl);
  auto [code, output] = RunCommand({NANOTDB_BIN, "--init", "--config", config_path()});
  if (code != 0) ADD_FAILURE() << "nanotdb --init failed (" << code << "): " << output;
  port_ = FreePort();
  std::string listen = "\"127.0.0.1:";
  listen.append(std::to_string(port_)).append("\"");
  Configure("engine", "listen", listen);
  Configure("plugins.ui-dashboard", "enabled", "false");
  Configure("plugins.drip-sources", "enabled", "false");
}

Daemon::~Daemon() {
  if (running()) Kill();
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

void Daemon::Configure(std::string_view section, std::string_view key, std::string_view value) {
  WriteFile(config_path(), SetTomlKey(ReadFile(config_path()), section, key, value));
}

std::string Daemon::Log() const { return ReadFile(root_ + "/daemon.log"); }

::testing::AssertionResult Daemon::Start() {
  if (running()) return ::testing::AssertionFailure() << "daemon already running";
  std::vector<std::string> argv = {NANOTDB_BIN, "--config", config_path()};
  if (open_files_limit_ > 0) {
    // prlimit execs the daemon, so pid_ stays the daemon's.
    std::string n = std::to_string(open_files_limit_);
    argv.insert(argv.begin(), {"/usr/bin/prlimit", "--nofile=" + n + ":" + n, "--"});
  }
  pid_ = Spawn(argv, root_ + "/daemon.log");
  if (pid_ < 0) return ::testing::AssertionFailure() << "cannot spawn " << NANOTDB_BIN;
  auto deadline = Clock::now() + std::chrono::seconds(15);
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return ::testing::AssertionFailure()
             << "nanotdb exited during startup (status " << status << "):\n"
             << Log();
    }
    // Any HTTP answer means it serves (with a read token configured /health answers 401).
    if (Get("/health").status > 0) return ::testing::AssertionSuccess();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  return ::testing::AssertionFailure() << "/health did not answer within 15 s:\n" << Log();
}

::testing::AssertionResult Daemon::Stop() {
  if (!running()) return ::testing::AssertionFailure() << "daemon not running";
  kill(pid_, SIGTERM);
  int status = 0;
  if (!WaitFor(pid_, std::chrono::seconds(30), &status)) {
    Kill();
    return ::testing::AssertionFailure() << "no exit within 30 s of SIGTERM:\n" << Log();
  }
  pid_ = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return ::testing::AssertionFailure()
           << "unclean exit after SIGTERM (status " << status << "):\n"
           << Log();
  }
  return ::testing::AssertionSuccess();
}

void Daemon::Kill() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

HttpResult Daemon::Request(const std::string& method, const std::string& path_and_query,
                           const std::string& body, const Headers& headers) const {
  HttpResult result;
  try {
    std::unique_ptr<Poco::Net::HTTPClientSession> https;
    if (tls_) {
      Poco::Net::initializeSSL();
      Poco::Net::Context::Ptr context = new Poco::Net::Context(
          Poco::Net::Context::CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_NONE);
      https = std::make_unique<Poco::Net::HTTPSClientSession>(
          "127.0.0.1", static_cast<Poco::UInt16>(port_), context);
    } else {
      https = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1",
                                                             static_cast<Poco::UInt16>(port_));
    }
    Poco::Net::HTTPClientSession& session = *https;
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest req(method, path_and_query, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == "POST" || method == "PUT") {
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    Poco::StreamCopier::copyToString(in, result.body);
    result.status = static_cast<int>(resp.getStatus());
    result.content_type = resp.getContentType();
  } catch (const Poco::Exception& e) {
    result.status = -1;
    result.body = e.displayText();
  }
  return result;
}

HttpResult Daemon::Get(const std::string& path, const Params& params,
                       const Headers& headers) const {
  Poco::URI uri(path);
  for (const auto& [k, v] : params) uri.addQueryParameter(k, v);
  return Request("GET", uri.getPathAndQuery(), "", headers);
}

HttpResult Daemon::Post(const std::string& path, const std::string& body,
                        const std::string& content_type, const Headers& headers) const {
  Headers h = headers;
  h["Content-Type"] = content_type;
  return Request("POST", path, body, h);
}

}  // namespace nanotdb::itest
