#include "store/sqlite/external_changes.h"

#include "base/log.h"
#include "store/sqlite/connection.h"

namespace roost::store::sqlite {

ExternalChanges::ExternalChanges(std::string db_path, std::shared_ptr<EventHub> hub,
                                 std::chrono::milliseconds period)
    : db_path_(std::move(db_path)), hub_(std::move(hub)), period_(period) {
  poll();  // learn the mailboxes as they are now, announcing nothing
  thread_ = std::thread([this] { run(); });
}

ExternalChanges::~ExternalChanges() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

void ExternalChanges::run() {
  std::unique_lock lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    poll();
    lock.lock();
  }
}

void ExternalChanges::note_published(const std::vector<MailboxEvent>& events) {
  std::lock_guard lock(mu_);
  for (const MailboxEvent& e : events) {
    switch (e.kind) {
      case MailboxEvent::Kind::Deleted:
        known_.erase(e.mailbox);
        break;
      case MailboxEvent::Kind::Created:
      case MailboxEvent::Kind::Renamed:
        // The name comes with the next scan; no event for it then.
        known_[e.mailbox].name.reset();
        [[fallthrough]];
      case MailboxEvent::Kind::Changed: {
        Known& k = known_[e.mailbox];
        k.account = e.account;
        k.modseq = std::max(k.modseq, e.modseq);
        break;
      }
    }
  }
}

Result<std::optional<std::vector<ExternalChanges::Row>>> ExternalChanges::scan_if_changed() {
  if (!db_) {
    auto opened = Connection::open(db_path_, false);
    if (!opened) return opened.error();
    db_ = std::move(*opened);
  }
  auto version = db_->prepare("PRAGMA data_version");
  if (!version) return version.error();
  auto row = version->step();
  if (!row) return row.error();
  int64_t now = *row ? version->int_at(0) : 0;
  version->reset();
  if (now == data_version_) return std::optional<std::vector<Row>>();
  auto stmt = db_->prepare("SELECT id, account, name, highestmodseq FROM mailboxes");
  if (!stmt) return stmt.error();
  std::vector<Row> rows;
  while (true) {
    auto more = stmt->step();
    if (!more) return more.error();
    if (!*more) break;
    rows.push_back({static_cast<MailboxId>(stmt->int_at(0)),
                    static_cast<AccountId>(stmt->int_at(1)), std::string(stmt->text_at(2)),
                    static_cast<ModSeq>(stmt->int_at(3))});
  }
  stmt->reset();
  data_version_ = now;
  return std::optional<std::vector<Row>>(std::move(rows));
}

std::vector<MailboxEvent> ExternalChanges::poll() {
  std::lock_guard poll_lock(poll_mu_);
  auto scanned = scan_if_changed();
  if (!scanned) {
    log::warn("store.external_changes_failed", {{"error", scanned.error().describe()}});
    db_.reset();  // reopen next time
    return {};
  }
  if (!*scanned) return {};
  std::vector<MailboxEvent> events;
  {
    std::lock_guard lock(mu_);
    std::map<MailboxId, Known> next;
    for (Row& r : **scanned) {
      auto it = known_.find(r.id);
      if (initialized_) {
        if (it == known_.end()) {
          events.push_back({MailboxEvent::Kind::Created, r.account, r.id, r.modseq});
        } else if (it->second.name && *it->second.name != r.name) {
          events.push_back({MailboxEvent::Kind::Renamed, r.account, r.id, r.modseq});
        } else if (r.modseq > it->second.modseq) {
          events.push_back({MailboxEvent::Kind::Changed, r.account, r.id, r.modseq});
        }
      }
      ModSeq modseq = it == known_.end() ? r.modseq : std::max(r.modseq, it->second.modseq);
      next[r.id] = Known{r.account, std::move(r.name), modseq};
    }
    if (initialized_) {
      for (const auto& [id, k] : known_) {
        if (!next.count(id)) events.push_back({MailboxEvent::Kind::Deleted, k.account, id, k.modseq});
      }
    }
    known_ = std::move(next);
    initialized_ = true;
  }
  if (!events.empty()) hub_->publish(events);
  return events;
}

}  // namespace roost::store::sqlite
