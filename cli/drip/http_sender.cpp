#include "http_sender.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <istream>
#include <ostream>

namespace nanotdb::drip {

HttpSender::HttpSender(const std::string& server_url, std::string token, int64_t timeout_ns)
    : token_(std::move(token)), timeout_ns_(timeout_ns) {
  Poco::URI uri(server_url);
  host_ = uri.getHost();
  port_ = uri.getPort();
  path_ = uri.getPath();
  while (!path_.empty() && path_.back() == '/') path_.pop_back();
  path_ += "/api/v1/import";
}

SendResult HttpSender::Send(std::string_view body, std::string* error) {
  // A kept-alive connection may have been closed by a server restart since the last cycle:
  // such a failure says nothing about the server now, so try once more on a new connection.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool was_reused = reused_;
    try {
      return Post(body, error);
    } catch (const Poco::Exception& e) {
      *error = e.displayText();
    } catch (const std::exception& e) {
      *error = e.what();
    }
    session_.reset();
    reused_ = false;
    if (!was_reused) break;
  }
  return SendResult::kRetry;
}

SendResult HttpSender::Post(std::string_view body, std::string* error) {
  if (!session_) {
    session_ = std::make_unique<Poco::Net::HTTPClientSession>(host_, port_);
    Poco::Timespan timeout(timeout_ns_ / 1000);
    session_->setTimeout(timeout, timeout, timeout);
    session_->setKeepAlive(true);
  }
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path_,
                             Poco::Net::HTTPMessage::HTTP_1_1);
  req.setKeepAlive(true);
  req.setContentType("text/plain; charset=utf-8");
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  if (!token_.empty()) req.set("Authorization", "Bearer " + token_);
  std::ostream& out = session_->sendRequest(req);
  out.write(body.data(), static_cast<std::streamsize>(body.size()));
  out.flush();
  reused_ = true;
  Poco::Net::HTTPResponse resp;
  std::istream& in = session_->receiveResponse(resp);
  // Read the whole answer so the connection can carry the next request.
  std::string answer;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    if (answer.size() < 2048) answer.append(buf, static_cast<size_t>(in.gcount()));
  }
  const int status = static_cast<int>(resp.getStatus());
  if (status >= 200 && status < 300) return SendResult::kSent;
  *error = "HTTP " + std::to_string(status) + " from " + host_ + ":" + std::to_string(port_) +
           path_ + ": " + answer.substr(0, 300);
  if (status == 401 || status == 403) {
    *error += " (check drip.token against the server's write token)";
    return SendResult::kRetry;
  }
  // The server read the body and refused lines in it: sending it again cannot help. Any other
  // answer (404 while a plugin is off, 5xx, 429) keeps the data for a later try.
  if (status == 400 || status == 413 || status == 422) return SendResult::kRejected;
  return SendResult::kRetry;
}

}  // namespace nanotdb::drip
