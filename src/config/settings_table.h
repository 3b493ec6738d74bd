// The key table: the one list of settings keys, with type, limits and doc text. Loading,
// validation and `roost config reference` all walk it, so they cannot disagree.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.h"

namespace roost::config {

enum class KeyType {
  Text,         // any string (after `check`)
  Choice,       // one of `choices`
  Integer,      // within [min, max]
  Size,         // bytes: an integer or "64 MiB" / "512k" / "1G"; within [min, max]
  AddressList,  // array of "host:port" strings
  Boolean,      // true or false
  TextList,     // array of strings (each after `check`)
};

struct Key {
  std::string_view table;  // "server"
  std::string_view name;   // "data_dir"
  KeyType type = KeyType::Text;
  std::string doc;           // one sentence for the README
  std::string default_text;  // overrides the default rendered from Settings{} when derived
  std::function<std::string&(Settings&)> text;
  std::function<int64_t&(Settings&)> number;
  std::function<std::vector<std::string>&(Settings&)> list;
  std::function<bool&(Settings&)> flag;
  int64_t min = 0;
  int64_t max = INT64_MAX;
  std::vector<std::string_view> choices;
  // Extra rule for Text/Choice values: returns the complaint, or nothing when fine.
  std::function<std::optional<std::string>(const std::string&)> check;

  std::string full_name() const { return std::string(table) + "." + std::string(name); }
};

const std::vector<Key>& settings_keys();

// "64 MiB", "512k", "1G", "100" → bytes; nothing when malformed.
std::optional<int64_t> parse_size(std::string_view text);

}  // namespace roost::config
