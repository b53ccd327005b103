// The HTTP routes of the ui-dashboard plugin: the four pages, their embedded assets, the
// dashboard config API and the engine inspector API (docs/dashboard.md lists them all).
//
// BuildUiRoutes only creates RouteSpecs; plugin.cpp hands them to the HttpService. Handlers are
// safe to run concurrently (the services are thread-safe, the store serialises saves) and never
// throw: failures become JSON errors that name the problem.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dashboard_store.h"
#include "nanotdb/services/http.h"
#include "nanotdb/services/metadata.h"
#include "nanotdb/services/query.h"
#include "nanotdb/services/stats.h"

namespace nanotdb::ui {

// What the handlers use; pointers are borrowed and must outlive the routes. `metadata` or
// `query` may be null (the inspector then answers 503 naming the missing service).
struct UiServices {
  QueryService* query = nullptr;
  MetadataService* metadata = nullptr;
  StatsService* stats = nullptr;  // plugins' own figures on the runtime tab; optional
  DashboardStore* store = nullptr;
  std::string title = "NanoTDB";
  int64_t refresh_ns = 10 * kNanosPerSecond;  // dashboard auto-refresh default
  std::string version;                        // the plugin's version, shown in the UI footer
};

std::vector<RouteSpec> BuildUiRoutes(const UiServices& services);

}  // namespace nanotdb::ui
