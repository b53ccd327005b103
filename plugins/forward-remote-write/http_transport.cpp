#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include <mutex>
#include <sstream>
#include <utility>
#include <vector>

#include "transport.h"

namespace nanotdb::forward {
namespace {

std::string Base64(const std::string& text) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder << text;
  encoder.close();
  return out.str();
}

class HttpTransport final : public Transport {
 public:
  HttpTransport(Poco::URI uri, Poco::Net::Context::Ptr tls, std::string authorization,
                std::vector<std::pair<std::string, std::string>> headers, int64_t timeout_ns,
                std::string user_agent)
      : uri_(std::move(uri)),
        headers_(std::move(headers)),
        tls_(std::move(tls)),
        authorization_(std::move(authorization)),
        timeout_(Poco::Timespan(timeout_ns / 1000)),
        user_agent_(std::move(user_agent)) {}

  PostOutcome Post(const std::string& body) override {
    PostOutcome out;
    try {
      Poco::Net::HTTPClientSession& session = Session();
      std::string path = uri_.getPathAndQuery();
      if (path.empty()) path = "/";
      Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
      req.setContentType("application/x-protobuf");
      req.set("Content-Encoding", "snappy");
      req.set("X-Prometheus-Remote-Write-Version", "0.1.0");
      req.set("User-Agent", user_agent_);
      if (!authorization_.empty()) req.set("Authorization", authorization_);
      for (const auto& [name, value] : headers_) req.set(name, value);
      req.setContentLength(static_cast<std::streamsize>(body.size()));
      req.setKeepAlive(true);
      session.sendRequest(req).write(body.data(), static_cast<std::streamsize>(body.size()));
      Poco::Net::HTTPResponse resp;
      std::istream& in = session.receiveResponse(resp);
      std::string answer;
      char buf[512];
      while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        if (answer.size() < 512) answer.append(buf, static_cast<size_t>(in.gcount()));
      }
      out.status = static_cast<int>(resp.getStatus());
      while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r')) {
        answer.pop_back();
      }
      out.message = answer.empty() ? resp.getReason() : answer.substr(0, 300);
      if (!resp.getKeepAlive()) Reset();
    } catch (const Poco::Exception& e) {
      out.status = 0;
      out.message = e.displayText();
      Reset();
    } catch (const std::exception& e) {
      out.status = 0;
      out.message = e.what();
      Reset();
    }
    return out;
  }

  void Abort() override {
    std::lock_guard<std::mutex> lock(mu_);
    try {
      if (session_) session_->abort();
    } catch (const Poco::Exception&) {
      // Not connected: nothing in flight to interrupt.
    }
  }

 private:
  Poco::Net::HTTPClientSession& Session() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!session_) {
      if (uri_.getScheme() == "https") {
        session_ =
            std::make_unique<Poco::Net::HTTPSClientSession>(uri_.getHost(), uri_.getPort(), tls_);
      } else {
        session_ = std::make_unique<Poco::Net::HTTPClientSession>(uri_.getHost(), uri_.getPort());
      }
      session_->setTimeout(timeout_);
      session_->setKeepAlive(true);
    }
    return *session_;
  }
  void Reset() {
    std::lock_guard<std::mutex> lock(mu_);
    session_.reset();
  }

  const Poco::URI uri_;
  const std::vector<std::pair<std::string, std::string>> headers_;
  const Poco::Net::Context::Ptr tls_;
  const std::string authorization_;
  const Poco::Timespan timeout_;
  const std::string user_agent_;
  std::mutex mu_;  // guards session_ (replaced by Post's thread, aborted from others)
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

}  // namespace

Result<std::unique_ptr<Transport>> MakeHttpTransport(const EndpointConfig& endpoint,
                                                     const std::string& user_agent) {
  const std::string where = "endpoint " + endpoint.name + ": ";
  Poco::URI uri;
  try {
    uri = Poco::URI(endpoint.url);
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument(where + "url \"" + endpoint.url + "\": " + e.displayText());
  }
  if (uri.getHost().empty()) {
    return Status::InvalidArgument(where + "url \"" + endpoint.url + "\" has no host");
  }
  Poco::Net::Context::Ptr tls;
  if (uri.getScheme() == "https") {
    try {
      // No client certificate; the peer is verified against tls_ca_file or the system's CAs,
      // its name included, unless verification is switched off. VERIFY_STRICT: with
      // VERIFY_RELAXED Poco skips the name check for loopback hosts.
      tls = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", endpoint.tls_ca_file,
                                   endpoint.tls_insecure_skip_verify
                                       ? Poco::Net::Context::VERIFY_NONE
                                       : Poco::Net::Context::VERIFY_STRICT,
                                   9, endpoint.tls_ca_file.empty());
    } catch (const Poco::Exception& e) {
      return Status::InvalidArgument(where + "TLS settings: " + e.displayText());
    }
  }
  std::string authorization;
  if (!endpoint.bearer_token.empty()) {
    authorization = "Bearer " + endpoint.bearer_token;
  } else if (!endpoint.basic_user.empty()) {
    authorization = "Basic " + Base64(endpoint.basic_user + ":" + endpoint.basic_password);
  }
  return std::unique_ptr<Transport>(
      std::make_unique<HttpTransport>(std::move(uri), std::move(tls), std::move(authorization),
                                      endpoint.headers, endpoint.timeout, user_agent));
}

}  // namespace nanotdb::forward
