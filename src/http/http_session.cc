#include "http/http_session.h"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>

#include "base/log.h"

namespace roost::http {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::awaitable;

namespace {

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

Response make_response(bhttp::status status, std::string body, std::string_view content_type,
                       unsigned version, bool keep_alive) {
  Response res{status, version};
  res.set(bhttp::field::server, "roost");
  res.set(bhttp::field::content_type, content_type);
  res.set(bhttp::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

Response route(const Request& req, net::MetricsRegistry& metrics, bool keep_alive) {
  std::string_view target(req.target().data(), req.target().size());
  if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  bool known = target == "/healthz" || target == "/metrics";
  if (!known) {
    return make_response(bhttp::status::not_found, "not found\n", "text/plain", req.version(),
                         keep_alive);
  }
  if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head) {
    Response res = make_response(bhttp::status::method_not_allowed, "method not allowed\n",
                                 "text/plain", req.version(), keep_alive);
    res.set(bhttp::field::allow, "GET, HEAD");  // RFC 9110 §15.5.6
    return res;
  }
  if (target == "/healthz") {
    return make_response(bhttp::status::ok, "ok", "text/plain", req.version(), keep_alive);
  }
  return make_response(bhttp::status::ok, metrics.render(), "text/plain; version=0.0.4",
                       req.version(), keep_alive);
}

std::string serialize(Response& res, bool head) {
  std::ostringstream out;
  if (head) {
    bhttp::response<bhttp::empty_body> h{res.result(), res.version()};
    h.base() = res.base();
    out << h;
    return out.str();
  }
  out << res;
  return out.str();
}

awaitable<void> serve(net::Connection& conn, net::MetricsRegistry& metrics, Options options) {
  conn.set_idle_timeout(options.idle_timeout);
  std::string pending;  // bytes read but not yet parsed (pipelined requests)
  for (size_t served = 0; served < options.max_requests_per_connection; ++served) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    parser.eager(true);
    boost::beast::error_code ec;
    while (!parser.is_done()) {
      if (!pending.empty()) {
        size_t used = parser.put(asio::buffer(pending), ec);
        pending.erase(0, used);
        if (ec && ec != bhttp::error::need_more) break;
        ec = {};
        if (parser.is_done()) break;
        if (used > 0) continue;
      }
      auto data = co_await conn.read_some();
      if (!data) co_return;  // closed, reset or idle: nothing to answer
      pending.append(*data);
    }
    if (ec) {
      auto status = ec == bhttp::error::header_limit
                        ? bhttp::status::request_header_fields_too_large
                    : ec == bhttp::error::body_limit ? bhttp::status::payload_too_large
                                                     : bhttp::status::bad_request;
      Response res = make_response(status, std::string(bhttp::obsolete_reason(status)) + "\n",
                                   "text/plain", 11, false);
      co_await conn.write(serialize(res, false));
      co_await conn.flush();
      log::info("http.bad_request", {{"session", conn.session_id()}, {"error", ec.message()}});
      co_return;
    }
    Request& req = parser.get();
    bool keep_alive = req.keep_alive() && !conn.server_stopping() &&
                      served + 1 < options.max_requests_per_connection;
    Response res = route(req, metrics, keep_alive);
    log::debug("http.request", {{"session", conn.session_id()},
                                {"method", std::string(req.method_string())},
                                {"target", std::string(req.target())},
                                {"status", std::to_string(res.result_int())}});
    co_await conn.write(serialize(res, req.method() == bhttp::verb::head));
    Status st = co_await conn.flush();
    if (!st || !keep_alive) co_return;
  }
}

}  // namespace

void register_http(net::Server& server, Options options) {
  net::MetricsRegistry* metrics = &server.metrics();
  net::SessionHandler handler = [metrics, options](net::Connection& conn) {
    return serve(conn, *metrics, options);
  };
  server.set_handler(net::Protocol::Http, handler);
  server.set_handler(net::Protocol::Https, handler);
}

}  // namespace roost::http
