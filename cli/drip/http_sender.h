// HttpSender: posts line protocol to <server_url>/api/v1/import over one keep-alive
// Poco::Net::HTTPClientSession, with an optional bearer token.
//
// Not thread-safe (one request at a time).
#pragma once

#include <Poco/Net/HTTPClientSession.h>

#include <memory>
#include <string>

#include "sample_queue.h"

namespace nanotdb::drip {

class HttpSender final : public Sender {
 public:
  // server_url was checked by LoadDripConfig ("http://host:port[/prefix]").
  HttpSender(const std::string& server_url, std::string token, int64_t timeout_ns);
  SendResult Send(std::string_view body, std::string* error) override;

 private:
  // One attempt; throws Poco::Exception on connection and protocol failures.
  SendResult Post(std::string_view body, std::string* error);

  std::string host_;
  uint16_t port_ = 0;
  std::string path_;
  std::string token_;
  int64_t timeout_ns_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  bool reused_ = false;  // the session already carried a request
};

}  // namespace nanotdb::drip
