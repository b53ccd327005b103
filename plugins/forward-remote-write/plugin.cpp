// The forward-remote-write plugin: one Forwarder per [[plugins.forward-remote-write.endpoint]],
// each on its own thread, reporting its figures through StatsService. docs/forwarding.md.
#include "nanotdb/plugin.h"

#include <chrono>
#include <memory>
#include <vector>

#include "forward_config.h"
#include "forwarder.h"
#include "nanotdb/services/plugin_files.h"
#include "nanotdb/services/query.h"
#include "nanotdb/services/stats.h"
#include "transport.h"

namespace nanotdb::forward {
namespace {

constexpr const char* kVersion = "0.1.0";

class ForwardPlugin {
 public:
  Status Start(PluginContext& ctx) {
    auto* query = ctx.Find<QueryService>();
    auto* files = ctx.Find<PluginFilesService>();
    auto* stats = ctx.Find<StatsService>();
    if (!query || !files || !stats) {
      return Status::NotFound(
          "forward-remote-write needs the core services nanotdb.query (v2), "
          "nanotdb.plugin-files and nanotdb.stats (v1); this nanotdb does not provide them all "
          "(rebuild the plugin against the running SDK)");
    }
    NANOTDB_ASSIGN_OR_RETURN(std::vector<EndpointConfig> endpoints,
                             ParseEndpoints(ctx.config().GetTableToml("endpoint")));
    if (endpoints.empty()) {
      ctx.Log(LogLevel::kWarning,
              "no [[plugins.forward-remote-write.endpoint]] configured: nothing is forwarded");
    }
    ForwarderServices s;
    s.query = query;
    s.files = files;
    s.log = [&ctx](LogLevel level, std::string_view message) { ctx.Log(level, message); };
    s.now = [] {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
    for (EndpointConfig& e : endpoints) {
      NANOTDB_ASSIGN_OR_RETURN(std::unique_ptr<Transport> transport,
                               MakeHttpTransport(e, std::string("nanotdb/") + kVersion));
      auto f = std::make_unique<Forwarder>(std::move(e), s, std::move(transport));
      NANOTDB_RETURN_IF_ERROR(f->Load().WithContext("endpoint " + f->name()));
      forwarders_.push_back(std::move(f));
    }
    NANOTDB_RETURN_IF_ERROR(stats->Publish([this] {
      std::vector<StatValue> out;
      for (const auto& f : forwarders_) {
        std::vector<StatValue> one = f->Stats();
        out.insert(out.end(), one.begin(), one.end());
      }
      return out;
    }));
    for (auto& f : forwarders_) f->Start();
    return Status::Ok();
  }

  void Stop() {
    for (auto& f : forwarders_) f->Stop();
  }

 private:
  std::vector<std::unique_ptr<Forwarder>> forwarders_;
};

}  // namespace
}  // namespace nanotdb::forward

NANOTDB_PLUGIN(nanotdb::forward::ForwardPlugin, "forward-remote-write", "0.1.0",
               "streams selected series to Prometheus remote-write endpoints, store-and-forward")
