// roost dkim generate|list: the keys outgoing mail is signed with, and the DNS records that
// publish them (RFC 6376 §3.6.1, RFC 8463).
#include <iostream>

#include "cli/commands.h"
#include "cli/table_printer.h"
#include "mailauth/dkim_key.h"

namespace roost::cli {
namespace {

struct DkimArgs {
  std::string domain;
  std::string selector = "roost";
  std::string algorithm = "both";
  int rsa_bits = 2048;
};

std::string key_dir(const config::Settings& settings) { return settings.server.data_dir + "/dkim"; }

// The record as a zone-file line; long RSA keys split into 255-octet strings (RFC 1035 §3.3).
std::string zone_line(const mailauth::DkimKey& key) {
  std::string record = key.dns_record(), quoted;
  for (size_t i = 0; i < record.size(); i += 255) {
    quoted += (quoted.empty() ? "\"" : " \"") + record.substr(i, 255) + "\"";
  }
  return key.dns_name() + ". IN TXT " + quoted;
}

void run_generate(const GlobalOptions& options, const DkimArgs& args) {
  config::Settings settings = value_or_fail(load_settings(options));
  std::vector<mailauth::DkimAlgorithm> algorithms;
  if (args.algorithm == "both" || args.algorithm == "ed25519")
    algorithms.push_back(mailauth::DkimAlgorithm::Ed25519);
  if (args.algorithm == "both" || args.algorithm == "rsa")
    algorithms.push_back(mailauth::DkimAlgorithm::Rsa);
  if (algorithms.empty())
    fail(make_error(ErrorKind::Syntax, "unknown algorithm \"" + args.algorithm +
                                           "\": use ed25519, rsa or both"));
  if (args.rsa_bits < 1024 || args.rsa_bits > 8192)
    fail(make_error(ErrorKind::Syntax, "--rsa-bits must be between 1024 and 8192"));
  std::vector<mailauth::DkimKey> made;
  for (auto algorithm : algorithms) {
    // Both keys of a pair: "<selector>-ed25519" and "<selector>-rsa".
    std::string selector =
        algorithms.size() > 1 ? args.selector + "-" + std::string(to_string(algorithm)) : args.selector;
    auto key = value_or_fail(mailauth::generate_dkim_key(args.domain, selector, algorithm,
                                                         args.rsa_bits));
    check_or_fail(mailauth::DkimKeyring::save(key_dir(settings), key));
    made.push_back(std::move(key));
  }
  std::cout << "Publish in the DNS zone of " << made.front().domain
            << ", then Roost signs mail From: it with "
            << (made.size() > 1 ? "both keys" : "this key") << ":\n\n";
  for (const auto& key : made) std::cout << zone_line(key) << "\n";
}

void run_list(const GlobalOptions& options) {
  config::Settings settings = value_or_fail(load_settings(options));
  auto ring = value_or_fail(mailauth::DkimKeyring::load(key_dir(settings)));
  TablePrinter table({"DOMAIN", "SELECTOR", "ALGORITHM", "DNS NAME"});
  for (const auto& key : ring.all()) {
    table.add({key.domain, key.selector, std::string(to_string(key.algorithm)), key.dns_name()});
  }
  table.print(std::cout);
}

}  // namespace

void add_dkim_commands(CLI::App& app, GlobalOptions& options) {
  auto* dkim = app.add_subcommand("dkim", "Manage the DKIM keys outgoing mail is signed with");
  dkim->require_subcommand(1);
  auto args = std::make_shared<DkimArgs>();

  auto* generate = dkim->add_subcommand(
      "generate", "Make signing keys for a domain and print the DNS TXT records to publish");
  generate->add_option("DOMAIN", args->domain, "The domain in From: (d=)")->required();
  generate->add_option("--selector", args->selector,
                       "Selector (s=); with both algorithms, -ed25519 and -rsa are appended")
      ->capture_default_str();
  generate->add_option("--algorithm", args->algorithm, "ed25519, rsa or both")
      ->capture_default_str();
  generate->add_option("--rsa-bits", args->rsa_bits, "RSA key size")->capture_default_str();
  add_global_options(*generate, options);
  generate->callback([&options, args] { run_generate(options, *args); });

  auto* list = dkim->add_subcommand("list", "List the signing keys");
  add_global_options(*list, options);
  list->callback([&options] { run_list(options); });
}

}  // namespace roost::cli
