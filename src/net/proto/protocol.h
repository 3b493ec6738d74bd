// Protocols Roost can listen for, and "name=host:port" listen specs from the config/CLI.
// Pure values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace roost::net {

enum class Protocol { Imap, Imaps, Pop3, Pop3s, Submission, Submissions, Smtp, Lmtp, Http, Https };

inline constexpr Protocol kAllProtocols[] = {
    Protocol::Imap,        Protocol::Imaps, Protocol::Pop3, Protocol::Pop3s, Protocol::Submission,
    Protocol::Submissions, Protocol::Smtp,  Protocol::Lmtp, Protocol::Http,  Protocol::Https};

// "imap", "imaps", "pop3", "pop3s", "submission", "submissions", "smtp", "lmtp", "http", "https".
std::string_view to_string(Protocol protocol);
// Case-sensitive inverse of to_string; nullopt for an unknown name.
std::optional<Protocol> parse_protocol(std::string_view name);
// 143, 993, 110, 995, 587, 465, 25, 24, 8080, 8443.
uint16_t default_port(Protocol protocol);
// True when TLS starts before the first protocol byte (RFC 8314 §3): imaps, pop3s, submissions,
// https.
bool is_implicit_tls(Protocol protocol);

struct ListenSpec {
  Protocol protocol = Protocol::Imap;
  std::string host;   // literal address without brackets ("127.0.0.1", "::1", "0.0.0.0", "::")
  uint16_t port = 0;  // 0 = let the kernel pick (tests)
  std::string path;   // non-empty: a Unix domain socket at this absolute path (host/port unused)
};

// The longest Unix socket path (sun_path holds 108 bytes with the terminating NUL).
inline constexpr size_t kMaxUnixSocketPath = 107;

// "imap=127.0.0.1:1143", "imaps=[::1]:993", "http=0.0.0.0" (port defaults to default_port),
// "lmtp=unix:/run/roost/lmtp" (a Unix domain socket).
// Errors: Syntax (malformed, bad port, relative or too long socket path), NotFound (unknown
// protocol name).
Result<ListenSpec> parse_listen_spec(std::string_view text);
// Inverse of parse_listen_spec ("imap=[::1]:143", "lmtp=unix:/run/roost/lmtp").
std::string to_string(const ListenSpec& spec);

}  // namespace roost::net
