#include "pop3/session.h"

#include <boost/asio/this_coro.hpp>

#include "base/log.h"
#include "pop3/command_table.h"

namespace roost::pop3 {

namespace asio = boost::asio;
using asio::awaitable;
using SteadyClock = std::chrono::steady_clock;

namespace {

ParserLimits parser_limits(const Pop3Options& options) {
  ParserLimits limits;
  limits.max_sasl_line = options.max_line_length;
  return limits;
}

}  // namespace

Session::Session(std::shared_ptr<const Shared> shared, net::Connection& conn)
    : shared_(std::move(shared)), conn_(conn), parser_(parser_limits(shared_->options)) {}

Session::~Session() = default;

awaitable<Status> Session::send() {
  if (closed_) co_return make_error(ErrorKind::Io, "connection closed");
  Status st = ok();
  if (!out_.empty()) st = co_await conn_.write_taking(out_);
  if (!st) closed_ = true;
  co_return st;
}

awaitable<bool> Session::read_more() {
  if (!(co_await send())) co_return false;
  auto data = co_await conn_.read_some();  // flushes what send() buffered first
  if (!data) {
    // RFC 1939 §3: on the autologout timer the server closes without a response and without
    // entering UPDATE; a client that vanished is treated the same.
    log::info("pop3.disconnect", {{"session", conn_.session_id()},
                                  {"account", account_ ? account_->name : ""},
                                  {"reason", data.error().text}});
    closed_ = true;
    co_return false;
  }
  parser_.feed(*data);
  co_return true;
}

awaitable<Result<std::string>> Session::read_line() {
  parser_.expect_line();
  while (true) {
    ParseEvent ev = parser_.next();
    if (ev.kind == ParseEventKind::Line) co_return std::move(ev.line);
    if (ev.kind == ParseEventKind::Error) co_return *ev.error;
    if (ev.kind != ParseEventKind::NeedMore) {
      co_return make_error(ErrorKind::Internal, "unexpected parser event",
                           std::string(to_string(ev.kind)));
    }
    if (!(co_await read_more())) co_return make_error(ErrorKind::Io, "connection closed");
  }
}

Reply Session::plaintext_refused() const {
  if (conn_.tls_available()) {
    // RFC 3206 §4 [AUTH], as Dovecot answers: the client should not retry without TLS.
    return Reply::failure(
        "Plaintext authentication is disabled on connections without TLS; use STLS first", "AUTH");
  }
  return Reply::failure(
      "Plaintext authentication is disabled and this port offers no TLS; use the pop3s port",
      "SYS/PERM");
}

awaitable<Reply> Session::open_maildrop(store::Account account) {
  pending_user_.reset();
  auto lock = shared_->maildrop_locks->acquire(account.id);
  if (!lock) {
    log::info("pop3.in_use", {{"session", conn_.session_id()}, {"account", account.name}});
    co_return Reply::failure("Another POP3 session holds this maildrop; try again later", "IN-USE");
  }
  const Pop3Options& opts = options();
  const Clock& clock = *shared_->services.clock;
  store::AccountId id = account.id;
  if (opts.login_delay_seconds > 0) {
    Status delay = co_await blocking().run([&] {
      return mailbox::check_pop3_login_delay(store(), id, opts.login_delay_seconds,
                                             clock.now_unix());
    });
    if (!delay) {
      if (delay.error().kind == ErrorKind::Limit) {
        co_return Reply::failure("Logged in less than " + std::to_string(opts.login_delay_seconds) +
                                     " seconds ago; try again later",
                                 "LOGIN-DELAY");
      }
      co_return reply_for(delay.error());
    }
  }
  auto maildrop = co_await blocking().run(
      [&] { return mailbox::load_pop3_maildrop(store(), id, opts.maildrop, clock.now_unix()); });
  if (!maildrop) {
    log::warn("pop3.maildrop_failed", {{"session", conn_.session_id()},
                                       {"account", account.name},
                                       {"error", maildrop.error().describe()}});
    Reply reply = reply_for(maildrop.error());
    reply.text = "Cannot open the maildrop: " + reply.text;
    co_return reply;
  }
  lock_ = std::move(lock);
  account_ = std::move(account);
  maildrop_ = std::move(*maildrop);
  deleted_.assign(maildrop_->messages.size(), false);
  retrieved_.assign(maildrop_->messages.size(), false);
  state_ = State::Transaction;
  log::info("pop3.login", {{"session", conn_.session_id()},
                           {"account", account_->name},
                           {"messages", std::to_string(maildrop_->messages.size())},
                           {"policy", std::string(to_string(maildrop_->effective_policy))}});
  co_return Reply::success("Logged in; maildrop has " + std::to_string(live_messages()) +
                           " messages (" + std::to_string(live_octets()) + " octets)");
}

Result<size_t> Session::message_index(uint32_t number) const {
  if (number == 0 || number > maildrop_->messages.size()) {
    return make_error(ErrorKind::NotFound, "No such message");
  }
  size_t index = number - 1;
  if (deleted_[index]) {
    return make_error(ErrorKind::NotFound,
                      "Message " + std::to_string(number) + " is already deleted");
  }
  return index;
}

size_t Session::live_messages() const {
  size_t n = 0;
  for (bool d : deleted_) n += d ? 0 : 1;
  return n;
}

uint64_t Session::live_octets() const {
  uint64_t octets = 0;
  for (size_t i = 0; i < deleted_.size(); ++i) {
    if (!deleted_[i]) octets += maildrop_->messages[i].size;
  }
  return octets;
}

awaitable<void> Session::mark_seen() {
  if (seen_marked_ || !maildrop_) co_return;
  seen_marked_ = true;
  std::vector<size_t> retrieved;
  for (size_t i = 0; i < retrieved_.size(); ++i) {
    if (retrieved_[i]) retrieved.push_back(i);
  }
  if (retrieved.empty()) co_return;
  const mailbox::Pop3Options& opts = options().maildrop;
  Status st = co_await blocking().run(
      [&] { return mailbox::mark_pop3_seen(store(), *maildrop_, retrieved, opts); });
  if (!st) {
    log::warn("pop3.mark_seen_failed", {{"session", conn_.session_id()},
                                        {"account", account_->name},
                                        {"error", st.error().describe()}});
  }
}

awaitable<Reply> Session::update() {
  state_ = State::Update;
  // The maildrop is free once UPDATE is done, before the reply goes out: a client that logs in
  // again as soon as it reads +OK must not meet [IN-USE].
  struct ReleaseLock {
    std::optional<auth::SessionCounter::Lease>& lock;
    ~ReleaseLock() { lock.reset(); }
  } release{lock_};
  // \Seen first, so messages the `move` policy moves arrive already seen.
  co_await mark_seen();
  std::vector<size_t> deleted;
  for (size_t i = 0; i < deleted_.size(); ++i) {
    if (deleted_[i]) deleted.push_back(i);
  }
  size_t left = maildrop_->messages.size() - deleted.size();
  quit();
  if (deleted.empty())
    co_return Reply::success("Roost POP3 server signing off (" + std::to_string(left) +
                             " messages left)");
  const mailbox::Pop3Options& opts = options().maildrop;
  int64_t now = shared_->services.clock->now_unix();
  auto removed = co_await blocking().run(
      [&] { return mailbox::commit_pop3_deletions(store(), *maildrop_, deleted, opts, now); });
  if (!removed) {
    log::warn("pop3.update_failed", {{"session", conn_.session_id()},
                                     {"account", account_->name},
                                     {"error", removed.error().describe()}});
    // RFC 1939 §6: -ERR when some deleted messages could not be removed.
    co_return Reply::failure("Some deleted messages were not removed; try again later", "SYS/TEMP");
  }
  log::info("pop3.update", {{"session", conn_.session_id()},
                            {"account", account_->name},
                            {"deleted", std::to_string(*removed)},
                            {"policy", std::string(to_string(maildrop_->effective_policy))}});
  co_return Reply::success("Roost POP3 server signing off (" + std::to_string(left) +
                           " messages left)");
}

void Session::finish_command(std::string_view verb, const Reply& reply,
                             SteadyClock::time_point started) {
  if (!reply.already_sent) write_reply(out_, reply);
  auto elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started);
  log::info("pop3.command", {{"session", conn_.session_id()},
                             {"account", account_ ? account_->name : ""},
                             {"command", std::string(verb)},
                             {"outcome", reply.ok ? "OK" : "ERR"},
                             {"code", reply.code},
                             {"elapsed_us", std::to_string(elapsed.count())}});
}

awaitable<void> Session::run() {
  // No APOP timestamp in the greeting: APOP is not offered (see cmd/authorization.cc).
  out_ = "+OK Roost POP3 server ready\r\n";
  log::info("pop3.connect", {{"session", conn_.session_id()},
                             {"peer", conn_.peer()},
                             {"tls", conn_.is_tls() ? "yes" : "no"}});
  while (!closed_ && !quit_) {
    ParseEvent ev = parser_.next();
    if (ev.kind == ParseEventKind::NeedMore) {
      if (conn_.server_stopping()) {
        // No UPDATE: the client did not ask to end the session (RFC 1939 §6).
        write_reply(out_, Reply::failure("Server shutting down; try again later", "SYS/TEMP"));
        break;
      }
      if (!(co_await read_more())) break;
      continue;
    }
    co_await handle(ev);
  }
  // A connection that ends without QUIT never enters UPDATE (RFC 1939 §6), but what RETR sent
  // still counts as read.
  if (state_ == State::Transaction) co_await mark_seen();
  if (!closed_ && co_await send()) co_await conn_.flush();
  log::info("pop3.session_end", {{"session", conn_.session_id()},
                                 {"account", account_ ? account_->name : ""},
                                 {"commands", std::to_string(commands_)},
                                 {"quit", quit_ ? "yes" : "no"}});
}

awaitable<void> Session::handle(ParseEvent& ev) {
  ++commands_;
  if (ev.kind == ParseEventKind::Command) {
    co_await dispatch(*ev.command);
  } else if (ev.kind == ParseEventKind::Error) {
    finish_command(ev.verb.empty() ? "?" : ev.verb, Reply::failure(ev.error->text),
                   SteadyClock::now());
  } else {
    // A raw line outside a SASL exchange cannot happen: expect_line() is only set by read_line().
    finish_command("?", Reply::failure("Unexpected line"), SteadyClock::now());
  }
  co_await send();
}

awaitable<void> Session::dispatch(const Command& command) {
  auto started = SteadyClock::now();
  const CommandSpec& spec = find_command(command.verb);
  uint32_t state = state_ == State::Authorization ? kAuthorization : kTransaction;
  Reply reply;
  if (!(spec.states & state)) {
    reply = Reply::failure(state_ == State::Authorization ? "Log in first"
                                                          : "Command not valid after login");
  } else {
    reply = co_await spec.handler(*this, command);
  }
  if (closed_) co_return;
  finish_command(to_string(command.verb), reply, started);
}

// --- registration ---

namespace {

awaitable<void> serve(std::shared_ptr<const Session::Shared> shared, net::Connection& conn) {
  Session session(std::move(shared), conn);
  co_await session.run();
}

awaitable<void> refuse(net::Connection& conn) {
  std::string_view why = conn.refusal() == net::Refusal::PerIpLimit
                             ? "-ERR [SYS/TEMP] Too many connections from your address\r\n"
                             : "-ERR [SYS/TEMP] Server is busy, try again later\r\n";
  co_await conn.write(why);
  co_await conn.flush();
}

}  // namespace

void register_pop3(net::Server& server, Pop3Services services, Pop3Options options) {
  auto locks = std::make_shared<auth::SessionCounter>(1);
  auto shared = std::make_shared<const Session::Shared>(Session::Shared{services, options, locks});
  net::SessionHandler handler = [shared](net::Connection& conn) { return serve(shared, conn); };
  server.set_handler(net::Protocol::Pop3, handler);
  server.set_handler(net::Protocol::Pop3s, handler);
  server.set_refusal_handler(net::Protocol::Pop3, refuse);
  server.set_refusal_handler(net::Protocol::Pop3s, refuse);
}

}  // namespace roost::pop3
