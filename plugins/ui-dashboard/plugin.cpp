// The ui-dashboard plugin adapter: declares the config keys, builds the dashboard store and
// adds the routes of ui_routes.h to the core's HTTP router. All logic lives in the
// nanotdb_ui_dashboard library.
#include "nanotdb/plugin.h"

#include <memory>
#include <string>

#include "assets.h"
#include "dashboard_store.h"
#include "nanotdb/services/plugin_files.h"
#include "ui_routes.h"

namespace nanotdb::ui {
namespace {

constexpr const char* kVersion = "0.1.0";

const ConfigKey kConfigKeys[] = {
    {"keep_backups", ConfigType::kInt, "50",
     "how many earlier versions of the dashboard the editor's saves keep"},
    {"title", ConfigType::kString, "\"NanoTDB\"", "title shown in the browser and page header"},
    {"refresh", ConfigType::kDuration, "\"10s\"",
     "default auto-refresh of widgets that set no refresh_sec"},
};

class UiDashboardPlugin {
 public:
  Status Register(PluginContext&) { return Status::Ok(); }

  Status Start(PluginContext& ctx) {
    auto* http = ctx.Find<HttpService>();
    if (!http) return Status::Unsupported("ui-dashboard needs the core's nanotdb.http service");
    auto* files = ctx.Find<PluginFilesService>();
    if (!files) {
      return Status::Unsupported("ui-dashboard needs the core's nanotdb.plugin-files service");
    }
    const PluginConfig& cfg = ctx.config();
    int64_t keep_backups = cfg.GetInt("keep_backups");
    if (keep_backups < 0) {
      return Status::InvalidArgument("[plugins.ui-dashboard] keep_backups must be >= 0, got " +
                                     std::to_string(keep_backups));
    }
    NANOTDB_ASSIGN_OR_RETURN(std::vector<std::string> moved, MigrateLegacyDashboard(*files));
    for (const std::string& line : moved) ctx.Log(LogLevel::kInfo, "migration: " + line);
    const EmbeddedAsset* def = FindAsset("/default/dashboard.json");
    if (!def) return Status::Internal("the built-in dashboard is missing from the plugin build");
    NANOTDB_ASSIGN_OR_RETURN(std::string default_json, Gunzip(*def));

    UiServices services;
    services.title = cfg.GetString("title");
    if (services.title.empty()) services.title = "NanoTDB";
    if (int64_t refresh = cfg.GetDuration("refresh"); refresh > 0) {
      services.refresh_ns = refresh;
    }
    services.version = kVersion;
    services.query = ctx.Find<QueryService>();
    services.metadata = ctx.Find<MetadataService>();
    services.stats = ctx.Find<StatsService>();
    store_ = std::make_unique<DashboardStore>(*files, default_json,
                                              services.title == "NanoTDB" ? "" : services.title,
                                              static_cast<size_t>(keep_backups));
    services.store = store_.get();
    for (RouteSpec& route : BuildUiRoutes(services)) {
      std::string path = route.path;
      Status st = http->AddRoute(std::move(route));
      if (!st.ok()) return st.WithContext("ui-dashboard: adding route " + path);
    }
    if (!services.metadata) {
      ctx.Log(LogLevel::kWarning,
              "ui-dashboard: no nanotdb.metadata service; the engine inspector is unavailable");
    }
    return Status::Ok();
  }

  void Stop() {}

 private:
  std::unique_ptr<DashboardStore> store_;
};

}  // namespace
}  // namespace nanotdb::ui

NANOTDB_PLUGIN(nanotdb::ui::UiDashboardPlugin, "ui-dashboard", nanotdb::ui::kVersion,
               "dashboard, Explore, dashboard editor and engine inspector in the browser",
               nanotdb::ui::kConfigKeys)
