// The CAPABILITY list, computed from the session's state in one place so the greeting,
// CAPABILITY, the LOGIN/AUTHENTICATE OK code and STARTTLS all agree. Only what is implemented
// and tested is listed (STYLE.md convention 9).
#pragma once

#include <cstdint>
#include <string>

namespace roost::imap {

struct CapabilityState {
  bool tls = false;            // the connection is encrypted
  bool passwords_allowed = false;  // TLS is active or [auth] allow_plaintext
  bool tls_available = false;  // STARTTLS may be offered
  bool authenticated = false;
  uint64_t append_limit = 0;  // max message size; 0 = unlimited (no APPENDLIMIT=)
  bool literal_plus = true;   // RFC 7888: LITERAL+, else LITERAL-
};

// Space-separated, e.g. "IMAP4rev2 IMAP4rev1 STARTTLS LOGINDISABLED ...".
std::string capabilities(const CapabilityState& state);

}  // namespace roost::imap
