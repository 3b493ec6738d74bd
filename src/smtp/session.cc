#include "smtp/session.h"

#include "base/log.h"
#include "smtp/command_table.h"

namespace roost::smtp {

namespace asio = boost::asio;
using asio::awaitable;
using SteadyClock = std::chrono::steady_clock;

namespace {

// RFC 5321 §4.5.3.2.7 does not bound errors; a client that sends nothing but errors is cut off.
constexpr size_t kMaxErrorsInARow = 20;

ParserLimits parser_limits(const SmtpOptions& options) {
  ParserLimits limits;
  limits.max_command_line = options.max_command_line;
  limits.max_sasl_line = options.max_sasl_line;
  return limits;
}

PortKind port_of(net::Protocol protocol) {
  switch (protocol) {
    case net::Protocol::Submission:
    case net::Protocol::Submissions:
      return PortKind::Submission;
    case net::Protocol::Lmtp:
      return PortKind::Lmtp;
    default:
      return PortKind::Inbound;
  }
}

}  // namespace

Session::Session(std::shared_ptr<const Shared> shared, net::Connection& conn)
    : shared_(std::move(shared)),
      conn_(conn),
      port_(port_of(conn.protocol())),
      parser_(parser_limits(shared_->options)) {}

Session::~Session() = default;

awaitable<Status> Session::send() {
  if (closed_) co_return make_error(ErrorKind::Io, "connection closed");
  Status st = ok();
  if (!out_.empty()) {
    st = co_await conn_.write(out_);
    out_.clear();
  }
  if (!st) closed_ = true;
  co_return st;
}

awaitable<bool> Session::read_more() {
  if (!(co_await send())) co_return false;
  auto data = co_await conn_.read_some();  // flushes what send() buffered first
  if (!data) {
    log::info("smtp.disconnect", {{"session", conn_.session_id()},
                                  {"account", account_name()},
                                  {"reason", data.error().text}});
    closed_ = true;
    co_return false;
  }
  parser_.feed(*data);
  co_return true;
}

awaitable<Result<ParseEvent>> Session::next_event() {
  while (true) {
    ParseEvent ev = parser_.next();
    if (ev.kind != ParseEventKind::NeedMore) co_return ev;
    if (!(co_await read_more())) co_return make_error(ErrorKind::Io, "connection closed");
  }
}

awaitable<Result<std::string>> Session::read_line() {
  parser_.expect_line();
  auto ev = co_await next_event();
  if (!ev) co_return ev.error();
  if (ev->kind == ParseEventKind::Line) co_return std::move(ev->line);
  if (ev->kind == ParseEventKind::Error) co_return *ev->error;
  co_return make_error(ErrorKind::Internal, "unexpected parser event",
                       std::string(to_string(ev->kind)));
}

MessageSpool& Session::spool() {
  if (!spool_) {
    std::string path = options().spool_dir + "/" + conn_.session_id() + "-" +
                       std::to_string(++spools_);
    spool_ = std::make_unique<MessageSpool>(path, options().spool_message_memory,
                                            shared_->spool_memory.get());
  }
  return *spool_;
}

awaitable<void> Session::reset_transaction() {
  mail_.reset();
  recipients_.clear();
  too_big_ = false;
  spool_failed_ = false;
  bdat_open_ = false;
  if (spool_) {
    if (spool_->has_file()) {
      (void)co_await blocking().run([this] {
        spool_.reset();
        return ok();
      });
    }
    spool_.reset();
  }
}

awaitable<bool> Session::receive_message_bytes() {
  MessageSpool& sp = spool();
  while (true) {
    auto ev = co_await next_event();
    if (!ev) co_return false;
    if (ev->kind == ParseEventKind::DataEnd) co_return true;
    if (ev->kind != ParseEventKind::Data) continue;  // cannot happen in data mode
    if (too_big_) continue;                         // read past the rest, keep nothing
    if (sp.size() + ev->data.size() > options().max_message_size) {
      too_big_ = true;
      if (sp.has_file()) {
        (void)co_await blocking().run([&sp] {
          sp.clear();
          return ok();
        });
      } else {
        sp.clear();
      }
      continue;
    }
    sp.append(ev->data);
    if (sp.wants_spill()) {
      Status st = co_await blocking().run([&sp] { return sp.spill(); });
      if (!st) {
        log::warn("smtp.spool_failed",
                  {{"session", conn_.session_id()}, {"error", st.error().describe()}});
        too_big_ = true;  // the message cannot be kept; finish_message says why
        spool_failed_ = true;
      }
    }
  }
}

void Session::finish_command(std::string_view verb, const Reply& reply,
                             SteadyClock::time_point started) {
  if (!reply.already_sent) write_reply(out_, reply);
  auto elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started);
  log::info("smtp.command", {{"session", conn_.session_id()},
                             {"account", account_name()},
                             {"command", std::string(verb)},
                             {"code", reply.already_sent ? "" : std::to_string(reply.code)},
                             {"enhanced", reply.enhanced},
                             {"elapsed_us", std::to_string(elapsed.count())}});
}

awaitable<void> Session::run() {
  std::string_view kind = port_ == PortKind::Lmtp ? "LMTP" : "ESMTP";
  write_reply(out_, Reply::make(220, "", options().hostname + " " + std::string(kind) +
                                              " Roost ready"));
  log::info("smtp.connect", {{"session", conn_.session_id()},
                             {"peer", conn_.peer()},
                             {"protocol", std::string(net::to_string(conn_.protocol()))},
                             {"tls", conn_.is_tls() ? "yes" : "no"}});
  while (!closed_ && !quit_) {
    ParseEvent ev = parser_.next();
    if (ev.kind == ParseEventKind::NeedMore) {
      if (conn_.server_stopping()) {
        write_reply(out_, Reply::make(421, "4.3.2", "Server shutting down; try again later"));
        break;
      }
      if (!(co_await read_more())) break;
      continue;
    }
    co_await handle(ev);
    if (errors_in_a_row_ >= kMaxErrorsInARow) {
      write_reply(out_, Reply::make(421, "4.7.0", "Too many errors; closing the connection"));
      break;
    }
  }
  co_await reset_transaction();
  if (!closed_ && co_await send()) co_await conn_.flush();
  log::info("smtp.session_end", {{"session", conn_.session_id()},
                                 {"account", account_name()},
                                 {"commands", std::to_string(commands_)},
                                 {"quit", quit_ ? "yes" : "no"}});
}

awaitable<void> Session::handle(ParseEvent& ev) {
  ++commands_;
  if (ev.kind == ParseEventKind::Command) {
    co_await dispatch(*ev.command);
  } else if (ev.kind == ParseEventKind::Error) {
    ++errors_in_a_row_;
    finish_command(ev.verb.empty() ? "?" : ev.verb,
                   Reply::make(ev.code, ev.enhanced, ev.error->text), SteadyClock::now());
  } else {
    ++errors_in_a_row_;
    finish_command("?", Reply::make(500, "5.5.2", "Unexpected input"), SteadyClock::now());
  }
}

awaitable<void> Session::dispatch(const Command& command) {
  auto started = SteadyClock::now();
  const CommandSpec& spec = find_command(command.verb);
  Reply reply;
  bool lmtp = port_ == PortKind::Lmtp;
  if ((spec.flags & kSmtpOnly) && lmtp) {
    // RFC 2033 §4.1: LMTP has LHLO, not HELO/EHLO.
    reply = Reply::make(500, "5.5.1", "This is an LMTP server: use LHLO");
  } else if ((spec.flags & kLmtpOnly) && !lmtp) {
    reply = Reply::make(500, "5.5.2", "Command not recognized");
  } else if ((spec.flags & kNeedsGreeting) && !helo_) {
    reply = Reply::make(503, "5.5.1", lmtp ? "Send LHLO first" : "Send EHLO or HELO first");
  } else {
    reply = co_await spec.handler(*this, command);
  }
  if (closed_) co_return;
  errors_in_a_row_ = (!reply.already_sent && reply.code >= 500) ? errors_in_a_row_ + 1 : 0;
  finish_command(to_string(command.verb), reply, started);
}

// --- registration ---

namespace {

awaitable<void> serve(std::shared_ptr<const Session::Shared> shared, net::Connection& conn) {
  Session session(std::move(shared), conn);
  co_await session.run();
}

awaitable<void> refuse(net::Connection& conn) {
  // RFC 5321 §3.1: a server that will not take mail may answer 421 instead of 220.
  std::string_view why = conn.refusal() == net::Refusal::PerIpLimit
                             ? "421 4.7.0 Too many connections from your address\r\n"
                             : "421 4.3.2 Server is busy, try again later\r\n";
  co_await conn.write(why);
  co_await conn.flush();
}

}  // namespace

void register_smtp(net::Server& server, SmtpServices services, SmtpOptions options) {
  if (!options.spool_dir.empty()) {
    Env& env = Env::real();
    (void)env.make_dirs(options.spool_dir);
    if (auto names = env.list_dir(options.spool_dir)) {
      for (const std::string& name : *names) (void)env.remove(options.spool_dir + "/" + name);
    }
  }
  auto rate = std::make_shared<SendRateLimiter>(options.messages_per_hour, *services.clock);
  RecipientResolver resolver(options.rules);
  auto spool_memory = std::make_shared<SpoolMemory>(options.spool_total_memory);
  auto shared = std::make_shared<const Session::Shared>(Session::Shared{
      std::move(services), std::move(options), std::move(resolver), rate, spool_memory});
  net::SessionHandler handler = [shared](net::Connection& conn) { return serve(shared, conn); };
  for (net::Protocol p : {net::Protocol::Submission, net::Protocol::Submissions,
                          net::Protocol::Smtp, net::Protocol::Lmtp}) {
    server.set_handler(p, handler);
    server.set_refusal_handler(p, refuse);
  }
}

}  // namespace roost::smtp
