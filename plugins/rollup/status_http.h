// GET /api/v1/rollup/status (read role): what the rollup plugin does and what stops it, so a
// job that writes nothing is not silent. The answer (docs/rollups.md, "Status") holds the last
// live pass (when it ended, what it wrote, every error it met: a destination that cannot be
// created, refused outputs, ...) and, per database with [rollups], its manifest error or its
// jobs: source, destination, interval, whether the destination exists and how many series
// the job takes.
#pragma once

#include <string>

#include "nanotdb/services/databases.h"
#include "nanotdb/services/http.h"
#include "nanotdb/services/query.h"
#include "roller.h"

namespace nanotdb::rollup {

// The "result" object of the answer: the last pass of `roller` and the jobs the manifests of
// `query`'s databases define now.
std::string RollupStatusJson(const Roller& roller, QueryService& query, DatabaseService& databases);
// The route; everything passed must outlive it.
RouteSpec StatusRoute(const Roller& roller, QueryService& query, DatabaseService& databases);

}  // namespace nanotdb::rollup
