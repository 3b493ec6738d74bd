// ExternalChanges: turns commits that other processes make to the index (`roost import`,
// `roost mailbox create` ... while `roost serve` runs) into MailboxEvents, so IDLE sessions see
// them within about one `period`, as they see this process's own commits at once.
//
// A thread polls `PRAGMA data_version` on its own connection; when the file changed, it reads
// every mailbox's (account, name, highestmodseq) and publishes what differs from what the
// subscribers were already told: Created, Deleted, Renamed, or Changed when the MODSEQ grew.
// The store's own writer reports what it published (note_published), so its commits are not
// announced twice; a commit that races the poll may be announced twice, which only costs the
// sessions one look at an unchanged mailbox.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "store/event_hub.h"

namespace roost::store::sqlite {

class Connection;

class ExternalChanges {
 public:
  // Starts the polling thread; it stops in the destructor.
  ExternalChanges(std::string db_path, std::shared_ptr<EventHub> hub,
                  std::chrono::milliseconds period);
  ~ExternalChanges();
  ExternalChanges(const ExternalChanges&) = delete;
  ExternalChanges& operator=(const ExternalChanges&) = delete;

  // Called by the writer with the events it is about to publish.
  void note_published(const std::vector<MailboxEvent>& events);
  // One poll now (tests); returns the events it published.
  std::vector<MailboxEvent> poll();

 private:
  struct Known {
    AccountId account = 0;
    std::optional<std::string> name;  // nullopt: learnt from an event, filled by the next scan
    ModSeq modseq = 0;
  };
  struct Row {
    MailboxId id = 0;
    AccountId account = 0;
    std::string name;
    ModSeq modseq = 0;
  };
  void run();
  Result<std::optional<std::vector<Row>>> scan_if_changed();

  std::string db_path_;
  std::shared_ptr<EventHub> hub_;
  std::chrono::milliseconds period_;
  std::unique_ptr<Connection> db_;  // used by one poll at a time (poll_mu_)
  std::mutex poll_mu_;
  int64_t data_version_ = -1;
  bool initialized_ = false;

  std::mutex mu_;  // guards known_
  std::map<MailboxId, Known> known_;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace roost::store::sqlite
