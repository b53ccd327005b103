#include "sample_queue.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace nanotdb::drip {
namespace {

// A server that is down until told otherwise and records what it received.
class FakeSender final : public Sender {
 public:
  SendResult Send(std::string_view body, std::string* error) override {
    ++calls;
    if (!up) {
      *error = "connection refused";
      return SendResult::kRetry;
    }
    if (reject_next) {
      reject_next = false;
      *error = "HTTP 400: line 1: bad";
      return SendResult::kRejected;
    }
    received += body;
    ++posts;
    return SendResult::kSent;
  }
  bool up = false;
  bool reject_next = false;
  int calls = 0, posts = 0;
  std::string received;
};

Batch Cycle(int n, size_t samples) {
  Batch b;
  for (size_t i = 0; i < samples; ++i) {
    b.lines +=
        "metrics/m" + std::to_string(i) + " " + std::to_string(n) + " " + std::to_string(n) + "\n";
  }
  b.samples = samples;
  return b;
}

TEST(SampleQueueTest, ServerDownQueuesThenSendsOldestFirstWhenBack) {
  FakeSender server;
  SampleQueue q(100);
  for (int n = 1; n <= 3; ++n) {
    q.Push(Cycle(n, 2));
    SampleQueue::FlushResult r = q.Flush(server, 1000);
    EXPECT_TRUE(r.stalled);
    EXPECT_EQ(r.error, "connection refused");
  }
  EXPECT_EQ(q.samples(), 6u);
  EXPECT_EQ(server.received, "");
  server.up = true;
  q.Push(Cycle(4, 2));
  SampleQueue::FlushResult r = q.Flush(server, 1000);
  EXPECT_FALSE(r.stalled);
  EXPECT_EQ(r.sent_samples, 8u);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(server.received,
            Cycle(1, 2).lines + Cycle(2, 2).lines + Cycle(3, 2).lines + Cycle(4, 2).lines);
  EXPECT_EQ(q.dropped_samples(), 0u);
}

TEST(SampleQueueTest, RequestsAreCappedAtMaxPostSamples) {
  FakeSender server;
  server.up = true;
  SampleQueue q(100);
  for (int n = 1; n <= 5; ++n) q.Push(Cycle(n, 3));
  q.Flush(server, 7);  // 2 cycles (6 samples) per request
  EXPECT_EQ(server.posts, 3);
  EXPECT_TRUE(q.empty());
}

TEST(SampleQueueTest, BoundDropsOldestBatchesAndCountsThem) {
  SampleQueue q(5);
  EXPECT_EQ(q.Push(Cycle(1, 2)), 0u);
  EXPECT_EQ(q.Push(Cycle(2, 2)), 0u);
  EXPECT_EQ(q.Push(Cycle(3, 2)), 2u);  // 6 > 5: cycle 1 goes
  EXPECT_EQ(q.samples(), 4u);
  EXPECT_EQ(q.dropped_samples(), 2u);
  FakeSender server;
  server.up = true;
  q.Flush(server, 100);
  EXPECT_EQ(server.received, Cycle(2, 2).lines + Cycle(3, 2).lines);
}

TEST(SampleQueueTest, ABatchLargerThanTheBoundIsKeptWhole) {
  SampleQueue q(3);
  q.Push(Cycle(1, 2));
  EXPECT_EQ(q.Push(Cycle(2, 10)), 2u);
  EXPECT_EQ(q.samples(), 10u);
}

TEST(SampleQueueTest, RejectedRequestsAreDroppedAndCountedNotResent) {
  FakeSender server;
  server.up = true;
  server.reject_next = true;
  SampleQueue q(100);
  q.Push(Cycle(1, 2));
  q.Push(Cycle(2, 2));
  SampleQueue::FlushResult r = q.Flush(server, 2);
  EXPECT_EQ(r.rejected_samples, 2u);
  EXPECT_EQ(r.sent_samples, 2u);
  EXPECT_EQ(q.rejected_samples(), 2u);
  EXPECT_EQ(server.received, Cycle(2, 2).lines);
  EXPECT_TRUE(q.empty());
}

TEST(SampleQueueTest, SpillFileKeepsTheQueueAcrossRestartsOldestFirst) {
  std::string path =
      (std::filesystem::temp_directory_path() / ("drip-spill-" + std::to_string(getpid()) + ".lp"))
          .string();
  {
    SampleQueue q(100);
    q.Push(Cycle(1, 2));
    q.Push(Cycle(2, 2));
    ASSERT_TRUE(q.SaveTo(path).ok());
  }
  SampleQueue q(100);
  q.Push(Cycle(3, 2));  // collected after the restart, before the file was read
  ASSERT_TRUE(q.LoadFrom(path, 3).ok());
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(q.samples(), 6u);
  FakeSender server;
  server.up = true;
  q.Flush(server, 100);
  EXPECT_EQ(server.received, Cycle(1, 2).lines + Cycle(2, 2).lines + Cycle(3, 2).lines);
}

TEST(SampleQueueTest, EmptyQueueRemovesAStaleSpillFileAndMissingFileLoadsNothing) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("drip-spill-empty-" + std::to_string(getpid()) + ".lp"))
                         .string();
  std::ofstream(path) << "metrics/x 1 1\n";
  SampleQueue q(10);
  ASSERT_TRUE(q.SaveTo(path).ok());
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(q.LoadFrom(path, 10).ok());
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace nanotdb::drip
