#include "cli/context.h"

#include <iostream>

#include "base/env.h"
#include "base/log.h"
#include "cli/commands.h"

namespace roost::cli {

void add_global_options(CLI::App& command, GlobalOptions& options) {
  command.add_option("--config", options.config_path,
                     "Config file (default: roost.toml in the working directory, if present)");
  command.add_option("--data-dir", options.data_dir, "Data directory (overrides server.data_dir)");
}

Result<config::Settings> load_settings(const GlobalOptions& options,
                                       std::vector<std::string> listen) {
  return config::load_settings(options.config_path,
                               config::Overrides{options.data_dir, std::move(listen)});
}

Result<Context> open_context(const GlobalOptions& options) {
  auto settings = load_settings(options);
  if (!settings) return settings.error();
  // Management commands talk to people on stdout: only warnings and errors reach stderr.
  auto level = log::parse_level(settings->server.log_level, log::Level::Info);
  log::set_min_level(std::max(level, log::Level::Warn));
  const std::string& dir = settings->server.data_dir;
  if (auto made = Env::real().make_dirs(dir); !made) {
    return make_error(ErrorKind::Io, "cannot create data dir " + dir, made.error().describe());
  }
  auto store = store::open_sqlite_store({.data_dir = dir, .durable = true});
  if (!store) {
    Error e = store.error();
    e.text = "cannot open the store in " + dir + ": " + e.text;
    return e;
  }
  return Context{std::move(*settings), std::move(*store)};
}

auth::DirectoryOptions directory_options(const config::Settings& settings) {
  auth::DirectoryOptions options;
  options.throttle.free_failures = settings.auth.free_failures;
  options.throttle.max_delay_seconds = settings.auth.max_delay_seconds;
  options.throttle.forget_after_seconds = settings.auth.forget_after_seconds;
  options.cache.ttl_seconds = settings.auth.verified_cache_seconds;
  return options;
}

mailbox::IngestOptions ingest_options(const config::Settings& settings) {
  mailbox::IngestOptions options;
  options.max_message_size = static_cast<uint64_t>(settings.limits.max_message_size);
  options.quota_bytes = static_cast<uint64_t>(settings.quota.storage);
  options.quota_messages = static_cast<uint64_t>(settings.quota.messages);
  options.parse_limits.max_depth = static_cast<uint32_t>(settings.limits.max_mime_depth);
  return options;
}

mailauth::ResolverOptions resolver_options(const config::Settings& settings) {
  return {settings.dns.resolver, static_cast<uint32_t>(settings.dns.timeout_ms)};
}

std::string queue_dir(const config::Settings& settings) { return settings.server.data_dir + "/queue"; }

queue::OutboundOptions outbound_options(const config::Settings& settings) {
  queue::OutboundOptions options;
  options.hostname = settings.server.hostname;
  options.max_age_seconds = settings.queue.max_age_seconds;
  options.retry_base_seconds = settings.queue.retry_base_seconds;
  options.retry_max_seconds = settings.queue.retry_max_seconds;
  options.delay_warning_seconds = settings.queue.delay_warning_seconds;
  options.connections_per_domain = settings.queue.connections_per_domain;
  options.remote_port = static_cast<uint16_t>(settings.queue.remote_port);
  return options;
}

Status deliver_to_inbox(store::Store& store, mailbox::Ingest& ingest, const std::string& account,
                        std::string message) {
  auto owner = store.find_account(account);
  if (!owner) return owner.error();
  auto inbox = store.find_mailbox(owner->id, "INBOX");
  if (!inbox) return inbox.error();
  auto delivered = ingest.ingest({inbox->id, "queue"}, {std::move(message), {}, std::nullopt, 0});
  if (!delivered) return delivered.error();
  return ok();
}

mailbox::Pop3Options pop3_options(const config::Settings& settings) {
  mailbox::Pop3Options options;
  // The key table only lets valid names through; an unknown one would mean a table bug.
  options.policy = mailbox::parse_pop3_policy(settings.pop3.delete_policy)
                       .value_or(mailbox::Pop3DeletePolicy::Auto);
  options.move_to = settings.pop3.move_to;
  options.mark_seen_on_retr = settings.pop3.mark_seen_on_retr;
  options.retention_days = settings.pop3.retention_days;
  return options;
}

void fail(const Error& error) {
  std::cerr << "roost: " << error.text;
  if (!error.detail.empty()) std::cerr << " (" << error.detail << ")";
  std::cerr << "\n";
  throw CLI::RuntimeError(1);
}

}  // namespace roost::cli
