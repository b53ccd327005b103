// nanocli: the offline tool for a NanoTDB data root (inspect, import, export, query).

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"

namespace nanotdb::cli {
namespace {

struct Command {
  const CommandSpec& (*spec)();
  int (*run)(std::span<const std::string> args);
};

const Command kCommands[] = {
    {InspectSpec, RunInspect}, {ImportSpec, RunImport}, {ExportSpec, RunExport},
    {QuerySpec, RunQuery},     {RollupSpec, RunRollup}, {RecoverSpec, RunRecover},
    {CompactSpec, RunCompact}, {BuildSpec, RunBuild},
};

void PrintUsage(std::ostream& out) {
  out << "usage: nanocli <command> [flags]\n\n"
         "The offline tool for a NanoTDB data root.\n\ncommands:\n";
  for (const Command& c : kCommands) {
    const CommandSpec& spec = c.spec();
    out << "  " << spec.name << std::string(10 - spec.name.size(), ' ') << spec.summary << "\n";
  }
  out << "\nRun 'nanocli help <command>' or 'nanocli <command> --help' for its flags.\n"
         "Exit codes: 0 ok, 1 the command failed, 2 bad command line, 3 partial (damaged data\n"
         "skipped and listed on stderr).\n";
}

const Command* Find(std::string_view name) {
  for (const Command& c : kCommands) {
    if (c.spec().name == name) return &c;
  }
  return nullptr;
}

int Main(const std::vector<std::string>& args) {
  if (args.empty()) {
    PrintUsage(std::cerr);
    return kExitUsage;
  }
  const std::string& first = args[0];
  if (first == "--help" || first == "-h" || first == "help") {
    if (first == "help" && args.size() > 1) {
      const Command* c = Find(args[1]);
      if (c == nullptr) {
        std::cerr << "error: unknown command \"" << args[1] << "\"\n";
        PrintUsage(std::cerr);
        return kExitUsage;
      }
      PrintCommandHelp(c->spec(), std::cout);
      return kExitOk;
    }
    PrintUsage(std::cout);
    return kExitOk;
  }
  if (first == "--version" || first == "version") {
    std::cout << "nanocli " << NANOTDB_VERSION << "\n";
    return kExitOk;
  }
  const Command* c = Find(first);
  if (c == nullptr) {
    std::cerr << "error: unknown command \"" << first << "\"\n";
    PrintUsage(std::cerr);
    return kExitUsage;
  }
  return c->run(std::span<const std::string>(args).subspan(1));
}

}  // namespace
}  // namespace nanotdb::cli

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return nanotdb::cli::Main(args);
  } catch (const std::exception& e) {
    // Storage code does not throw; this catches allocation failures and library surprises.
    std::cerr << "error: " << e.what() << "\n";
    return nanotdb::cli::kExitFailed;
  }
}
