#include "net/proto/protocol.h"

#include <fmt/format.h>

#include <charconv>

namespace roost::net {

namespace {

struct ProtocolInfo {
  Protocol protocol;
  std::string_view name;
  uint16_t port;
  bool implicit_tls;
};

// RFC 8314 §7.3 and RFC 6409 fix the TLS and submission ports; 8080/8443 are our HTTP defaults.
constexpr ProtocolInfo kProtocols[] = {
    {Protocol::Imap, "imap", 143, false},
    {Protocol::Imaps, "imaps", 993, true},
    {Protocol::Pop3, "pop3", 110, false},
    {Protocol::Pop3s, "pop3s", 995, true},
    {Protocol::Submission, "submission", 587, false},
    {Protocol::Submissions, "submissions", 465, true},
    {Protocol::Smtp, "smtp", 25, false},
    {Protocol::Lmtp, "lmtp", 24, false},
    {Protocol::Http, "http", 8080, false},
    {Protocol::Https, "https", 8443, true},
};

const ProtocolInfo& info(Protocol protocol) {
  for (const auto& p : kProtocols) {
    if (p.protocol == protocol) return p;
  }
  return kProtocols[0];  // unreachable: the table covers the enum
}

}  // namespace

std::string_view to_string(Protocol protocol) { return info(protocol).name; }
uint16_t default_port(Protocol protocol) { return info(protocol).port; }
bool is_implicit_tls(Protocol protocol) { return info(protocol).implicit_tls; }

std::optional<Protocol> parse_protocol(std::string_view name) {
  for (const auto& p : kProtocols) {
    if (p.name == name) return p.protocol;
  }
  return std::nullopt;
}

Result<ListenSpec> parse_listen_spec(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    return make_error(ErrorKind::Syntax,
                      fmt::format("listen spec '{}' must look like imap=127.0.0.1:143", text));
  }
  auto protocol = parse_protocol(text.substr(0, eq));
  if (!protocol) {
    return make_error(ErrorKind::NotFound,
                      fmt::format("unknown protocol '{}' in listen spec", text.substr(0, eq)));
  }
  ListenSpec spec{*protocol, {}, default_port(*protocol), {}};
  std::string_view addr = text.substr(eq + 1);
  if (addr.starts_with("unix:")) {
    std::string_view path = addr.substr(5);
    if (!path.starts_with('/') || path.size() > kMaxUnixSocketPath) {
      return make_error(ErrorKind::Syntax,
                        fmt::format("socket path in '{}' must be absolute and at most {} bytes",
                                    text, kMaxUnixSocketPath));
    }
    spec.path = std::string(path);
    spec.port = 0;
    return spec;
  }
  std::string_view port_text;
  if (addr.starts_with('[')) {
    auto close = addr.find(']');
    if (close == std::string_view::npos) {
      return make_error(ErrorKind::Syntax, fmt::format("missing ']' in listen spec '{}'", text));
    }
    spec.host = std::string(addr.substr(1, close - 1));
    std::string_view rest = addr.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') {
        return make_error(ErrorKind::Syntax, fmt::format("expected ':port' in '{}'", text));
      }
      port_text = rest.substr(1);
      if (port_text.empty()) {
        return make_error(ErrorKind::Syntax, fmt::format("empty port in '{}'", text));
      }
    }
  } else {
    auto colon = addr.rfind(':');
    if (colon != std::string_view::npos && addr.find(':') != colon) {
      return make_error(ErrorKind::Syntax,
                        fmt::format("IPv6 address must be in brackets in '{}'", text));
    }
    spec.host = std::string(addr.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = addr.substr(colon + 1);
      if (port_text.empty()) {
        return make_error(ErrorKind::Syntax, fmt::format("empty port in '{}'", text));
      }
    }
  }
  if (spec.host.empty()) {
    return make_error(ErrorKind::Syntax, fmt::format("missing host in listen spec '{}'", text));
  }
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value > 65535) {
      return make_error(ErrorKind::Syntax, fmt::format("bad port in listen spec '{}'", text));
    }
    spec.port = static_cast<uint16_t>(value);
  }
  return spec;
}

std::string to_string(const ListenSpec& spec) {
  if (!spec.path.empty()) return fmt::format("{}=unix:{}", to_string(spec.protocol), spec.path);
  bool v6 = spec.host.find(':') != std::string::npos;
  return fmt::format("{}={}{}{}:{}", to_string(spec.protocol), v6 ? "[" : "", spec.host,
                     v6 ? "]" : "", spec.port);
}

}  // namespace roost::net
