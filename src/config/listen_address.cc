#include "config/listen_address.h"

#include <algorithm>
#include <charconv>

namespace roost::config {
namespace {

bool valid_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_' || c == ':' || c == '%';
}

Error syntax(std::string_view value, std::string_view why) {
  return make_error(ErrorKind::Syntax,
                    "bad listen address \"" + std::string(value) + "\": " + std::string(why) +
                        " (expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080)");
}

}  // namespace

bool is_protocol(std::string_view name) {
  return std::find(kProtocols.begin(), kProtocols.end(), name) != kProtocols.end();
}

bool uses_implicit_tls(std::string_view protocol) {
  return protocol == "imaps" || protocol == "pop3s" || protocol == "submissions" ||
         protocol == "https";
}

std::string ListenAddress::host_port() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ListenAddress> parse_listen_address(std::string_view protocol, std::string_view value) {
  if (!is_protocol(protocol)) {
    return make_error(ErrorKind::Syntax, "unknown protocol \"" + std::string(protocol) + "\"");
  }
  std::string_view host;
  std::string_view port_text;
  if (!value.empty() && value.front() == '[') {
    auto close = value.find(']');
    if (close == std::string_view::npos) return syntax(value, "missing ']'");
    host = value.substr(1, close - 1);
    if (close + 1 >= value.size() || value[close + 1] != ':') return syntax(value, "missing port");
    port_text = value.substr(close + 2);
  } else {
    auto colon = value.rfind(':');
    if (colon == std::string_view::npos) return syntax(value, "missing port");
    host = value.substr(0, colon);
    // A bare IPv6 address would be ambiguous: require brackets.
    if (host.find(':') != std::string_view::npos) return syntax(value, "IPv6 needs [brackets]");
    port_text = value.substr(colon + 1);
  }
  if (host.empty()) return syntax(value, "missing host");
  if (!std::all_of(host.begin(), host.end(), valid_host_char)) {
    return syntax(value, "invalid character in host");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return syntax(value, "port must be a number from 1 to 65535");
  }
  return ListenAddress{std::string(protocol), std::string(host), static_cast<uint16_t>(port)};
}

Result<ListenAddress> parse_listen_flag(std::string_view value) {
  auto eq = value.find('=');
  if (eq == std::string_view::npos) {
    return make_error(ErrorKind::Syntax, "--listen \"" + std::string(value) +
                                             "\": expected PROTO=HOST:PORT, e.g. "
                                             "http=127.0.0.1:8080");
  }
  auto protocol = value.substr(0, eq);
  if (!is_protocol(protocol)) {
    std::string known;
    for (auto p : kProtocols) known += (known.empty() ? "" : ", ") + std::string(p);
    return make_error(ErrorKind::Syntax, "--listen \"" + std::string(value) +
                                             "\": unknown protocol \"" + std::string(protocol) +
                                             "\" (known: " + known + ")");
  }
  auto parsed = parse_listen_address(protocol, value.substr(eq + 1));
  if (!parsed) {
    return make_error(ErrorKind::Syntax, "--listen: " + parsed.error().text);
  }
  return parsed;
}

}  // namespace roost::config
