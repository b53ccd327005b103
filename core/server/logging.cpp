#include "server/logging.h"

#include <Poco/ConsoleChannel.h>
#include <Poco/Exception.h>
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>

#include <string>

namespace nanotdb::server {
namespace {

Poco::Message::Priority ToPriority(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return Poco::Message::PRIO_ERROR;
    case LogLevel::kWarning:
      return Poco::Message::PRIO_WARNING;
    case LogLevel::kInfo:
      return Poco::Message::PRIO_INFORMATION;
    case LogLevel::kDebug:
      return Poco::Message::PRIO_DEBUG;
    case LogLevel::kTrace:
      return Poco::Message::PRIO_TRACE;
  }
  return Poco::Message::PRIO_INFORMATION;
}

const char* LevelTag(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "ERROR ";
    case LogLevel::kWarning:
      return "WARN  ";
    case LogLevel::kInfo:
      return "INFO  ";
    case LogLevel::kDebug:
      return "DEBUG ";
    case LogLevel::kTrace:
      return "TRACE ";
  }
  return "INFO  ";
}

}  // namespace

Result<std::unique_ptr<LogSink>> LogSink::Create(const std::vector<LoggerConfig>& loggers) {
  std::unique_ptr<LogSink> sink(new LogSink());
  for (const LoggerConfig& logger : loggers) {
    Poco::AutoPtr<Poco::Channel> target;
    bool is_file = logger.output != "console";
    if (is_file) {
      Poco::AutoPtr<Poco::FileChannel> file(new Poco::FileChannel(logger.output));
      try {
        file->open();
      } catch (const Poco::Exception& e) {
        return Status::IOError("cannot open log file " + logger.output + ": " + e.displayText() +
                               " (fix logging.logger.output or the directory's permissions)");
      }
      target = file;
    } else {
      target = new Poco::ConsoleChannel();
    }
    Poco::AutoPtr<Poco::PatternFormatter> formatter(
        new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %t"));
    formatter->setProperty("times", "UTC");
    Poco::AutoPtr<Poco::Channel> channel(new Poco::FormattingChannel(formatter, target));
    sink->outputs_.push_back(Output{channel, logger.level, is_file});
    if (logger.level > sink->max_level_) sink->max_level_ = logger.level;
  }
  return sink;
}

LogSink::~LogSink() {
  for (Output& out : outputs_) out.channel->close();
}

void LogSink::Log(LogLevel level, std::string_view message) {
  if (!Enabled(level)) return;
  Poco::Message msg("nanotdb", LevelTag(level) + std::string(message), ToPriority(level));
  std::lock_guard<std::mutex> lock(mu_);
  for (Output& out : outputs_) {
    if (level > out.level) continue;
    try {
      out.channel->log(msg);
    } catch (const Poco::Exception&) {
      // A full disk must not take the daemon down; the other loggers still get the line.
    }
  }
}

void LogSink::Reopen() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Output& out : outputs_) {
    if (!out.is_file) continue;
    try {
      out.channel->close();
      out.channel->open();
    } catch (const Poco::Exception&) {
      // The next write retries the open; Log swallows what still fails.
    }
  }
}

LogFn LogSink::AsLogFn() {
  return [this](LogLevel level, std::string_view message) { Log(level, message); };
}

}  // namespace nanotdb::server
