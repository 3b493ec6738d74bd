// Transaction bodies of every Store mutation; each runs in the writer thread inside
// a group-commit batch (write_queue.h). `now` comes from the store's clock.
#pragma once

#include <string_view>
#include <vector>

#include "store/sqlite/write_queue.h"
#include "store/types.h"

namespace roost::store::sqlite {

// account_writes.cc
Status create_account(WriteTxn& txn, std::string_view name, std::string_view password_hash,
                      int64_t now, Account& out);
Status set_password_hash(WriteTxn& txn, AccountId id, std::string_view password_hash);
Status set_scram_credentials(WriteTxn& txn, AccountId id, std::string_view credentials);
Status delete_account(WriteTxn& txn, AccountId id);
Status create_mailbox(WriteTxn& txn, AccountId account, std::string_view name, SpecialUse role,
                      bool subscribed, int64_t now, MailboxInfo& out);
Status delete_mailbox(WriteTxn& txn, MailboxId id);
Status rename_mailbox(WriteTxn& txn, MailboxId id, std::string_view new_name, int64_t now);
Status set_subscribed(WriteTxn& txn, MailboxId id, bool subscribed);
Status set_role(WriteTxn& txn, MailboxId id, SpecialUse role);

// message_writes.cc
// inline_bytes[i]: the bytes of messages[i]'s blob when it is a small blob to keep in the index
// (FileBlobStore::staged), else null (or missing).
Status append(WriteTxn& txn, MailboxId mailbox, std::vector<NewMessage>& messages,
              const std::vector<std::shared_ptr<const std::string>>& inline_bytes, int64_t now,
              AppendResult& out);
Status store_flags(WriteTxn& txn, MailboxId mailbox, const UidSet& uids, const FlagUpdate& update,
                   StoreFlagsResult& out);
Status copy(WriteTxn& txn, MailboxId from, const UidSet& uids, MailboxId to, bool move, int64_t now,
            CopyResult& out);
Status expunge(WriteTxn& txn, MailboxId mailbox, const UidSet& uids, ExpungeResult& out);
// Drops one reference per message of the mailbox; the caller deletes the rows.
Status release_mailbox_blobs(WriteTxn& txn, MailboxId mailbox);

}  // namespace roost::store::sqlite
