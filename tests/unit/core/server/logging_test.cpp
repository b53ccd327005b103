#include "server/logging.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace nanotdb::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nanotdb-log-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(LoggingTest, EachLoggerKeepsItsOwnLevel) {
  std::string info_log = (dir_ / "info.log").string();
  std::string trace_log = (dir_ / "trace.log").string();
  auto sink = LogSink::Create({{info_log, LogLevel::kInfo}, {trace_log, LogLevel::kTrace}});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  (*sink)->Log(LogLevel::kInfo, "engine opened");
  (*sink)->Log(LogLevel::kTrace, "GET /health");
  (*sink)->Log(LogLevel::kWarning, "disk almost full");
  EXPECT_TRUE((*sink)->Enabled(LogLevel::kTrace));
  sink->reset();
  EXPECT_THAT(Read(info_log), HasSubstr("INFO  engine opened"));
  EXPECT_THAT(Read(info_log), HasSubstr("WARN  disk almost full"));
  EXPECT_THAT(Read(info_log), Not(HasSubstr("GET /health")));
  EXPECT_THAT(Read(trace_log), HasSubstr("TRACE GET /health"));
}

TEST_F(LoggingTest, FileLoggerAppends) {
  std::string path = (dir_ / "a.log").string();
  std::ofstream(path) << "old line\n";
  {
    auto sink = LogSink::Create({{path, LogLevel::kInfo}});
    ASSERT_TRUE(sink.ok());
    (*sink)->Log(LogLevel::kInfo, "new line");
  }
  EXPECT_THAT(Read(path), HasSubstr("old line\n"));
  EXPECT_THAT(Read(path), HasSubstr("new line"));
}

TEST_F(LoggingTest, ReopenFollowsARotatedFile) {
  std::string path = (dir_ / "r.log").string();
  auto sink = LogSink::Create({{path, LogLevel::kInfo}});
  ASSERT_TRUE(sink.ok());
  (*sink)->Log(LogLevel::kInfo, "before rotation");
  fs::rename(path, path + ".1");
  (*sink)->Reopen();
  (*sink)->Log(LogLevel::kInfo, "after rotation");
  sink->reset();
  EXPECT_THAT(Read(path + ".1"), HasSubstr("before rotation"));
  EXPECT_THAT(Read(path), HasSubstr("after rotation"));
  EXPECT_THAT(Read(path), Not(HasSubstr("before rotation")));
}

TEST_F(LoggingTest, UnwritableFileFailsAtCreationNamingThePath) {
  std::string path = (dir_ / "missing-dir" / "x.log").string();
  auto sink = LogSink::Create({{path, LogLevel::kInfo}});
  ASSERT_FALSE(sink.ok());
  EXPECT_THAT(sink.status().message(), HasSubstr("cannot open log file " + path));
}

TEST_F(LoggingTest, LinesCarryAUtcTimestamp) {
  std::string path = (dir_ / "t.log").string();
  {
    auto sink = LogSink::Create({{path, LogLevel::kInfo}});
    ASSERT_TRUE(sink.ok());
    (*sink)->Log(LogLevel::kError, "boom");
  }
  std::string line = Read(path);
  ASSERT_GE(line.size(), 25u);
  EXPECT_EQ(line[4], '-');
  EXPECT_EQ(line[10], 'T');
  EXPECT_EQ(line[23], 'Z');
  EXPECT_THAT(line, HasSubstr("Z ERROR boom"));
}

}  // namespace
}  // namespace nanotdb::server
