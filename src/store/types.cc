#include "store/types.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace roost::store {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string_view to_attribute(SpecialUse role) {
  switch (role) {
    case SpecialUse::None:
      return "";
    case SpecialUse::Sent:
      return "\\Sent";
    case SpecialUse::Drafts:
      return "\\Drafts";
    case SpecialUse::Trash:
      return "\\Trash";
    case SpecialUse::Junk:
      return "\\Junk";
    case SpecialUse::Archive:
      return "\\Archive";
    case SpecialUse::All:
      return "\\All";
    case SpecialUse::Flagged:
      return "\\Flagged";
  }
  return "";
}

std::optional<SpecialUse> special_use_from_attribute(std::string_view attr) {
  for (SpecialUse role : {SpecialUse::Sent, SpecialUse::Drafts, SpecialUse::Trash, SpecialUse::Junk,
                          SpecialUse::Archive, SpecialUse::All, SpecialUse::Flagged}) {
    if (iequals(attr, to_attribute(role))) return role;
  }
  return std::nullopt;
}

void normalize(Flags& flags) {
  std::vector<std::string> out;
  std::vector<std::string> seen;  // lower-cased spellings already kept
  for (auto& k : flags.keywords) {
    std::string key = lower(k);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(std::move(key));
    out.push_back(std::move(k));
  }
  std::sort(out.begin(), out.end(),
            [](const std::string& a, const std::string& b) { return lower(a) < lower(b); });
  flags.keywords = std::move(out);
}

UidSet all_uids() { return {UidRange{1, std::numeric_limits<Uid>::max()}}; }

UidSet uid_set_of(const std::vector<Uid>& uids) {
  std::vector<Uid> sorted(uids);
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  UidSet set;
  for (Uid u : sorted) {
    if (!set.empty() && set.back().last != std::numeric_limits<Uid>::max() &&
        set.back().last + 1 == u) {
      set.back().last = u;
    } else {
      set.push_back({u, u});
    }
  }
  return set;
}

bool contains(const UidSet& set, Uid uid) {
  auto it = std::lower_bound(set.begin(), set.end(), uid,
                             [](const UidRange& r, Uid u) { return r.last < u; });
  return it != set.end() && it->first <= uid;
}

}  // namespace roost::store
