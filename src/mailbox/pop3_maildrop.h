// POP3 on the shared store (RFC 1939 §8 maildrop; DESIGN.md "mailbox/": POP3 delete policy).
// The POP3 session never decides what a DELE does to the store: it asks this module.
//
// - load(): the maildrop is the account's INBOX at login, minus the messages the account's
//   POP3 has already hidden (policy `keep`), ascending UID. Each message has a UIDL that is
//   stable for the life of the message, unique within the maildrop, and survives restarts and
//   IMAP moves out of INBOX and back: it is derived from the message bytes (the blob id), not
//   from (UIDVALIDITY, UID); a second copy of identical bytes in INBOX gets a suffix ("-2").
//   Hidden marks name the bytes too, so copies of identical bytes are hidden together. Sizes
//   are computed once per blob and cached in the store (Store::crlf_sizes).
// - commit(): the UPDATE state (RFC 1939 §6). What happens to the DELE'd messages is the
//   account's policy: `delete` expunges them (through mailbox::expunge, so IMAP sessions see
//   EXPUNGE at once), `keep` hides them from later POP3 logins and leaves them untouched for
//   IMAP, `move` moves them (mailbox::move) to a folder (created when missing). `auto` (the
//   default) is `keep` for an account that has ever logged in over IMAP, else `delete`.
//   Messages already gone (expunged by IMAP meanwhile) are skipped, not an error.
// - retention: hidden messages older than retention_days are expunged from INBOX (source
//   "retention") when the account next logs in over POP3.
// - mark_pop3_seen(): the messages RETR sent get \Seen for IMAP when the options say so, in one
//   transaction when the session ends (QUIT or a dropped connection), not one fsync per RETR.
// - Per-account overrides of the policy live in the store (Store account settings, key
//   "pop3.delete_policy"), set with `roost account pop3-policy NAME POLICY`.
//
// Contract: blocks like Store (call from a worker thread). Thread-safe as Store is.
// Errors: NotFound (no INBOX), store errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/store.h"

namespace roost::mailbox {

enum class Pop3DeletePolicy { Auto, Keep, Delete, Move };
std::optional<Pop3DeletePolicy> parse_pop3_policy(std::string_view text);  // "auto", "keep", ...
std::string_view to_string(Pop3DeletePolicy policy);

struct Pop3Options {
  Pop3DeletePolicy policy = Pop3DeletePolicy::Auto;  // [pop3] delete_policy; per account overrides
  std::string move_to = "POP3 retrieved";            // [pop3] move_to (policy `move`)
  bool mark_seen_on_retr = true;                     // [pop3] mark_seen_on_retr
  int64_t retention_days = 0;                        // [pop3] retention_days; 0 = keep forever
};

struct Pop3Message {
  store::Uid uid = 0;
  store::BlobRef blob;
  std::string uidl;   // 1-70 characters in 0x21-0x7E (RFC 1939 §7)
  uint64_t size = 0;  // octets as RETR sends them (CRLF line ends, before byte-stuffing)
};

struct Pop3Maildrop {
  store::AccountId account = 0;
  store::MailboxId inbox = 0;
  Pop3DeletePolicy effective_policy = Pop3DeletePolicy::Keep;  // never Auto
  std::vector<Pop3Message> messages;                           // ascending UID; msg n = [n-1]
};

// Snapshot at login (after applying retention). `now_unix` stamps retention decisions.
Result<Pop3Maildrop> load_pop3_maildrop(store::Store& store, store::AccountId account,
                                        const Pop3Options& options, int64_t now_unix);

// UPDATE state: applies the policy to the DELE'd messages (indexes into maildrop.messages).
// Returns how many were removed from the maildrop's point of view.
Result<size_t> commit_pop3_deletions(store::Store& store, const Pop3Maildrop& maildrop,
                                     const std::vector<size_t>& deleted, const Pop3Options& options,
                                     int64_t now_unix);

// Adds \Seen to the retrieved messages (indexes) when options.mark_seen_on_retr; one store call;
// messages already seen or gone are skipped.
Status mark_pop3_seen(store::Store& store, const Pop3Maildrop& maildrop,
                      const std::vector<size_t>& retrieved, const Pop3Options& options);

// LOGIN-DELAY (RFC 2449 §6.5): ok, and records this login, when the account's last POP3 login
// is at least `delay_seconds` ago (0 = no delay, still recorded); Limit otherwise.
Status check_pop3_login_delay(store::Store& store, store::AccountId account, int64_t delay_seconds,
                              int64_t now_unix);

// Records that the account uses IMAP (policy `auto`); cheap when already recorded.
Status note_imap_use(store::Store& store, store::AccountId account);

// The account's own policy (`roost account pop3-policy`), which wins over Pop3Options::policy;
// nullopt = none. Setting nullopt clears it.
Result<std::optional<Pop3DeletePolicy>> pop3_policy_override(store::Store& store,
                                                             store::AccountId account);
Status set_pop3_policy_override(store::Store& store, store::AccountId account,
                                std::optional<Pop3DeletePolicy> policy);

// Octets RETR sends for these bytes before byte-stuffing (RFC 1939 §3): every bare LF counts as
// CR LF, and an unterminated last line gets the CRLF RETR adds; the ".CRLF" terminator is not
// counted. Pop3Message::size is this.
uint64_t pop3_size(std::string_view bytes);

}  // namespace roost::mailbox
