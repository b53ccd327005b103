#include "nanotdb/options.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "nanotdb/services/partitions.h"

namespace nanotdb {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

const char* DurabilityProfileName(DurabilityProfile p) {
  switch (p) {
    case DurabilityProfile::kStrict:
      return "strict";
    case DurabilityProfile::kBalanced:
      return "balanced";
    case DurabilityProfile::kThroughput:
      return "throughput";
  }
  return "strict";
}

const char* FsyncPolicyName(FsyncPolicy p) {
  return p == FsyncPolicy::kAlways ? "always" : "segment";
}

const char* PartitioningName(Partitioning p) {
  switch (p) {
    case Partitioning::kDay:
      return "day";
    case Partitioning::kMonth:
      return "month";
    case Partitioning::kYear:
      return "year";
    case Partitioning::kForever:
      return "forever";
  }
  return "day";
}

const char* RetentionActionName(RetentionAction a) {
  return a == RetentionAction::kDelete ? "delete" : "keep";
}

bool ParseDurabilityProfile(std::string_view s, DurabilityProfile* out) {
  std::string v = Lower(s);
  if (v == "strict")
    *out = DurabilityProfile::kStrict;
  else if (v == "balanced")
    *out = DurabilityProfile::kBalanced;
  else if (v == "throughput")
    *out = DurabilityProfile::kThroughput;
  else
    return false;
  return true;
}

bool ParseFsyncPolicy(std::string_view s, FsyncPolicy* out) {
  std::string v = Lower(s);
  if (v == "segment")
    *out = FsyncPolicy::kSegment;
  else if (v == "always")
    *out = FsyncPolicy::kAlways;
  else
    return false;
  return true;
}

bool ParsePartitioning(std::string_view s, Partitioning* out) {
  std::string v = Lower(s);
  if (v == "day")
    *out = Partitioning::kDay;
  else if (v == "month")
    *out = Partitioning::kMonth;
  else if (v == "year")
    *out = Partitioning::kYear;
  else if (v == "forever")
    *out = Partitioning::kForever;
  else
    return false;
  return true;
}

bool ParseRetentionAction(std::string_view s, RetentionAction* out) {
  std::string v = Lower(s);
  if (v == "keep")
    *out = RetentionAction::kKeep;
  else if (v == "delete")
    *out = RetentionAction::kDelete;
  else
    return false;
  return true;
}

const char* RawActionName(RawAction a) {
  switch (a) {
    case RawAction::kKeep:
      return "keep";
    case RawAction::kRename:
      return "rename";
    case RawAction::kDelete:
      return "delete";
  }
  return "keep";
}

bool ParseRawAction(std::string_view text, RawAction* out) {
  for (RawAction a : {RawAction::kKeep, RawAction::kRename, RawAction::kDelete}) {
    if (text == RawActionName(a)) {
      *out = a;
      return true;
    }
  }
  return false;
}

}  // namespace nanotdb
