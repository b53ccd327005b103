// HttpSender: posts line protocol to <server_url>/api/v1/import, and drip's events as JSON to
// <server_url>/api/v1/events, over one keep-alive HTTP/1.1 connection (plain POSIX sockets:
// drip stays small), with an optional bearer token.
//
// Not thread-safe (one request at a time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sample_queue.h"

namespace nanotdb::drip {

// "http://host[:port][/prefix]". False with a reason for anything else (https included).
struct HttpUrl {
  std::string host;
  uint16_t port = 80;
  std::string path;  // without a trailing '/'; "" for none
};
bool ParseHttpUrl(std::string_view url, HttpUrl* out, std::string* why);

class HttpSender final : public Sender {
 public:
  // server_url was checked by LoadDripConfig with ParseHttpUrl.
  HttpSender(const std::string& server_url, std::string token, int64_t timeout_ns);
  ~HttpSender() override;
  HttpSender(const HttpSender&) = delete;
  HttpSender& operator=(const HttpSender&) = delete;

  SendResult Send(std::string_view body, std::string* error) override;
  // POSTs a JSON array of events (EventsJson) to /api/v1/events?db=<db>; same results as Send.
  SendResult SendEvents(std::string_view db, std::string_view json, std::string* error);

 private:
  SendResult SendTo(const std::string& target, std::string_view content_type, std::string_view body,
                    std::string* error);
  // One attempt. False on connection and protocol failures (error says which).
  bool Post(const std::string& target, std::string_view content_type, std::string_view body,
            int* status, std::string* answer, std::string* error);
  bool Connect(std::string* error);
  void Disconnect();
  bool WriteAll(std::string_view data, std::string* error);
  bool ReadMore(std::string* buf, std::string* error);  // appends; false on EOF or error

  HttpUrl url_;
  std::string target_;  // request path of Send
  std::string token_;
  int64_t timeout_ns_;
  int fd_ = -1;
  bool reused_ = false;  // the connection already carried a request
};

}  // namespace nanotdb::drip
