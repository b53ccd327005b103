#include "server/dispatcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "server/gzip.h"

namespace nanotdb::server {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr uint64_t kDefaultLimit = 4096;

RequestLimits Limits(uint64_t max_body = kDefaultLimit) {
  RequestLimits limits;
  limits.max_body_bytes = max_body;
  limits.max_params = 20;
  limits.max_inflight_body_bytes = 4 * max_body;
  return limits;
}

// Hands `body` to the dispatcher in pieces of `piece` bytes, as the socket reader does.
BodyReader ReaderOf(const std::string& body, size_t piece = 1000) {
  return [body, piece](uint64_t limit, const BodyChunkFn& on_chunk, bool* too_large) {
    *too_large = body.size() > limit;
    if (*too_large) return Status::Ok();
    for (size_t pos = 0; pos < body.size(); pos += piece) {
      if (!on_chunk(std::string_view(body).substr(pos, piece))) break;
    }
    return Status::Ok();
  };
}

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : auth_(AuthConfig{}), dispatcher_(router_, auth_, Limits(), {}, false) {}

  void AddEcho(std::string path, std::vector<std::string> methods = {"GET"},
               Role role = Role::kRead, uint64_t max_body = 0) {
    RouteSpec r;
    r.path = std::move(path);
    r.methods = std::move(methods);
    r.role = role;
    r.max_body_bytes = max_body;
    r.handler = [this](const HttpRequest& req, HttpResponse& resp) {
      seen_ = req;
      resp.content_type = "text/plain";
      resp.body = "echo:" + req.body;
    };
    ASSERT_TRUE(router_.AddRoute(std::move(r)).ok());
  }

  HttpResponse Send(std::string method, std::string path, std::string body = "",
                    std::map<std::string, std::string> headers = {},
                    std::string remote = "127.0.0.1:5000") {
    HttpRequest req;
    req.method = std::move(method);
    req.path = std::move(path);
    req.headers = std::move(headers);
    req.remote_addr = std::move(remote);
    body_reads_ = 0;
    BodyReader inner = ReaderOf(body);
    BodyReader reader = [&](uint64_t limit, const BodyChunkFn& on_chunk, bool* too_large) {
      ++body_reads_;
      return inner(limit, on_chunk, too_large);
    };
    HttpResponse resp;
    dispatcher_.Dispatch(req, reader, &resp);
    return resp;
  }

  Router router_;
  Authenticator auth_;
  Dispatcher dispatcher_;
  HttpRequest seen_;
  int body_reads_ = 0;
};

TEST_F(DispatcherTest, UnknownApiPathGetsJsonNotFound) {
  HttpResponse r = Send("GET", "/api/v1/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body,
            "{\"status\":\"error\",\"errorType\":\"not_found\",\"error\":\"unknown API path "
            "/api/v1/nothing\"}\n");
}

TEST_F(DispatcherTest, UnknownPathOutsideApiGetsPlainNotFound) {
  HttpResponse r = Send("GET", "/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(r.body, "404 page not found\n");
}

TEST_F(DispatcherTest, WrongMethodGets405EnvelopeWithAllowHeader) {
  AddEcho("/api/v1/import", {"POST"});
  HttpResponse r = Send("GET", "/api/v1/import");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body,
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"method not allowed\"}\n");
  EXPECT_THAT(r.headers, Contains(Pair("Allow", "POST")));
  EXPECT_EQ(body_reads_, 0);
}

TEST_F(DispatcherTest, HeadIsServedByGetRoutes) {
  AddEcho("/health");
  EXPECT_EQ(Send("HEAD", "/health").status, 200);
  EXPECT_EQ(Send("POST", "/health").status, 405);
}

TEST_F(DispatcherTest, QueryAndFormParametersReachTheHandler) {
  AddEcho("/api/v1/query", {"GET", "POST"});
  HttpResponse r = Send("POST", "/api/v1/query", "query=cpu%2Etemp&time=now+1",
                        {{"content-type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 200);
  std::string v;
  ASSERT_TRUE(seen_.Param("query", &v));
  EXPECT_EQ(v, "cpu.temp");
  ASSERT_TRUE(seen_.Param("time", &v));
  EXPECT_EQ(v, "now 1");
}

TEST_F(DispatcherTest, BodyOverDefaultLimitGets413NamingTheLimit) {
  AddEcho("/api/v1/import", {"POST"});
  HttpResponse r = Send("POST", "/api/v1/import", std::string(kDefaultLimit + 1, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.body, HasSubstr("request body exceeds the limit of 4096 bytes (raise [http] "
                                "max_body_bytes in engine.toml)"));
  EXPECT_EQ(Send("POST", "/api/v1/import", std::string(kDefaultLimit, 'x')).status, 200);
}

TEST_F(DispatcherTest, RouteLimitOverridesTheDefault) {
  AddEcho("/small", {"POST"}, Role::kRead, 10);
  EXPECT_EQ(Send("POST", "/small", std::string(11, 'x')).status, 413);
  EXPECT_EQ(Send("POST", "/small", std::string(10, 'x')).status, 200);
}

TEST_F(DispatcherTest, GzipRequestBodyIsDecompressed) {
  AddEcho("/api/v1/import", {"POST"});
  HttpResponse r = Send("POST", "/api/v1/import", GzipCompress("cpu 1\nmem 2\n"),
                        {{"content-encoding", "gzip"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(seen_.body, "cpu 1\nmem 2\n");
}

TEST_F(DispatcherTest, GzipBombStopsAtTheLimit) {
  AddEcho("/api/v1/import", {"POST"});
  std::string compressed = GzipCompress(std::string(1 << 20, 'a'));
  ASSERT_LT(compressed.size(), kDefaultLimit);
  HttpResponse r = Send("POST", "/api/v1/import", compressed, {{"content-encoding", "gzip"}});
  EXPECT_EQ(r.status, 413);
}

TEST_F(DispatcherTest, DamagedGzipGets400AndUnknownEncoding415) {
  AddEcho("/api/v1/import", {"POST"});
  HttpResponse r = Send("POST", "/api/v1/import", "not gzip", {{"content-encoding", "gzip"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("not valid gzip"));
  EXPECT_EQ(Send("POST", "/api/v1/import", "x", {{"content-encoding", "br"}}).status, 415);
}

TEST_F(DispatcherTest, RouteGetsBodiesOfItsOwnEncodingAsSent) {
  RouteSpec r;
  r.path = "/api/v1/write";
  r.methods = {"POST"};
  r.role = Role::kRead;
  r.own_encodings = {"snappy"};
  r.handler = [this](const HttpRequest& req, HttpResponse& resp) { seen_ = req; };
  ASSERT_TRUE(router_.AddRoute(std::move(r)).ok());
  HttpResponse resp =
      Send("POST", "/api/v1/write", "\x05\x10hello", {{"content-encoding", "Snappy"}});
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(seen_.body, "\x05\x10hello");
  EXPECT_EQ(seen_.Header("content-encoding"), "Snappy");
  AddEcho("/api/v1/import", {"POST"});
  EXPECT_EQ(Send("POST", "/api/v1/import", "x", {{"content-encoding", "snappy"}}).status, 415);
}

TEST_F(DispatcherTest, LargeResponseIsGzippedWhenAccepted) {
  RouteSpec r;
  r.path = "/big";
  r.handler = [](const HttpRequest&, HttpResponse& resp) { resp.body = std::string(5000, 'z'); };
  ASSERT_TRUE(router_.AddRoute(std::move(r)).ok());
  HttpResponse gz = Send("GET", "/big", "", {{"accept-encoding", "deflate, gzip;q=0.8"}});
  EXPECT_THAT(gz.headers, Contains(Pair("Content-Encoding", "gzip")));
  std::string plain;
  bool too_large = false;
  ASSERT_TRUE(GzipDecompress(gz.body, 1 << 20, &plain, &too_large).ok());
  EXPECT_EQ(plain, std::string(5000, 'z'));

  HttpResponse refused = Send("GET", "/big", "", {{"accept-encoding", "gzip;q=0"}});
  EXPECT_EQ(refused.body.size(), 5000u);
  HttpResponse none = Send("GET", "/big");
  EXPECT_EQ(none.body.size(), 5000u);
}

TEST_F(DispatcherTest, SmallResponseIsNotGzipped) {
  AddEcho("/small");
  HttpResponse r = Send("GET", "/small", "", {{"accept-encoding", "gzip"}});
  EXPECT_EQ(r.body, "echo:");
  EXPECT_THAT(r.headers, ::testing::Not(Contains(Pair("Content-Encoding", "gzip"))));
}

TEST_F(DispatcherTest, MissingCredentialsGet401WithChallenge) {
  AddEcho("/api/v1/import", {"POST"}, Role::kWrite);
  HttpResponse r = Send("POST", "/api/v1/import", "x", {}, "10.1.2.3:999");
  EXPECT_EQ(r.status, 403);  // no write credentials exist: remote writers are refused outright
  HttpResponse local = Send("POST", "/api/v1/import", "x", {}, "127.0.0.1:999");
  EXPECT_EQ(local.status, 200);
}

TEST(DispatcherAuthTest, ProtectedRouteChallengesWithWwwAuthenticate) {
  Router router;
  AuthConfig config;
  config.admin_token = "secret";
  Authenticator auth(config);
  Dispatcher dispatcher(router, auth, Limits(1024), {}, false);
  RouteSpec r;
  r.path = "/api/dashboard-config";
  r.methods = {"PUT"};
  r.role = Role::kAdmin;
  r.handler = [](const HttpRequest&, HttpResponse&) {};
  ASSERT_TRUE(router.AddRoute(std::move(r)).ok());
  HttpRequest req;
  req.method = "PUT";
  req.path = "/api/dashboard-config";
  req.remote_addr = "127.0.0.1:1";
  HttpResponse resp;
  BodyReader reader = ReaderOf("");
  dispatcher.Dispatch(req, reader, &resp);
  EXPECT_EQ(resp.status, 401);
  EXPECT_THAT(resp.headers, Contains(Pair("WWW-Authenticate", "Bearer realm=\"nanotdb\"")));
  EXPECT_THAT(resp.headers, Contains(Pair("WWW-Authenticate", "Basic realm=\"nanotdb\"")));

  req.headers["authorization"] = "Bearer secret";
  HttpResponse ok;
  dispatcher.Dispatch(req, reader, &ok);
  EXPECT_EQ(ok.status, 200);
}

TEST_F(DispatcherTest, ThrowingHandlerGets500EnvelopeAndOthersKeepWorking) {
  RouteSpec r;
  r.path = "/boom";
  r.handler = [](const HttpRequest&, HttpResponse&) { throw std::runtime_error("kaput"); };
  ASSERT_TRUE(router_.AddRoute(std::move(r)).ok());
  HttpResponse resp = Send("GET", "/boom");
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(resp.body,
            "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"internal error: "
            "kaput\"}\n");
}

TEST_F(DispatcherTest, ResponsesAreCountedByStatusClass) {
  AddEcho("/ok");
  Send("GET", "/ok");
  Send("GET", "/ok");
  Send("GET", "/missing");
  EXPECT_EQ(dispatcher_.ResponsesInClass(2), 2u);
  EXPECT_EQ(dispatcher_.ResponsesInClass(4), 1u);
  EXPECT_EQ(dispatcher_.ResponsesInClass(5), 0u);
  EXPECT_EQ(dispatcher_.InFlight(), 0);
}

TEST_F(DispatcherTest, TraceLogLineNamesMethodPathStatusAndClient) {
  std::vector<std::string> lines;
  Dispatcher traced(
      router_, auth_, Limits(), [&](LogLevel, std::string_view m) { lines.emplace_back(m); }, true);
  AddEcho("/ok");
  HttpRequest req;
  req.method = "GET";
  req.path = "/ok";
  req.remote_addr = "127.0.0.1:7";
  HttpResponse resp;
  traced.Dispatch(req, ReaderOf(""), &resp);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("http GET /ok 200 "));
  EXPECT_THAT(lines[0], HasSubstr("from 127.0.0.1:7"));
}

TEST_F(DispatcherTest, GzipBodyIsDecompressedPieceByPiece) {
  AddEcho("/api/v1/import", {"POST"});
  std::string text;
  for (int i = 0; i < 300; ++i) text += "cpu " + std::to_string(i) + "\n";
  HttpRequest req;
  req.method = "POST";
  req.path = "/api/v1/import";
  req.headers = {{"content-encoding", "gzip"}};
  req.remote_addr = "127.0.0.1:1";
  HttpResponse resp;
  dispatcher_.Dispatch(req, ReaderOf(GzipCompress(text), 7), &resp);
  EXPECT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(seen_.body, text);
  EXPECT_EQ(dispatcher_.InflightBodyBytes(), 0u);
}

TEST_F(DispatcherTest, TooManyFormParametersGet400NamingTheKey) {
  AddEcho("/health", {"GET", "POST"});
  std::string form;
  for (int i = 0; i < 21; ++i) form += "a=" + std::to_string(i) + "&";
  HttpResponse r =
      Send("POST", "/health", form, {{"content-type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("more than 20 query and form parameters (raise [http] "
                                "max_params in engine.toml)"));
  form.resize(form.rfind("a=20&"));
  EXPECT_EQ(
      Send("POST", "/health", form, {{"content-type", "application/x-www-form-urlencoded"}}).status,
      200);
}

TEST_F(DispatcherTest, GzipFormBombStopsAtTheBodyLimitBeforeParsing) {
  AddEcho("/health", {"GET", "POST"});
  std::string bomb;
  for (int i = 0; i < 200000; ++i) bomb += "a&";
  HttpResponse r =
      Send("POST", "/health", GzipCompress(bomb),
           {{"content-type", "application/x-www-form-urlencoded"}, {"content-encoding", "gzip"}});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(body_reads_, 1);
}

TEST_F(DispatcherTest, BodiesInFlightPastTheBudgetGet503WithRetryAfter) {
  // A handler that blocks holds its body's reservation; a second body that does not fit
  // into the rest of the budget is refused, and fits again once the first is done.
  std::string big(3 * kDefaultLimit, 'x');  // 3/4 of the budget
  RouteSpec r;
  r.path = "/slow";
  r.methods = {"POST"};
  r.max_body_bytes = 4 * kDefaultLimit;
  HttpResponse* inner_response = nullptr;
  r.handler = [&](const HttpRequest&, HttpResponse&) {
    if (inner_response != nullptr) return;
    EXPECT_EQ(dispatcher_.InflightBodyBytes(), big.size());
    HttpRequest second;
    second.method = "POST";
    second.path = "/slow";
    second.remote_addr = "127.0.0.1:2";
    HttpResponse resp;
    inner_response = &resp;
    dispatcher_.Dispatch(second, ReaderOf(big), &resp);
    EXPECT_EQ(resp.status, 503);
    EXPECT_THAT(resp.body, HasSubstr("max_inflight_body_bytes"));
    EXPECT_THAT(resp.headers, Contains(Pair("Retry-After", "1")));
    // gzip expanding past what is free is refused the same way.
    HttpRequest third = second;
    third.headers = {{"content-encoding", "gzip"}};
    HttpResponse gz;
    dispatcher_.Dispatch(third, ReaderOf(GzipCompress(big)), &gz);
    EXPECT_EQ(gz.status, 503) << gz.body;
  };
  ASSERT_TRUE(router_.AddRoute(std::move(r)).ok());
  HttpRequest first;
  first.method = "POST";
  first.path = "/slow";
  first.remote_addr = "127.0.0.1:1";
  HttpResponse resp;
  dispatcher_.Dispatch(first, ReaderOf(big), &resp);
  EXPECT_EQ(resp.status, 200);
  ASSERT_NE(inner_response, nullptr);
  EXPECT_EQ(dispatcher_.InflightBodyBytes(), 0u);
}

// A handler quoting the client's bytes in an error gets them replaced by U+FFFD; success
// answers, binary types and bodies the handler already encoded are left as they are.
TEST_F(DispatcherTest, ErrorAnswersAreMadeValidUtf8) {
  struct Answer {
    int status;
    std::string type;
    bool gzip;
  };
  Answer answer;
  RouteSpec r;
  r.path = "/quote";
  r.methods = {"POST"};
  r.handler = [&answer](const HttpRequest& req, HttpResponse& resp) {
    resp.status = answer.status;
    resp.content_type = answer.type;
    if (answer.gzip) resp.headers.emplace_back("Content-Encoding", "gzip");
    resp.body = "{\"error\":\"metric \\\"" + req.body + "\\\" is bad\"}";
  };
  ASSERT_TRUE(router_.AddRoute(std::move(r)).ok());
  const std::string sent = "caf\xc3\xa9\xff\xed\xa0\x80x";  // é, a stray byte, a surrogate
  const std::string fixed = "caf\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx";
  answer = {400, "application/json", false};
  EXPECT_EQ(Send("POST", "/quote", sent).body,
            "{\"error\":\"metric \\\"" + fixed + "\\\" is bad\"}");
  answer = {422, "text/plain; charset=utf-8", false};
  EXPECT_THAT(Send("POST", "/quote", sent).body, HasSubstr(fixed));
  answer = {200, "application/json", false};
  EXPECT_THAT(Send("POST", "/quote", sent).body, HasSubstr(sent));
  answer = {400, "application/octet-stream", false};
  EXPECT_THAT(Send("POST", "/quote", sent).body, HasSubstr(sent));
  answer = {400, "application/json", true};
  EXPECT_THAT(Send("POST", "/quote", sent).body, HasSubstr(sent));
}

TEST(ToValidUtf8Test, KeepsUtf8AndReplacesEveryBadByte) {
  EXPECT_EQ(ToValidUtf8(""), "");
  EXPECT_EQ(ToValidUtf8("plain \xf0\x9f\x98\x80"), "plain \xf0\x9f\x98\x80");
  EXPECT_EQ(ToValidUtf8("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");      // overlong '/'
  EXPECT_EQ(ToValidUtf8("ab\xe2\x82"), "ab\xef\xbf\xbd\xef\xbf\xbd");  // cut short
}

TEST(HostOfTest, HostsOfHostHeadersAndOrigins) {
  EXPECT_EQ(HostOf("LocalHost:8428", false), "localhost");
  EXPECT_EQ(HostOf("[::1]:8428", false), "::1");
  EXPECT_EQ(HostOf("::1", false), "::1");
  EXPECT_EQ(HostOf("nas.example.", false), "nas.example");
  EXPECT_EQ(HostOf("http://127.0.0.1:8428", true), "127.0.0.1");
  EXPECT_EQ(HostOf("https://[fe80::1]/x", true), "fe80::1");
  EXPECT_EQ(HostOf("null", true), "");
}

TEST(DispatcherOriginTest, WriteRoutesRefuseForeignHostAndOrigin) {
  Router router;
  Authenticator auth(AuthConfig{});
  RequestLimits limits = Limits();
  limits.allowed_hosts = {"localhost", "127.0.0.1", "nas.lan"};
  Dispatcher dispatcher(router, auth, limits, {}, false);
  for (Role role : {Role::kRead, Role::kWrite, Role::kAdmin}) {
    RouteSpec r;
    r.path = role == Role::kRead ? "/read" : role == Role::kWrite ? "/write" : "/admin";
    r.methods = {"POST"};
    r.role = role;
    r.handler = [](const HttpRequest&, HttpResponse&) {};
    ASSERT_TRUE(router.AddRoute(std::move(r)).ok());
  }
  auto send = [&](const std::string& path, std::map<std::string, std::string> headers) {
    HttpRequest req;
    req.method = "POST";
    req.path = path;
    req.headers = std::move(headers);
    req.remote_addr = "127.0.0.1:1";
    HttpResponse resp;
    dispatcher.Dispatch(req, ReaderOf(""), &resp);
    return resp;
  };
  EXPECT_EQ(send("/write", {{"host", "127.0.0.1:8428"}}).status, 200);
  EXPECT_EQ(send("/write", {{"host", "NAS.lan:8428"}, {"origin", "http://nas.lan:8428"}}).status,
            200);
  EXPECT_EQ(send("/write", {}).status, 200);  // HTTP/1.0 tools send no Host
  HttpResponse rebinding = send("/write", {{"host", "attacker.example:8428"}});
  EXPECT_EQ(rebinding.status, 403);
  EXPECT_THAT(rebinding.body, HasSubstr("add \\\"attacker.example\\\" to [http] allowed_hosts"));
  HttpResponse csrf =
      send("/write", {{"host", "localhost:8428"}, {"origin", "https://evil.example"}});
  EXPECT_EQ(csrf.status, 403);
  EXPECT_THAT(csrf.body, HasSubstr("Origin \\\"https://evil.example\\\" may not send write"));
  EXPECT_EQ(send("/write", {{"host", "localhost"}, {"origin", "null"}}).status, 403);
  // Admin routes are checked the same way.
  EXPECT_EQ(send("/admin", {{"host", "localhost:8428"}}).status, 200);
  EXPECT_EQ(send("/admin", {{"host", "attacker.example"}}).status, 403);
  EXPECT_EQ(send("/admin", {{"host", "localhost"}, {"origin", "http://evil.example"}}).status, 403);
  // Read routes are not checked: queries from any page stay possible (read is open anyway).
  EXPECT_EQ(
      send("/read", {{"host", "attacker.example"}, {"origin", "https://evil.example"}}).status,
      200);
}

TEST(ErrorEnvelopeTest, EscapesQuotesAndControlCharacters) {
  EXPECT_EQ(ErrorEnvelope("bad_data", "line 1: \"x\"\n\x01"),
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"line 1: \\\"x\\\"\\n"
            "\\u0001\"}\n");
}

TEST(ErrorEnvelopeTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(ErrorEnvelope("bad_data", "caf\xc3\xa9 \xff\xc3("),
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"caf\xc3\xa9 "
            "\xef\xbf\xbd\xef\xbf\xbd(\"}\n");
}

TEST(EscapeForLogTest, ControlCharactersAndBadUtf8AreEscaped) {
  EXPECT_EQ(EscapeForLog("/x\nINFO fake line\r\x1b[31m\\\xff caf\xc3\xa9"),
            "/x\\x0aINFO fake line\\x0d\\x1b[31m\\x5c\\xff caf\xc3\xa9");
}

}  // namespace
}  // namespace nanotdb::server
