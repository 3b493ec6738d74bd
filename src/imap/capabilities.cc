#include "imap/capabilities.h"

namespace roost::imap {

std::string capabilities(const CapabilityState& state) {
  std::string out = "IMAP4rev2 IMAP4rev1";
  if (!state.authenticated) {
    if (!state.tls && state.tls_available) out += " STARTTLS";
    // RFC 9051 §6.2.3 / §11.1: no cleartext passwords; AUTH= only once the channel is private
    // (or the administrator allowed passwords without TLS).
    if (state.passwords_allowed) {
      out += " AUTH=PLAIN AUTH=LOGIN AUTH=SCRAM-SHA-256";  // never -PLUS: no channel binding
    } else {
      out += " LOGINDISABLED";
    }
  }
  out += " SASL-IR ID ENABLE IDLE";
  out += state.literal_plus ? " LITERAL+" : " LITERAL-";  // RFC 7888 §3 / §4
  out +=
      " NAMESPACE UNSELECT CHILDREN LIST-EXTENDED LIST-STATUS"
      " SPECIAL-USE CREATE-SPECIAL-USE STATUS=SIZE UTF8=ACCEPT";
  if (state.append_limit > 0) out += " APPENDLIMIT=" + std::to_string(state.append_limit);
  // RFC 4978 §6: COMPRESS is a command of the authenticated state (cmd/compress.cc).
  if (state.authenticated) out += " COMPRESS=DEFLATE";
  out += " UIDPLUS MOVE MULTIAPPEND";  // RFC 4315, RFC 6851, RFC 3502
  // RFC 3516, 4731, 5032, 5256, 5957, 8970, 8514 (cmd/fetch.cc, cmd/search.cc).
  out +=
      " BINARY ESEARCH WITHIN SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES"
      " PREVIEW SAVEDATE SEARCHRES OBJECTID";
  out += " CONDSTORE QRESYNC";  // RFC 7162
  return out;
}

}  // namespace roost::imap
