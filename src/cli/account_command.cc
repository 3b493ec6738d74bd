// roost account add|passwd|del|list|pop3-policy
#include <iostream>

#include "auth/directory.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "cli/password_input.h"
#include "cli/table_printer.h"

namespace roost::cli {
namespace {

struct AccountArgs {
  std::string name;
  bool password_stdin = false;
  bool yes = false;
  std::string policy;  // pop3-policy: empty = show
};

void run_add(const GlobalOptions& options, const AccountArgs& args) {
  Context ctx = value_or_fail(open_context(options));
  auth::Directory directory(*ctx.store, Clock::system(), directory_options(ctx.settings));
  std::string password = value_or_fail(read_new_password(args.password_stdin));
  auto account = directory.create_account(args.name, password);
  if (!account && account.error().kind == ErrorKind::Exists) {
    fail(make_error(ErrorKind::Exists, "account \"" + args.name + "\" already exists"));
  }
  std::cout << "created account " << value_or_fail(std::move(account)).name << "\n";
}

void run_passwd(const GlobalOptions& options, const AccountArgs& args) {
  Context ctx = value_or_fail(open_context(options));
  auth::Directory directory(*ctx.store, Clock::system(), directory_options(ctx.settings));
  auto account = value_or_fail(directory.find_account(args.name));  // before asking
  std::string password = value_or_fail(read_new_password(args.password_stdin));
  check_or_fail(directory.set_password(account.name, password));
  std::cout << "changed the password of " << account.name << "\n";
}

void run_del(const GlobalOptions& options, const AccountArgs& args) {
  Context ctx = value_or_fail(open_context(options));
  auth::Directory directory(*ctx.store, Clock::system(), directory_options(ctx.settings));
  auto account = value_or_fail(directory.find_account(args.name));
  if (!args.yes) {
    auto usage = value_or_fail(ctx.store->usage(account.id));
    std::string question = "Delete account " + account.name + " and its " +
                           std::to_string(usage.messages) + " messages?";
    if (!stdin_is_terminal()) {
      fail(make_error(ErrorKind::NoPerm,
                      "not deleting " + account.name + " without confirmation: pass --yes"));
    }
    if (!confirm_on_terminal(question)) fail(make_error(ErrorKind::NoPerm, "not deleted"));
  }
  check_or_fail(directory.delete_account(account.name));
  std::cout << "deleted account " << account.name << "\n";
}

// Shows or sets the account's own POP3 DELE policy, which wins over [pop3] delete_policy.
void run_pop3_policy(const GlobalOptions& options, const AccountArgs& args) {
  Context ctx = value_or_fail(open_context(options));
  auth::Directory directory(*ctx.store, Clock::system(), directory_options(ctx.settings));
  auto account = value_or_fail(directory.find_account(args.name));
  const std::string& configured = ctx.settings.pop3.delete_policy;
  if (args.policy.empty()) {
    auto own = value_or_fail(mailbox::pop3_policy_override(*ctx.store, account.id));
    if (own) {
      std::cout << account.name << ": " << mailbox::to_string(*own) << " (set for this account)\n";
    } else {
      std::cout << account.name << ": " << configured << " (from [pop3] delete_policy)\n";
    }
    return;
  }
  std::optional<mailbox::Pop3DeletePolicy> policy;
  if (args.policy != "default") {
    policy = mailbox::parse_pop3_policy(args.policy);
    if (!policy) {
      fail(make_error(ErrorKind::Syntax, "unknown POP3 policy \"" + args.policy +
                                             "\": use auto, keep, delete, move or default"));
    }
  }
  check_or_fail(mailbox::set_pop3_policy_override(*ctx.store, account.id, policy));
  if (policy) {
    std::cout << account.name << ": POP3 DELE policy set to " << mailbox::to_string(*policy)
              << "\n";
  } else {
    std::cout << account.name << ": POP3 DELE policy follows [pop3] delete_policy (" << configured
              << ")\n";
  }
}

void run_list(const GlobalOptions& options) {
  Context ctx = value_or_fail(open_context(options));
  auto accounts = value_or_fail(ctx.store->list_accounts());
  TablePrinter table({"NAME", "CREATED", "MESSAGES", "BYTES"});
  for (const auto& a : accounts) {
    auto usage = value_or_fail(ctx.store->usage(a.id));
    table.add({a.name, format_utc(a.created_unix), std::to_string(usage.messages),
               std::to_string(usage.bytes)});
  }
  table.print(std::cout);
}

}  // namespace

void add_account_commands(CLI::App& app, GlobalOptions& options) {
  auto* account = app.add_subcommand("account", "Manage accounts");
  account->require_subcommand(1);
  auto args = std::make_shared<AccountArgs>();

  auto* add = account->add_subcommand("add", "Create an account with the default mailboxes");
  add->add_option("NAME", args->name, "Login name (user or user@domain)")->required();
  add->add_flag("--password-stdin", args->password_stdin, "Read the password from stdin");
  add_global_options(*add, options);
  add->callback([&options, args] { run_add(options, *args); });

  auto* passwd = account->add_subcommand("passwd", "Set a new password");
  passwd->add_option("NAME", args->name, "Login name")->required();
  passwd->add_flag("--password-stdin", args->password_stdin, "Read the password from stdin");
  add_global_options(*passwd, options);
  passwd->callback([&options, args] { run_passwd(options, *args); });

  auto* del = account->add_subcommand("del", "Delete an account, its mailboxes and messages");
  del->add_option("NAME", args->name, "Login name")->required();
  del->add_flag("--yes,-y", args->yes, "Do not ask for confirmation");
  add_global_options(*del, options);
  del->callback([&options, args] { run_del(options, *args); });

  auto* list = account->add_subcommand("list", "List accounts with their usage");
  add_global_options(*list, options);
  list->callback([&options] { run_list(options); });

  auto* pop3_policy = account->add_subcommand(
      "pop3-policy", "Show or set what POP3 DELE does for one account (overrides [pop3])");
  pop3_policy->add_option("NAME", args->name, "Login name")->required();
  pop3_policy->add_option("POLICY", args->policy,
                          "auto, keep, delete or move; default clears the account's own policy");
  add_global_options(*pop3_policy, options);
  pop3_policy->callback([&options, args] { run_pop3_policy(options, *args); });
}

}  // namespace roost::cli
