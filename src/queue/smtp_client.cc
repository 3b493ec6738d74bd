#include "queue/smtp_client.h"

#include "queue/proto/reply_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "base/xtext.h"

namespace roost::queue {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

// A reply, or code 0 with `text` saying why there was none (connection lost, timeout, not SMTP).
struct Reply {
  int code = 0;
  std::string text;
  std::vector<std::string> lines;
  std::string summary() const { return code ? fmt::format("{} {}", code, text) : text; }
};

class Conversation {
 public:
  Conversation(asio::any_io_executor ex, const RemoteOptions& options)
      : stream_(ex, *(options.tls ? options.tls : &dummy_tls())), timer_(ex), options_(options) {}

  awaitable<bool> connect(const tcp::endpoint& endpoint) {
    timer_.expires_after(options_.connect_timeout);
    boost::system::error_code ec;
    auto result = co_await (
        stream_.next_layer().async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec)) ||
        timer_.async_wait(asio::use_awaitable));
    co_return result.index() == 0 && !ec;
  }

  awaitable<Reply> read_reply() {
    ReplyParser parser;
    Reply reply;
    for (;;) {
      std::optional<std::string> line = co_await read_line();
      if (!line) {
        reply.text = "the connection was lost";
        co_return reply;
      }
      ReplyParser::Step step = parser.feed_line(*line);
      if (step == ReplyParser::Step::Error) {
        reply.text = parser.error();
        co_return reply;
      }
      if (step == ReplyParser::Step::Done) {
        reply.code = parser.reply().code;
        reply.lines = parser.reply().lines;
        reply.text = parser.reply().text();
        co_return reply;
      }
    }
  }

  // (GCC 12: no temporaries inside co_await expressions, no `co_return co_await`.)
  awaitable<Reply> command(std::string line) {
    line += "\r\n";
    bool sent = co_await write(line);
    Reply reply;
    if (!sent) {
      reply.text = "the connection was lost";
      co_return reply;
    }
    reply = co_await read_reply();
    co_return reply;
  }

  awaitable<bool> write(std::string_view data) {
    timer_.expires_after(options_.command_timeout);
    boost::system::error_code ec;
    std::variant<size_t, std::monostate> result;
    if (tls_) {
      result = co_await (asio::async_write(stream_, asio::buffer(data),
                                           asio::redirect_error(asio::use_awaitable, ec)) ||
                         timer_.async_wait(asio::use_awaitable));
    } else {
      result = co_await (asio::async_write(stream_.next_layer(), asio::buffer(data),
                                           asio::redirect_error(asio::use_awaitable, ec)) ||
                         timer_.async_wait(asio::use_awaitable));
    }
    co_return result.index() == 0 && !ec;
  }

  awaitable<bool> start_tls() {
    timer_.expires_after(options_.command_timeout);
    boost::system::error_code ec;
    auto result = co_await (
        stream_.async_handshake(asio::ssl::stream_base::client,
                                asio::redirect_error(asio::use_awaitable, ec)) ||
        timer_.async_wait(asio::use_awaitable));
    tls_ = result.index() == 0 && !ec;
    co_return tls_;
  }

  bool tls() const { return tls_; }

 private:
  awaitable<std::optional<std::string>> read_line() {
    for (;;) {
      size_t eol = buffer_.find("\r\n");
      if (eol != std::string::npos) {
        std::string line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 2);
        co_return line;
      }
      if (buffer_.size() > 4096) co_return std::nullopt;  // RFC 5321 §4.5.3.1.5: 512 octets
      char chunk[4096];
      timer_.expires_after(options_.command_timeout);
      boost::system::error_code ec;
      std::variant<size_t, std::monostate> result;
      if (tls_) {
        result = co_await (stream_.async_read_some(asio::buffer(chunk),
                                                   asio::redirect_error(asio::use_awaitable, ec)) ||
                           timer_.async_wait(asio::use_awaitable));
      } else {
        result = co_await (stream_.next_layer().async_read_some(
                               asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec)) ||
                           timer_.async_wait(asio::use_awaitable));
      }
      if (result.index() != 0 || ec) co_return std::nullopt;
      buffer_.append(chunk, std::get<0>(result));
    }
  }

  static asio::ssl::context& dummy_tls() {
    static asio::ssl::context ctx(asio::ssl::context::tls_client);
    return ctx;
  }

  asio::ssl::stream<tcp::socket> stream_;
  asio::steady_timer timer_;
  const RemoteOptions& options_;
  std::string buffer_;
  bool tls_ = false;
};

bool has_extension(const Reply& ehlo, std::string_view name) {
  for (size_t i = 1; i < ehlo.lines.size(); ++i) {
    std::string_view line = ehlo.lines[i];
    std::string_view word = line.substr(0, line.find(' '));
    if (word.size() == name.size() &&
        std::equal(word.begin(), word.end(), name.begin(),
                   [](char a, char b) { return std::toupper(a) == std::toupper(b); }))
      return true;
  }
  return false;
}

bool needs_8bit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

RecipientOutcome failure(const Reply& reply, std::string_view host, std::string_view when) {
  RecipientOutcome out;
  out.kind = reply.code >= 500 ? RecipientOutcome::Kind::PermFailure : RecipientOutcome::Kind::TempFailure;
  out.text = reply.code ? fmt::format("{} answered {} with: {}", host, when, reply.summary())
                        : fmt::format("{}: {} {}", host, reply.text, when);
  return out;
}

// One SMTP session with one host. nullopt: try the next host (the host was unreachable, or
// failed the whole session temporarily before any recipient was judged).
awaitable<std::optional<std::vector<RecipientOutcome>>> session(
    const tcp::endpoint& endpoint, const std::string& host, const std::string& sender,
    const std::vector<std::string>& recipients, const std::string& message,
    const RemoteOptions& options, const DsnRequest& dsn, std::string& last_problem) {
  auto ex = co_await asio::this_coro::executor;
  Conversation c(ex, options);
  if (!co_await c.connect(endpoint)) {
    last_problem = fmt::format("{} ({}) did not accept a connection", host, endpoint.address().to_string());
    co_return std::nullopt;
  }
  Reply greeting = co_await c.read_reply();
  if (greeting.code != 220) {
    last_problem = failure(greeting, host, "the connection").text;
    if (greeting.code >= 500) {
      // RFC 5321 §3.1: 554 greeting = no service here; other hosts may still take it.
      co_await c.command("QUIT");
    }
    co_return std::nullopt;
  }
  Reply ehlo = co_await c.command("EHLO " + options.helo_name);
  bool extended = ehlo.code == 250;
  if (!extended) {
    Reply helo = co_await c.command("HELO " + options.helo_name);
    if (helo.code != 250) {
      last_problem = failure(helo, host, "HELO").text;
      co_return std::nullopt;
    }
  }
  if (extended && options.tls && has_extension(ehlo, "STARTTLS")) {
    Reply ready = co_await c.command("STARTTLS");
    if (ready.code == 220) {
      if (!co_await c.start_tls()) {
        last_problem = fmt::format("{}: the TLS handshake failed", host);
        co_return std::nullopt;
      }
      ehlo = co_await c.command("EHLO " + options.helo_name);
      if (ehlo.code != 250) {
        last_problem = failure(ehlo, host, "EHLO after STARTTLS").text;
        co_return std::nullopt;
      }
    }
  }
  std::string mail = fmt::format("MAIL FROM:<{}>", sender);
  bool utf8 = needs_8bit(sender) ||
              std::any_of(recipients.begin(), recipients.end(), [](const std::string& r) { return needs_8bit(r); });
  if (extended && has_extension(ehlo, "SIZE")) mail += fmt::format(" SIZE={}", message.size());
  if (needs_8bit(message)) {
    if (!extended || !has_extension(ehlo, "8BITMIME")) {
      RecipientOutcome no{RecipientOutcome::Kind::PermFailure,
                          fmt::format("{} does not accept messages with 8-bit characters "
                                      "(8BITMIME), and Roost does not convert them (5.6.3)",
                                      host)};
      co_await c.command("QUIT");
      co_return std::vector<RecipientOutcome>(recipients.size(), no);
    }
    mail += " BODY=8BITMIME";
  }
  // RFC 3461 §5.2.2.1: pass the DSN request on to a server that offers DSN.
  bool pass_dsn = extended && has_extension(ehlo, "DSN");
  if (pass_dsn && dsn.ret != Return::Unspecified) {
    mail += dsn.ret == Return::Full ? " RET=FULL" : " RET=HDRS";
  }
  if (pass_dsn && !dsn.envid.empty()) mail += " ENVID=" + xtext_encode(dsn.envid);
  if (utf8) {
    if (!extended || !has_extension(ehlo, "SMTPUTF8")) {
      RecipientOutcome no{RecipientOutcome::Kind::PermFailure,
                          fmt::format("{} does not accept internationalized addresses (SMTPUTF8)", host)};
      co_await c.command("QUIT");
      co_return std::vector<RecipientOutcome>(recipients.size(), no);
    }
    mail += " SMTPUTF8";
  }
  Reply mail_reply = co_await c.command(mail);
  if (mail_reply.code != 250) {
    auto out = failure(mail_reply, host, "MAIL FROM");
    co_await c.command("QUIT");
    if (out.kind == RecipientOutcome::Kind::TempFailure) {
      last_problem = out.text;
      co_return std::nullopt;
    }
    co_return std::vector<RecipientOutcome>(recipients.size(), out);
  }
  std::vector<RecipientOutcome> outcomes(recipients.size());
  std::vector<size_t> accepted;
  for (size_t i = 0; i < recipients.size(); ++i) {
    std::string rcpt = fmt::format("RCPT TO:<{}>", recipients[i]);
    if (pass_dsn && i < dsn.notify.size() && dsn.notify[i] != 0) {
      rcpt += " NOTIFY=" + notify_keywords(dsn.notify[i]);
    }
    if (pass_dsn && i < dsn.orcpt.size() && !dsn.orcpt[i].empty()) {
      rcpt += " ORCPT=" + xtext_encode(dsn.orcpt[i]);
    }
    Reply r = co_await c.command(rcpt);
    if (r.code == 250 || r.code == 251) {
      accepted.push_back(i);
    } else {
      outcomes[i] = failure(r, host, fmt::format("RCPT TO:<{}>", recipients[i]));
      if (r.code == 0) co_return std::nullopt;
    }
  }
  if (accepted.empty()) {
    co_await c.command("QUIT");
    co_return outcomes;
  }
  Reply data = co_await c.command("DATA");
  Reply done;
  if (data.code == 354) {
    std::string stuffed = dot_stuff(message);
    bool sent = co_await c.write(stuffed);
    if (sent) {
      done = co_await c.read_reply();
    } else {
      done.text = "the connection was lost";
    }
  } else {
    done = data;
  }
  for (size_t i : accepted) {
    if (done.code == 250) {
      outcomes[i] = {RecipientOutcome::Kind::Delivered,
                     fmt::format("{} said: {}", host, done.summary()), pass_dsn};
    } else {
      outcomes[i] = failure(done, host, "the message");
    }
  }
  if (done.code != 0) co_await c.command("QUIT");
  co_return outcomes;
}

}  // namespace

std::string dot_stuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 50 + 8);
  bool line_start = true;
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (line_start && c == '.') out += '.';
    if (c == '\n' && (i == 0 || message[i - 1] != '\r')) out += '\r';
    out += c;
    line_start = c == '\n';
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  out += ".\r\n";
  return out;
}

awaitable<std::vector<RecipientOutcome>> send_to_domain(
    net::BlockingExecutor& blocking, mailauth::Resolver& resolver, std::string domain,
    std::string sender, std::vector<std::string> recipients, const std::string& message,
    const RemoteOptions& options, const DsnRequest& dsn) {
  auto all = [&](RecipientOutcome::Kind kind, std::string text) {
    return std::vector<RecipientOutcome>(recipients.size(), RecipientOutcome{kind, std::move(text)});
  };
  // RFC 5321 §5.1: MX hosts by preference; no MX record means the domain itself.
  auto mx = co_await blocking.run([&] { return resolver.mx(domain); });
  if (!mx) co_return all(RecipientOutcome::Kind::TempFailure,
                         fmt::format("the DNS lookup for {} failed", domain));
  if (mx->nxdomain) {
    co_return all(RecipientOutcome::Kind::PermFailure,
                  fmt::format("the domain {} does not exist", domain));
  }
  std::vector<mailauth::MxHost> hosts = mx->records;
  std::stable_sort(hosts.begin(), hosts.end(), [](const auto& a, const auto& b) { return a.preference < b.preference; });
  if (hosts.size() == 1 && (hosts[0].host.empty() || hosts[0].host == ".")) {
    co_return all(RecipientOutcome::Kind::PermFailure,
                  fmt::format("{} does not accept mail (null MX, RFC 7505)", domain));
  }
  if (hosts.empty()) hosts.push_back({0, domain});

  std::string last_problem = fmt::format("no mail server for {} could be reached", domain);
  for (const auto& host : hosts) {
    std::vector<tcp::endpoint> endpoints;
    for (bool v6 : {false, true}) {
      auto addresses = co_await blocking.run([&] { return resolver.address(host.host, v6); });
      if (!addresses) continue;
      for (const auto& ip : addresses->records) {
        boost::system::error_code ec;
        auto address = asio::ip::make_address(ip.to_string(), ec);
        if (!ec) endpoints.emplace_back(address, options.port);
      }
    }
    if (endpoints.empty()) {
      last_problem = fmt::format("the mail server {} of {} has no address", host.host, domain);
      continue;
    }
    for (const auto& endpoint : endpoints) {
      auto outcomes = co_await session(endpoint, host.host, sender, recipients, message, options,
                                       dsn, last_problem);
      if (outcomes) co_return *outcomes;
    }
  }
  co_return all(RecipientOutcome::Kind::TempFailure, last_problem);
}

}  // namespace roost::queue
