#include "imap/engine/sort_thread.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "imap/engine/base_subject.h"
#include "imap/engine/text_fold.h"
#include "mime/encoded_word.h"
#include "mime/header_field.h"

namespace roost::imap {
namespace {

using Key = SortCriterion::Key;

// RFC 5256 §2.2: the Date header, else INTERNALDATE.
int64_t sent_date(const SortRecord& r) {
  int64_t date = r.parsed ? r.parsed->date_unix : r.date_unix;
  return date >= 0 ? date : r.internal_date;
}

// RFC 5256 §3 sorts by the addr-mailbox of the first ENVELOPE address structure; for a group
// that is the start marker, whose addr-mailbox is the group name (RFC 9051 §7.5.2), as Dovecot.
const mime::Address* first_address(const std::vector<mime::Address>& list) {
  for (const mime::Address& a : list) {
    if (!a.is_group_end) return &a;
  }
  return nullptr;
}

const std::vector<mime::Address>* address_list(const mime::Envelope& e, Key key) {
  switch (key) {
    case Key::From:
    case Key::DisplayFrom:
      return &e.from;
    case Key::To:
    case Key::DisplayTo:
      return &e.to;
    case Key::Cc:
      return &e.cc;
    default:
      return nullptr;
  }
}

// RFC 5256 §3: addr-mailbox of the first address; RFC 5957 §3: the decoded display name, else
// the addr-spec.
std::string address_key(const SortRecord& r, Key key) {
  if (!r.parsed) return {};
  const mime::Address* a = first_address(*address_list(r.parsed->envelope, key));
  if (!a) return {};
  if (key != Key::DisplayFrom && key != Key::DisplayTo)
    return ascii_casemap(a->mailbox.value_or(""));
  std::string name = a->name ? mime::decode_header_text(*a->name) : std::string();
  if (mime::trim(name).empty())
    name = a->is_group_start ? a->mailbox.value_or("")
                             : a->mailbox.value_or("") + "@" + a->host.value_or("");
  return fold_case(name);
}

struct SortKey {
  int64_t number = 0;
  std::string text;
};

SortKey make_key(const SortRecord& r, Key key) {
  switch (key) {
    case Key::Arrival:
      return {r.internal_date, {}};
    case Key::Date:
      return {sent_date(r), {}};
    case Key::Size:
      return {static_cast<int64_t>(r.size), {}};
    case Key::Subject:
      return {0, r.parsed ? ascii_casemap(extract_base_subject(r.parsed->subject).text) : ""};
    default:
      return {0, address_key(r, key)};
  }
}

int compare(const SortKey& a, const SortKey& b) {
  if (a.number != b.number) return a.number < b.number ? -1 : 1;
  int c = a.text.compare(b.text);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

// --- THREAD -------------------------------------------------------------------------------

constexpr int kNone = -1;

struct Container {
  int record = kNone;  // index into the records; kNone for a dummy
  int parent = kNone;
  std::vector<int> children;
};

class ThreadTree {
 public:
  explicit ThreadTree(std::span<const SortRecord> records) : records_(records) {
    for (const SortRecord& r : records) {
      subjects_.push_back(r.parsed ? extract_base_subject(r.parsed->subject) : BaseSubject{});
      subjects_.back().text = ascii_casemap(subjects_.back().text);
    }
  }

  int add(int record) {
    nodes_.push_back(Container{record, kNone, {}});
    return static_cast<int>(nodes_.size()) - 1;
  }
  void link(int parent, int child) {
    nodes_[child].parent = parent;
    nodes_[parent].children.push_back(child);
  }
  void unlink(int child) {
    auto& siblings = nodes_[nodes_[child].parent].children;
    siblings.erase(std::find(siblings.begin(), siblings.end(), child));
    nodes_[child].parent = kNone;
  }
  // True when linking parent → child would close a loop (child is parent or its ancestor).
  bool would_loop(int parent, int child) const {
    for (int p = parent; p != kNone; p = nodes_[p].parent) {
      if (p == child) return true;
    }
    return false;
  }

  bool dummy(int n) const { return nodes_[n].record == kNone; }
  // The record that stands for a node when sorting or naming it: a dummy's first child.
  int representative(int n) const {
    while (dummy(n) && !nodes_[n].children.empty()) n = nodes_[n].children[0];
    return nodes_[n].record;
  }
  bool earlier(int a, int b) const {
    int ra = representative(a), rb = representative(b);
    if (ra == kNone || rb == kNone) return ra != kNone && rb == kNone;
    int64_t da = sent_date(records_[ra]), db = sent_date(records_[rb]);
    if (da != db) return da < db;
    return records_[ra].seq < records_[rb].seq;
  }
  void sort_siblings(std::vector<int>& list) {
    std::stable_sort(list.begin(), list.end(), [&](int a, int b) { return earlier(a, b); });
  }
  const BaseSubject* subject(int n) const {
    int r = representative(n);
    return r == kNone ? nullptr : &subjects_[r];
  }

  // "(1 2)(3 (4)(5))": one child continues the line, several open one list each (RFC 5256 §4).
  void write(int n, std::string& out) const {
    while (true) {
      const Container& c = nodes_[n];
      if (!dummy(n)) out += std::to_string(records_[c.record].number);
      if (c.children.size() == 1) {
        if (!dummy(n)) out += ' ';
        n = c.children[0];
        continue;
      }
      if (!c.children.empty() && !dummy(n)) out += ' ';
      for (int child : c.children) {
        out += '(';
        write(child, out);
        out += ')';
      }
      return;
    }
  }

  std::span<const SortRecord> records_;
  std::vector<BaseSubject> subjects_;
  std::vector<Container> nodes_;
};

std::vector<int> by_sequence(std::span<const SortRecord> records) {
  std::vector<int> order(records.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return records[a].seq < records[b].seq; });
  return order;
}

// RFC 5256 §3 ORDEREDSUBJECT: group by base subject; the first message of a group is the parent
// of the others; groups ordered by the date of their first message.
std::vector<int> ordered_subject(ThreadTree& t) {
  std::vector<int> order = by_sequence(t.records_);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    if (t.subjects_[a].text != t.subjects_[b].text)
      return t.subjects_[a].text < t.subjects_[b].text;
    int64_t da = sent_date(t.records_[a]), db = sent_date(t.records_[b]);
    return da != db ? da < db : t.records_[a].seq < t.records_[b].seq;
  });
  std::vector<int> roots;
  for (size_t i = 0; i < order.size(); ++i) {
    int node = t.add(order[i]);
    if (i > 0 && t.subjects_[order[i]].text == t.subjects_[order[i - 1]].text) {
      t.link(roots.back(), node);
    } else {
      roots.push_back(node);
    }
  }
  t.sort_siblings(roots);
  return roots;
}

// RFC 5256 §3 REFERENCES, steps 1-6.
std::vector<int> references_threads(ThreadTree& t) {
  std::unordered_map<std::string, int> ids;
  auto lookup = [&](const std::string& id) {
    auto [it, fresh] = ids.emplace(id, 0);
    if (fresh) it->second = t.add(kNone);
    return it->second;
  };
  for (int r : by_sequence(t.records_)) {
    const SortRecord& rec = t.records_[r];
    const mime::Envelope* env = rec.parsed ? &rec.parsed->envelope : nullptr;
    std::vector<std::string> own = parse_message_ids(env ? env->message_id.value_or("") : "");
    int node;
    auto it = own.empty() ? ids.end() : ids.find(own[0]);
    if (own.empty() || (it != ids.end() && !t.dummy(it->second))) {
      node = t.add(r);  // missing or duplicate Message-ID: a unique one
    } else {
      node = lookup(own[0]);
      t.nodes_[node].record = r;
    }
    std::vector<std::string> refs = parse_message_ids(rec.references);
    if (refs.empty() && env && env->in_reply_to) {
      refs = parse_message_ids(*env->in_reply_to);
      if (refs.size() > 1) refs.resize(1);
    }
    // Step 1A: chain the references, keeping existing parents and never closing a loop.
    int prev = kNone;
    for (const std::string& id : refs) {
      int ref = lookup(id);
      if (prev != kNone && t.nodes_[ref].parent == kNone && !t.would_loop(prev, ref))
        t.link(prev, ref);
      prev = ref;
    }
    // Step 1B: the last reference is the parent, replacing a parent from a truncated chain.
    if (t.nodes_[node].parent != kNone) t.unlink(node);
    if (prev != kNone && !t.would_loop(prev, node)) t.link(prev, node);
  }
  // Step 2: the root set, in creation order.
  std::vector<int> roots;
  for (size_t n = 0; n < t.nodes_.size(); ++n) {
    if (t.nodes_[n].parent == kNone) roots.push_back(static_cast<int>(n));
  }
  // Step 3: prune dummies, children before parents (reverse pre-order) so nothing recurses.
  std::vector<int> preorder, stack(roots.rbegin(), roots.rend());
  while (!stack.empty()) {
    int n = stack.back();
    stack.pop_back();
    preorder.push_back(n);
    for (int c : t.nodes_[n].children) stack.push_back(c);
  }
  auto prune = [&](std::vector<int>& list, int parent, bool top) {
    std::vector<int> kept;
    for (int c : list) {
      Container& k = t.nodes_[c];
      if (k.record != kNone || (top && k.children.size() > 1)) {
        kept.push_back(c);
      } else {
        for (int g : k.children) {  // promote: splice into the dummy's place
          t.nodes_[g].parent = parent;
          kept.push_back(g);
        }
      }
    }
    list = std::move(kept);
  };
  for (size_t i = preorder.size(); i-- > 0;) {
    int n = preorder[i];
    prune(t.nodes_[n].children, n, false);
  }
  prune(roots, kNone, true);
  // Step 4: sort the roots by date (a dummy by its first child, its children sorted first).
  for (int r : roots) {
    if (t.dummy(r)) t.sort_siblings(t.nodes_[r].children);
  }
  t.sort_siblings(roots);
  // Step 5: gather roots with the same base subject.
  std::unordered_map<std::string, int> table;
  for (int r : roots) {
    const BaseSubject* s = t.subject(r);
    if (!s || s->text.empty()) continue;
    auto [it, fresh] = table.emplace(s->text, r);
    int old = it->second;
    if (!fresh && ((t.dummy(r) && !t.dummy(old)) ||
                   (!t.dummy(old) && t.subject(old)->reply_or_forward && !s->reply_or_forward)))
      it->second = r;
  }
  std::vector<char> gone(t.nodes_.size(), 0);
  for (size_t i = 0; i < roots.size(); ++i) {
    int r = roots[i];
    const BaseSubject* s = t.subject(r);
    if (!s || s->text.empty()) continue;
    int& entry = table[s->text];
    if (entry == r) continue;
    int old = entry;
    if (t.dummy(old) && t.dummy(r)) {
      for (int c : t.nodes_[r].children) t.link(old, c);
      t.nodes_[r].children.clear();
    } else if (t.dummy(old)) {
      t.link(old, r);
    } else if (t.dummy(r)) {  // not reached: dummies win the table; kept for safety
      t.link(r, old);
      gone[old] = 1;
      entry = r;
      continue;
    } else if (!t.subject(old)->reply_or_forward && s->reply_or_forward) {
      t.link(old, r);
    } else {
      int d = t.add(kNone);
      gone.push_back(0);
      std::replace(roots.begin(), roots.end(), old, d);
      t.link(d, old);
      t.link(d, r);
      entry = d;
    }
    gone[r] = 1;
  }
  std::erase_if(roots, [&](int r) { return gone[r] != 0; });
  // Step 6: sort every set of siblings by date, deepest first, then the roots.
  for (size_t i = 0; i < t.nodes_.size(); ++i) t.sort_siblings(t.nodes_[i].children);
  t.sort_siblings(roots);
  return roots;
}

}  // namespace

std::vector<uint32_t> sort_messages(std::span<const SortRecord> records,
                                    std::span<const SortCriterion> criteria) {
  std::vector<std::vector<SortKey>> keys(criteria.size());
  for (size_t c = 0; c < criteria.size(); ++c) {
    for (const SortRecord& r : records) keys[c].push_back(make_key(r, criteria[c].key));
  }
  std::vector<size_t> order(records.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    for (size_t c = 0; c < criteria.size(); ++c) {
      int cmp = compare(keys[c][a], keys[c][b]);
      if (cmp != 0) return criteria[c].reverse ? cmp > 0 : cmp < 0;
    }
    return records[a].seq < records[b].seq;  // RFC 5256 §3: ties in mailbox order
  });
  std::vector<uint32_t> out;
  for (size_t i : order) out.push_back(records[i].number);
  return out;
}

std::optional<ThreadAlgorithm> thread_algorithm_from_name(std::string_view name) {
  if (mime::iequals(name, "ORDEREDSUBJECT")) return ThreadAlgorithm::OrderedSubject;
  if (mime::iequals(name, "REFERENCES")) return ThreadAlgorithm::References;
  return std::nullopt;
}

std::string thread_messages(std::span<const SortRecord> records, ThreadAlgorithm algorithm) {
  ThreadTree tree(records);
  std::vector<int> roots = algorithm == ThreadAlgorithm::OrderedSubject ? ordered_subject(tree)
                                                                        : references_threads(tree);
  std::string out;
  for (int root : roots) {
    out += '(';
    tree.write(root, out);
    out += ')';
  }
  return out;
}

std::string header_value(std::string_view header, std::string_view name) {
  std::string out;
  bool found = false;
  mime::for_each_header_field(header, [&](const mime::HeaderField& f) {
    if (found || !mime::iequals(f.name, name)) return;
    found = true;
    out = mime::unfold(f.value);
  });
  return out;
}

std::vector<std::string> parse_message_ids(std::string_view value) {
  std::vector<std::string> ids;
  size_t pos = 0;
  while ((pos = value.find('<', pos)) != std::string_view::npos) {
    size_t end = value.find('>', pos);
    if (end == std::string_view::npos) break;
    std::string id;
    for (char c : value.substr(pos + 1, end - pos - 1)) {
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') id += c;  // folded ids
    }
    if (!id.empty()) ids.push_back(std::move(id));
    pos = end + 1;
  }
  return ids;
}

}  // namespace roost::imap
