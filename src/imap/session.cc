#include "imap/session.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log.h"
#include "imap/capabilities.h"
#include "imap/command_table.h"
#include "imap/proto/response_writer.h"
#include "imap/session_append.h"

namespace roost::imap {

namespace asio = boost::asio;
using asio::awaitable;
using SteadyClock = std::chrono::steady_clock;

// --- Signal ---

void Signal::notify() {
  notified_ = true;
  timer_.cancel();
}

awaitable<bool> Signal::wait(SteadyClock::time_point deadline) {
  if (!notified_) {
    timer_.expires_at(deadline);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  bool was = notified_;
  notified_ = false;
  co_return was;
}

// --- ChangeNotice ---

void ChangeNotice::note(const store::MailboxEvent& event) {
  store::ModSeq& seen = latest[event.mailbox];
  bool changed = event.kind == store::MailboxEvent::Kind::Changed;
  seen = event.kind == store::MailboxEvent::Kind::Deleted ? kGone : std::max(seen, event.modseq);
  if (event.mailbox != watched) return;
  if (changed && event.modseq <= known) return;  // a refresh already read it
  dirty = true;
  wake.notify();
}

// --- Session ---

namespace {

ParserLimits parser_limits(const ImapOptions& options) {
  ParserLimits limits;
  limits.max_line_length = options.max_line_length;
  limits.max_nesting = options.max_nesting;
  limits.max_sequence_ranges = options.max_sequence_ranges;
  limits.max_search_keys = options.max_search_keys;
  // APPEND sizes are checked at LiteralStart against Ingest's max_message_size, so a too-big
  // message gets NO [TOOBIG] (RFC 7889 §4) while other literals keep the parser's BAD [TOOBIG].
  limits.max_append_size = UINT64_MAX;
  // RFC 7888 §4: with LITERAL-, a non-synchronizing literal over 4096 octets is refused.
  if (!options.literal_plus) limits.max_nonsync_literal_size = kLiteralMinusLimit;
  return limits;
}

}  // namespace

Session::Session(std::shared_ptr<const Shared> shared, net::Connection& conn,
                 asio::any_io_executor executor)
    : shared_(std::move(shared)),
      conn_(conn),
      executor_(executor),
      parser_(parser_limits(shared_->options)),
      notice_(std::make_shared<ChangeNotice>(executor)),
      push_done_(executor) {}

Session::~Session() = default;

std::string Session::capability_list() const {
  return capabilities({.tls = conn_.is_tls(),
                       .passwords_allowed = passwords_allowed(),
                       .tls_available = conn_.tls_available(),
                       .authenticated = state_ != SessionState::NotAuthenticated,
                       .append_limit = shared_->services.ingest->options().max_message_size,
                       .literal_plus = shared_->options.literal_plus});
}

void Session::enable_rev2() {
  rev2_ = true;
  parser_.set_utf8_names(true);  // RFC 9051 §5.1: IMAP4rev2 names are UTF-8
}

void Session::enable_utf8() {
  utf8_ = true;
  parser_.set_utf8_names(true);  // RFC 6855 §3
}

void Session::write_mailbox_name(std::string& out, std::string_view name) const {
  write_mailbox(out, name, rev2_ || utf8_);
}

void Session::enable_condstore() {
  if (condstore_) return;
  condstore_ = true;
  // RFC 7162 §3.1: the first enabling command while a mailbox is selected reports its
  // HIGHESTMODSEQ (SELECT/EXAMINE report their own).
  if (!selected_) return;
  store::ModSeq modseq = selected_->view.announced_modseq();
  out_ += "* OK [HIGHESTMODSEQ " + std::to_string(modseq) + "] Highest\r\n";
  selected_->reported_modseq = modseq;
}

void Session::enable_qresync() {
  enable_condstore();
  qresync_ = true;
}

void Session::note_fetch_modseq(store::ModSeq modseq) {
  if (selected_) selected_->fetch_modseq = std::max(selected_->fetch_modseq, modseq);
}

void Session::write_flag_fetch(const mailbox::FlagUpdate& update, bool uid, bool silent) {
  out_ += "* " + std::to_string(update.seq) + " FETCH (";
  std::string_view sep;
  if (uid || condstore_) {
    out_ += "UID " + std::to_string(update.uid);
    sep = " ";
  }
  if (!silent) {
    out_ += sep;
    out_ += "FLAGS ";
    write_flag_list(out_, flag_names(update.flags));
    sep = " ";
  }
  if (condstore_) {
    out_ += sep;
    out_ += "MODSEQ (" + std::to_string(update.modseq) + ")";
    note_fetch_modseq(update.modseq);
  }
  out_ += ")\r\n";
}

awaitable<Status> Session::send(bool keep_buffer) {
  if (closed_) co_return make_error(ErrorKind::Io, "connection closed");
  Status st = ok();
  if (!out_.empty()) {
    st = co_await conn_.write(out_);
    out_.clear();
    // A large reply (FETCH, SEARCH, the first SELECT of a big mailbox) leaves no buffer behind
    // in a session that then waits, perhaps for days in IDLE.
    if (!keep_buffer && out_.capacity() > 1024) std::string().swap(out_);
  }
  if (st) st = co_await conn_.flush();
  if (!st) closed_ = true;
  co_return st;
}

awaitable<Status> Session::push() {
  report_highest_modseq(nullptr);  // IDLE has no tagged reply to carry it
  pushing_ = true;
  Status st = co_await send();
  pushing_ = false;
  push_done_.notify();
  co_return st;
}

awaitable<bool> Session::read_more() {
  // IDLE: never let a read's flush overlap a write the change pusher has in flight.
  while (pushing_) co_await push_done_.wait();
  if (!(co_await send())) co_return false;
  auto data = co_await conn_.read_some();
  if (!data) {
    if (data.error().kind == ErrorKind::Limit && !pushing_) {
      // RFC 9051 §5.4: the autologout timer expired.
      out_ += "* BYE Autologout; idle for too long\r\n";
      co_await send();
    }
    log::info("imap.disconnect", {{"session", conn_.session_id()},
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
    if (ev.kind == ParseEventKind::Line) co_return std::string(ev.data);
    if (ev.kind == ParseEventKind::Error) co_return *ev.error;
    if (ev.kind != ParseEventKind::NeedMore) {
      co_return make_error(ErrorKind::Internal, "unexpected parser event",
                           std::string(to_string(ev.kind)));
    }
    if (!(co_await read_more())) co_return make_error(ErrorKind::Io, "connection closed");
  }
}

bool Session::logged_in(store::Account account) {
  session_lease_ = shared_->sessions->acquire(account.id);
  if (!session_lease_) return false;
  account_ = std::move(account);
  state_ = SessionState::Authenticated;
  std::weak_ptr<ChangeNotice> weak = notice_;
  // Runs on the committing thread: only hop to our strand there.
  subscription_ = store().subscribe(account_->id, [weak](const store::MailboxEvent& event) {
    auto notice = weak.lock();
    if (!notice) return;
    asio::post(notice->executor, [notice, event] { notice->note(event); });
  });
  return true;
}

void Session::select(SelectedMailbox mailbox) {
  mailbox.reported_modseq = mailbox.view.announced_modseq();  // SELECT's [HIGHESTMODSEQ]
  mailbox.fetch_modseq = 0;
  notice_->watched = mailbox.view.mailbox();
  notice_->known = mailbox.view.highest_modseq();
  notice_->clear();
  // A commit after the view was read but announced before now would otherwise go unseen.
  auto seen = notice_->latest.find(mailbox.view.mailbox());
  if (seen != notice_->latest.end() && seen->second > notice_->known) notice_->mark_dirty();
  selected_ = std::move(mailbox);
  state_ = SessionState::Selected;
}

void Session::deselect() {
  selected_.reset();
  notice_->watched = 0;
  notice_->known = 0;
  notice_->clear();
  if (state_ == SessionState::Selected) state_ = SessionState::Authenticated;
}

awaitable<Status> Session::load_view() {
  if (!selected_ || selected_->view.loaded()) co_return ok();
  mailbox::MailboxView view = selected_->view;  // no messages yet: a small copy
  store::Store& s = store();
  Status loaded = co_await blocking().run([&] { return view.load_messages(s); });
  if (!loaded) {
    if (loaded.error().kind == ErrorKind::NotFound && selected_ &&
        selected_->view.mailbox() == view.mailbox()) {
      out_ += "* BYE Selected mailbox was deleted\r\n";  // as refresh() says it
      state_ = SessionState::Logout;
    }
    co_return loaded;
  }
  if (!selected_ || selected_->view.mailbox() != view.mailbox() || selected_->view.loaded()) {
    co_return ok();
  }
  selected_->view = std::move(view);
  // The view is still at SELECT's MODSEQ: the next refresh tells what happened since.
  notice_->mark_dirty();
  co_return ok();
}

awaitable<Status> Session::refresh(bool force) {
  if (!selected_) co_return ok();
  if (!selected_->view.loaded()) {
    if (!force && !notice_->dirty) co_return ok();  // nothing to tell: stay unloaded
    Status loaded = co_await load_view();
    if (!loaded) co_return loaded;
    if (!selected_) co_return ok();
  }
  if (!force && !notice_->dirty) co_return ok();
  notice_->clear();
  store::MailboxId id = selected_->view.mailbox();
  store::ModSeq since = selected_->view.highest_modseq();
  auto changes = co_await blocking().run([&] { return store().changes_since(id, since); });
  if (!changes) {
    if (changes.error().kind == ErrorKind::NotFound && selected_ &&
        selected_->view.mailbox() == id) {
      // Another session deleted the selected mailbox: its sequence numbers mean nothing now.
      out_ += "* BYE Selected mailbox was deleted\r\n";
      state_ = SessionState::Logout;
    }
    co_return changes.error();
  }
  if (selected_ && selected_->view.mailbox() == id) {
    selected_->view.apply(*changes);
    notice_->known = std::max(notice_->known, selected_->view.highest_modseq());
  }
  co_return ok();
}

std::vector<std::string> flag_names(const store::Flags& flags) {
  static constexpr std::pair<uint32_t, const char*> kNames[] = {{store::kSeen, "\\Seen"},
                                                                {store::kAnswered, "\\Answered"},
                                                                {store::kFlagged, "\\Flagged"},
                                                                {store::kDeleted, "\\Deleted"},
                                                                {store::kDraft, "\\Draft"}};
  std::vector<std::string> out;
  for (const auto& [bit, name] : kNames) {
    if (flags.system & bit) out.emplace_back(name);
  }
  out.insert(out.end(), flags.keywords.begin(), flags.keywords.end());
  return out;
}

Result<store::Flags> parse_flags(const std::vector<std::string>& names) {
  static constexpr std::pair<std::string_view, uint32_t> kBits[] = {
      {"\\SEEN", store::kSeen},
      {"\\ANSWERED", store::kAnswered},
      {"\\FLAGGED", store::kFlagged},
      {"\\DELETED", store::kDeleted},
      {"\\DRAFT", store::kDraft}};
  store::Flags flags;
  for (const std::string& name : names) {
    if (name.empty() || name[0] != '\\') {
      flags.keywords.push_back(name);
      continue;
    }
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper == "\\RECENT") continue;  // RFC 9051 §2.3.2: never settable
    bool known = false;
    for (const auto& [text, bit] : kBits) {
      if (upper == text) {
        flags.system |= bit;
        known = true;
      }
    }
    if (!known) return make_error(ErrorKind::Syntax, "Unknown system flag " + name);
  }
  store::normalize(flags);
  return flags;
}

void Session::write_updates(bool allow_expunge) {
  if (!selected_) return;
  mailbox::ViewUpdates u = selected_->view.take_updates(allow_expunge);
  if (qresync_) {
    // RFC 7162 §3.2.10: with QRESYNC on, expunges are told by UID, never as EXPUNGE.
    if (!u.vanished.empty()) out_ += "* VANISHED " + format_numbers(u.vanished) + "\r\n";
  } else {
    for (uint32_t seq : u.expunged) out_ += "* " + std::to_string(seq) + " EXPUNGE\r\n";
  }
  if (u.exists) out_ += "* " + std::to_string(*u.exists) + " EXISTS\r\n";
  if (u.flags) {
    out_ += "* FLAGS ";
    write_flag_list(out_, *u.flags);
    out_ += "\r\n";
  }
  for (const mailbox::FlagUpdate& f : u.fetch_flags) write_flag_fetch(f, false);
}

void Session::report_highest_modseq(Reply* tagged) {
  if (!qresync_ || !selected_) return;
  SelectedMailbox& s = *selected_;
  std::optional<store::ModSeq> report;
  if (s.view.has_pending_expunge()) {
    if (s.fetch_modseq > s.reported_modseq) report = s.reported_modseq;
  } else {
    store::ModSeq complete = s.view.announced_modseq();
    if (complete > s.reported_modseq && complete > s.fetch_modseq) report = complete;
    s.reported_modseq = complete;  // the client knows it now, from us or from FETCH MODSEQs
  }
  s.fetch_modseq = 0;
  if (!report) return;
  std::string code = "HIGHESTMODSEQ " + std::to_string(*report);
  if (tagged && tagged->kind == Reply::Kind::Ok && tagged->code.empty()) {
    tagged->code = std::move(code);
  } else {
    out_ += "* OK [" + code + "] Highest\r\n";
  }
}

void Session::finish_command(std::string_view tag, std::string_view command, const Reply& reply,
                             SteadyClock::time_point started) {
  write_tagged(out_, tag, reply);
  auto elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started);
  log::info("imap.command", {{"session", conn_.session_id()},
                             {"account", account_ ? account_->name : ""},
                             {"mailbox", selected_ ? selected_->name : ""},
                             {"client", client_name_},
                             {"command", std::string(command)},
                             {"outcome", std::string(to_string(reply.kind))},
                             {"code", reply.code.substr(0, reply.code.find(' '))},
                             {"elapsed_us", std::to_string(elapsed.count())}});
}

awaitable<void> Session::run() {
  out_ = "* OK [CAPABILITY " + capability_list() + "] Roost ready\r\n";
  log::info("imap.connect", {{"session", conn_.session_id()},
                             {"peer", conn_.peer()},
                             {"tls", conn_.is_tls() ? "yes" : "no"}});
  while (!closed_ && state_ != SessionState::Logout) {
    ParseEvent ev = parser_.next();
    if (ev.kind == ParseEventKind::NeedMore) {
      if (conn_.server_stopping()) {
        out_ += "* BYE Server shutting down\r\n";
        break;
      }
      if (!(co_await read_more())) break;
      continue;
    }
    co_await handle(ev);
  }
  if (append_) append_->writer.reset();  // drops the temporary blob
  if (!closed_) co_await send();
}

awaitable<void> Session::handle(ParseEvent& ev) {
  switch (ev.kind) {
    case ParseEventKind::NeedContinuation:
      out_ += "+ Ready for literal data\r\n";  // RFC 9051 §7.5; flushed before the next read
      co_return;
    case ParseEventKind::LiteralStart:
      co_await append_literal_start(*this, ev);
      co_return;
    case ParseEventKind::LiteralChunk:
      co_await append_literal_chunk(*this, ev.data);
      co_return;
    case ParseEventKind::LiteralEnd:
      if (append_) append_->complete = true;
      co_return;
    case ParseEventKind::Command:
      co_await dispatch(*ev.command);
      co_return;
    case ParseEventKind::Error: {
      append_.reset();
      const Error& e = *ev.error;
      Reply reply = e.kind == ErrorKind::TooBig ? Reply::bad(e.text, "TOOBIG") : Reply::bad(e.text);
      finish_command(ev.tag, "?", reply, SteadyClock::now());
      co_return;
    }
    case ParseEventKind::Line:
    case ParseEventKind::NeedMore:
      co_return;
  }
}

awaitable<void> Session::dispatch(Command& command) {
  auto started = SteadyClock::now();
  const CommandSpec* spec = find_command(command.name);
  Reply reply;
  if (!spec) {
    reply = Reply::bad("Command not implemented in this build", "CANNOT");
  } else if ((spec->flags & kNotAuthenticated && state_ != SessionState::NotAuthenticated) ||
             (spec->flags & kAuthenticated && state_ == SessionState::NotAuthenticated) ||
             (spec->flags & kSelected && state_ != SessionState::Selected)) {
    reply = Reply::bad("Command not valid in this state");
  } else {
    // UNSELECT is the one command on a selected mailbox that never needs its messages.
    Status loaded = ok();
    if (spec->flags & kSelected && command.name != CommandName::Unselect) {
      loaded = co_await load_view();
    }
    if (loaded) {
      reply = co_await spec->handler(*this, command);
    } else {
      reply = reply_for(loaded.error());
    }
  }
  if (closed_ || reply.already_sent) co_return;
  if (state_ == SessionState::Selected) {
    co_await refresh();
    write_updates(!spec || allows_expunge(*spec, command));
    report_highest_modseq(&reply);
  }
  finish_command(command.tag, to_string(command.name), reply, started);
}

// --- registration ---

namespace {

awaitable<void> serve(std::shared_ptr<const Session::Shared> shared, net::Connection& conn) {
  auto executor = co_await asio::this_coro::executor;
  Session session(std::move(shared), conn, executor);
  co_await session.run();
}

awaitable<void> refuse(net::Connection& conn) {
  // RFC 9051 §7.1.5: BYE as the greeting when the server will not serve this client.
  std::string_view why = conn.refusal() == net::Refusal::PerIpLimit
                             ? "* BYE [UNAVAILABLE] Too many connections from your address\r\n"
                             : "* BYE [UNAVAILABLE] Server is busy, try again later\r\n";
  co_await conn.write(why);
  co_await conn.flush();
}

}  // namespace

void register_imap(net::Server& server, ImapServices services, ImapOptions options) {
  auto sessions = std::make_shared<auth::SessionCounter>(options.max_sessions_per_account);
  auto shared =
      std::make_shared<const Session::Shared>(Session::Shared{services, options, sessions});
  net::SessionHandler handler = [shared](net::Connection& conn) { return serve(shared, conn); };
  server.set_handler(net::Protocol::Imap, handler);
  server.set_handler(net::Protocol::Imaps, handler);
  server.set_refusal_handler(net::Protocol::Imap, refuse);
  server.set_refusal_handler(net::Protocol::Imaps, refuse);
}

}  // namespace roost::imap
