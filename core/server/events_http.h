// The events routes (docs/http-api.md#events), over the EventService:
//   POST /api/v1/events         write role: one event object or an array of them (JSON)
//   GET  /api/v1/events         read role: a range of events, in time order
//   GET  /api/v1/events/count   read role: counts per name and per window
// The handlers are plain functions of the service and a clock, tested without a server.
#pragma once

#include <functional>
#include <vector>

#include "nanotdb/services/events.h"
#include "nanotdb/services/http.h"

namespace nanotdb::server {

struct EventRoutesOptions {
  size_t max_events_per_request = 100000;
  size_t default_limit = 1000;  // GET /api/v1/events without limit=
  size_t max_limit = 100000;
  size_t max_errors = 100;         // per-item errors listed in a 400 answer
  std::function<Timestamp()> now;  // the wall clock, Unix ns
};

std::vector<RouteSpec> EventRoutes(EventService& events, EventRoutesOptions options);

}  // namespace nanotdb::server
