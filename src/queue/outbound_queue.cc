#include "queue/outbound_queue.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log.h"
#include "queue/bounce.h"

namespace roost::queue {

namespace asio = boost::asio;

namespace {

std::string domain_of(const std::string& address) {
  size_t at = address.rfind('@');
  std::string domain = at == std::string::npos ? "" : address.substr(at + 1);
  std::transform(domain.begin(), domain.end(), domain.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return domain;
}

}  // namespace

OutboundQueue::OutboundQueue(asio::io_context& io, net::BlockingExecutor& blocking,
                             QueueStore store, mailauth::Resolver& resolver,
                             OutboundOptions options, BounceSink bounce, const Clock& clock)
    : io_(io),
      strand_(asio::make_strand(io)),
      blocking_(blocking),
      store_(std::move(store)),
      resolver_(resolver),
      options_(std::move(options)),
      bounce_(std::move(bounce)),
      clock_(clock),
      tls_(asio::ssl::context::tls_client),
      wake_timer_(strand_) {
  // Opportunistic TLS (RFC 7435): encrypt whenever offered, without judging the certificate.
  tls_.set_verify_mode(asio::ssl::verify_none);
  remote_.helo_name = options_.hostname;
  remote_.port = options_.remote_port;
  remote_.tls = &tls_;
}

OutboundQueue::~OutboundQueue() = default;

int64_t OutboundQueue::backoff(const OutboundOptions& options, int64_t attempts) {
  int64_t wait = options.retry_base_seconds;
  for (int64_t i = 1; i < attempts && wait < options.retry_max_seconds; ++i) wait *= 2;
  return std::min(wait, options.retry_max_seconds);
}

Result<QueuedMessage> OutboundQueue::enqueue(std::string sender, std::string account,
                                             const std::vector<std::string>& recipients,
                                             std::string_view message) {
  QueuedMessage draft;
  draft.sender = std::move(sender);
  draft.account = std::move(account);
  for (const auto& r : recipients) draft.recipients.emplace_back(r);
  return enqueue(std::move(draft), message);
}

Result<QueuedMessage> OutboundQueue::enqueue(QueuedMessage draft, std::string_view message) {
  auto queued = store_.enqueue(std::move(draft), message, clock_.now_unix());
  if (queued) {
    log::info("queue.queued", {{"id", queued->id},
                               {"sender", queued->sender},
                               {"recipients", std::to_string(queued->recipients.size())},
                               {"size", std::to_string(queued->size)}});
    wake();
  }
  return queued;
}

void OutboundQueue::wake() {
  asio::post(strand_, [this] { wake_timer_.cancel(); });
}

void OutboundQueue::start() {
  asio::co_spawn(strand_, run(), asio::detached);
}

void OutboundQueue::stop() {
  asio::dispatch(strand_, [this] {
    stopping_ = true;
    wake_timer_.cancel();
  });
}

asio::awaitable<void> OutboundQueue::run() {
  while (!stopping_) {
    auto queued = co_await blocking_.run([this] { return store_.list(); });
    int64_t now = clock_.now_unix();
    if (!queued) {
      log::warn("queue.list_failed", {{"error", queued.error().describe()}});
    } else {
      for (auto& m : *queued) {
        if (in_flight_.count(m.id) || m.next_attempt > now) continue;
        in_flight_.insert(m.id);
        asio::co_spawn(strand_, process(std::move(m)), asio::detached);
      }
    }
    // New mail wakes the loop at once; otherwise it looks again every second.
    wake_timer_.expires_after(std::chrono::seconds(1));
    boost::system::error_code ec;
    co_await wake_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> OutboundQueue::process(QueuedMessage m) {
  std::string id = m.id;
  auto bytes = co_await blocking_.run([&] { return store_.read_message(id); });
  if (!bytes) {
    in_flight_.erase(id);
    co_return;  // deleted by `roost queue delete` meanwhile
  }
  std::map<std::string, std::vector<size_t>> by_domain;
  for (size_t i = 0; i < m.recipients.size(); ++i) {
    if (m.recipients[i].state == QueuedRecipient::State::Pending)
      by_domain[domain_of(m.recipients[i].address)].push_back(i);
  }
  bool attempted = false, waiting_for_slot = false;
  for (auto& [domain, indexes] : by_domain) {
    if (stopping_) break;
    if (domains_[domain] >= options_.connections_per_domain) {
      waiting_for_slot = true;
      continue;
    }
    ++domains_[domain];
    std::vector<std::string> addresses;
    DsnRequest dsn{m.ret, m.envid, {}, {}};
    for (size_t i : indexes) {
      addresses.push_back(m.recipients[i].address);
      dsn.notify.push_back(m.recipients[i].notify);
      dsn.orcpt.push_back(m.recipients[i].orcpt);
    }
    auto outcomes = co_await send_to_domain(blocking_, resolver_, domain, m.sender, addresses,
                                            *bytes, remote_, dsn);
    --domains_[domain];
    attempted = true;
    for (size_t k = 0; k < indexes.size(); ++k) {
      QueuedRecipient& r = m.recipients[indexes[k]];
      r.reply = outcomes[k].text;
      if (outcomes[k].kind == RecipientOutcome::Kind::Delivered) {
        r.state = QueuedRecipient::State::Delivered;
        // The next server reports from here on when it offers DSN; else "relayed" is ours.
        r.reported = outcomes[k].remote_reports || !wants_report(r.notify, kNotifySuccess);
      } else if (outcomes[k].kind == RecipientOutcome::Kind::PermFailure) {
        r.state = QueuedRecipient::State::Failed;
      }
      std::string_view event = r.state == QueuedRecipient::State::Delivered ? "queue.delivered"
                               : r.state == QueuedRecipient::State::Failed  ? "queue.refused"
                                                                            : "queue.deferred";
      log::info(event, {{"id", id}, {"recipient", r.address}, {"reply", r.reply}});
    }
  }
  int64_t now = clock_.now_unix();
  if (attempted) ++m.attempts;
  bool expired = !m.done() && now - m.created >= options_.max_age_seconds;
  if (expired) {
    for (auto& r : m.recipients) {
      if (r.state != QueuedRecipient::State::Pending) continue;
      r.state = QueuedRecipient::State::Failed;
      if (r.reply.empty()) r.reply = "no delivery attempt could be made";
    }
  }
  Status saved;
  if (m.done()) {
    saved = co_await blocking_.run([&] { return finish(m, expired, *bytes); });
  } else {
    m.next_attempt = waiting_for_slot && !attempted ? now + 1 : now + backoff(options_, m.attempts);
    saved = co_await blocking_.run([&] {
      Status reported = report_progress(m, *bytes);
      if (!reported) log::warn("queue.report_failed", {{"id", m.id}, {"error", reported.error().describe()}});
      return store_.update(m);
    });
  }
  if (!saved && saved.error().kind != ErrorKind::NotFound) {
    log::warn("queue.update_failed", {{"id", id}, {"error", saved.error().describe()}});
  }
  in_flight_.erase(id);
}

Status OutboundQueue::send_report(const std::string& account, const std::string& sender,
                                  std::string report) {
  if (!account.empty()) return bounce_(account, std::move(report));
  if (signer_) report.insert(0, signer_(report));
  auto queued = store_.enqueue("", "", {sender}, report, clock_.now_unix());
  if (!queued) return queued.error();
  wake();
  return ok();
}

Status OutboundQueue::report_progress(QueuedMessage& m, std::string_view original) {
  // RFC 3464 §2: a report itself (null sender) gets no reports.
  if (m.sender.empty()) return ok();
  int64_t now = clock_.now_unix();
  BounceContext ctx{options_.hostname, now, false, options_.max_age_seconds};
  std::vector<size_t> relayed;
  for (size_t i = 0; i < m.recipients.size(); ++i) {
    const QueuedRecipient& r = m.recipients[i];
    if (r.state == QueuedRecipient::State::Delivered && !r.reported) relayed.push_back(i);
  }
  if (!relayed.empty()) {
    ctx.kind = ReportKind::Relayed;
    ROOST_TRY(send_report(m.account, m.sender, build_report(m, original, relayed, ctx)));
    for (size_t i : relayed) m.recipients[i].reported = true;
    log::info("queue.reported", {{"id", m.id}, {"kind", "relayed"},
                                 {"recipients", std::to_string(relayed.size())}});
  }
  if (options_.delay_warning_seconds > 0 && !m.delay_reported &&
      now - m.created >= options_.delay_warning_seconds) {
    std::vector<size_t> delayed;
    for (size_t i = 0; i < m.recipients.size(); ++i) {
      const QueuedRecipient& r = m.recipients[i];
      if (r.state == QueuedRecipient::State::Pending && wants_report(r.notify, kNotifyDelay))
        delayed.push_back(i);
    }
    if (!delayed.empty()) {
      ctx.kind = ReportKind::Delayed;
      ROOST_TRY(send_report(m.account, m.sender, build_report(m, original, delayed, ctx)));
      log::info("queue.reported", {{"id", m.id}, {"kind", "delayed"},
                                   {"recipients", std::to_string(delayed.size())}});
    }
    m.delay_reported = true;
  }
  return ok();
}

Status OutboundQueue::finish(QueuedMessage& m, bool expired, std::string_view original) {
  ROOST_TRY(report_progress(m, original));
  std::vector<size_t> failed;
  for (size_t i = 0; i < m.recipients.size(); ++i) {
    const QueuedRecipient& r = m.recipients[i];
    if (r.state == QueuedRecipient::State::Failed && wants_report(r.notify, kNotifyFailure))
      failed.push_back(i);
  }
  // RFC 3464 §2: a bounce itself (null sender) is never bounced.
  if (!failed.empty() && !m.sender.empty()) {
    BounceContext ctx{options_.hostname, clock_.now_unix(), expired, options_.max_age_seconds,
                      ReportKind::Failed};
    // Kept when this fails: the next attempt tries the bounce again (the relayed reports
    // above are recorded, so they are not repeated).
    Status sent = send_report(m.account, m.sender, build_report(m, original, failed, ctx));
    if (!sent) {
      (void)store_.update(m);
      return sent;
    }
    log::info("queue.bounced", {{"id", m.id}, {"sender", m.sender}, {"account", m.account},
                                {"expired", expired ? "yes" : "no"}});
  }
  return store_.remove(m.id);
}

}  // namespace roost::queue
