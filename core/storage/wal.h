// The write-ahead log of one database (<db>/<db>.wal): what the open pages hold that is not yet
// in a data file. One record per write batch; the database empties it (Reset) once every open
// page is flushed. Byte layout: wal_format.h and docs/format/wal.md.
//
// Records are compact: timestamps and ids are delta-coded and each value is coded against the
// same metric's previous value in the same record, so every record decodes on its own (format
// version 3). Each carries its length, a header check and a CRC-32C: replay skips a damaged
// record and goes on with the next intact one, and only a provably torn last record is cut.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/env.h"
#include "nanotdb/status.h"
#include "nanotdb/types.h"
#include "storage/wal_format.h"

namespace nanotdb {

// Metric ids the WAL can carry: 1..kMaxMetricId (the catalog never hands out more).
inline constexpr MetricId kMaxMetricId = (1u << 20) - 1;

// A metric first written in this batch: lets replay rebuild catalog entries that were never
// saved.
struct WalMetricDef {
  MetricId id = 0;
  ValueType type = ValueType::kFloat64;  // kInt64 or kFloat64 (version 1 types are widened)
  std::string name;
  bool operator==(const WalMetricDef&) const = default;
};

struct WalSample {
  MetricId id = 0;
  Timestamp ts = 0;
  uint64_t bits = 0;  // int64 or float64 bit pattern (see WalBatch::narrow_values)
  bool operator==(const WalSample&) const = default;
};

// One record. Samples are replayed in this order.
struct WalBatch {
  std::vector<WalMetricDef> new_metrics;
  std::vector<WalSample> samples;
  // Set on batches replayed from a format version 1 log: each `bits` is then the int32 or
  // float32 pattern of a metric whose type is now int64 or float64, to be widened by the
  // reader (Value::Widened). Never set on batches to append.
  bool narrow_values = false;
  bool operator==(const WalBatch&) const = default;
};

// Bytes replay skipped because they do not hold an intact record (not a torn tail).
struct WalDamage {
  uint64_t offset = 0;
  uint64_t bytes = 0;
  std::string reason;      // why the record at `offset` is bad
  std::string quarantine;  // WalWriter::Open: the file the bytes were copied to
};

struct WalReadReport {
  uint64_t file_bytes = 0;   // size of the file when read
  uint64_t valid_bytes = 0;  // header + intact records (0 when the header is missing or torn)
  uint64_t records = 0;      // intact records
  uint64_t samples = 0;      // samples in them
  Timestamp min_ts = 0, max_ts = 0;  // over those samples (0, 0 when none)
  uint64_t tail_bytes = 0;           // file_bytes - valid_bytes: torn or corrupt, dropped by Open
  std::string stop_reason;           // why reading stopped before the end; "" = clean end
  // Damaged regions skipped (or, at the end, dropped); each costs the records it held. Open
  // copies each to <wal>.quarantine.<offset> before anything is cut.
  std::vector<WalDamage> damaged;
};

struct WalOptions {
  bool sync_every_append = false;  // fsync_policy = always
  // fsync_policy = segment: fsync every append once the file is at least this large.
  uint64_t sync_above_bytes = 64ull << 20;
};

class WalCodec;  // the coding state of one WAL generation (wal.cpp)

class WalWriter {
 public:
  // Opens or creates the WAL at `path` (its directory must exist), replays every intact
  // record through `on_batch` in order (skipping damaged ones), copies damaged bytes to
  // quarantine files, then truncates a torn or damaged tail (*report says how many bytes and
  // why) and is ready to append. A new file gets its header synced and its
  // directory entry synced. A file whose magic or version is wrong is Corruption and is never
  // modified, unless an intact record follows the header: then the header's 12 bytes are a
  // damaged region (quarantined like any other) and Reset writes a new header. An error from
  // on_batch stops the open and is returned; the file is untouched. `report` may be null.
  static Result<std::unique_ptr<WalWriter>> Open(
      Env* env, const std::string& path, const WalOptions& opts,
      const std::function<Status(const WalBatch&)>& on_batch, WalReadReport* report);

  ~WalWriter();
  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  // Appends `batch` as one record and fsyncs it when the options say so. An empty batch writes
  // nothing. InvalidArgument (nothing written) for an id outside 1..kMaxMetricId or a bad
  // metric definition. On an I/O error the log is cut back to where it was, so a failed
  // batch is never replayed; if even that fails, every later Append fails until Reset()
  // succeeds.
  Status Append(const WalBatch& batch);
  // Group commit: appends like Append but never fsyncs; *seq receives the append's number for
  // SyncUpTo. Calls must be serialised like Append (the owner's lock).
  Status AppendNoSync(const WalBatch& batch, uint64_t* seq);
  // Makes every append numbered up to `seq` durable. Called without the owner's lock, from
  // any thread: one fsync covers every append made before it started, so concurrent writers
  // share it. Once an fsync fails every later call fails until Reset.
  Status SyncUpTo(uint64_t seq);
  // Empties the log down to its header, durably, and forgets the coding state.
  Status Reset();
  Status Sync();
  uint64_t size() const;  // bytes in the file, header included
  // The format version of the file: kWalVersion, or 1 when Open replayed records of an older
  // build. A version 1 log refuses appends (Unsupported) until Reset, which the owner calls
  // once the replayed samples are flushed to data files.
  uint32_t format_version() const;
  const std::string& path() const;

  WalWriter(std::string path, WalOptions opts, std::unique_ptr<WritableFile> file,
            std::unique_ptr<WalCodec> codec);  // use Open

 private:
  // Encodes one record at the end of scratch_.
  Status AppendRecord(WalRecordType type, const WalBatch& batch);
  void AppendRawRecord(WalRecordType type, std::string_view payload);
  // Fills in the header of the record that starts at scratch_[start].
  void SealRecord(WalRecordType type, size_t start);

  std::string path_;
  WalOptions opts_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<WalCodec> codec_;
  Status broken_;                // non-OK once a failed append could not be undone
  bool rewrite_header_ = false;  // Open found the header damaged; Reset writes it anew
  // Group commit: appends made (under the owner's lock) and appends known durable.
  std::atomic<uint64_t> appended_{0};
  std::atomic<uint64_t> synced_{0};
  std::mutex sync_mu_;  // one fsync at a time; guards sync_failed_
  Status sync_failed_;
  std::string scratch_;  // reused record buffer
};

// Read-only scan for inspection and read-only engines: replays like Open but never modifies
// the file. A missing file is an empty log (OK, zero report). `report` may be null.
Status ReadWal(Env* env, const std::string& path,
               const std::function<Status(const WalBatch&)>& on_batch, WalReadReport* report);

}  // namespace nanotdb
