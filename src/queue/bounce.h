// Delivery status notifications (RFC 3464, in a multipart/report of RFC 6522): the reports a
// sender gets about its message, in plain words first and then machine-readable:
//   failed     recipients refused for good or given up on (the classic bounce),
//   delayed    recipients still being retried after [queue] delay_warning_seconds,
//   relayed    handed to a server that sends no reports, when NOTIFY=SUCCESS asked (RFC 3461
//              §5.2.2.3),
//   delivered  put into a local mailbox, when NOTIFY=SUCCESS asked.
// Which recipients a report covers (their NOTIFY) is the caller's choice; this builds the text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "queue/queue_store.h"

namespace roost::queue {

enum class ReportKind { Failed, Delayed, Relayed, Delivered };

struct BounceContext {
  std::string reporting_host;  // our host name (Reporting-MTA, MAILER-DAEMON@)
  int64_t now = 0;
  bool expired = false;        // gave up after queue.max_age_seconds
  int64_t max_age_seconds = 0;
  ReportKind kind = ReportKind::Failed;
  bool local = false;          // about delivery into this server's mailboxes
};

// The report of `context.kind` about message.recipients[i] for each i in `which` (original:
// the message's bytes; its header is quoted, or all of it in a failure report when RET=FULL
// asked and it is at most kMaxReturnedMessage). Pure.
std::string build_report(const QueuedMessage& message, std::string_view original,
                         const std::vector<size_t>& which, const BounceContext& context);

// The failure report about every Failed recipient of `message`. Pure.
std::string build_bounce(const QueuedMessage& message, std::string_view original,
                         const BounceContext& context);

// A failure report returns at most this much of the original message whole (RET=FULL).
inline constexpr size_t kMaxReturnedMessage = 10 * 1024 * 1024;

// The RFC 3463 status in a reply text ("550 5.1.1 ..." -> "5.1.1"), else one from the class.
std::string status_code_of(std::string_view reply, bool permanent);

}  // namespace roost::queue
