// The roost command line: one add_*_commands() per file, each registering its
// subcommands on the CLI11 app. A failing command throws CLI::RuntimeError(exit
// code) after printing a clear message on stderr; main() turns that into the exit status.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "auth/directory.h"
#include "base/result.h"
#include "config/settings.h"
#include "mailauth/dns_resolver.h"
#include "mailbox/ingest.h"
#include "queue/outbound_queue.h"
#include "store/store.h"

namespace roost::cli {

// Taken by every subcommand (README "CLI").
struct GlobalOptions {
  std::string config_path;  // --config FILE; empty = roost.toml in the working dir if present
  std::string data_dir;     // --data-dir DIR; overrides [server] data_dir
};

// Adds --config and --data-dir to a subcommand.
void add_global_options(CLI::App& command, GlobalOptions& options);

// Settings loaded from the config file with the command-line overrides applied,
// and the store they name (opened and repaired).
struct Context {
  config::Settings settings;
  std::unique_ptr<store::Store> store;
};
Result<Context> open_context(const GlobalOptions& options);
// Just the settings (config file + --data-dir + any --listen flags), derived defaults filled.
Result<config::Settings> load_settings(const GlobalOptions& options,
                                       std::vector<std::string> listen = {});
// auth::Directory options from [auth] (hash cost stays at the built-in default).
auth::DirectoryOptions directory_options(const config::Settings& settings);
// mailbox::Ingest options from [limits] and [quota]: every path that stores mail uses these.
mailbox::IngestOptions ingest_options(const config::Settings& settings);

// The DNS resolver settings from [dns].
mailauth::ResolverOptions resolver_options(const config::Settings& settings);
// <data_dir>/queue, and the outbound queue's options from [queue] and [server] hostname.
std::string queue_dir(const config::Settings& settings);
queue::OutboundOptions outbound_options(const config::Settings& settings);
// Stores a message the server itself writes (a bounce) in the INBOX of a local account,
// through mailbox::Ingest like all mail. Blocking.
Status deliver_to_inbox(store::Store& store, mailbox::Ingest& ingest, const std::string& account,
                        std::string message);

// Prints "roost: <message>" on stderr and throws CLI::RuntimeError(1).
[[noreturn]] void fail(const Error& error);

// The value of a Result, or fail() with its error.
template <class T>
T value_or_fail(Result<T> result) {
  if (!result) fail(result.error());
  return std::move(*result);
}
inline void check_or_fail(const Status& status) {
  if (!status) fail(status.error());
}

void add_serve_command(CLI::App& app, GlobalOptions& options);     // serve_command.cc
void add_account_commands(CLI::App& app, GlobalOptions& options);  // account_command.cc
void add_mailbox_commands(CLI::App& app, GlobalOptions& options);  // mailbox_command.cc
void add_import_commands(CLI::App& app, GlobalOptions& options);   // import_command.cc
void add_message_commands(CLI::App& app, GlobalOptions& options);  // message_command.cc
void add_dkim_commands(CLI::App& app, GlobalOptions& options);     // dkim_command.cc
void add_queue_commands(CLI::App& app, GlobalOptions& options);    // queue_command.cc
void add_config_commands(CLI::App& app, GlobalOptions& options);   // config_command.cc

}  // namespace roost::cli
