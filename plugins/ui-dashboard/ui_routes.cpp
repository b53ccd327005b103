#include "ui_routes.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "assets.h"
#include "dashboard_config.h"
#include "inspector_json.h"

namespace nanotdb::ui {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string Condense(const Poco::Dynamic::Var& v) {
  std::ostringstream os;
  Poco::JSON::Stringifier::condense(v, os);
  return os.str() + "\n";
}

// Parses normalised dashboard JSON produced by ValidateDashboard (always valid).
Poco::Dynamic::Var ParseJson(const std::string& text) {
  Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
  return parser.parse(text);
}

void ServeAsset(const EmbeddedAsset& asset, const HttpRequest& req, HttpResponse& res) {
  res.content_type = asset.content_type;
  res.headers.emplace_back("Cache-Control", "no-cache");
  res.headers.emplace_back("ETag", asset.etag);
  res.headers.emplace_back("Vary", "Accept-Encoding");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (req.Header("if-none-match") == asset.etag) {
    res.status = 304;
    return;
  }
  if (req.Header("accept-encoding").find("gzip") != std::string::npos) {
    res.headers.emplace_back("Content-Encoding", "gzip");
    res.body.assign(reinterpret_cast<const char*>(asset.gz), asset.gz_size);
    return;
  }
  Result<std::string> raw = Gunzip(asset);
  if (!raw.ok()) {
    res.status = 500;
    res.content_type = "text/plain; charset=utf-8";
    res.body = raw.status().message() + "\n";
    return;
  }
  res.body = std::move(raw).value();
}

void Json(HttpResponse& res, int status, std::string body) {
  res.status = status;
  res.content_type = "application/json";
  res.body = std::move(body);
}

std::string ErrorsJson(const std::vector<std::string>& errors) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("ok", false);
  Array::Ptr arr = new Array;
  for (const auto& e : errors) arr->add(e);
  o->set("errors", arr);
  return Condense(o);
}

RouteSpec Page(const std::string& path, const std::string& page) {
  RouteSpec r;
  r.path = path;
  std::string asset_path = "/page/" + page + ".html";
  r.handler = [asset_path](const HttpRequest& req, HttpResponse& res) {
    const EmbeddedAsset* a = FindAsset(asset_path);
    if (!a) {
      Json(res, 500, ErrorJson("execution", "page " + asset_path + " is missing from the build"));
      return;
    }
    ServeAsset(*a, req, res);
  };
  return r;
}

void HandleUiConfig(const UiServices& s, HttpResponse& res) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("title", s.title);
  o->set("refresh_seconds", s.refresh_ns / kNanosPerSecond);
  o->set("version", s.version);
  o->set("dashboard_file", s.store ? s.store->path() : std::string());
  Json(res, 200, Condense(o));
}

void HandleGetDashboard(const UiServices& s, HttpResponse& res) {
  Result<std::string> text = s.store->Load();
  if (!text.ok()) {
    res.status = 500;
    res.content_type = "text/plain; charset=utf-8";
    res.body = text.status().message() + "\n";
    return;
  }
  Json(res, 200, std::move(text).value());
}

void HandleValidate(const HttpRequest& req, HttpResponse& res) {
  DashboardValidation v = ValidateDashboard(req.body);
  if (!v.ok()) {
    Json(res, 400, ErrorsJson(v.errors));
    return;
  }
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("ok", true);
  o->set("config", ParseJson(v.normalized_json));
  Json(res, 200, Condense(o));
}

void HandleSave(const UiServices& s, const HttpRequest& req, HttpResponse& res) {
  std::vector<std::string> errors;
  Result<DashboardSaveResult> saved = s.store->Save(req.body, &errors);
  if (!saved.ok()) {
    if (!errors.empty()) {
      Json(res, 400, ErrorsJson(errors));
    } else {
      Json(res, 500, ErrorsJson({saved.status().message()}));
    }
    return;
  }
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("ok", true);
  o->set("backup_path", saved->backup_name);
  o->set("config", ParseJson(saved->normalized_json));
  Json(res, 200, Condense(o));
}

bool NeedServices(const UiServices& s, HttpResponse& res) {
  if (s.metadata && s.query) return true;
  Json(res, 503,
       ErrorJson("unavailable", std::string("the engine inspector needs the core's ") +
                                    (s.metadata ? "query" : "metadata") +
                                    " service, which this server does not provide"));
  return false;
}

void HandleOverview(const UiServices& s, HttpResponse& res) {
  if (!NeedServices(s, res)) return;
  std::vector<OverviewEntry> entries;
  for (const std::string& db : s.query->ListDatabases(true)) {
    entries.push_back({db, s.metadata->InspectDatabase(db)});
  }
  Json(res, 200, OverviewJson(entries, s.metadata->EffectiveConfigToml()));
}

void HandleDatabase(const UiServices& s, const HttpRequest& req, HttpResponse& res) {
  if (!NeedServices(s, res)) return;
  std::string db;
  if (!req.Param("db", &db) || db.empty()) {
    Json(res, 400, ErrorJson("bad_data", "missing db parameter (/api/engine/database?db=NAME)"));
    return;
  }
  if (!s.query->DatabaseExists(db)) {
    Json(res, 404, ErrorJson("not_found", "database not found: " + db));
    return;
  }
  Result<DatabaseSummary> summary = s.metadata->InspectDatabase(db);
  if (!summary.ok()) {
    int status = summary.status().IsNotFound() ? 404 : 500;
    Json(res, status,
         ErrorJson(status == 404 ? "not_found" : "execution", summary.status().message()));
    return;
  }
  Result<std::vector<MetricInfo>> metrics = s.query->ListMetrics(db);
  std::vector<MetricInfo> list;
  if (metrics.ok()) list = std::move(metrics).value();
  Json(res, 200, DatabaseJson(summary.value(), list));
}

void HandleRuntime(const UiServices& s, HttpResponse& res) {
  if (!NeedServices(s, res)) return;
  std::vector<PluginStats> stats;
  if (s.stats != nullptr) stats = s.stats->Collect();
  Json(res, 200, RuntimeJson(s.metadata->Runtime(), stats));
}

}  // namespace

std::vector<RouteSpec> BuildUiRoutes(const UiServices& s) {
  std::vector<RouteSpec> routes;
  for (const char* p : {"/", "/dashboard", "/dashboard/"}) routes.push_back(Page(p, "dashboard"));
  for (const char* p : {"/dashboard/edit", "/dashboard/edit/"}) {
    routes.push_back(Page(p, "editor"));
  }
  for (const char* p : {"/explore", "/explore/"}) routes.push_back(Page(p, "explore"));
  for (const char* p : {"/engine", "/engine/"}) routes.push_back(Page(p, "engine"));
  for (const char* p : {"/api-tester", "/api-tester/"}) routes.push_back(Page(p, "api-tester"));

  RouteSpec assets;
  assets.path = "/assets/";
  assets.prefix = true;
  assets.handler = [](const HttpRequest& req, HttpResponse& res) {
    const EmbeddedAsset* a = req.path.starts_with("/assets/") ? FindAsset(req.path) : nullptr;
    if (!a) {
      res.status = 404;
      res.content_type = "text/plain; charset=utf-8";
      res.body = "no such asset: " + req.path + "\n";
      return;
    }
    ServeAsset(*a, req, res);
  };
  routes.push_back(std::move(assets));

  // A dashboard is a few kilobytes; 1 MiB refuses mistakes long before the core's default.
  constexpr uint64_t kMaxDashboardBytes = 1 << 20;
  auto add = [&](std::string path, std::vector<std::string> methods, Role role,
                 HttpHandler handler) {
    RouteSpec r;
    r.path = std::move(path);
    r.methods = std::move(methods);
    r.role = role;
    if (r.methods[0] != "GET") r.max_body_bytes = kMaxDashboardBytes;
    r.handler = std::move(handler);
    routes.push_back(std::move(r));
  };
  add("/api/ui/config", {"GET"}, Role::kRead,
      [s](const HttpRequest&, HttpResponse& res) { HandleUiConfig(s, res); });
  add("/api/dashboard-config", {"GET"}, Role::kRead,
      [s](const HttpRequest&, HttpResponse& res) { HandleGetDashboard(s, res); });
  add("/api/dashboard-config", {"PUT"}, Role::kAdmin,
      [s](const HttpRequest& req, HttpResponse& res) { HandleSave(s, req, res); });
  add("/api/dashboard-config/validate", {"POST"}, Role::kRead,
      [](const HttpRequest& req, HttpResponse& res) { HandleValidate(req, res); });
  add("/api/engine/overview", {"GET"}, Role::kRead,
      [s](const HttpRequest&, HttpResponse& res) { HandleOverview(s, res); });
  add("/api/engine/database", {"GET"}, Role::kRead,
      [s](const HttpRequest& req, HttpResponse& res) { HandleDatabase(s, req, res); });
  add("/api/engine/runtime", {"GET"}, Role::kRead,
      [s](const HttpRequest&, HttpResponse& res) { HandleRuntime(s, res); });
  return routes;
}

}  // namespace nanotdb::ui
