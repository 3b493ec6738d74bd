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

struct QueuedRecipient {
  enum class State { Pending, Delivered, Failed };
  std::string address;
  State state = State::Pending;
  std::string reply;  // the last reply about it (remote server's words, or ours)
};

std::string_view to_string(QueuedRecipient::State state);

struct QueuedMessage {
  std::string id;
  std::string sender;   // reverse-path; empty for <>
  std::string account;  // the local account that sent it (gets the bounce); may be empty
  int64_t created = 0;  // unix seconds
  int64_t next_attempt = 0;
  int64_t attempts = 0;
  uint64_t size = 0;
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

// The envelope file's text form, exposed for tests.
std::string format_envelope(const QueuedMessage& message);
Result<QueuedMessage> parse_envelope(std::string_view id, std::string_view text);

}  // namespace roost::queue
