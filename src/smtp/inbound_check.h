// InboundCheck: the seam for the mail authentication library (src/mailauth: SPF, DKIM, DMARC,
// Authentication-Results; written separately). At the end of DATA/BDAT on the `smtp` and `lmtp`
// ports, before anything is stored, the session calls the check with the envelope and the whole
// message; it returns header fields to prepend (e.g. "Authentication-Results: ...\r\n") and a
// verdict. Quarantine files it under Junk; Reject and TempFail refuse the message with the
// verdict's reply (e.g. 550 5.7.1 for a
// DMARC p=reject failure, 451 4.7.5 for a DNS timeout). Without a check (an empty function)
// every message is accepted with nothing prepended.
// Called on the BlockingExecutor (it may do DNS and reads the whole message): it may block.
// Must be thread-safe.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "smtp/message_spool.h"
#include "smtp/proto/command.h"

namespace roost::smtp {

struct InboundEnvelope {
  std::string client_ip;    // "192.0.2.1" / "::1"
  std::string helo;         // the HELO/EHLO/LHLO argument
  Path mail_from;           // may be the null path
  std::vector<Path> recipients;
  bool tls = false;
  bool authenticated = false;
};

struct InboundVerdict {
  // Quarantine: accepted, but delivered to each recipient's Junk folder (DMARC p=quarantine).
  enum class Action { Accept, Quarantine, Reject, TempFail };
  Action action = Action::Accept;
  std::string headers;  // CRLF-terminated header fields to prepend (may be empty)
  // Byte ranges [first, second) of the received message to leave out when storing it: header
  // fields that claim to be our own verdicts (forged Authentication-Results, RFC 8601 §5).
  std::vector<std::pair<uint64_t, uint64_t>> drop;
  int code = 0;         // Reject / TempFail: the reply
  std::string enhanced;
  std::string text;
};

using InboundCheck =
    std::function<Result<InboundVerdict>(const InboundEnvelope&, const MessageSpool& message)>;

}  // namespace roost::smtp
