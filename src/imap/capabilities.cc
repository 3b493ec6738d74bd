#include "imap/capabilities.h"

namespace roost::imap {

std::string capabilities(const CapabilityState& state) {
  std::string out = "IMAP4rev2 IMAP4rev1";
  if (!state.authenticated) {
    if (!state.tls && state.tls_available) out += " STARTTLS";
    // RFC 9051 §6.2.3 / §11.1: no cleartext passwords; AUTH= only once the channel is private.
    if (state.tls) {
      out += " AUTH=PLAIN AUTH=LOGIN";
    } else {
      out += " LOGINDISABLED";
    }
  }
  out += " SASL-IR ID ENABLE IDLE LITERAL+ NAMESPACE UNSELECT CHILDREN LIST-EXTENDED LIST-STATUS"
         " SPECIAL-USE CREATE-SPECIAL-USE STATUS=SIZE UTF8=ACCEPT";
  if (state.append_limit > 0) out += " APPENDLIMIT=" + std::to_string(state.append_limit);
  return out;
}

}  // namespace roost::imap
