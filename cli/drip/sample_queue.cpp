#include "sample_queue.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace nanotdb::drip {

size_t SampleQueue::Push(Batch batch) {
  samples_ += batch.samples;
  batches_.push_back(std::move(batch));
  size_t dropped = 0;
  while (samples_ > max_samples_ && batches_.size() > 1) {
    dropped += batches_.front().samples;
    samples_ -= batches_.front().samples;
    batches_.pop_front();
  }
  dropped_ += dropped;
  return dropped;
}

SampleQueue::FlushResult SampleQueue::Flush(Sender& sender, size_t max_post_samples) {
  FlushResult result;
  while (!batches_.empty()) {
    // Merge the oldest batches into one request (at least one batch, even if it is large).
    size_t count = 0, samples = 0;
    std::string body;
    for (const Batch& b : batches_) {
      if (count > 0 && samples + b.samples > max_post_samples) break;
      body += b.lines;
      samples += b.samples;
      ++count;
    }
    std::string error;
    SendResult r = sender.Send(body, &error);
    if (r == SendResult::kRetry) {
      result.stalled = true;
      result.error = std::move(error);
      return result;
    }
    if (r == SendResult::kRejected) {
      result.rejected_samples += samples;
      rejected_ += samples;
      result.error = std::move(error);
    } else {
      result.sent_samples += samples;
    }
    for (size_t i = 0; i < count; ++i) batches_.pop_front();
    samples_ -= samples;
  }
  return result;
}

Status SampleQueue::SaveTo(const std::string& path) const {
  if (batches_.empty()) {
    if (std::remove(path.c_str()) != 0 && errno != ENOENT) {
      return Status::IOError("remove " + path + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    for (const Batch& b : batches_) out << b.lines;
    out.flush();
    if (!out) return Status::IOError("write " + tmp + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("rename " + tmp + " to " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Status SampleQueue::LoadFrom(const std::string& path, size_t lines_per_batch) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return Status::Ok();
    return Status::IOError("open " + path + ": " + std::strerror(errno));
  }
  std::deque<Batch> loaded;
  std::string line;
  Batch current;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    current.lines += line;
    current.lines += '\n';
    if (++current.samples == lines_per_batch) {
      loaded.push_back(std::move(current));
      current = Batch{};
    }
  }
  if (current.samples > 0) loaded.push_back(std::move(current));
  in.close();
  // Spilled samples are older than anything queued since start: they go first.
  for (auto it = loaded.rbegin(); it != loaded.rend(); ++it) {
    samples_ += it->samples;
    batches_.push_front(std::move(*it));
  }
  while (samples_ > max_samples_ && batches_.size() > 1) {
    dropped_ += batches_.front().samples;
    samples_ -= batches_.front().samples;
    batches_.pop_front();
  }
  if (std::remove(path.c_str()) != 0) {
    return Status::IOError("remove " + path + " after loading it: " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace nanotdb::drip
