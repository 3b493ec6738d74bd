// Settings: roost.toml → one struct per module, each field carrying its default
// (Dovecot-style). The key table in settings_table.cc drives loading, validation and
// the README reference (`roost config reference`); add a key there and here only.
//
// Loading order: defaults ← TOML file ← command-line overrides ← resolve() (derived
// defaults: hostname, TLS paths, literal size, absolute data_dir).
// Errors: Syntax, naming the file, line and key ("roost.toml:3: [server] threads: ...").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "net/proto/protocol.h"

namespace roost::config {

struct ServerSettings {
  std::string data_dir = "var";  // relative = relative to the working directory
  std::string hostname;          // empty = the system hostname (filled by resolve)
  std::string log_level = "info";
  int64_t threads = 0;  // I/O threads; 0 = one per core
};

struct StoreSettings {
  std::string backend = "sqlite";  // "postgres" is planned (DESIGN.md scale-out)
};

struct TlsSettings {
  std::string cert;  // empty = <data_dir>/tls/cert.pem (self-signed on first run)
  std::string key;   // empty = <data_dir>/tls/key.pem
};

// One list of "host:port" per protocol (net::kAllProtocols); empty list = not started.
struct ListenSettings {
  // The standard ports of the protocols this build offers, on every IPv4 address.
  std::vector<std::string> imap = {"0.0.0.0:143"}, imaps = {"0.0.0.0:993"};
  std::vector<std::string> pop3 = {"0.0.0.0:110"}, pop3s = {"0.0.0.0:995"};
  std::vector<std::string> submission = {"0.0.0.0:587"}, submissions = {"0.0.0.0:465"};
  std::vector<std::string> smtp = {"0.0.0.0:25"};
  std::vector<std::string> lmtp;  // unauthenticated local delivery: only when configured
  std::vector<std::string> http = {"127.0.0.1:8080"};
  std::vector<std::string> https;
};

struct LimitsSettings {
  int64_t max_line_length = 8192;
  int64_t max_literal_size = 0;  // 0 = max_message_size (filled by resolve)
  int64_t max_message_size = 64 * 1024 * 1024;
  int64_t max_connections_per_ip = 50;
  int64_t max_connections = 100000;
  int64_t idle_timeout_seconds = 1800;
  int64_t shutdown_grace_seconds = 10;
  int64_t max_mime_depth = 100;
  int64_t max_sessions_per_account = 100;
};

// IMAP protocol choices (imap::ImapOptions).
struct ImapSettings {
  // RFC 7888: true advertises LITERAL+ (non-synchronizing literals of any size); false advertises
  // LITERAL- (at most 4096 octets; larger ones get BAD [TOOBIG]), as IMAP4rev2 requires.
  bool literal_plus = true;
  int64_t max_nesting = 32;              // parenthesis depth of one command
  int64_t max_sequence_ranges = 10000;   // ranges in all sequence sets of one command
  int64_t max_search_keys = 1000;        // keys in one SEARCH/SORT/THREAD program
  // imap::ParsedCache budget: serialized message structures kept for all sessions; 0 = off.
  int64_t parsed_cache_size = 32 * 1024 * 1024;
};

// Per-account storage quota, enforced by mailbox::Ingest for every new message.
struct QuotaSettings {
  int64_t storage = 0;   // bytes per account; 0 = unlimited
  int64_t messages = 0;  // messages per account; 0 = unlimited
};

// Failed-login throttle per (client IP, account), applied by auth::Directory.
struct AuthSettings {
  int64_t free_failures = 3;           // failures before any delay
  int64_t max_delay_seconds = 300;     // cap of the doubling delay
  int64_t forget_after_seconds = 900;  // quiet time that resets the count
  bool allow_plaintext = false;        // passwords on connections without TLS
  int64_t verified_cache_seconds = 3600;  // auth::VerifiedCache TTL; 0 = off
};

// POP3 on the shared store (mailbox/pop3_maildrop.h; cli::pop3_options maps it).
struct Pop3Settings {
  std::string delete_policy = "auto";  // auto | keep | delete | move; per account overrides
  std::string move_to = "POP3 retrieved";
  bool mark_seen_on_retr = true;
  int64_t retention_days = 0;       // hidden mail is expunged after this; 0 = never
  int64_t login_delay_seconds = 0;  // RFC 2449 LOGIN-DELAY; 0 = none
};

// DNS for SPF, DKIM, DMARC and MX lookups (mailauth::ResolverOptions).
struct DnsSettings {
  std::string resolver = "system";  // system | recursive | "IP[@PORT], ..." forwarders
  int64_t timeout_ms = 5000;
};

// The outbound queue: remote delivery, retries and bounces.
struct QueueSettings {
  int64_t max_age_seconds = 5 * 86400;   // retried this long, then bounced
  int64_t retry_base_seconds = 60;       // first retry; doubles per attempt
  int64_t retry_max_seconds = 3600;      // longest wait between attempts
  int64_t delay_warning_seconds = 4 * 3600;  // "delayed" report after this long; 0 = never
  int64_t connections_per_domain = 4;    // concurrent deliveries to one destination domain
  int64_t remote_port = 25;              // the port of remote MX hosts
};

// SMTP submission, inbound SMTP and LMTP (smtp::SmtpOptions; cli::smtp_options maps it).
struct SmtpSettings {
  std::string hostname;                     // empty = server.hostname (filled by resolve)
  std::vector<std::string> local_domains;   // empty = [server.hostname] (filled by resolve)
  std::vector<std::string> aliases;         // "addr=target", "@dom=@dom", "@dom=target"
  int64_t max_message_size = 0;             // 0 = limits.max_message_size (filled by resolve)
  int64_t max_recipients = 100;
  int64_t messages_per_hour = 200;          // per submitting account; 0 = unlimited
  int64_t max_command_line = 1000;
};

struct Settings {
  ServerSettings server;
  StoreSettings store;
  TlsSettings tls;
  ListenSettings listen;
  LimitsSettings limits;
  ImapSettings imap;
  QuotaSettings quota;
  AuthSettings auth;
  Pop3Settings pop3;
  DnsSettings dns;
  QueueSettings queue;
  SmtpSettings smtp;

  std::string source;  // the file the settings came from; empty = built-in defaults

  // Every configured listener, in net::kAllProtocols order (already validated at load).
  std::vector<net::ListenSpec> listeners() const;
  // No listener at all (before a [listen] table or --listen flags say which run).
  void clear_listeners();
  // The list of one protocol by name (nullptr for an unknown name).
  std::vector<std::string>* listen_list(std::string_view protocol);
  const std::vector<std::string>* listen_list(std::string_view protocol) const;
};

// Command-line overrides (--data-dir, --listen PROTO=HOST:PORT ...).
struct Overrides {
  std::string data_dir;             // empty = keep the configured one
  std::vector<std::string> listen;  // non-empty = exactly these listeners run
};

// Parses TOML text; `source` names it in errors. Unknown keys and bad values fail.
Result<Settings> parse_settings(std::string_view text, std::string_view source);
// Reads and parses a file; a missing file is an error (callers decide about defaults).
Result<Settings> load_settings_file(const std::string& path);
Status apply_overrides(Settings& settings, const Overrides& overrides);
// Fills derived defaults; call once, after apply_overrides.
Status resolve(Settings& settings);

// The whole pipeline: path empty = "roost.toml" in the working dir if present, else defaults.
Result<Settings> load_settings(const std::string& path, const Overrides& overrides);

// The README configuration reference: a Markdown table generated from the key table.
std::string reference_markdown();

// Byte counts as "64 MiB (67108864)"-style text for humans.
std::string human_size(uint64_t bytes);

}  // namespace roost::config
