// The CAPA list (RFC 2449 §5) for the session's state: what Roost offers and when. Nothing is
// listed before docs/rfc.md says it is done and a test covers it (STYLE.md convention 9).
#pragma once

#include <cstdint>
#include <string>

namespace roost::pop3 {

struct CapabilityState {
  bool authorization = true;  // AUTHORIZATION state (USER, SASL and STLS are listed only there)
  bool passwords_allowed = false;  // TLS is active or [auth] allow_plaintext
  bool stls_available = false;     // no TLS yet, and the listener can start it
  int64_t login_delay_seconds = 0;
};

// "+OK ...\r\n" then one capability per line, then ".\r\n".
std::string capability_response(const CapabilityState& state);

}  // namespace roost::pop3
