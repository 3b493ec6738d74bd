#include "config/settings_table.h"

#include <fmt/format.h>

#include <cctype>
#include <climits>

namespace roost::config {
namespace {

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * kKiB;
constexpr int64_t kGiB = 1024 * kMiB;

std::optional<std::string> check_hostname(const std::string& name) {
  if (name.size() > 253) return "must be at most 253 characters";
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') {
      return "may contain only letters, digits, '.' and '-'";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_backend(const std::string& name) {
  // Planned in DESIGN.md "scale-out"; say so rather than "unknown value".
  if (name == "postgres") return "\"postgres\" is not available yet; use \"sqlite\"";
  return std::nullopt;
}

std::optional<std::string> check_not_empty(const std::string& value) {
  if (value.empty()) return "must not be empty";
  return std::nullopt;
}

Key integer(std::string_view table, std::string_view name, int64_t min, int64_t max,
            std::function<int64_t&(Settings&)> field, std::string doc) {
  Key k;
  k.table = table;
  k.name = name;
  k.type = KeyType::Integer;
  k.doc = std::move(doc);
  k.number = std::move(field);
  k.min = min;
  k.max = max;
  return k;
}

Key size(std::string_view table, std::string_view name, int64_t min, int64_t max,
         std::function<int64_t&(Settings&)> field, std::string doc) {
  Key k = integer(table, name, min, max, std::move(field), std::move(doc));
  k.type = KeyType::Size;
  return k;
}

Key text(std::string_view table, std::string_view name,
         std::function<std::string&(Settings&)> field, std::string doc) {
  Key k;
  k.table = table;
  k.name = name;
  k.doc = std::move(doc);
  k.text = std::move(field);
  return k;
}

Key choice(std::string_view table, std::string_view name, std::vector<std::string_view> choices,
           std::function<std::string&(Settings&)> field, std::string doc) {
  Key k = text(table, name, std::move(field), std::move(doc));
  k.type = KeyType::Choice;
  k.choices = std::move(choices);
  return k;
}

Key boolean(std::string_view table, std::string_view name, std::function<bool&(Settings&)> field,
            std::string doc) {
  Key k;
  k.table = table;
  k.name = name;
  k.type = KeyType::Boolean;
  k.doc = std::move(doc);
  k.flag = std::move(field);
  return k;
}

// A mailbox name the POP3 `move` policy can create: not INBOX (the message would come back to
// the maildrop), no empty hierarchy level.
std::optional<std::string> check_move_target(const std::string& name) {
  if (name.empty()) return "must not be empty";
  std::string first = name.substr(0, name.find('/'));
  for (char& c : first) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (first == "inbox") return "must not be INBOX or below it";
  if (name.front() == '/' || name.back() == '/' || name.find("//") != std::string::npos) {
    return "must not start or end with '/' or contain \"//\"";
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return "must not contain control characters";
  }
  return std::nullopt;
}

Key text_list(std::string_view table, std::string_view name,
              std::function<std::vector<std::string>&(Settings&)> field, std::string doc) {
  Key k;
  k.table = table;
  k.name = name;
  k.type = KeyType::TextList;
  k.doc = std::move(doc);
  k.list = std::move(field);
  return k;
}

std::optional<std::string> check_domain_name(const std::string& name) {
  if (name.empty()) return "must not be empty";
  if (name.front() == '.' || name.back() == '.' || name.find("..") != std::string::npos) {
    return "is not a domain name";
  }
  return check_hostname(name);
}

// "address=target", "@domain=@domain" or "@domain=target" (smtp/recipient_resolver.h checks
// the addresses themselves at start-up).
std::optional<std::string> check_alias(const std::string& entry) {
  size_t eq = entry.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size()) {
    return "\"" + entry + "\" must look like \"address=target\"";
  }
  if (entry.find('@') > eq) return "\"" + entry + "\": the left side needs an @";
  return std::nullopt;
}

std::vector<Key> build_keys() {
  std::vector<Key> keys;
  auto add = [&keys](Key k, std::string default_text = {}) {
    k.default_text = std::move(default_text);
    keys.push_back(std::move(k));
  };

  add(text(
      "server", "data_dir", [](Settings& s) -> std::string& { return s.server.data_dir; },
      "Directory holding the index, the message blobs and the TLS files. A relative path "
      "is relative to the working directory. `--data-dir` overrides it."));
  keys.back().check = check_not_empty;
  add(text(
          "server", "hostname", [](Settings& s) -> std::string& { return s.server.hostname; },
          "Name the server gives itself in greetings and generated certificates."),
      "system hostname");
  keys.back().check = check_hostname;
  add(choice(
      "server", "log_level", {"debug", "info", "warn", "error"},
      [](Settings& s) -> std::string& { return s.server.log_level; },
      "Lowest level of events written to stderr."));
  add(integer(
      "server", "threads", 0, 1024, [](Settings& s) -> int64_t& { return s.server.threads; },
      "I/O threads; 0 means one per CPU core."));

  add(choice(
      "store", "backend", {"sqlite"}, [](Settings& s) -> std::string& { return s.store.backend; },
      "Storage backend. Only the embedded `sqlite` store exists; `postgres` is planned."));
  keys.back().check = check_backend;

  add(text(
          "tls", "cert", [](Settings& s) -> std::string& { return s.tls.cert; },
          "PEM certificate chain. When it or the key is missing, a self-signed pair is created."),
      "`<data_dir>/tls/cert.pem`");
  add(text(
          "tls", "key", [](Settings& s) -> std::string& { return s.tls.key; },
          "PEM private key for `tls.cert`. `SIGHUP` reloads both files."),
      "`<data_dir>/tls/key.pem`");

  for (net::Protocol protocol : net::kAllProtocols) {
    std::string_view proto = net::to_string(protocol);
    Key k;
    k.table = "listen";
    k.name = proto;
    k.type = KeyType::AddressList;
    k.doc = fmt::format(
        "Addresses (`\"host:port\"`, IPv6 as `\"[::1]:port\"`; without a port, the standard one; "
        "`\"unix:/path\"` for a Unix domain socket, mode 0666, replaced if stale and removed at "
        "exit) for {}{}. Empty: not started. A `[listen]` table in the file replaces the defaults "
        "whole (protocols it leaves out are not started), and any `--listen` flag replaces "
        "the `[listen]` table.",
        proto, net::is_implicit_tls(protocol) ? " (TLS from the first byte)" : "");
    k.list = [proto](Settings& s) -> std::vector<std::string>& { return *s.listen_list(proto); };
    keys.push_back(std::move(k));
  }

  add(size(
      "limits", "max_line_length", 512, 16 * kMiB,
      [](Settings& s) -> int64_t& { return s.limits.max_line_length; },
      "Longest command line accepted from a client, in bytes."));
  add(size(
          "limits", "max_literal_size", 0, 4 * kGiB,
          [](Settings& s) -> int64_t& { return s.limits.max_literal_size; },
          "Largest IMAP literal accepted; 0 means the same as `limits.max_message_size`."),
      "= `max_message_size`");
  add(size(
      "limits", "max_message_size", 1 * kKiB, 4 * kGiB,
      [](Settings& s) -> int64_t& { return s.limits.max_message_size; },
      "Largest message accepted by APPEND, SMTP/LMTP and import, in bytes."));
  add(integer(
      "limits", "max_connections_per_ip", 1, 1000000,
      [](Settings& s) -> int64_t& { return s.limits.max_connections_per_ip; },
      "Concurrent connections allowed from one client IP address."));
  add(integer(
      "limits", "max_connections", 1, 10000000,
      [](Settings& s) -> int64_t& { return s.limits.max_connections; },
      "Concurrent connections allowed in total."));
  add(integer(
      "limits", "idle_timeout_seconds", 10, 86400,
      [](Settings& s) -> int64_t& { return s.limits.idle_timeout_seconds; },
      "A connection silent this long is closed (RFC 9051 §5.4 asks for at least 30 "
      "minutes for IMAP)."));
  add(integer(
      "limits", "shutdown_grace_seconds", 0, 3600,
      [](Settings& s) -> int64_t& { return s.limits.shutdown_grace_seconds; },
      "On SIGTERM, how long in-flight commands may run before connections are closed."));
  add(integer(
      "limits", "max_sessions_per_account", 0, 1000000,
      [](Settings& s) -> int64_t& { return s.limits.max_sessions_per_account; },
      "Logged-in sessions one account may have open at once; 0 means unlimited. One more "
      "login is refused with a clear error."));
  add(integer(
      "limits", "max_mime_depth", 1, 10000,
      [](Settings& s) -> int64_t& { return s.limits.max_mime_depth; },
      "Deepest MIME nesting parsed; deeper parts are treated as opaque."));

  add(boolean(
      "imap", "literal_plus", [](Settings& s) -> bool& { return s.imap.literal_plus; },
      "Advertise LITERAL+ and accept non-synchronizing literals of any size (RFC 7888). `false` "
      "advertises LITERAL- instead, as IMAP4rev2 asks: a non-synchronizing literal over 4096 "
      "octets is read past and its command answered `BAD [TOOBIG]`."));
  add(integer(
      "imap", "max_nesting", 1, 1000, [](Settings& s) -> int64_t& { return s.imap.max_nesting; },
      "Deepest parenthesis nesting in one command (SEARCH programs, FETCH lists); deeper commands "
      "get `BAD` and the session goes on."));
  add(integer(
      "imap", "max_sequence_ranges", 1, 1000000,
      [](Settings& s) -> int64_t& { return s.imap.max_sequence_ranges; },
      "Most ranges (`1:5,7,9:*` is three) in all sequence sets of one command; more get `BAD`."));
  add(integer(
      "imap", "max_search_keys", 1, 100000,
      [](Settings& s) -> int64_t& { return s.imap.max_search_keys; },
      "Most search keys in one SEARCH, SORT or THREAD program; more get `BAD`."));
  add(size(
      "imap", "parsed_cache_size", 0, 64 * kGiB,
      [](Settings& s) -> int64_t& { return s.imap.parsed_cache_size; },
      "Memory for the decoded structure of recently read messages, shared by all IMAP sessions "
      "(SEARCH, SORT, FETCH ENVELOPE and BODYSTRUCTURE of a mailbox read again skip the index "
      "lookup and the decoding); counted as serialized bytes, so the process holds about twice "
      "this. 0 turns the cache off."));

  add(size(
      "quota", "storage", 0, 1024 * kGiB * 1024,
      [](Settings& s) -> int64_t& { return s.quota.storage; },
      "Storage each account may use (sum of its message sizes); 0 means unlimited. A message "
      "that would exceed it is refused with an over-quota error."));
  add(integer(
      "quota", "messages", 0, 1000000000, [](Settings& s) -> int64_t& { return s.quota.messages; },
      "Messages each account may hold; 0 means unlimited."));

  add(integer(
      "auth", "free_failures", 0, 1000,
      [](Settings& s) -> int64_t& { return s.auth.free_failures; },
      "Failed logins per (client IP, account) before each further attempt is delayed."));
  add(integer(
      "auth", "max_delay_seconds", 1, 86400,
      [](Settings& s) -> int64_t& { return s.auth.max_delay_seconds; },
      "The delay doubles with each further failure up to this many seconds."));
  add(integer(
      "auth", "forget_after_seconds", 1, 7 * 86400,
      [](Settings& s) -> int64_t& { return s.auth.forget_after_seconds; },
      "Failures are forgotten after this long without a new one."));
  add(integer(
      "auth", "verified_cache_seconds", 0, 86400,
      [](Settings& s) -> int64_t& { return s.auth.verified_cache_seconds; },
      "A password that verified is remembered this long (as an HMAC under a key that lives only "
      "in the server's memory), so clients that log in again and again skip the deliberately "
      "slow password hash; a password change ends it at once. 0 verifies every login."));
  add(boolean(
      "auth", "allow_plaintext", [](Settings& s) -> bool& { return s.auth.allow_plaintext; },
      "Allow USER/PASS, LOGIN and AUTH on connections without TLS (passwords then cross the "
      "network in clear text)."));

  add(choice(
      "pop3", "delete_policy", {"auto", "keep", "delete", "move"},
      [](Settings& s) -> std::string& { return s.pop3.delete_policy; },
      "What POP3 DELE does: `delete` expunges the message (IMAP sessions see it go at once), "
      "`keep` hides it from later POP3 logins and leaves it to IMAP, `move` moves it to "
      "`pop3.move_to`; `auto` is `keep` for accounts that have ever logged in over IMAP, else "
      "`delete`. `roost account pop3-policy` overrides it per account."));
  add(text(
      "pop3", "move_to", [](Settings& s) -> std::string& { return s.pop3.move_to; },
      "Mailbox that DELE moves messages to under policy `move`; created when missing. Not "
      "INBOX."));
  keys.back().check = check_move_target;
  add(boolean(
      "pop3", "mark_seen_on_retr", [](Settings& s) -> bool& { return s.pop3.mark_seen_on_retr; },
      "RETR sets `\\Seen` on the message, so IMAP clients show it as read."));
  add(integer(
      "pop3", "retention_days", 0, 36500,
      [](Settings& s) -> int64_t& { return s.pop3.retention_days; },
      "Messages POP3 has hidden (policy `keep`) are expunged from INBOX this many days later, at "
      "the account's next POP3 login; 0 keeps them."));
  add(integer(
      "pop3", "login_delay_seconds", 0, 86400,
      [](Settings& s) -> int64_t& { return s.pop3.login_delay_seconds; },
      "Shortest time between two POP3 logins of one account, announced as LOGIN-DELAY "
      "(RFC 2449); 0 means none."));

  add(text(
      "dns", "resolver", [](Settings& s) -> std::string& { return s.dns.resolver; },
      "Where DNS questions (SPF, DKIM keys, DMARC policies, MX hosts) go: `system` (the servers "
      "in /etc/resolv.conf), `recursive` (Roost resolves from the root servers itself), or "
      "forwarders as `\"IP\"` or `\"IP@PORT\"`, separated by commas."));
  keys.back().check = check_not_empty;
  add(integer(
      "dns", "timeout_ms", 100, 60000, [](Settings& s) -> int64_t& { return s.dns.timeout_ms; },
      "How long one DNS lookup may take before it counts as a temporary failure."));

  add(integer(
      "queue", "max_age_seconds", 1, 30 * 86400,
      [](Settings& s) -> int64_t& { return s.queue.max_age_seconds; },
      "How long mail that cannot be delivered yet is retried before it is returned to the "
      "sender with a delivery status notification (default 5 days)."));
  add(integer(
      "queue", "retry_base_seconds", 1, 86400,
      [](Settings& s) -> int64_t& { return s.queue.retry_base_seconds; },
      "Wait before the first retry of a temporarily failed delivery; it doubles with each "
      "attempt up to `queue.retry_max_seconds`."));
  add(integer(
      "queue", "retry_max_seconds", 1, 86400,
      [](Settings& s) -> int64_t& { return s.queue.retry_max_seconds; },
      "Longest wait between two delivery attempts."));
  add(integer(
      "queue", "delay_warning_seconds", 0, 30 * 86400,
      [](Settings& s) -> int64_t& { return s.queue.delay_warning_seconds; },
      "After this long without delivery the sender gets one \"delayed\" report (RFC 3464; "
      "only for recipients whose DSN request allows it); 0 means never."));
  add(integer(
      "queue", "connections_per_domain", 1, 100,
      [](Settings& s) -> int64_t& { return s.queue.connections_per_domain; },
      "Concurrent outgoing SMTP connections to one destination domain."));
  add(integer(
      "queue", "remote_port", 1, 65535, [](Settings& s) -> int64_t& { return s.queue.remote_port; },
      "TCP port of remote mail exchangers. Always 25 on the Internet; tests point it elsewhere."));

  add(text(
          "smtp", "hostname", [](Settings& s) -> std::string& { return s.smtp.hostname; },
          "Name in the SMTP/LMTP greeting, `Received:` fields and generated Message-IDs."),
      "= `server.hostname`");
  keys.back().check = check_hostname;
  add(text_list(
          "smtp", "local_domains", [](Settings& s) -> std::vector<std::string>& {
            return s.smtp.local_domains;
          },
          "Domains whose mail is delivered to local accounts: `user@domain` reaches the account "
          "`user@domain`, else the account `user`; `user+tag@domain` reaches `user` (into its "
          "folder `tag` when it has one, else INBOX). Mail for other domains is accepted only from "
          "authenticated accounts on the submission ports, and queued for remote delivery; "
          "elsewhere it is refused (no relaying)."),
      "`[server.hostname]`");
  keys.back().check = check_domain_name;
  add(text_list(
      "smtp", "aliases",
      [](Settings& s) -> std::vector<std::string>& { return s.smtp.aliases; },
      "Extra addresses: `\"sales@example.org=alice\"` (address alias to an account or another "
      "address; the account may also send as it), `\"@example.net=@example.org\"` (domain "
      "alias), `\"@example.org=postmaster@example.org\"` (catch-all for unknown local parts)."));
  keys.back().check = check_alias;
  add(size(
          "smtp", "max_message_size", 0, 4 * kGiB,
          [](Settings& s) -> int64_t& { return s.smtp.max_message_size; },
          "Largest message accepted over SMTP/LMTP (advertised as SIZE); 0 or more than "
          "`limits.max_message_size` means `limits.max_message_size`."),
      "= `limits.max_message_size`");
  add(integer(
      "smtp", "max_recipients", 1, 100000,
      [](Settings& s) -> int64_t& { return s.smtp.max_recipients; },
      "Recipients per message; more get `452 4.5.3`."));
  add(integer(
      "smtp", "messages_per_hour", 0, 10000000,
      [](Settings& s) -> int64_t& { return s.smtp.messages_per_hour; },
      "Messages one account may submit per sliding hour (submission ports); more get `450 "
      "4.7.0`. 0 means unlimited."));
  add(integer(
      "smtp", "max_command_line", 512, 65536,
      [](Settings& s) -> int64_t& { return s.smtp.max_command_line; },
      "Longest SMTP/LMTP command line, CRLF included (RFC 5321 allows 512 plus what extensions "
      "add); longer ones get `500 5.5.2`."));
  return keys;
}

std::string type_name(const Key& key) {
  switch (key.type) {
    case KeyType::Text:
      return "string";
    case KeyType::Choice: {
      std::string out;
      for (auto c : key.choices) out += (out.empty() ? "`" : " \\| `") + std::string(c) + "`";
      return out;
    }
    case KeyType::Integer:
      return fmt::format("integer {}–{}", key.min, key.max);
    case KeyType::Size:
      return fmt::format("size {}–{}", human_size(key.min), human_size(key.max));
    case KeyType::AddressList:
      return "array of strings";
    case KeyType::Boolean:
      return "boolean";
    case KeyType::TextList:
      return "array of strings";
  }
  return "?";
}

std::string default_of(const Key& key) {
  if (!key.default_text.empty()) return key.default_text;
  Settings defaults;
  switch (key.type) {
    case KeyType::Text:
    case KeyType::Choice:
      return "`\"" + key.text(defaults) + "\"`";
    case KeyType::Integer:
      return "`" + std::to_string(key.number(defaults)) + "`";
    case KeyType::Size:
      return "`\"" + human_size(key.number(defaults)) + "\"`";
    case KeyType::TextList:
    case KeyType::AddressList: {
      std::string out;
      for (const auto& a : key.list(defaults)) out += (out.empty() ? "" : ", ") + ("\"" + a + "\"");
      return "`[" + out + "]`";
    }
    case KeyType::Boolean:
      return key.flag(defaults) ? "`true`" : "`false`";
  }
  return "";
}

}  // namespace

const std::vector<Key>& settings_keys() {
  static const std::vector<Key> keys = build_keys();
  return keys;
}

std::optional<int64_t> parse_size(std::string_view text) {
  size_t i = 0;
  int64_t value = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  size_t digits = i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (value > (INT64_MAX - 9) / 10) return std::nullopt;
    value = value * 10 + (text[i] - '0');
    ++i;
  }
  if (i == digits) return std::nullopt;
  while (i < text.size() && text[i] == ' ') ++i;
  std::string unit;
  for (; i < text.size(); ++i) unit += static_cast<char>(std::tolower(text[i]));
  while (!unit.empty() && unit.back() == ' ') unit.pop_back();
  int64_t scale = 0;
  if (unit.empty() || unit == "b")
    scale = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib")
    scale = kKiB;
  else if (unit == "m" || unit == "mb" || unit == "mib")
    scale = kMiB;
  else if (unit == "g" || unit == "gb" || unit == "gib")
    scale = kGiB;
  else
    return std::nullopt;
  if (value > INT64_MAX / scale) return std::nullopt;
  return value * scale;
}

std::string human_size(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  // Exact multiples print as integers ("64 MiB"), others with one decimal ("1.5 KiB").
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  if (value == static_cast<double>(static_cast<uint64_t>(value))) {
    return fmt::format("{} {}", static_cast<uint64_t>(value), kUnits[unit]);
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string reference_markdown() {
  std::string out =
      "| Key | Type | Default | Description |\n"
      "|-----|------|---------|-------------|\n";
  for (const Key& key : settings_keys()) {
    out += fmt::format("| `{}` | {} | {} | {} |\n", key.full_name(), type_name(key),
                       default_of(key), key.doc);
  }
  return out;
}

}  // namespace roost::config
