// NanotdbApp: the nanotdb command line (Poco::Util::ServerApplication; no daemonising unless
// --daemon is given). Options: --config PATH, --init, --check-config, --version, --help.
#pragma once

#include <Poco/Util/ServerApplication.h>

#include <string>
#include <vector>

namespace nanotdb::server {

class NanotdbApp final : public Poco::Util::ServerApplication {
 protected:
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& args) override;

 private:
  int RunInit();
  int RunCheck();
  int RunServer();
  void PrintHelp() const;

  std::string config_path_;
  bool help_ = false;
  bool version_ = false;
  bool init_ = false;
  bool check_ = false;
};

}  // namespace nanotdb::server
