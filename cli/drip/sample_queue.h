// SampleQueue: drip's bounded outbox. Each collection cycle becomes one Batch of line protocol;
// batches wait here while the server is unreachable and leave oldest first once it answers.
// Only when the bound is hit are the oldest batches dropped, and every dropped sample is
// counted. Optionally the queue is saved to a spill file on shutdown and loaded on start.
//
// Not thread-safe: drip's main loop owns it.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "nanotdb/status.h"

namespace nanotdb::drip {

struct Batch {
  std::string lines;  // line protocol, one sample per '\n'-terminated line
  size_t samples = 0;
};

enum class SendResult {
  kSent,      // the server stored the body
  kRetry,     // nothing (known to be) stored: unreachable, 5xx, auth refused; keep the data
  kRejected,  // the server answered but refused (some) lines: resending will not help
};

// Delivers one request body. Implemented over HTTP by HttpSender; tests use a fake.
class Sender {
 public:
  virtual ~Sender() = default;
  virtual SendResult Send(std::string_view body, std::string* error) = 0;
};

class SampleQueue {
 public:
  // max_samples >= 1; a single batch larger than the bound is still kept whole.
  explicit SampleQueue(size_t max_samples) : max_samples_(max_samples) {}

  // Appends a batch; returns how many (oldest) samples were dropped to stay within the bound.
  size_t Push(Batch batch);

  struct FlushResult {
    size_t sent_samples = 0;
    size_t rejected_samples = 0;
    bool stalled = false;  // a send asked to retry later; the rest stays queued
    std::string error;     // the last send's error, when any
  };
  // Sends queued batches oldest first, several per request up to max_post_samples, until the
  // queue is empty or a send returns kRetry. Rejected requests are dropped and counted.
  FlushResult Flush(Sender& sender, size_t max_post_samples);

  size_t samples() const { return samples_; }
  size_t batches() const { return batches_.size(); }
  bool empty() const { return batches_.empty(); }
  uint64_t dropped_samples() const { return dropped_; }
  uint64_t rejected_samples() const { return rejected_; }

  // Writes every queued line to `path` (temp file + rename); removes `path` when empty.
  Status SaveTo(const std::string& path) const;
  // Queues the lines of `path` ahead of anything pushed later, then deletes the file.
  // A missing file is not an error.
  Status LoadFrom(const std::string& path, size_t lines_per_batch);

 private:
  size_t max_samples_;
  std::deque<Batch> batches_;
  size_t samples_ = 0;
  uint64_t dropped_ = 0;
  uint64_t rejected_ = 0;
};

}  // namespace nanotdb::drip
