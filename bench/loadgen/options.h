// The command-line options of each roost-bench scenario (defaults are the sizes) and
// the account-list syntax they share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace roost::bench {

struct CommonOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  bool plain = false;    // no TLS (default: TLS from the first byte)
  std::string sources;   // "127.0.0.2-127.0.0.9" or "a,b,c"; empty: the kernel's choice
  std::string accounts;  // see expand_accounts()
  std::string password;
  double duration = 60;  // seconds of load (the timed part)
  double timeout = 0;    // hard limit for the whole run; 0: duration + 120 s
  unsigned threads = 1;  // io_context threads
  uint64_t seed = 1;
  std::string corpus;  // directory of *.eml files; empty: generated messages

  double hard_limit() const { return timeout > 0 ? timeout : duration + 120; }
};

struct SeedOptions {
  CommonOptions common;
  std::string mailbox = "INBOX";
  std::vector<std::string> create;  // mailboxes to CREATE first (an existing one is fine)
  uint64_t messages = 100;          // per account
  unsigned connections = 8;
};

struct MixedOptions {
  CommonOptions common;
  std::string hot_accounts;  // shared accounts: every client also has a session on one
  unsigned clients = 100;
  bool churn = false;       // LOGOUT and a new TLS connection + LOGIN after every loop
  unsigned idle_every = 5;  // every Nth loop ends with an IDLE spell
  unsigned idle_ms = 1000;
  double think_ms = 0;  // pause between commands
  // > 0: paced at this many commands/s over all sessions (each session starts its commands on
  // a fixed schedule, and latency counts from the scheduled start: a server that falls behind
  // is charged for the wait). 0: every session sends its next command as soon as it can.
  double rate = 0;
  double slow_ms = 0;  // > 0: list every command that took at least this long (when, what)
};

struct IdleFleetOptions {
  CommonOptions common;
  unsigned sessions = 20000;
  unsigned deliver_accounts = 1000;  // the first N accounts get one message each
  unsigned connect_concurrency = 200;
  unsigned delivery_concurrency = 50;
  double push_timeout = 60;
  bool sync_stdin = false;    // after "ready", wait for a line on stdin before delivering
  double settle_seconds = 2;  // without sync_stdin: wait this long before delivering
  uint64_t fd_limit = 0;      // RLIMIT_NOFILE in force (set by main, reported)
};

struct AppendOptions {
  CommonOptions common;
  unsigned clients = 50;
  uint64_t min_size = 10 * 1024;
  uint64_t max_size = 1024 * 1024;
};

struct BigMailboxOptions {
  CommonOptions common;
  std::string mailbox = "INBOX";
  std::string phases = "select,fetch-flags,search-header,search-text,sort-date,qresync";
  std::string header_name = "Message-ID";
  std::string header_value;  // empty: the Message-ID of the middle message
  std::string text_word = "zanzibar";
  unsigned flag_changes = 1000;
  double op_timeout = 900;
};

struct Pop3Options {
  CommonOptions common;
  unsigned pipeline = 1;  // RETR commands in flight (used only when CAPA says PIPELINING)
  bool drain_all_accounts = false;
};

// "user{1..100}", "hot{1..5},alice", "@FILE" (one name per line): the account names, in order.
std::vector<std::string> expand_accounts(const std::string& spec);

}  // namespace roost::bench
