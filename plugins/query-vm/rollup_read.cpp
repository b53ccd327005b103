#include "rollup_read.h"

#include "nanotdb/time_util.h"
#include "nanotdb/vm_json.h"

namespace nanotdb::queryvm {

Status RollupParam(const HttpRequest& req, bool* allowed) {
  *allowed = true;
  std::string v;
  if (!req.Param("rollup", &v) || v.empty() || v == "auto" || v == "on") return Status::Ok();
  if (v == "off") {
    *allowed = false;
    return Status::Ok();
  }
  return Status::InvalidArgument("invalid rollup \"" + v +
                                 "\": expected auto (read rollups where they answer exactly) or "
                                 "off (raw samples only)");
}

Status AggregateSeries(QueryService& query, RollupReadService* rollups, bool allowed,
                       std::string_view db, std::string_view series, Timestamp from, Timestamp to,
                       int64_t window, const std::vector<Aggregate>& aggs, std::vector<Bucket>* out,
                       ReadReport* report, RollupReadInfo* used) {
  *used = RollupReadInfo{};
  if (rollups != nullptr && allowed) {
    NANOTDB_RETURN_IF_ERROR(
        rollups->AggregateRange(db, series, from, to, window, aggs, out, report, used));
    if (used->used) return Status::Ok();
  } else {
    used->reason = rollups == nullptr ? "the rollup plugin is not running" : "rollup=off";
  }
  return query.AggregateRangeReporting(db, series, from, to, window, aggs, out, report);
}

void AppendRollupData(std::string* out, const std::vector<RollupAnswer>& answers) {
  if (answers.empty()) return;
  out->append(",\"rollups\":[");
  for (size_t i = 0; i < answers.size(); ++i) {
    const RollupAnswer& a = answers[i];
    if (i) out->push_back(',');
    out->append("{\"db\":");
    vm::AppendJsonString(out, a.db);
    out->append(",\"series\":");
    vm::AppendJsonString(out, a.series);
    out->append(",\"levels\":[");
    for (size_t k = 0; k < a.info.levels.size(); ++k) {
      const RollupLevelUse& l = a.info.levels[k];
      if (k) out->push_back(',');
      out->append("{\"db\":");
      vm::AppendJsonString(out, l.db);
      out->append(",\"series\":[");
      for (size_t s = 0; s < l.series.size(); ++s) {
        if (s) out->push_back(',');
        vm::AppendJsonString(out, l.series[s]);
      }
      out->append("],\"interval\":");
      vm::AppendJsonString(out, FormatDuration(l.interval));
      out->append(",\"start\":");
      vm::AppendSeconds(out, l.from);
      out->append(",\"end\":");
      vm::AppendSeconds(out, l.to);
      out->push_back('}');
    }
    out->append("],\"raw_tail_start\":");
    if (a.info.raw_tail_from == kMaxTimestamp) {
      out->append("null");
    } else {
      vm::AppendSeconds(out, a.info.raw_tail_from);
    }
    out->push_back('}');
  }
  out->push_back(']');
}

void AppendRollupInfos(std::string* out, const std::vector<RollupAnswer>& answers) {
  if (answers.empty()) return;
  out->append(",\"infos\":[");
  for (size_t i = 0; i < answers.size(); ++i) {
    const RollupAnswer& a = answers[i];
    std::string text = a.db + "/" + a.series + ": read rollups";
    for (size_t k = 0; k < a.info.levels.size(); ++k) {
      const RollupLevelUse& l = a.info.levels[k];
      text += k ? "; " : " ";
      for (size_t s = 0; s < l.series.size(); ++s) {
        text += (s ? ", " : "") + l.db + "/" + l.series[s];
      }
      text += " (" + FormatDuration(l.interval) + " periods " + FormatRfc3339(l.from) + " to " +
              FormatRfc3339(l.to) + ")";
    }
    if (a.info.raw_tail_from != kMaxTimestamp) {
      text += "; raw samples from " + FormatRfc3339(a.info.raw_tail_from);
    }
    text += " (rollup=off reads raw samples only)";
    if (i) out->push_back(',');
    vm::AppendJsonString(out, text);
  }
  out->push_back(']');
}

}  // namespace nanotdb::queryvm
