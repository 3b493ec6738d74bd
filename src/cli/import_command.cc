// `roost import mbox FILE --account A [--mailbox M]` and `roost import maildir DIR
// --account A`: every message goes through mailbox::Ingest in batches (one durable
// commit each); re-runs skip messages already in the target mailbox, so an
// interrupted import is resumed by running it again.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/log.h"
#include "cli/commands.h"
#include "cli/import_source.h"
#include "cli/progress.h"
#include "mailbox/ingest.h"

namespace roost::cli {
namespace {

struct ImportArgs {
  std::string path;
  std::string account;
  std::string mailbox = "INBOX";
  size_t batch_messages = 200;
  uint64_t batch_mib = 8;
  double progress_seconds = 1.0;
  bool verbose = false;
};

struct FolderReport {
  std::string mailbox;
  uint64_t imported = 0, skipped = 0, failed = 0;
  std::vector<std::string> failures;  // "where: reason"
  std::vector<std::string> warnings;
};

class Importer {
 public:
  Importer(store::Store& store, const config::Settings& settings, const ImportArgs& args,
           store::AccountId account, uint64_t total_messages, uint64_t total_bytes)
      : store_(store),
        ingest_(store, ingest_options(settings)),
        args_(args),
        account_(account),
        progress_(total_messages, total_bytes, isatty(STDERR_FILENO) != 0,
                  std::chrono::milliseconds(static_cast<int64_t>(args.progress_seconds * 1000))) {}

  // Imports one folder; returns an error only when the whole import must stop.
  Status import_folder(const SourceFolder& folder) {
    FolderReport& report = reports_.emplace_back();
    report.mailbox = folder.mailbox;
    report.warnings = folder.problems;
    auto mailbox = find_or_create(folder.mailbox);
    if (!mailbox) {
      for (const SourceMessage& m : folder.messages) {
        fail_message(report, m, "mailbox " + folder.mailbox + ": " + mailbox.error().describe());
      }
      progress_.committed(counts_);
      return ok();
    }
    std::vector<mailbox::Incoming> batch;
    std::vector<const SourceMessage*> sources;
    uint64_t batch_bytes = 0;
    for (const SourceMessage& m : folder.messages) {
      auto bytes = load(m);
      if (!bytes) {
        fail_message(report, m, bytes.error().describe());
        continue;
      }
      batch_bytes += bytes->size();
      batch.push_back({std::move(*bytes), m.flags, m.internal_date, m.internal_date_tz});
      sources.push_back(&m);
      if (batch.size() >= args_.batch_messages || batch_bytes >= args_.batch_mib << 20) {
        ROOST_TRY(flush(*mailbox, report, batch, sources));
        batch_bytes = 0;
      }
    }
    return flush(*mailbox, report, batch, sources);
  }

  void finish() { progress_.finish(counts_); }
  const ImportCounts& counts() const { return counts_; }
  const std::vector<FolderReport>& reports() const { return reports_; }

 private:
  Result<std::string> load(const SourceMessage& m) {
    if (m.path.empty()) return load_mbox_message(m.raw);
    auto bytes = Env::real().read_file(m.path);
    if (!bytes) return bytes.error();
    return to_crlf(*bytes);
  }

  Result<store::MailboxId> find_or_create(const std::string& name) {
    auto found = store_.find_mailbox(account_, name);
    if (found) return found->id;
    if (found.error().kind != ErrorKind::NotFound) return found.error();
    auto created = store_.create_mailbox(account_, name);
    if (!created) return created.error();
    log::info("import.mailbox_created", {{"mailbox", name}});
    return created->id;
  }

  void fail_message(FolderReport& report, const SourceMessage& m, std::string reason) {
    report.failed++;
    report.failures.push_back(m.where + ": " + std::move(reason));
    counts_.failed++;
    counts_.done++;
    counts_.bytes += m.size;
  }

  Status flush(store::MailboxId mailbox, FolderReport& report,
               std::vector<mailbox::Incoming>& batch, std::vector<const SourceMessage*>& sources) {
    if (batch.empty()) return ok();
    auto result = ingest_.ingest_batch({mailbox, "import"}, std::move(batch), {true});
    batch.clear();
    if (!result) {
      sources.clear();
      return result.error();
    }
    for (size_t i = 0; i < result->items.size(); ++i) {
      const mailbox::BatchItem& item = result->items[i];
      switch (item.outcome) {
        case mailbox::BatchItem::Outcome::Stored:
          report.imported++;
          counts_.imported++;
          break;
        case mailbox::BatchItem::Outcome::Duplicate:
          report.skipped++;
          counts_.skipped++;
          break;
        case mailbox::BatchItem::Outcome::Rejected:
          report.failed++;
          report.failures.push_back(sources[i]->where + ": " + item.why->describe());
          counts_.failed++;
          break;
      }
      counts_.done++;
      counts_.bytes += sources[i]->size;
    }
    sources.clear();
    progress_.committed(counts_);  // only now: the batch is durable
    return ok();
  }

  store::Store& store_;
  mailbox::Ingest ingest_;
  const ImportArgs& args_;
  store::AccountId account_;
  Progress progress_;
  ImportCounts counts_;
  std::vector<FolderReport> reports_;
};

void print_summary(const Importer& importer) {
  const ImportCounts& c = importer.counts();
  std::printf("imported %llu, skipped %llu (already present), failed %llu\n",
              static_cast<unsigned long long>(c.imported),
              static_cast<unsigned long long>(c.skipped),
              static_cast<unsigned long long>(c.failed));
  for (const FolderReport& r : importer.reports()) {
    std::printf("  %s: imported %llu, skipped %llu, failed %llu\n", r.mailbox.c_str(),
                static_cast<unsigned long long>(r.imported),
                static_cast<unsigned long long>(r.skipped),
                static_cast<unsigned long long>(r.failed));
    for (const std::string& f : r.failures) std::printf("    failed: %s\n", f.c_str());
    for (const std::string& w : r.warnings) std::printf("    warning: %s\n", w.c_str());
  }
  std::fflush(stdout);
}

void run_import(const GlobalOptions& options, const ImportArgs& args, bool maildir) {
  auto context = open_context(options);
  if (!context) fail(context.error());
  store::Store& store = *context->store;
  auto account = store.find_account(args.account);
  if (!account) fail(account.error());

  auto plan = maildir ? scan_maildir(Env::real(), args.path)
                      : scan_mbox(Env::real(), args.path, args.mailbox);
  if (!plan) fail(plan.error());
  uint64_t total_messages = 0, total_bytes = 0;
  for (const SourceFolder& f : plan->folders) {
    total_messages += f.messages.size();
    for (const SourceMessage& m : f.messages) total_bytes += m.size;
  }
  // open_context keeps management commands quiet; --verbose shows the per-message events.
  if (args.verbose) log::set_min_level(log::Level::Info);
  log::info("import.start", {{"account", account->name},
                             {"source", args.path},
                             {"messages", std::to_string(total_messages)}});

  Importer importer(store, context->settings, args, account->id, total_messages, total_bytes);
  Status status = ok();
  for (const SourceFolder& folder : plan->folders) {
    status = importer.import_folder(folder);
    if (!status) break;
  }
  importer.finish();
  print_summary(importer);
  const ImportCounts& c = importer.counts();
  log::info("import.finish", {{"account", account->name},
                              {"source", args.path},
                              {"imported", std::to_string(c.imported)},
                              {"skipped", std::to_string(c.skipped)},
                              {"failed", std::to_string(c.failed)}});
  if (!status) fail(status.error());
  if (c.failed > 0) {
    fail(make_error(ErrorKind::Limit, std::to_string(c.failed) + " messages were not imported"));
  }
}

void add_common(CLI::App& command, GlobalOptions& options, ImportArgs& args) {
  add_global_options(command, options);
  command.add_option("--account", args.account, "Account to import into")->required();
  command
      .add_option("--batch-messages", args.batch_messages,
                  "Messages per durable commit (default 200)")
      ->check(CLI::Range(1, 100000));
  command.add_option("--batch-mib", args.batch_mib, "MiB per durable commit (default 8)")
      ->check(CLI::Range(1, 4096));
  command
      .add_option("--progress-interval", args.progress_seconds,
                  "Seconds between progress lines when stderr is not a terminal (default 1)")
      ->check(CLI::Range(0.0, 3600.0));
  command.add_flag("--verbose", args.verbose,
                   "Log one event per message (message.ingest) on stderr");
}

}  // namespace

void add_import_commands(CLI::App& app, GlobalOptions& options) {
  CLI::App* import = app.add_subcommand("import", "Import mail from mbox files or Maildirs");
  import->require_subcommand(1);

  auto mbox_args = std::make_shared<ImportArgs>();
  CLI::App* mbox = import->add_subcommand("mbox", "Import an mbox file (mboxo/mboxrd)");
  mbox->add_option("FILE", mbox_args->path, "The mbox file")->required();
  mbox->add_option("--mailbox", mbox_args->mailbox,
                   "Target mailbox (default INBOX; created if missing)");
  add_common(*mbox, options, *mbox_args);
  mbox->callback([&options, mbox_args] { run_import(options, *mbox_args, false); });

  auto maildir_args = std::make_shared<ImportArgs>();
  CLI::App* maildir = import->add_subcommand(
      "maildir", "Import a Maildir++ tree (cur/new → INBOX, .Sub.Folder → Sub/Folder)");
  maildir->add_option("DIR", maildir_args->path, "The Maildir root")->required();
  add_common(*maildir, options, *maildir_args);
  maildir->callback([&options, maildir_args] { run_import(options, *maildir_args, true); });
}

}  // namespace roost::cli
