// expunge(): THE one path by which messages leave a mailbox (STYLE.md convention 3):
// IMAP EXPUNGE/UID EXPUNGE and MOVE's source side, later POP3 DELE (by policy) and
// retention. Policies plug in here, not in the protocols.
//
// Contract: blocks like Store (call from a store worker thread); atomic and durable
// when it returns ok; UIDs that do not exist are ignored. Errors: NotFound (mailbox)
// and whatever Store returns. Emits one "message.expunge" event per call naming
// the UIDs removed, for the message trace.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/store.h"

namespace roost::mailbox {

// `source` names who removed them ("imap", "pop3", "retention", "cli"), logged as is.
Result<store::ExpungeResult> expunge(store::Store& store, store::MailboxId mailbox,
                                     const store::UidSet& uids, std::string_view source);

// MOVE (RFC 6851): the messages leave `from` and arrive in `to` in one transaction. Emits one
// "message.move" event naming the source UIDs and their new UIDs, for the message trace.
Result<store::CopyResult> move(store::Store& store, store::MailboxId from,
                               const store::UidSet& uids, store::MailboxId to,
                               std::string_view source);

// "1:3,7" for logs; "" for an empty list.
std::string format_uids(const std::vector<store::Uid>& uids);

}  // namespace roost::mailbox
