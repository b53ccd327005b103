// LogSink: the daemon's log, fanned out to the [[logging.logger]] entries of engine.toml.
//
// Each logger is a Poco channel (ConsoleChannel on stderr, or FileChannel appending to a path)
// with its own level; a message reaches every logger whose level admits it (error and warning
// always, info at info and above, debug at debug and trace, trace only at trace). Lines read
// "2026-05-24T12:00:00.123Z INFO  message" in UTC.
// Thread-safe: Log and Reopen may be called from any thread.
#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "nanotdb/engine.h"
#include "server/config.h"

namespace nanotdb::server {

class LogSink {
 public:
  // Opens every file logger now so a bad path fails at startup (the error names the path).
  static Result<std::unique_ptr<LogSink>> Create(const std::vector<LoggerConfig>& loggers);
  ~LogSink();
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;

  void Log(LogLevel level, std::string_view message);
  // True when at least one logger admits `level` (lets callers skip building trace lines).
  bool Enabled(LogLevel level) const { return level <= max_level_; }
  // Closes and reopens file loggers (after logrotate moved them away; SIGHUP).
  void Reopen();
  // A LogFn that forwards to this sink; the sink must outlive it.
  LogFn AsLogFn();

 private:
  struct Output {
    Poco::AutoPtr<Poco::Channel> channel;
    LogLevel level;
    bool is_file;
  };
  LogSink() = default;

  std::mutex mu_;                // serialises writes and reopening
  std::vector<Output> outputs_;  // fixed after Create
  LogLevel max_level_ = LogLevel::kError;
};

}  // namespace nanotdb::server
