// The outbound queue on disk: one message file and one envelope file per queued message, in
// <data_dir>/queue. A message is queued (and SMTP may say 250) once both files and the
// directory are fsynced; the envelope is rewritten atomically (temp file + rename) after every
// delivery attempt, so a crash repeats at most the attempt that was under way.
//
// Contract: every call blocks on disk: call from a blocking-pool thread. One process at a time
// delivers; `roost queue` may read, retry and delete while the server runs (a lost race costs
// one retry, never a message).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/result.h"

namespace roost::queue {

// What a recipient's sender asked to be told about (RFC 3461 §4.1 NOTIFY); 0 = not said, which
// means failures and delays (the RFC's default).
enum Notify : uint8_t {
  kNotifyNever = 1u << 0,
  kNotifySuccess = 1u << 1,
  kNotifyFailure = 1u << 2,
  kNotifyDelay = 1u << 3,
};
// Does `notify` (NOTIFY bits, 0 = not given) ask for a report of kind `bit`?
bool wants_report(uint8_t notify, Notify bit);
// "SUCCESS,FAILURE" / "NEVER" (for NOTIFY= on the wire and the envelope file); "" for 0.
std::string notify_keywords(uint8_t notify);

struct QueuedRecipient {
  enum class State { Pending, Delivered, Failed };
  QueuedRecipient() = default;
  QueuedRecipient(std::string address_, State state_ = State::Pending, std::string reply_ = {})
      : address(std::move(address_)), state(state_), reply(std::move(reply_)) {}

  std::string address;
  State state = State::Pending;
  std::string reply;   // the last reply about it (remote server's words, or ours)
  uint8_t notify = 0;  // DSN request (RFC 3461 NOTIFY)
  std::string orcpt;   // ORCPT as given ("rfc822;bob@example.org"), xtext-decoded; may be empty
  // Delivered to a server that does not offer DSN: a "relayed" report is due when NOTIFY asked
  // for success (RFC 3461 §5.2.2.3); set once that report is out.
  bool reported = false;
};

// The message-level DSN request (RFC 3461 §4.3 RET, §4.4 ENVID).
enum class Return { Unspecified, Full, Headers };

std::string_view to_string(QueuedRecipient::State state);

struct QueuedMessage {
  std::string id;
  std::string sender;   // reverse-path; empty for <>
  std::string account;  // the local account that sent it (gets the bounce); may be empty
  int64_t created = 0;  // unix seconds
  int64_t next_attempt = 0;
  int64_t attempts = 0;
  uint64_t size = 0;
  Return ret = Return::Unspecified;
  std::string envid;            // ENVID, xtext-decoded; may be empty
  bool delay_reported = false;  // the "delayed" report has gone out (once per message)
  std::vector<QueuedRecipient> recipients;

  bool done() const;  // no recipient pending
};

class QueueStore {
 public:
  // Opens (creating) the directory. `repair`: remove what a crash left half-written; only the
  // process that queues may do that (not `roost queue` next to a running server).
  static Result<QueueStore> open(std::string dir, bool repair, Env& env = Env::real());

  // Queues `message` for `recipients`; returns the new entry once it is durable.
  Result<QueuedMessage> enqueue(std::string sender, std::string account,
                                const std::vector<std::string>& recipients,
                                std::string_view message, int64_t now);
  // The same with the DSN request: `draft` gives sender, account, ret, envid and the recipients
  // (address, notify, orcpt); id, times, size and states are filled in.
  Result<QueuedMessage> enqueue(QueuedMessage draft, std::string_view message, int64_t now);
  // Every queued message, oldest first (envelopes only).
  Result<std::vector<QueuedMessage>> list() const;
  Result<QueuedMessage> get(std::string_view id) const;
  Result<std::string> read_message(std::string_view id) const;
  // Rewrites the envelope (NotFound if the message was deleted meanwhile).
  Status update(const QueuedMessage& message);
  Status remove(std::string_view id);

  const std::string& dir() const { return dir_; }

 private:
  QueueStore(std::string dir, Env& env) : dir_(std::move(dir)), env_(&env) {}
  std::string path(std::string_view id, std::string_view ext) const;
  std::string dir_;
  Env* env_;
};

// A fresh queue id ("20261124-101500-0123456789ab"): also names reports about mail that was
// never queued.
std::string new_queue_id(int64_t now);

// The envelope file's text form, exposed for tests.
std::string format_envelope(const QueuedMessage& message);
Result<QueuedMessage> parse_envelope(std::string_view id, std::string_view text);

}  // namespace roost::queue
