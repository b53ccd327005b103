#include "server/app.h"

#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <csignal>
#include <iostream>

#include "nanotdb/plugin.h"
#include "server/builtin_plugins.h"
#include "server/config.h"
#include "server/core_services.h"
#include "server/daemon.h"
#include "server/init.h"
#include "server/logging.h"
#include "server/plugin_host.h"
#include "server/signals.h"

namespace nanotdb::server {
namespace {

// Any failure exits 1 (scripts and systemd only need "did it work"); a command-line mistake 2.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

}  // namespace

void NanotdbApp::defineOptions(Poco::Util::OptionSet& options) {
  ServerApplication::defineOptions(options);
  options.addOption(Poco::Util::Option("config", "c",
                                       "engine.toml to use; its directory is the "
                                       "data root")
                        .argument("PATH")
                        .repeatable(false));
  options.addOption(Poco::Util::Option("init", "",
                                       "write a commented default config to "
                                       "--config PATH and exit (never overwrites)"));
  options.addOption(Poco::Util::Option("check-config", "",
                                       "validate the config and the enabled plugins, then exit"));
  options.addOption(Poco::Util::Option("version", "", "print the version and exit"));
  options.addOption(Poco::Util::Option("help", "h", "print this help and exit"));
}

void NanotdbApp::handleOption(const std::string& name, const std::string& value) {
  ServerApplication::handleOption(name, value);
  if (name == "config") config_path_ = value;
  if (name == "init") init_ = true;
  if (name == "check-config") check_ = true;
  if (name == "version") version_ = true;
  if (name == "help") {
    help_ = true;
    stopOptionsProcessing();
  }
}

void NanotdbApp::PrintHelp() const {
  Poco::Util::HelpFormatter help(options());
  help.setCommand("nanotdb");
  help.setUsage("--config PATH [--init | --check-config] | --version | --help");
  help.setHeader("NanoTDB: metrics ingest, storage, queries and dashboard in one daemon.");
  help.setFooter(
      "Signals: SIGTERM/SIGINT shut down cleanly (pages flushed, WALs emptied); "
      "SIGHUP reopens log files. See docs/operations.md.");
  help.format(std::cout);
  std::cout << "\n";
}

int NanotdbApp::main(const std::vector<std::string>& args) {
  if (help_) {
    PrintHelp();
    return EXIT_OK;
  }
  if (version_) {
    std::cout << "nanotdb " << NanotdbVersion() << " (plugin ABI " << NANOTDB_PLUGIN_ABI_VERSION
              << ", " << NANOTDB_TOOLCHAIN_FINGERPRINT << ")\n";
    std::span<const PluginEntryFn> builtins = BuiltinPlugins();
    if (builtins.empty()) {
      std::cout << "built-in plugins: none (plugins are loaded from plugins.dir)\n";
    } else {
      std::cout << "built-in plugins:";
      for (PluginEntryFn entry : builtins) {
        const PluginDescriptor* d = entry();
        std::cout << " " << d->name << " " << d->version;
      }
      std::cout << "\n";
    }
    return EXIT_OK;
  }
  if (!args.empty()) {
    std::cerr << "nanotdb: unexpected argument \"" << args.front() << "\" (see --help)\n";
    return kExitUsage;
  }
  if (config_path_.empty()) {
    std::cerr << "nanotdb: --config PATH is required (create one with: nanotdb --init --config "
                 "data/engine.toml)\n";
    return kExitUsage;
  }
  if (init_) return RunInit();
  if (check_) return RunCheck();
  return RunServer();
}

int NanotdbApp::RunInit() {
  std::vector<std::string> written;
  Status st = InitRoot(config_path_, DefaultPluginDir(), &written, BuiltinPlugins());
  if (!st.ok()) {
    std::cerr << "nanotdb: " << st.message() << "\n";
    return kExitFailure;
  }
  std::cout << "initialized " << config_path_ << "\n";
  return EXIT_OK;
}

int NanotdbApp::RunCheck() {
  Result<EngineConfig> config = LoadEngineConfig(config_path_);
  if (!config.ok()) {
    std::cerr << "nanotdb: " << config.status().message() << "\n";
    return kExitFailure;
  }
  Daemon daemon(std::move(config).value(), BuiltinPlugins());
  std::vector<std::string> warnings;
  Status st = daemon.Check(&warnings);
  for (const std::string& warning : warnings) std::cerr << "warning: " << warning << "\n";
  if (!st.ok()) {
    std::cerr << "nanotdb: " << st.message() << "\n";
    return kExitFailure;
  }
  std::cout << "config ok: " << config_path_ << "\n";
  return EXIT_OK;
}

int NanotdbApp::RunServer() {
  Result<EngineConfig> config = LoadEngineConfig(config_path_);
  if (!config.ok()) {
    std::cerr << "nanotdb: " << config.status().message() << "\n";
    return kExitFailure;
  }
  bool logs_to_console = false;
  for (const LoggerConfig& logger : config->loggers) {
    if (logger.output == "console") logs_to_console = true;
  }
  Daemon daemon(std::move(config).value(), BuiltinPlugins());
  Status st = daemon.Start();
  if (!st.ok()) {
    if (daemon.log() != nullptr) daemon.log()->Log(LogLevel::kError, st.message());
    if (daemon.log() == nullptr || !logs_to_console)
      std::cerr << "nanotdb: " << st.message() << "\n";
    daemon.Shutdown();
    return kExitFailure;
  }
  int sig = WaitForShutdownSignal([&daemon] {
    daemon.log()->Reopen();
    daemon.log()->Log(LogLevel::kInfo, "SIGHUP: log files reopened");
  });
  daemon.log()->Log(
      LogLevel::kInfo,
      std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
  daemon.Shutdown();
  return EXIT_OK;
}

}  // namespace nanotdb::server
