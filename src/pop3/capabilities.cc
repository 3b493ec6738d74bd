#include "pop3/capabilities.h"

namespace roost::pop3 {

std::string capability_response(const CapabilityState& state) {
  std::string out = "+OK Capability list follows\r\n";
  out += "TOP\r\nUIDL\r\n";                   // RFC 2449 §6.1, §6.8 (RFC 1939 §7)
  out += "RESP-CODES\r\nAUTH-RESP-CODE\r\n";  // RFC 2449 §6.4, RFC 3206 §6
  out += "PIPELINING\r\n";                    // RFC 2449 §6.6
  // RFC 2449 §6.7: mail the client leaves on the server is never expired by the server (only
  // what a client DELE'd under the `keep` policy is, after [pop3] retention_days).
  out += "EXPIRE NEVER\r\n";
  if (state.login_delay_seconds > 0) {  // RFC 2449 §6.5
    out += "LOGIN-DELAY " + std::to_string(state.login_delay_seconds) + "\r\n";
  }
  if (state.authorization) {
    if (state.passwords_allowed) {
      out += "USER\r\n";  // RFC 2449 §6.2
      // RFC 2449 §6.3, RFC 5034; never SCRAM-SHA-256-PLUS: no channel binding (auth/scram.h).
      out += "SASL PLAIN LOGIN SCRAM-SHA-256\r\n";
    }
    if (state.stls_available) out += "STLS\r\n";  // RFC 2595 §4
  }
  out += "UTF8\r\n";  // RFC 6856 §2 (no "USER" argument: account names are ASCII)
  out += "IMPLEMENTATION Roost\r\n";
  out += ".\r\n";
  return out;
}

}  // namespace roost::pop3
