// InfluxHandler: the InfluxDB write API over the line protocol (influx_line.h), so Telegraf,
// Home Assistant's InfluxDB integration and other Influx clients write to nanotdb unchanged:
//   POST /write?db=<db>&precision=<ns|u|ms|s>              InfluxDB 1.x
//   POST /api/v2/write?bucket=<db>&org=<any>&precision=...  InfluxDB 2.x (bucket "db/rp": db)
//   GET|HEAD /ping                                          204, as InfluxDB answers
// Each numeric field is one sample of `<measurement>_<field>{tags}` in the database: floats
// as float64, `i` integers as int64, `u` integers as int64 (refused above 2^63-1), booleans
// as int64 1/0; string fields are refused (nanotdb stores numbers). A tag named "db" becomes
// "exported_db". Every good field is stored; the answer is 204, or 400 in Influx's error shape
// naming the first bad line (`{"error":"partial write: line 2: ..."}` for 1.x,
// `{"code":"invalid","message":"partial write: line 2: ..."}` for 2.x). docs/influx.md.
//
// Thread safety: handlers may run concurrently; the WriterService is borrowed.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "nanotdb/services/http.h"
#include "nanotdb/services/writer.h"

namespace nanotdb::influx {

struct InfluxOptions {
  size_t batch_size = 10'000;
  // The wall clock (ns) for lines without a timestamp; tests pin it. Empty: the system clock.
  std::function<Timestamp()> now;
};

class InfluxHandler {
 public:
  InfluxHandler(WriterService& writer, InfluxOptions options);
  InfluxHandler(const InfluxHandler&) = delete;
  InfluxHandler& operator=(const InfluxHandler&) = delete;

  void WriteV1(const HttpRequest& req, HttpResponse& resp) const;
  void WriteV2(const HttpRequest& req, HttpResponse& resp) const;
  // /write, /api/v2/write (POST, role write) and /ping (GET, role read), bound to this object.
  std::vector<RouteSpec> Routes() const;

 private:
  enum class Api { kV1, kV2 };
  void Write(Api api, const std::string& db, const HttpRequest& req, HttpResponse& resp) const;

  WriterService& writer_;
  InfluxOptions options_;
};

}  // namespace nanotdb::influx
