// roost serve: the foreground server. Exits 0 after a graceful SIGTERM/SIGINT, 1 when it
// cannot start (bad config, a listener that cannot bind or is not in this build).
#include <malloc.h>

#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "base/env.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "http/http_session.h"
#include "imap/parsed_cache.h"
#include "imap/session.h"
#include "net/blocking_executor.h"
#include "net/server.h"
#include "pop3/session.h"
#include "queue/outbound_queue.h"
#include "smtp/mail_checks.h"
#include "smtp/remote_delivery.h"
#include "smtp/session.h"
#include "store/sqlite/sqlite_store.h"

namespace roost::cli {
namespace {

constexpr size_t kCommitThreads = 32;  // APPENDs whose durable commit may be in flight at once

struct ServeArgs {
  std::vector<std::string> listen;
};

net::NetLimits net_limits(const config::LimitsSettings& limits) {
  net::NetLimits out;
  out.max_line_length = static_cast<size_t>(limits.max_line_length);
  out.max_literal_size = static_cast<uint64_t>(limits.max_literal_size);
  out.max_connections_per_ip = static_cast<uint32_t>(limits.max_connections_per_ip);
  out.idle_timeout = std::chrono::seconds(limits.idle_timeout_seconds);
  out.shutdown_grace = std::chrono::seconds(limits.shutdown_grace_seconds);
  out.max_connections = static_cast<size_t>(limits.max_connections);
  return out;
}

void run_serve(const GlobalOptions& options, const ServeArgs& args) {
  // glibc raises its mmap threshold to the largest block freed so far (up to 32 MiB), so after
  // the first login every argon2 work area (19 MiB) came from a thread's arena and stayed there:
  // ~20 MiB per hashing thread for good. A fixed threshold keeps such blocks mmapped and returned.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  config::Settings settings = value_or_fail(load_settings(options, args.listen));
  log::set_min_level(log::parse_level(settings.server.log_level, log::Level::Info));
  auto listeners = settings.listeners();
  if (listeners.empty()) {
    fail(make_error(ErrorKind::Syntax,
                    "nothing to listen on: [listen] is empty and no --listen was given"));
  }
  const std::string& dir = settings.server.data_dir;
  if (auto made = Env::real().make_dirs(dir); !made) {
    fail(make_error(ErrorKind::Io, "cannot create data dir " + dir, made.error().describe()));
  }
  net::TlsFiles tls{settings.tls.cert, settings.tls.key};
  if (auto made = net::ensure_self_signed_certificate(tls, settings.server.hostname); !made) {
    Error e = made.error();
    e.text = "cannot create the self-signed certificate " + tls.cert_path + ": " + e.text;
    fail(e);
  }

  // Mail that `roost import` adds while the server runs reaches IDLE sessions within ~0.5 s.
  auto store = store::open_sqlite_store(
      {.data_dir = dir, .durable = true, .external_changes_ms = 500});
  if (!store) {
    Error e = store.error();
    e.text = "cannot open the store in " + dir + ": " + e.text;
    fail(e);
  }
  log::info("store.open", {{"backend", settings.store.backend}, {"data_dir", dir}});

  unsigned threads = settings.server.threads > 0
                         ? static_cast<unsigned>(settings.server.threads)
                         : std::max(1u, std::thread::hardware_concurrency());
  // Declared after the store and before the server: sessions end first, then the blocking
  // pool drains, then the store closes.
  auth::Directory directory(**store, Clock::system(), directory_options(settings));
  mailbox::Ingest ingest(**store, ingest_options(settings));
  net::BlockingExecutor blocking;
  // Threads that mostly wait in fsync: enough that concurrent APPENDs overlap their blob fsyncs
  // and share index commits (imap::ImapServices::committing).
  net::BlockingExecutor committing(kCommitThreads);
  // One hashing thread per core: logins use the CPU, the store pool keeps serving sessions.
  net::BlockingExecutor hashing(std::max(1u, std::thread::hardware_concurrency()));
  imap::ParsedCache parsed_cache(static_cast<size_t>(settings.imap.parsed_cache_size));
  net::Server server(threads, tls, net_limits(settings.limits));
  http::register_http(server);
  if (auto* sqlite = dynamic_cast<store::sqlite::SqliteStore*>(store->get())) {
    // Group commit at work: how many writes shared each index commit (and its fsync).
    auto stat = [sqlite](uint64_t store::sqlite::WriteStats::*field) {
      return [sqlite, field] { return static_cast<double>(sqlite->write_stats().*field); };
    };
    auto& m = server.metrics();
    m.gauge_callback("roost_store_write_requests", "Index writes executed", {},
                     stat(&store::sqlite::WriteStats::requests));
    m.gauge_callback("roost_store_commits", "Index transactions committed (one fsync each)", {},
                     stat(&store::sqlite::WriteStats::commits));
    m.gauge_callback("roost_store_commit_max_batch", "Most index writes sharing one commit", {},
                     stat(&store::sqlite::WriteStats::max_batch));
  }
  imap::register_imap(
      server, {store->get(), &directory, &ingest, &blocking, &hashing, &committing,
               settings.imap.parsed_cache_size > 0 ? &parsed_cache : nullptr},
      {.max_line_length = server.limits().max_line_length,
       .max_sessions_per_account = static_cast<size_t>(settings.limits.max_sessions_per_account),
       .literal_plus = settings.imap.literal_plus,
       .max_nesting = static_cast<size_t>(settings.imap.max_nesting),
       .max_sequence_ranges = static_cast<size_t>(settings.imap.max_sequence_ranges),
       .max_search_keys = static_cast<size_t>(settings.imap.max_search_keys),
       .allow_plaintext = settings.auth.allow_plaintext});
  pop3::register_pop3(server, {store->get(), &directory, &blocking, &hashing, &Clock::system()},
                      {.maildrop = pop3_options(settings),
                       .max_line_length = server.limits().max_line_length,
                       .login_delay_seconds = settings.pop3.login_delay_seconds,
                       .allow_plaintext = settings.auth.allow_plaintext});
  // The outbound queue runs on its own thread: remote delivery, retries and bounces (whatever a
  // previous run left queued is picked up at once).
  auto resolver = value_or_fail(mailauth::make_unbound_resolver(resolver_options(settings)));
  auto queue_store = value_or_fail(queue::QueueStore::open(queue_dir(settings), /*repair=*/true));
  boost::asio::io_context queue_io;
  queue::OutboundQueue outbound(
      queue_io, blocking, std::move(queue_store), *resolver, outbound_options(settings),
      [&](const std::string& account, std::string message) {
        return deliver_to_inbox(**store, ingest, account, std::move(message));
      });

  // Mail from other servers is checked (SPF, DKIM, DMARC) with the same resolver.
  auto authenticator = value_or_fail(mailauth::Authenticator::create(*resolver, settings.smtp.hostname));
  smtp::RemoteDelivery remote_delivery(outbound, **store, settings.server.data_dir + "/dkim");
  outbound.set_report_signer([&](std::string_view report) { return remote_delivery.sign(report); });

  auto rules = smtp::parse_recipient_rules(settings.smtp.local_domains, settings.smtp.aliases);
  if (!rules) {
    Error e = rules.error();
    e.text = "[smtp] " + e.text;
    fail(e);
  }
  smtp::register_smtp(
      server,
      {store->get(), &directory, &ingest, &blocking, &hashing, &Clock::system(),
       &remote_delivery, smtp::make_inbound_check(*authenticator), &committing},
      {.hostname = settings.smtp.hostname,
       .spool_dir = dir + "/smtp-spool",
       .max_message_size = static_cast<uint64_t>(settings.smtp.max_message_size),
       .max_recipients = static_cast<size_t>(settings.smtp.max_recipients),
       .messages_per_hour = static_cast<uint32_t>(settings.smtp.messages_per_hour),
       .max_command_line = static_cast<size_t>(settings.smtp.max_command_line),
       .max_sasl_line = std::max<size_t>(12288, server.limits().max_line_length),
       .allow_plaintext = settings.auth.allow_plaintext,
       .rules = std::move(*rules)});

  for (const net::ListenSpec& spec : listeners) {
    // The server logs one net.listen event per listener; failures name the listener.
    Status listening = server.listen(spec);
    if (!listening) {
      Error e = listening.error();
      std::string name = net::to_string(spec);
      if (e.text.find(name.substr(name.find('=') + 1)) == std::string::npos) {
        e.text = "cannot listen on " + name + ": " + e.text;
      }
      fail(e);
    }
  }
  server.handle_signals();
  log::info("serve.start",
            {{"version", ROOST_VERSION}, {"data_dir", dir}, {"threads", std::to_string(threads)}});
  outbound.start();
  std::thread queue_thread([&] { queue_io.run(); });
  log::flush();  // whoever watches the log for the start sees it as soon as the ports answer
  server.run();
  outbound.stop();
  queue_io.stop();
  queue_thread.join();
  log::info("serve.stop", {{"outcome", "graceful"}});
}

}  // namespace

void add_serve_command(CLI::App& app, GlobalOptions& options) {
  auto args = std::make_shared<ServeArgs>();
  auto* serve = app.add_subcommand("serve", "Run the server in the foreground");
  add_global_options(*serve, options);
  serve->add_option("--listen", args->listen,
                    "PROTO=HOST:PORT, repeatable; when given, exactly these listeners run "
                    "(the [listen] table is ignored)");
  serve->callback([&options, args] { run_serve(options, *args); });
}

}  // namespace roost::cli
