// The IMAP session (RFC 9051 IMAP4rev2, RFC 3501 IMAP4rev1): one coroutine per connection on the
// connection's strand running read → CommandParser → command table → write. States Not
// Authenticated / Authenticated / Selected / Logout (RFC 9051 §3). Blocking calls (Store,
// Directory, Ingest) run on the BlockingExecutor; change events from other sessions arrive via
// Store::subscribe and are posted to the session's strand, then sent when the command table
// allows (RFC 9051 §7.5.1). Command handlers live in cmd/*.cc and use this class.
// Not thread-safe: everything runs on the connection strand.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/directory.h"
#include "auth/session_counter.h"
#include "imap/proto/command_parser.h"
#include "imap/session_reply.h"
#include "mailbox/ingest.h"
#include "mailbox/mailbox_view.h"
#include "net/blocking_executor.h"
#include "net/server.h"
#include "store/store.h"

namespace roost::imap {

class ParsedCache;

struct ImapServices {
  store::Store* store = nullptr;
  auth::Directory* directory = nullptr;
  mailbox::Ingest* ingest = nullptr;  // its max_message_size is the APPEND limit
  net::BlockingExecutor* blocking = nullptr;
  // Password checks (argon2, ~20 ms of CPU and 19 MiB each) run here, apart from `blocking`, so
  // a burst of logins never queues the store calls of sessions already in (APPEND, IDLE pushes).
  net::BlockingExecutor* hashing = nullptr;
  // APPEND commits (blob fsync, then the index commit) wait here, apart from `blocking`: many
  // threads let concurrent sessions' fsyncs overlap and their index entries share one SQLite
  // commit (the store's group commit), while reads never queue behind a disk flush.
  // nullptr = `blocking`.
  net::BlockingExecutor* committing = nullptr;
  // Decoded message structures shared by all sessions (parsed_cache.h); nullptr = none.
  ParsedCache* parsed_cache = nullptr;
};

struct ImapOptions {
  size_t max_line_length = 8192;          // net::NetLimits::max_line_length
  size_t max_sessions_per_account = 100;  // logged-in sessions of one account; 0 = unlimited
  // RFC 7888: LITERAL+ (non-synchronizing literals of any size) or LITERAL- (at most 4096).
  bool literal_plus = true;
  size_t max_nesting = 32;             // [imap] max_nesting (proto/parser_limits.h)
  size_t max_sequence_ranges = 10000;  // [imap] max_sequence_ranges
  size_t max_search_keys = 1000;       // [imap] max_search_keys
  // [auth] allow_plaintext: LOGIN and AUTHENTICATE are accepted without TLS too.
  bool allow_plaintext = false;
};

// Registers the session and the "* BYE" refusal greeting for Protocol::Imap and Imaps.
void register_imap(net::Server& server, ImapServices services, ImapOptions options = {});

enum class SessionState { NotAuthenticated, Authenticated, Selected, Logout };

// A one-waiter wake-up on the strand (a timer that is cancelled to signal).
class Signal {
 public:
  explicit Signal(boost::asio::any_io_executor executor) : timer_(std::move(executor)) {}
  void notify();
  // True when notified, false when `deadline` passed first.
  boost::asio::awaitable<bool> wait(std::chrono::steady_clock::time_point deadline =
                                        std::chrono::steady_clock::time_point::max());

 private:
  boost::asio::steady_timer timer_;
  bool notified_ = false;
};

// Shared with the Store callback: the strand-side record that the selected mailbox changed.
// Events are the only source of change: a refresh runs only when one arrived (NOOP included), so
// `latest` keeps, per mailbox, the highest MODSEQ announced, and select() compares it with the
// loaded view to catch commits that landed between the view's read and the selection. Events the
// view already covers (MODSEQ <= `known`: a refresh read them) leave it clean. Strand only.
// (An own STORE still costs the next command a refresh: that refresh is what moves the QRESYNC
// HIGHESTMODSEQ past it, RFC 7162 §3.2.10 tests rely on that timing.)
struct ChangeNotice {
  explicit ChangeNotice(boost::asio::any_io_executor executor)
      : executor(executor), wake(executor) {}
  static constexpr store::ModSeq kGone = UINT64_MAX;  // `latest` of a deleted mailbox
  // Records `event` and marks the selection dirty when the view lacks it.
  void note(const store::MailboxEvent& event);
  void mark_dirty() { dirty = true; }
  // A refresh is starting: the view will hold everything up to now.
  void clear() { dirty = false; }

  boost::asio::any_io_executor executor;
  store::MailboxId watched = 0;  // the selected mailbox
  bool dirty = false;            // it changed since the last refresh
  store::ModSeq known = 0;       // the view holds every change up to this MODSEQ
  std::map<store::MailboxId, store::ModSeq> latest;  // deleted = kGone
  Signal wake;                                       // notified on change (IDLE waits on it)
};

struct SelectedMailbox {
  std::string name;  // UTF-8
  bool read_only = false;
  mailbox::MailboxView view;
  // RFC 5182 §2.1: the UIDs of the last SEARCH ... RETURN (SAVE), named '$'; it lives and dies
  // with the selection (SELECT, EXAMINE, CLOSE and UNSELECT reset it).
  std::vector<SeqRange> saved_uids;
  // RFC 7162: the last HIGHESTMODSEQ told to the client, and the highest MODSEQ in FETCH
  // responses since the session last decided whether to tell it a new one.
  store::ModSeq reported_modseq = 0;
  store::ModSeq fetch_modseq = 0;
};

// An APPEND whose message literal is being streamed into mailbox::Ingest.
struct AppendInProgress {
  std::string tag;
  std::chrono::steady_clock::time_point started;
  store::MailboxId mailbox = 0;
  std::string mailbox_name;
  std::unique_ptr<mailbox::IngestWriter> writer;
  AppendMessage message;  // flags and date as the client gave them
  store::Flags flags;
  std::optional<Error> failed;  // a write failed: the rest of the literal is drained, then NO
  bool complete = false;        // LiteralEnd seen
  // Literal bytes not yet handed to the writer: one pool hop per kAppendBufferBytes, not per
  // network read.
  std::string buffered;
};

inline constexpr size_t kAppendBufferBytes = 256 * 1024;

class Session {
 public:
  struct Shared {
    ImapServices services;
    ImapOptions options;
    std::shared_ptr<auth::SessionCounter> sessions;  // per-account limit, shared by all sessions
  };

  Session(std::shared_ptr<const Shared> shared, net::Connection& conn,
          boost::asio::any_io_executor executor);
  ~Session();

  boost::asio::awaitable<void> run();

  // --- what handlers use ---
  net::Connection& conn() { return conn_; }
  store::Store& store() { return *shared_->services.store; }
  auth::Directory& directory() { return *shared_->services.directory; }
  mailbox::Ingest& ingest() { return *shared_->services.ingest; }
  net::BlockingExecutor& blocking() { return *shared_->services.blocking; }
  net::BlockingExecutor& hashing() { return *shared_->services.hashing; }
  ParsedCache* parsed_cache() { return shared_->services.parsed_cache; }
  net::BlockingExecutor& committing() {
    auto* pool = shared_->services.committing;
    return pool ? *pool : blocking();
  }
  // Passwords may be sent: the connection is encrypted or [auth] allow_plaintext says so.
  bool passwords_allowed() const { return conn_.is_tls() || shared_->options.allow_plaintext; }
  CommandParser& parser() { return parser_; }
  const boost::asio::any_io_executor& executor() const { return executor_; }

  SessionState state() const { return state_; }
  void set_logout() { state_ = SessionState::Logout; }
  void mark_closed() { closed_ = true; }  // the transport is unusable (failed TLS handshake)
  const std::optional<store::Account>& account() const { return account_; }
  std::string capability_list() const;
  void set_client_name(std::string name) { client_name_ = std::move(name); }

  // RFC 9051 / RFC 6855: ENABLE IMAP4rev2 / UTF8=ACCEPT switch names to UTF-8 and drop RECENT.
  bool rev2() const { return rev2_; }
  bool utf8() const { return utf8_; }
  void enable_rev2();
  void enable_utf8();
  void write_mailbox_name(std::string& out, std::string_view name) const;

  // RFC 7162 §3.1: CONDSTORE awareness, switched on by the first CONDSTORE enabling command
  // (ENABLE CONDSTORE, SELECT/EXAMINE (CONDSTORE), STATUS (HIGHESTMODSEQ), FETCH MODSEQ or
  // CHANGEDSINCE, STORE UNCHANGEDSINCE, SEARCH MODSEQ) for the rest of the connection. When a
  // mailbox is selected at that moment its HIGHESTMODSEQ goes out in an untagged OK. Once aware,
  // every FETCH response the session sends for flag changes carries UID and MODSEQ (§3.2.4).
  // RFC 7162 §3.2.3: ENABLE QRESYNC implies CONDSTORE; expunges then go out as VANISHED.
  bool condstore() const { return condstore_; }
  bool qresync() const { return qresync_; }
  void enable_condstore();
  void enable_qresync();
  // Records a MODSEQ sent in a FETCH response (for report_highest_modseq).
  void note_fetch_modseq(store::ModSeq modseq);
  // "* n FETCH (...)" for a flag change (unsolicited, STORE, QRESYNC): UID when `uid` or once
  // CONDSTORE-aware, FLAGS unless `silent`, MODSEQ once CONDSTORE-aware.
  void write_flag_fetch(const mailbox::FlagUpdate& update, bool uid, bool silent = false);

  // Untagged output, sent before the tagged reply (or by send()).
  std::string& out() { return out_; }
  // Writes out() and flushes. out() lets its buffer go unless `keep_buffer` (a command that
  // sends a long reply in batches refills it at once: a fresh buffer costs a page fault per 4 KiB).
  boost::asio::awaitable<Status> send(bool keep_buffer = false);
  // send() from a second coroutine while the session coroutine waits in read_line() (IDLE):
  // reads wait until the write is done, so the two never overlap on the connection.
  boost::asio::awaitable<Status> push();
  // One raw client line (SASL responses, IDLE's DONE); Limit when over max_line_length.
  boost::asio::awaitable<Result<std::string>> read_line();

  // Authenticated: subscribe to change events. Call once after a successful login.
  // False (and still not authenticated) when the account already has its maximum of sessions.
  bool logged_in(store::Account account);

  // The selected mailbox, if any.
  SelectedMailbox* selected() { return selected_ ? &*selected_ : nullptr; }
  void select(SelectedMailbox mailbox);
  void deselect();
  // Pulls the delta of the selected mailbox from the store when something changed (or when
  // `force`); no-op without a selected mailbox.
  boost::asio::awaitable<Status> refresh(bool force = false);
  // Reads the selected view's messages if SELECT has not (MailboxView::load_messages); every
  // command that needs a selected mailbox runs after it. A deleted mailbox ends the session.
  boost::asio::awaitable<Status> load_view();
  // Writes EXISTS / EXPUNGE (VANISHED once QRESYNC is on, RFC 7162 §3.2.10) / FETCH FLAGS /
  // FLAGS the client has not seen into out().
  void write_updates(bool allow_expunge);
  // QRESYNC: after updates went out, tells the client the HIGHESTMODSEQ it may resynchronize
  // from when that moved past what its FETCH responses showed, or, while an expunge is held
  // back, takes it back to the last safe value (a client that tracks FETCH MODSEQs would
  // otherwise skip the expunge). In the tagged OK when it has no code, else untagged.
  void report_highest_modseq(Reply* tagged);
  ChangeNotice& notice() { return *notice_; }

  // APPEND streaming (cmd/append.cc).
  std::optional<AppendInProgress>& append() { return append_; }
  // Writes the tagged reply and logs the one event for the command.
  void finish_command(std::string_view tag, std::string_view command, const Reply& reply,
                      std::chrono::steady_clock::time_point started);

 private:
  boost::asio::awaitable<void> handle(ParseEvent& event);
  boost::asio::awaitable<void> dispatch(Command& command);
  boost::asio::awaitable<bool> read_more();  // false: the connection is gone
  void on_read_error(const Error& error);

  std::shared_ptr<const Shared> shared_;
  net::Connection& conn_;
  boost::asio::any_io_executor executor_;
  CommandParser parser_;
  SessionState state_ = SessionState::NotAuthenticated;
  std::optional<store::Account> account_;
  std::optional<auth::SessionCounter::Lease> session_lease_;
  std::unique_ptr<store::Subscription> subscription_;
  std::shared_ptr<ChangeNotice> notice_;
  std::optional<SelectedMailbox> selected_;
  std::optional<AppendInProgress> append_;
  std::string out_;
  std::string client_name_;  // from ID, for logs
  bool rev2_ = false;
  bool utf8_ = false;
  bool condstore_ = false;
  bool qresync_ = false;
  bool closed_ = false;  // the transport failed: stop without writing
  bool pushing_ = false;
  Signal push_done_;
};

// "\Seen" ... then keywords, as FETCH FLAGS and FLAGS write them.
std::vector<std::string> flag_names(const store::Flags& flags);
// APPEND/STORE flag lists: system flags case-insensitively (\Recent ignored), keywords kept;
// Syntax for an unknown \Flag.
Result<store::Flags> parse_flags(const std::vector<std::string>& names);
// "* STATUS name (ITEM n ...)\r\n" into session.out() (STATUS and LIST-STATUS, RFC 5819).
void write_status(Session& session, const store::MailboxInfo& info,
                  const std::vector<StatusItem>& items);

}  // namespace roost::imap
