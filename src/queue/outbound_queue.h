// OutboundQueue: takes messages for remote recipients (durably, before SMTP says 250) and
// delivers them in the background: per-domain SMTP sessions, retries with exponential backoff
// for queue.max_age_seconds, and a bounce into the sender's INBOX for recipients that are
// refused for good or given up on.
//
// Contract: enqueue() blocks on disk (call it from a blocking-pool thread) and is thread-safe.
// start() runs the delivery loop on `io`; stop() ends it (deliveries under way are abandoned
// and retried at the next start: SMTP cannot avoid a repeat if the crash falls between the
// remote 250 and our record of it).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "mailauth/dns_resolver.h"
#include "net/blocking_executor.h"
#include "queue/queue_store.h"
#include "queue/smtp_client.h"

namespace roost::queue {

struct OutboundOptions {
  std::string hostname;  // EHLO name, Reporting-MTA
  int64_t max_age_seconds = 5 * 86400;
  int64_t retry_base_seconds = 60;
  int64_t retry_max_seconds = 3600;
  // A "delayed" report (RFC 3464) once a message has waited this long; 0 = never.
  int64_t delay_warning_seconds = 4 * 3600;
  int64_t connections_per_domain = 4;
  uint16_t remote_port = 25;
};

// Puts a bounce into the INBOX of a local account (mailbox::Ingest in the server). Blocking.
using BounceSink = std::function<Status(const std::string& account, std::string message)>;
// The header fields (DKIM-Signature:) to put before a report this queue sends to another
// server, so that DMARC passes for the report's From: domain. Blocking; may return "".
using ReportSigner = std::function<std::string(std::string_view message)>;

class OutboundQueue {
 public:
  OutboundQueue(boost::asio::io_context& io, net::BlockingExecutor& blocking, QueueStore store,
                mailauth::Resolver& resolver, OutboundOptions options, BounceSink bounce,
                const Clock& clock = Clock::system());
  ~OutboundQueue();

  // Queues and wakes the delivery loop. Durable when it returns ok.
  Result<QueuedMessage> enqueue(std::string sender, std::string account,
                                const std::vector<std::string>& recipients,
                                std::string_view message);
  // The same with the DSN request (see QueueStore::enqueue).
  Result<QueuedMessage> enqueue(QueuedMessage draft, std::string_view message);
  void start();
  void stop();

  // Hands a report (bounce, DSN) to `sender`: into the INBOX of `account` when the sender is a
  // local account, else queued with the null sender. Blocking, thread-safe.
  Status send_report(const std::string& account, const std::string& sender, std::string report);
  // Set before start().
  void set_report_signer(ReportSigner signer) { signer_ = std::move(signer); }
  const OutboundOptions& options() const { return options_; }

  // The wait before attempt number `attempts + 1` (exposed for tests).
  static int64_t backoff(const OutboundOptions& options, int64_t attempts);

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> process(QueuedMessage message);
  // The message is done: reports, then removal. `original`: its bytes, as read for delivery.
  Status finish(QueuedMessage& message, bool expired, std::string_view original);
  // Sends the reports now due for `message` (relayed, delayed) and records them in it.
  Status report_progress(QueuedMessage& message, std::string_view original);
  void wake();

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;  // all loop state lives here
  net::BlockingExecutor& blocking_;
  QueueStore store_;
  mailauth::Resolver& resolver_;
  OutboundOptions options_;
  BounceSink bounce_;
  ReportSigner signer_;
  const Clock& clock_;
  boost::asio::ssl::context tls_;
  RemoteOptions remote_;

  boost::asio::steady_timer wake_timer_;
  bool stopping_ = false;
  std::set<std::string> in_flight_;         // message ids being delivered
  std::map<std::string, int64_t> domains_;  // deliveries under way per destination domain
};

}  // namespace roost::queue
