// What every nanocli command shares: command descriptions and help text, Go-style flag parsing,
// exit codes, the --root/--db checks and opening the storage engine on a data root.
//
// nanocli is single-threaded; nothing here is thread-safe. Functions print to the streams they
// are given and never throw (Poco JSON output is the only exception source, caught in main).
#pragma once

#include <chrono>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/engine.h"
#include "nanotdb/status.h"

namespace nanotdb::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;   // the command ran and failed
inline constexpr int kExitUsage = 2;    // bad command line
inline constexpr int kExitPartial = 3;  // done, but damaged data was skipped (listed on stderr)

struct FlagSpec {
  std::string name;        // without dashes: "root"
  std::string value_name;  // "DIR"; empty for a boolean flag
  std::string help;
};

// One command (or sub-command group): its help text and flags.
struct CommandSpec {
  std::string name;      // "import", "inspect"
  std::string synopsis;  // "import --root DIR --in FILE.lp [--db NAME] [--json]"
  std::string summary;   // one line for the command list
  std::string details;   // paragraphs printed after the synopsis by --help
  std::vector<FlagSpec> flags;
  size_t max_positional = 0;  // words that are not flags ("db" in `inspect db`)
};

void PrintCommandHelp(const CommandSpec& spec, std::ostream& out);

// Parsed flags of one command: `--name value`, `--name=value`, `-name value`, and boolean
// `--name` (or `--name=true|false`). Words that are not flags are positional.
class Flags {
 public:
  bool Has(std::string_view name) const { return values_.count(std::string(name)) != 0; }
  // The value of a flag given with a value, or `fallback` when absent.
  std::string Get(std::string_view name, std::string_view fallback = {}) const;
  bool GetBool(std::string_view name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend std::optional<int> ParseFlags(const CommandSpec&, std::span<const std::string>, Flags*);
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

// Parses `args` (the words after the command name) against `spec`. Returns an exit code when
// the command must stop now: kExitOk after printing help for --help/-h, kExitUsage after
// printing the problem for an unknown flag or a missing value. nullopt: run the command.
std::optional<int> ParseFlags(const CommandSpec& spec, std::span<const std::string> args,
                              Flags* flags);

// Prints `error: <message>` and a pointer to --help on stderr; returns kExitUsage.
int UsageError(const CommandSpec& spec, std::string_view message);
// Prints `error: <message>` on stderr; returns kExitFailed.
int Fail(std::string_view message);
inline int Fail(const Status& status) { return Fail(status.message()); }

// The --root value: required, must be an existing directory. InvalidArgument names the problem.
Result<std::string> RequireRoot(const Flags& flags);
// The --db value: required, must be a valid database name.
Result<std::string> RequireDatabase(const Flags& flags);

// OK when `db` exists under the engine's root; otherwise NotFound listing the databases there.
Status CheckDatabaseExists(const Engine& engine, const std::string& db);

// Opens the engine on `root` with the settings of <root>/engine.toml when it exists ([wal],
// [durability], [manifest_defaults]; InvalidArgument naming file:line when it is wrong), else
// the defaults of nanotdb/options.h. Config and engine warnings go to stderr. A write engine fails
// with Busy (naming the pid) while a server holds the root; a read-only one never takes the lock
// and is safe beside a running server.
struct OpenMode {
  bool read_only = true;
  bool bulk_load = false;
};
Result<std::unique_ptr<Engine>> OpenEngine(const std::string& root, OpenMode mode);

// Wall clock in Unix nanoseconds.
Timestamp NowNanos();

// Elapsed time on the monotonic clock since construction, for "in X ms" summaries.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double Ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace nanotdb::cli
