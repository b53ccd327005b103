// dashboard.json (plugins/ui-dashboard/dashboard_config.cpp), what POST
// /api/dashboard-config/validate and PUT /api/dashboard-config read from any client: any text is
// accepted or refused with non-empty messages; an accepted document normalises to text that is
// accepted again and normalises to itself (a saved dashboard does not change when saved again).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dashboard_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nanotdb::ui::DashboardValidation;
  using nanotdb::ui::ValidateDashboard;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  int64_t ns = 0;
  if (nanotdb::ui::ParseDashboardDuration(text, &ns) && ns <= 0) __builtin_trap();
  DashboardValidation v = ValidateDashboard(text);
  if (!v.ok()) {
    if (!v.normalized_json.empty()) __builtin_trap();
    for (const std::string& e : v.errors) {
      if (e.empty()) __builtin_trap();
    }
    return 0;
  }
  if (v.normalized_json.empty()) __builtin_trap();
  DashboardValidation again = ValidateDashboard(v.normalized_json);
  if (!again.ok() || again.normalized_json != v.normalized_json) __builtin_trap();
  return 0;
}
