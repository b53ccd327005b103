// POST /api/v1/rollup/backfill (admin): recomputes rollups from scratch (Roller::Backfill) and
// answers once the rebuilt destinations are flushed. Which sources: `dbs` (comma-separated) or
// `db` as parameters, or a JSON body {"dbs": [...]}, {"source_db": "x"} or
// {"source_dbs": [...]}; none = every database with rollup jobs. docs/rollups.md shows the
// answer.
#pragma once

#include <string>
#include <vector>

#include "nanotdb/services/http.h"
#include "roller.h"

namespace nanotdb::rollup {

// The requested source databases; InvalidArgument naming the problem for a body that is not
// JSON or holds a wrong type.
Status ParseBackfillRequest(const HttpRequest& req, std::vector<std::string>* dbs);
// The "result" object of the answer.
std::string BackfillReportJson(const BackfillReport& report);
// The route; `roller` must outlive it.
RouteSpec BackfillRoute(Roller& roller);

}  // namespace nanotdb::rollup
