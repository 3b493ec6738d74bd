// LIST (RFC 9051 §6.3.9 with LIST-EXTENDED RFC 5258, LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154)
// and LSUB (RFC 3501 §6.3.9). Hierarchy delimiter "/". Roost has no \Noselect mailboxes, but a
// deleted parent of surviving children is still a hierarchy level: "%" shows it as \NonExistent
// (\Noselect for IMAP4rev1 clients), as in the RFC 9051 §6.3.5 example.
#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <map>

#include "imap/command_table.h"
#include "imap/proto/response_writer.h"
#include "imap/session.h"
#include "store/mailbox_name.h"

namespace roost::imap {

using boost::asio::awaitable;

namespace {

// '*' matches anything, '%' anything but the delimiter. O(name × pattern), no backtracking.
bool matches(std::string_view pattern, std::string_view name) {
  std::vector<char> alive(pattern.size() + 1, 0), next(pattern.size() + 1, 0);
  auto close = [&](std::vector<char>& states) {  // wildcards may match nothing
    for (size_t i = 0; i < pattern.size(); ++i) {
      if (states[i] && (pattern[i] == '*' || pattern[i] == '%')) states[i + 1] = 1;
    }
  };
  alive[0] = 1;
  close(alive);
  for (char c : name) {
    std::fill(next.begin(), next.end(), 0);
    bool any = false;
    for (size_t i = 0; i < pattern.size(); ++i) {
      if (!alive[i]) continue;
      char p = pattern[i];
      if (p == '*' || (p == '%' && c != '/')) {
        next[i] = 1;
        any = true;
      } else if (p == c) {
        next[i + 1] = 1;
        any = true;
      }
    }
    if (!any) return false;
    close(next);
    alive.swap(next);
  }
  return alive[pattern.size()];
}

// RFC 9051 §5.1: "INBOX" is case-insensitive, also as the first level of a pattern.
std::string canonical_pattern(std::string pattern) {
  if (pattern.size() >= 5) {
    std::string head = pattern.substr(0, 5);
    for (char& c : head) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    bool whole_level =
        pattern.size() == 5 || pattern[5] == '/' || pattern[5] == '*' || pattern[5] == '%';
    if (head == "INBOX" && whole_level) pattern.replace(0, 5, "INBOX");
  }
  return pattern;
}

struct Node {
  const store::MailboxInfo* info = nullptr;  // nullptr: only a level of existing children
  bool has_children = false;
  bool subscribed_child = false;  // some descendant is subscribed
};

bool name_less(const std::string& a, const std::string& b) {
  bool ai = a == "INBOX" || a.starts_with("INBOX/");
  bool bi = b == "INBOX" || b.starts_with("INBOX/");
  if (ai != bi) return ai;
  return a < b;
}

}  // namespace

awaitable<Reply> cmd_list(Session& session, Command& command) {
  const auto& args = std::get<ListArgs>(command.args);
  bool lsub = command.name == CommandName::Lsub;
  std::string_view kind = lsub ? "LSUB" : "LIST";
  // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) enables CONDSTORE, through LIST-STATUS as well.
  if (args.return_status && std::find(args.return_status->begin(), args.return_status->end(),
                                      StatusItem::HighestModSeq) != args.return_status->end()) {
    session.enable_condstore();
  }
  std::string& out = session.out();

  if (!args.extended && args.patterns.size() == 1 && args.patterns[0].empty()) {
    // RFC 9051 §6.3.9: an empty pattern asks for the delimiter and root.
    out += "* " + std::string(kind) + " (\\Noselect) \"/\" \"\"\r\n";
    co_return Reply::ok(std::string(kind) + " completed");
  }

  store::AccountId account = session.account()->id;
  auto all =
      co_await session.blocking().run([&] { return session.store().list_mailboxes(account); });
  if (!all) co_return reply_for(all.error());

  std::map<std::string, Node, decltype(&name_less)> nodes(&name_less);
  for (const store::MailboxInfo& m : *all) nodes[m.name].info = &m;
  for (const store::MailboxInfo& m : *all) {
    for (const std::string& parent : store::parent_names(m.name)) {
      Node& p = nodes[parent];
      p.has_children = true;
      if (m.subscribed) p.subscribed_child = true;
    }
  }

  std::vector<std::string> patterns;
  for (const std::string& p : args.patterns)
    patterns.push_back(canonical_pattern(args.reference + p));

  bool select_subscribed = args.select_subscribed || lsub;
  bool show_subscribed = args.return_subscribed || args.select_subscribed;
  for (const auto& [name, node] : nodes) {
    bool matched = false, matched_level = false;
    for (const std::string& p : patterns) {
      if (!matches(p, name)) continue;
      matched = true;
      if (p.find('%') != std::string::npos) matched_level = true;
    }
    if (!matched) continue;
    bool exists = node.info != nullptr;
    bool subscribed = exists && node.info->subscribed;
    bool childinfo = false;
    if (select_subscribed && !subscribed) {
      // RFC 5258 §3.1 RECURSIVEMATCH; RFC 3501 §6.3.9: LSUB "%" shows such levels \Noselect.
      bool recursive = lsub ? matched_level : args.select_recursive_match;
      if (!(recursive && node.subscribed_child)) continue;
      childinfo = !lsub;
    }
    if (args.select_special_use && (!exists || node.info->role == store::SpecialUse::None)) {
      continue;
    }
    if (!exists && !select_subscribed && !matched_level) continue;

    std::vector<std::string_view> attrs;
    if (!exists) attrs.push_back(session.rev2() && !lsub ? "\\NonExistent" : "\\Noselect");
    if (!lsub) attrs.push_back(node.has_children ? "\\HasChildren" : "\\HasNoChildren");
    if (exists && !lsub) {
      std::string_view role = store::to_attribute(node.info->role);
      if (!role.empty()) attrs.push_back(role);
    }
    if (show_subscribed && subscribed && !lsub) attrs.push_back("\\Subscribed");

    out += "* ";
    out += kind;
    out += " (";
    for (size_t i = 0; i < attrs.size(); ++i) {
      if (i) out += ' ';
      out += attrs[i];
    }
    out += ") \"/\" ";
    session.write_mailbox_name(out, name);
    if (childinfo) out += " (\"CHILDINFO\" (\"SUBSCRIBED\"))";
    out += "\r\n";
    if (args.return_status && exists) write_status(session, *node.info, *args.return_status);
  }
  co_return Reply::ok(std::string(kind) + " completed");
}

}  // namespace roost::imap
