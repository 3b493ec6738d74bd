// OutboundQueue: where submission hands mail for other domains to the durable outbound queue
// (smtp/remote_delivery.h: DKIM signing, then queue::OutboundQueue with MX resolution, retries
// and DSN bounces). Without one (SmtpServices::outbound null, as in unit tests) RCPT to a
// non-local domain is refused with "553 5.3.0 ... remote delivery is not available".
// Contract for an implementation: enqueue() returns ok only when the message is durable in the
// queue (RFC 5321 §6.1: the 250 after DATA transfers responsibility); it blocks (disk), so the
// session calls it on the BlockingExecutor. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "smtp/message_spool.h"
#include "smtp/proto/command.h"
#include "store/types.h"

namespace roost::smtp {

struct OutboundRecipient {
  Path address;
  RcptParams dsn;  // NOTIFY / ORCPT (RFC 3461)
};

struct OutboundMessage {
  store::AccountId account = 0;  // the authenticated submitter
  Path reverse_path;             // MAIL FROM (bounces go here)
  MailParams params;             // BODY, SMTPUTF8, RET, ENVID
  std::vector<OutboundRecipient> recipients;
  std::string prefix;            // header fields to put before the message (Received:, ...)
  const MessageSpool* body = nullptr;  // the message as received, valid during enqueue()
};

// What became of a recipient delivered here (for reports about local delivery).
struct LocalOutcome {
  OutboundRecipient recipient;
  bool delivered = false;
  std::string text;  // the reason, in plain words, when not delivered
};

class OutboundQueue {
 public:
  virtual ~OutboundQueue() = default;
  virtual Status enqueue(const OutboundMessage& message) = 0;
  // Sends the sender of `message` the reports its DSN request asks for about local deliveries
  // (RFC 3461 §5.2.2: "delivered" for NOTIFY=SUCCESS; "failed" unless NOTIFY excludes it), into
  // its INBOX when it is a local account, else through the queue. Blocking, thread-safe.
  virtual Status report(const OutboundMessage& message, const std::vector<LocalOutcome>& outcomes) = 0;
};

}  // namespace roost::smtp
