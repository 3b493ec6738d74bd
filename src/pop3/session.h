// The POP3 session (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH, RFC 6856 UTF8): one
// coroutine per connection on the connection's strand running read → CommandParser → command
// table → write. States AUTHORIZATION / TRANSACTION / UPDATE (RFC 1939 §3). The maildrop is the
// INBOX snapshot mailbox::load_pop3_maildrop takes at login; DELE only marks, and QUIT applies the
// account's delete policy (mailbox::commit_pop3_deletions). Blocking calls (Store, Directory, the
// maildrop module, blob reads) run on the BlockingExecutor. Pipelined commands are answered in
// order; replies collect in the connection's buffer and go out when the parser needs more input.
// Not thread-safe: everything runs on the connection strand.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/directory.h"
#include "auth/session_counter.h"
#include "base/clock.h"
#include "mailbox/pop3_maildrop.h"
#include "net/blocking_executor.h"
#include "net/server.h"
#include "pop3/message_read_ahead.h"
#include "pop3/proto/command_parser.h"
#include "pop3/reply.h"
#include "store/store.h"

namespace roost::pop3 {

struct Pop3Services {
  store::Store* store = nullptr;
  auth::Directory* directory = nullptr;
  net::BlockingExecutor* blocking = nullptr;
  net::BlockingExecutor* hashing = nullptr;  // password checks (see imap::ImapServices)
  const Clock* clock = &Clock::system();     // LOGIN-DELAY and retention decisions
};

struct Pop3Options {
  mailbox::Pop3Options maildrop;    // [pop3] delete policy, \Seen on RETR, retention
  size_t max_line_length = 8192;    // net::NetLimits::max_line_length: AUTH and SASL lines
  int64_t login_delay_seconds = 0;  // [pop3] login_delay_seconds (RFC 2449 §6.5); 0 = none
  bool allow_plaintext = false;     // [auth] allow_plaintext: passwords without TLS
};

// Registers the session and the "-ERR [SYS/TEMP]" refusal greeting for Protocol::Pop3 and Pop3s.
void register_pop3(net::Server& server, Pop3Services services, Pop3Options options = {});

enum class State { Authorization, Transaction, Update };

class Session {
 public:
  struct Shared {
    Pop3Services services;
    Pop3Options options;
    // RFC 1939 §4: one POP3 session per maildrop (the lock); a second login gets -ERR [IN-USE]. The
    // per-account counter with a limit of one is that lock table (IMAP sessions are not in it).
    std::shared_ptr<auth::SessionCounter> maildrop_locks;
  };

  Session(std::shared_ptr<const Shared> shared, net::Connection& conn);
  ~Session();

  boost::asio::awaitable<void> run();

  // --- what handlers use ---
  net::Connection& conn() { return conn_; }
  store::Store& store() { return *shared_->services.store; }
  auth::Directory& directory() { return *shared_->services.directory; }
  net::BlockingExecutor& blocking() { return *shared_->services.blocking; }
  net::BlockingExecutor& hashing() { return *shared_->services.hashing; }
  const Pop3Options& options() const { return shared_->options; }
  CommandParser& parser() { return parser_; }
  State state() const { return state_; }

  // Response bytes not yet handed to the connection; send() moves them there (a real write
  // happens when the connection's buffer is large or before the next read).
  std::string& out() { return out_; }
  boost::asio::awaitable<Status> send();
  // One raw client line (a SASL response); Limit when over max_line_length, Io when gone.
  boost::asio::awaitable<Result<std::string>> read_line();
  void mark_closed() { closed_ = true; }  // the transport is unusable (failed TLS handshake)
  void quit() { quit_ = true; }           // end the session after this command's reply

  // AUTHORIZATION: the name from USER, waiting for PASS.
  std::optional<std::string>& pending_user() { return pending_user_; }
  // May a password (USER/PASS, AUTH) be used on this connection?
  bool passwords_allowed() const { return conn_.is_tls() || options().allow_plaintext; }
  // The refusal when !passwords_allowed(), saying how to get TLS.
  Reply plaintext_refused() const;
  bool utf8() const { return utf8_; }
  void enable_utf8() { utf8_ = true; }
  // After the credentials were verified: the maildrop lock ([IN-USE]), LOGIN-DELAY, the snapshot.
  // Success enters TRANSACTION.
  boost::asio::awaitable<Reply> open_maildrop(store::Account account);
  const std::optional<store::Account>& account() const { return account_; }

  // --- TRANSACTION ---
  const mailbox::Pop3Maildrop& maildrop() const { return *maildrop_; }
  // The index of message `number` (1-based); failure text for a missing or deleted one.
  Result<size_t> message_index(uint32_t number) const;
  bool deleted(size_t index) const { return deleted_[index]; }
  void mark_deleted(size_t index) { deleted_[index] = true; }
  void undelete_all() { deleted_.assign(deleted_.size(), false); }
  void mark_retrieved(size_t index) { retrieved_[index] = true; }
  const std::vector<bool>& deleted_marks() const { return deleted_; }
  MessageReadAhead& read_ahead() { return read_ahead_; }
  size_t live_messages() const;
  uint64_t live_octets() const;
  // QUIT in TRANSACTION: \Seen for what RETR sent, then the UPDATE state (RFC 1939 §6).
  boost::asio::awaitable<Reply> update();

 private:
  boost::asio::awaitable<void> handle(ParseEvent& event);
  boost::asio::awaitable<void> dispatch(const Command& command);
  boost::asio::awaitable<bool> read_more();  // false: the connection is gone
  boost::asio::awaitable<void> mark_seen();  // the retrieved messages, once
  void finish_command(std::string_view verb, const Reply& reply,
                      std::chrono::steady_clock::time_point started);

  std::shared_ptr<const Shared> shared_;
  net::Connection& conn_;
  CommandParser parser_;
  State state_ = State::Authorization;
  std::optional<std::string> pending_user_;
  std::optional<store::Account> account_;
  std::optional<auth::SessionCounter::Lease> lock_;
  std::optional<mailbox::Pop3Maildrop> maildrop_;
  std::vector<bool> deleted_;
  std::vector<bool> retrieved_;
  MessageReadAhead read_ahead_;  // RETR's next messages
  std::string out_;
  bool utf8_ = false;
  bool closed_ = false;
  bool quit_ = false;
  bool seen_marked_ = false;
  size_t commands_ = 0;
};

}  // namespace roost::pop3
