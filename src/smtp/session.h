// The SMTP/LMTP session (RFC 5321, RFC 6409 submission, RFC 8314 implicit TLS, RFC 3207
// STARTTLS, RFC 4954 AUTH, RFC 2033 LMTP, RFC 3030 CHUNKING, RFC 2920 PIPELINING): one
// coroutine per connection on the connection's strand running read → CommandParser → command
// table → write. Three kinds of port share it:
//   submission / submissions  AUTH required (after TLS unless [auth] allow_plaintext); the
//                              envelope sender and From: must be the account's addresses;
//                              Message-ID and Date are added when missing; rate limited;
//   smtp (25)                  inbound: local domains only, no AUTH; relaying refused;
//   lmtp                       as smtp, greeting LHLO, one reply per recipient after the data.
// Messages for local recipients go through mailbox::Ingest (the one ingest path) and the 250 is
// sent only once they are durable. Non-local recipients (submission only) go to the
// OutboundQueue, durable before the 250 too. Blocking work (store, directory, ingest,
// spool files, the InboundCheck seam) runs on the BlockingExecutor. Not thread-safe: everything
// runs on the connection strand.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/directory.h"
#include "base/clock.h"
#include "mailbox/ingest.h"
#include "net/blocking_executor.h"
#include "net/server.h"
#include "smtp/inbound_check.h"
#include "smtp/message_spool.h"
#include "smtp/outbound_queue.h"
#include "smtp/proto/command_parser.h"
#include "smtp/recipient_resolver.h"
#include "smtp/reply.h"
#include "smtp/send_rate_limiter.h"
#include "store/store.h"

namespace roost::smtp {

struct SmtpServices {
  store::Store* store = nullptr;
  auth::Directory* directory = nullptr;
  mailbox::Ingest* ingest = nullptr;
  net::BlockingExecutor* blocking = nullptr;
  net::BlockingExecutor* hashing = nullptr;  // password checks (see imap::ImapServices)
  const Clock* clock = &Clock::system();
  OutboundQueue* outbound = nullptr;  // nullptr: remote delivery is not available (yet)
  InboundCheck inbound_check;         // empty: accept, prepend nothing (mailauth plugs in here)
  // Deliveries (blob fsync, then the index commit) wait here, apart from `blocking`, as IMAP
  // APPENDs do (imap::ImapServices::committing): with many threads the fsyncs of concurrent
  // sessions overlap and their index entries share one commit. nullptr = `blocking`.
  net::BlockingExecutor* committing = nullptr;
};

struct SmtpOptions {
  std::string hostname = "localhost";          // greeting, Received:, Message-ID
  std::string spool_dir;                       // where large messages spill (<data_dir>/smtp-spool)
  // Messages are received into memory up to spool_message_memory bytes each and
  // spool_total_memory bytes for all sessions together; beyond either, into a spool file.
  size_t spool_message_memory = 4 * 1024 * 1024;
  uint64_t spool_total_memory = 64 * 1024 * 1024;
  uint64_t max_message_size = 64 * 1024 * 1024;  // SIZE (RFC 1870)
  size_t max_recipients = 100;                 // per message (RFC 5321 §4.5.3.1.8: >= 100)
  uint32_t messages_per_hour = 200;            // per submitting account; 0 = unlimited
  size_t max_command_line = 1000;              // CRLF included
  size_t max_sasl_line = 12288;                // RFC 4954 §4
  bool allow_plaintext = false;                // [auth] allow_plaintext
  RecipientRules rules;
};

// Registers the session and the "421" refusal greeting for Protocol::Submission, Submissions,
// Smtp and Lmtp. Removes leftover spool files from an earlier run.
void register_smtp(net::Server& server, SmtpServices services, SmtpOptions options);

enum class PortKind { Submission, Inbound, Lmtp };

// One accepted RCPT.
struct Recipient {
  Path address;
  RcptParams dsn;
  Resolution resolution;  // Local (or Remote when an outbound queue takes it)
};

class Session {
 public:
  struct Shared {
    SmtpServices services;
    SmtpOptions options;
    RecipientResolver resolver;
    std::shared_ptr<SendRateLimiter> rate;
    std::shared_ptr<SpoolMemory> spool_memory;
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
  net::BlockingExecutor& committing() {
    auto* pool = shared_->services.committing;
    return pool ? *pool : blocking();
  }
  const SmtpServices& services() const { return shared_->services; }
  const SmtpOptions& options() const { return shared_->options; }
  const RecipientResolver& resolver() const { return shared_->resolver; }
  SendRateLimiter& rate() const { return *shared_->rate; }
  CommandParser& parser() { return parser_; }
  PortKind port() const { return port_; }
  std::string& out() { return out_; }
  boost::asio::awaitable<Status> send();
  boost::asio::awaitable<Result<std::string>> read_line();  // one raw line (SASL)
  // The next parser event that is not NeedMore (reading as needed); Io when the client is gone.
  boost::asio::awaitable<Result<ParseEvent>> next_event();
  void mark_closed() { closed_ = true; }
  void quit() { quit_ = true; }

  // Greeting state (RFC 5321 §4.1.4: EHLO/HELO resets it; STARTTLS forgets it, RFC 3207 §4.2).
  const std::optional<std::string>& helo() const { return helo_; }
  bool esmtp() const { return esmtp_; }
  void greeted(std::string name, bool esmtp) {
    helo_ = std::move(name);
    esmtp_ = esmtp;
  }
  void forget_greeting() { helo_.reset(); }
  // May a password be used on this connection?
  bool passwords_allowed() const { return conn_.is_tls() || options().allow_plaintext; }
  const std::optional<store::Account>& account() const { return account_; }
  void logged_in(store::Account account) { account_ = std::move(account); }
  // "user" or "user@domain": the account name for logs.
  std::string account_name() const { return account_ ? account_->name : ""; }

  // --- the mail transaction (RFC 5321 §3.3) ---
  const std::optional<Command>& mail() const { return mail_; }
  void start_mail(Command mail) { mail_ = std::move(mail); }
  std::vector<Recipient>& recipients() { return recipients_; }
  boost::asio::awaitable<void> reset_transaction();
  // Streams the message after DATA's 354 or a BDAT command into the spool; false when the
  // connection is gone (the session ends).
  boost::asio::awaitable<bool> receive_message_bytes();
  bool bdat_open() const { return bdat_open_; }
  void set_bdat_open(bool open) { bdat_open_ = open; }
  bool message_too_big() const { return too_big_ && !spool_failed_; }
  bool spool_failed() const { return spool_failed_; }
  uint64_t message_size() const { return spool_ ? spool_->size() : 0; }
  // The end of the data: checks, Received:, delivery; the reply (or, for LMTP, the replies are
  // written and Reply::sent() returned). Resets the transaction.
  boost::asio::awaitable<Reply> finish_message();

 private:
  boost::asio::awaitable<void> handle(ParseEvent& event);
  boost::asio::awaitable<void> dispatch(const Command& command);
  boost::asio::awaitable<bool> read_more();
  void finish_command(std::string_view verb, const Reply& reply,
                      std::chrono::steady_clock::time_point started);
  MessageSpool& spool();

  std::shared_ptr<const Shared> shared_;
  net::Connection& conn_;
  PortKind port_;
  CommandParser parser_;
  std::optional<std::string> helo_;
  bool esmtp_ = false;
  std::optional<store::Account> account_;
  std::optional<Command> mail_;
  std::vector<Recipient> recipients_;
  std::unique_ptr<MessageSpool> spool_;
  uint64_t spools_ = 0;
  bool too_big_ = false;
  bool spool_failed_ = false;  // the spill file could not be written
  bool bdat_open_ = false;
  std::string out_;
  bool closed_ = false;
  bool quit_ = false;
  size_t commands_ = 0;
  size_t errors_in_a_row_ = 0;
};

}  // namespace roost::smtp
